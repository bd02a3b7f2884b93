// RFC 3339 times: offsets, fractions, calendar validity, and the ISO form we write.
#include "crypto/ethereum/rfc3339.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace litc::crypto {
namespace {

std::int64_t ms(std::string_view text) {
  auto parsed = parse_rfc3339_ms(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : -1;
}

TEST(Rfc3339, ParsesUtcWithAndWithoutFraction) {
  // 2021-09-30T16:25:24Z is the EIP-4361 example's Issued At; Date.parse gives 1633019124000.
  EXPECT_EQ(ms("2021-09-30T16:25:24Z"), 1633019124000);
  EXPECT_EQ(ms("2021-09-30T16:25:24.1Z"), 1633019124100);
  EXPECT_EQ(ms("2021-09-30T16:25:24.12Z"), 1633019124120);
  EXPECT_EQ(ms("2021-09-30T16:25:24.123Z"), 1633019124123);
  EXPECT_EQ(ms("2021-09-30T16:25:24.123999999Z"), 1633019124123);  // truncated, not rounded
  EXPECT_EQ(ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ms("1969-12-31T23:59:59.999Z"), -1);
}

TEST(Rfc3339, AppliesNumericOffsets) {
  EXPECT_EQ(ms("2021-09-30T22:25:24+06:00"), 1633019124000);
  EXPECT_EQ(ms("2021-09-30T21:55:24.999+05:30"), 1633019124999);
  EXPECT_EQ(ms("2021-09-30T08:25:24-08:00"), 1633019124000);
  EXPECT_EQ(ms("2021-09-30T16:25:24+00:00"), 1633019124000);
  EXPECT_EQ(ms("2021-09-30T16:25:24-00:00"), 1633019124000);
  EXPECT_EQ(ms("2021-10-01T00:25:24+08:00"), 1633019124000);  // crosses a date line
}

TEST(Rfc3339, AcceptsLowercaseTAndZ) {
  EXPECT_EQ(ms("2021-09-30t16:25:24z"), 1633019124000);
}

TEST(Rfc3339, LeapDaysAndLeapSeconds) {
  EXPECT_EQ(ms("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(ms("2000-02-29T00:00:00Z"), 951782400000);
  // 23:59:60 counts as the next day's 00:00:00 (POSIX time has no leap seconds).
  EXPECT_EQ(ms("2016-12-31T23:59:60Z"), ms("2017-01-01T00:00:00Z"));
}

TEST(Rfc3339, RefusesMalformedAndImpossibleTimes) {
  const char* const bad[] = {
      "",
      "2021-09-30",
      "2021-09-30T16:25Z",
      "2021-09-30 16:25:24Z",
      "2021-09-30T16:25:24",       // no offset
      "2021-09-30T16:25:24.Z",     // empty fraction
      "2021-09-30T16:25:24+0600",  // offset without colon
      "2021-09-30T16:25:24+06",    // short offset
      "2021-09-30T16:25:24Z ",     // trailing space
      "21-09-30T16:25:24Z",
      "2021-9-30T16:25:24Z",
      "2021-13-01T00:00:00Z",
      "2021-00-01T00:00:00Z",
      "2021-02-29T00:00:00Z",  // not a leap year
      "1900-02-29T00:00:00Z",  // not a leap year
      "2021-04-31T00:00:00Z",
      "2021-09-00T00:00:00Z",
      "2021-09-30T24:00:00Z",
      "2021-09-30T23:60:00Z",
      "2021-09-30T23:59:61Z",
      "2021-09-30T16:25:24+24:00",
      "2021-09-30T16:25:24+06:60",
      "+2021-09-30T16:25:24Z",
  };
  for (const char* text : bad) {
    auto parsed = parse_rfc3339_ms(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
}

TEST(Rfc3339, FormatsLikeToIsoStringAndRoundTrips) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(1633019124123), "2021-09-30T16:25:24.123Z");
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(-62167219200000), "0000-01-01T00:00:00.000Z");
  for (std::int64_t t : {0LL, 1LL, 951782400000LL, 1709164800123LL, -86400001LL}) {
    EXPECT_EQ(ms(format_rfc3339_ms(t)), t);
  }
  EXPECT_THROW(format_rfc3339_ms(253402300800000), std::out_of_range);
  EXPECT_THROW(format_rfc3339_ms(-62167219200001), std::out_of_range);
}

}  // namespace
}  // namespace litc::crypto
