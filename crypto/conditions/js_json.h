// Strict JSON in, JavaScript's JSON.stringify out: the two ends of Lit's canonical hashing.
//
// DESIGN: parse_json_strict accepts only what every JSON reader agrees on, so that the object this
// node hashes and evaluates is the object the peer meant (Boost.JSON's parse silently keeps the
// last of two equal keys, a JavaScript peer does the same, another reader might keep the first):
//   - at most `max_bytes` bytes of text (checked before parsing) and `max_depth` nested levels;
//   - no duplicate key in any object (basic_parser with a handler that tracks each object's keys);
//   - strict UTF-8, no lone surrogate escape such as "\ud800" (Boost.JSON 1.81 refuses both);
//   - numbers: integers that fit 64 bits stay int64/uint64; every other number is re-read with
//     std::from_chars (correctly rounded, as JavaScript's Number parsing is); a number that
//     overflows to infinity or underflows to zero is refused (JavaScript would turn it into
//     Infinity, which JSON.stringify writes as null, or 0: the hash would not be of what was sent).
// js_stringify writes a value byte-for-byte as JSON.stringify (ES2019+, no spacing) would write
// the same value after JSON.parse, then UTF-8 encoded as TextEncoder does:
//   - strings: \" \\ \b \f \n \r \t, other code points below U+0020 as \u00xx (lowercase hex),
//     everything else (U+007F, U+2028, non-ASCII) as its UTF-8 bytes; a surrogate encoded in
//     WTF-8 (ED A0..BF xx: never produced by the parser) as \udxxx;
//   - numbers: every number is a double, written as Number::prototype.toString (shortest
//     round-trip digits; exponent form below 1e-6 and from 1e21; -0 as 0);
//   - object keys: array-index keys ("0".."4294967294", no leading zeros) first in ascending
//     numeric order, then the other keys in their insertion order, as JavaScript objects keep them.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "crypto/conditions/errors.h"

namespace litc::crypto {

// The default size limit of a params document, in bytes (a peer's decrypt/encrypt request).
inline constexpr std::size_t kDefaultMaxParamsBytes = 64 * 1024;
// The default nesting limit (arrays and objects), which also bounds condition groups.
inline constexpr std::size_t kDefaultMaxJsonDepth = 32;

struct JsonLimits {
  std::size_t max_bytes = kDefaultMaxParamsBytes;
  std::size_t max_depth = kDefaultMaxJsonDepth;
};

// Parses one JSON document under the rules above. Errors are invalid_argument; the message starts
// with `what` (e.g. "params") and names the path of the offending value.
ConditionResult<boost::json::value> parse_json_strict(std::string_view text,
                                                      const JsonLimits& limits = {},
                                                      std::string_view what = "params");

// JSON.stringify(value) as UTF-8 bytes (see DESIGN).
std::string js_stringify(const boost::json::value& value);

// Number::prototype.toString(d) for a finite d; "null" for NaN and infinities, as JSON.stringify.
std::string js_number_to_string(double d);

// JSON.stringify of a string: the quoted, escaped form, appended to `out`.
void js_quote(std::string_view utf8, std::string& out);

}  // namespace litc::crypto
