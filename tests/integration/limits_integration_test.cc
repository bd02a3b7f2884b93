// Bounded queue: past --max-queued-jobs a submit gets a clear queue_full error (Client and CLI),
// nothing accepted is lost, and the broker takes submits again once the queue drains.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(LimitsIntegration, SubmitPastMaxQueuedJobsGetsQueueFullAndNothingAcceptedIsLost) {
  NetworkOptions options;
  options.broker_args = {"--max-queued-jobs", "5"};
  Network net(options);
  ASSERT_TRUE(net.ok());
  auto client = net.client();

  for (int i = 0; i < 5; ++i) {
    auto ack = client->submit(make_job("q" + std::to_string(i), "echo", "x"));
    ASSERT_TRUE(ack.ok()) << ack.error().message;
  }
  auto full = client->submit(make_job("q5", "echo", "x"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, fb::ErrorCode::queue_full);
  EXPECT_EQ(net.stat("queue_full_rejections"), 1u);

  // A duplicate of an accepted job is still answered while full (idempotence beats the limit).
  auto dup = client->submit(make_job("q0", "echo", "x"));
  ASSERT_TRUE(dup.ok()) << dup.error().message;
  EXPECT_TRUE(dup.value().duplicate);

  auto cli = net.cli({"submit", "--broker", net.endpoints().clients, "--op", "echo", "--input", "y",
                      "--job-id", "q6"});
  EXPECT_EQ(cli.exit_code, 2) << cli.out << cli.err;
  EXPECT_NE(cli.err.find("queue_full"), std::string::npos) << cli.err;
  EXPECT_TRUE(cli.out.empty()) << cli.out;

  // A worker drains the queue: all five accepted jobs complete, the rejected ones never existed.
  net.add_worker("w1", "echo", 2);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(
        net.wait_job_state("q" + std::to_string(i), fb::JobState::completed, milliseconds(5000)))
        << "q" << i;
  }
  auto missing = client->status("q5");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, fb::ErrorCode::not_found);

  auto after = client->submit_and_wait(make_job("q7", "echo", "z"), 5000);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after.value().state, fb::JobState::completed);
  EXPECT_EQ(after.value().output, "z");
}

}  // namespace
}  // namespace litc::it
