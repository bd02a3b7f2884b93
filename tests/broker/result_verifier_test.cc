// Ed25519ResultVerifier on real keys: the checks the scheduler's fake stands in for
// (tests/broker/scheduler_verified_test.cc), byte for byte as crypto/identity signs them.
#include "broker/result_verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "crypto/identity/node_key.h"
#include "crypto/identity/result_statement.h"
#include "protocol/cid.h"

namespace litc::broker {
namespace {

struct Signed {
  crypto::NodeKey key = crypto::generate_node_key();
  std::string hex = key.public_key_hex();
  std::string input_cid = cid_v1_raw("in");
  std::string output_cid = cid_v1_raw("out");
  std::string sign(std::string_view node = "node-a", uint32_t attempt = 2) const {
    return crypto::sign_detached(
        key, crypto::result_statement("job-1", attempt, "echo", input_cid, output_cid, node));
  }
  ResultClaim claim(std::string_view node = "node-a", uint32_t attempt = 2) const {
    return {"job-1", attempt, "echo", input_cid, output_cid, node};
  }
};

TEST(Ed25519ResultVerifier, AcceptsExactlyTheStatementItsKeySigned) {
  const Ed25519ResultVerifier v;
  const Signed s;
  const std::string sig = s.sign();
  EXPECT_TRUE(v.verify(s.hex, s.claim(), sig));
  std::string upper = s.hex;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_TRUE(v.verify(upper, s.claim(), sig)) << "hex in either case names the same key";
  EXPECT_FALSE(v.verify(s.hex, s.claim("node-b"), sig)) << "another node id";
  EXPECT_FALSE(v.verify(s.hex, s.claim("node-a", 3), sig)) << "another attempt";
  ResultClaim other_output = s.claim();
  const std::string altered = cid_v1_raw("altered");
  other_output.output_cid = altered;
  EXPECT_FALSE(v.verify(s.hex, other_output, sig));
  ResultClaim other_op = s.claim();
  other_op.operation = "sha256";
  EXPECT_FALSE(v.verify(s.hex, other_op, sig));
  const Signed other;
  EXPECT_FALSE(v.verify(other.hex, s.claim(), sig)) << "another key";
  for (const std::string& bad :
       {std::string(), sig.substr(0, 63), sig + "x", std::string(64, '\0')}) {
    EXPECT_FALSE(v.verify(s.hex, s.claim(), bad)) << bad.size() << " bytes";
  }
  for (const std::string& key : {std::string(), s.hex.substr(0, 62), s.hex + "00",
                                 "zz" + s.hex.substr(2), std::string(64, '0')}) {
    EXPECT_FALSE(v.verify(key, s.claim(), sig)) << key;
  }
}

TEST(Ed25519ResultVerifier, AKeyProofIsBoundToItsNodeId) {
  const Ed25519ResultVerifier v;
  const Signed s;
  const std::string proof = crypto::sign_detached(s.key, crypto::key_statement("node-a"));
  EXPECT_TRUE(v.verify_key_proof(s.hex, "node-a", proof));
  EXPECT_FALSE(v.verify_key_proof(s.hex, "node-b", proof)) << "a proof copied to another id";
  const Signed thief;
  EXPECT_FALSE(v.verify_key_proof(thief.hex, "node-a", proof)) << "another key";
  EXPECT_FALSE(v.verify_key_proof(s.hex, "node-a", ""));
  EXPECT_FALSE(v.verify_key_proof("", "node-a", proof));
  // A result signature is no key proof, and a key proof no result signature.
  EXPECT_FALSE(v.verify_key_proof(s.hex, "node-a", s.sign()));
  EXPECT_FALSE(v.verify(s.hex, s.claim(), proof));
}

TEST(Ed25519ResultVerifier, ContentIdsAreTheCidsOfTheBytes) {
  const Ed25519ResultVerifier v;
  EXPECT_EQ(v.content_id("hello world"),
            "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
}

}  // namespace
}  // namespace litc::broker
