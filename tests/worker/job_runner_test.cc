// JobRunner: bounded concurrency, every job answered exactly once, cancellation of queued and
// running jobs, and the eventfd wake-up the socket loop depends on.
#include "worker/job_runner.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "crypto/identity/result_statement.h"
#include "protocol/cid.h"
#include "worker/operations/builtin.h"

namespace litc {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Polls the wake fd like the socket loop does and collects outcomes until `count` arrived.
std::vector<JobOutcome> collect(JobRunner& runner, std::size_t count,
                                std::chrono::milliseconds timeout = 5000ms) {
  std::vector<JobOutcome> out;
  const auto deadline = Clock::now() + timeout;
  while (out.size() < count && Clock::now() < deadline) {
    pollfd p{runner.wake_fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    if (p.revents & POLLIN) runner.take_finished(out);
  }
  return out;
}

// An operation that records how many copies of itself run at once.
struct ConcurrencyProbe {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  Operation op() {
    return [this](std::string_view input, const CancelToken&) {
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(20ms);
      --running;
      return OperationResult::success(std::string(input));
    };
  }
};

TEST(JobRunner, RunsManyJobsButNeverMoreThanItsThreadsAtOnce) {
  ConcurrencyProbe probe;
  OperationRegistry ops;
  ops.add("probe", probe.op());
  JobRunner runner(ops, 3);
  constexpr int kJobs = 24;
  for (int i = 0; i < kJobs; ++i) {
    runner.submit(
        Job::from_bytes("job-" + std::to_string(i), "probe", 1, "in-" + std::to_string(i)));
  }
  const std::vector<JobOutcome> outcomes = collect(runner, kJobs);
  ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(probe.peak.load(), 3) << "queued jobs must fill every thread, and no more";

  std::map<std::string, int> seen;
  for (const JobOutcome& o : outcomes) {
    ++seen[o.job_id];
    EXPECT_TRUE(o.result.ok);
    EXPECT_EQ(o.result.output, "in-" + o.job_id.substr(4));
    EXPECT_EQ(o.attempt, 1u);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id << " answered more than once";

  // Nothing extra trickles in later.
  std::this_thread::sleep_for(50ms);
  std::vector<JobOutcome> extra;
  EXPECT_EQ(runner.take_finished(extra), 0u);
}

TEST(JobRunner, ComputesRealOperations) {
  const OperationRegistry ops = OperationRegistry::builtin();
  JobRunner runner(ops, 2);
  runner.submit(Job::from_bytes("h", "sha256", 2, "hello world"));
  runner.submit(Job::from_bytes("e", "echo", 1, std::string("\0bin\xff", 5)));
  std::map<std::string, JobOutcome> by_id;
  for (JobOutcome& o : collect(runner, 2)) by_id[o.job_id] = std::move(o);
  ASSERT_EQ(by_id.size(), 2u);
  EXPECT_EQ(by_id["h"].result.output,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  EXPECT_EQ(by_id["h"].attempt, 2u);
  EXPECT_EQ(by_id["e"].result.output, std::string("\0bin\xff", 5));
}

TEST(JobRunner, AVerifiedJobIsSignedOnItsThreadAndFailsWithoutASigner) {
  const OperationRegistry ops = OperationRegistry::builtin();
  const crypto::NodeKey key = crypto::generate_node_key();
  const ResultSigner signer(key, "node-1");
  JobRunner signing(ops, 1, &signer);
  Job job = Job::from_bytes("v", "echo", 3, "signed bytes");
  job.verified = true;
  signing.submit(std::move(job));
  std::vector<JobOutcome> out = collect(signing, 1);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].result.ok);
  EXPECT_TRUE(crypto::verify_result_signature(key.public_key_hex(), out[0].signature, "v", 3,
                                              "echo", cid_v1_raw("signed bytes"),
                                              cid_v1_raw("signed bytes"), "node-1"));
  // A node without a signer answers a verified job with an error, never an unsigned result.
  JobRunner plain(ops, 1);
  Job unsigned_job = Job::from_bytes("u", "echo", 1, "x");
  unsigned_job.verified = true;
  plain.submit(std::move(unsigned_job));
  out = collect(plain, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].result.ok);
  EXPECT_EQ(out[0].result.error, fb::ErrorCode::invalid_argument);
  EXPECT_TRUE(out[0].signature.empty());
}

TEST(JobRunner, RunsQuickOperationsInlineUpToTheInputLimitOnly) {
  const OperationRegistry ops = OperationRegistry::builtin();
  JobRunner runner(ops, 1);
  JobOutcome out;
  ASSERT_TRUE(runner.try_run_inline(Job::from_bytes("h", "sha256", 3, "hello world"), 64, out));
  EXPECT_EQ(out.job_id, "h");
  EXPECT_EQ(out.attempt, 3u);
  ASSERT_TRUE(out.result.ok);
  EXPECT_EQ(out.result.output, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  // Over the limit, a limit of 0, a slow operation, an unknown one: all go to the pool instead.
  EXPECT_FALSE(
      runner.try_run_inline(Job::from_bytes("big", "echo", 1, std::string(65, 'x')), 64, out));
  EXPECT_FALSE(runner.try_run_inline(Job::from_bytes("e", "echo", 1, "x"), 0, out));
  EXPECT_FALSE(runner.try_run_inline(Job::from_bytes("s", "sleep", 1, "1"), 64, out));
  EXPECT_FALSE(runner.try_run_inline(Job::from_bytes("u", "nope", 1, "x"), 64, out));
  std::vector<JobOutcome> none;
  EXPECT_EQ(runner.take_finished(none), 0u);  // inline runs never pass through the pool
}

TEST(JobRunner, InputViewSurvivesMovingASmallFrame) {
  // Small zmq messages keep their bytes inline, so the input is located by offset, not pointer.
  const OperationRegistry ops = OperationRegistry::builtin();
  JobRunner runner(ops, 1);
  Job job;
  job.job_id = "j";
  job.operation = "echo";
  job.frame = zmq::message_t(std::string_view("xxABCyy"));
  job.input_offset = 2;
  job.input_size = 3;
  Job moved = std::move(job);
  runner.submit(std::move(moved));
  const auto outcomes = collect(runner, 1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].result.output, "ABC");
}

TEST(JobRunner, UnknownOperationIsAnsweredAtOnceEvenWhenThreadsAreBusy) {
  const OperationRegistry ops = OperationRegistry::builtin();
  JobRunner runner(ops, 1);
  runner.submit(Job::from_bytes("busy", "sleep", 1, "2000"));
  const auto start = Clock::now();
  runner.submit(Job::from_bytes("x", "encrypt", 1, "data"));
  const auto outcomes = collect(runner, 1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_LT(Clock::now() - start, 1000ms);
  EXPECT_EQ(outcomes[0].job_id, "x");
  EXPECT_FALSE(outcomes[0].result.ok);
  EXPECT_EQ(outcomes[0].result.error, fb::ErrorCode::unknown_operation);
  EXPECT_NE(outcomes[0].result.message.find("encrypt"), std::string::npos);
  EXPECT_TRUE(runner.cancel("busy", 0));
  EXPECT_EQ(collect(runner, 1).size(), 1u);
}

TEST(JobRunner, CancelStopsARunningJobAndItStillAnswers) {
  const OperationRegistry ops = OperationRegistry::builtin();
  JobRunner runner(ops, 2);
  runner.submit(Job::from_bytes("long", "sleep", 3, "600000"));
  std::this_thread::sleep_for(30ms);  // let it start
  EXPECT_FALSE(runner.cancel("long", 2)) << "another attempt of the job must not be cancelled";
  const auto start = Clock::now();
  EXPECT_TRUE(runner.cancel("long", 3));
  const auto outcomes = collect(runner, 1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_EQ(outcomes[0].job_id, "long");
  EXPECT_EQ(outcomes[0].attempt, 3u);
  EXPECT_EQ(outcomes[0].result.error, fb::ErrorCode::cancelled);
}

TEST(JobRunner, CancelOfAQueuedJobAnswersWithoutWaitingForAThread) {
  const OperationRegistry ops = OperationRegistry::builtin();
  JobRunner runner(ops, 1);
  runner.submit(Job::from_bytes("running", "sleep", 1, "600000"));
  runner.submit(Job::from_bytes("queued", "sleep", 1, "600000"));
  std::this_thread::sleep_for(30ms);
  EXPECT_TRUE(runner.cancel("queued", 0));
  auto outcomes = collect(runner, 1, 1000ms);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].job_id, "queued");
  EXPECT_EQ(outcomes[0].result.error, fb::ErrorCode::cancelled);
  EXPECT_FALSE(runner.cancel("queued", 0)) << "already answered";
  EXPECT_TRUE(runner.cancel("running", 1));
  outcomes = collect(runner, 1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].job_id, "running");
}

TEST(JobRunner, AThrowingOperationBecomesAnInternalResult) {
  OperationRegistry ops;
  ops.add("throws", [](std::string_view, const CancelToken&) -> OperationResult {
    throw std::runtime_error("boom");
  });
  JobRunner runner(ops, 1);
  runner.submit(Job::from_bytes("t", "throws", 1, ""));
  runner.submit(Job::from_bytes("t2", "throws", 1, ""));  // the thread survived the first
  const auto outcomes = collect(runner, 2);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result.error, fb::ErrorCode::internal);
  EXPECT_NE(outcomes[0].result.message.find("boom"), std::string::npos);
}

TEST(JobRunner, ReportsJobsHeldLongerThanACutoffForLeaseRenewal) {
  const OperationRegistry ops = OperationRegistry::builtin();
  JobRunner runner(ops, 1);
  runner.submit(Job::from_bytes("running", "sleep", 1, "600000"));
  runner.submit(Job::from_bytes("queued", "sleep", 2, "600000"));
  std::this_thread::sleep_for(50ms);
  const auto cutoff = Clock::now();
  runner.submit(Job::from_bytes("fresh", "sleep", 1, "600000"));
  std::vector<std::pair<std::string, std::uint32_t>> held;
  runner.held_since(cutoff, held);
  std::sort(held.begin(), held.end());
  EXPECT_EQ(held,
            (std::vector<std::pair<std::string, std::uint32_t>>{{"queued", 2}, {"running", 1}}));
}

TEST(JobRunner, DestroyingTheRunnerStopsRunningJobsPromptly) {
  const OperationRegistry ops = OperationRegistry::builtin();
  const auto start = Clock::now();
  {
    JobRunner runner(ops, 2);
    for (int i = 0; i < 5; ++i)
      runner.submit(Job::from_bytes(std::to_string(i), "sleep", 1, "600000"));
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LT(Clock::now() - start, 1000ms);
}

}  // namespace
}  // namespace litc
