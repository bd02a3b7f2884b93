// Addresses: EIP-55 vectors from the EIP, the case rules of parse_address and key-to-address.
#include "crypto/ethereum/address.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "crypto/ethereum/hex.h"
#include "tests/crypto/ethereum/test_signer.h"

namespace litc::crypto {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string upper_digits(std::string s) {
  std::transform(s.begin() + 2, s.end(), s.begin() + 2,
                 [](unsigned char c) { return std::toupper(c); });
  return s;
}

// The "Test Cases" of EIP-55 (https://eips.ethereum.org/EIPS/eip-55).
const char* const kEip55Vectors[] = {
    "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

TEST(Address, ChecksumMatchesEip55Vectors) {
  for (const char* vector : kEip55Vectors) {
    auto parsed = parse_address(vector);
    ASSERT_TRUE(parsed.ok()) << vector << ": " << parsed.error().message;
    EXPECT_EQ(to_checksum_address(parsed.value()), vector);
    EXPECT_EQ(parsed.value().to_lower_hex(), lower(vector));
  }
}

TEST(Address, AcceptsAllLowercaseAndAllUppercaseAsTheSameBytes) {
  const std::string checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  auto mixed = parse_address(checksummed);
  auto low = parse_address(lower(checksummed));
  auto up = parse_address(upper_digits(checksummed));
  ASSERT_TRUE(mixed.ok() && low.ok() && up.ok());
  EXPECT_EQ(mixed.value(), low.value());
  EXPECT_EQ(mixed.value(), up.value());
}

TEST(Address, RefusesABrokenChecksumAndShowsTheRightOne) {
  // One letter's case flipped in the EIP's 0x5aAeb… vector (a -> A at position 3).
  auto parsed = parse_address("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("EIP-55"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            std::string::npos);
}

TEST(Address, RefusesMalformedText) {
  const char* const bad[] = {
      "",
      "0x",
      "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",      // no 0x
      "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",    // 0X
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",     // 39 digits
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00",  // 42 digits
      "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg",    // g
      " 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",   // leading space
  };
  for (const char* text : bad) {
    auto parsed = parse_address(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
}

TEST(Address, FromPrivateKeyMatchesWeb3jsDocs) {
  // web3.js docs (web3.eth.accounts.privateKeyToAccount / sign): this key is account
  // 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23.
  auto key =
      testing::key_from_hex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  EXPECT_EQ(to_checksum_address(testing::address_of(key)),
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
}

TEST(Address, ComparesBytesNotText) {
  auto a = parse_address("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359");
  auto b = parse_address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
  auto c = parse_address("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d358");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_TRUE(a.value() == b.value());
  EXPECT_FALSE(a.value() == c.value());
}

}  // namespace
}  // namespace litc::crypto
