// A worker that dies mid-job (kill -9) loses nothing: the job is re-queued and completes on another
// worker as attempt 2. A worker told to stop (SIGTERM) drains: it finishes its job, then exits 0.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(WorkerFailureIntegration, JobOfAKilledWorkerCompletesOnAnotherWorkerAsAttempt2) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("worker-a");
  net.add_worker("worker-b");
  ASSERT_TRUE(net.wait_workers_online(2));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  SubmitRequest req;
  req.job_id = "kill9-job";
  req.operation = "sleep";
  req.input = "3000";
  ASSERT_TRUE(client->submit(req).ok());
  auto active = net.wait_job_state("kill9-job", fb::JobState::active, milliseconds(3000));
  ASSERT_TRUE(active.has_value());
  const std::string first = active->node_id;
  ASSERT_TRUE(first == "worker-a" || first == "worker-b") << first;
  const std::string second = first == "worker-a" ? "worker-b" : "worker-a";
  EXPECT_EQ(active->attempt, 1u);

  net.worker(first).signal(SIGKILL);
  ASSERT_EQ(net.worker(first).wait(milliseconds(2000)), 128 + SIGKILL);

  auto done = net.wait_job_state("kill9-job", fb::JobState::completed, milliseconds(8000));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->node_id, second);
  EXPECT_EQ(done->attempt, 2u);
  EXPECT_EQ(done->output, "3000");

  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) {
        return count_job_events(ev, fb::JobEventKind::completed, "kill9-job") == 1;
      },
      milliseconds(2000)));
  auto events = tap->events();
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::requeued, "kill9-job"), 1);
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::assigned, "kill9-job"), 2);
  EXPECT_GE(net.stat("requeued_total").value_or(0), 1u);
  EXPECT_GE(net.stat("workers_expired").value_or(0), 1u);
  EXPECT_EQ(net.stat("workers_online"), 1u);
}

TEST(WorkerFailureIntegration, SigtermDrainsTheRunningJobThenExitsZero) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("drainer", kAllOps, 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();

  SubmitRequest req;
  req.job_id = "drain-job";
  req.operation = "sleep";
  req.input = "500";
  ASSERT_TRUE(client->submit(req).ok());
  ASSERT_TRUE(net.wait_job_state("drain-job", fb::JobState::active, milliseconds(3000)));

  net.worker("drainer").signal(SIGTERM);
  // The job finishes on the draining worker (not re-queued), then the worker exits 0.
  auto code = net.worker("drainer").wait(milliseconds(5000));
  ASSERT_TRUE(code.has_value()) << "worker did not exit after SIGTERM";
  EXPECT_EQ(*code, 0);

  auto done = net.wait_job_state("drain-job", fb::JobState::completed, milliseconds(2000));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->node_id, "drainer");
  EXPECT_EQ(done->attempt, 1u);
  EXPECT_EQ(done->output, "500");
  EXPECT_TRUE(net.wait_workers_online(0, milliseconds(3000)));
  EXPECT_EQ(net.stat("requeued_total"), 0u);
}

TEST(WorkerFailureIntegration, DrainingWorkerTakesNoNewJobs) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("drainer", kAllOps, 2);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));

  SubmitRequest busy;
  busy.job_id = "busy";
  busy.operation = "sleep";
  busy.input = "1500";
  ASSERT_TRUE(client->submit(busy).ok());
  ASSERT_TRUE(net.wait_job_state("busy", fb::JobState::active, milliseconds(3000)));
  net.worker("drainer").signal(SIGTERM);
  // Credit{0} reaches the broker as a node capacity event; only then is the next submit "late".
  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) {
        for (const auto& e : ev) {
          if (e.type == EventInfo::Type::node && e.node_id == "drainer" &&
              e.node_kind == fb::NodeEventKind::capacity && e.node_capacity == 0) {
            return true;
          }
        }
        return false;
      },
      milliseconds(2000)))
      << "no capacity=0 node event after SIGTERM";

  SubmitRequest late;
  late.job_id = "late";
  late.operation = "echo";
  late.input = "x";
  ASSERT_TRUE(client->submit(late).ok());

  ASSERT_EQ(net.worker("drainer").wait(milliseconds(5000)), 0);
  auto s = client->status("late");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().state, fb::JobState::pending) << "a draining worker must not take new jobs";
  auto busy_done = net.wait_job_state("busy", fb::JobState::completed, milliseconds(2000));
  ASSERT_TRUE(busy_done.has_value());
  EXPECT_EQ(busy_done->node_id, "drainer");
}

}  // namespace
}  // namespace litc::it
