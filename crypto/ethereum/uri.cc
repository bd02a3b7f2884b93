// RFC 3986 syntax checks (see uri.h). Character classes are section 2; the grammar is appendix A.
#include "crypto/ethereum/uri.h"

#include <algorithm>
#include <cstddef>

namespace litc::crypto {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hexdig(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_unreserved(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

// True when every character is unreserved, a sub-delim, a %XX escape or one of `extra`.
bool has_only(std::string_view text, std::string_view extra) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !is_hexdig(text[i + 1]) || !is_hexdig(text[i + 2])) {
        return false;
      }
      i += 2;
    } else if (!is_unreserved(c) && !is_sub_delim(c) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_digit);
}

// dec-octet without leading zeros: 0-9, 10-99, 100-199, 200-249, 250-255.
bool is_dec_octet(std::string_view text) {
  if (text.empty() || text.size() > 3 || !all_digits(text)) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value <= 255;
}

bool is_ipv4(std::string_view text) {
  for (int part = 0; part < 4; ++part) {
    std::size_t dot = text.find('.');
    if ((part < 3) != (dot != std::string_view::npos)) return false;
    if (!is_dec_octet(text.substr(0, dot))) return false;
    text = part < 3 ? text.substr(dot + 1) : std::string_view();
  }
  return true;
}

// Counts the 16-bit pieces of one side of "::" (a trailing IPv4 counts as two); false when a piece
// is not 1-4 hex digits.
bool count_h16(std::string_view side, bool ipv4_tail_allowed, int& pieces) {
  pieces = 0;
  if (side.empty()) return true;
  while (true) {
    std::size_t colon = side.find(':');
    std::string_view piece = side.substr(0, colon);
    bool last = colon == std::string_view::npos;
    if (last && ipv4_tail_allowed && piece.find('.') != std::string_view::npos) {
      if (!is_ipv4(piece)) return false;
      pieces += 2;
      return true;
    }
    if (piece.empty() || piece.size() > 4 || !std::all_of(piece.begin(), piece.end(), is_hexdig)) {
      return false;
    }
    ++pieces;
    if (last) return true;
    side = side.substr(colon + 1);
  }
}

bool is_ipv6(std::string_view text) {
  std::size_t gap = text.find("::");
  int left = 0;
  int right = 0;
  if (gap == std::string_view::npos) return count_h16(text, true, left) && left == 8;
  if (text.find("::", gap + 1) != std::string_view::npos) return false;
  return count_h16(text.substr(0, gap), false, left) &&
         count_h16(text.substr(gap + 2), true, right) && left + right <= 7;
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
bool is_ipvfuture(std::string_view text) {
  if (text.empty() || (text[0] != 'v' && text[0] != 'V')) return false;
  std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 1) return false;
  std::string_view version = text.substr(1, dot - 1);
  std::string_view rest = text.substr(dot + 1);
  return std::all_of(version.begin(), version.end(), is_hexdig) && !rest.empty() &&
         rest.find('%') == std::string_view::npos && has_only(rest, ":");
}

}  // namespace

bool is_uri_scheme(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
  });
}

bool is_uri_authority(std::string_view text) {
  std::size_t at = text.find('@');
  if (at != std::string_view::npos) {
    if (!has_only(text.substr(0, at), ":")) return false;
    text = text.substr(at + 1);
  }
  std::string_view port;
  if (!text.empty() && text[0] == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view literal = text.substr(1, close - 1);
    if (!is_ipv6(literal) && !is_ipvfuture(literal)) return false;
    std::string_view after = text.substr(close + 1);
    if (!after.empty() && after[0] != ':') return false;
    if (!after.empty()) port = after.substr(1);
  } else {
    std::size_t colon = text.find(':');
    if (!has_only(text.substr(0, colon), "")) return false;
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  return all_digits(port);
}

bool is_uri(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || !is_uri_scheme(text.substr(0, colon))) return false;
  std::string_view rest = text.substr(colon + 1);

  std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    if (!has_only(rest.substr(hash + 1), ":@/?")) return false;
    rest = rest.substr(0, hash);
  }
  std::size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    if (!has_only(rest.substr(question + 1), ":@/?")) return false;
    rest = rest.substr(0, question);
  }
  // hier-part: "//" authority path-abempty, or a path (absolute, rootless or empty) that cannot
  // start with "//" — which the first branch already took.
  if (rest.substr(0, 2) == "//") {
    rest = rest.substr(2);
    std::size_t slash = rest.find('/');
    if (!is_uri_authority(rest.substr(0, slash))) return false;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  return has_only(rest, ":@/");
}

bool is_pchars(std::string_view text) {
  return has_only(text, ":@");
}

}  // namespace litc::crypto
