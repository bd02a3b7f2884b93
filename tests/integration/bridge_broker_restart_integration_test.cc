// litc-bridge survives a broker crash: every job it accepted over HTTP completes, exactly once as
// the web sees it (one `completed` update per job on its Redis channel), after `kill -9` of the
// broker with 1,000 HTTP-submitted jobs in flight and a restart on the same endpoints.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <sstream>
#include <thread>

#include "tests/integration/bridge_harness.h"

namespace litc::it {
namespace {

// Counts `"kind":"completed"` updates per job id in redis-cli PSUBSCRIBE output (message lines
// follow their channel line).
std::map<std::string, int> completions(const std::string& out) {
  std::map<std::string, int> per_job;
  std::istringstream in(out);
  std::string line;
  std::string channel;
  while (std::getline(in, line)) {
    if (line.rfind("channel:job:", 0) == 0) {
      channel = line;
      continue;
    }
    if (line.find("\"kind\":\"completed\"") != std::string::npos && !channel.empty()) {
      auto id = channel.substr(12, channel.size() - 12 - 8);  // strip "channel:job:" ":updates"
      ++per_job[id];
    }
  }
  return per_job;
}

TEST(BridgeBrokerRestart, HttpAcceptedJobsCompleteExactlyOnceAfterBrokerKill9) {
  BridgeStackOptions o;
  o.network = load_test_options();
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo,sleep", 8);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto sub = s.redis_cli_background({"PSUBSCRIBE", "channel:job:*:updates"});
  ASSERT_TRUE(eventually([&] { return sub->out().find("psubscribe") != std::string::npos; },
                         milliseconds(5000)));

  constexpr int kJobs = 1000;
  auto client = s.http();
  for (int i = 0; i < kJobs; ++i) {
    // 50 ms each on 8 slots: the queue takes ~6 s to drain, so the kill finds many in flight even
    // when a loaded machine is slow to submit.
    auto r = client->post("/lit-compute/jobs/submit", submit_body("sleep", "50", numbered("r", i)));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  s.net().broker().kill();
  ASSERT_TRUE(s.net().restart_broker());

  // Everything ends completed in Redis: the mirror says so, and the ledger is empty.
  ASSERT_TRUE(eventually(
      [&] {
        auto r = s.redis_cli({"ZCARD", "jobs:completed"});
        return r.out == std::to_string(kJobs) + "\n";
      },
      milliseconds(60000), milliseconds(200)))
      << s.redis_cli({"ZCARD", "jobs:completed"}).out << " completed; pending "
      << s.redis_cli({"ZCARD", "jobs:pending"}).out;
  EXPECT_TRUE(eventually(
      [&] {
        return s.redis_cli({"HLEN", "bridge:submissions"}).out == "0\n";
      },
      milliseconds(5000)));
  for (int i = 0; i < kJobs; i += 97) {
    auto status = s.redis_cli({"HGET", "job:" + numbered("r", i) + ":status", "status"});
    EXPECT_EQ(status.out, "completed\n") << numbered("r", i);
  }
  auto health = client->get("/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  // Nothing left pending or active from either broker's epoch.
  EXPECT_EQ(s.redis_cli({"ZCARD", "jobs:pending"}).out, "0\n");
  EXPECT_EQ(s.redis_cli({"KEYS", "jobs:active:*"}).out, "\n");  // redis-cli: an empty list

  // Exactly one completed update per job.
  ASSERT_TRUE(
      eventually([&] { return completions(sub->out()).size() == kJobs; }, milliseconds(5000)));
  for (const auto& [id, n] : completions(sub->out())) EXPECT_EQ(n, 1) << id;
  // The restart really lost jobs that the bridge had to submit again.
  auto metrics = client->get("/metrics").body;
  auto resubmitted = metric_value(metrics, "litc_bridge_resubmitted_total");
  ASSERT_TRUE(resubmitted.has_value()) << metrics;
  EXPECT_GT(*resubmitted, 0u);
}

}  // namespace
}  // namespace litc::it

namespace litc::it {
namespace {

// A Submit the broker never answers (here: the broker is stopped for a while) still gets 202 (the
// job is in the ledger), is sent again until the broker answers, and stays one job: the repeats
// are idempotent at the broker. Liveness is raised so the paused broker does not expire the worker
// when it wakes (that would make it attempt 2: execution is at least once).
TEST(BridgeBrokerRestart, AnUnansweredSubmitIsSentAgainUntilTheBrokerAnswers) {
  BridgeStackOptions o;
  o.network = load_test_options();
  o.network.liveness = 40;  // 4 s of silence before anyone is declared dead
  o.bridge_args = {"--broker-timeout-ms", "200"};
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo", 2);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto client = s.http();

  s.net().broker().signal(SIGSTOP);
  auto r = client->post("/lit-compute/jobs/submit", submit_body("echo", "held", "held-1"));
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(str(obj(r.body), "status"), "pending");
  // The submit times out, and at least one repeat (every second) times out too.
  std::this_thread::sleep_for(milliseconds(1500));
  s.net().broker().signal(SIGCONT);

  boost::json::object job;
  ASSERT_TRUE(eventually(
      [&] {
        job = obj(client->get("/lit-compute/jobs/held-1").body);
        return str(job, "status") == "completed";
      },
      milliseconds(15000), milliseconds(100)))
      << boost::json::serialize(job);
  EXPECT_TRUE(eventually(
      [&] {
        return s.redis_cli({"HLEN", "bridge:submissions"}).out == "0\n";
      },
      milliseconds(5000)));
  auto resubmitted = metric_value(client->get("/metrics").body, "litc_bridge_resubmitted_total");
  ASSERT_TRUE(resubmitted.has_value());
  EXPECT_GT(*resubmitted, 0u);
  EXPECT_EQ(s.net().stat("submitted_total"), 1u);  // the repeats were duplicates, not new jobs
}

}  // namespace
}  // namespace litc::it
