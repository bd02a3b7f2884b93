// CIDv1 against the reference vectors (shared/reference/protocols.md §2.2: strings IPFS prints).
#include "protocol/cid.h"

#include <gtest/gtest.h>

namespace litc {
namespace {

TEST(Cid, MatchesIpfsForEmptyInput) {
  EXPECT_EQ(cid_v1_raw(""), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
}

TEST(Cid, MatchesIpfsForHelloWorld) {
  EXPECT_EQ(cid_v1_raw("hello world"),
            "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  EXPECT_EQ(cid_v1_raw("hello world\n"),
            "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
  EXPECT_EQ(cid_v1_raw("beep boop"), "bafkreieq5jui4j25lacwomsqgjeswwl3y5zcdrresptwgmfylxo2depppq");
}

TEST(Cid, IsBinarySafeAndFixedLength) {
  std::string with_nul("a\0b", 3);
  std::string cid = cid_v1_raw(with_nul);
  EXPECT_EQ(cid.size(), 59u);
  EXPECT_EQ(cid.rfind("bafkrei", 0), 0u);
  EXPECT_NE(cid, cid_v1_raw("a"));
}

}  // namespace
}  // namespace litc
