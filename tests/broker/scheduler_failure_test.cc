// Scheduler failure handling: heartbeat expiry, leases, max attempts and dead letters, replay, hard
// timeouts and TTLs (DESIGN points "Failure" and "Timeouts"), all driven by the fake clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/broker/scheduler_harness.h"

namespace litc::broker::testing {
namespace {

using ::testing::ElementsAre;

SchedulerOptions with_lease(uint32_t lease_ms) {
  SchedulerOptions o;
  o.lease_ms = lease_ms;
  return o;
}

SubmitArgs args(std::string_view id, uint32_t max_attempts = 0, uint32_t ttl_ms = 0,
                uint32_t timeout_ms = 0) {
  SubmitArgs a;
  a.job_id = id;
  a.operation = "echo";
  a.input = "in";
  a.max_attempts = max_attempts;
  a.ttl_ms = ttl_ms;
  a.timeout_ms = timeout_ms;
  return a;
}

TEST(Scheduler, RequeuesJobWhenWorkerMissesHeartbeats) {
  Harness h;  // heartbeat 1000 ms x liveness 3
  ASSERT_EQ(h.sched.heartbeat_expiry_ms(), 3000u);
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  ASSERT_TRUE(h.add_worker("b").ok());
  ASSERT_THAT(h.out.assigned_ids("a"), ElementsAre("j1"));

  h.advance(2000);
  ASSERT_TRUE(h.sched.touch("b"));
  h.advance(1000);  // a silent for exactly 3000 ms: still alive
  EXPECT_EQ(h.sched.workers_online(), 2u);
  EXPECT_EQ(h.out.count(fb::NodeEventKind::offline, "node-a"), 0u);

  h.advance(1);  // 3001 ms
  EXPECT_EQ(h.out.count(fb::NodeEventKind::offline, "node-a"), 1u);
  EXPECT_EQ(h.sched.workers().find_by_routing_id("a"), kNoWorker);
  EXPECT_EQ(h.sched.workers_online(), 1u);
  EXPECT_EQ(h.sched.counters().workers_expired, 1u);
  EXPECT_EQ(h.sched.counters().requeued_total, 1u);

  std::vector<JobEventRec> ev = h.out.events_for("j1");
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[2].kind, fb::JobEventKind::requeued);
  EXPECT_EQ(ev[2].state, fb::JobState::pending);
  EXPECT_EQ(ev[2].attempt, 2u);
  EXPECT_EQ(ev[3].kind, fb::JobEventKind::assigned);
  EXPECT_EQ(ev[3].attempt, 2u);
  EXPECT_EQ(ev[3].node_id, "node-b");

  ASSERT_EQ(h.out.assigns.size(), 2u);
  EXPECT_EQ(h.out.assigns[1].routing_id, "b");
  EXPECT_EQ(h.out.assigns[1].attempt, 2u);
  EXPECT_EQ(h.result("b", "j1", 2), ResultVerdict::accepted);
  EXPECT_EQ(h.state("j1"), fb::JobState::completed);

  // The dead worker's late answer is from a connection the scheduler no longer knows.
  EXPECT_EQ(h.result("a", "j1", 1), ResultVerdict::unknown_worker);
}

TEST(Scheduler, TouchKeepsAWorkerAlive) {
  Harness h(with_lease(0));  // only heartbeats decide here
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  for (int i = 0; i < 10; ++i) {
    h.advance(2500);
    ASSERT_TRUE(h.sched.touch("a"));
  }
  EXPECT_EQ(h.sched.workers_online(), 1u);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.job("j1").attempt, 1u);
  EXPECT_EQ(h.out.node_events.size(), 1u);  // only "online"

  // A Result is a sign of life too.
  h.advance(2500);
  EXPECT_EQ(h.result("a", "j1", 1), ResultVerdict::accepted);
  h.advance(2500);
  EXPECT_EQ(h.sched.workers_online(), 1u);

  h.advance(1000);  // 3500 ms since the Result
  EXPECT_EQ(h.sched.workers_online(), 0u);
  EXPECT_FALSE(h.sched.touch("a"));
}

// The Clock is a wall clock; one stepped back (NTP) must not make a worker look silent.
TEST(Scheduler, WallClockSteppingBackDoesNotExpireWorkers) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.clock.now -= 5000;
  h.sched.tick();
  EXPECT_EQ(h.sched.workers_online(), 1u);
  EXPECT_EQ(h.sched.counters().workers_expired, 0u);
}

TEST(Scheduler, RequeuesJobWhenItsLeaseExpires) {
  Harness h(with_lease(500));
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  ASSERT_TRUE(h.add_worker("b").ok());
  ASSERT_THAT(h.out.assigned_ids("a"), ElementsAre("j1"));

  h.advance(499);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_TRUE(h.out.cancels.empty());

  h.advance(1);
  ASSERT_EQ(h.out.cancels.size(), 1u);
  EXPECT_EQ(h.out.cancels[0].routing_id, "a");
  EXPECT_EQ(h.out.cancels[0].job_id, "j1");
  EXPECT_EQ(h.out.cancels[0].attempt, 1u);
  EXPECT_EQ(h.out.count(fb::JobEventKind::requeued, "j1"), 1u);
  EXPECT_EQ(h.sched.counters().requeued_total, 1u);
  // Re-queued with attempt 2 and placed on the other worker: a still holds its slot.
  EXPECT_EQ(h.in_flight("a"), 1u);
  EXPECT_THAT(h.out.assigned_ids("b"), ElementsAre("j1"));
  EXPECT_EQ(h.job("j1").attempt, 2u);
  EXPECT_EQ(h.job("j1").node_id, "node-b");

  // a's late Result frees a's slot and changes nothing else.
  EXPECT_EQ(h.result("a", "j1", 1), ResultVerdict::stale);
  EXPECT_EQ(h.sched.counters().stale_results, 1u);
  EXPECT_EQ(h.in_flight("a"), 0u);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);

  EXPECT_EQ(h.result("b", "j1", 2), ResultVerdict::accepted);
  EXPECT_EQ(h.state("j1"), fb::JobState::completed);
}

TEST(Scheduler, ProgressRenewsTheLease) {
  Harness h(with_lease(500));
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");

  h.advance(400);
  EXPECT_TRUE(h.sched.progress("a", "j1", 1));
  EXPECT_EQ(h.out.count(fb::JobEventKind::progress, "j1"), 1u);
  // Progress for another attempt, or an unknown job, renews nothing and emits nothing.
  EXPECT_TRUE(h.sched.progress("a", "j1", 7));
  EXPECT_TRUE(h.sched.progress("a", "nope", 1));
  EXPECT_FALSE(h.sched.progress("stranger", "j1", 1));
  EXPECT_EQ(h.out.count(fb::JobEventKind::progress, "j1"), 1u);

  h.advance(499);  // 899 ms: past the first lease (500), inside the renewed one (900)
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.job("j1").attempt, 1u);
  EXPECT_TRUE(h.out.cancels.empty());

  h.advance(1);
  EXPECT_EQ(h.out.cancels.size(), 1u);
  EXPECT_EQ(h.out.count(fb::JobEventKind::requeued, "j1"), 1u);
  EXPECT_EQ(h.job("j1").attempt, 2u);
}

TEST(Scheduler, NoLeaseWhenLeaseMsIsZero) {
  Harness h(with_lease(0));
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  for (int i = 0; i < 20; ++i) {
    h.advance(2000);
    h.sched.touch("a");
  }
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.job("j1").attempt, 1u);
  EXPECT_TRUE(h.out.cancels.empty());
}

TEST(Scheduler, FailsAndDeadLettersAJobPastMaxAttempts) {
  Harness h;
  ASSERT_TRUE(h.submit(args("j1", /*max_attempts=*/2)).ok());
  ASSERT_TRUE(h.add_worker("a").ok());
  ASSERT_TRUE(h.sched.disconnect("a"));  // attempt 1 lost
  ASSERT_TRUE(h.add_worker("b").ok());
  EXPECT_EQ(h.job("j1").attempt, 2u);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  ASSERT_TRUE(h.sched.disconnect("b"));  // attempt 2 lost: no more attempts

  const Job& j = h.job("j1");
  EXPECT_EQ(j.state, fb::JobState::failed);
  EXPECT_EQ(j.error, fb::ErrorCode::max_attempts_exceeded);
  EXPECT_TRUE(j.dead_lettered);
  EXPECT_THAT(h.sched.dead_letters(0), ElementsAre(h.sched.find("j1")));
  EXPECT_EQ(h.sched.counters().requeued_total, 1u);
  EXPECT_THAT(h.out.kinds_for("j1"),
              ElementsAre(fb::JobEventKind::submitted, fb::JobEventKind::assigned,
                          fb::JobEventKind::requeued, fb::JobEventKind::assigned,
                          fb::JobEventKind::failed));
  EXPECT_EQ(h.out.job_events.back().error, fb::ErrorCode::max_attempts_exceeded);
  EXPECT_TRUE(h.out.job_events.back().dead_lettered);

  // A new worker does not get it.
  ASSERT_TRUE(h.add_worker("c").ok());
  EXPECT_EQ(h.out.assigned_ids("c").size(), 0u);
}

TEST(Scheduler, MaxAttemptsCountsLeaseExpiriesToo) {
  Harness h(with_lease(100));
  ASSERT_TRUE(h.submit(args("j1", /*max_attempts=*/3)).ok());
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 3).ok());
  for (int i = 0; i < 3; ++i) h.advance(100);
  EXPECT_EQ(h.state("j1"), fb::JobState::failed);
  EXPECT_EQ(h.job("j1").error, fb::ErrorCode::max_attempts_exceeded);
  EXPECT_EQ(h.job("j1").attempt, 3u);
  EXPECT_EQ(h.out.assigns.size(), 3u);
  EXPECT_EQ(h.out.cancels.size(), 3u);  // every abandoned attempt is told to stop
  EXPECT_EQ(h.in_flight("a"), 3u);      // and holds its slot until a answers
}

TEST(Scheduler, ReplayPutsADeadLetterBackToPendingWithTheNextAttemptAndAFreshBudget) {
  Harness h;
  ASSERT_TRUE(h.submit(args("j1", /*max_attempts=*/2)).ok());
  ASSERT_TRUE(h.add_worker("a").ok());
  ASSERT_TRUE(h.sched.disconnect("a"));
  ASSERT_TRUE(h.add_worker("a2").ok());
  ASSERT_TRUE(h.sched.disconnect("a2"));
  ASSERT_EQ(h.job("j1").error, fb::ErrorCode::max_attempts_exceeded);
  ASSERT_EQ(h.job("j1").attempt, 2u);
  ASSERT_EQ(h.sched.dead_letters(0).size(), 1u);

  Waiter w{"client", 9};
  Outcome r = h.sched.replay("j1", &w);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.slot, h.sched.find("j1"));
  const Job& j = h.job("j1");
  EXPECT_EQ(j.state, fb::JobState::pending);
  EXPECT_EQ(j.attempt, 3u);
  EXPECT_FALSE(j.dead_lettered);
  EXPECT_EQ(j.error, fb::ErrorCode::unknown);
  EXPECT_TRUE(h.sched.dead_letters(0).empty());
  EXPECT_EQ(h.sched.counters().in(fb::JobState::failed), 0u);
  EXPECT_EQ(h.sched.counters().in(fb::JobState::pending), 1u);
  EXPECT_EQ(h.out.job_events.back().kind, fb::JobEventKind::replayed);
  EXPECT_EQ(h.out.job_events.back().state, fb::JobState::pending);
  EXPECT_EQ(h.out.job_events.back().attempt, 3u);

  ASSERT_TRUE(h.add_worker("b").ok());
  ASSERT_EQ(h.out.assigns.back().routing_id, "b");
  EXPECT_EQ(h.out.assigns.back().attempt, 3u);
  EXPECT_EQ(h.result("b", "j1", 3, true, "done"), ResultVerdict::accepted);
  EXPECT_EQ(h.state("j1"), fb::JobState::completed);
  EXPECT_EQ(h.job("j1").result, "done");
  ASSERT_EQ(h.out.replies.size(), 1u);
  EXPECT_EQ(h.out.replies[0].client, "client");
  EXPECT_EQ(h.out.replies[0].request_id, 9u);
  EXPECT_EQ(h.out.replies[0].state, fb::JobState::completed);
}

TEST(Scheduler, ReplayRejectsJobsThatAreNotDeadLettered) {
  Harness h;
  h.submit("pending");
  ASSERT_TRUE(h.add_worker("a", {"sha256"}, 2).ok());
  h.submit("done", "sha256");
  h.submit("broken", "sha256");
  ASSERT_EQ(h.result("a", "done", 1), ResultVerdict::accepted);
  ASSERT_EQ(h.result("a", "broken", 1, false), ResultVerdict::accepted);
  ASSERT_EQ(h.state("broken"), fb::JobState::failed);
  ASSERT_FALSE(h.job("broken").dead_lettered);

  for (const char* id : {"pending", "done", "broken"}) {
    Outcome r = h.sched.replay(id);
    EXPECT_EQ(r.error, fb::ErrorCode::already_finished) << id;
    EXPECT_EQ(r.slot, kNoJob);
  }
  EXPECT_EQ(h.sched.replay("nope").error, fb::ErrorCode::not_found);
  EXPECT_EQ(h.state("done"), fb::JobState::completed);
  EXPECT_EQ(h.state("broken"), fb::JobState::failed);
  EXPECT_EQ(h.out.count(fb::JobEventKind::replayed, "broken"), 0u);
}

TEST(Scheduler, ReplayedJobGetsAFreshTtl) {
  Harness h;
  ASSERT_TRUE(h.submit(args("j1", 0, /*ttl_ms=*/100)).ok());
  h.advance(100);
  ASSERT_EQ(h.job("j1").error, fb::ErrorCode::expired);
  h.advance(5000);
  ASSERT_TRUE(h.sched.replay("j1").ok());
  h.advance(99);
  EXPECT_EQ(h.state("j1"), fb::JobState::pending);
  h.advance(1);
  EXPECT_EQ(h.state("j1"), fb::JobState::failed);
  EXPECT_EQ(h.job("j1").error, fb::ErrorCode::expired);
  EXPECT_TRUE(h.job("j1").dead_lettered);
  EXPECT_EQ(h.out.count(fb::JobEventKind::failed, "j1"), 2u);
}

TEST(Scheduler, HardTimeoutFailsJobAndHoldsTheSlotUntilTheWorkerAnswers) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  ASSERT_TRUE(h.submit(args("slow", 0, 0, /*timeout_ms=*/1000)).ok());
  h.submit("next");
  ASSERT_THAT(h.out.assigned_ids(), ElementsAre("slow"));

  h.advance(999);
  EXPECT_EQ(h.state("slow"), fb::JobState::active);
  h.advance(1);

  const Job& j = h.job("slow");
  EXPECT_EQ(j.state, fb::JobState::failed);
  EXPECT_EQ(j.error, fb::ErrorCode::timeout);
  EXPECT_TRUE(j.dead_lettered);  // DESIGN: timeouts and expiries are both dead-lettered
  ASSERT_EQ(h.out.cancels.size(), 1u);
  EXPECT_EQ(h.out.cancels[0].routing_id, "a");
  EXPECT_EQ(h.out.cancels[0].job_id, "slow");
  EXPECT_EQ(h.out.cancels[0].attempt, 1u);
  EXPECT_EQ(h.out.count(fb::JobEventKind::failed, "slow"), 1u);
  EXPECT_EQ(h.sched.counters().requeued_total, 0u);

  // a is still running it: its slot stays taken, "next" waits.
  EXPECT_EQ(h.in_flight("a"), 1u);
  EXPECT_EQ(h.state("next"), fb::JobState::pending);
  h.advance(500);
  h.sched.touch("a");
  EXPECT_EQ(h.state("next"), fb::JobState::pending);

  // Its Result does not complete the failed job; it frees the slot.
  EXPECT_EQ(h.result("a", "slow", 1, true, "late"), ResultVerdict::stale);
  EXPECT_EQ(h.sched.counters().stale_results, 1u);
  EXPECT_EQ(h.sched.counters().results_after_cancel, 0u);
  EXPECT_EQ(h.state("slow"), fb::JobState::failed);
  EXPECT_EQ(h.job("slow").error, fb::ErrorCode::timeout);
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("slow", "next"));
}

TEST(Scheduler, DefaultTimeoutAppliesWhenTheJobGivesNone) {
  SchedulerOptions o;
  o.default_timeout_ms = 700;
  Harness h(o);
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  EXPECT_EQ(h.job("j1").timeout_ms, 700u);
  h.advance(700);
  EXPECT_EQ(h.job("j1").error, fb::ErrorCode::timeout);
}

TEST(Scheduler, ExpiresAPendingJobPastItsTtl) {
  Harness h;
  ASSERT_TRUE(h.submit(args("j1", 0, /*ttl_ms=*/1000)).ok());
  h.submit("forever");  // no ttl: waits forever
  h.advance(999);
  EXPECT_EQ(h.state("j1"), fb::JobState::pending);
  h.advance(1);

  const Job& j = h.job("j1");
  EXPECT_EQ(j.state, fb::JobState::failed);
  EXPECT_EQ(j.error, fb::ErrorCode::expired);
  EXPECT_TRUE(j.dead_lettered);
  EXPECT_THAT(h.sched.dead_letters(0), ElementsAre(h.sched.find("j1")));
  EXPECT_EQ(h.out.count(fb::JobEventKind::failed, "j1"), 1u);

  h.advance(100'000);
  EXPECT_EQ(h.state("forever"), fb::JobState::pending);
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 2).ok());
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("forever"));
}

TEST(Scheduler, DefaultTtlAppliesWhenTheJobGivesNone) {
  SchedulerOptions o;
  o.default_ttl_ms = 250;
  Harness h(o);
  h.submit("j1");
  h.advance(250);
  EXPECT_EQ(h.job("j1").error, fb::ErrorCode::expired);
}

TEST(Scheduler, TtlDoesNotExpireAnAssignedJob) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  ASSERT_TRUE(h.submit(args("j1", 0, /*ttl_ms=*/1000)).ok());
  ASSERT_EQ(h.state("j1"), fb::JobState::active);
  h.advance(1500);
  h.sched.touch("a");
  h.advance(1500);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.result("a", "j1", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.state("j1"), fb::JobState::completed);
  EXPECT_EQ(h.out.count(fb::JobEventKind::failed, "j1"), 0u);
}

}  // namespace
}  // namespace litc::broker::testing

namespace litc::broker::testing {
namespace {

TEST(Scheduler, LateResultFromBeforeAReplayCannotCompleteTheReplayedJob) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 2).ok());
  ASSERT_TRUE(h.submit(args("j1", 0, 0, /*timeout_ms=*/1000)).ok());
  ASSERT_EQ(h.job("j1").attempt, 1u);
  h.advance(1001);  // timed out: failed, dead-lettered; a keeps the slot and keeps running
  ASSERT_EQ(h.state("j1"), fb::JobState::failed);
  ASSERT_TRUE(h.sched.replay("j1").ok());
  ASSERT_EQ(h.state("j1"), fb::JobState::active);  // a's second slot
  ASSERT_EQ(h.out.assigns.back().routing_id, "a");
  uint32_t replayed_attempt = h.out.assigns.back().attempt;
  EXPECT_GT(replayed_attempt, 1u);

  EXPECT_EQ(h.result("a", "j1", 1, true, "old run"), ResultVerdict::stale);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.result("a", "j1", replayed_attempt, true, "new run"), ResultVerdict::accepted);
  EXPECT_EQ(h.job("j1").result, "new run");
  EXPECT_EQ(h.in_flight("a"), 0u);
}

}  // namespace
}  // namespace litc::broker::testing

namespace litc::broker::testing {
namespace {

TEST(Scheduler, DeadlinesOfFinishedJobsDoNotAccumulate) {
  Harness h;  // default timeout and lease: every assignment pushes two deadlines
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 4).ok());
  for (int i = 0; i < 50'000; ++i) {
    ASSERT_TRUE(h.submit(args("")).ok());
    const auto& a = h.out.assigns.back();
    ASSERT_EQ(h.result(a.routing_id, a.job_id, a.attempt), ResultVerdict::accepted);
  }
  // Nothing is running, so nearly all 100,000 pushed deadlines are dead; compaction bounds them.
  EXPECT_LT(h.sched.deadline_count(), 6000u);
  // And compaction never drops a live one: a running job still times out.
  ASSERT_TRUE(h.submit(args("slow", 0, 0, /*timeout_ms=*/500)).ok());
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_TRUE(h.submit(args("")).ok());
    const auto& a = h.out.assigns.back();
    ASSERT_EQ(h.result(a.routing_id, a.job_id, a.attempt), ResultVerdict::accepted);
  }
  h.advance(501);
  EXPECT_EQ(h.state("slow"), fb::JobState::failed);
  EXPECT_EQ(h.job("slow").error, fb::ErrorCode::timeout);
}

}  // namespace
}  // namespace litc::broker::testing
