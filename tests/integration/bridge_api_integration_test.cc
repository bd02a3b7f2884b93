// litc-bridge's /lit-compute HTTP API against the real broker, workers and redis-server: every
// endpoint with its status and body asserted (submit, status, cancel, pending list, dead letters,
// replay, stats, /healthz, /metrics, and the HTTP-only node routes), HTTP nodes and ZeroMQ workers
// scheduled by the same broker, and a silent HTTP node's job going back to another worker.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "protocol/base64.h"
#include "protocol/cid.h"
#include "tests/integration/bridge_harness.h"

namespace litc::it {
namespace {

namespace json = boost::json;

json::array array_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->as_array() : json::array{};
}

std::vector<std::string> job_ids(const HttpResult& r) {
  std::vector<std::string> ids;
  for (const auto& j : array_field(obj(r.body), "jobs")) {
    if (j.is_object()) ids.push_back(str(j.as_object(), "jobId"));
  }
  return ids;
}

// GET jobs/:id until its status is `status`; the last body seen either way.
json::object wait_job(HttpClient& c, const std::string& id, const std::string& status,
                      milliseconds timeout = milliseconds(15000)) {
  json::object last;
  eventually(
      [&] {
        auto r = c.get(kApi + "/jobs/" + id);
        last = obj(r.body);
        return r.status == 200 && str(last, "status") == status;
      },
      timeout, milliseconds(20));
  return last;
}

std::string register_body(
    const std::string& ops_json, int max_concurrent,
    const std::string& wallet = "0x1111222233334444555566667777888899990000") {
  return "{\"walletAddress\":\"" + wallet +
         "\",\"publicKey\":\"0x04abcdef\",\"capabilities\":{\"maxConcurrentJobs\":" +
         std::to_string(max_concurrent) + ",\"supportedOperations\":" + ops_json + "}}";
}

// Registers an HTTP-only node; its id, or "" (and a test failure).
std::string register_http_node(HttpClient& c, const std::string& ops_json, int max_concurrent) {
  auto r = c.post(kApi + "/nodes/register", register_body(ops_json, max_concurrent));
  EXPECT_EQ(r.status, 200) << r.body;
  auto o = obj(r.body);
  EXPECT_EQ(str(o, "status"), "registered") << r.body;
  EXPECT_FALSE(str(o, "nodeId").empty()) << r.body;
  return str(o, "nodeId");
}

std::string complete_body(const std::string& node_id, const std::string& output) {
  return json::serialize(json::object{{"nodeId", node_id}, {"output", output}});
}

// The value of the first sample line `name` (exact, labels included) in Prometheus text; -1 if
// absent.
double sample(const std::string& metrics, const std::string& name) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

BridgeStackOptions stack_options(std::vector<std::string> bridge_args = {}) {
  BridgeStackOptions o;
  o.network = load_test_options();
  o.bridge_args = std::move(bridge_args);
  return o;
}

TEST(BridgeApi, SubmitReturns202AndTheJobCompletesWithOutputAndCid) {
  BridgeStack s(stack_options());
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", kAllOps, 2);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  auto r = c->post(kApi + "/jobs/submit", R"({"operation":"sha256","input":"hello world"})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto ack = obj(r.body);
  const std::string id = str(ack, "jobId");
  ASSERT_FALSE(id.empty()) << r.body;
  EXPECT_EQ(str(ack, "status"), "pending") << r.body;
  EXPECT_EQ(ack.if_contains("duplicate"), nullptr) << "a first submit is no duplicate: " << r.body;

  auto job = wait_job(*c, id, "completed");
  ASSERT_EQ(str(job, "status"), "completed") << json::serialize(job);
  EXPECT_EQ(str(job, "jobId"), id);
  EXPECT_EQ(str(job, "operation"), "sha256");
  EXPECT_EQ(str(job, "output"), kHelloSha256);
  EXPECT_EQ(str(job, "outputCID"), cid_v1_raw(kHelloSha256));
  EXPECT_EQ(str(job, "outputCID").rfind("bafkrei", 0), 0u) << str(job, "outputCID");
  EXPECT_EQ(str(job, "nodeId"), "w1");
  EXPECT_EQ(num(job, "attempt"), 1);
  EXPECT_GT(num(job, "submittedAt"), 0);
  EXPECT_LE(num(job, "submittedAt"), num(job, "startedAt"));
  EXPECT_LE(num(job, "startedAt"), num(job, "completedAt"));
  EXPECT_EQ(job.if_contains("error"), nullptr) << json::serialize(job);

  // inputBase64 carries bytes: sha256 of the same text, and echo of bytes that are not UTF-8
  // (then the output comes back as outputBase64).
  r = c->post(kApi + "/jobs/submit",
              R"({"operation":"sha256","inputBase64":")" + base64_encode("hello world") + "\"}");
  ASSERT_EQ(r.status, 202) << r.body;
  job = wait_job(*c, str(obj(r.body), "jobId"), "completed");
  EXPECT_EQ(str(job, "output"), kHelloSha256) << json::serialize(job);
  const std::string bytes("\x00\xff\x10\x80z", 5);
  r = c->post(kApi + "/jobs/submit",
              R"({"operation":"echo","inputBase64":")" + base64_encode(bytes) + "\"}");
  ASSERT_EQ(r.status, 202) << r.body;
  job = wait_job(*c, str(obj(r.body), "jobId"), "completed");
  EXPECT_EQ(str(job, "outputBase64"), base64_encode(bytes)) << json::serialize(job);
  EXPECT_EQ(job.if_contains("output"), nullptr) << json::serialize(job);
  EXPECT_EQ(str(job, "outputCID"), cid_v1_raw(bytes));
  EXPECT_EQ(num(job, "inputSize"), 5);

  // An explicit jobId is idempotent: the second submit is a duplicate of the first.
  const std::string body = R"({"operation":"sha256","input":"hello world","jobId":"api-fixed"})";
  r = c->post(kApi + "/jobs/submit", body);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(str(obj(r.body), "jobId"), "api-fixed");
  EXPECT_EQ(obj(r.body).if_contains("duplicate"), nullptr) << r.body;
  r = c->post(kApi + "/jobs/submit", body);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(str(obj(r.body), "jobId"), "api-fixed");
  const json::value* dup = obj(r.body).if_contains("duplicate");
  ASSERT_NE(dup, nullptr) << r.body;
  EXPECT_TRUE(dup->is_bool() && dup->as_bool()) << r.body;
  EXPECT_EQ(str(wait_job(*c, "api-fixed", "completed"), "output"), kHelloSha256);
  // A duplicate of a finished job reports that job's state.
  r = c->post(kApi + "/jobs/submit", body);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(str(obj(r.body), "status"), "completed") << r.body;
  EXPECT_NE(obj(r.body).if_contains("duplicate"), nullptr) << r.body;

  // priority, maxAttempts and timeoutMs reach the broker and come back on the job.
  r = c->post(kApi + "/jobs/submit",
              R"({"operation":"echo","input":"p","jobId":"api-opts","priority":7,)"
              R"("maxAttempts":3,"timeoutMs":5000})");
  ASSERT_EQ(r.status, 202) << r.body;
  job = wait_job(*c, "api-opts", "completed");
  EXPECT_EQ(num(job, "priority"), 7) << json::serialize(job);
  EXPECT_EQ(num(job, "maxAttempts"), 3) << json::serialize(job);
  EXPECT_EQ(num(job, "timeoutMs"), 5000) << json::serialize(job);
  EXPECT_EQ(str(job, "output"), "p");

  // An unknown job is a 404 with the catalogue's code.
  r = c->get(kApi + "/jobs/no-such-job");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found") << r.body;
  EXPECT_EQ(r.content_type, "application/json");
}

TEST(BridgeApi, CancelOfARunningJobAnswers200ThenAlreadyFinishedAndUnknownIs404) {
  BridgeStack s(stack_options());
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "sleep", 1);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  auto r = c->post(kApi + "/jobs/submit", submit_body("sleep", "10000", "long-sleep"));
  ASSERT_EQ(r.status, 202) << r.body;
  auto job = wait_job(*c, "long-sleep", "active");
  ASSERT_EQ(str(job, "status"), "active") << json::serialize(job);
  EXPECT_EQ(str(job, "nodeId"), "w1");

  r = c->post(kApi + "/jobs/long-sleep/cancel", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(obj(r.body), "jobId"), "long-sleep");
  EXPECT_EQ(str(obj(r.body), "status"), "cancelled") << r.body;
  // Far sooner than the 10 s the job would have slept.
  job = wait_job(*c, "long-sleep", "cancelled", milliseconds(3000));
  EXPECT_EQ(str(job, "status"), "cancelled") << json::serialize(job);

  r = c->post(kApi + "/jobs/long-sleep/cancel", "");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_code(r), "already_finished") << r.body;

  r = c->post(kApi + "/jobs/never-submitted/cancel", "");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found") << r.body;

  // The worker's slot is free again: the next job runs.
  r = c->post(kApi + "/jobs/submit", submit_body("sleep", "1", "after-cancel"));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(str(wait_job(*c, "after-cancel", "completed"), "status"), "completed");
}

TEST(BridgeApi, PendingListAndStatsShowJobsWaitingWithoutAWorkerThenPriorityOrderRuns) {
  BridgeStack s(stack_options());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  const std::vector<std::string> ids = {"pend-0", "pend-1", "pend-2", "pend-3", "pend-hi"};
  for (const auto& id : ids) {
    std::string body = submit_body("echo", id, id);
    if (id == "pend-hi")
      body = R"({"operation":"echo","input":"hi","jobId":"pend-hi","priority":9})";
    auto r = c->post(kApi + "/jobs/submit", body);
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(str(obj(r.body), "status"), "pending") << r.body;
  }

  HttpResult list;
  ASSERT_TRUE(eventually(
      [&] {
        list = c->get(kApi + "/jobs/pending/list");
        return list.status == 200 && job_ids(list).size() == ids.size();
      },
      milliseconds(5000)))
      << list.status << " " << list.body;
  // Ordered by submit time, the order they were sent in.
  EXPECT_EQ(job_ids(list), ids) << list.body;
  int64_t previous = 0;
  for (const auto& j : array_field(obj(list.body), "jobs")) {
    int64_t at = num(j.as_object(), "submittedAt");
    EXPECT_GE(at, previous) << list.body;
    previous = at;
  }
  auto limited = c->get(kApi + "/jobs/pending/list?limit=2");
  ASSERT_EQ(limited.status, 200) << limited.body;
  EXPECT_EQ(job_ids(limited), (std::vector<std::string>{"pend-0", "pend-1"})) << limited.body;

  auto stats = c->get(kApi + "/jobs/stats");
  ASSERT_EQ(stats.status, 200) << stats.body;
  auto so = obj(stats.body);
  ASSERT_TRUE(so.contains("broker") && so.at("broker").is_object()) << stats.body;
  ASSERT_TRUE(so.contains("redis") && so.at("redis").is_object()) << stats.body;
  EXPECT_EQ(num(so.at("broker").as_object(), "jobs_pending"), 5) << stats.body;
  EXPECT_EQ(num(so.at("broker").as_object(), "workers_online"), 0) << stats.body;
  EXPECT_EQ(num(so.at("broker").as_object(), "submitted_total"), 5) << stats.body;
  EXPECT_EQ(num(so.at("redis").as_object(), "pending"), 5) << stats.body;
  EXPECT_EQ(num(so.at("redis").as_object(), "nodesAvailable"), 0) << stats.body;

  // One slot: the priority-9 job, submitted last, runs first.
  s.net().add_worker("w1", "echo", 1);
  for (const auto& id : ids) {
    ASSERT_EQ(str(wait_job(*c, id, "completed"), "status"), "completed") << id;
  }
  const int64_t hi_start = num(wait_job(*c, "pend-hi", "completed"), "startedAt");
  for (const auto& id : ids) {
    if (id != "pend-hi") {
      EXPECT_LE(hi_start, num(wait_job(*c, id, "completed"), "startedAt")) << id;
    }
  }
  ASSERT_TRUE(eventually(
      [&] {
        list = c->get(kApi + "/jobs/pending/list");
        return list.status == 200 && job_ids(list).empty();
      },
      milliseconds(5000)))
      << list.body;
  ASSERT_TRUE(eventually(
      [&] {
        stats = c->get(kApi + "/jobs/stats");
        auto o = obj(stats.body);
        return o.contains("redis") && num(o.at("redis").as_object(), "completed") == 5 &&
               num(o.at("broker").as_object(), "jobs_completed") == 5;
      },
      milliseconds(5000)))
      << stats.body;
}

TEST(BridgeApi, ExpiredJobIsListedInDeadLettersAndReplayRunsItAgain) {
  BridgeStack s(stack_options());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  // No worker: past its 300 ms waiting TTL the job fails with expired and is dead-lettered.
  auto r = c->post(kApi + "/jobs/submit",
                   R"({"operation":"echo","input":"late","jobId":"dl-1","ttlMs":300})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto job = wait_job(*c, "dl-1", "failed", milliseconds(5000));
  ASSERT_EQ(str(job, "status"), "failed") << json::serialize(job);
  ASSERT_TRUE(job.contains("error") && job.at("error").is_object()) << json::serialize(job);
  EXPECT_EQ(str(job.at("error").as_object(), "code"), "expired");
  ASSERT_TRUE(job.contains("deadLettered")) << json::serialize(job);
  EXPECT_TRUE(job.at("deadLettered").as_bool());

  auto dead = c->get(kApi + "/jobs/dead/list");
  ASSERT_EQ(dead.status, 200) << dead.body;
  EXPECT_EQ(job_ids(dead), std::vector<std::string>{"dl-1"}) << dead.body;
  auto first = array_field(obj(dead.body), "jobs");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(str(first[0].as_object(), "status"), "failed") << dead.body;

  // Only dead-lettered jobs can be replayed; unknown ones are 404.
  r = c->post(kApi + "/jobs/nope/replay", "");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found") << r.body;

  s.net().add_worker("w1", "echo", 1);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  r = c->post(kApi + "/jobs/dl-1/replay", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(obj(r.body), "jobId"), "dl-1");
  // The broker's JobReply is the job after the replay step, which may already have assigned it
  // to the idle worker (schemas/PROTOCOL.md says "JobReply{job (pending)}").
  const std::string replayed = str(obj(r.body), "status");
  EXPECT_TRUE(replayed == "pending" || replayed == "active") << r.body;
  EXPECT_EQ(num(obj(r.body), "attempt"), 2) << "attempt numbers are never reused: " << r.body;
  job = wait_job(*c, "dl-1", "completed");
  ASSERT_EQ(str(job, "status"), "completed") << json::serialize(job);
  EXPECT_EQ(str(job, "output"), "late");
  EXPECT_EQ(str(job, "nodeId"), "w1");

  dead = c->get(kApi + "/jobs/dead/list");
  ASSERT_EQ(dead.status, 200) << dead.body;
  EXPECT_TRUE(job_ids(dead).empty()) << dead.body;
  r = c->post(kApi + "/jobs/dl-1/replay", "");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_code(r), "already_finished") << r.body;
}

TEST(BridgeApi, HealthzIsOkAndMetricsArePrometheusTextWithBridgeBrokerAndHttpCounters) {
  BridgeStack s(stack_options());
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo", 1);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  auto h = c->get("/healthz");
  ASSERT_EQ(h.status, 200) << h.body;
  auto ho = obj(h.body);
  EXPECT_EQ(str(ho, "status"), "ok") << h.body;
  EXPECT_EQ(str(ho, "redis"), "up") << h.body;
  EXPECT_EQ(str(ho, "broker"), "live") << h.body;
  EXPECT_GT(num(ho, "epoch"), 0) << h.body;

  for (int i = 0; i < 3; ++i) {
    auto r = c->post(kApi + "/jobs/submit", submit_body("echo", "m", numbered("m", i)));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  EXPECT_EQ(c->get(kApi + "/jobs/unknown-job").status, 404);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(str(wait_job(*c, numbered("m", i), "completed"), "status"), "completed");
  }

  HttpResult m;
  ASSERT_TRUE(eventually(
      [&] {
        m = c->get("/metrics");
        return m.status == 200 &&
               m.body.find("litc_broker_stat{name=\"jobs_completed\"} 3\n") != std::string::npos;
      },
      milliseconds(10000), milliseconds(100)))
      << m.body;
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u) << m.content_type;
  EXPECT_EQ(sample(m.body, "litc_bridge_redis_up"), 1);
  EXPECT_EQ(sample(m.body, "litc_bridge_broker_live"), 1);
  EXPECT_EQ(sample(m.body, "litc_bridge_submits_accepted_total"), 3);
  EXPECT_GT(sample(m.body, "litc_bridge_events_applied_total"), 0);
  EXPECT_GT(sample(m.body, "litc_bridge_redis_commands_total"), 0);
  EXPECT_EQ(sample(m.body, "litc_broker_stat{name=\"workers_online\"}"), 1);
  EXPECT_EQ(sample(m.body, "litc_bridge_http_requests_total{route=\"jobs_submit\",status=\"202\"}"),
            3);
  EXPECT_EQ(sample(m.body, "litc_bridge_http_requests_total{route=\"jobs_get\",status=\"404\"}"),
            1);
  EXPECT_GE(sample(m.body, "litc_bridge_http_requests_total{route=\"healthz\",status=\"200\"}"), 1);
  EXPECT_NE(m.body.find("# TYPE litc_bridge_mirror_lag_ms"), std::string::npos) << m.body;

  // Every line is a comment or `name{labels} value` (Prometheus text format 0.0.4).
  const std::regex sample_line(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+(Inf)?$)");
  std::istringstream in(m.body);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++samples;
    EXPECT_TRUE(std::regex_match(line, sample_line)) << line;
  }
  EXPECT_GT(samples, 20);
}

TEST(BridgeApi, HttpOnlyNodeRegistersPollsItsJobsAndCompletesThem) {
  BridgeStack s(stack_options());  // no ZeroMQ worker at all
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  const std::string node = register_http_node(*c, R"(["echo"])", 2);
  ASSERT_FALSE(node.empty());
  const std::vector<std::string> ids = {"hn-0", "hn-1", "hn-2", "hn-fail"};
  for (const auto& id : ids) {
    auto r = c->post(kApi + "/jobs/submit", submit_body("echo", "in-" + id, id));
    ASSERT_EQ(r.status, 202) << r.body;
  }

  // Poll like the seed's node software: take what the inbox holds, report each job.
  std::set<std::string> done;
  size_t most_held = 0;
  ASSERT_TRUE(eventually(
      [&] {
        auto r = c->get(kApi + "/nodes/" + node + "/jobs");
        if (r.status != 200) return false;
        auto jobs = array_field(obj(r.body), "jobs");
        most_held = std::max(most_held, jobs.size());
        for (const auto& j : jobs) {
          const auto& o = j.as_object();
          const std::string id = str(o, "jobId");
          EXPECT_EQ(str(o, "operation"), "echo") << r.body;
          EXPECT_EQ(str(o, "input"), "in-" + id) << r.body;
          EXPECT_EQ(num(o, "attempt"), 1) << r.body;
          EXPECT_GT(num(o, "assignedAt"), 0) << r.body;
          std::string body =
              id == "hn-fail" ? json::serialize(json::object{{"nodeId", node}, {"error", "boom"}})
                              : complete_body(node, "done-" + id);
          auto cr = c->post(kApi + "/jobs/" + id + "/complete", body);
          EXPECT_EQ(cr.status, 200) << cr.body;
          EXPECT_EQ(str(obj(cr.body), "status"), "accepted") << cr.body;
          EXPECT_EQ(str(obj(cr.body), "jobId"), id) << cr.body;
          done.insert(id);
        }
        return done.size() == ids.size();
      },
      milliseconds(15000), milliseconds(50)))
      << done.size() << " of " << ids.size() << " reported";
  EXPECT_LE(most_held, 2u) << "the inbox never holds more than maxConcurrentJobs";

  for (int i = 0; i < 3; ++i) {
    const std::string id = numbered("hn-", i);
    auto job = wait_job(*c, id, "completed");
    ASSERT_EQ(str(job, "status"), "completed") << json::serialize(job);
    EXPECT_EQ(str(job, "output"), "done-" + id);
    EXPECT_EQ(str(job, "outputCID"), cid_v1_raw("done-" + id));
    EXPECT_EQ(str(job, "nodeId"), node);
  }
  auto failed = wait_job(*c, "hn-fail", "failed");
  ASSERT_EQ(str(failed, "status"), "failed") << json::serialize(failed);
  ASSERT_TRUE(failed.contains("error")) << json::serialize(failed);
  EXPECT_EQ(str(failed.at("error").as_object(), "code"), "operation_failed");
  EXPECT_EQ(str(failed.at("error").as_object(), "message"), "boom");

  // A job the node does not hold (already reported) is a conflict; an unknown node is 404.
  auto r = c->post(kApi + "/jobs/hn-0/complete", complete_body(node, "again"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_code(r), "not_assigned") << r.body;
  EXPECT_EQ(str(wait_job(*c, "hn-0", "completed"), "output"), "done-hn-0") << "first result wins";
  r = c->post(kApi + "/jobs/hn-0/complete", complete_body("no-such-node", "x"));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found") << r.body;

  r = c->post(kApi + "/nodes/heartbeat", "{\"nodeId\":\"" + node + "\"}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(obj(r.body), "status"), "ok") << r.body;
  EXPECT_EQ(str(obj(r.body), "nodeId"), node) << r.body;
  r = c->post(kApi + "/nodes/heartbeat", R"({"nodeId":"no-such-node"})");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found") << r.body;

  // Node status comes from the Redis mirror.
  json::object st;
  ASSERT_TRUE(eventually(
      [&] {
        auto sr = c->get(kApi + "/nodes/" + node + "/status");
        st = obj(sr.body);
        return sr.status == 200 && num(st, "capacity") == 2;
      },
      milliseconds(5000)))
      << json::serialize(st);
  EXPECT_EQ(str(st, "nodeId"), node);
  EXPECT_EQ(str(st, "status"), "online");
  EXPECT_EQ(str(st, "walletAddress"), "0x1111222233334444555566667777888899990000");
  EXPECT_EQ(str(st, "publicKey"), "0x04abcdef");
  EXPECT_EQ(num(st, "maxConcurrentJobs"), 2);
  EXPECT_EQ(num(st, "activeJobs"), 0);
  EXPECT_GT(num(st, "lastHeartbeat"), 0);
  EXPECT_EQ(json::serialize(st.contains("supportedOperations") ? st.at("supportedOperations")
                                                               : json::value()),
            R"(["echo"])");
  r = c->get(kApi + "/nodes/no-such-node/status");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found") << r.body;
  r = c->get(kApi + "/nodes/no-such-node/jobs");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found") << r.body;

  r = c->get(kApi + "/nodes/" + node + "/payments");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(obj(r.body), "nodeId"), node) << r.body;
  ASSERT_TRUE(obj(r.body).contains("pending")) << r.body;
  EXPECT_TRUE(array_field(obj(r.body), "pending").empty()) << r.body;

  // A job cancelled while the node holds it leaves the inbox; the node's late report is a 409.
  r = c->post(kApi + "/jobs/submit", submit_body("echo", "c", "hn-cancel"));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(eventually(
      [&] {
        return job_ids(c->get(kApi + "/nodes/" + node + "/jobs")) ==
               std::vector<std::string>{"hn-cancel"};
      },
      milliseconds(5000)));
  r = c->post(kApi + "/jobs/hn-cancel/cancel", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(obj(r.body), "status"), "cancelled") << r.body;
  EXPECT_TRUE(eventually([&] { return job_ids(c->get(kApi + "/nodes/" + node + "/jobs")).empty(); },
                         milliseconds(5000)));
  r = c->post(kApi + "/jobs/hn-cancel/complete", complete_body(node, "late"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_code(r), "not_assigned") << r.body;
  EXPECT_EQ(str(wait_job(*c, "hn-cancel", "cancelled"), "status"), "cancelled");

  // Bytes that are not UTF-8 travel as base64 both ways.
  const std::string in_bytes("\xfe\x00\x01", 3);
  const std::string out_bytes("\x80\x81\x00", 3);
  r = c->post(kApi + "/jobs/submit", R"({"operation":"echo","jobId":"hn-bytes","inputBase64":")" +
                                         base64_encode(in_bytes) + "\"}");
  ASSERT_EQ(r.status, 202) << r.body;
  json::object held;
  ASSERT_TRUE(eventually(
      [&] {
        auto jobs = array_field(obj(c->get(kApi + "/nodes/" + node + "/jobs").body), "jobs");
        if (jobs.size() != 1) return false;
        held = jobs[0].as_object();
        return true;
      },
      milliseconds(5000)));
  EXPECT_EQ(str(held, "inputBase64"), base64_encode(in_bytes)) << json::serialize(held);
  EXPECT_EQ(held.if_contains("input"), nullptr) << json::serialize(held);
  r = c->post(
      kApi + "/jobs/hn-bytes/complete",
      json::serialize(json::object{{"nodeId", node}, {"outputBase64", base64_encode(out_bytes)}}));
  EXPECT_EQ(r.status, 200) << r.body;
  auto bytes_job = wait_job(*c, "hn-bytes", "completed");
  EXPECT_EQ(str(bytes_job, "outputBase64"), base64_encode(out_bytes)) << json::serialize(bytes_job);
  EXPECT_EQ(str(bytes_job, "outputCID"), cid_v1_raw(out_bytes));
}

TEST(BridgeApi, ZeroMqWorkersAndHttpNodesAreScheduledByTheSameBroker) {
  BridgeStack s(stack_options());
  ASSERT_TRUE(s.ok());
  s.net().add_worker("zw1", "sleep", 1, {"--wallet", "0x00000000000000000000000000000000000000c1"});
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();
  const std::string node = register_http_node(*c, R"(["sleep"])", 2);
  ASSERT_FALSE(node.empty());
  ASSERT_TRUE(s.net().wait_workers_online(2));

  // The ZeroMQ worker's status, from Redis like an HTTP node's.
  json::object st;
  ASSERT_TRUE(eventually(
      [&] {
        auto sr = c->get(kApi + "/nodes/zw1/status");
        st = obj(sr.body);
        return sr.status == 200 && str(st, "status") == "online";
      },
      milliseconds(5000)))
      << json::serialize(st);
  EXPECT_EQ(str(st, "walletAddress"), "0x00000000000000000000000000000000000000c1");
  EXPECT_EQ(num(st, "maxConcurrentJobs"), 1);
  EXPECT_EQ(num(st, "capacity"), 1);

  // 6 jobs of 300 ms with 3 slots in all: both kinds of node get some.
  constexpr int kJobs = 6;
  for (int i = 0; i < kJobs; ++i) {
    auto r = c->post(kApi + "/jobs/submit", submit_body("sleep", "300", numbered("mix-", i)));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  std::map<std::string, int> by_node;
  std::set<std::string> finished;
  ASSERT_TRUE(eventually(
      [&] {
        auto r = c->get(kApi + "/nodes/" + node + "/jobs");
        for (const auto& j : array_field(obj(r.body), "jobs")) {
          const std::string id = str(j.as_object(), "jobId");
          auto cr = c->post(kApi + "/jobs/" + id + "/complete", complete_body(node, "by-http"));
          EXPECT_EQ(cr.status, 200) << cr.body;
        }
        for (int i = 0; i < kJobs; ++i) {
          const std::string id = numbered("mix-", i);
          if (finished.count(id)) continue;
          auto job = obj(c->get(kApi + "/jobs/" + id).body);
          if (str(job, "status") != "completed") continue;
          finished.insert(id);
          ++by_node[str(job, "nodeId")];
          if (str(job, "nodeId") == node) {
            EXPECT_EQ(str(job, "output"), "by-http") << id;
          }
        }
        return finished.size() == kJobs;
      },
      milliseconds(20000), milliseconds(50)))
      << finished.size() << " of " << kJobs << " completed";
  EXPECT_GT(by_node["zw1"], 0);
  EXPECT_GT(by_node[node], 0);
  EXPECT_EQ(by_node["zw1"] + by_node[node], kJobs);

  // A ZeroMQ worker's jobs list comes from Redis (jobs:active:{id}); idle now.
  auto r = c->get(kApi + "/nodes/zw1/jobs");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(obj(r.body).contains("jobs")) << r.body;
  EXPECT_TRUE(eventually([&] { return job_ids(c->get(kApi + "/nodes/zw1/jobs")).empty(); },
                         milliseconds(5000)));
}

TEST(BridgeApi, SilentHttpNodeIsDisconnectedAndItsJobGoesToAnotherWorker) {
  BridgeStack s(stack_options({"--node-timeout-ms", "1000"}));
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();
  const std::string node = register_http_node(*c, R"(["echo"])", 1);
  ASSERT_FALSE(node.empty());

  auto r = c->post(kApi + "/jobs/submit", submit_body("echo", "orphan", "orphan"));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(eventually(
      [&] {
        return job_ids(c->get(kApi + "/nodes/" + node + "/jobs")) ==
               std::vector<std::string>{"orphan"};
      },
      milliseconds(5000)));
  EXPECT_EQ(str(obj(c->get(kApi + "/jobs/orphan").body), "nodeId"), node);

  // The node goes silent (no more polls or heartbeats); a ZeroMQ worker is there to take over.
  s.net().add_worker("rescuer", "echo", 1);
  auto job = wait_job(*c, "orphan", "completed", milliseconds(15000));
  ASSERT_EQ(str(job, "status"), "completed") << json::serialize(job);
  EXPECT_EQ(str(job, "nodeId"), "rescuer");
  EXPECT_EQ(str(job, "output"), "orphan");
  EXPECT_EQ(num(job, "attempt"), 2) << "the silent node's attempt was the first";

  // The bridge forgot the node; the mirror says it is offline.
  r = c->post(kApi + "/nodes/heartbeat", "{\"nodeId\":\"" + node + "\"}");
  EXPECT_EQ(r.status, 404) << r.body;
  r = c->post(kApi + "/jobs/orphan/complete", complete_body(node, "too late"));
  EXPECT_EQ(r.status, 404) << r.body;
  json::object st;
  EXPECT_TRUE(eventually(
      [&] {
        st = obj(c->get(kApi + "/nodes/" + node + "/status").body);
        return str(st, "status") == "offline";
      },
      milliseconds(5000)))
      << json::serialize(st);
  EXPECT_EQ(str(wait_job(*c, "orphan", "completed"), "output"), "orphan");
}

// Bug found by this suite (fixed in bridge/http_nodes.cc): an HTTP register with a ZeroMQ
// worker's node id made the bridge and the worker replace each other in the broker without end
// (~700 registrations a second until the HTTP node timed out), re-queueing every job the worker
// held. Now the bridge gives the id up when the broker says it was replaced.
TEST(BridgeApi, HttpRegistrationWithAZeroMqWorkersIdDoesNotMakeThemReplaceEachOtherForever) {
  BridgeStack s(stack_options());
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo", 1, {"--wallet", "0x00000000000000000000000000000000000000a1"});
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto tap = s.net().tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(5000)));
  auto c = s.http();

  auto r = c->post(
      kApi + "/nodes/register",
      R"({"nodeId":"w1","walletAddress":"0x00000000000000000000000000000000000000b1","capabilities":)"
      R"({"maxConcurrentJobs":1,"supportedOperations":["echo"]}})");
  // Either answer is fair (the worker may take the id back before the broker acknowledges).
  EXPECT_TRUE(r.status == 200 || r.status == 503) << r.status << " " << r.body;
  auto online_events = [&] {
    int n = 0;
    for (const auto& e : tap->events()) {
      if (e.type == EventInfo::Type::node && e.node_id == "w1" &&
          e.node_kind == fb::NodeEventKind::online) {
        ++n;
      }
    }
    return n;
  };
  // The bridge forgets the node once the worker took the id back; Redis shows the worker's.
  HttpResult hb;
  json::object st;
  EXPECT_TRUE(eventually(
      [&] {
        hb = c->post(kApi + "/nodes/heartbeat", R"({"nodeId":"w1"})");
        st = obj(c->get(kApi + "/nodes/w1/status").body);
        return hb.status == 404 &&
               str(st, "walletAddress") == "0x00000000000000000000000000000000000000a1" &&
               str(st, "status") == "online";
      },
      milliseconds(5000)))
      << hb.body << " " << json::serialize(st);
  // ...and the registrations stop: watch a full second for more.
  const int settled = online_events();
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_LE(online_events(), settled + 1) << "w1 keeps re-registering";
  EXPECT_LE(online_events(), 4);

  // The ZeroMQ worker keeps its id and runs jobs.
  r = c->post(kApi + "/jobs/submit", submit_body("echo", "still mine", "after-flap"));
  ASSERT_EQ(r.status, 202) << r.body;
  auto job = wait_job(*c, "after-flap", "completed");
  EXPECT_EQ(str(job, "nodeId"), "w1") << json::serialize(job);
  EXPECT_EQ(num(job, "attempt"), 1) << json::serialize(job);
}

}  // namespace
}  // namespace litc::it
