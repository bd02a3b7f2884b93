// Strict JSON parsing (duplicate keys, size, depth, exact numbers) and JSON.stringify's output.
#include "crypto/conditions/js_json.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <unordered_set>
#include <vector>

namespace litc::crypto {

namespace {

// Builds a boost::json::value from basic_parser events (as boost::json::parser does, through a
// value_stack), refusing a repeated key in any object and a number a double cannot hold. On a
// refusal it records why in `refusal` and fails the parse.
class StrictHandler {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  StrictHandler() { stack_.reset(); }  // value_stack's contract: reset before each document

  std::string refusal;

  boost::json::value release() { return stack_.release(); }

  // The path of the value being parsed, as "a[0].b", from the first `depth` frames (all by
  // default).
  std::string path(std::size_t depth = static_cast<std::size_t>(-1)) const {
    std::string p;
    for (std::size_t i = 0; i < frames_.size() && i < depth; ++i) {
      const Frame& f = frames_[i];
      if (f.object) {
        if (!p.empty()) p += '.';
        p += message_snippet(f.key);
      } else {
        p += '[' + std::to_string(f.index) + ']';
      }
    }
    return p;
  }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }

  bool on_array_begin(boost::system::error_code&) {
    frames_.push_back(Frame{});
    return true;
  }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    frames_.pop_back();
    stack_.push_array(n);
    value_done();
    return true;
  }
  bool on_object_begin(boost::system::error_code&) {
    Frame f;
    f.object = true;
    frames_.push_back(std::move(f));
    return true;
  }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    frames_.pop_back();
    stack_.push_object(n);
    value_done();
    return true;
  }

  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    stack_.push_string(s);
    value_done();
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    key_.append(s.data(), s.size());
    Frame& f = frames_.back();
    if (!f.keys.insert(key_).second) {
      // Name the object that holds the repeated key: the path without this frame's key.
      const std::string where = path(frames_.size() - 1);
      refusal = (where.empty() ? std::string() : where + ": ") + "duplicate key \"" +
                message_snippet(key_) + "\"";
      return fail(ec);
    }
    f.key = key_;
    stack_.push_key(key_);
    key_.clear();
    return true;
  }

  bool on_number_part(boost::json::string_view s, boost::system::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code&) {
    number_.clear();
    stack_.push_int64(i);
    value_done();
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code&) {
    number_.clear();
    stack_.push_uint64(u);
    value_done();
    return true;
  }
  bool on_double(double, boost::json::string_view s, boost::system::error_code& ec) {
    // Boost.JSON 1.81's own conversion may be off by an ulp; from_chars is correctly rounded.
    number_.append(s.data(), s.size());
    double d = 0;
    const char* first = number_.data();
    const char* last = first + number_.size();
    auto [ptr, err] = std::from_chars(first, last, d);
    if (err != std::errc() || ptr != last) {
      refusal =
          path_prefix() + "number " + message_snippet(number_) + " is out of the range of a double";
      number_.clear();
      return fail(ec);
    }
    number_.clear();
    stack_.push_double(d);
    value_done();
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    stack_.push_bool(b);
    value_done();
    return true;
  }
  bool on_null(boost::system::error_code&) {
    stack_.push_null();
    value_done();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  struct Frame {
    bool object = false;
    std::string key;        // object: the current key
    std::size_t index = 0;  // array: the current element
    std::unordered_set<std::string> keys;
  };

  void value_done() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }
  std::string path_prefix() const {
    std::string p = path();
    return p.empty() ? std::string() : p + ": ";
  }
  static bool fail(boost::system::error_code& ec) {
    ec = boost::json::error::exception;  // any failure code; `refusal` says what happened
    return false;
  }

  boost::json::value_stack stack_;
  std::vector<Frame> frames_;
  std::string key_;
  std::string number_;
};

bool is_array_index(const std::string_view key, std::uint64_t& index) {
  // An array index is the canonical decimal string of an integer in [0, 2^32 - 2].
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  std::uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n > 4294967294ULL) return false;
  index = n;
  return true;
}

void append_hex4(unsigned v, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  out += kHex[(v >> 12) & 0xf];
  out += kHex[(v >> 8) & 0xf];
  out += kHex[(v >> 4) & 0xf];
  out += kHex[v & 0xf];
}

// The length of the well-formed UTF-8 sequence at s[i] (1..4), or 0 when it is not one.
// Sequences ED A0..BF xx (a surrogate in WTF-8) report 3 with `surrogate` set.
std::size_t utf8_sequence(std::string_view s, std::size_t i, bool& surrogate, unsigned& cp) {
  surrogate = false;
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF && cont(1)) return 2;
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    cp = ((c & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void stringify_into(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += js_number_to_string(static_cast<double>(v.get_int64()));
      return;
    case boost::json::kind::uint64:
      out += js_number_to_string(static_cast<double>(v.get_uint64()));
      return;
    case boost::json::kind::double_:
      out += js_number_to_string(v.get_double());
      return;
    case boost::json::kind::string:
      js_quote(v.get_string(), out);
      return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const boost::json::value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        stringify_into(e, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      const boost::json::object& o = v.get_object();
      std::vector<std::pair<std::uint64_t, const boost::json::key_value_pair*>> indices;
      std::vector<const boost::json::key_value_pair*> others;
      for (const boost::json::key_value_pair& kv : o) {
        std::uint64_t index = 0;
        if (is_array_index(kv.key(), index)) {
          indices.emplace_back(index, &kv);
        } else {
          others.push_back(&kv);
        }
      }
      std::sort(indices.begin(), indices.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      bool first = true;
      const auto member = [&](const boost::json::key_value_pair& kv) {
        if (!first) out += ',';
        first = false;
        js_quote(kv.key(), out);
        out += ':';
        stringify_into(kv.value(), out);
      };
      for (const auto& [index, kv] : indices) member(*kv);
      for (const boost::json::key_value_pair* kv : others) member(*kv);
      out += '}';
      return;
    }
  }
}

}  // namespace

ConditionResult<boost::json::value> parse_json_strict(std::string_view text,
                                                      const JsonLimits& limits,
                                                      std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  if (text.size() > limits.max_bytes) {
    return ConditionError{ConditionErrc::invalid_argument,
                          prefix + "document is " + std::to_string(text.size()) +
                              " bytes, over the limit of " + std::to_string(limits.max_bytes)};
  }
  boost::json::parse_options options;
  options.max_depth = limits.max_depth;
  // The handler never throws, but building the value can (allocation, Boost.JSON's own size
  // limits): a peer's document must not take the process down, so that becomes a refusal too.
  try {
    boost::json::basic_parser<StrictHandler> parser(options);
    boost::system::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used != text.size()) ec = boost::json::error::extra_data;
    if (ec) {
      const std::string& refusal = parser.handler().refusal;
      if (!refusal.empty()) {
        return ConditionError{ConditionErrc::invalid_argument, prefix + refusal};
      }
      return ConditionError{
          ConditionErrc::invalid_argument,
          prefix + "invalid JSON at byte " + std::to_string(used) + ": " + ec.message()};
    }
    return parser.handler().release();
  } catch (const std::exception& e) {
    return ConditionError{ConditionErrc::invalid_argument,
                          prefix + "could not be parsed: " + e.what()};
  }
}

std::string js_number_to_string(double d) {
  if (!std::isfinite(d)) return "null";
  if (d == 0) return "0";  // both +0 and -0
  // Shortest round-trip digits, as "D.DDDDe±X" (or "De±X"), then JavaScript's layout rules
  // (ECMA-262 Number::toString: k digits, decimal exponent n with value = 0.DIGITS × 10^n).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  const int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += (n - 1 >= 0) ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

void js_quote(std::string_view s, std::string& out) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            append_hex4(c, out);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    bool surrogate = false;
    unsigned cp = 0;
    const std::size_t len = utf8_sequence(s, i, surrogate, cp);
    if (len == 0) {
      // Not reachable from parse_json_strict (it refuses invalid UTF-8); TextEncoder would have
      // had a replacement character here.
      out += "\xEF\xBF\xBD";
      ++i;
    } else if (surrogate) {
      append_hex4(cp, out);
      i += len;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  out += '"';
}

std::string js_stringify(const boost::json::value& value) {
  std::string out;
  stringify_into(value, out);
  return out;
}

}  // namespace litc::crypto
