// litc-bridge falling behind the broker's event stream: the bridge is frozen (SIGSTOP) while
// 5,000 echo jobs run to completion on real workers, so the broker drops events for it past its
// per-subscriber high-water mark (--events-hwm). When the bridge runs again it must notice the
// sequence gap, resync from a snapshot, and leave the Redis mirror complete; and every job,
// including those whose events were dropped, must get a terminal update on
// channel:job:{id}:updates.
//
// Both tests look at one run of that scenario (a few seconds); whichever runs first starts it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "tests/integration/bridge_harness.h"

namespace litc::it {
namespace {

constexpr int kWarmup = 50;   // mirrored live before the freeze: the bridge has a last event
constexpr int kJobs = 5000;   // run while the bridge is frozen
constexpr int kWindow = 500;  // submits in flight at once
// Completed events carry the output: bigger events fill the socket buffers with fewer jobs. Big
// enough that 1,000 finished jobs (the broker's batch count) make 4 MiB, past what a reader with
// the default 1 MiB frame limit accepts: the snapshot must be cut by bytes too (PROTOCOL.md).
constexpr std::size_t kInputBytes = 4096;

std::string input_for(const std::string& id) {
  std::string in = id + ":";
  in.resize(kInputBytes, 'x');
  return in;
}

// Runs every command through one redis-cli reading a command file (one process, not one per job)
// and returns its raw output, one line per reply value.
std::vector<std::string> redis_batch(BridgeStack& s, const std::vector<std::string>& commands) {
  const auto file = s.net().dir() / "batch.txt";
  {
    std::ofstream out(file, std::ios::trunc);
    for (const auto& c : commands) out << c << '\n';
  }
  ChildProcess p(
      "redis-cli-batch",
      {"sh", "-c", "redis-cli -p " + std::to_string(s.redis().port()) + " < " + file.string()},
      s.net().dir());
  EXPECT_EQ(p.wait(milliseconds(20000)), 0) << p.err();
  return lines(p.out());
}

// Submits every id (echo) through the broker's clients socket, kWindow at a time with wait = true,
// and returns once each one's final reply said completed.
void run_jobs(Client& client, const std::vector<std::string>& ids) {
  std::size_t sent = 0;
  std::size_t finished = 0;
  while (finished < ids.size()) {
    while (sent < ids.size() && sent - finished < kWindow) {
      SubmitRequest req = make_job(ids[sent], "echo", input_for(ids[sent]));
      req.wait = true;
      ASSERT_NE(client.send_submit(req), 0u) << ids[sent];
      ++sent;
    }
    auto reply = client.poll(10000);
    ASSERT_TRUE(reply.has_value()) << "no reply for 10 s; finished " << finished;
    ASSERT_NE(reply->kind, ClientReplyInfo::Kind::error) << reply->error.message;
    if (reply->kind == ClientReplyInfo::Kind::job && reply->final) {
      ASSERT_EQ(reply->job.state, fb::JobState::completed) << reply->job.job_id;
      ++finished;
    }
  }
}

// Job ids that got at least one message on channel:job:{id}:updates whose job object says
// status completed, from redis-cli PSUBSCRIBE raw output ("pmessage", pattern, channel, payload).
std::set<std::string> jobs_with_terminal_update(const std::string& out) {
  const std::string head = "channel:job:";
  const std::string tail = ":updates";
  std::set<std::string> ids;
  auto l = lines(out);
  for (std::size_t i = 0; i + 3 < l.size(); ++i) {
    if (l[i] != "pmessage") continue;
    const std::string& channel = l[i + 2];
    const std::string& payload = l[i + 3];
    i += 3;
    if (channel.rfind(head, 0) != 0 || channel.size() <= head.size() + tail.size()) continue;
    const std::string id = channel.substr(head.size(), channel.size() - head.size() - tail.size());
    auto m = obj(payload);
    const boost::json::value* job = m.if_contains("job");
    if (job == nullptr || !job->is_object()) continue;
    if (str(job->as_object(), "status") == "completed" && str(job->as_object(), "jobId") == id) {
      ids.insert(id);
    }
  }
  return ids;
}

// Waits until /healthz is 200 with the broker's latest seq: the bridge follows the broker live
// again, every event and snapshot batch up to now handled. On timeout `why` says what it saw.
bool caught_up(BridgeStack& s, HttpClient& http, milliseconds timeout, std::string& why) {
  HttpResult health;
  std::optional<uint64_t> seq;
  const bool ok = eventually(
      [&] {
        health = http.get("/healthz");
        seq = s.net().stat("seq");
        return health.status == 200 && seq && num(obj(health.body), "seq") == int64_t(*seq);
      },
      timeout, milliseconds(100));
  why = "healthz " + std::to_string(health.status) + " " + health.body + "; broker seq " +
        std::to_string(seq.value_or(0));
  return ok;
}

struct Scenario {
  std::unique_ptr<BridgeStack> stack;
  std::unique_ptr<ChildProcess> subscriber;  // PSUBSCRIBE channel:job:*:updates, from the start
  std::vector<std::string> ids;              // warm-up and frozen-time jobs
  uint64_t gaps_before = 0;
  bool ran = false;  // the load completed and the bridge runs again
};

class BridgeResync : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { scenario_.reset(); }

  // The scenario, run once by the first test that asks; nullptr (and a failure of that test)
  // when it could not be set up.
  static Scenario* scenario() {
    if (!scenario_) {
      scenario_ = std::make_unique<Scenario>();
      run(*scenario_);
    }
    return scenario_->ran ? scenario_.get() : nullptr;
  }

  static void run(Scenario& sc) {
    BridgeStackOptions o;
    o.network = load_test_options();
    // The broker's per-subscriber queue at its minimum: past it (plus what the kernel's socket
    // buffers hold) the broker drops events for the frozen bridge. At the default (1,000,000)
    // 5,000 jobs would all fit and the bridge would catch up without a gap.
    o.network.broker_args = {"--events-hwm", "1000"};
    // --max-event-backlog at its minimum only bounds what the bridge queues once it runs again:
    // while it is stopped its ZeroMQ I/O thread reads nothing, so the broker's queue decides.
    // --silence-ms far above the freeze: after SIGCONT the resync must come from the seq gap the
    // bridge sees, not from the clock having jumped while it was stopped.
    o.bridge_args = {"--max-event-backlog", "1000", "--silence-ms", "60000"};
    sc.stack = std::make_unique<BridgeStack>(o);
    BridgeStack& s = *sc.stack;
    ASSERT_TRUE(s.ok());
    s.net().add_worker("w1", "echo", 8);
    s.net().add_worker("w2", "echo", 8);
    ASSERT_TRUE(s.net().wait_workers_online(2));
    ASSERT_TRUE(s.wait_healthy());
    sc.subscriber = s.redis_cli_background({"PSUBSCRIBE", "channel:job:*:updates"});
    ASSERT_TRUE(
        eventually([&] { return sc.subscriber->out().find("psubscribe") != std::string::npos; },
                   milliseconds(5000)));

    for (int i = 0; i < kWarmup; ++i) sc.ids.push_back(numbered("warm-", i));
    for (int i = 0; i < kJobs; ++i) sc.ids.push_back(numbered("gap-", i));
    const std::vector<std::string> warmup(sc.ids.begin(), sc.ids.begin() + kWarmup);
    const std::vector<std::string> load(sc.ids.begin() + kWarmup, sc.ids.end());
    auto client = s.net().client(10000);

    // Live first, so the bridge has applied events before the gap.
    run_jobs(*client, warmup);
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_TRUE(eventually(
        [&] {
          return one(s.redis_cli({"ZCARD", "jobs:completed"})) == std::to_string(kWarmup);
        },
        milliseconds(10000), milliseconds(50)));
    auto http = s.http();
    auto gaps = metric_value(http->get("/metrics").body, "litc_bridge_gaps_total");
    ASSERT_TRUE(gaps.has_value());
    sc.gaps_before = *gaps;

    // Frozen, every thread (ZeroMQ's I/O thread too): nothing reads the events socket.
    s.bridge().signal(SIGSTOP);
    const auto frozen = Clock::now();
    run_jobs(*client, load);
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - frozen);
    s.bridge().signal(SIGCONT);
    if (::testing::Test::HasFatalFailure()) return;
    std::cerr << "[ info ] " << kJobs << " jobs ran in " << took.count()
              << " ms while the bridge was stopped; broker seq " << s.net().stat("seq").value_or(0)
              << "\n";
    sc.ran = true;
  }

  static inline std::unique_ptr<Scenario> scenario_;
};

TEST_F(BridgeResync, ABridgeThatFellBehindResyncsAndTheMirrorEndsComplete) {
  Scenario* sc = scenario();
  ASSERT_NE(sc, nullptr) << "the scenario did not run";
  BridgeStack& s = *sc->stack;
  auto http = s.http();

  // The gap really happened (the broker dropped events for the bridge), and the bridge saw it.
  std::string metrics;
  ASSERT_TRUE(eventually(
      [&] {
        metrics = http->get("/metrics").body;
        return metric_value(metrics, "litc_bridge_gaps_total").value_or(0) > sc->gaps_before;
      },
      milliseconds(15000), milliseconds(100)))
      << "no gap after the freeze; events received "
      << metric_value(metrics, "litc_bridge_events_received_total").value_or(0) << ", broker seq "
      << s.net().stat("seq").value_or(0);
  const uint64_t broker_seq = s.net().stat("seq").value_or(0);
  std::cerr << "[ info ] gaps " << sc->gaps_before << " -> "
            << metric_value(metrics, "litc_bridge_gaps_total").value_or(0) << "; resyncs "
            << metric_value(metrics, "litc_bridge_resyncs_total").value_or(0)
            << "; events received "
            << metric_value(metrics, "litc_bridge_events_received_total").value_or(0)
            << " of broker seq " << broker_seq << "\n";

  const std::string total = std::to_string(sc->ids.size());
  EXPECT_TRUE(eventually(
      [&] {
        return one(s.redis_cli({"ZCARD", "jobs:completed"})) == total;
      },
      milliseconds(30000), milliseconds(100)))
      << one(s.redis_cli({"ZCARD", "jobs:completed"})) << " of " << total << " in jobs:completed";

  std::vector<std::string> hgets;
  for (const auto& id : sc->ids) hgets.push_back("HGET job:" + id + ":status status");
  auto statuses = redis_batch(s, hgets);
  ASSERT_EQ(statuses.size(), sc->ids.size());
  int not_completed = 0;
  for (std::size_t i = 0; i < sc->ids.size(); ++i) {
    if (statuses[i] == "completed") continue;
    if (++not_completed <= 5) ADD_FAILURE() << sc->ids[i] << " status '" << statuses[i] << "'";
  }
  EXPECT_EQ(not_completed, 0) << "job hashes not completed";

  EXPECT_EQ(one(s.redis_cli({"ZCARD", "jobs:pending"})), "0");
  // Redis deletes an emptied sorted set, so any jobs:active:* key still holds a member.
  EXPECT_EQ(one(s.redis_cli({"KEYS", "jobs:active:*"})), "");

  std::string why;
  EXPECT_TRUE(caught_up(s, *http, milliseconds(5000), why)) << why;
  // Every snapshot batch was readable: none dropped, nothing counted as bad.
  metrics = http->get("/metrics").body;
  EXPECT_EQ(metric_value(metrics, "litc_bridge_bad_frames_total"), 0u);
  EXPECT_EQ(metric_value(metrics, "litc_bridge_snapshots_abandoned_total"), 0u);
  if (HasFailure()) std::cerr << s.bridge().tail(80) << metrics;
}

TEST_F(BridgeResync, JobsThatFinishedDuringTheGapStillGetATerminalUpdate) {
  Scenario* sc = scenario();
  ASSERT_NE(sc, nullptr) << "the scenario did not run";
  BridgeStack& s = *sc->stack;
  // The resync is over (its writes, and the updates published with them, were sent to Redis).
  auto http = s.http();
  std::string why;
  ASSERT_TRUE(caught_up(s, *http, milliseconds(30000), why)) << why;

  std::set<std::string> done;
  (void)eventually(
      [&] {
        done = jobs_with_terminal_update(sc->subscriber->out());
        return done.size() == sc->ids.size();
      },
      milliseconds(10000), milliseconds(200));
  std::vector<std::string> missing;
  for (const auto& id : sc->ids) {
    if (done.count(id) == 0) missing.push_back(id);
  }
  std::string examples;
  for (std::size_t i = 0; i < missing.size() && i < 5; ++i) examples += " " + missing[i];
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << sc->ids.size()
                               << " jobs got no update with status completed, e.g." << examples;
}

// A broker whose frame limit is far above the bridge's (a misconfiguration) cuts snapshot batches
// the bridge cannot read. The bridge must say so — a counter, a log line, /healthz not 200 — and
// keep asking, never finish the snapshot with part of the state missing and call the mirror live.
TEST(BridgeResyncRefused, AnUnreadableSnapshotIsDroppedAndTheBridgeStaysUnhealthy) {
  BridgeStackOptions o;
  o.network = load_test_options();
  o.network.broker_args = {"--events-hwm", "1000", "--max-frame-bytes", "8388608"};
  o.bridge_args = {"--silence-ms", "60000"};
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo", 8);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto client = s.net().client(10000);
  std::vector<std::string> warmup, load;
  for (int i = 0; i < 20; ++i) warmup.push_back(numbered("w-", i));
  for (int i = 0; i < 3000; ++i) load.push_back(numbered("big-", i));
  run_jobs(*client, warmup);
  ASSERT_FALSE(HasFatalFailure());
  s.bridge().signal(SIGSTOP);
  run_jobs(*client, load);
  s.bridge().signal(SIGCONT);
  ASSERT_FALSE(HasFatalFailure());

  auto http = s.http();
  std::string metrics;
  ASSERT_TRUE(eventually(
      [&] {
        metrics = http->get("/metrics").body;
        return metric_value(metrics, "litc_bridge_snapshots_abandoned_total").value_or(0) >= 1;
      },
      milliseconds(15000), milliseconds(100)))
      << metrics << s.bridge().tail(40);
  EXPECT_NE(s.bridge().tail(200).find("unreadable snapshot batch"), std::string::npos)
      << s.bridge().tail(40);
  // Not live: the mirror is known to be incomplete. The process keeps serving.
  EXPECT_EQ(http->get("/healthz").status, 503);
  EXPECT_TRUE(s.bridge().running());
  // And it keeps asking (CloneSync's snapshot timeout, 5 s): a second abandoned snapshot.
  EXPECT_TRUE(eventually(
      [&] {
        return metric_value(http->get("/metrics").body, "litc_bridge_snapshots_abandoned_total")
                   .value_or(0) >= 2;
      },
      milliseconds(12000), milliseconds(200)));
}

// A Redis written by an older bridge has no bridge:active-nodes list (nor bridge:mirror-format)
// and may hold jobs:active:* keys of nodes the broker no longer knows: the next resync finds them
// with SCAN and clears them, and marks the mirror's format so later resyncs use the list.
TEST(BridgeResyncUpgrade, ActiveKeysLeftByAnOlderBridgeAreClearedAtTheNextResync) {
  BridgeStack s;
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.wait_healthy());
  EXPECT_EQ(one(s.redis_cli({"GET", "bridge:mirror-format"})), "2");
  // As an older bridge would have left Redis.
  ASSERT_EQ(s.redis_cli({"DEL", "bridge:mirror-format", "bridge:active-nodes"}).exit_code, 0);
  ASSERT_EQ(s.redis_cli({"ZADD", "jobs:active:ghost", "1", "stale-job"}).exit_code, 0);
  // A new broker epoch makes the bridge resync.
  s.net().broker().kill();
  ASSERT_TRUE(s.net().restart_broker());
  EXPECT_TRUE(eventually(
      [&] {
        return one(s.redis_cli({"EXISTS", "jobs:active:ghost"})) == "0";
      },
      milliseconds(15000), milliseconds(100)))
      << s.bridge().tail(20);
  EXPECT_EQ(one(s.redis_cli({"GET", "bridge:mirror-format"})), "2");
}

}  // namespace
}  // namespace litc::it
