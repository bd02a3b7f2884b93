// Node identity keys: RFC 8032's Ed25519 test vector through our key file, and the refusals.
#include "crypto/identity/node_key.h"

#include <gtest/gtest.h>

#include "crypto/threshold/ristretto.h"

namespace litc::crypto {
namespace {

// RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
constexpr const char* kSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* kPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr const char* kSig1 =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b";
constexpr const char* kSeed2 = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr const char* kPublic2 = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr const char* kSig2 =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
    "8c387b2eaeb4302aeeb00d291612bb0c00";

std::string file(const char* seed, const char* pk) {
  return std::string("{\"version\":1,\"publicKey\":\"") + pk + "\",\"secretKey\":\"" + seed + pk +
         "\"}";
}

std::string bytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

TEST(NodeKey, SignsRfc8032Vectors) {
  auto key = node_key_from_json(file(kSeed, kPublic));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->public_key_hex(), kPublic);
  EXPECT_EQ(to_hex(sign_detached(key.value(), "")), kSig1);
  auto key2 = node_key_from_json(file(kSeed2, kPublic2));
  ASSERT_TRUE(key2.ok());
  EXPECT_EQ(to_hex(sign_detached(key2.value(), "\x72")), kSig2);
  EXPECT_TRUE(verify_detached(bytes(kPublic2), "\x72", bytes(kSig2)));
  EXPECT_FALSE(verify_detached(bytes(kPublic2), "\x73", bytes(kSig2)));
  EXPECT_FALSE(verify_detached(bytes(kPublic), "\x72", bytes(kSig2))) << "another key";
  EXPECT_FALSE(verify_detached(bytes(kPublic2), "\x72", bytes(kSig2).substr(1)));
}

TEST(NodeKey, FilesRoundTripAndMismatchedKeysAreRefused) {
  const NodeKey fresh = generate_node_key();
  auto back = node_key_from_json(node_key_to_json(fresh));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->public_key, fresh.public_key);
  EXPECT_FALSE(node_key_from_json(file(kSeed, kPublic2)).ok()) << "secret of another public key";
  EXPECT_FALSE(node_key_from_json("{\"version\":2}").ok());
  EXPECT_FALSE(node_key_from_json("not json").ok());
  EXPECT_FALSE(node_key_from_json(file("zz", kPublic)).ok());
}

}  // namespace
}  // namespace litc::crypto
