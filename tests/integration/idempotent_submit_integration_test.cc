// Submitting a job id twice is idempotent: the second submit gets the first's job back
// (duplicate = true), nothing is queued twice and the job runs once.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(IdempotentSubmitIntegration, SameJobIdTwiceReturnsTheSameJobAndRunsItOnce) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  SubmitRequest req;
  req.job_id = "dup-1";
  req.operation = "sleep";
  req.input = "300";
  auto first = client->submit(req);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first.value().duplicate);
  EXPECT_EQ(first.value().job.job_id, "dup-1");

  auto second = client->submit(req);  // while the first is pending or running
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second.value().duplicate);
  EXPECT_EQ(second.value().job.job_id, "dup-1");
  EXPECT_EQ(second.value().job.submitted_at_ms, first.value().job.submitted_at_ms);

  auto done = net.wait_job_state("dup-1", fb::JobState::completed, milliseconds(5000));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->attempt, 1u);

  // After it finished, a third submit still returns the same (finished) job.
  auto third = client->submit(req);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third.value().duplicate);
  EXPECT_EQ(third.value().job.state, fb::JobState::completed);
  EXPECT_EQ(third.value().job.output, "300");

  auto stats = client->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats.value().get("submitted_total"), 1u);
  EXPECT_EQ(stats.value().get("duplicate_submits"), 2u);
  EXPECT_EQ(stats.value().get("jobs_completed"), 1u);

  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) { return count_job_events(ev, fb::JobEventKind::completed, "dup-1"); },
      milliseconds(2000)));
  auto events = tap->events();
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::submitted, "dup-1"), 1);
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::assigned, "dup-1"), 1);
  EXPECT_EQ(count_job_events(events, fb::JobEventKind::completed, "dup-1"), 1);
}

// Submit with wait and no_ack: the final JobReply is the only reply, also for a duplicate of a
// finished job; errors are still answered.
TEST(IdempotentSubmitIntegration, WaitSubmitWithoutAckGetsOnlyTheFinalReply) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();

  SubmitRequest req;
  req.job_id = "no-ack-1";
  req.operation = "echo";
  req.input = "hi";
  req.wait = true;
  req.no_ack = true;
  for (int round = 0; round < 2; ++round) {  // new job, then a duplicate of the finished one
    uint64_t id = client->send_submit(req);
    ASSERT_NE(id, 0u);
    auto reply = client->poll(5000);
    ASSERT_TRUE(reply.has_value()) << "round " << round;
    EXPECT_EQ(reply->request_id, id);
    EXPECT_EQ(reply->kind, ClientReplyInfo::Kind::job) << "round " << round;
    EXPECT_TRUE(reply->final);
    EXPECT_EQ(reply->job.job_id, "no-ack-1");
    EXPECT_EQ(reply->job.state, fb::JobState::completed);
    EXPECT_EQ(reply->job.output, "hi");
  }

  req.job_id.clear();
  req.operation = "no-such-op";
  uint64_t bad = client->send_submit(req);
  ASSERT_NE(bad, 0u);
  auto error = client->poll(5000);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->request_id, bad);
  EXPECT_EQ(error->kind, ClientReplyInfo::Kind::error);
  EXPECT_EQ(error->error.code, fb::ErrorCode::unknown_operation);
  EXPECT_FALSE(client->poll(300).has_value());  // no late ack for any of them
  EXPECT_EQ(net.stat("submitted_total"), 1u);
  EXPECT_EQ(net.stat("duplicate_submits"), 1u);
}

TEST(IdempotentSubmitIntegration, CliSubmitWithTheSameJobIdPrintsTheSameJob) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1");
  ASSERT_TRUE(net.wait_workers_online(1));

  std::vector<std::string> args = {"submit",     "--broker", net.endpoints().clients, "--op",
                                   "sha256",     "--input",  "hello world",           "--job-id",
                                   "cli-dup-id", "--wait",   "--timeout-ms",          "10000"};
  auto a = net.cli(args);
  auto b = net.cli(args);
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_EQ(json_string(a.out, "jobId"), "cli-dup-id");
  EXPECT_EQ(json_string(b.out, "jobId"), "cli-dup-id");
  EXPECT_EQ(json_string(b.out, "status"), "completed");
  EXPECT_EQ(json_string(a.out, "output"), json_string(b.out, "output"));
  EXPECT_EQ(net.stat("submitted_total"), 1u);
  EXPECT_EQ(net.stat("duplicate_submits"), 1u);
}

}  // namespace
}  // namespace litc::it
