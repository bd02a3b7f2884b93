// RFC 3339 parsing and formatting with C++20 calendar types (see rfc3339.h).
#include "crypto/ethereum/rfc3339.h"

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace litc::crypto {
namespace {

// Reads `count` digits at `pos` into `out`; false when any is not a digit (or the text is short).
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool char_at(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

}  // namespace

Result<std::int64_t, Error> parse_rfc3339_ms(std::string_view text) {
  static constexpr char kLayout[] =
      " is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fraction] then Z or +hh:mm/-hh:mm)";
  const auto bad_syntax = [&] {
    return Error{"\"" + std::string(text.substr(0, 64)) + "\"" + kLayout};
  };

  int year, month, day, hour, minute, second;
  if (!read_digits(text, 0, 4, year) || !char_at(text, 4, '-') || !read_digits(text, 5, 2, month) ||
      !char_at(text, 7, '-') || !read_digits(text, 8, 2, day) ||
      !(char_at(text, 10, 'T') || char_at(text, 10, 't')) || !read_digits(text, 11, 2, hour) ||
      !char_at(text, 13, ':') || !read_digits(text, 14, 2, minute) || !char_at(text, 16, ':') ||
      !read_digits(text, 17, 2, second)) {
    return bad_syntax();
  }
  std::size_t pos = 19;
  int millis = 0;
  if (char_at(text, pos, '.')) {
    std::size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start < 3) millis = millis * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) return bad_syntax();
    for (std::size_t n = pos - start; n < 3; ++n) millis *= 10;
  }
  int offset_minutes = 0;
  if (char_at(text, pos, 'Z') || char_at(text, pos, 'z')) {
    ++pos;
  } else if (char_at(text, pos, '+') || char_at(text, pos, '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    int off_hour, off_minute;
    if (!read_digits(text, pos + 1, 2, off_hour) || !char_at(text, pos + 3, ':') ||
        !read_digits(text, pos + 4, 2, off_minute)) {
      return bad_syntax();
    }
    if (off_hour > 23 || off_minute > 59) {
      return Error{"\"" + std::string(text) + "\" has an out-of-range UTC offset"};
    }
    offset_minutes = sign * (off_hour * 60 + off_minute);
    pos += 6;
  } else {
    return bad_syntax();
  }
  if (pos != text.size()) return bad_syntax();

  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) {
    return Error{"\"" + std::string(text) + "\" names a date that does not exist"};
  }
  if (hour > 23 || minute > 59 || second > 60) {
    return Error{"\"" + std::string(text) + "\" has an out-of-range time of day"};
  }
  std::int64_t days_since_epoch = sys_days(date).time_since_epoch().count();
  return days_since_epoch * 86'400'000 + hour * 3'600'000LL + minute * 60'000LL + second * 1'000LL +
         millis - offset_minutes * 60'000LL;
}

std::string format_rfc3339_ms(std::int64_t unix_ms) {
  if (unix_ms < kRfc3339FirstMs || unix_ms > kRfc3339LastMs) {
    throw std::out_of_range("format_rfc3339_ms: instant outside years 0000-9999");
  }
  using namespace std::chrono;
  sys_time<milliseconds> instant{milliseconds{unix_ms}};
  sys_days day = floor<days>(instant);
  year_month_day date{day};
  hh_mm_ss time{instant - day};
  char out[48];  // 24 characters in range; room for what the compiler cannot prove
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()),
                int(time.subseconds().count()));
  return out;
}

}  // namespace litc::crypto
