// ristretto255 wrappers: libsodium's / RFC 9496's vectors, and the encoding hygiene the scheme
// relies on (identity and non-canonical encodings refused).
#include "crypto/threshold/ristretto.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace litc::crypto {
namespace {

// RFC 9496 Appendix A.1: encodings of k·B for k = 0..15 (0·B is the identity).
const std::vector<std::string> kMultiples = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
};

TEST(Ristretto, MultiplesOfTheBasePointMatchRfc9496) {
  ASSERT_TRUE(sodium_ready());
  EXPECT_FALSE(mul_base(scalar_from_u32(0)).has_value()) << "0·B is the identity: refused";
  for (std::uint32_t k = 1; k < kMultiples.size(); ++k) {
    auto p = mul_base(scalar_from_u32(k));
    ASSERT_TRUE(p.has_value()) << k;
    EXPECT_EQ(to_hex(*p), kMultiples[k]) << k << "·B";
    auto decoded = point_from_hex(kMultiples[k]);
    ASSERT_TRUE(decoded.has_value()) << k;
    EXPECT_EQ(*decoded, *p);
  }
}

TEST(Ristretto, AdditionAgreesWithScalarMultiplication) {
  auto two = *point_from_hex(kMultiples[2]);
  auto three = *point_from_hex(kMultiples[3]);
  EXPECT_EQ(to_hex(*add(two, three)), kMultiples[5]);
  EXPECT_EQ(to_hex(*mul(scalar_from_u32(5), three)), kMultiples[15]);
}

TEST(Ristretto, RefusesIdentityAndInvalidEncodings) {
  EXPECT_FALSE(point_from_hex(kMultiples[0]).has_value()) << "identity";
  // RFC 9496 A.2: non-canonical field elements, negative field elements, non-square x², …
  for (const char* bad : {
           "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
           "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
           "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
           "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
           "0100000000000000000000000000000000000000000000000000000000000000",
           "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
           "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
       }) {
    EXPECT_FALSE(point_from_hex(bad).has_value()) << bad;
  }
  EXPECT_FALSE(point_from_hex("e2f2").has_value()) << "short";
  EXPECT_FALSE(point_from_hex(std::string(64, 'g')).has_value()) << "not hex";
}

TEST(Ristretto, ScalarsAtOrAboveTheGroupOrderAreRefused) {
  const std::string order = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
  const std::string below = "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
  EXPECT_FALSE(scalar_from_hex(order).has_value());
  EXPECT_FALSE(scalar_from_hex(std::string(64, 'f')).has_value());
  EXPECT_TRUE(scalar_from_hex(below).has_value());
  EXPECT_TRUE(scalar_from_hex(std::string(64, '0')).has_value()) << "0 is canonical";
}

TEST(Ristretto, ScalarArithmeticAndInversion) {
  const Scalar a = random_scalar();
  auto inv = scalar_invert(a);
  ASSERT_TRUE(inv.has_value());
  EXPECT_EQ(scalar_mul(a, *inv), scalar_from_u32(1));
  EXPECT_FALSE(scalar_invert(scalar_from_u32(0)).has_value());
  EXPECT_EQ(scalar_sub(scalar_add(a, scalar_from_u32(7)), a), scalar_from_u32(7));
  EXPECT_FALSE(scalar_is_zero(random_scalar()));
}

TEST(Ristretto, HashToScalarFramesEveryPart) {
  // Moving a byte from one part to the next must change the challenge (lengths are hashed).
  const Scalar a = hash_to_scalar("litc/test/v1", {"ab", "c"});
  const Scalar b = hash_to_scalar("litc/test/v1", {"a", "bc"});
  const Scalar c = hash_to_scalar("litc/test/v2", {"ab", "c"});
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a, hash_to_scalar("litc/test/v1", {"ab", "c"}));
  EXPECT_TRUE(scalar_is_canonical(a.bytes.data()));
}

TEST(Ristretto, HashToScalarKnownAnswer) {
  // Computed by the independent JavaScript implementation (tests/js/lib/litc_threshold.mjs), which
  // checks it again with node:crypto's BLAKE2b-512 and a BigInt reduction mod ℓ.
  EXPECT_EQ(to_hex(hash_to_scalar("litc/test/v1", {"abc", ""})),
            "caa59972c33a0b88f54540524b88f44d89f2102a2586710add00881906cad40f");
}

}  // namespace
}  // namespace litc::crypto
