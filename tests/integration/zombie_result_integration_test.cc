// Exactly-once completion record: a worker frozen (SIGSTOP) while holding a job is declared dead,
// the job completes elsewhere as attempt 2, and the frozen worker's late result, once it wakes
// (SIGCONT), is rejected and counted in stale_results without touching the job's record.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(ZombieResultIntegration, LateResultFromAFrozenWorkerIsRejectedAndCounted) {
  Network net;  // heartbeat 100 ms, liveness 3
  ASSERT_TRUE(net.ok());
  net.add_worker("worker-a", "sleep", 1);
  net.add_worker("worker-b", "sleep", 1);
  ASSERT_TRUE(net.wait_workers_online(2));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  SubmitRequest req;
  req.job_id = "zombie-job";
  req.operation = "sleep";
  req.input = "1500";
  ASSERT_TRUE(client->submit(req).ok());
  auto active = net.wait_job_state("zombie-job", fb::JobState::active, milliseconds(3000));
  ASSERT_TRUE(active.has_value());
  const std::string zombie = active->node_id;
  const std::string survivor = zombie == "worker-a" ? "worker-b" : "worker-a";

  net.worker(zombie).signal(SIGSTOP);
  auto done = net.wait_job_state("zombie-job", fb::JobState::completed, milliseconds(6000));
  ASSERT_TRUE(done.has_value()) << "job not completed after its worker froze";
  EXPECT_EQ(done->node_id, survivor);
  EXPECT_EQ(done->attempt, 2u);
  const uint64_t stale_before = net.stat("stale_results").value_or(0);

  // Wake the zombie: its sleep is long over, so it reports attempt 1 right away.
  net.worker(zombie).signal(SIGCONT);
  EXPECT_TRUE(eventually([&] { return net.stat("stale_results").value_or(0) > stale_before; },
                         milliseconds(5000)))
      << "the zombie's late result was not counted in stale_results";

  auto after = client->status("zombie-job");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.value().state, fb::JobState::completed);
  EXPECT_EQ(after.value().node_id, survivor);
  EXPECT_EQ(after.value().attempt, 2u);
  EXPECT_EQ(after.value().completed_at_ms, done->completed_at_ms);
  EXPECT_EQ(after.value().output, "1500");

  auto events = tap->events();
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::completed, "zombie-job"), 1);
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::requeued, "zombie-job"), 1);
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::failed, "zombie-job"), 0);
  EXPECT_EQ(net.stat("jobs_completed"), 1u);
}

}  // namespace
}  // namespace litc::it
