// The bridge's non-blocking Redis reads without Redis: the resync's active-keys query step by
// step, the ledger's reload and pending-submit reads from given replies, and the loop's bounded
// task queue.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <zmq.hpp>

#include "bridge/active_keys_query.h"
#include "bridge/bridge_loop.h"
#include "bridge/periodic_tasks.h"
#include "bridge/submission_ledger.h"

namespace litc::bridge {
namespace {

RedisReply bulk(std::string s) {
  RedisReply r;
  r.type = RedisReply::Type::string;
  r.str = std::move(s);
  return r;
}

RedisReply array(std::vector<RedisReply> elements) {
  RedisReply r;
  r.type = RedisReply::Type::array;
  r.elements = std::move(elements);
  return r;
}

RedisReply nil() {
  return RedisReply{};
}

TEST(ActiveKeysQuery, AMirrorOfFormat2ListsItsNodesInOneRead) {
  ActiveKeysQuery q;
  EXPECT_EQ(q.start().commands(),
            (std::vector<std::vector<std::string>>{{"GET", "bridge:mirror-format"},
                                                   {"SMEMBERS", "bridge:active-nodes"}}));
  std::vector<RedisReply> replies{bulk("2"), array({bulk("w1"), bulk("w2")})};
  EXPECT_FALSE(q.on_reply(RedisStatus::ok, replies).has_value());
  EXPECT_EQ(q.keys(), (std::vector<std::string>{"jobs:active:w1", "jobs:active:w2"}));
}

TEST(ActiveKeysQuery, AnOlderMirrorIsWalkedWithScanPageByPage) {
  ActiveKeysQuery q;
  q.start();
  std::vector<RedisReply> first{nil(), array({})};  // no format key: an older bridge wrote it
  auto page1 = q.on_reply(RedisStatus::ok, first);
  ASSERT_TRUE(page1.has_value());
  EXPECT_EQ(page1->commands(), (std::vector<std::vector<std::string>>{
                                   {"SCAN", "0", "MATCH", "jobs:active:*", "COUNT", "1000"}}));
  std::vector<RedisReply> r1{array({bulk("17"), array({bulk("jobs:active:a")})})};
  auto page2 = q.on_reply(RedisStatus::ok, r1);
  ASSERT_TRUE(page2.has_value());
  EXPECT_EQ(page2->commands()[0][1], "17");  // the cursor Redis gave
  std::vector<RedisReply> r2{array({bulk("0"), array({bulk("jobs:active:b")})})};
  EXPECT_FALSE(q.on_reply(RedisStatus::ok, r2).has_value());
  EXPECT_EQ(q.keys(), (std::vector<std::string>{"jobs:active:a", "jobs:active:b"}));
}

TEST(ActiveKeysQuery, ARefusedScanEndsTheQueryWithWhatItFound) {
  ActiveKeysQuery q;
  q.start();
  std::vector<RedisReply> first{nil(), array({})};
  ASSERT_TRUE(q.on_reply(RedisStatus::ok, first).has_value());
  std::vector<RedisReply> r1{array({bulk("9"), array({bulk("jobs:active:a")})})};
  ASSERT_TRUE(q.on_reply(RedisStatus::ok, r1).has_value());
  RedisReply refused;
  refused.type = RedisReply::Type::error;
  refused.str = "ERR invalid cursor";
  std::vector<RedisReply> r2{refused};
  EXPECT_FALSE(q.on_reply(RedisStatus::error, r2).has_value());
  EXPECT_EQ(q.keys(), (std::vector<std::string>{"jobs:active:a"}));
}

TEST(ActiveKeysQuery, RedisDownEndsTheQueryWithWhatItFound) {
  ActiveKeysQuery q;
  q.start();
  std::vector<RedisReply> first{nil(), array({})};
  ASSERT_TRUE(q.on_reply(RedisStatus::ok, first).has_value());
  std::vector<RedisReply> r1{array({bulk("5"), array({bulk("jobs:active:a")})})};
  ASSERT_TRUE(q.on_reply(RedisStatus::ok, r1).has_value());
  std::vector<RedisReply> none;
  EXPECT_FALSE(q.on_reply(RedisStatus::down, none).has_value());
  EXPECT_EQ(q.keys(), (std::vector<std::string>{"jobs:active:a"}));
  q.start();  // a new resync starts empty
  EXPECT_TRUE(q.keys().empty());
}

SubmitRequest echo(std::string id) {
  SubmitRequest r;
  r.job_id = std::move(id);
  r.operation = "echo";
  r.input = "hi";
  return r;
}

TEST(SubmissionLedgerReads, LoadWritesBackWhatRedisLostAndLearnsWhatOnlyRedisHolds) {
  SubmissionLedger ledger;
  RedisBatch writes;
  ledger.add(echo("mine"), writes);
  writes.clear();
  EXPECT_EQ(SubmissionLedger::load_read().commands(),
            (std::vector<std::vector<std::string>>{{"HKEYS", "bridge:submissions"}}));
  std::vector<RedisReply> replies{array({bulk("theirs")})};  // Redis lost "mine"
  ASSERT_TRUE(ledger.load(RedisStatus::ok, replies, writes));
  auto cmds = writes.commands();
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0][0], "HSET");
  EXPECT_EQ(cmds[0][2], "mine");
  EXPECT_TRUE(ledger.contains("theirs"));
  EXPECT_EQ(ledger.size(), 2u);
  std::vector<RedisReply> none;
  EXPECT_FALSE(ledger.load(RedisStatus::down, none, writes));
}

TEST(SubmissionLedgerReads, PendingSubmitsSkipFinishedJobsAndRemoveThem) {
  SubmissionLedger ledger;
  RedisBatch writes;
  ledger.add(echo("a"), writes);
  ledger.add(echo("b"), writes);
  writes.clear();
  std::vector<std::string> ids{"a", "b"};
  EXPECT_EQ(SubmissionLedger::pending_read(ids).size(), 4u);
  // a: still pending in the mirror; b: finished while the broker was away.
  std::vector<RedisReply> replies{nil(), bulk("pending"), nil(), bulk("completed")};
  auto submits = ledger.pending_submits(ids, RedisStatus::ok, replies, writes);
  ASSERT_EQ(submits.size(), 1u);
  EXPECT_EQ(submits[0].job_id, "a");
  EXPECT_EQ(submits[0].input, "hi");
  EXPECT_FALSE(ledger.contains("b"));
  EXPECT_EQ(writes.commands(),
            (std::vector<std::vector<std::string>>{{"HDEL", "bridge:submissions", "b"}}));
  std::vector<RedisReply> none;
  EXPECT_TRUE(ledger.pending_submits(ids, RedisStatus::down, none, writes).empty());
}

TEST(BridgeLoopQueue, TasksBeyondMaxQueuedTasksAreRefusedNotQueued) {
  zmq::context_t context;
  BridgeProbe probe;
  BridgeOptions o;
  o.redis.endpoint.port = 1;  // nothing listens: the loop starts with Redis down
  o.max_queued_tasks = 2;
  BridgeLoop loop(o, context, probe);
  std::atomic<int> ran{0};
  EXPECT_TRUE(loop.post([&](BridgeLoop&) { ++ran; }));
  EXPECT_TRUE(loop.post([&](BridgeLoop&) { ++ran; }));
  EXPECT_FALSE(loop.post([&](BridgeLoop&) { ++ran; }));  // the loop has not run: full
  std::atomic<bool> stop{false};
  std::thread t([&] { loop.run(stop); });
  while (ran < 2) std::this_thread::yield();
  stop = true;
  t.join();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_TRUE(loop.post([&](BridgeLoop&) { ++ran; }));  // drained: room again
}

}  // namespace
}  // namespace litc::bridge

namespace litc::bridge {
namespace {

TEST(PeriodicTasks, ATaskRunsAtTheFirstTurnThenOncePerPeriodNeverToCatchUp) {
  PeriodicTasks tasks;
  std::vector<std::pair<std::string, uint64_t>> ran;
  tasks.add("fast", 100, [&](uint64_t now) { ran.emplace_back("fast", now); });
  tasks.add("slow", 1000, [&](uint64_t now) { ran.emplace_back("slow", now); });
  tasks.run_due(5000);  // both run at once
  tasks.run_due(5099);  // neither is due
  tasks.run_due(5100);  // fast again
  tasks.run_due(7000);  // a long turn: each runs once, not once per missed period
  using R = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(ran,
            (R{{"fast", 5000}, {"slow", 5000}, {"fast", 5100}, {"fast", 7000}, {"slow", 7000}}));
}

}  // namespace
}  // namespace litc::bridge
