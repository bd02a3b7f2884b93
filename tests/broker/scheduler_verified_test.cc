// Verified jobs (broker/verification.h DESIGN): only signing workers take them, a result counts
// only with its node's signature over (job, attempt, operation, input CID, output CID), a bad one
// is counted and the job runs elsewhere, and the attestations stay with the job.
#include <gtest/gtest.h>

#include <string>

#include "tests/broker/scheduler_harness.h"

namespace litc::broker::testing {
namespace {

// CIDs are "cid(<bytes>)"; a key proof is "proof:<key>:<node id>" for keys that start with
// "key-"; the signature of a claim is its fields joined by '|' after the key, so a signature for
// any other field fails.
class FakeResultVerifier : public ResultVerifier {
 public:
  std::string content_id(std::string_view bytes) const override {
    return "cid(" + std::string(bytes) + ")";
  }
  bool verify_key_proof(std::string_view key, std::string_view node,
                        std::string_view proof) const override {
    return key.starts_with("key-") && proof == key_proof(key, node);
  }
  bool verify(std::string_view key, const ResultClaim& c,
              std::string_view signature) const override {
    ++calls;
    return signature ==
           sign(key, c.job_id, c.attempt, c.operation, c.input_cid, c.output_cid, c.node_id);
  }
  static std::string key_proof(std::string_view key, std::string_view node) {
    return "proof:" + std::string(key) + ":" + std::string(node);
  }
  static std::string sign(std::string_view key, std::string_view job, uint32_t attempt,
                          std::string_view op, std::string_view input_cid,
                          std::string_view output_cid, std::string_view node) {
    std::string s(key);
    for (std::string_view part :
         {job, std::string_view(std::to_string(attempt)), op, input_cid, output_cid, node}) {
      s.append("|").append(part);
    }
    return s;
  }
  mutable int calls = 0;
};

SchedulerOptions verified_options(const FakeResultVerifier& v) {
  SchedulerOptions o;
  o.result_verifier = &v;
  return o;
}

struct VerifiedHarness : Harness {
  explicit VerifiedHarness(const FakeResultVerifier& v) : Harness(verified_options(v)) {}

  // A worker that signs with key "key-<routing id>" (or `key`), for echo and sign.
  Outcome add_signer(std::string_view routing_id, std::string_view key = {},
                     std::string_view node_id = {}) {
    std::string node(node_id.empty() ? "node-" + std::string(routing_id) : node_id);
    const std::string k = key.empty() ? "key-" + std::string(routing_id) : std::string(key);
    const std::string proof = FakeResultVerifier::key_proof(k, node);
    RegisterArgs r;
    r.routing_id = routing_id;
    r.node_id = node;
    r.public_key = k;
    r.signs_results = true;
    r.key_proof = proof;
    r.operations = {"echo", "sign"};
    return sched.register_worker(r);
  }
  std::string node_of(std::string_view routing_id) const {
    const WorkerSlot ws = sched.workers().find_by_routing_id(routing_id);
    return ws == kNoWorker ? std::string() : sched.workers().at(ws).node_id;
  }
  Outcome submit_verified(std::string_view id, std::string_view op = "echo") {
    SubmitArgs a;
    a.job_id = id;
    a.operation = op;
    a.input = "input";
    a.verified = true;
    return sched.submit(a);
  }
  // The result of `job` on `routing_id` for `attempt`, signed by `key` for `signed_attempt`.
  ResultVerdict signed_result(std::string_view routing_id, std::string_view job, uint32_t attempt,
                              std::string_view key, uint32_t signed_attempt,
                              std::string_view op = "echo", std::string_view output = "output") {
    const std::string sig =
        FakeResultVerifier::sign(key, job, signed_attempt, op, "cid(input)",
                                 "cid(" + std::string(output) + ")", node_of(routing_id));
    ResultArgs r;
    r.job_id = job;
    r.attempt = attempt;
    r.ok = true;
    r.output = output;
    r.signature = sig;
    return sched.result(routing_id, r);
  }
  const Verification* verification(std::string_view id) const {
    return sched.verification(sched.find(id));
  }
};

TEST(SchedulerVerified, AVerifiedJobGoesOnlyToASigningWorkerAndKeepsItsAttestation) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.add_worker("plain", {"echo", "sign"}).ok());
  ASSERT_TRUE(h.submit_verified("j1").ok());
  EXPECT_TRUE(h.out.assigns.empty()) << "a worker that does not sign got a verified job";
  EXPECT_EQ(h.state("j1"), fb::JobState::pending);
  ASSERT_TRUE(h.add_signer("s1").ok());
  ASSERT_EQ(h.out.assigned_ids("s1"), std::vector<std::string>{"j1"});
  EXPECT_TRUE(h.job("j1").verified);
  EXPECT_EQ(h.signed_result("s1", "j1", 1, "key-s1", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.state("j1"), fb::JobState::completed);
  const Verification* ver = h.verification("j1");
  ASSERT_NE(ver, nullptr);
  EXPECT_EQ(ver->input_cid, "cid(input)");
  ASSERT_EQ(ver->attestations.size(), 1u);
  EXPECT_EQ(ver->attestations[0].node_id, "node-s1");
  EXPECT_EQ(ver->attestations[0].public_key, "key-s1");
  EXPECT_EQ(ver->attestations[0].output_cid, "cid(output)");
  EXPECT_EQ(
      ver->attestations[0].signature,
      FakeResultVerifier::sign("key-s1", "j1", 1, "echo", "cid(input)", "cid(output)", "node-s1"));
  EXPECT_EQ(h.sched.counters().invalid_signatures, 0u);
}

TEST(SchedulerVerified, OrdinaryJobsAreNotVerifiedAndNeverCallTheVerifier) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.add_signer("s1").ok());
  ASSERT_TRUE(h.submit("plain").ok());
  EXPECT_FALSE(h.job("plain").verified);
  EXPECT_EQ(h.verification("plain"), nullptr);
  EXPECT_EQ(h.result("s1", "plain", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.state("plain"), fb::JobState::completed);
  EXPECT_EQ(v.calls, 0);
}

TEST(SchedulerVerified, SignIsVerifiedWithoutAsking) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.add_worker("plain", {"sign"}).ok());
  ASSERT_TRUE(h.submit("s", "sign").ok());
  EXPECT_TRUE(h.job("s").verified);
  EXPECT_TRUE(h.out.assigns.empty());
  ASSERT_TRUE(h.add_signer("s1").ok());
  EXPECT_EQ(h.signed_result("s1", "s", 1, "key-s1", 1, "sign"), ResultVerdict::accepted);
  EXPECT_EQ(h.state("s"), fb::JobState::completed);
}

TEST(SchedulerVerified, AForgedSignatureIsRejectedCountedAndTheJobCompletesElsewhere) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.add_signer("liar").ok());
  ASSERT_TRUE(h.submit_verified("j1").ok());
  ASSERT_EQ(h.out.assigned_ids("liar"), std::vector<std::string>{"j1"});
  ASSERT_TRUE(h.add_signer("honest").ok());
  // Signed with a key that is not the one "liar" registered.
  EXPECT_EQ(h.signed_result("liar", "j1", 1, "key-other", 1), ResultVerdict::rejected);
  EXPECT_EQ(h.sched.counters().invalid_signatures, 1u);
  EXPECT_EQ(h.job("j1").attempt, 2u);
  EXPECT_EQ(h.out.count(fb::JobEventKind::requeued, "j1"), 1u);
  EXPECT_NE(h.state("j1"), fb::JobState::completed);
  ASSERT_EQ(h.out.assigned_ids("honest"), std::vector<std::string>{"j1"});
  EXPECT_EQ(h.signed_result("honest", "j1", 2, "key-honest", 2), ResultVerdict::accepted);
  EXPECT_EQ(h.state("j1"), fb::JobState::completed);
  EXPECT_EQ(h.verification("j1")->attestations.at(0).node_id, "node-honest");
  EXPECT_EQ(h.in_flight("liar"), 0u) << "the rejected result still frees the worker's slot";
}

TEST(SchedulerVerified, AForgerGetsNoMoreVerifiedJobsOnThisRegistration) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.add_signer("liar").ok());
  ASSERT_TRUE(h.submit_verified("j1").ok());
  EXPECT_EQ(h.signed_result("liar", "j1", 1, "key-liar", 1), ResultVerdict::accepted)
      << "an honest signature over the output it sent is fine";
  ASSERT_TRUE(h.submit_verified("j2").ok());
  // Output altered after signing: the signature covers another output CID.
  const std::string sig = FakeResultVerifier::sign("key-liar", "j2", 1, "echo", "cid(input)",
                                                   "cid(original)", "node-liar");
  ResultArgs r;
  r.job_id = "j2";
  r.attempt = 1;
  r.ok = true;
  r.output = "altered";
  r.signature = sig;
  EXPECT_EQ(h.sched.result("liar", r), ResultVerdict::rejected);
  EXPECT_EQ(h.state("j2"), fb::JobState::pending) << "no other signer: the job waits";
  h.out.clear();
  ASSERT_TRUE(h.submit("plain").ok());
  EXPECT_EQ(h.out.assigned_ids("liar"), std::vector<std::string>{"plain"})
      << "its unverified work goes on";
  EXPECT_EQ(h.result("liar", "plain", 1), ResultVerdict::accepted);
  ASSERT_TRUE(h.add_signer("other").ok());
  EXPECT_EQ(h.out.assigned_ids("other"), std::vector<std::string>{"j2"});
  // Not remembered past the registration: a replayed Register (key proofs are static) could
  // otherwise get an honest key blamed for good, and a liar makes a new key for nothing.
  ASSERT_EQ(h.signed_result("other", "j2", 2, "key-other", 2), ResultVerdict::accepted);
  ASSERT_TRUE(h.sched.disconnect("liar"));
  ASSERT_TRUE(h.sched.disconnect("other"));
  ASSERT_TRUE(h.submit_verified("j3").ok());
  h.out.clear();
  ASSERT_TRUE(h.add_signer("liar2", "key-liar", "node-liar").ok());
  EXPECT_EQ(h.out.assigned_ids("liar2"), std::vector<std::string>{"j3"});
}

TEST(SchedulerVerified, AResultSignedForAnotherAttemptIsRejected) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.add_signer("s1").ok());
  ASSERT_TRUE(h.add_signer("s2").ok());
  ASSERT_TRUE(h.submit_verified("j1").ok());
  const std::string first = h.out.assigns.at(0).routing_id;
  ASSERT_TRUE(h.sched.disconnect(first));  // attempt 1 lost; attempt 2 runs on the other worker
  const std::string second = first == "s1" ? "s2" : "s1";
  ASSERT_EQ(h.job("j1").attempt, 2u);
  ASSERT_EQ(h.out.assigned_ids(second), std::vector<std::string>{"j1"});
  // The second worker replays a result signed for attempt 1 under attempt 2's number.
  EXPECT_EQ(h.signed_result(second, "j1", 2, "key-" + second, 1), ResultVerdict::rejected);
  EXPECT_EQ(h.sched.counters().invalid_signatures, 1u);
  EXPECT_NE(h.state("j1"), fb::JobState::completed);
}

TEST(SchedulerVerified, ForgedOnEveryAttemptFailsWithMaxAttemptsAndSaysWhy) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  SubmitArgs a;
  a.job_id = "j1";
  a.operation = "echo";
  a.input = "input";
  a.verified = true;
  a.max_attempts = 2;
  ASSERT_TRUE(h.submit(a).ok());
  for (uint32_t attempt = 1; attempt <= 2; ++attempt) {
    const std::string rid = numbered("s", attempt);
    ASSERT_TRUE(h.add_signer(rid).ok());
    ASSERT_EQ(h.out.assigned_ids(rid), std::vector<std::string>{"j1"});
    EXPECT_EQ(h.signed_result(rid, "j1", attempt, "key-wrong", attempt), ResultVerdict::rejected);
  }
  EXPECT_EQ(h.state("j1"), fb::JobState::failed);
  EXPECT_EQ(h.job("j1").error, fb::ErrorCode::max_attempts_exceeded);
  EXPECT_NE(h.job("j1").result.find("signature"), std::string::npos) << h.job("j1").result;
  EXPECT_EQ(h.sched.counters().invalid_signatures, 2u);
}

TEST(SchedulerVerified, AnErrorResultNeedsNoSignature) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.add_signer("s1").ok());
  ASSERT_TRUE(h.submit_verified("j1").ok());
  EXPECT_EQ(h.result("s1", "j1", 1, false), ResultVerdict::accepted);
  EXPECT_EQ(h.state("j1"), fb::JobState::failed);
  EXPECT_EQ(h.sched.counters().invalid_signatures, 0u);
}

TEST(SchedulerVerified, ASigningRegistrationWithoutAValidKeyProofIsRefused) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  Outcome bad = h.add_signer("badkey", "not-a-key");
  EXPECT_EQ(bad.error, fb::ErrorCode::invalid_argument);
  EXPECT_NE(std::string(bad.message).find("key_proof"), std::string::npos) << bad.message;
  // Someone else's key, with the proof its owner made for its own node id.
  const std::string stolen = FakeResultVerifier::key_proof("key-honest", "node-honest");
  RegisterArgs thief;
  thief.routing_id = "thief";
  thief.node_id = "node-thief";
  thief.public_key = "key-honest";
  thief.signs_results = true;
  thief.key_proof = stolen;
  thief.operations = {"echo"};
  EXPECT_EQ(h.sched.register_worker(thief).error, fb::ErrorCode::invalid_argument);
  // Too long a node id is refused too (ids are kept per worker and in every record).
  EXPECT_EQ(h.add_signer("long", {}, std::string(129, 'n')).error, fb::ErrorCode::invalid_argument);
  RegisterArgs r;
  r.routing_id = "nosign";
  r.node_id = "node-nosign";
  r.public_key = "key-nosign";  // a usable key, but the node did not say it signs
  r.operations = {"echo"};
  ASSERT_TRUE(h.sched.register_worker(r).ok());
  ASSERT_TRUE(h.submit_verified("j1").ok());
  EXPECT_TRUE(h.out.assigns.empty());
}

TEST(SchedulerVerified, EncryptCannotBeVerifiedAndABrokerWithoutVerifierRefusesVerifiedJobs) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  Outcome o = h.submit_verified("e", "encrypt");
  EXPECT_EQ(o.error, fb::ErrorCode::invalid_argument);
  EXPECT_NE(std::string(o.message).find("secret input"), std::string::npos) << o.message;

  Harness plain;  // SchedulerOptions{}: no result verifier
  SubmitArgs a;
  a.job_id = "j";
  a.operation = "echo";
  a.verified = true;
  EXPECT_EQ(plain.submit(a).error, fb::ErrorCode::invalid_argument);
  EXPECT_EQ(plain.submit("s", "sign").error, fb::ErrorCode::invalid_argument)
      << "sign is always verified";
  EXPECT_TRUE(plain.submit("e", "echo").ok());
}

TEST(SchedulerVerified, VerifiedAndPlainJobsKeepTheirPriorityOrderAcrossTheTwoQueues) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  ASSERT_TRUE(h.submit("p-low", "echo", 0).ok());
  SubmitArgs a;
  a.job_id = "v-high";
  a.operation = "echo";
  a.input = "input";
  a.priority = 5;
  a.verified = true;
  ASSERT_TRUE(h.submit(a).ok());
  ASSERT_TRUE(h.submit("p-mid", "echo", 3).ok());
  ASSERT_TRUE(h.add_signer("s1").ok());  // one slot: takes the best job it may run
  EXPECT_EQ(h.out.assigned_ids("s1"), std::vector<std::string>{"v-high"});
  EXPECT_EQ(h.signed_result("s1", "v-high", 1, "key-s1", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.out.assigned_ids("s1"), (std::vector<std::string>{"v-high", "p-mid"}));
}

TEST(SchedulerVerified, AReplayStartsWithoutTheOldAttestations) {
  FakeResultVerifier v;
  VerifiedHarness h(v);
  SubmitArgs a;
  a.job_id = "j1";
  a.operation = "echo";
  a.input = "input";
  a.verified = true;
  a.ttl_ms = 100;
  ASSERT_TRUE(h.submit(a).ok());
  h.advance(200);  // expired: dead-lettered
  ASSERT_TRUE(h.job("j1").dead_lettered);
  ASSERT_TRUE(h.sched.replay("j1").ok());
  ASSERT_TRUE(h.add_signer("s1").ok());
  const uint32_t attempt = h.job("j1").attempt;
  EXPECT_EQ(h.signed_result("s1", "j1", attempt, "key-s1", attempt), ResultVerdict::accepted);
  ASSERT_NE(h.verification("j1"), nullptr);
  EXPECT_EQ(h.verification("j1")->input_cid, "cid(input)");
  EXPECT_EQ(h.verification("j1")->attestations.size(), 1u);
}

TEST(SchedulerVerified, EvictionDropsTheVerificationWithItsJob) {
  FakeResultVerifier v;
  SchedulerOptions o = verified_options(v);
  o.retain_finished = 1;
  Harness h(o);
  const std::string proof = FakeResultVerifier::key_proof("key-s1", "node-s1");
  RegisterArgs r;
  r.routing_id = "s1";
  r.node_id = "node-s1";
  r.public_key = "key-s1";
  r.signs_results = true;
  r.key_proof = proof;
  r.operations = {"echo"};
  ASSERT_TRUE(h.sched.register_worker(r).ok());
  for (int i = 0; i < 3; ++i) {
    SubmitArgs a;
    const std::string id = numbered("j", i);
    a.job_id = id;
    a.operation = "echo";
    a.input = "input";
    a.verified = true;
    ASSERT_TRUE(h.submit(a).ok());
    ResultArgs res;
    res.job_id = id;
    res.attempt = 1;
    res.ok = true;
    res.output = "output";
    const std::string sig =
        FakeResultVerifier::sign("key-s1", id, 1, "echo", "cid(input)", "cid(output)", "node-s1");
    res.signature = sig;
    ASSERT_EQ(h.sched.result("s1", res), ResultVerdict::accepted);
  }
  EXPECT_EQ(h.sched.find("j0"), kNoJob) << "evicted";
  const JobSlot last = h.sched.find("j2");
  ASSERT_NE(last, kNoJob);
  ASSERT_NE(h.sched.verification(last), nullptr);
  EXPECT_EQ(
      h.sched.verification(last)->attestations.at(0).signature,
      FakeResultVerifier::sign("key-s1", "j2", 1, "echo", "cid(input)", "cid(output)", "node-s1"));
}

// Shares are "share:<index>"; holders prove their index with "pop:<index>:<node id>".
class FakeShareVerifier : public ShareVerifier {
 public:
  std::string request_key(std::string_view) const override { return "V"; }
  std::optional<std::string> verify(std::string_view, std::string_view output,
                                    uint32_t index) const override {
    const std::string share = "share:" + std::to_string(index);
    if (!output.starts_with(share)) return std::nullopt;
    return share;  // the canonical form: anything after the share is dropped
  }
  bool verify_holder(uint32_t index, std::string_view node_id,
                     std::string_view proof) const override {
    return proof == "pop:" + std::to_string(index) + ":" + std::string(node_id);
  }
};

struct SignedQuorum : Harness {
  SignedQuorum(const FakeResultVerifier& v, const FakeShareVerifier& s) : Harness(options(v, s)) {}
  static SchedulerOptions options(const FakeResultVerifier& v, const FakeShareVerifier& s) {
    SchedulerOptions o;
    o.result_verifier = &v;
    o.quorum.threshold = 2;
    o.quorum.shares = 3;
    o.quorum.verifier = &s;
    return o;
  }
  void holder(std::string_view rid, uint32_t index, bool signs) {
    const std::string node = "node-" + std::string(rid);
    const std::string proof = "pop:" + std::to_string(index) + ":" + node;
    const std::string key = "key-" + std::string(rid);
    const std::string key_proof = FakeResultVerifier::key_proof(key, node);
    RegisterArgs r;
    r.routing_id = rid;
    r.node_id = node;
    r.public_key = key;
    r.signs_results = signs;
    r.key_proof = key_proof;
    r.operations = {"decrypt"};
    r.share_index = index;
    r.share_proof = proof;
    ASSERT_TRUE(sched.register_worker(r).ok());
  }
  ResultVerdict part(std::string_view rid, std::string_view output, std::string_view key) {
    const std::string sig =
        FakeResultVerifier::sign(key, "d", 1, "decrypt", "cid(input)",
                                 "cid(" + std::string(output) + ")", "node-" + std::string(rid));
    ResultArgs r;
    r.job_id = "d";
    r.attempt = 1;
    r.ok = true;
    r.output = output;
    r.signature = sig;
    return sched.result(rid, r);
  }
};

TEST(SchedulerVerified, DecryptPartsAreSignedCheckedAndAttestedInShareOrder) {
  FakeResultVerifier v;
  FakeShareVerifier s;
  SignedQuorum h(v, s);
  h.holder("unsigned", 1, false);
  h.holder("a", 2, true);
  h.holder("b", 3, true);
  ASSERT_TRUE(h.submit("d", "decrypt").ok());
  EXPECT_TRUE(h.job("d").verified) << "decrypt is verified without asking";
  EXPECT_TRUE(h.out.assigned_ids("unsigned").empty()) << "a holder that does not sign";
  ASSERT_EQ(h.out.assigned_ids("a").size(), 1u);
  ASSERT_EQ(h.out.assigned_ids("b").size(), 1u);
  // b's share is right but its signature is by another key: rejected like a bad share.
  EXPECT_EQ(h.part("b", "share:3", "key-x"), ResultVerdict::accepted);
  EXPECT_EQ(h.sched.counters().invalid_signatures, 1u);
  EXPECT_EQ(h.sched.counters().invalid_shares, 0u);
  EXPECT_EQ(h.state("d"), fb::JobState::active);
  // a's share signed, but not in the canonical form: its bytes would not be what the output holds.
  EXPECT_EQ(h.part("a", "share:2+junk", "key-a"), ResultVerdict::accepted);
  EXPECT_EQ(h.state("d"), fb::JobState::failed) << "two of three indices excluded: T unreachable";
}

TEST(SchedulerVerified, ASignedQuorumCompletesWithOneAttestationPerShare) {
  FakeResultVerifier v;
  FakeShareVerifier s;
  SignedQuorum h(v, s);
  h.holder("a", 1, true);
  h.holder("b", 2, true);
  ASSERT_TRUE(h.submit("d", "decrypt").ok());
  EXPECT_EQ(h.part("b", "share:2", "key-b"), ResultVerdict::accepted);
  EXPECT_EQ(h.part("a", "share:1", "key-a"), ResultVerdict::accepted);
  ASSERT_EQ(h.state("d"), fb::JobState::completed);
  EXPECT_EQ(h.job("d").result, R"({"shares":[share:2,share:1]})");
  const Verification* ver = h.sched.verification(h.sched.find("d"));
  ASSERT_NE(ver, nullptr);
  ASSERT_EQ(ver->attestations.size(), 2u);
  EXPECT_EQ(ver->attestations[0].node_id, "node-b");
  EXPECT_EQ(ver->attestations[0].output_cid, "cid(share:2)");
  EXPECT_EQ(ver->attestations[1].node_id, "node-a");
  EXPECT_EQ(ver->attestations[1].public_key, "key-a");
}

}  // namespace
}  // namespace litc::broker::testing
