// Happy path for every operation through the `litc` CLI and litc::Client, and the CLI's failures:
// an unknown operation and an unreachable broker end with exit status 2 and a reason on stderr.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

constexpr const char* kHelloWorldSha256 =
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

struct OpCase {
  std::string op;
  std::string input;
  std::string output;
};

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = {
      {"echo", "hello world", "hello world"},
      {"sha256", "hello world", kHelloWorldSha256},
      {"sleep", "50", "50"},
  };
  return cases;
}

TEST(OperationsIntegration, EachOperationCompletesViaCliSubmitWait) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1");
  ASSERT_TRUE(net.wait_workers_online(1));

  for (const auto& c : op_cases()) {
    SCOPED_TRACE(c.op);
    auto r = net.cli({"submit", "--broker", net.endpoints().clients, "--op", c.op, "--input",
                      c.input, "--wait", "--timeout-ms", "10000"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(json_string(r.out, "status"), "completed") << r.out;
    EXPECT_EQ(json_string(r.out, "operation"), c.op) << r.out;
    EXPECT_EQ(json_string(r.out, "output"), c.output) << r.out;
    EXPECT_EQ(json_string(r.out, "nodeId"), "w1") << r.out;
    auto id = json_string(r.out, "jobId");
    ASSERT_TRUE(id.has_value()) << r.out;
    EXPECT_FALSE(id->empty());

    // `litc status` reports the same finished job.
    auto s = net.cli({"status", "--broker", net.endpoints().clients, *id});
    EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
    EXPECT_EQ(json_string(s.out, "jobId"), *id) << s.out;
    EXPECT_EQ(json_string(s.out, "status"), "completed") << s.out;
  }

  auto stats = net.cli({"stats", "--broker", net.endpoints().clients});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(json_int(stats.out, "submitted_total"), 3) << stats.out;
  EXPECT_EQ(json_int(stats.out, "jobs_completed"), 3) << stats.out;
  EXPECT_EQ(json_int(stats.out, "workers_online"), 1) << stats.out;
}

TEST(OperationsIntegration, EachOperationCompletesViaClient) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();

  for (const auto& c : op_cases()) {
    SCOPED_TRACE(c.op);
    SubmitRequest req;
    req.operation = c.op;
    req.input = c.input;
    auto r = client->submit_and_wait(req, 10000);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const JobInfo& job = r.value();
    EXPECT_EQ(job.state, fb::JobState::completed);
    EXPECT_EQ(job.operation, c.op);
    EXPECT_EQ(job.output, c.output);
    EXPECT_EQ(job.node_id, "w1");
    EXPECT_EQ(job.attempt, 1u);
    EXPECT_FALSE(job.job_id.empty());
    EXPECT_GT(job.submitted_at_ms, 0u);
    EXPECT_LE(job.submitted_at_ms, job.started_at_ms);
    EXPECT_LE(job.started_at_ms, job.completed_at_ms);
  }
}

TEST(OperationsIntegration, CliWatchPrintsOneJsonLinePerEvent) {
  constexpr int kLines = 6;
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1", "echo");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto watch = net.start_cli({"watch", "--events", net.endpoints().events, "--count",
                              std::to_string(kLines), "--no-hugz", "--timeout-ms", "15000"});
  auto client = net.client();
  // A new subscriber misses what is published before its subscription lands (slow joiner), so
  // keep the broker busy until `watch` has printed its --count events and exited by itself.
  int i = 0;
  ASSERT_TRUE(eventually(
      [&] {
        EXPECT_TRUE(
            client->submit_and_wait(make_job("", "echo", numbered("watched ", i++)), 3000).ok());
        return !watch->running();
      },
      milliseconds(10000), milliseconds(20)))
      << "litc watch did not stop after --count events";
  EXPECT_EQ(watch->wait(milliseconds(0)), 0) << watch->err();

  std::vector<std::string> lines;
  std::istringstream out(watch->out());
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kLines)) << watch->out();
  std::optional<int64_t> previous;
  for (const auto& line : lines) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_EQ(json_string(line, "type"), "job") << line;
    auto kind = json_string(line, "kind");
    EXPECT_TRUE(kind == "submitted" || kind == "assigned" || kind == "completed") << line;
    auto seq = json_int(line, "seq");
    ASSERT_TRUE(seq.has_value()) << line;
    if (previous) {
      EXPECT_EQ(*seq, *previous + 1) << "seq gap in litc watch output";
    }
    previous = seq;
  }
}

TEST(OperationsIntegration, UnknownOperationExitsWithStatus2AndNamesTheError) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1");
  ASSERT_TRUE(net.wait_workers_online(1));

  auto r = net.cli({"submit", "--broker", net.endpoints().clients, "--op", "no_such_operation",
                    "--input", "x", "--wait", "--timeout-ms", "5000"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown_operation"), std::string::npos) << r.err;
  EXPECT_EQ(net.stat("submitted_total"), 0u);
}

TEST(OperationsIntegration, UnreachableBrokerExitsWithStatus2WithinTheTimeout) {
  Network net;  // only for its temp dir; the CLI is pointed at a port where nothing listens
  ASSERT_TRUE(net.ok());
  int port = unused_tcp_port();
  ASSERT_GT(port, 0);
  const std::string ep = "tcp://127.0.0.1:" + std::to_string(port);

  auto submit = net.cli(
      {"submit", "--broker", ep, "--op", "echo", "--input", "x", "--wait", "--timeout-ms", "500"});
  EXPECT_EQ(submit.exit_code, 2) << submit.out << submit.err;
  EXPECT_FALSE(submit.err.empty());
  EXPECT_LT(submit.elapsed.count(), 5000);

  auto stats = net.cli({"stats", "--broker", ep, "--timeout-ms", "500"});
  EXPECT_EQ(stats.exit_code, 2) << stats.out << stats.err;
  EXPECT_FALSE(stats.err.empty());
  EXPECT_LT(stats.elapsed.count(), 5000);
}

}  // namespace
}  // namespace litc::it
