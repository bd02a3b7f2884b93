// Cancel works for running and for queued jobs: the job ends `cancelled` with one `cancelled`
// event, a running worker is told and its slot is freed; a finished job cannot be cancelled.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(CancelIntegration, CancellingARunningJobFreesTheWorkerSlot) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("one-slot", kAllOps, 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  SubmitRequest slow;
  slow.job_id = "long-sleep";
  slow.operation = "sleep";
  slow.input = "10000";
  ASSERT_TRUE(client->submit(slow).ok());
  ASSERT_TRUE(net.wait_job_state("long-sleep", fb::JobState::active, milliseconds(3000)));

  auto cancelled = client->cancel("long-sleep");
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_EQ(cancelled.value().state, fb::JobState::cancelled);
  auto status = client->status("long-sleep");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status.value().state, fb::JobState::cancelled);

  // The only slot is free again well before the 10 s sleep would have ended.
  auto start = Clock::now();
  SubmitRequest quick;
  quick.operation = "echo";
  quick.input = "after cancel";
  auto echo = client->submit_and_wait(quick, 5000);
  ASSERT_TRUE(echo.ok()) << echo.error().message;
  EXPECT_EQ(echo.value().state, fb::JobState::completed);
  EXPECT_EQ(echo.value().node_id, "one-slot");
  EXPECT_LT(Clock::now() - start, milliseconds(3000));

  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) {
        return count_job_events(ev, fb::JobEventKind::cancelled, "long-sleep") >= 1;
      },
      milliseconds(2000)));
  auto events = tap->events();
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::cancelled, "long-sleep"), 1);
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::completed, "long-sleep"), 0);
  // The cancelled job stays cancelled even after the worker answered for it.
  auto final_status = client->status("long-sleep");
  ASSERT_TRUE(final_status.ok());
  EXPECT_EQ(final_status.value().state, fb::JobState::cancelled);
  EXPECT_EQ(net.stat("jobs_cancelled"), 1u);
}

TEST(CancelIntegration, CancellingAQueuedJobMeansItNeverRuns) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("one-slot", kAllOps, 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();

  SubmitRequest blocker;
  blocker.job_id = "blocker";
  blocker.operation = "sleep";
  blocker.input = "400";
  ASSERT_TRUE(client->submit(blocker).ok());
  SubmitRequest queued;
  queued.job_id = "queued";
  queued.operation = "echo";
  queued.input = "never";
  ASSERT_TRUE(client->submit(queued).ok());
  auto q = client->status("queued");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q.value().state, fb::JobState::pending);

  auto c = client->cancel("queued");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().state, fb::JobState::cancelled);

  ASSERT_TRUE(net.wait_job_state("blocker", fb::JobState::completed, milliseconds(5000)));
  std::this_thread::sleep_for(milliseconds(200));  // a wrongly queued job would run now
  auto after = client->status("queued");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.value().state, fb::JobState::cancelled);
  EXPECT_TRUE(after.value().output.empty());
  EXPECT_EQ(net.stat("jobs_completed"), 1u);
}

TEST(CancelIntegration, CancellingAFinishedOrUnknownJobIsAnError) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();

  SubmitRequest req;
  req.job_id = "finished";
  req.operation = "echo";
  req.input = "x";
  ASSERT_TRUE(client->submit_and_wait(req, 5000).ok());

  auto c = client->cancel("finished");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, fb::ErrorCode::already_finished);
  auto s = client->status("finished");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().state, fb::JobState::completed);

  auto missing = client->cancel("no-such-job");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, fb::ErrorCode::not_found);

  auto cli = net.cli({"cancel", "--broker", net.endpoints().clients, "no-such-job"});
  EXPECT_EQ(cli.exit_code, 2) << cli.out << cli.err;
  EXPECT_NE(cli.err.find("not_found"), std::string::npos) << cli.err;
}

}  // namespace
}  // namespace litc::it
