// Scheduling through the real broker: a job runs only on a worker that advertises its operation,
// and waiting jobs run by priority (higher first), FIFO within a priority.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(SchedulingIntegration, JobsRunOnlyOnWorkersThatSupportTheirOperation) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("echo-node", "echo", 2);
  net.add_worker("sha-node", "sha256", 2);
  ASSERT_TRUE(net.wait_workers_online(2));
  auto client = net.client();

  std::vector<std::pair<std::string, std::string>> jobs;  // id, expected node
  for (int i = 0; i < 10; ++i) {
    for (const std::string op : {"sha256", "echo"}) {
      SubmitRequest req = make_job(numbered(op + "-", i), op, numbered("payload ", i));
      ASSERT_TRUE(client->submit(req).ok()) << req.job_id;
      jobs.emplace_back(req.job_id, op == "echo" ? "echo-node" : "sha-node");
    }
  }
  // No worker offers `sleep` (the broker knows it): such a job waits instead of going anywhere.
  ASSERT_TRUE(client->submit(make_job("no-capable-worker", "sleep", "1")).ok());

  for (const auto& [id, node] : jobs) {
    auto done = net.wait_job_state(id, fb::JobState::completed, milliseconds(5000));
    ASSERT_TRUE(done.has_value()) << id;
    EXPECT_EQ(done->node_id, node) << id;
  }
  auto s = client->status("no-capable-worker");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().state, fb::JobState::pending);
  EXPECT_TRUE(s.value().node_id.empty());
}

TEST(SchedulingIntegration, HigherPriorityRunsFirstAndFifoWithinAPriority) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("single", "sleep", 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  // Occupy the only slot so every following job has to wait in the queue.
  ASSERT_TRUE(client->submit(make_job("blocker", "sleep", "700")).ok());
  ASSERT_TRUE(net.wait_job_state("blocker", fb::JobState::active, milliseconds(3000)));

  // Interleaved low (0) and high (10) priority jobs, plus one below default (-5) submitted first.
  std::vector<std::string> expected_high, expected_low;
  auto submit = [&](const std::string& id, int priority) {
    ASSERT_TRUE(client->submit(make_job(id, "sleep", "0", priority)).ok()) << id;
  };
  submit("lowest", -5);
  for (int i = 0; i < 4; ++i) {
    submit(numbered("low-", i), 0);
    expected_low.push_back(numbered("low-", i));
    submit(numbered("high-", i), 10);
    expected_high.push_back(numbered("high-", i));
  }
  std::vector<std::string> expected = {"blocker"};
  expected.insert(expected.end(), expected_high.begin(), expected_high.end());
  expected.insert(expected.end(), expected_low.begin(), expected_low.end());
  expected.push_back("lowest");

  ASSERT_TRUE(tap->wait_for(
      [&](const auto& ev) {
        return count_job_events(ev, fb::JobEventKind::completed) >=
               static_cast<int>(expected.size());
      },
      milliseconds(10000)));
  std::vector<std::string> assigned, completed;
  for (const auto& e : tap->events()) {
    if (e.type != EventInfo::Type::job) continue;
    if (e.job_kind == fb::JobEventKind::assigned) assigned.push_back(e.job.job_id);
    if (e.job_kind == fb::JobEventKind::completed) completed.push_back(e.job.job_id);
  }
  EXPECT_EQ(assigned, expected);
  EXPECT_EQ(completed, expected);
}

}  // namespace
}  // namespace litc::it
