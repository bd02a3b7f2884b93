// Quorum jobs (broker/quorum.h DESIGN): parts on distinct share holders, shares checked by the
// verifier, bad shares and refusals replaced by other holders, lost parts re-asked, the quorum
// wait, cancel and timeouts reaching every part.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/broker/scheduler_harness.h"

namespace litc::broker::testing {
namespace {

// Accepts an output "share:<index>" (optionally followed by "+junk", which the canonical form
// drops) for the index it claims; anything else fails its proof. A holder proves its index with
// the proof "pop:<index>:<node id>".
class FakeVerifier : public ShareVerifier {
 public:
  std::string request_key(std::string_view input) const override {
    return input == "input" ? "V" : "";
  }
  std::optional<std::string> verify(std::string_view key, std::string_view output,
                                    uint32_t index) const override {
    ++calls;
    const std::string share = "share:" + std::to_string(index);
    if (key != "V" || output.substr(0, share.size()) != share) return std::nullopt;
    if (output.size() != share.size() && output.substr(share.size(), 1) != "+") return std::nullopt;
    return share;
  }
  bool verify_holder(uint32_t index, std::string_view node_id,
                     std::string_view proof) const override {
    return proof == "pop:" + std::to_string(index) + ":" + std::string(node_id);
  }
  mutable int calls = 0;
};

SchedulerOptions quorum_options(const FakeVerifier& verifier, uint32_t t = 2, uint32_t n = 3) {
  SchedulerOptions o;
  o.quorum.threshold = t;
  o.quorum.shares = n;
  o.quorum.wait_ms = 10'000;
  o.heartbeat_interval_ms = 60'000;  // the clock jumps past the wait; workers stay alive
  o.quorum.verifier = &verifier;
  o.verified_operations = {};  // the share rules alone; signed parts: scheduler_verified_test.cc
  return o;
}

struct QuorumHarness : Harness {
  explicit QuorumHarness(const FakeVerifier& v, uint32_t t = 2, uint32_t n = 3)
      : Harness(quorum_options(v, t, n)) {}

  Outcome add_holder(std::string_view routing_id, uint32_t share_index, uint32_t slots = 1) {
    std::string node("node-");
    node.append(routing_id);
    RegisterArgs r;
    r.routing_id = routing_id;
    r.node_id = node;
    r.operations = {"decrypt", "echo"};
    r.max_concurrent = slots;
    r.share_index = share_index;
    const std::string proof = "pop:" + std::to_string(share_index) + ":" + node;
    r.share_proof = proof;
    return sched.register_worker(r);
  }
  // Answers the assignment of `job` on `routing_id` with its honest share.
  ResultVerdict share(std::string_view routing_id, std::string_view job, uint32_t index) {
    return result(routing_id, job, 1, true, "share:" + std::to_string(index));
  }
  std::set<std::string> holders_of(std::string_view job) const {
    std::set<std::string> out;
    for (const AssignRec& a : out_assigns()) {
      if (a.job_id == job) out.insert(a.routing_id);
    }
    return out;
  }
  const std::vector<AssignRec>& out_assigns() const { return out.assigns; }
};

TEST(SchedulerQuorum, ADecryptGoesToTDistinctShareHoldersAndCompletesWithTheirShares) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  h.add_holder("c", 3);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  EXPECT_EQ(h.out.assigns.size(), 2u) << "T parts at once, never more";
  EXPECT_EQ(h.state("d1"), fb::JobState::active);
  const auto holders = h.holders_of("d1");
  ASSERT_EQ(holders.size(), 2u) << "on two different workers";
  std::vector<std::string> who(holders.begin(), holders.end());
  const uint32_t i0 = who[0] == "a" ? 1 : who[0] == "b" ? 2 : 3;
  const uint32_t i1 = who[1] == "a" ? 1 : who[1] == "b" ? 2 : 3;
  EXPECT_EQ(h.share(who[0], "d1", i0), ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::active) << "one share is not a quorum";
  EXPECT_EQ(h.share(who[1], "d1", i1), ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::completed);
  EXPECT_EQ(h.job("d1").result,
            "{\"shares\":[share:" + std::to_string(i0) + ",share:" + std::to_string(i1) + "]}");
  // One event per transition, however many parts ran.
  EXPECT_EQ(h.out.kinds_for("d1"),
            (std::vector<fb::JobEventKind>{fb::JobEventKind::submitted, fb::JobEventKind::assigned,
                                           fb::JobEventKind::completed}));
  EXPECT_EQ(h.in_flight("a") + h.in_flight("b") + h.in_flight("c"), 0u);
}

TEST(SchedulerQuorum, TwoWorkersWithTheSameShareIndexNeverBothServeOneJob) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("a2", 1);               // the same share on a second node
  h.add_worker("plain", {"decrypt"});  // holds no share: never asked
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  ASSERT_EQ(h.out.assigns.size(), 1u);
  EXPECT_EQ(h.state("d1"), fb::JobState::active);
  h.add_holder("b", 2);
  ASSERT_EQ(h.out.assigns.size(), 2u) << "a new holder of another index gets the second part";
  EXPECT_EQ(h.out.assigns[1].routing_id, "b");
  EXPECT_EQ(h.in_flight("plain"), 0u);
}

TEST(SchedulerQuorum, ABadShareIsRejectedCountedAndAnotherHolderIsAsked) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  h.add_holder("c", 3);
  ASSERT_EQ(h.out.assigns.size(), 2u);
  EXPECT_EQ(h.result("a", "d1", 1, true, "share:2"), ResultVerdict::accepted) << "wrong index";
  EXPECT_EQ(h.sched.counters().invalid_shares, 1u);
  ASSERT_EQ(h.out.assigns.size(), 3u);
  EXPECT_EQ(h.out.assigns[2].routing_id, "c") << "the liar's index is excluded";
  EXPECT_EQ(h.share("b", "d1", 2), ResultVerdict::accepted);
  EXPECT_EQ(h.share("c", "d1", 3), ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::completed);
  EXPECT_EQ(h.job("d1").result, "{\"shares\":[share:2,share:3]}");
}

TEST(SchedulerQuorum, WhenTooManyHoldersRefuseTheJobFailsWithTheirError) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  h.add_holder("c", 3);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  EXPECT_EQ(h.result("a", "d1", 1, false, "", fb::ErrorCode::access_denied),
            ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::active) << "one refusal: the third holder is asked";
  EXPECT_EQ(h.in_flight("c"), 1u);
  EXPECT_EQ(h.result("c", "d1", 1, false, "", fb::ErrorCode::access_denied),
            ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::failed);
  EXPECT_EQ(h.job("d1").error, fb::ErrorCode::access_denied);
  EXPECT_FALSE(h.job("d1").dead_lettered);
  ASSERT_EQ(h.out.cancels.size(), 1u) << "the part still running is told to stop";
  EXPECT_EQ(h.out.cancels[0].routing_id, "b");
  EXPECT_EQ(h.in_flight("b"), 1u) << "its slot is freed by its Result";
  EXPECT_EQ(h.share("b", "d1", 2), ResultVerdict::stale);
  EXPECT_EQ(h.in_flight("b"), 0u);
}

TEST(SchedulerQuorum, AWorkerThatDiesLosesOnlyItsPart) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  EXPECT_EQ(h.share("a", "d1", 1), ResultVerdict::accepted);
  EXPECT_TRUE(h.sched.disconnect("b"));
  EXPECT_EQ(h.state("d1"), fb::JobState::active) << "not re-queued: one share is kept";
  EXPECT_EQ(h.job("d1").attempt, 1u);
  h.add_holder("b2", 2);  // the same share, restarted
  ASSERT_EQ(h.out.assigns.back().routing_id, "b2") << "index 2 was not excluded by dying";
  EXPECT_EQ(h.share("b2", "d1", 2), ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::completed);
}

TEST(SchedulerQuorum, FewerThanTHoldersWithinTheWaitIsQuorumUnavailable) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  EXPECT_EQ(h.share("a", "d1", 1), ResultVerdict::accepted);
  h.advance(9'999);
  EXPECT_EQ(h.state("d1"), fb::JobState::active);
  h.advance(2);
  EXPECT_EQ(h.state("d1"), fb::JobState::failed);
  EXPECT_EQ(h.job("d1").error, fb::ErrorCode::quorum_unavailable);
  // Not dead-lettered: its input (the authSig) is gone, a replay could not run.
  EXPECT_FALSE(h.job("d1").dead_lettered);
  EXPECT_EQ(h.sched.replay("d1").error, fb::ErrorCode::already_finished);
}

TEST(SchedulerQuorum, ASecretInputIsDroppedWhenTheJobEnds) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  EXPECT_EQ(h.job("d1").input, "input") << "kept while shares are being made";
  EXPECT_EQ(h.share("a", "d1", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.share("b", "d1", 2), ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::completed);
  EXPECT_TRUE(h.job("d1").input.empty()) << "the authSig must not outlive the job";
  h.add_worker("e", {"encrypt"});
  ASSERT_TRUE(h.submit("x1", "encrypt").ok());
  EXPECT_EQ(h.result("e", "x1", 1), ResultVerdict::accepted);
  EXPECT_TRUE(h.job("x1").input.empty()) << "nor an encrypt job's plaintext";
  ASSERT_TRUE(h.submit("e1", "echo").ok());
  EXPECT_EQ(h.result("a", "e1", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.job("e1").input, "input") << "other jobs keep theirs (replay needs it)";
}

TEST(SchedulerQuorum, NoHolderOnlineAtAllIsQuorumUnavailableToo) {
  FakeVerifier v;
  QuorumHarness h(v);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  h.advance(10'001);
  EXPECT_EQ(h.job("d1").error, fb::ErrorCode::quorum_unavailable);
}

TEST(SchedulerQuorum, TPartsRunningAtTheWaitWithNoOtherHolderRunToTheirTimeout) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  SubmitArgs a;
  a.job_id = "d1";
  a.operation = "decrypt";
  a.input = "input";
  a.timeout_ms = 20'000;
  ASSERT_TRUE(h.submit(a).ok());
  h.advance(10'001);
  EXPECT_EQ(h.state("d1"), fb::JobState::active);
  h.advance(10'000);
  EXPECT_EQ(h.job("d1").error, fb::ErrorCode::timeout);
  EXPECT_EQ(h.out.cancels.size(), 2u) << "both parts told to stop";
}

TEST(SchedulerQuorum, CancelReachesEveryRunningPartAndLateSharesAreDropped) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  ASSERT_TRUE(h.sched.cancel("d1").ok());
  EXPECT_EQ(h.out.cancels.size(), 2u);
  EXPECT_EQ(h.share("a", "d1", 1), ResultVerdict::after_cancel);
  EXPECT_EQ(h.share("b", "d1", 2), ResultVerdict::after_cancel);
  EXPECT_EQ(h.in_flight("a") + h.in_flight("b"), 0u);
  EXPECT_EQ(h.state("d1"), fb::JobState::cancelled);
}

TEST(SchedulerQuorum, ADuplicateOrForeignResultNeverCountsTwice) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  h.add_holder("c", 3);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  const auto holders = h.holders_of("d1");
  const std::string idle = holders.count("a") == 0 ? "a" : holders.count("b") == 0 ? "b" : "c";
  const uint32_t idle_index = idle == "a" ? 1 : idle == "b" ? 2 : 3;
  EXPECT_EQ(h.share(idle, "d1", idle_index), ResultVerdict::stale) << "a worker with no part";
  const std::string first = *holders.begin();
  const uint32_t first_index = first == "a" ? 1 : first == "b" ? 2 : 3;
  EXPECT_EQ(h.share(first, "d1", first_index), ResultVerdict::accepted);
  EXPECT_EQ(h.share(first, "d1", first_index), ResultVerdict::stale) << "its part is done";
  EXPECT_EQ(h.state("d1"), fb::JobState::active);
}

TEST(SchedulerQuorum, AShareIndexIsBelievedOnlyWithItsProof) {
  FakeVerifier v;
  QuorumHarness h(v);
  RegisterArgs r;
  r.routing_id = "sybil";
  r.node_id = "sybil";
  r.operations = {"decrypt"};
  r.max_concurrent = 1;
  r.share_index = 1;
  r.share_proof = "pop:1:someone-else";  // a proof made for another node id
  EXPECT_EQ(h.sched.register_worker(r).error, fb::ErrorCode::invalid_argument);
  r.share_proof = "";
  EXPECT_EQ(h.sched.register_worker(r).error, fb::ErrorCode::invalid_argument);
  r.share_index = 1000;  // outside 1..N, however it is "proved"
  r.share_proof = "pop:1000:sybil";
  EXPECT_EQ(h.sched.register_worker(r).error, fb::ErrorCode::invalid_argument);
  EXPECT_EQ(h.sched.workers_online(), 0u);
  EXPECT_TRUE(h.add_holder("a", 1).ok());
  Harness plain;  // a broker without a network key believes no index at all
  r.share_index = 1;
  r.share_proof = "pop:1:sybil";
  EXPECT_EQ(plain.sched.register_worker(r).error, fb::ErrorCode::invalid_argument);
}

TEST(SchedulerQuorum, ASilentHolderIsWorkedAroundAtTheQuorumWait) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  h.add_holder("c", 3);
  ASSERT_EQ(h.out.assigns.size(), 2u) << "c came after the two parts went out";
  EXPECT_EQ(h.share("a", "d1", 1), ResultVerdict::accepted);
  // b never answers. At the quorum wait c is asked beside it.
  h.advance(10'001);
  EXPECT_EQ(h.state("d1"), fb::JobState::active);
  ASSERT_EQ(h.out.assigns.size(), 3u);
  EXPECT_EQ(h.out.assigns[2].routing_id, "c");
  EXPECT_EQ(h.share("c", "d1", 3), ResultVerdict::accepted);
  EXPECT_EQ(h.state("d1"), fb::JobState::completed);
  EXPECT_EQ(h.job("d1").result, "{\"shares\":[share:1,share:3]}");
  ASSERT_EQ(h.out.cancels.size(), 1u) << "the silent part is told to stop";
  EXPECT_EQ(h.out.cancels[0].routing_id, "b");
  EXPECT_EQ(h.share("b", "d1", 2), ResultVerdict::stale) << "too late: dropped, slot freed";
  EXPECT_EQ(h.in_flight("b"), 0u);
}

TEST(SchedulerQuorum, OnlyTheShareItselfReachesTheRequester) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  EXPECT_EQ(h.result("a", "d1", 1, true, "share:1+64KiB of something else"),
            ResultVerdict::accepted);
  EXPECT_EQ(h.share("b", "d1", 2), ResultVerdict::accepted);
  EXPECT_EQ(h.job("d1").result, "{\"shares\":[share:1,share:2]}");
}

TEST(SchedulerQuorum, ARefusalIsAttributedToItsNode) {
  FakeVerifier v;
  QuorumHarness h(v, 2, 2);  // N = T: one refusal decides
  h.add_holder("a", 1);
  h.add_holder("b", 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  EXPECT_EQ(h.result("a", "d1", 1, false, "", fb::ErrorCode::access_denied),
            ResultVerdict::accepted);
  EXPECT_EQ(h.job("d1").error, fb::ErrorCode::access_denied);
  EXPECT_EQ(h.job("d1").result, "node node-a (share 1) refused: it broke");
}

TEST(SchedulerQuorum, ABrokerWithoutANetworkKeyRefusesDecrypt) {
  Harness h;  // no quorum options
  h.add_worker("a", {"decrypt"});
  const Outcome o = h.submit("d1", "decrypt");
  EXPECT_EQ(o.error, fb::ErrorCode::invalid_argument);
  EXPECT_TRUE(h.out.assigns.empty());
}

TEST(SchedulerQuorum, OrdinaryJobsOnTheSameWorkersAreUnaffected) {
  FakeVerifier v;
  QuorumHarness h(v);
  h.add_holder("a", 1, 2);
  h.add_holder("b", 2, 2);
  ASSERT_TRUE(h.submit("d1", "decrypt").ok());
  ASSERT_TRUE(h.submit("e1", "echo").ok());
  ASSERT_TRUE(h.submit("e2", "echo").ok());
  EXPECT_EQ(h.out.assigns.size(), 4u) << "two parts and two echoes in four free slots";
  EXPECT_EQ(h.result(h.out.assigns[2].routing_id, h.out.assigns[2].job_id, 1),
            ResultVerdict::accepted);
}

}  // namespace
}  // namespace litc::broker::testing
