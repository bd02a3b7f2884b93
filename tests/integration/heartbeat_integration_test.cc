// Heartbeats both ways (Paranoid Pirate): a silent worker is declared offline within
// liveness x interval and its job re-queued; workers whose broker went silent reconnect and
// register again, after which new jobs complete.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

bool has_node_event(const std::vector<EventInfo>& ev, const std::string& node,
                    fb::NodeEventKind kind, std::size_t from = 0) {
  for (std::size_t i = from; i < ev.size(); ++i) {
    if (ev[i].type == EventInfo::Type::node && ev[i].node_id == node && ev[i].node_kind == kind) {
      return true;
    }
  }
  return false;
}

TEST(HeartbeatIntegration, SilentWorkerGoesOfflineWithinLivenessAndItsJobIsRequeued) {
  Network net;  // 100 ms x 3
  ASSERT_TRUE(net.ok());
  net.add_worker("frozen", "sleep", 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  SubmitRequest req;
  req.job_id = "held";
  req.operation = "sleep";
  req.input = "2000";
  ASSERT_TRUE(client->submit(req).ok());
  ASSERT_TRUE(net.wait_job_state("held", fb::JobState::active, milliseconds(3000)));

  auto stopped_at = Clock::now();
  net.worker("frozen").signal(SIGSTOP);
  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) { return has_node_event(ev, "frozen", fb::NodeEventKind::offline); },
      milliseconds(3000)))
      << "no offline event for a silent worker";
  milliseconds took{0};
  for (const auto& e : tap->events()) {
    if (e.type == EventInfo::Type::node && e.node_kind == fb::NodeEventKind::offline) {
      took = std::chrono::duration_cast<milliseconds>(e.received - stopped_at);
      break;
    }
  }
  const int window = net.options().heartbeat_ms * net.options().liveness;
  EXPECT_GE(took.count(), window / 2) << "declared dead too early";
  EXPECT_LE(took.count(), window + 700) << "declared dead too late";

  // Its job is pending again with attempt 2 (no other worker can take it).
  auto pending = net.wait_job_state("held", fb::JobState::pending, milliseconds(1000));
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->attempt, 2u);
  EXPECT_EQ(count_job_events(tap->events(), fb::JobEventKind::requeued, "held"), 1);
  EXPECT_EQ(net.stat("workers_online"), 0u);
  EXPECT_GE(net.stat("workers_expired").value_or(0), 1u);

  // Woken up, the worker notices it was dropped, registers again and runs the job.
  std::size_t mark = tap->events().size();
  net.worker("frozen").signal(SIGCONT);
  EXPECT_TRUE(tap->wait_for(
      [&](const auto& ev) { return has_node_event(ev, "frozen", fb::NodeEventKind::online, mark); },
      milliseconds(5000)))
      << "worker did not register again after SIGCONT";
  auto done = net.wait_job_state("held", fb::JobState::completed, milliseconds(10000));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->attempt, 2u);
}

TEST(HeartbeatIntegration, WorkersReRegisterAfterTheBrokerWasSilent) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1", "echo");
  net.add_worker("w2", "echo");
  ASSERT_TRUE(net.wait_workers_online(2));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));

  // Freeze the broker for ~1 s: more than liveness x interval for the workers.
  std::size_t mark = tap->events().size();
  net.broker().signal(SIGSTOP);
  std::this_thread::sleep_for(milliseconds(1000));
  net.broker().signal(SIGCONT);

  EXPECT_TRUE(tap->wait_for(
      [&](const auto& ev) {
        return has_node_event(ev, "w1", fb::NodeEventKind::online, mark) &&
               has_node_event(ev, "w2", fb::NodeEventKind::online, mark);
      },
      milliseconds(5000)))
      << "workers did not register again after the broker was silent";
  ASSERT_TRUE(net.wait_workers_online(2));

  auto client = net.client();
  for (int i = 0; i < 10; ++i) {
    SubmitRequest req;
    req.operation = "echo";
    req.input = "after-freeze-" + std::to_string(i);
    auto r = client->submit_and_wait(req, 5000);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().state, fb::JobState::completed);
    EXPECT_EQ(r.value().output, req.input);
  }
  EXPECT_TRUE(net.broker().running());
}

}  // namespace
}  // namespace litc::it
