// Record <-> JSON line, and the results table (see report.h).
#include "bench/report.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace litc::bench {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string format_number(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (std::isfinite(v)) {
    std::snprintf(buf, sizeof buf, "%.4g", v);
    if (std::fabs(v) >= 1e4) std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "0");
  }
  return buf;
}

// A small cursor over one JSON line: enough for the flat objects json() writes.
struct Parser {
  const std::string& s;
  std::size_t i = 0;
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::optional<std::string> str() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c == '\\' && i < s.size()) {
        char e = s[i++];
        if (e == 'n') {
          out += '\n';
        } else if (e == 'u' && i + 4 <= s.size()) {
          out += static_cast<char>(std::stoi(s.substr(i, 4), nullptr, 16));
          i += 4;
        } else {
          out += e;
        }
      } else {
        out += c;
      }
    }
    if (i >= s.size()) return std::nullopt;
    ++i;
    return out;
  }
};

}  // namespace

Record& Record::put(const std::string& key, Value value) {
  for (auto& [k, v] : fields_) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  fields_.emplace_back(key, std::move(value));
  return *this;
}

const Record::Value* Record::find(const std::string& key) const {
  for (const auto& [k, v] : fields_) {
    if (k == key) return &v;
  }
  return nullptr;
}

bool Record::has(const std::string& key) const {
  return find(key) != nullptr;
}

std::optional<double> Record::number(const std::string& key) const {
  const Value* v = find(key);
  if (!v) return std::nullopt;
  if (const auto* d = std::get_if<double>(v)) return *d;
  if (const auto* n = std::get_if<int64_t>(v)) return static_cast<double>(*n);
  if (const auto* b = std::get_if<bool>(v)) return *b ? 1.0 : 0.0;
  return std::nullopt;
}

std::string Record::text(const std::string& key) const {
  const Value* v = find(key);
  if (!v) return "";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* b = std::get_if<bool>(v)) return *b ? "true" : "false";
  return format_number(*number(key));
}

std::string Record::json() const {
  std::string out = "{";
  for (const auto& [k, v] : fields_) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += escape(k);
    out += "\":";
    if (const auto* s = std::get_if<std::string>(&v)) {
      out += '"';
      out += escape(*s);
      out += '"';
    } else if (const auto* b = std::get_if<bool>(&v)) {
      out += *b ? "true" : "false";
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      out += std::to_string(*n);
    } else {
      double d = std::get<double>(v);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6g", std::isfinite(d) ? d : 0.0);
      out += buf;
    }
  }
  return out + "}";
}

std::optional<Record> Record::parse(const std::string& line) {
  Parser p{line};
  Record r;
  if (!p.eat('{')) return std::nullopt;
  if (p.eat('}')) return r;
  do {
    auto key = p.str();
    if (!key || !p.eat(':')) return std::nullopt;
    p.ws();
    if (p.i < line.size() && line[p.i] == '"') {
      auto v = p.str();
      if (!v) return std::nullopt;
      r.set(*key, *v);
    } else if (line.compare(p.i, 4, "true") == 0) {
      r.set(*key, true);
      p.i += 4;
    } else if (line.compare(p.i, 5, "false") == 0) {
      r.set(*key, false);
      p.i += 5;
    } else {
      std::size_t used = 0;
      double d = 0;
      try {
        d = std::stod(line.substr(p.i), &used);
      } catch (const std::exception&) {
        return std::nullopt;
      }
      std::string lit = line.substr(p.i, used);
      p.i += used;
      if (lit.find_first_of(".eE") == std::string::npos) {
        r.set(*key, static_cast<int64_t>(d));
      } else {
        r.set(*key, d);
      }
    }
  } while (p.eat(','));
  if (!p.eat('}')) return std::nullopt;
  return r;
}

void print_table(std::ostream& out, const std::vector<Record>& records) {
  auto cell = [](const Record& r, const std::string& key, int decimals) -> std::string {
    auto v = r.number(key);
    if (!v) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
    return buf;
  };
  char line[512];
  std::snprintf(line, sizeof line, "%-26s %-14s %10s %9s %9s %9s %11s %7s  %-8s %s\n", "case",
                "wrk/win/B", "jobs/s", "p50 us", "p99 us", "p999 us", "baseline", "ratio", "target",
                "notes");
  out << line;
  for (const Record& r : records) {
    std::string shape = "-";
    if (r.has("workers")) {
      shape = r.text("workers");
      if (r.has("worker_slots")) shape += "x" + r.text("worker_slots");
      shape += "/" + r.text("window") + "/" + r.text("payload_bytes");
    }
    std::string baseline = "-";
    if (r.has("baseline_p50_us") && r.text("mode") == "latency") {
      baseline = cell(r, "baseline_p50_us", 1) + "us";
    } else if (r.has("baseline_jobs_per_s")) {
      baseline = cell(r, "baseline_jobs_per_s", 0);
    }
    std::string target = "-";
    if (r.has("target_met")) target = r.text("target_met") == "true" ? "met" : "NOT met";
    if (r.text("ok") == "false") target = "FAILED";
    std::string ratio = cell(r, "baseline_ratio", 3);
    if (!r.has("baseline_ratio") && r.has("cost_ratio")) ratio = cell(r, "cost_ratio", 2) + "x";
    std::string notes = r.text("notes");
    if (r.text("host_quiet") == "false") {
      // Measured beside other work or under steal: the figure is not comparable with a quiet run.
      notes += (notes.empty() ? "" : "; ") + std::string("host NOT quiet: busy ") +
               cell(r, "host_busy_pct", 0) + " %, steal " + cell(r, "steal_pct", 1) + " %";
    }
    std::snprintf(line, sizeof line, "%-26s %-14s %10s %9s %9s %9s %11s %7s  %-8s %s\n",
                  r.text("case").c_str(), shape.c_str(), cell(r, "jobs_per_s", 0).c_str(),
                  cell(r, "p50_us", 1).c_str(), cell(r, "p99_us", 1).c_str(),
                  cell(r, "p999_us", 1).c_str(), baseline.c_str(), ratio.c_str(), target.c_str(),
                  notes.c_str());
    out << line;
  }
}

}  // namespace litc::bench
