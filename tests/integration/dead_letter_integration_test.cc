// Jobs that cannot finish end `failed` with a reason: past max attempts or past their waiting TTL
// they are dead-lettered (listed by `litc dead-letters`, put back by `litc replay`); past their
// hard execution timeout they fail with `timeout`.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(DeadLetterIntegration, JobPastMaxAttemptsIsDeadLetteredListedAndReplayed) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("doomed", "sleep", 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();

  SubmitRequest req = make_job("one-try", "sleep", "2000");
  req.max_attempts = 1;
  ASSERT_TRUE(client->submit(req).ok());
  ASSERT_TRUE(net.wait_job_state("one-try", fb::JobState::active, milliseconds(3000)));
  net.worker("doomed").signal(SIGKILL);

  auto failed = net.wait_job_state("one-try", fb::JobState::failed, milliseconds(3000));
  ASSERT_TRUE(failed.has_value()) << "a job past max attempts must fail, not wait forever";
  EXPECT_EQ(failed->error_code, fb::ErrorCode::max_attempts_exceeded);
  EXPECT_TRUE(failed->dead_lettered);
  EXPECT_EQ(net.stat("dead_letter"), 1u);

  auto listed = client->dead_letters();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed.value()[0].job_id, "one-try");
  auto cli_list = net.cli({"dead-letters", "--broker", net.endpoints().clients});
  EXPECT_EQ(cli_list.exit_code, 0) << cli_list.err;
  EXPECT_EQ(cli_list.out.find('['), 0u) << cli_list.out;
  EXPECT_NE(cli_list.out.find("\"one-try\""), std::string::npos) << cli_list.out;

  // A healthy worker arrives; replay runs the job again under the next attempt number.
  net.add_worker("rescuer", "sleep", 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto replay = net.cli({"replay", "--broker", net.endpoints().clients, "one-try", "--wait",
                         "--wait-timeout-ms", "10000"});
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_EQ(json_string(replay.out, "status"), "completed") << replay.out;
  EXPECT_EQ(json_string(replay.out, "nodeId"), "rescuer") << replay.out;
  // Attempt numbers are never reused (PROTOCOL.md "Job states"): the killed run was attempt 1.
  EXPECT_EQ(json_int(replay.out, "attempt").value_or(0), 2) << replay.out;
  EXPECT_EQ(net.stat("dead_letter"), 0u);

  // Only dead-lettered jobs can be replayed.
  auto again = client->replay("one-try");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, fb::ErrorCode::already_finished);
}

TEST(DeadLetterIntegration, JobNoWorkerTakesWithinItsTtlExpiresIntoTheDeadLetters) {
  Network net;  // no worker at all
  ASSERT_TRUE(net.ok());
  auto client = net.client();
  SubmitRequest req = make_job("short-ttl", "echo", "x");
  req.ttl_ms = 200;
  ASSERT_TRUE(client->submit(req).ok());

  auto failed = net.wait_job_state("short-ttl", fb::JobState::failed, milliseconds(3000));
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->error_code, fb::ErrorCode::expired);
  EXPECT_TRUE(failed->dead_lettered);
  EXPECT_GE(failed->completed_at_ms, failed->submitted_at_ms + 200);

  auto cli = net.cli({"status", "--broker", net.endpoints().clients, "short-ttl"});
  EXPECT_EQ(json_string(cli.out, "status"), "failed") << cli.out;
  EXPECT_EQ(json_string(cli.out, "code"), "expired") << cli.out;
}

TEST(DeadLetterIntegration, AttemptRunningPastItsTimeoutFailsWithTimeout) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1", "sleep,echo", 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();

  SubmitRequest req = make_job("too-slow", "sleep", "10000");
  req.timeout_ms = 300;
  auto start = Clock::now();
  auto done = client->submit_and_wait(req, 5000);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done.value().state, fb::JobState::failed);
  EXPECT_EQ(done.value().error_code, fb::ErrorCode::timeout);
  EXPECT_TRUE(done.value().dead_lettered);  // timeouts can be replayed (PROTOCOL.md)
  EXPECT_LT(Clock::now() - start, milliseconds(3000));

  // The worker was told to stop: its only slot serves the next job promptly.
  auto echo = client->submit_and_wait(make_job("", "echo", "next"), 3000);
  ASSERT_TRUE(echo.ok()) << echo.error().message;
  EXPECT_EQ(echo.value().state, fb::JobState::completed);

  auto cli = net.cli({"status", "--broker", net.endpoints().clients, "too-slow"});
  EXPECT_EQ(cli.exit_code, 1) << "a failed job's status exits 1: " << cli.out << cli.err;
}

}  // namespace
}  // namespace litc::it
