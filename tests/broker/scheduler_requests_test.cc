// Scheduler requests: submit validation, idempotent submit and job naming, queue limit, final
// replies to waiters, and worker registration rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tests/broker/scheduler_harness.h"

namespace litc::broker::testing {
namespace {

using ::testing::ElementsAre;

TEST(Scheduler, DuplicateSubmitReturnsTheExistingJob) {
  Harness h;
  Outcome first = h.submit("same", "echo", 1);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first.duplicate);

  Outcome again = h.submit("same", "sha256", 9);  // other fields are ignored
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.slot, first.slot);
  EXPECT_EQ(h.sched.operation_name(h.job("same").op), "echo");
  EXPECT_EQ(h.job("same").priority, 1);
  EXPECT_EQ(h.out.count(fb::JobEventKind::submitted, "same"), 1u);
  EXPECT_EQ(h.out.job_events.size(), 1u);
  EXPECT_EQ(h.sched.counters().duplicate_submits, 1u);
  EXPECT_EQ(h.sched.counters().submitted_total, 1u);
  EXPECT_EQ(h.sched.counters().in(fb::JobState::pending), 1u);

  // Still a duplicate once the job has finished (while it is retained).
  ASSERT_TRUE(h.add_worker("a").ok());
  ASSERT_EQ(h.result("a", "same", 1), ResultVerdict::accepted);
  Outcome late = h.submit("same");
  EXPECT_TRUE(late.duplicate);
  EXPECT_EQ(late.slot, first.slot);
  EXPECT_EQ(h.out.assigns.size(), 1u);
  EXPECT_EQ(h.sched.counters().duplicate_submits, 2u);
}

TEST(Scheduler, NamesJobsUniquelyWhenTheClientGivesNoId) {
  Harness h;
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    Outcome r = h.submit("");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.duplicate);
    const std::string& id = h.sched.job(r.slot).id;
    EXPECT_FALSE(id.empty());
    EXPECT_TRUE(ids.insert(id).second) << id;
    EXPECT_EQ(h.sched.find(id), r.slot);
  }
  EXPECT_EQ(h.sched.jobs().size(), 100u);
}

// A client may pick any id, including one that looks like a broker-made one.
TEST(Scheduler, BrokerNamedIdsDoNotCollideWithClientIds) {
  Harness h;
  ASSERT_TRUE(h.submit("job-2").ok());
  Outcome anon = h.submit("");
  ASSERT_TRUE(anon.ok());
  const std::string id = h.sched.job(anon.slot).id;
  EXPECT_NE(id, "job-2");
  EXPECT_EQ(h.sched.find(id), anon.slot);
  EXPECT_EQ(h.sched.jobs().size(), 2u);
}

TEST(Scheduler, RejectsInvalidSubmits) {
  Harness h;
  SubmitArgs a;
  a.job_id = "x";
  a.operation = "";
  EXPECT_EQ(h.submit(a).error, fb::ErrorCode::invalid_argument);

  a.operation = "resize";
  EXPECT_EQ(h.submit(a).error, fb::ErrorCode::unknown_operation);

  a.operation = "echo";
  const std::string long_id(129, 'x');
  a.job_id = long_id;
  EXPECT_EQ(h.submit(a).error, fb::ErrorCode::invalid_argument);

  // Only ids a URL path segment, a Redis key and a log line all read the same way.
  for (const char* bad : {"a b", "a/b", "a?b", "a%20b", "caf\xc3\xa9", "tab\there", "a*b"}) {
    a.job_id = bad;
    Outcome o = h.submit(a);
    EXPECT_EQ(o.error, fb::ErrorCode::invalid_argument) << bad;
    EXPECT_NE(std::string(o.message).find("A-Z a-z 0-9"), std::string::npos) << o.message;
  }

  a.job_id = "x";
  a.max_attempts = 101;
  EXPECT_EQ(h.submit(a).error, fb::ErrorCode::invalid_argument);

  EXPECT_EQ(h.sched.counters().submitted_total, 0u);
  EXPECT_EQ(h.sched.jobs().size(), 0u);
  EXPECT_TRUE(h.out.job_events.empty());
  EXPECT_EQ(h.sched.find("x"), kNoJob);

  // The limits themselves are accepted.
  const std::string max_id(128, 'y');
  a.job_id = max_id;
  a.max_attempts = 100;
  Outcome ok = h.submit(a);
  ASSERT_TRUE(ok.ok()) << ok.message;
  EXPECT_EQ(h.sched.job(ok.slot).max_attempts, 100u);
  EXPECT_EQ(h.job(max_id).attempt, 1u);
  a.job_id = "Job-1.v2_retry:3";
  a.max_attempts = 0;
  EXPECT_TRUE(h.submit(a).ok()) << "every allowed character";
}

TEST(Scheduler, AppliesDefaultsForOmittedLimits) {
  SchedulerOptions o;
  o.default_max_attempts = 4;
  o.default_timeout_ms = 1234;
  Harness h(o);
  h.submit("j1");
  EXPECT_EQ(h.job("j1").max_attempts, 4u);
  EXPECT_EQ(h.job("j1").timeout_ms, 1234u);
  EXPECT_EQ(h.job("j1").ttl_ms, 0u);
  EXPECT_EQ(h.job("j1").submitted_at_ms, kStartMs);
}

TEST(Scheduler, RejectsSubmitsWhenTheQueueIsFull) {
  SchedulerOptions o;
  o.max_queued_jobs = 3;
  Harness h(o);
  for (const char* id : {"j1", "j2", "j3"}) ASSERT_TRUE(h.submit(id).ok());

  Outcome full = h.submit("j4");
  EXPECT_EQ(full.error, fb::ErrorCode::queue_full);
  EXPECT_EQ(h.sched.counters().queue_full_rejections, 1u);
  EXPECT_EQ(h.sched.find("j4"), kNoJob);
  EXPECT_EQ(h.submit("").error, fb::ErrorCode::queue_full);
  EXPECT_EQ(h.sched.counters().queue_full_rejections, 2u);

  // A duplicate is still answered.
  Outcome dup = h.submit("j1");
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(h.sched.counters().queue_full_rejections, 2u);

  // Active jobs do not count: once one is taken there is room again.
  ASSERT_TRUE(h.add_worker("a").ok());
  EXPECT_TRUE(h.submit("j4").ok());
  EXPECT_EQ(h.submit("j5").error, fb::ErrorCode::queue_full);
  EXPECT_EQ(h.sched.counters().submitted_total, 4u);
}

TEST(Scheduler, ReplayIsRejectedWhenTheQueueIsFull) {
  SchedulerOptions o;
  o.max_queued_jobs = 1;
  Harness h(o);
  SubmitArgs a;
  a.job_id = "dl";
  a.operation = "echo";
  a.ttl_ms = 10;
  ASSERT_TRUE(h.submit(a).ok());
  h.advance(10);
  ASSERT_TRUE(h.job("dl").dead_lettered);
  ASSERT_TRUE(h.submit("filler").ok());
  EXPECT_EQ(h.sched.replay("dl").error, fb::ErrorCode::queue_full);
  EXPECT_TRUE(h.job("dl").dead_lettered);
  EXPECT_EQ(h.sched.counters().queue_full_rejections, 1u);
}

TEST(Scheduler, WaiterGetsExactlyOneFinalReplyHoweverTheJobEnds) {
  SchedulerOptions o;
  Harness h(o);
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 4).ok());
  const Waiter w1{"c1", 1}, w2{"c2", 2}, w3{"c3", 3}, w4{"c4", 4}, w5{"c5", 5}, w6{"c6", 6};
  h.submit("completes", "echo", 0, &w1);
  h.submit("fails", "echo", 0, &w2);
  h.submit("cancelled-active", "echo", 0, &w3);
  SubmitArgs t;
  t.job_id = "times-out";
  t.operation = "echo";
  t.timeout_ms = 100;
  h.submit(t, &w4);
  h.submit("cancelled-pending", "sha256", 0, &w5);
  SubmitArgs e;
  e.job_id = "expires";
  e.operation = "sha256";
  e.ttl_ms = 100;
  h.submit(e, &w6);
  EXPECT_TRUE(h.out.replies.empty());

  EXPECT_EQ(h.result("a", "completes", 1, true, "out"), ResultVerdict::accepted);
  EXPECT_EQ(h.result("a", "fails", 1, false), ResultVerdict::accepted);
  ASSERT_TRUE(h.sched.cancel("cancelled-active").ok());
  ASSERT_TRUE(h.sched.cancel("cancelled-pending").ok());
  h.advance(100);  // times-out and expires
  // Late and duplicate answers do not reply again.
  h.result("a", "completes", 1);
  h.result("a", "cancelled-active", 1);
  h.result("a", "times-out", 1);

  ASSERT_EQ(h.out.replies.size(), 6u);
  std::map<std::string, ReplyRec> by_client;
  for (const ReplyRec& r : h.out.replies) by_client.emplace(r.client, r);
  ASSERT_EQ(by_client.size(), 6u);
  EXPECT_EQ(by_client["c1"].job_id, "completes");
  EXPECT_EQ(by_client["c1"].request_id, 1u);
  EXPECT_EQ(by_client["c1"].state, fb::JobState::completed);
  EXPECT_EQ(by_client["c1"].result, "out");
  EXPECT_EQ(by_client["c2"].state, fb::JobState::failed);
  EXPECT_EQ(by_client["c2"].error, fb::ErrorCode::operation_failed);
  EXPECT_EQ(by_client["c3"].state, fb::JobState::cancelled);
  EXPECT_EQ(by_client["c4"].error, fb::ErrorCode::timeout);
  EXPECT_EQ(by_client["c5"].state, fb::JobState::cancelled);
  EXPECT_EQ(by_client["c6"].error, fb::ErrorCode::expired);
}

TEST(Scheduler, WaiterIsRepliedWhenTheJobFailsPastMaxAttempts) {
  Harness h;
  const Waiter w{"client", 77};
  SubmitArgs a;
  a.job_id = "j1";
  a.operation = "echo";
  a.max_attempts = 1;
  h.submit(a, &w);
  ASSERT_TRUE(h.add_worker("a").ok());
  ASSERT_TRUE(h.sched.disconnect("a"));
  ASSERT_EQ(h.out.replies.size(), 1u);
  EXPECT_EQ(h.out.replies[0].request_id, 77u);
  EXPECT_EQ(h.out.replies[0].error, fb::ErrorCode::max_attempts_exceeded);
}

TEST(Scheduler, DuplicateSubmitOfAnUnfinishedJobAddsAWaiter) {
  Harness h;
  const Waiter first{"c1", 1}, second{"c2", 2}, after{"c3", 3};
  h.submit("j1", "echo", 0, &first);
  Outcome dup = h.submit("j1", "echo", 0, &second);
  ASSERT_TRUE(dup.duplicate);
  ASSERT_TRUE(h.add_worker("a").ok());
  ASSERT_EQ(h.result("a", "j1", 1), ResultVerdict::accepted);
  ASSERT_EQ(h.out.replies.size(), 2u);
  EXPECT_EQ(h.out.replies[0].client, "c1");
  EXPECT_EQ(h.out.replies[1].client, "c2");
  EXPECT_EQ(h.out.replies[1].state, fb::JobState::completed);

  // Once finished, a duplicate is answered by the caller from the record: no waiter is parked.
  Outcome late = h.submit("j1", "echo", 0, &after);
  EXPECT_TRUE(late.duplicate);
  EXPECT_FALSE(h.job("j1").has_waiters);
  EXPECT_EQ(h.out.replies.size(), 2u);
}

TEST(Scheduler, RegistersAWorkerAndAnnouncesIt) {
  Harness h;
  Outcome r = h.add_worker("a", {"echo", "sha256", "echo"}, 4);
  ASSERT_TRUE(r.ok());
  WorkerSlot ws = h.sched.workers().find_by_routing_id("a");
  ASSERT_NE(ws, kNoWorker);
  const Worker& w = h.sched.workers().at(ws);
  EXPECT_EQ(w.node_id, "node-a");
  EXPECT_EQ(w.operations.size(), 2u);  // duplicates dropped
  EXPECT_EQ(w.capacity, 4u);
  EXPECT_EQ(w.reputation, 0) << "the network's to set, never the node's own Register";
  EXPECT_EQ(w.last_seen_ms, kStartMs);
  ASSERT_EQ(h.out.node_events.size(), 1u);
  EXPECT_EQ(h.out.node_events[0].kind, fb::NodeEventKind::online);
  EXPECT_EQ(h.out.node_events[0].node_id, "node-a");
  EXPECT_EQ(h.sched.workers_online(), 1u);
}

TEST(Scheduler, RejectsASecondRegistrationOnTheSameConnection) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  Outcome again = h.add_worker("a", {"echo"}, 1, 0, "other-node");
  EXPECT_EQ(again.error, fb::ErrorCode::unexpected_message);
  EXPECT_EQ(h.sched.workers_online(), 1u);
  EXPECT_EQ(h.sched.workers().find_by_node_id("other-node"), kNoWorker);
  EXPECT_EQ(h.out.node_events.size(), 1u);
  EXPECT_TRUE(h.out.disconnects.empty());
}

TEST(Scheduler, NewRegistrationOfANodeIdReplacesTheOldWorker) {
  Harness h;
  ASSERT_TRUE(h.add_worker("old", {"echo"}, 2, 0, "n1").ok());
  h.submit("j1");
  h.submit("j2");
  ASSERT_THAT(h.out.assigned_ids("old"), ElementsAre("j1", "j2"));

  ASSERT_TRUE(h.add_worker("new", {"echo"}, 2, 0, "n1").ok());
  ASSERT_EQ(h.out.disconnects.size(), 1u);
  EXPECT_EQ(h.out.disconnects[0].routing_id, "old");
  EXPECT_EQ(h.out.disconnects[0].node_id, "n1");
  EXPECT_FALSE(h.out.disconnects[0].reason.empty());
  ASSERT_EQ(h.out.node_events.size(), 3u);
  EXPECT_EQ(h.out.node_events[1].kind, fb::NodeEventKind::offline);
  EXPECT_EQ(h.out.node_events[1].routing_id, "old");
  EXPECT_EQ(h.out.node_events[2].kind, fb::NodeEventKind::online);
  EXPECT_EQ(h.out.node_events[2].routing_id, "new");

  EXPECT_EQ(h.sched.workers().find_by_routing_id("old"), kNoWorker);
  EXPECT_EQ(h.sched.workers().find_by_node_id("n1"), h.sched.workers().find_by_routing_id("new"));
  EXPECT_EQ(h.sched.workers_online(), 1u);
  EXPECT_EQ(h.sched.counters().requeued_total, 2u);
  for (const char* id : {"j1", "j2"}) {
    EXPECT_EQ(h.out.count(fb::JobEventKind::requeued, id), 1u) << id;
    EXPECT_EQ(h.job(id).attempt, 2u) << id;
    EXPECT_EQ(h.state(id), fb::JobState::active) << id;
  }
  EXPECT_EQ(h.out.assigned_ids("new").size(), 2u);
  EXPECT_EQ(h.result("old", "j1", 1), ResultVerdict::unknown_worker);
  EXPECT_EQ(h.result("new", "j1", 2), ResultVerdict::accepted);
}

TEST(Scheduler, RejectsRegistrationsWithInvalidFields) {
  Harness h;
  EXPECT_EQ(h.add_worker("a", {"echo"}, 0).error, fb::ErrorCode::invalid_argument);
  EXPECT_EQ(h.add_worker("a", {"echo"}, 1025).error, fb::ErrorCode::invalid_argument);
  RegisterArgs r;
  r.routing_id = "a";
  r.node_id = "";
  r.operations = {"echo"};
  EXPECT_EQ(h.sched.register_worker(r).error, fb::ErrorCode::invalid_argument);
  EXPECT_EQ(h.sched.workers_online(), 0u);
  EXPECT_TRUE(h.out.node_events.empty());

  EXPECT_TRUE(h.add_worker("a", {"echo"}, 1024).ok());
}

TEST(Scheduler, WorkerMessagesFromUnknownConnectionsAreRefused) {
  Harness h;
  EXPECT_FALSE(h.sched.touch("ghost"));
  EXPECT_FALSE(h.sched.set_capacity("ghost", 1));
  EXPECT_FALSE(h.sched.progress("ghost", "j", 1));
  EXPECT_FALSE(h.sched.disconnect("ghost"));
  EXPECT_TRUE(h.out.node_events.empty());
}

}  // namespace
TEST(Scheduler, ReputationIsSetByTheNetworkAndIgnoredInRegister) {
  Harness h;
  RegisterArgs r;
  r.routing_id = "self";
  r.node_id = "node-self";
  r.operations = {"echo"};
  r.max_concurrent = 2;
  ASSERT_TRUE(h.sched.register_worker(r).ok());
  ASSERT_TRUE(h.add_worker("other", {"echo"}, 2).ok());
  h.out.clear();
  EXPECT_TRUE(h.sched.set_reputation("node-other", 5));
  EXPECT_FALSE(h.sched.set_reputation("node-nobody", 5));
  ASSERT_EQ(h.out.node_events.size(), 1u) << "a reputation change is a node update";
  EXPECT_EQ(h.out.node_events[0].node_id, "node-other");
  // Equally loaded (0 and 0): the higher reputation takes the job, though it registered later.
  ASSERT_TRUE(h.submit("j1").ok());
  EXPECT_EQ(h.out.assigned_ids("other"), std::vector<std::string>{"j1"});
}

}  // namespace litc::broker::testing
