// RFC 3339 date-times <-> milliseconds since the Unix epoch: how EIP-4361 writes its times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/ethereum/result.h"

namespace litc::crypto {

// YYYY-MM-DD "T" hh:mm:ss [ "." 1*DIGIT ] ( "Z" / ("+" / "-") hh:mm ), "t" and "z" accepted too
// (RFC 3339 section 5.6). The date must exist (no February 30); hours 00-23, minutes 00-59, seconds
// 00-60. A fraction is truncated to milliseconds. Second 60 (a leap second) counts as the next
// minute's :00, as POSIX time has no leap seconds. The error says which part is wrong.
Result<std::int64_t, Error> parse_rfc3339_ms(std::string_view text);

// The instants format_rfc3339_ms can write: 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
inline constexpr std::int64_t kRfc3339FirstMs = -62'167'219'200'000;
inline constexpr std::int64_t kRfc3339LastMs = 253'402'300'799'999;

// "YYYY-MM-DDThh:mm:ss.sssZ", the form JavaScript's Date.prototype.toISOString writes. Years 0000
// to 9999 only: any other instant is a programming error (std::out_of_range), as our clocks never
// produce one.
std::string format_rfc3339_ms(std::int64_t unix_ms);

}  // namespace litc::crypto
