// Unit tests of Uint256: exact parsing at the 2^256 - 1 edge, hex quantities, ABI words, ordering.
#include "crypto/conditions/uint256.h"

#include <gtest/gtest.h>

namespace litc::crypto {
namespace {

constexpr std::string_view kMax =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

Uint256 dec(std::string_view s) {
  auto v = Uint256::from_decimal(s);
  EXPECT_TRUE(v.has_value()) << s;
  return v.value_or(Uint256());
}

TEST(Uint256, DecimalRoundTrips) {
  for (std::string_view s :
       {std::string_view("0"), std::string_view("1"), std::string_view("9999999999999999999"),
        std::string_view("10000000000000000000"), std::string_view("18446744073709551615"),
        std::string_view("18446744073709551616"),
        std::string_view("340282366920938463463374607431768211456"), kMax}) {
    EXPECT_EQ(dec(s).to_decimal(), s);
  }
}

TEST(Uint256, MaxIsTwoToThe256MinusOne) {
  EXPECT_EQ(dec(kMax), Uint256::max());
  EXPECT_EQ(Uint256::max().to_decimal(), kMax);
}

TEST(Uint256, DecimalAboveMaxIsRefusedNotWrapped) {
  EXPECT_FALSE(Uint256::from_decimal(
      "115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  EXPECT_FALSE(Uint256::from_decimal(std::string(kMax) + "0"));
  EXPECT_FALSE(Uint256::from_decimal(std::string(200, '9')));
}

TEST(Uint256, DecimalAllowsLeadingZerosLikeTheLitNode) {
  EXPECT_EQ(dec("00012"), Uint256(12));
  EXPECT_EQ(dec("000" + std::string(kMax)), Uint256::max());
}

TEST(Uint256, DecimalRefusesAnythingButDigits) {
  for (const char* s : {"", "-1", "+1", "1.0", " 1", "1 ", "1e3", "0x10", "١"}) {
    EXPECT_FALSE(Uint256::from_decimal(s)) << s;
  }
}

TEST(Uint256, HexQuantities) {
  EXPECT_EQ(Uint256::from_hex_quantity("0x0"), Uint256(0));
  EXPECT_EQ(Uint256::from_hex_quantity("0X1F"), Uint256(31));
  // anvil's funded account: 10000 ETH = 10^22 wei.
  EXPECT_EQ(Uint256::from_hex_quantity("0x21e19e0c9bab2400000")->to_decimal(),
            "10000000000000000000000");
  EXPECT_EQ(Uint256::from_hex_quantity("0x" + std::string(64, 'f')), Uint256::max());
  EXPECT_EQ(Uint256::from_hex_quantity("0x0" + std::string(64, 'F')), Uint256::max());
  EXPECT_FALSE(Uint256::from_hex_quantity("0x1" + std::string(64, '0')));  // 2^256
  for (const char* s : {"", "0x", "21", "0xg", "0x 1", "x1", "0x-1"}) {
    EXPECT_FALSE(Uint256::from_hex_quantity(s)) << s;
  }
}

TEST(Uint256, BigEndianWords) {
  std::array<std::uint8_t, 32> word{};
  word[31] = 1;
  EXPECT_EQ(Uint256::from_big_endian(word), Uint256(1));
  word = {};
  word[0] = 0x80;
  EXPECT_EQ(Uint256::from_big_endian(word).to_decimal(),
            "57896044618658097711785492504343953926634992332820282019728792003956564819968");
  word.fill(0xff);
  EXPECT_EQ(Uint256::from_big_endian(word), Uint256::max());
  word = {};
  word[23] = 1;  // 2^64
  EXPECT_EQ(Uint256::from_big_endian(word).to_decimal(), "18446744073709551616");
}

TEST(Uint256, OrderingAcrossLimbs) {
  const Uint256 max = Uint256::max();
  const Uint256 below =
      dec("115792089237316195423570985008687907853269984665640564039457584007913129639934");
  EXPECT_LT(below, max);
  EXPECT_GT(max, below);
  EXPECT_NE(max, below);
  EXPECT_LT(dec("18446744073709551615"), dec("18446744073709551616"));  // 2^64 - 1 < 2^64
  EXPECT_GT(dec("340282366920938463463374607431768211456"), dec("18446744073709551616"));
  EXPECT_LE(Uint256(5), Uint256(5));
  EXPECT_GE(Uint256(5), Uint256(5));
  EXPECT_EQ(Uint256(), Uint256(0));
}

}  // namespace
}  // namespace litc::crypto
