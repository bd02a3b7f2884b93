// Lit-style encryption over the bridge's HTTP API, on real processes: `encrypt` through POST
// jobs/submit with params, and POST /lit-compute/decrypt with the bridge as the requester (blind,
// one quorum job over T = 2 of 3 share holders, verify, combine, open). Every refusal arrives with
// its catalogue code and the HTTP status bridge/README.md gives it.
#include <gtest/gtest.h>

#include <string>

#include "protocol/lit_client.h"
#include "tests/integration/bridge_lit_fixture.h"

namespace litc::it {
namespace {

namespace json = boost::json;

class BridgeLit : public BridgeLitTest {};

TEST_F(BridgeLit, EncryptJobThroughSubmitThenDecryptOverHttpGivesThePlaintextBack) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_NO_FATAL_FAILURE(holders(3));
  const std::string plaintext = "hello through the bridge: h\xc3\xa9llo \xe2\x9c\x93";
  auto envelope = encrypt_via_job(plaintext, user_is(address_of(7)));
  ASSERT_TRUE(envelope.has_value());
  // Lit's encryptToJson envelope plus the two derived fields.
  EXPECT_FALSE(str(*envelope, "ciphertext").empty());
  EXPECT_EQ(str(*envelope, "chain"), "ethereum");
  EXPECT_EQ(str(*envelope, "dataType"), "string");
  EXPECT_TRUE(envelope->contains("accessControlConditions"));
  auto local = encrypt_to_json(key_, json::serialize(user_is(address_of(7))), plaintext);
  ASSERT_TRUE(local.ok()) << local.error().message;
  const json::object local_envelope = json::parse(local.value()).as_object();
  EXPECT_EQ(str(*envelope, "hashOfConditions"), str(local_envelope, "hashOfConditions"));
  EXPECT_EQ(str(*envelope, "dataToEncryptHash"), str(local_envelope, "dataToEncryptHash"));
  EXPECT_EQ(str(*envelope, "identity"), str(local_envelope, "identity"));

  auto r = post_decrypt(*envelope, auth(7));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(obj(r.body), "decryptedData"), plaintext);

  // An envelope made locally (lc::lit_client) decrypts through the bridge the same way.
  auto again = post_decrypt(local_envelope, auth(7));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(str(obj(again.body), "decryptedData"), plaintext);
  EXPECT_EQ(metric("litc_bridge_decrypts_completed_total"), 2u);
}

TEST_F(BridgeLit, EveryRefusalCarriesItsCodeAndStatus) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_NO_FATAL_FAILURE(holders(3));
  auto made = encrypt_to_json(key_, json::serialize(user_is(address_of(7))), "for seven only");
  ASSERT_TRUE(made.ok());
  const json::object envelope = json::parse(made.value()).as_object();

  // Conditions not met: every holder evaluates them and refuses.
  auto wrong_wallet = post_decrypt(envelope, auth(8));
  EXPECT_EQ(wrong_wallet.status, 403) << wrong_wallet.body;
  EXPECT_EQ(error_code(wrong_wallet), "access_denied") << wrong_wallet.body;

  auto expired = post_decrypt(envelope, auth(7, -1000));
  EXPECT_EQ(expired.status, 401) << expired.body;
  EXPECT_EQ(error_code(expired), "auth_sig_expired") << expired.body;

  json::object garbled = auth(7);
  garbled["signedMessage"] = std::string(garbled["signedMessage"].as_string()) + " ";
  auto forged = post_decrypt(envelope, garbled);
  EXPECT_EQ(forged.status, 400) << forged.body;
  EXPECT_EQ(error_code(forged), "invalid_auth_sig") << forged.body;

  // Tampered: one byte of the box changed. The bridge's label check refuses before asking.
  json::object tampered = envelope;
  std::string ct(envelope.at("ciphertext").as_string());
  ct[ct.size() - 6] = ct[ct.size() - 6] == 'A' ? 'B' : 'A';
  tampered["ciphertext"] = ct;
  auto t = post_decrypt(tampered, auth(7));
  EXPECT_EQ(t.status, 400) << t.body;
  EXPECT_EQ(error_code(t), "invalid_ciphertext") << t.body;

  // Re-labelled: the same ciphertext presented under conditions wallet 8 does satisfy.
  json::object relabelled = envelope;
  relabelled["accessControlConditions"] = user_is(address_of(8)).at("accessControlConditions");
  auto rl = post_decrypt(relabelled, auth(8));
  EXPECT_EQ(rl.status, 400) << rl.body;
  EXPECT_EQ(error_code(rl), "invalid_ciphertext") << rl.body;

  // Another data hash under the same conditions: a different identity, so the label fails too.
  json::object rehashed = envelope;
  rehashed["dataToEncryptHash"] = std::string(64, 'a');
  auto rh = post_decrypt(rehashed, auth(7));
  EXPECT_EQ(rh.status, 400) << rh.body;
  EXPECT_EQ(error_code(rh), "invalid_ciphertext") << rh.body;

  // Three requests reached the network and were refused there; the others never left the bridge.
  EXPECT_EQ(metric("litc_bridge_decrypts_refused_total"), 3u);

  // After all that, the honest request still works.
  auto plain = post_decrypt(envelope, auth(7));
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(str(obj(plain.body), "decryptedData"), "for seven only");
}

TEST_F(BridgeLit, WithoutShareHoldersTheBrokersQuorumWaitAnswers503) {
  LitStackOptions o;
  o.quorum_wait_ms = "1500";
  o.decrypt_wait_ms = "5000";
  ASSERT_NO_FATAL_FAILURE(start(o));
  holder(1);  // one of the two shares a decrypt needs
  ASSERT_TRUE(stack_->net().wait_workers_online(1));
  auto made = encrypt_to_json(key_, json::serialize(user_is(address_of(7))), "nobody home");
  ASSERT_TRUE(made.ok());
  const auto started = Clock::now();
  auto r = post_decrypt(json::parse(made.value()).as_object(), auth(7));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r), "quorum_unavailable") << r.body;
  EXPECT_GE(took, milliseconds(1400)) << "answered by the broker's quorum wait";
  EXPECT_LT(took, milliseconds(4000)) << "before the bridge's own wait";
  EXPECT_EQ(metric("litc_bridge_decrypt_waits_expired_total"), 0u);
  EXPECT_EQ(http_->get("/healthz").status, 200);
}

TEST_F(BridgeLit, WhenTheBridgesWaitRunsOutFirstTheAnswerIs503AndTheJobIsCancelled) {
  LitStackOptions o;
  o.quorum_wait_ms = "20000";
  o.decrypt_wait_ms = "1000";
  ASSERT_NO_FATAL_FAILURE(start(o));
  auto made = encrypt_to_json(key_, json::serialize(user_is(address_of(7))), "nobody home");
  ASSERT_TRUE(made.ok());
  const auto started = Clock::now();
  auto r = post_decrypt(json::parse(made.value()).as_object(), auth(7));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r), "quorum_unavailable") << r.body;
  EXPECT_NE(error_message(r).find("--decrypt-wait-ms"), std::string::npos) << r.body;
  EXPECT_GE(took, milliseconds(900));
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_EQ(metric("litc_bridge_decrypt_waits_expired_total"), 1u);
  // Nobody waits for that job: the bridge cancelled it, so no holder that comes later runs it.
  EXPECT_TRUE(eventually(
      [&] {
        auto stats = obj(http_->get("/lit-compute/jobs/stats").body);
        const json::value* broker = stats.if_contains("broker");
        return broker != nullptr && broker->is_object() &&
               num(broker->get_object(), "jobs_cancelled") == 1;
      },
      milliseconds(5000)))
      << http_->get("/lit-compute/jobs/stats").body;
}

TEST_F(BridgeLit, ABridgeWithoutANetworkKeyAnswers501ButStillSubmitsEncryptJobs) {
  LitStackOptions o;
  o.bridge_key = false;
  ASSERT_NO_FATAL_FAILURE(start(o));
  ASSERT_NO_FATAL_FAILURE(holders(1));
  auto made = encrypt_to_json(key_, json::serialize(user_is(address_of(7))), "x");
  ASSERT_TRUE(made.ok());
  auto r = post_decrypt(json::parse(made.value()).as_object(), auth(7));
  EXPECT_EQ(r.status, 501) << r.body;
  EXPECT_EQ(error_code(r), "network_key_required") << r.body;
  // Encrypting needs no key at the bridge: the node that runs the job holds network.json.
  auto envelope = encrypt_via_job("still encrypts", user_is(address_of(7)));
  ASSERT_TRUE(envelope.has_value());
  EXPECT_FALSE(str(*envelope, "ciphertext").empty());
  EXPECT_EQ(http_->get("/healthz").status, 200);
}

}  // namespace
}  // namespace litc::it
