// Base64: RFC 4648 test vectors both ways, and what the decoder refuses.
#include "protocol/base64.h"

#include <gtest/gtest.h>

namespace litc {
namespace {

TEST(Base64, EncodesAndDecodesTheRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::optional<std::string>(plain));
  }
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(base64_decode(base64_encode(all)), std::optional<std::string>(all));
}

TEST(Base64, RefusesWhatIsNotCanonicalBase64) {
  EXPECT_FALSE(base64_decode("Zg").has_value());        // not padded to 4
  EXPECT_FALSE(base64_decode("Z===").has_value());      // padding too early
  EXPECT_FALSE(base64_decode("Zg==Zg==").has_value());  // data after padding
  EXPECT_FALSE(base64_decode("Zm9*").has_value());      // not in the alphabet
  EXPECT_FALSE(base64_decode("Zm 9").has_value());
}

}  // namespace
}  // namespace litc
