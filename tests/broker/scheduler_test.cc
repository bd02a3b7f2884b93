// Scheduler order and placement: priority then FIFO, capability routing, capacity and Credit,
// least loaded / reputation / longest registered (DESIGN points "Order", "Placement", "slot").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/broker/scheduler_harness.h"

namespace litc::broker::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

TEST(Scheduler, DispatchesHigherPriorityFirst) {
  Harness h;
  h.submit("low", "echo", 0);
  h.submit("mid", "echo", 5);
  h.submit("negative", "echo", -3);
  h.submit("high", "echo", 10);
  h.submit("mid2", "echo", 5);
  EXPECT_TRUE(h.out.assigns.empty());
  ASSERT_TRUE(h.add_worker("w").ok());
  EXPECT_THAT(h.complete_all(), ElementsAre("high", "mid", "mid2", "low", "negative"));
}

TEST(Scheduler, KeepsSubmitOrderWithinAPriorityForManyJobs) {
  Harness h;
  std::map<int32_t, std::vector<std::string>> by_priority;
  for (int i = 0; i < 300; ++i) {
    int32_t p = (i * 7) % 3;  // 0, 1, 2 interleaved
    std::string id = numbered("j", i);
    ASSERT_TRUE(h.submit(id, "echo", p).ok());
    by_priority[p].push_back(id);
  }
  ASSERT_TRUE(h.add_worker("w").ok());
  std::vector<std::string> expected;
  for (int32_t p : {2, 1, 0}) {
    expected.insert(expected.end(), by_priority[p].begin(), by_priority[p].end());
  }
  EXPECT_THAT(h.complete_all(), ElementsAreArray(expected));
}

TEST(Scheduler, OrdersAcrossOperationsByPriorityThenSubmitOrder) {
  Harness h;
  h.submit("e1", "echo", 1);
  h.submit("s1", "sha256", 1);
  h.submit("e2", "echo", 1);
  h.submit("s2", "sha256", 2);
  h.submit("l1", "sleep", 0);
  h.submit("s3", "sha256", 1);
  ASSERT_TRUE(h.add_worker("w", {"echo", "sha256", "sleep"}).ok());
  EXPECT_THAT(h.complete_all(), ElementsAre("s2", "e1", "s1", "e2", "s3", "l1"));
}

TEST(Scheduler, RequeuedJobGoesToTheHeadOfItsPriority) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("first", "echo", 0);  // taken by a
  h.submit("second", "echo", 0);
  h.submit("third", "echo", 0);
  h.submit("urgent", "echo", 1);
  ASSERT_THAT(h.out.assigned_ids("a"), ElementsAre("first"));

  ASSERT_TRUE(h.sched.disconnect("a"));
  EXPECT_EQ(h.state("first"), fb::JobState::pending);
  EXPECT_EQ(h.job("first").attempt, 2u);

  std::size_t from = h.out.assigns.size();
  ASSERT_TRUE(h.add_worker("b").ok());
  // Higher priority still goes first; the re-queued job is ahead of every newer job of its own.
  EXPECT_THAT(h.complete_all(from), ElementsAre("urgent", "first", "second", "third"));
  EXPECT_EQ(h.out.assigns[from + 1].attempt, 2u);
}

// Several jobs re-queued at once (their worker died) are all older than the jobs still pending, and
// among themselves they keep submit order.
TEST(Scheduler, RequeuedJobsKeepSubmitOrderAmongThemselves) {
  Harness h;
  ASSERT_TRUE(h.add_worker("a", {"echo"}, 3).ok());
  for (const char* id : {"j1", "j2", "j3", "j4"}) h.submit(id);
  ASSERT_THAT(h.out.assigned_ids("a"), ElementsAre("j1", "j2", "j3"));

  ASSERT_TRUE(h.sched.disconnect("a"));
  std::size_t from = h.out.assigns.size();
  ASSERT_TRUE(h.add_worker("b").ok());
  EXPECT_THAT(h.complete_all(from), ElementsAre("j1", "j2", "j3", "j4"));
}

TEST(Scheduler, SendsAJobOnlyToAWorkerWithItsOperation) {
  Harness h;
  ASSERT_TRUE(h.add_worker("echoer", {"echo"}, 5).ok());
  ASSERT_TRUE(h.add_worker("hasher", {"sha256"}, 5).ok());
  for (int i = 0; i < 4; ++i) {
    h.submit(numbered("e", i), "echo");
    h.submit(numbered("s", i), "sha256");
  }
  EXPECT_THAT(h.out.assigned_ids("echoer"), ElementsAre("e0", "e1", "e2", "e3"));
  EXPECT_THAT(h.out.assigned_ids("hasher"), ElementsAre("s0", "s1", "s2", "s3"));
}

TEST(Scheduler, JobWaitsUntilAWorkerWithItsOperationRegisters) {
  Harness h;
  // An operation outside the catalogue is ignored; the worker can still run echo.
  ASSERT_TRUE(h.add_worker("echoer", {"echo", "resize"}, 4).ok());
  h.submit("hash-me", "sha256");
  h.submit("echo-me", "echo");
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("echo-me"));
  EXPECT_EQ(h.state("hash-me"), fb::JobState::pending);

  h.advance(1000);  // time alone does not place it
  EXPECT_EQ(h.state("hash-me"), fb::JobState::pending);

  ASSERT_TRUE(h.add_worker("hasher", {"sha256"}).ok());
  EXPECT_THAT(h.out.assigned_ids("hasher"), ElementsAre("hash-me"));
  EXPECT_EQ(h.state("hash-me"), fb::JobState::active);
  EXPECT_EQ(h.job("hash-me").node_id, "node-hasher");
}

// Many jobs, workers of different sizes answering in a random order: at every step a worker holds
// at most its max_concurrent, and the scheduler's own in-flight count agrees with what was sent.
TEST(Scheduler, NeverAssignsAWorkerMoreThanItsCapacity) {
  Harness h;
  const std::map<std::string, uint32_t> capacity{{"w1", 1}, {"w2", 3}, {"w5", 5}};
  for (const auto& [rid, cap] : capacity) ASSERT_TRUE(h.add_worker(rid, {"echo"}, cap).ok());

  std::map<std::string, std::vector<std::pair<std::string, uint32_t>>> held;
  std::size_t seen = 0;
  std::size_t max_seen_total = 0;
  auto check = [&] {
    for (; seen < h.out.assigns.size(); ++seen) {
      const AssignRec& a = h.out.assigns[seen];
      held[a.routing_id].emplace_back(a.job_id, a.attempt);
    }
    std::size_t total = 0;
    for (const auto& [rid, cap] : capacity) {
      ASSERT_LE(held[rid].size(), cap) << rid;
      ASSERT_EQ(h.in_flight(rid), held[rid].size()) << rid;
      total += held[rid].size();
    }
    max_seen_total = std::max(max_seen_total, total);
  };

  std::mt19937 rng(12345);
  constexpr int kJobs = 400;
  int submitted = 0;
  std::set<std::string> completed;
  for (;;) {
    bool any_held = false;
    for (auto& [rid, v] : held) any_held |= !v.empty();
    if (submitted < kJobs && (!any_held || rng() % 3 != 0)) {
      ASSERT_TRUE(h.submit(numbered("j", submitted++)).ok());
    } else if (any_held) {
      std::vector<std::string> busy;
      for (auto& [rid, v] : held) {
        if (!v.empty()) busy.push_back(rid);
      }
      std::string rid = busy[rng() % busy.size()];
      auto& v = held[rid];
      std::size_t i = rng() % v.size();
      auto [job_id, attempt] = v[i];
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      ASSERT_EQ(h.result(rid, job_id, attempt), ResultVerdict::accepted);
      ASSERT_TRUE(completed.insert(job_id).second) << job_id << " completed twice";
    } else {
      break;
    }
    check();
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(completed.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(h.sched.counters().in(fb::JobState::completed), static_cast<uint64_t>(kJobs));
  EXPECT_EQ(max_seen_total, 9u);  // the queue did fill every slot at some point
}

TEST(Scheduler, DrainingWorkerGetsNoNewJobsUntilCreditIsRaised) {
  Harness h;
  ASSERT_TRUE(h.add_worker("w", {"echo"}, 2).ok());
  ASSERT_TRUE(h.sched.set_capacity("w", 0));
  for (const char* id : {"j1", "j2", "j3"}) h.submit(id);
  EXPECT_TRUE(h.out.assigns.empty());

  ASSERT_TRUE(h.sched.set_capacity("w", 1));
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("j1"));

  ASSERT_TRUE(h.sched.set_capacity("w", 50));  // clamped to max_concurrent = 2
  EXPECT_THAT(h.out.assigned_ids(), ElementsAre("j1", "j2"));

  // Drain again with two in flight: their Results free slots, but nothing new is sent.
  ASSERT_TRUE(h.sched.set_capacity("w", 0));
  EXPECT_EQ(h.result("w", "j1", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.result("w", "j2", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.out.assigns.size(), 2u);
  EXPECT_EQ(h.state("j3"), fb::JobState::pending);

  std::vector<uint32_t> caps;
  for (const NodeEventRec& e : h.out.node_events) {
    if (e.kind == fb::NodeEventKind::capacity) caps.push_back(e.capacity);
  }
  EXPECT_THAT(caps, ElementsAre(0u, 1u, 2u, 0u));
  EXPECT_FALSE(h.sched.set_capacity("nobody", 1));
}

TEST(Scheduler, PrefersTheLeastLoadedWorker) {
  Harness h;
  ASSERT_TRUE(h.add_worker("busy", {"echo"}, 3, /*reputation=*/100).ok());
  h.submit("j1");
  h.submit("j2");
  ASSERT_THAT(h.out.assigned_ids("busy"), ElementsAre("j1", "j2"));

  // A newcomer with a far lower reputation is still preferred while it holds fewer jobs.
  ASSERT_TRUE(h.add_worker("idle", {"echo"}, 3, /*reputation=*/-100).ok());
  h.submit("j3");
  h.submit("j4");
  EXPECT_THAT(h.out.assigned_ids("idle"), ElementsAre("j3", "j4"));
  h.submit("j5");  // 2 vs 2 in flight: reputation decides
  EXPECT_THAT(h.out.assigned_ids("busy"), ElementsAre("j1", "j2", "j5"));
}

TEST(Scheduler, HigherReputationBreaksLoadTies) {
  Harness h;
  ASSERT_TRUE(h.add_worker("low", {"echo"}, 1, 1).ok());
  ASSERT_TRUE(h.add_worker("high", {"echo"}, 1, 10).ok());
  ASSERT_TRUE(h.add_worker("mid", {"echo"}, 1, 5).ok());
  for (const char* id : {"j1", "j2", "j3"}) h.submit(id);
  ASSERT_EQ(h.out.assigns.size(), 3u);
  EXPECT_EQ(h.out.assigns[0].routing_id, "high");
  EXPECT_EQ(h.out.assigns[1].routing_id, "mid");
  EXPECT_EQ(h.out.assigns[2].routing_id, "low");
}

// DESIGN: "... then higher reputation, then the longest registered". Worker slots are reused after
// a worker leaves, so the registration order must not be read from the slot number.
TEST(Scheduler, LongestRegisteredBreaksLoadAndReputationTies) {
  Harness h;
  ASSERT_TRUE(h.add_worker("gone").ok());
  ASSERT_TRUE(h.add_worker("old").ok());
  ASSERT_TRUE(h.sched.disconnect("gone"));
  ASSERT_TRUE(h.add_worker("new").ok());
  h.submit("j1");
  ASSERT_EQ(h.out.assigns.size(), 1u);
  EXPECT_EQ(h.out.assigns[0].routing_id, "old");
}

}  // namespace
}  // namespace litc::broker::testing
