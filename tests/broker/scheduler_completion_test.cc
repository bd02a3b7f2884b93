// Scheduler completion record and cancel: only the holder's Result for the current attempt counts
// (DESIGN "Exactly-once completion record"), and a cancelled job's slot is held until its Result.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/broker/scheduler_harness.h"

namespace litc::broker::testing {
namespace {

using ::testing::ElementsAre;

TEST(Scheduler, CompletesJobWithTheHoldersResult) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  h.clock.advance(42);
  EXPECT_EQ(h.result("a", "j1", 1, true, "hello"), ResultVerdict::accepted);
  const Job& j = h.job("j1");
  EXPECT_EQ(j.state, fb::JobState::completed);
  EXPECT_EQ(j.result, "hello");
  EXPECT_EQ(j.error, fb::ErrorCode::unknown);
  EXPECT_EQ(j.node_id, "node-a");
  EXPECT_EQ(j.completed_at_ms, kStartMs + 42);
  EXPECT_EQ(h.in_flight("a"), 0u);
  EXPECT_EQ(h.out.job_events.back().kind, fb::JobEventKind::completed);
}

TEST(Scheduler, FailedResultFailsTheJobWithoutDeadLettering) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 2).ok());
  h.submit("bad-input");
  h.submit("no-code");
  EXPECT_EQ(h.result("a", "bad-input", 1, false, "", fb::ErrorCode::access_denied),
            ResultVerdict::accepted);
  EXPECT_EQ(h.result("a", "no-code", 1, false, "", fb::ErrorCode::unknown),
            ResultVerdict::accepted);

  EXPECT_EQ(h.state("bad-input"), fb::JobState::failed);
  EXPECT_EQ(h.job("bad-input").error, fb::ErrorCode::access_denied);
  EXPECT_EQ(h.job("bad-input").result, "it broke");
  EXPECT_EQ(h.job("no-code").error, fb::ErrorCode::operation_failed);  // unknown is not an error
  EXPECT_FALSE(h.job("bad-input").dead_lettered);
  EXPECT_TRUE(h.sched.dead_letters(0).empty());
  EXPECT_EQ(h.sched.counters().requeued_total, 0u);  // an operation error is not retried
}

TEST(Scheduler, RejectsAResultForAnEarlierAttempt) {
  SchedulerOptions o;
  o.lease_ms = 100;
  Harness h(o);
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  ASSERT_TRUE(h.add_worker("b").ok());
  h.advance(100);  // lease lost: attempt 2 goes to b
  ASSERT_EQ(h.job("j1").attempt, 2u);
  ASSERT_EQ(h.job("j1").node_id, "node-b");

  EXPECT_EQ(h.result("a", "j1", 1, true, "from attempt 1"), ResultVerdict::stale);
  EXPECT_EQ(h.sched.counters().stale_results, 1u);
  const Job& j = h.job("j1");
  EXPECT_EQ(j.state, fb::JobState::active);
  EXPECT_EQ(j.attempt, 2u);
  EXPECT_EQ(j.node_id, "node-b");
  EXPECT_EQ(j.result, "");
  EXPECT_EQ(h.out.count(fb::JobEventKind::completed, "j1"), 0u);

  EXPECT_EQ(h.result("b", "j1", 2, true, "from attempt 2"), ResultVerdict::accepted);
  EXPECT_EQ(h.job("j1").result, "from attempt 2");
}

// The lease ran out and the only worker took the job again: it holds attempts 1 and 2 at once.
TEST(Scheduler, RejectsAResultForAnEarlierAttemptFromTheSameWorker) {
  SchedulerOptions o;
  o.lease_ms = 100;
  Harness h(o);
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 2).ok());
  h.submit("j1");
  h.advance(100);
  ASSERT_EQ(h.out.assigns.size(), 2u);
  ASSERT_EQ(h.out.assigns[1].routing_id, "a");
  ASSERT_EQ(h.out.assigns[1].attempt, 2u);
  ASSERT_EQ(h.in_flight("a"), 2u);

  EXPECT_EQ(h.result("a", "j1", 1, true, "attempt 1"), ResultVerdict::stale);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.job("j1").attempt, 2u);
  EXPECT_EQ(h.in_flight("a"), 1u);
  EXPECT_EQ(h.result("a", "j1", 2, true, "attempt 2"), ResultVerdict::accepted);
  EXPECT_EQ(h.job("j1").result, "attempt 2");
  EXPECT_EQ(h.in_flight("a"), 0u);
}

TEST(Scheduler, RejectsAResultForAnEarlierAttemptAfterTheWorkerReconnects) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  h.advance(3001);  // a expired: j1 pending with attempt 2
  ASSERT_EQ(h.state("j1"), fb::JobState::pending);
  ASSERT_TRUE(h.add_worker("a").ok());  // same connection, registers again and takes attempt 2
  ASSERT_EQ(h.job("j1").attempt, 2u);

  EXPECT_EQ(h.result("a", "j1", 1), ResultVerdict::stale);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.in_flight("a"), 1u);  // the stale answer did not free the attempt-2 slot
  EXPECT_EQ(h.result("a", "j1", 2), ResultVerdict::accepted);
}

TEST(Scheduler, RejectsAResultFromAWorkerThatDoesNotHoldTheJob) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  ASSERT_TRUE(h.add_worker("b").ok());
  h.submit("j2");  // b holds j2, attempt 1 too
  EXPECT_EQ(h.result("b", "j1", 1, true, "forged"), ResultVerdict::stale);
  EXPECT_EQ(h.sched.counters().stale_results, 1u);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.in_flight("b"), 1u);  // b's own slot is untouched
  EXPECT_EQ(h.state("j2"), fb::JobState::active);
  EXPECT_EQ(h.result("a", "j1", 1, true, "real"), ResultVerdict::accepted);
  EXPECT_EQ(h.job("j1").result, "real");
}

TEST(Scheduler, RejectsASecondResultForTheSameAttempt) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 2).ok());
  h.submit("j1");
  h.submit("j2");
  EXPECT_EQ(h.result("a", "j1", 1, true, "first"), ResultVerdict::accepted);
  EXPECT_EQ(h.result("a", "j1", 1, false, "second"), ResultVerdict::stale);
  EXPECT_EQ(h.sched.counters().stale_results, 1u);
  EXPECT_EQ(h.state("j1"), fb::JobState::completed);
  EXPECT_EQ(h.job("j1").result, "first");
  EXPECT_EQ(h.out.count(fb::JobEventKind::completed, "j1"), 1u);
  EXPECT_EQ(h.out.count(fb::JobEventKind::failed, "j1"), 0u);
  EXPECT_EQ(h.in_flight("a"), 1u);  // the duplicate did not release j2's slot
}

TEST(Scheduler, CountsAResultFromAnUnknownConnection) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  EXPECT_EQ(h.result("ghost", "j1", 1), ResultVerdict::unknown_worker);
  EXPECT_EQ(h.sched.counters().stale_results, 1u);
  EXPECT_EQ(h.state("j1"), fb::JobState::active);
  EXPECT_EQ(h.result("a", "unknown-job", 1), ResultVerdict::stale);
  EXPECT_EQ(h.sched.counters().stale_results, 2u);
  EXPECT_EQ(h.in_flight("a"), 1u);
}

TEST(Scheduler, CancelledPendingJobIsNeverAssigned) {
  Harness h;
  h.submit("j1");
  h.submit("j2");
  h.clock.advance(5);
  Outcome c = h.sched.cancel("j1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.slot, h.sched.find("j1"));
  const Job& j = h.job("j1");
  EXPECT_EQ(j.state, fb::JobState::cancelled);
  EXPECT_EQ(j.error, fb::ErrorCode::cancelled);
  EXPECT_EQ(j.completed_at_ms, kStartMs + 5);
  EXPECT_EQ(h.out.count(fb::JobEventKind::cancelled, "j1"), 1u);
  EXPECT_TRUE(h.out.cancels.empty());  // no worker to tell

  ASSERT_TRUE(h.add_worker("a", {"echo"}, 4).ok());
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("j2"));
  h.advance(10'000);
  h.sched.touch("a");
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("j2"));
  EXPECT_EQ(h.state("j1"), fb::JobState::cancelled);
}

TEST(Scheduler, CancelledActiveJobHoldsTheSlotUntilItsResult) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  h.submit("j2");
  ASSERT_TRUE(h.sched.cancel("j1").ok());
  ASSERT_EQ(h.out.cancels.size(), 1u);
  EXPECT_EQ(h.out.cancels[0].routing_id, "a");
  EXPECT_EQ(h.out.cancels[0].job_id, "j1");
  EXPECT_EQ(h.out.cancels[0].attempt, 1u);
  EXPECT_EQ(h.state("j1"), fb::JobState::cancelled);
  EXPECT_EQ(h.in_flight("a"), 1u);
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("j1"));  // j2 waits for the slot

  EXPECT_EQ(h.result("a", "j1", 1, true, "too late"), ResultVerdict::after_cancel);
  EXPECT_EQ(h.sched.counters().results_after_cancel, 1u);
  EXPECT_EQ(h.sched.counters().stale_results, 0u);
  EXPECT_EQ(h.state("j1"), fb::JobState::cancelled);
  EXPECT_EQ(h.job("j1").error, fb::ErrorCode::cancelled);
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("j1", "j2"));
  EXPECT_EQ(h.in_flight("a"), 1u);

  // A second answer for the cancelled job is an ordinary stale result and frees nothing.
  EXPECT_EQ(h.result("a", "j1", 1), ResultVerdict::stale);
  EXPECT_EQ(h.sched.counters().results_after_cancel, 1u);
  EXPECT_EQ(h.sched.counters().stale_results, 1u);
  EXPECT_EQ(h.in_flight("a"), 1u);
}

TEST(Scheduler, CancelledJobIsNotRequeuedWhenItsWorkerDies) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("j1");
  ASSERT_TRUE(h.sched.cancel("j1").ok());
  ASSERT_TRUE(h.sched.disconnect("a"));
  EXPECT_EQ(h.state("j1"), fb::JobState::cancelled);
  EXPECT_EQ(h.sched.counters().requeued_total, 0u);
  EXPECT_EQ(h.out.count(fb::JobEventKind::requeued, "j1"), 0u);
}

TEST(Scheduler, CancelRejectsFinishedAndUnknownJobs) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 3).ok());
  h.submit("done");
  h.submit("broken");
  h.submit("cancelled");
  ASSERT_EQ(h.result("a", "done", 1), ResultVerdict::accepted);
  ASSERT_EQ(h.result("a", "broken", 1, false), ResultVerdict::accepted);
  ASSERT_TRUE(h.sched.cancel("cancelled").ok());
  std::size_t events = h.out.job_events.size();
  std::size_t cancels = h.out.cancels.size();

  for (const char* id : {"done", "broken", "cancelled"}) {
    Outcome r = h.sched.cancel(id);
    EXPECT_EQ(r.error, fb::ErrorCode::already_finished) << id;
    EXPECT_EQ(r.slot, kNoJob);
  }
  EXPECT_EQ(h.sched.cancel("nope").error, fb::ErrorCode::not_found);
  EXPECT_EQ(h.out.job_events.size(), events);
  EXPECT_EQ(h.out.cancels.size(), cancels);
  EXPECT_EQ(h.state("done"), fb::JobState::completed);
  EXPECT_EQ(h.state("broken"), fb::JobState::failed);
}

}  // namespace
}  // namespace litc::broker::testing
