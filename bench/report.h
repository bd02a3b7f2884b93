// Results of litc-bench: one flat Record per case, written as one JSON object per line, and the
// table scripts/bench prints (read back from those JSON lines, so the table always shows exactly
// what was recorded).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace litc::bench {

class Record {
 public:
  using Value = std::variant<std::string, double, int64_t, bool>;

  Record& set(const std::string& key, std::string value) { return put(key, std::move(value)); }
  Record& set(const std::string& key, const char* value) { return put(key, std::string(value)); }
  Record& set(const std::string& key, double value) { return put(key, value); }
  Record& set(const std::string& key, bool value) { return put(key, value); }
  Record& set(const std::string& key, int64_t value) { return put(key, value); }
  Record& set(const std::string& key, uint64_t value) {
    return put(key, static_cast<int64_t>(value));
  }
  Record& set(const std::string& key, int value) { return put(key, static_cast<int64_t>(value)); }

  std::optional<double> number(const std::string& key) const;
  std::string text(const std::string& key) const;  // "" when absent; numbers formatted
  bool has(const std::string& key) const;

  std::string json() const;  // one line, keys in insertion order
  // Parses a line json() wrote (flat object of strings, numbers, booleans); nullopt otherwise.
  static std::optional<Record> parse(const std::string& line);

 private:
  Record& put(const std::string& key, Value value);
  const Value* find(const std::string& key) const;
  std::vector<std::pair<std::string, Value>> fields_;
};

// The table of cases: ours beside the baseline and the ratio, plus case-specific extras.
void print_table(std::ostream& out, const std::vector<Record>& records);

}  // namespace litc::bench
