// Scheduler events, counters and retention: every transition is exactly one job_event that the
// state diagram allows, counters().in(state) matches the table, and finished jobs are evicted
// oldest first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/broker/scheduler_harness.h"

namespace litc::broker::testing {
namespace {

using ::testing::ElementsAre;
using K = fb::JobEventKind;
using S = fb::JobState;

// Replays recorded job events through the diagram in schemas/PROTOCOL.md "Job states".
class StateMachineChecker {
 public:
  struct Track {
    S state = S::unknown;  // unknown = (new)
    uint32_t attempt = 0;
    bool dead_lettered = false;
    std::size_t transitions = 0;
  };

  // Checks one event; returns a description of what is wrong, or "" when it is a legal step.
  std::string apply(const JobEventRec& e) {
    Track& t = jobs_[e.job_id];
    const S from = t.state;
    S to = from;
    uint32_t attempt = t.attempt;
    bool legal = false;
    switch (e.kind) {
      case K::submitted:
        legal = from == S::unknown;
        to = S::pending;
        attempt = 1;
        break;
      case K::assigned:
        legal = from == S::pending;
        to = S::active;
        break;
      case K::completed:
        legal = from == S::active;
        to = S::completed;
        break;
      case K::failed:
        // From pending only by TTL; from active by error, timeout or max attempts.
        legal = from == S::active || (from == S::pending && e.error == fb::ErrorCode::expired);
        to = S::failed;
        break;
      case K::cancelled:
        legal = from == S::pending || from == S::active;
        to = S::cancelled;
        break;
      case K::requeued:
        legal = from == S::active;
        to = S::pending;
        attempt = t.attempt + 1;
        break;
      case K::replayed:
        legal = from == S::failed && t.dead_lettered;
        to = S::pending;
        attempt = t.attempt + 1;  // attempt numbers are never reused
        break;
      case K::progress:
        legal = from == S::active;
        break;
      default:
        legal = false;
    }
    std::string where = e.job_id + ": " + name(e.kind) + " from " + name(from);
    if (!legal) return where + " is not in the diagram";
    if (e.state != to) return where + " reports state " + name(e.state) + ", want " + name(to);
    if (e.attempt != attempt) {
      return where + " reports attempt " + std::to_string(e.attempt) + ", want " +
             std::to_string(attempt);
    }
    if (e.kind != K::progress) ++t.transitions;
    t.state = to;
    t.attempt = attempt;
    t.dead_lettered = e.dead_lettered;
    return "";
  }

  const std::map<std::string, Track>& jobs() const { return jobs_; }

 private:
  static std::string name(K k) { return fb::EnumNameJobEventKind(k); }
  static std::string name(S s) { return s == S::unknown ? "(new)" : fb::EnumNameJobState(s); }
  std::map<std::string, Track> jobs_;
};

// Every recorded event is a legal step, each job's last event is its current state, and the state
// counters equal a count over the job table.
void ExpectEventsMatchTheTable(const Harness& h) {
  StateMachineChecker checker;
  for (const JobEventRec& e : h.out.job_events) {
    std::string err = checker.apply(e);
    EXPECT_EQ(err, "");
  }
  std::map<S, uint64_t> table;
  h.sched.jobs().for_each([&](const Job& j) {
    ++table[j.state];
    auto it = checker.jobs().find(j.id);
    if (it == checker.jobs().end()) {
      ADD_FAILURE() << j.id << " has no events";
      return;
    }
    EXPECT_EQ(it->second.state, j.state) << j.id << ": last event disagrees with the record";
    EXPECT_EQ(it->second.attempt, j.attempt) << j.id;
  });
  for (S s : {S::pending, S::active, S::completed, S::failed, S::cancelled}) {
    EXPECT_EQ(h.sched.counters().in(s), table[s]) << fb::EnumNameJobState(s);
  }
}

TEST(Scheduler, EveryTransitionIsExactlyOneEvent) {
  SchedulerOptions o;
  o.lease_ms = 1000;  // heartbeat expiry is 3000
  Harness h(o);
  auto with = [](const char* id, uint32_t max_attempts, uint32_t ttl, uint32_t timeout) {
    SubmitArgs a;
    a.job_id = id;
    a.operation = "echo";
    a.max_attempts = max_attempts;
    a.ttl_ms = ttl;
    a.timeout_ms = timeout;
    return a;
  };
  // Before any worker: pending jobs.
  h.submit("ok");
  h.submit("op-error");
  h.submit("cancel-pending");
  h.submit("cancel-active");
  h.submit(with("worker-dies", 0, 0, 0));
  h.submit(with("lease", 0, 0, 0));
  h.submit(with("timeout", 0, 0, 500));
  h.submit(with("max-attempts", 1, 0, 0));
  h.submit(with("expires", 0, 100, 0));
  h.submit("ok");  // duplicate: no event
  ASSERT_TRUE(h.sched.cancel("cancel-pending").ok());
  h.advance(100);  // "expires" fails
  ASSERT_EQ(h.state("expires"), S::failed);

  ASSERT_TRUE(h.add_worker("a", {"echo"}, 4).ok());  // ok, op-error, cancel-active, worker-dies
  ASSERT_TRUE(h.add_worker("b", {"echo"}, 4).ok());  // lease, timeout, max-attempts
  ASSERT_EQ(h.sched.counters().in(S::active), 7u);
  ASSERT_EQ(h.job("lease").node_id, "node-b");

  EXPECT_EQ(h.result("a", "ok", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.result("a", "op-error", 1, false), ResultVerdict::accepted);
  EXPECT_TRUE(h.sched.progress("a", "cancel-active", 1));
  ASSERT_TRUE(h.sched.cancel("cancel-active").ok());
  EXPECT_EQ(h.result("a", "cancel-active", 1), ResultVerdict::after_cancel);
  ASSERT_TRUE(h.sched.disconnect("a"));  // worker-dies -> requeued -> b

  h.sched.touch("b");
  h.advance(500);  // timeout fails
  h.sched.progress("b", "worker-dies", 2);
  h.advance(600);  // lease (and max-attempts) lose their lease at 1100 ms
  EXPECT_EQ(h.job("lease").attempt, 2u);
  EXPECT_EQ(h.state("max-attempts"), S::failed);
  ASSERT_TRUE(h.sched.replay("max-attempts").ok());
  ASSERT_TRUE(h.add_worker("c", {"echo"}, 4).ok());
  for (const AssignRec& a : std::vector<AssignRec>(h.out.assigns)) {
    h.result(a.routing_id, a.job_id, a.attempt);  // stale ones are refused, the rest complete
  }

  EXPECT_THAT(h.out.kinds_for("ok"), ElementsAre(K::submitted, K::assigned, K::completed));
  EXPECT_THAT(h.out.kinds_for("op-error"), ElementsAre(K::submitted, K::assigned, K::failed));
  EXPECT_THAT(h.out.kinds_for("cancel-pending"), ElementsAre(K::submitted, K::cancelled));
  EXPECT_THAT(h.out.kinds_for("cancel-active"),
              ElementsAre(K::submitted, K::assigned, K::progress, K::cancelled));
  EXPECT_THAT(h.out.kinds_for("worker-dies"), ElementsAre(K::submitted, K::assigned, K::requeued,
                                                          K::assigned, K::progress, K::completed));
  EXPECT_THAT(h.out.kinds_for("lease"),
              ElementsAre(K::submitted, K::assigned, K::requeued, K::assigned, K::completed));
  EXPECT_THAT(h.out.kinds_for("timeout"), ElementsAre(K::submitted, K::assigned, K::failed));
  EXPECT_THAT(h.out.kinds_for("max-attempts"), ElementsAre(K::submitted, K::assigned, K::failed,
                                                           K::replayed, K::assigned, K::completed));
  EXPECT_THAT(h.out.kinds_for("expires"), ElementsAre(K::submitted, K::failed));
  ExpectEventsMatchTheTable(h);
  EXPECT_EQ(h.sched.counters().in(S::completed), 4u);  // ok, worker-dies, lease, max-attempts
  EXPECT_EQ(h.sched.counters().in(S::failed), 3u);     // op-error, timeout, expires
  EXPECT_EQ(h.sched.counters().in(S::cancelled), 2u);
  EXPECT_EQ(h.sched.counters().in(S::pending) + h.sched.counters().in(S::active), 0u);
}

// A long random run of every request and failure: events stay legal, counters match the table, and
// no worker ever holds more than its max_concurrent (or a different count than the scheduler).
TEST(Scheduler, RandomRunKeepsEventsCountersAndCapacityConsistent) {
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE(numbered("seed ", seed));
    SchedulerOptions o;
    o.heartbeat_interval_ms = 100;  // expiry 300 ms
    o.lease_ms = 250;
    o.max_queued_jobs = 15;
    Harness h(o);
    std::mt19937 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };

    struct Held {
      std::string job_id;
      uint32_t attempt;
    };
    std::map<std::string, uint32_t> max_concurrent;  // live workers we registered
    std::map<std::string, std::vector<Held>> held;
    std::size_t seen = 0;
    int next_worker = 0;
    const char* ops[] = {"echo", "sha256"};
    std::vector<std::string> ids;  // client-named ids submitted so far
    auto recent_id = [&]() -> std::string {
      return ids.empty() ? "none"
                         : ids[ids.size() - 1 - pick(std::min<std::size_t>(ids.size(), 12))];
    };

    for (int step = 0; step < 4000; ++step) {
      std::vector<std::string> live;
      for (const auto& [rid, cap] : max_concurrent) live.push_back(rid);
      std::vector<std::pair<std::string, std::size_t>> all_held;
      for (const auto& [rid, v] : held) {
        for (std::size_t i = 0; i < v.size(); ++i) all_held.emplace_back(rid, i);
      }
      // Now and then every worker goes quiet past the heartbeat expiry.
      std::size_t action = step % 500 == 499 ? 16 : pick(16);
      switch (action) {
        case 0:
        case 1:
        case 2:
        case 3: {
          // Mostly new ids; some anonymous; some duplicates of recent ones.
          std::string id;
          std::size_t kind = pick(6);
          if (kind == 0 && !ids.empty()) {
            id = ids[ids.size() - 1 - pick(std::min<std::size_t>(ids.size(), 20))];
          } else if (kind != 1) {
            id = numbered("j", ids.size());
            ids.push_back(id);
          }
          SubmitArgs a;
          a.job_id = id;
          a.operation = ops[pick(2)];
          a.priority = static_cast<int32_t>(pick(3));
          a.max_attempts = static_cast<uint32_t>(pick(4));
          a.ttl_ms = pick(3) == 0 ? 200 : 0;
          a.timeout_ms = pick(3) == 0 ? 400 : 0;
          Waiter w{"c", static_cast<uint64_t>(step)};
          h.submit(a, pick(2) ? &w : nullptr);
          break;
        }
        case 4: {
          if (live.size() >= 4) break;
          std::string rid = numbered("w", next_worker++);
          // Sometimes the same node comes back on a new connection.
          std::string node =
              !live.empty() && pick(4) == 0
                  ? h.sched.workers()
                        .at(h.sched.workers().find_by_routing_id(live[pick(live.size())]))
                        .node_id
                  : "node-" + rid;
          uint32_t cap = 1 + static_cast<uint32_t>(pick(3));
          std::size_t which = pick(3);
          std::initializer_list<std::string_view> all{"echo", "sha256"};
          std::initializer_list<std::string_view> echo{"echo"};
          std::initializer_list<std::string_view> sha{"sha256"};
          Outcome r = h.add_worker(rid, which == 0 ? all : which == 1 ? echo : sha, cap, 0, node);
          ASSERT_TRUE(r.ok());
          max_concurrent[rid] = cap;
          break;
        }
        case 5:
          if (!live.empty()) h.sched.disconnect(live[pick(live.size())]);
          break;
        case 6:
        case 7:
        case 8: {
          if (all_held.empty()) break;
          auto [rid, i] = all_held[pick(all_held.size())];
          Held x = held[rid][i];
          held[rid].erase(held[rid].begin() + static_cast<std::ptrdiff_t>(i));
          h.result(rid, x.job_id, x.attempt, pick(4) != 0);
          break;
        }
        case 9: {
          if (live.empty()) break;
          // A forged or confused Result: never for an attempt that exists.
          ResultVerdict v = h.result(live[pick(live.size())], recent_id(), 50);
          EXPECT_NE(v, ResultVerdict::accepted);
          break;
        }
        case 10:
          h.sched.cancel(recent_id());
          break;
        case 11: {
          std::vector<JobSlot> dl = h.sched.dead_letters(0);
          if (!dl.empty()) h.sched.replay(std::string(h.sched.job(dl[pick(dl.size())]).id));
          break;
        }
        case 12:
          if (!all_held.empty()) {
            auto [rid, i] = all_held[pick(all_held.size())];
            h.sched.progress(rid, held[rid][i].job_id, held[rid][i].attempt);
          }
          break;
        case 13:
        case 14:
          for (const std::string& rid : live) {
            if (pick(5) != 0) h.sched.touch(rid);
          }
          h.advance(pick(150));
          break;
        case 16:
          h.advance(h.sched.heartbeat_expiry_ms() + 1);
          break;
        case 15:
          if (!live.empty()) {
            const std::string& rid = live[pick(live.size())];
            h.sched.set_capacity(rid, static_cast<uint32_t>(pick(max_concurrent[rid] + 1)));
          }
          break;
      }

      // Workers the scheduler dropped take their assignments with them.
      for (auto it = max_concurrent.begin(); it != max_concurrent.end();) {
        if (h.sched.workers().find_by_routing_id(it->first) == kNoWorker) {
          held.erase(it->first);
          it = max_concurrent.erase(it);
        } else {
          ++it;
        }
      }
      for (; seen < h.out.assigns.size(); ++seen) {
        const AssignRec& a = h.out.assigns[seen];
        if (max_concurrent.count(a.routing_id)) held[a.routing_id].push_back({a.job_id, a.attempt});
      }
      for (const auto& [rid, cap] : max_concurrent) {
        ASSERT_LE(held[rid].size(), cap) << rid << " at step " << step;
        ASSERT_EQ(h.in_flight(rid), held[rid].size()) << rid << " at step " << step;
      }
      uint64_t sum = std::accumulate(h.sched.counters().by_state.begin(),
                                     h.sched.counters().by_state.end(), uint64_t{0});
      ASSERT_EQ(sum, h.sched.jobs().size()) << "at step " << step;
    }
    ExpectEventsMatchTheTable(h);
    // Each waiter was answered at most once.
    std::map<uint64_t, int> replies;
    for (const ReplyRec& r : h.out.replies) EXPECT_EQ(++replies[r.request_id], 1);
    // The run did reach every path it is meant to check.
    const SchedulerCounters& c = h.sched.counters();
    std::size_t replayed = 0, progressed = 0;
    for (const JobEventRec& e : h.out.job_events) {
      replayed += e.kind == K::replayed;
      progressed += e.kind == K::progress;
    }
    const std::pair<const char*, uint64_t> reached[] = {
        {"completed", c.in(S::completed)},
        {"failed", c.in(S::failed)},
        {"cancelled", c.in(S::cancelled)},
        {"requeued", c.requeued_total},
        {"stale results", c.stale_results},
        {"results after cancel", c.results_after_cancel},
        {"queue full", c.queue_full_rejections},
        {"workers expired", c.workers_expired},
        {"duplicates", c.duplicate_submits},
        {"replayed", replayed},
        {"progress", progressed}};
    for (const auto& [what, n] : reached) EXPECT_GT(n, 0u) << what;
  }
}

TEST(Scheduler, EvictsTheOldestFinishedJobsButKeepsDeadLetters) {
  SchedulerOptions o;
  o.retain_finished = 3;
  Harness h(o);
  SubmitArgs a;
  a.job_id = "dead";
  a.operation = "echo";
  a.ttl_ms = 100;
  ASSERT_TRUE(h.submit(a).ok());
  h.advance(100);
  ASSERT_TRUE(h.job("dead").dead_lettered);

  ASSERT_TRUE(h.add_worker("a").ok());
  for (const char* id : {"j1", "j2", "j3", "j4", "j5"}) h.submit(id);
  EXPECT_THAT(h.complete_all(), ElementsAre("j1", "j2", "j3", "j4", "j5"));

  EXPECT_EQ(h.sched.find("j1"), kNoJob);
  EXPECT_EQ(h.sched.find("j2"), kNoJob);
  for (const char* id : {"j3", "j4", "j5", "dead"}) EXPECT_NE(h.sched.find(id), kNoJob) << id;
  EXPECT_THAT(h.sched.dead_letters(0), ElementsAre(h.sched.find("dead")));
  EXPECT_EQ(h.sched.jobs().size(), 4u);

  // An evicted id is free again: submitting it makes a new job.
  Outcome again = h.submit("j1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.duplicate);
  EXPECT_EQ(h.out.count(K::submitted, "j1"), 2u);
}

TEST(Scheduler, EvictsTheOldestDeadLettersBeyondTheirBound) {
  SchedulerOptions o;
  o.max_dead_letter = 2;
  o.default_ttl_ms = 10;
  Harness h(o);
  for (const char* id : {"d1", "d2", "d3"}) {
    h.submit(id);
    h.advance(10);
  }
  EXPECT_EQ(h.sched.find("d1"), kNoJob);
  EXPECT_THAT(h.sched.dead_letters(0), ElementsAre(h.sched.find("d2"), h.sched.find("d3")));
  EXPECT_THAT(h.sched.dead_letters(1), ElementsAre(h.sched.find("d2")));
}

// SchedulerCounters::by_state: "finished ones count retained jobs".
TEST(Scheduler, StateCountersForgetEvictedJobs) {
  SchedulerOptions o;
  o.retain_finished = 2;
  o.max_dead_letter = 1;
  Harness h(o);
  SubmitArgs a;
  a.operation = "echo";
  a.ttl_ms = 10;
  for (const char* id : {"d1", "d2"}) {
    a.job_id = id;
    h.submit(a);
    h.advance(10);
  }
  ASSERT_TRUE(h.add_worker("a").ok());
  for (const char* id : {"j1", "j2", "j3", "j4"}) h.submit(id);
  h.complete_all();
  ASSERT_EQ(h.sched.jobs().size(), 3u);  // j3, j4, d2

  EXPECT_EQ(h.sched.counters().in(S::completed), 2u);
  EXPECT_EQ(h.sched.counters().in(S::failed), 1u);
  uint64_t sum = std::accumulate(h.sched.counters().by_state.begin(),
                                 h.sched.counters().by_state.end(), uint64_t{0});
  EXPECT_EQ(sum, h.sched.jobs().size());
}

// A job cancelled while running, then evicted, leaves its worker holding an assignment for a job
// the table no longer has; the worker's late Result must still give the slot back.
TEST(Scheduler, LateResultReleasesAnOrphanedAssignment) {
  SchedulerOptions o;
  o.retain_finished = 1;
  Harness h(o);
  ASSERT_TRUE(h.add_worker("a").ok());
  h.submit("running");
  ASSERT_TRUE(h.sched.cancel("running").ok());
  h.submit("other");
  ASSERT_TRUE(h.sched.cancel("other").ok());  // second finished job: "running" is evicted
  ASSERT_EQ(h.sched.find("running"), kNoJob);
  h.submit("next");  // may reuse the evicted job's slot
  ASSERT_EQ(h.state("next"), S::pending);
  ASSERT_EQ(h.in_flight("a"), 1u);

  const SchedulerCounters before = h.sched.counters();
  ResultVerdict v = h.result("a", "running", 1);
  EXPECT_NE(v, ResultVerdict::accepted);
  EXPECT_EQ(h.sched.counters().stale_results + h.sched.counters().results_after_cancel,
            before.stale_results + before.results_after_cancel + 1);
  EXPECT_THAT(h.out.assigned_ids("a"), ElementsAre("running", "next"));
  EXPECT_EQ(h.state("next"), S::active);
  EXPECT_EQ(h.in_flight("a"), 1u);
  EXPECT_EQ(h.result("a", "next", 1), ResultVerdict::accepted);
  EXPECT_EQ(h.in_flight("a"), 0u);
}

}  // namespace
}  // namespace litc::broker::testing
