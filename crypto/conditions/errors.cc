// Wire names of the lc::conditions error codes, and bounded quoting of peer text in messages.
#include "crypto/conditions/errors.h"

namespace litc::crypto {

std::string_view to_string(ConditionErrc code) {
  switch (code) {
    case ConditionErrc::invalid_argument:
      return "invalid_argument";
    case ConditionErrc::unsupported_condition:
      return "unsupported_condition";
    case ConditionErrc::access_denied:
      return "access_denied";
    case ConditionErrc::chain_unavailable:
      return "chain_unavailable";
  }
  return "unknown";
}

std::string message_snippet(std::string_view text, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace litc::crypto
