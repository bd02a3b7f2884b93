// EIP-191 personal_sign: the digest, recovery of a published signature, and every refusal.
#include "crypto/ethereum/personal_sign.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/ethereum/hex.h"
#include "tests/crypto/ethereum/test_signer.h"

namespace litc::crypto {
namespace {

// web3.js docs, web3.eth.accounts.sign('Some data', '0x4c0883a6…2318')
// (https://docs.web3js.org/api/web3-eth-accounts/function/sign).
constexpr std::string_view kWeb3Key =
    "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr std::string_view kWeb3Address = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
constexpr std::string_view kWeb3Hash =
    "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655";
constexpr std::string_view kWeb3Sig =
    "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
    "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c";

std::string with_v(std::string_view sig, std::string_view v_hex) {
  return std::string(sig.substr(0, 130)) + std::string(v_hex);
}

TEST(PersonalSign, DigestMatchesWeb3jsDocs) {
  EXPECT_EQ(to_hex(personal_sign_digest("Some data")), kWeb3Hash);
}

TEST(PersonalSign, DigestPrefixCountsBytesNotCharacters) {
  // ethers 6.17.0 hashMessage("héllo ✓") and hashMessage(""): 10 UTF-8 bytes, 7 characters.
  EXPECT_EQ(to_hex(personal_sign_digest("h\xc3\xa9llo \xe2\x9c\x93")),
            "a92524dcf72de9f2771f170e519c7fcc3305b814c130bfe3cf288b3d4b8d5906");
  EXPECT_EQ(to_hex(personal_sign_digest("")),
            "5f35dce98ba4fba25530a026ed80b2cecdaa31091ba4958b99b52ea1d068adad");
}

TEST(PersonalSign, RecoversTheWeb3jsDocsSignature) {
  auto signer = recover_signer("Some data", kWeb3Sig);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  EXPECT_EQ(to_checksum_address(signer.value()), kWeb3Address);
}

TEST(PersonalSign, AcceptsVAsZeroOrOne) {
  // kWeb3Sig has v = 0x1c (28), recovery id 1.
  auto raw = recover_signer("Some data", with_v(kWeb3Sig, "01"));
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_EQ(to_checksum_address(raw.value()), kWeb3Address);
  // The other recovery id names another key: recovery does not fail, the address differs.
  auto other = recover_signer("Some data", with_v(kWeb3Sig, "00"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(to_checksum_address(other.value()), kWeb3Address);
  auto other27 = recover_signer("Some data", with_v(kWeb3Sig, "1b"));
  ASSERT_TRUE(other27.ok());
  EXPECT_EQ(other27.value(), other.value());
}

TEST(PersonalSign, AcceptsUppercaseHexDigits) {
  std::string upper = "0x" + std::string(kWeb3Sig.substr(2));
  for (std::size_t i = 2; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  auto signer = recover_signer("Some data", upper);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  EXPECT_EQ(to_checksum_address(signer.value()), kWeb3Address);
}

TEST(PersonalSign, RecoversWhatTheTestSignerSigns) {
  const std::string messages[] = {"", "x", std::string(150, 'm'), "line one\nline two\n",
                                  std::string("nul\0byte", 8)};
  for (std::uint8_t seed : {1, 2, 77}) {
    auto key = testing::test_key(seed);
    for (const std::string& message : messages) {
      auto signer = recover_signer(message, testing::sign_personal(message, key));
      ASSERT_TRUE(signer.ok()) << signer.error().message;
      EXPECT_EQ(signer.value(), testing::address_of(key)) << "seed " << int(seed);
    }
  }
}

TEST(PersonalSign, AnotherMessageRecoversAnotherAddress) {
  auto key = testing::key_from_hex(kWeb3Key);
  auto signer = recover_signer("Some datA", kWeb3Sig);
  ASSERT_TRUE(signer.ok());
  EXPECT_NE(signer.value(), testing::address_of(key));
}

TEST(PersonalSign, AcceptsHighSAsDocumented) {
  // personal_sign.h DESIGN: (r, n-s, v^1) recovers the same signer; ethers v6 would refuse it.
  std::string twin = testing::high_s_twin(kWeb3Sig);
  ASSERT_NE(twin, kWeb3Sig);
  auto signer = recover_signer("Some data", twin);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  EXPECT_EQ(to_checksum_address(signer.value()), kWeb3Address);
}

struct BadSig {
  const char* name;
  std::string sig;
  const char* expected;  // a substring of the error message
};

TEST(PersonalSign, RefusesEveryMalformedSignatureWithAReason) {
  const std::string body(kWeb3Sig.substr(2, 128));
  const std::string n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
  const BadSig cases[] = {
      {"empty", "", "start with 0x"},
      {"no prefix", std::string(kWeb3Sig.substr(2)), "start with 0x"},
      {"uppercase prefix", "0X" + std::string(kWeb3Sig.substr(2)), "start with 0x"},
      {"64 bytes", "0x" + body, "130 hex digits"},
      {"66 bytes", std::string(kWeb3Sig) + "00", "130 hex digits"},
      {"odd length", std::string(kWeb3Sig.substr(0, 131)), "130 hex digits"},
      {"non-hex", "0x" + body.substr(0, 127) + "z1c", "non-hex"},
      {"v 29", with_v(kWeb3Sig, "1d"), "v byte is 29"},
      {"v 26", with_v(kWeb3Sig, "1a"), "v byte is 26"},
      {"v 2", with_v(kWeb3Sig, "02"), "v byte is 2"},
      {"r = n", "0x" + n + body.substr(64) + "1c", "group order"},
      {"s = n", "0x" + body.substr(0, 64) + n + "1c", "group order"},
      {"r = 0", "0x" + std::string(64, '0') + body.substr(64) + "1c", "does not recover"},
      {"s = 0", "0x" + body.substr(0, 64) + std::string(64, '0') + "1c", "does not recover"},
      {"all zero", "0x" + std::string(128, '0') + "1b", "does not recover"},
  };
  for (const BadSig& c : cases) {
    auto signer = recover_signer("Some data", c.sig);
    ASSERT_FALSE(signer.ok()) << c.name;
    EXPECT_NE(signer.error().message.find(c.expected), std::string::npos)
        << c.name << ": " << signer.error().message;
  }
}

}  // namespace
}  // namespace litc::crypto
