// Keccak-256: published vectors, and proof we did not use FIPS 202 SHA3-256 by mistake.
#include "crypto/ethereum/keccak.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/ethereum/hex.h"

namespace litc::crypto {
namespace {

std::string keccak_hex(std::string_view bytes) {
  return to_hex(keccak256(bytes));
}

TEST(Keccak256, EmptyInputIsTheEthereumEmptyHash) {
  // keccak256("") as in the Ethereum Yellow Paper (the empty code hash).
  EXPECT_EQ(keccak_hex(""), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(Keccak256, Abc) {
  EXPECT_EQ(keccak_hex("abc"), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(Keccak256, QuickBrownFox) {
  EXPECT_EQ(keccak_hex("The quick brown fox jumps over the lazy dog"),
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(Keccak256, IsNotSha3_256) {
  // SHA3-256("") (FIPS 202, padding 0x06) differs from Keccak-256 (padding 0x01).
  EXPECT_NE(keccak_hex(""), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST(Keccak256, InputsOfOneAndMoreRateBlocks) {
  // Expected values computed with ethers 6.17.0 keccak256 (tests/js's pinned version); 136 bytes is
  // exactly Keccak-256's rate, so padding needs a block of its own.
  EXPECT_EQ(keccak_hex(std::string(136, 'a')),
            "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
  EXPECT_EQ(keccak_hex(std::string(200, 'a')),
            "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d");
}

TEST(Keccak256, HashesEmbeddedNulBytes) {
  EXPECT_EQ(keccak_hex(std::string("\0\1\0", 3)),
            "e45e5a4917582ce5e520ebcff2b11411fbe99dadce43f67aae20fdd57e5675df");
}

}  // namespace
}  // namespace litc::crypto
