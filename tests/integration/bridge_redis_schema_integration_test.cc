// litc-bridge's Redis mirror read back with redis-cli the way the seed's web app reads it: the key
// schema after a run of HTTP jobs on ZeroMQ workers (job hashes, jobs:pending/active/completed,
// node hashes with their TTL, nodes:available), the pub/sub channels as a real subscriber sees
// them, and Redis stopped and started again under load (503 while down, the mirror rewritten
// after).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "protocol/cid.h"
#include "tests/integration/bridge_harness.h"

namespace litc::it {
namespace {

namespace json = boost::json;

std::string error_code(const std::string& body) {
  auto o = obj(body);
  const json::value* e = o.if_contains("error");
  return e != nullptr && e->is_object() ? str(e->as_object(), "code") : std::string();
}

const std::vector<std::string> kJobFields = {"status",    "nodeId",      "outputCID",
                                             "startedAt", "completedAt", "operation",
                                             "attempt",   "submittedAt", "output"};

// HMGET of kJobFields for every id, through one redis-cli reading a command file (one process, not
// one per job). Fields a hash lacks come back empty.
std::map<std::string, std::map<std::string, std::string>> job_hashes(
    BridgeStack& s, const std::vector<std::string>& ids) {
  const auto file = s.net().dir() / "hmget.txt";
  {
    std::ofstream out(file, std::ios::trunc);
    for (const auto& id : ids) {
      out << "HMGET job:" << id << ":status";
      for (const auto& f : kJobFields) out << ' ' << f;
      out << '\n';
    }
  }
  ChildProcess p(
      "redis-cli-hmget",
      {"sh", "-c", "redis-cli -p " + std::to_string(s.redis().port()) + " < " + file.string()},
      s.net().dir());
  EXPECT_EQ(p.wait(milliseconds(20000)), 0) << p.err();
  auto all = lines(p.out());
  std::map<std::string, std::map<std::string, std::string>> hashes;
  if (all.size() != ids.size() * kJobFields.size()) {
    ADD_FAILURE() << "HMGET printed " << all.size() << " lines for " << ids.size() << " jobs";
    return hashes;
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (std::size_t f = 0; f < kJobFields.size(); ++f) {
      hashes[ids[i]][kJobFields[f]] = all[i * kJobFields.size() + f];
    }
  }
  return hashes;
}

// Messages a redis-cli SUBSCRIBE / PSUBSCRIBE printed (raw mode: "message", channel, payload or
// "pmessage", pattern, channel, payload, one per line), as (channel, payload).
std::vector<std::pair<std::string, std::string>> messages(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> msgs;
  auto l = lines(out);
  for (std::size_t i = 0; i < l.size(); ++i) {
    if (l[i] == "message" && i + 2 < l.size()) {
      msgs.emplace_back(l[i + 1], l[i + 2]);
      i += 2;
    } else if (l[i] == "pmessage" && i + 3 < l.size()) {
      msgs.emplace_back(l[i + 2], l[i + 3]);
      i += 3;
    }
  }
  return msgs;
}

// channel:job:{id}:updates -> id
std::string job_of_channel(const std::string& channel) {
  const std::string head = "channel:job:";
  const std::string tail = ":updates";
  if (channel.rfind(head, 0) != 0 || channel.size() < head.size() + tail.size()) return "";
  return channel.substr(head.size(), channel.size() - head.size() - tail.size());
}

std::string expected_output(int i) {
  return numbered("in-", i);
}

TEST(BridgeRedisSchema, MirrorHoldsTheSeedKeySchemaAndSubscribersSeeEveryJobComplete) {
  BridgeStackOptions o;
  o.network = load_test_options();
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.wait_healthy());
  // Subscribers first, so they see the workers come online and every job's updates.
  auto jobs_sub = s.redis_cli_background({"PSUBSCRIBE", "channel:job:*:updates"});
  auto global_sub = s.redis_cli_background({"SUBSCRIBE", "channel:global:events"});
  ASSERT_TRUE(eventually(
      [&] {
        return jobs_sub->out().find("psubscribe") != std::string::npos &&
               global_sub->out().find("subscribe") != std::string::npos;
      },
      milliseconds(5000)));
  s.net().add_worker("w1", "echo,sha256", 4,
                     {"--wallet", "0x00000000000000000000000000000000000000a1"});
  s.net().add_worker("w2", "echo,sha256", 4,
                     {"--wallet", "0x00000000000000000000000000000000000000a2"});
  ASSERT_TRUE(s.net().wait_workers_online(2));

  constexpr int kJobs = 200;
  constexpr int kClients = 4;  // keep-alive connections submitting at once
  std::vector<std::string> ids;
  for (int i = 0; i < kJobs; ++i) ids.push_back(numbered("rs-", i));
  std::atomic<int> accepted{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      auto hc = s.http();
      for (int i = t; i < kJobs; i += kClients) {
        auto r = hc->post(kApi + "/jobs/submit",
                          submit_body(i % 2 == 0 ? "echo" : "sha256", expected_output(i), ids[i]));
        if (r.status == 202) {
          ++accepted;
        } else {
          ADD_FAILURE() << ids[i] << ": " << r.status << " " << r.body;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_EQ(accepted.load(), kJobs);
  ASSERT_TRUE(eventually(
      [&] {
        return one(s.redis_cli({"ZCARD", "jobs:completed"})) == "200";
      },
      milliseconds(30000), milliseconds(100)))
      << one(s.redis_cli({"ZCARD", "jobs:completed"})) << " completed";

  // jobs:completed: every job, scored by its completedAt.
  auto zrange = lines(s.redis_cli({"ZRANGE", "jobs:completed", "0", "-1", "WITHSCORES"}).out);
  ASSERT_EQ(zrange.size(), 2u * kJobs);
  std::map<std::string, std::string> score;
  for (std::size_t i = 0; i + 1 < zrange.size(); i += 2) score[zrange[i]] = zrange[i + 1];
  EXPECT_EQ(score.size(), static_cast<std::size_t>(kJobs));

  // job:{id}:status hashes, with the seed's fields and ours.
  auto hashes = job_hashes(s, ids);
  for (int i = 0; i < kJobs && !hashes.empty(); ++i) {
    SCOPED_TRACE(ids[i]);
    auto& h = hashes[ids[i]];
    EXPECT_EQ(h["status"], "completed");
    EXPECT_EQ(h["operation"], i % 2 == 0 ? "echo" : "sha256");
    EXPECT_EQ(h["attempt"], "1");
    EXPECT_TRUE(h["nodeId"] == "w1" || h["nodeId"] == "w2") << h["nodeId"];
    if (i % 2 == 0) {
      EXPECT_EQ(h["output"], expected_output(i));
    } else {
      EXPECT_EQ(h["output"].size(), 64u) << h["output"];
    }
    EXPECT_EQ(h["outputCID"], cid_v1_raw(h["output"]));
    EXPECT_EQ(h["completedAt"], score[ids[i]]) << "jobs:completed score = completedAt";
    ASSERT_FALSE(h["submittedAt"].empty());
    ASSERT_FALSE(h["startedAt"].empty());
    ASSERT_FALSE(h["completedAt"].empty());
    EXPECT_LE(std::stoull(h["submittedAt"]), std::stoull(h["startedAt"]));
    EXPECT_LE(std::stoull(h["startedAt"]), std::stoull(h["completedAt"]));
  }

  // Redis must not keep every job ever run: an entry of jobs:completed older than the retention
  // (7 days) goes, with its job hash, within a second; the recent ones stay.
  // (The hash first: the trim may run between the two commands.)
  ASSERT_EQ(s.redis_cli({"HSET", "job:ancient:status", "status", "completed"}).exit_code, 0);
  ASSERT_EQ(s.redis_cli({"ZADD", "jobs:completed", "1000", "ancient"}).exit_code, 0);
  EXPECT_TRUE(eventually(
      [&] {
        return one(s.redis_cli({"EXISTS", "job:ancient:status"})) == "0" &&
               one(s.redis_cli({"ZSCORE", "jobs:completed", "ancient"})).empty();
      },
      milliseconds(3000)));
  EXPECT_EQ(one(s.redis_cli({"ZCARD", "jobs:completed"})), std::to_string(kJobs));
  EXPECT_EQ(one(s.redis_cli({"EXISTS", "job:" + ids[0] + ":status"})), "1");

  // Nothing left pending or active; the submission ledger forgot every finished job.
  EXPECT_EQ(one(s.redis_cli({"ZCARD", "jobs:pending"})), "0");
  EXPECT_EQ(one(s.redis_cli({"EXISTS", "jobs:active:w1", "jobs:active:w2"})), "0");
  EXPECT_TRUE(eventually(
      [&] {
        return one(s.redis_cli({"HLEN", "bridge:submissions"})) == "0";
      },
      milliseconds(5000)))
      << one(s.redis_cli({"HLEN", "bridge:submissions"}));

  // Node hashes: online, with the TTL the seed gives them (5 min, refreshed).
  for (const std::string node : {"w1", "w2"}) {
    SCOPED_TRACE(node);
    const std::string key = "nodes:" + node + ":status";
    auto ttl = std::stoll(one(s.redis_cli({"TTL", key})));
    EXPECT_GT(ttl, 0);
    EXPECT_LE(ttl, 300);
    EXPECT_EQ(one(s.redis_cli({"HGET", key, "status"})), "online");
    EXPECT_EQ(one(s.redis_cli({"HGET", key, "walletAddress"})),
              node == "w1" ? "0x00000000000000000000000000000000000000a1"
                           : "0x00000000000000000000000000000000000000a2");
    EXPECT_EQ(one(s.redis_cli({"HGET", key, "maxConcurrentJobs"})), "4");
    EXPECT_EQ(one(s.redis_cli({"HGET", key, "supportedOperations"})), "echo,sha256");
    EXPECT_GT(std::stoull(one(s.redis_cli({"HGET", key, "lastHeartbeat"}))), 0u);
  }
  auto available = lines(s.redis_cli({"SMEMBERS", "nodes:available"}).out);
  EXPECT_EQ(std::set<std::string>(available.begin(), available.end()),
            (std::set<std::string>{"w1", "w2"}));

  // channel:job:{id}:updates: each job's updates end with kind completed, exactly once.
  std::map<std::string, std::vector<std::string>> kinds;
  auto completed_jobs = [&] {
    kinds.clear();
    int done = 0;
    for (const auto& [channel, payload] : messages(jobs_sub->out())) {
      auto m = obj(payload);
      kinds[job_of_channel(channel)].push_back(str(m, "kind"));
      if (str(m, "kind") == "completed") ++done;
    }
    return done;
  };
  ASSERT_TRUE(eventually([&] { return completed_jobs() >= kJobs; }, milliseconds(5000)))
      << completed_jobs();
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(kJobs));
  for (const auto& id : ids) {
    ASSERT_FALSE(kinds[id].empty()) << id;
    EXPECT_EQ(kinds[id].back(), "completed") << id;
    EXPECT_EQ(std::count(kinds[id].begin(), kinds[id].end(), "completed"), 1) << id;
  }
  for (const auto& [channel, payload] : messages(jobs_sub->out())) {
    auto m = obj(payload);
    if (str(m, "kind") != "completed") continue;
    ASSERT_TRUE(m.contains("job") && m.at("job").is_object()) << payload;
    const auto& job = m.at("job").as_object();
    EXPECT_EQ(str(job, "jobId"), job_of_channel(channel)) << payload;
    EXPECT_EQ(str(job, "status"), "completed") << payload;
    EXPECT_FALSE(str(job, "outputCID").empty()) << payload;
  }

  // channel:global:events: the workers coming online and per-turn job summaries adding up.
  std::set<std::string> online;
  int64_t submitted = 0;
  int64_t completed = 0;
  for (const auto& [channel, payload] : messages(global_sub->out())) {
    EXPECT_EQ(channel, "channel:global:events");
    auto m = obj(payload);
    if (str(m, "type") == "node" && str(m, "kind") == "online" && m.contains("node")) {
      online.insert(str(m.at("node").as_object(), "nodeId"));
    }
    if (str(m, "type") == "jobs" && m.contains("counts")) {
      const auto& counts = m.at("counts").as_object();
      if (counts.contains("submitted")) submitted += counts.at("submitted").to_number<int64_t>();
      if (counts.contains("completed")) completed += counts.at("completed").to_number<int64_t>();
    }
  }
  EXPECT_EQ(online, (std::set<std::string>{"w1", "w2"}));
  EXPECT_EQ(submitted, kJobs);
  EXPECT_EQ(completed, kJobs);

  // A worker killed: out of nodes:available, its hash offline, and the news on the global channel.
  s.net().worker("w2").signal(SIGKILL);
  EXPECT_TRUE(eventually(
      [&] {
        return one(s.redis_cli({"SISMEMBER", "nodes:available", "w2"})) == "0" &&
               one(s.redis_cli({"HGET", "nodes:w2:status", "status"})) == "offline";
      },
      milliseconds(10000), milliseconds(100)))
      << one(s.redis_cli({"HGETALL", "nodes:w2:status"}));
  EXPECT_EQ(one(s.redis_cli({"SISMEMBER", "nodes:available", "w1"})), "1");
  EXPECT_EQ(one(s.redis_cli({"HGET", "nodes:w1:status", "status"})), "online");
  EXPECT_TRUE(eventually(
      [&] {
        for (const auto& [channel, payload] : messages(global_sub->out())) {
          auto m = obj(payload);
          if (str(m, "type") == "node" && str(m, "kind") == "offline" && m.contains("node") &&
              str(m.at("node").as_object(), "nodeId") == "w2") {
            return true;
          }
        }
        return false;
      },
      milliseconds(5000)));
}

TEST(BridgeRedisSchema, RedisDownAnswers503AndTheMirrorIsRewrittenWhenItReturns) {
  BridgeStackOptions o;
  o.network = load_test_options();
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo,sleep", 2);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  // A job that will complete while Redis is down.
  auto r = c->post(kApi + "/jobs/submit", submit_body("sleep", "2000", "slow"));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(s.net().wait_job_state("slow", fb::JobState::active, milliseconds(5000)));

  // Submits keep coming from another client while Redis goes away and comes back.
  struct Answer {
    std::string id;
    int status;
    std::string code;
  };
  std::mutex mu;
  std::vector<Answer> answers;
  std::atomic<bool> stop{false};
  std::thread load([&] {
    auto lc = s.http();
    for (int i = 0; !stop.load(); ++i) {
      const std::string id = numbered("load-", i);
      auto a = lc->post(kApi + "/jobs/submit", submit_body("echo", id, id));
      {
        std::lock_guard lock(mu);
        answers.push_back({id, a.status, error_code(a.body)});
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  auto count = [&](int status) {
    std::lock_guard lock(mu);
    return std::count_if(answers.begin(), answers.end(),
                         [&](const Answer& a) { return a.status == status; });
  };
  ASSERT_TRUE(eventually([&] { return count(202) >= 5; }, milliseconds(10000)));

  s.redis().stop();
  HttpResult health;
  EXPECT_TRUE(eventually(
      [&] {
        health = c->get("/healthz");
        return health.status == 503;
      },
      milliseconds(5000)))
      << health.status << " " << health.body;
  EXPECT_EQ(str(obj(health.body), "redis"), "down") << health.body;
  EXPECT_EQ(str(obj(health.body), "broker"), "live") << health.body;
  r = c->post(kApi + "/jobs/submit", submit_body("echo", "refused", "refused"));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r.body), "redis_unavailable") << r.body;
  EXPECT_TRUE(eventually([&] { return count(503) >= 5; }, milliseconds(10000)));
  // Reads that only Redis can answer say so; /metrics shows it.
  r = c->get(kApi + "/jobs/pending/list");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r.body), "redis_unavailable") << r.body;
  r = c->get(kApi + "/nodes/w1/status");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r.body), "redis_unavailable") << r.body;
  EXPECT_NE(c->get("/metrics").body.find("\nlitc_bridge_redis_up 0\n"), std::string::npos);
  // The broker still answers for live jobs; the job finishes while Redis is away.
  ASSERT_TRUE(s.net().wait_job_state("slow", fb::JobState::completed, milliseconds(10000)));
  r = c->get(kApi + "/jobs/slow");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(obj(r.body), "status"), "completed") << r.body;

  ASSERT_TRUE(s.redis().start()) << s.redis().error();
  EXPECT_TRUE(s.wait_healthy(milliseconds(10000))) << c->get("/healthz").body;
  const auto back = count(202);
  EXPECT_TRUE(eventually([&] { return count(202) >= back + 5; }, milliseconds(10000)));
  stop.store(true);
  load.join();

  // Every answer was an acceptance or a clear Redis refusal.
  std::vector<std::string> accepted;
  std::vector<std::string> refused;
  for (const auto& a : answers) {
    if (a.status == 202) {
      accepted.push_back(a.id);
    } else {
      EXPECT_EQ(a.status, 503) << a.id;
      EXPECT_EQ(a.code, "redis_unavailable") << a.id;
      refused.push_back(a.id);
    }
  }
  EXPECT_GE(refused.size(), 5u);
  // The mirror is rewritten: the job that finished while Redis was down, and every accepted one,
  // show completed in Redis.
  accepted.push_back("slow");
  EXPECT_TRUE(eventually(
      [&] {
        for (const auto& [id, h] : job_hashes(s, accepted)) {
          if (h.at("status") != "completed") return false;
        }
        return true;
      },
      milliseconds(15000), milliseconds(250)));
  for (const auto& [id, h] : job_hashes(s, accepted)) {
    EXPECT_EQ(h.at("status"), "completed") << id;
    EXPECT_FALSE(one(s.redis_cli({"ZSCORE", "jobs:completed", id})).empty()) << id;
  }
  EXPECT_EQ(one(s.redis_cli({"HGET", "job:slow:status", "nodeId"})), "w1");
  EXPECT_EQ(one(s.redis_cli({"HGET", "nodes:w1:status", "status"})), "online");
  EXPECT_EQ(one(s.redis_cli({"SISMEMBER", "nodes:available", "w1"})), "1");
  // A refused submit never reached the broker.
  for (std::size_t i = 0; i < refused.size(); i += std::max<std::size_t>(1, refused.size() / 5)) {
    auto g = c->get(kApi + "/jobs/" + refused[i]);
    EXPECT_EQ(g.status, 404) << refused[i] << ": " << g.body;
  }
  auto health_after = c->get("/healthz");
  EXPECT_EQ(health_after.status, 200) << health_after.body;
}

// Redis comes back EMPTY (restarted without persistence, or a fail-over to a replica that missed
// writes): the ledger's submits, kept in memory, are written back to bridge:submissions
// (SubmissionLedger::load), so a broker restart after that still loses no HTTP-accepted job.
TEST(BridgeRedisSchema, HttpAcceptedJobsSurviveRedisComingBackEmptyThenABrokerRestart) {
  BridgeStackOptions o;
  o.network = load_test_options();
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();
  constexpr int kJobs = 5;
  for (int i = 0; i < kJobs; ++i) {  // no worker: they stay pending
    auto r = c->post(kApi + "/jobs/submit", submit_body("echo", "kept", numbered("kept-", i)));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  ASSERT_EQ(one(s.redis_cli({"HLEN", "bridge:submissions"})), "5");

  s.redis().stop();
  ASSERT_TRUE(s.redis().start()) << s.redis().error();
  ASSERT_TRUE(s.wait_healthy(milliseconds(10000)));
  EXPECT_TRUE(eventually(
      [&] {
        return one(s.redis_cli({"HLEN", "bridge:submissions"})) == "5";
      },
      milliseconds(5000)))
      << "the ledger was not written back: " << one(s.redis_cli({"HLEN", "bridge:submissions"}));

  ASSERT_TRUE(s.net().restart_broker());
  s.net().add_worker("w1", "echo", 2);
  ASSERT_TRUE(s.wait_healthy(milliseconds(10000)));
  for (int i = 0; i < kJobs; ++i) {
    json::object job;
    EXPECT_TRUE(eventually(
        [&] {
          job = obj(c->get(kApi + "/jobs/" + numbered("kept-", i)).body);
          return str(job, "status") == "completed";
        },
        milliseconds(10000), milliseconds(100)))
        << numbered("kept-", i) << ": " << json::serialize(job);
  }
}

}  // namespace
}  // namespace litc::it

namespace litc::it {
namespace {

// Redis up but refusing writes (maxmemory reached, noeviction: every write answers -OOM): the
// ledger write of a submit fails, so the submit is refused 503 — never 202 for a job Redis does
// not hold — and the broker never sees it. Writes accepted again: submits are 202 again.
TEST(BridgeRedisSchema, ASubmitWhoseLedgerWriteRedisRefusesIs503AndNeverRuns) {
  BridgeStackOptions o;
  o.network = load_test_options();
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo", 2);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  ASSERT_EQ(one(s.redis_cli({"CONFIG", "SET", "maxmemory-policy", "noeviction"})), "OK");
  ASSERT_EQ(one(s.redis_cli({"CONFIG", "SET", "maxmemory", "1"})), "OK");
  auto r = c->post(kApi + "/jobs/submit", submit_body("echo", "x", "refused-1"));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r.body), "redis_unavailable") << r.body;
  EXPECT_FALSE(s.net().stat("submitted_total").value_or(0) > 0) << "the broker got the job";
  EXPECT_EQ(c->get("/healthz").status, 200);  // Redis is up: only its writes were refused
  auto metrics = c->get("/metrics").body;
  EXPECT_GT(metric_value(metrics, "litc_bridge_redis_failures_total").value_or(0), 0u) << metrics;
  EXPECT_NE(s.bridge().tail(50).find("Redis refused a command"), std::string::npos);

  ASSERT_EQ(one(s.redis_cli({"CONFIG", "SET", "maxmemory", "0"})), "OK");
  r = c->post(kApi + "/jobs/submit", submit_body("echo", "x", "accepted-1"));
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(s.net().wait_job_state("accepted-1", fb::JobState::completed, milliseconds(5000)));
  EXPECT_EQ(one(s.redis_cli({"EXISTS", "job:refused-1:status"})), "0");
}

}  // namespace
}  // namespace litc::it
