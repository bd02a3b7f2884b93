// RedisMirror: events in, Redis commands out (no Redis here): the key schema, coalescing per turn,
// requeue, nodes, resync — as redis_mirror.h's DESIGN promises.
#include "bridge/redis_mirror.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "protocol/cid.h"

namespace litc::bridge {
namespace {

using Cmd = std::vector<std::string>;

struct Rec {
  std::string id;
  fb::JobState state = fb::JobState::pending;
  std::string node;
  uint64_t submitted = 0, started = 0, completed = 0;
  std::string output;
  uint32_t attempt = 1;
};

Rec rec(std::string id, fb::JobState state, std::string node = "", uint64_t submitted = 0,
        uint64_t started = 0, uint64_t completed = 0, std::string output = "",
        uint32_t attempt = 1) {
  return Rec{std::move(id), state,     std::move(node),   submitted,
             started,       completed, std::move(output), attempt};
}

class MirrorTest : public ::testing::Test {
 protected:
  void job(fb::JobEventKind kind, const Rec& r, bool full = false) {
    flatbuffers::FlatBufferBuilder b;
    auto id = b.CreateString(r.id);
    auto op = full ? b.CreateString("echo") : 0;
    auto node = r.node.empty() ? 0 : b.CreateString(r.node);
    auto out = r.output.empty() ? 0 : bytes(b, r.output);
    fb::JobRecordBuilder jr(b);
    jr.add_job_id(id);
    jr.add_state(r.state);
    jr.add_attempt(r.attempt);
    if (full) jr.add_operation(op);
    if (!node.IsNull()) jr.add_node_id(node);
    if (!out.IsNull()) jr.add_output(out);
    jr.add_submitted_at_ms(r.submitted);
    jr.add_started_at_ms(r.started);
    jr.add_completed_at_ms(r.completed);
    auto rec = jr.Finish();
    auto ev = fb::CreateJobEvent(b, kind, rec);
    fb::FinishEventBuffer(
        b, fb::CreateEvent(b, kProtocolVersion, 1, ++seq_, 0, fb::EventBody::JobEvent, ev.Union()));
    mirror_.apply(*fb::GetEvent(b.GetBufferPointer()));
  }
  void node(fb::NodeEventKind kind, const std::string& id, uint32_t capacity, bool online) {
    flatbuffers::FlatBufferBuilder b;
    auto n = fb::CreateNodeRecord(b, b.CreateString(id), b.CreateString("0xw"), 0, 2, 0, 0, 0,
                                  online, 5, capacity);
    auto ev = fb::CreateNodeEvent(b, kind, n);
    fb::FinishEventBuffer(b, fb::CreateEvent(b, kProtocolVersion, 1, ++seq_, 0,
                                             fb::EventBody::NodeEvent, ev.Union()));
    mirror_.apply(*fb::GetEvent(b.GetBufferPointer()));
  }
  std::vector<Cmd> turn() {
    RedisBatch out;
    finished_.clear();
    mirror_.flush(out, 10'000, &finished_);
    return out.commands();
  }
  static bool has(const std::vector<Cmd>& cmds, const Cmd& prefix) {
    return std::any_of(cmds.begin(), cmds.end(), [&](const Cmd& c) {
      return c.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), c.begin());
    });
  }
  static std::size_t count(const std::vector<Cmd>& cmds, const std::string& verb) {
    return std::count_if(cmds.begin(), cmds.end(), [&](const Cmd& c) { return c[0] == verb; });
  }
  static std::string field(const std::vector<Cmd>& cmds, const std::string& key,
                           const std::string& name) {
    for (const auto& c : cmds) {
      if (c[0] != "HSET" || c[1] != key) continue;
      for (std::size_t i = 2; i + 1 < c.size(); i += 2) {
        if (c[i] == name) return c[i + 1];
      }
    }
    return "<absent>";
  }

  RedisMirror mirror_;
  uint64_t seq_ = 0;
  std::vector<std::string> finished_;
};

TEST_F(MirrorTest, AWholeLifecycleInOneTurnIsOneHsetAndTheNetMembership) {
  job(fb::JobEventKind::submitted, rec("j1", fb::JobState::pending, "", 100), true);
  job(fb::JobEventKind::assigned, rec("j1", fb::JobState::active, "n1", 0, 200));
  job(fb::JobEventKind::completed, rec("j1", fb::JobState::completed, "n1", 0, 200, 300, "hi"));
  auto cmds = turn();
  EXPECT_EQ(count(cmds, "HSET"), 1u);
  EXPECT_FALSE(has(cmds, {"ZADD", "jobs:pending"}));
  EXPECT_FALSE(has(cmds, {"ZREM", "jobs:pending"}));
  EXPECT_FALSE(has(cmds, {"ZADD", "jobs:active:n1"}));
  EXPECT_FALSE(has(cmds, {"ZREM", "jobs:active:n1"}));
  EXPECT_TRUE(has(cmds, {"ZADD", "jobs:completed", "300", "j1"}));
  EXPECT_EQ(field(cmds, "job:j1:status", "status"), "completed");
  EXPECT_EQ(field(cmds, "job:j1:status", "nodeId"), "n1");
  EXPECT_EQ(field(cmds, "job:j1:status", "operation"), "echo");
  EXPECT_EQ(field(cmds, "job:j1:status", "startedAt"), "200");
  EXPECT_EQ(field(cmds, "job:j1:status", "completedAt"), "300");
  EXPECT_EQ(field(cmds, "job:j1:status", "outputCID"), cid_v1_raw("hi"));
  // Completed: no TTL of its own, the trim deletes the hash with its jobs:completed entry.
  EXPECT_FALSE(has(cmds, {"PEXPIREAT"}));
  // One update for the job, one summary for the turn.
  EXPECT_TRUE(has(cmds, {"PUBLISH", "channel:job:j1:updates"}));
  EXPECT_EQ(count(cmds, "PUBLISH"), 2u);
  EXPECT_EQ(finished_, std::vector<std::string>{"j1"});
}

TEST_F(MirrorTest, FieldsAtTheirDefaultAreLeftOutOfANewHash) {
  job(fb::JobEventKind::submitted, rec("j1", fb::JobState::pending, "", 100), true);
  auto cmds = turn();
  // priority, ttlMs, timeoutMs are 0 and deadLettered false: absent reads as that (job_hash.h).
  for (const char* name : {"priority", "ttlMs", "timeoutMs", "deadLettered"}) {
    EXPECT_EQ(field(cmds, "job:j1:status", name), "<absent>") << name;
  }
  EXPECT_EQ(field(cmds, "job:j1:status", "submittedAt"), "100");
  EXPECT_EQ(field(cmds, "job:j1:status", "operation"), "echo");
}

TEST_F(MirrorTest, SetMembershipOfATurnIsOneVariadicCommandPerKey) {
  // 1,500 jobs finish on two nodes in one turn; 3 more are assigned and 2 submitted.
  for (int i = 0; i < 1500; ++i) {
    const std::string id = "c" + std::to_string(i), node = i % 2 ? "n1" : "n2";
    job(fb::JobEventKind::completed, rec(id, fb::JobState::completed, node, 0, 5, 1000 + i, "o"));
  }
  for (int i = 0; i < 3; ++i) {
    job(fb::JobEventKind::assigned, rec("a" + std::to_string(i), fb::JobState::active, "n1", 0, 7));
  }
  job(fb::JobEventKind::submitted, rec("p0", fb::JobState::pending, "", 40), true);
  job(fb::JobEventKind::submitted, rec("p1", fb::JobState::pending, "", 41), true);
  auto cmds = turn();
  std::size_t completed_members = 0, completed_cmds = 0;
  for (const auto& c : cmds) {
    if (c[0] == "ZADD" && c[1] == "jobs:completed") {
      ++completed_cmds;
      completed_members += (c.size() - 2) / 2;
      EXPECT_LE((c.size() - 2) / 2, 1024u);  // long turns are cut into bounded commands
    }
  }
  EXPECT_EQ(completed_members, 1500u);
  EXPECT_EQ(completed_cmds, 2u);
  EXPECT_TRUE(has(cmds, {"ZADD", "jobs:pending", "40", "p0", "41", "p1"}));
  EXPECT_TRUE(has(cmds, {"ZREM", "jobs:pending", "a0", "a1", "a2"}));
  EXPECT_TRUE(has(cmds, {"ZADD", "jobs:active:n1", "7", "a0", "7", "a1", "7", "a2"}));
  // The node that gained a jobs:active key is remembered for the next resync, once.
  EXPECT_TRUE(has(cmds, {"SADD", "bridge:active-nodes", "n1"}));
  EXPECT_EQ(count(cmds, "SADD"), 1u);
  auto removes = [&](const std::string& key) {
    std::size_t n = 0;
    for (const auto& c : cmds) {
      if (c[0] == "ZREM" && c[1] == key) n += c.size() - 2;
    }
    return n;
  };
  EXPECT_EQ(removes("jobs:active:n1"), 750u);
  EXPECT_EQ(removes("jobs:active:n2"), 750u);
  EXPECT_EQ(count(cmds, "HSET"), 1505u);  // the hashes stay one per job
}

TEST_F(MirrorTest, TurnByTurnTheJobMovesBetweenTheSeedSets) {
  job(fb::JobEventKind::submitted, rec("j1", fb::JobState::pending, "", 100), true);
  auto t1 = turn();
  EXPECT_TRUE(has(t1, {"ZADD", "jobs:pending", "100", "j1"}));
  job(fb::JobEventKind::assigned, rec("j1", fb::JobState::active, "n1", 0, 200));
  auto t2 = turn();
  EXPECT_TRUE(has(t2, {"ZREM", "jobs:pending", "j1"}));
  EXPECT_TRUE(has(t2, {"ZADD", "jobs:active:n1", "200", "j1"}));
  EXPECT_FALSE(has(t2, {"PEXPIREAT"}));  // not finished: no expiry
  EXPECT_EQ(field(t2, "job:j1:status", "status"), "active");
  EXPECT_FALSE(has(t2, {"DEL", "job:j1:status"}));  // a hot event only adds what changed
  job(fb::JobEventKind::completed, rec("j1", fb::JobState::completed, "n1", 0, 200, 300, "x"));
  auto t3 = turn();
  EXPECT_TRUE(has(t3, {"ZREM", "jobs:active:n1", "j1"}));
  EXPECT_TRUE(has(t3, {"ZADD", "jobs:completed", "300", "j1"}));
  EXPECT_EQ(finished_, std::vector<std::string>{"j1"});
}

TEST_F(MirrorTest, ACompletionInALaterTurnWritesOnlyWhatItChanged) {
  job(fb::JobEventKind::submitted, rec("j1", fb::JobState::pending, "", 100), true);
  job(fb::JobEventKind::assigned, rec("j1", fb::JobState::active, "n1", 0, 200));
  auto t1 = turn();
  EXPECT_EQ(field(t1, "job:j1:status", "nodeId"), "n1");
  job(fb::JobEventKind::completed, rec("j1", fb::JobState::completed, "n1", 0, 200, 300, "x"));
  auto t2 = turn();
  for (const char* name : {"nodeId", "startedAt", "attempt"}) {
    EXPECT_EQ(field(t2, "job:j1:status", name), "<absent>") << name;  // written at assignment
  }
  EXPECT_EQ(field(t2, "job:j1:status", "status"), "completed");
  EXPECT_EQ(field(t2, "job:j1:status", "completedAt"), "300");
  EXPECT_EQ(field(t2, "job:j1:status", "outputCID"), cid_v1_raw("x"));
  // The update message still tells the whole story.
  bool published = false;
  for (const auto& c : t2) {
    if (c[0] == "PUBLISH" && c[1] == "channel:job:j1:updates") {
      published = true;
      EXPECT_NE(c[2].find(R"("nodeId":"n1")"), std::string::npos) << c[2];
      EXPECT_NE(c[2].find(R"("startedAt":200)"), std::string::npos) << c[2];
    }
  }
  EXPECT_TRUE(published);
}

TEST_F(MirrorTest, AFailedJobsHashExpiresAfterTheRetention) {
  Rec r = rec("f1", fb::JobState::failed, "n1", 0, 200, 300);
  job(fb::JobEventKind::failed, r);
  auto cmds = turn();
  EXPECT_TRUE(has(cmds, {"PEXPIREAT", "job:f1:status", std::to_string(300 + 7ull * 86'400'000)}));
}

TEST_F(MirrorTest, RequeueLeavesTheNodeAndReturnsAtItsSubmitTime) {
  job(fb::JobEventKind::submitted, rec("j1", fb::JobState::pending, "", 100), true);
  job(fb::JobEventKind::assigned, rec("j1", fb::JobState::active, "n1", 0, 200));
  turn();
  job(fb::JobEventKind::requeued, rec("j1", fb::JobState::pending, "n1", 0, 0, 0, "", 2));
  auto cmds = turn();
  EXPECT_TRUE(has(cmds, {"ZREM", "jobs:active:n1", "j1"}));
  EXPECT_TRUE(has(cmds, {"EVAL"}));  // score from the hash's submittedAt
  EXPECT_TRUE(has(cmds, {"HDEL", "job:j1:status", "nodeId", "startedAt"}));
  EXPECT_EQ(field(cmds, "job:j1:status", "attempt"), "2");
  EXPECT_EQ(field(cmds, "job:j1:status", "status"), "pending");
  EXPECT_TRUE(finished_.empty());
}

TEST_F(MirrorTest, NodesJoinAndLeaveNodesAvailableWithATtl) {
  node(fb::NodeEventKind::online, "n1", 2, true);
  auto t1 = turn();
  EXPECT_TRUE(has(t1, {"SADD", "nodes:available", "n1"}));
  EXPECT_TRUE(has(t1, {"EXPIRE", "nodes:n1:status", "300"}));
  EXPECT_EQ(field(t1, "nodes:n1:status", "status"), "online");
  EXPECT_EQ(field(t1, "nodes:n1:status", "walletAddress"), "0xw");
  EXPECT_EQ(field(t1, "nodes:n1:status", "lastHeartbeat"), "5");
  EXPECT_TRUE(has(t1, {"PUBLISH", "channel:global:events"}));
  node(fb::NodeEventKind::capacity, "n1", 0, true);
  auto t2 = turn();
  EXPECT_EQ(field(t2, "nodes:n1:status", "status"), "draining");
  EXPECT_TRUE(has(t2, {"SREM", "nodes:available", "n1"}));
  node(fb::NodeEventKind::offline, "n1", 0, false);
  auto t3 = turn();
  EXPECT_EQ(field(t3, "nodes:n1:status", "status"), "offline");
  EXPECT_TRUE(mirror_.online_nodes().empty());
}

TEST_F(MirrorTest, AResyncClearsDerivedSetsAndRewritesWithoutPublishing) {
  RedisBatch out;
  mirror_.begin_resync({"jobs:active:gone"}, out);
  EXPECT_TRUE(has(out.commands(), {"DEL", "jobs:pending", "nodes:available", "bridge:active-nodes",
                                   "jobs:active:gone"}));
  flatbuffers::FlatBufferBuilder b;
  auto rec =
      fb::CreateJobRecord(b, b.CreateString("j9"), b.CreateString("echo"), fb::JobState::active, 0,
                          1, 3, b.CreateString("n2"), 0, fb::ErrorCode::unknown, 0, 50, 60);
  b.Finish(rec);
  mirror_.snapshot_job(*flatbuffers::GetRoot<fb::JobRecord>(b.GetBufferPointer()));
  mirror_.flush(out, 10'000, nullptr);
  EXPECT_TRUE(has(out.commands(), {"ZADD", "jobs:active:n2", "60", "j9"}));
  EXPECT_EQ(field(out.commands(), "job:j9:status", "status"), "active");
  EXPECT_EQ(count(out.commands(), "PUBLISH"), 0u);
}

TEST_F(MirrorTest, AResyncPublishesTheJobsThatChangedSinceTheLastConfirmedEvent) {
  RedisBatch out;
  mirror_.begin_resync({}, out, 150);
  auto snapshot = [&](const std::string& id, uint64_t completed_at) {
    flatbuffers::FlatBufferBuilder b;
    auto rec = fb::CreateJobRecord(b, b.CreateString(id), b.CreateString("echo"),
                                   fb::JobState::completed, 0, 1, 3, b.CreateString("n1"), 0,
                                   fb::ErrorCode::unknown, 0, 50, 60, completed_at);
    b.Finish(rec);
    mirror_.snapshot_job(*flatbuffers::GetRoot<fb::JobRecord>(b.GetBufferPointer()));
  };
  snapshot("during-gap", 200);  // finished while the bridge was not hearing events
  snapshot("before-gap", 100);  // its completion was published live already
  mirror_.flush(out, 10'000, nullptr);
  auto cmds = out.commands();
  EXPECT_FALSE(has(cmds, {"PUBLISH", "channel:job:before-gap:updates"}));
  bool published = false;
  for (const auto& c : cmds) {
    if (c[0] == "PUBLISH" && c[1] == "channel:job:during-gap:updates") {
      published = true;
      EXPECT_NE(c[2].find(R"("kind":"resync")"), std::string::npos) << c[2];
      EXPECT_NE(c[2].find(R"("status":"completed")"), std::string::npos) << c[2];
    }
  }
  EXPECT_TRUE(published);
  EXPECT_EQ(count(cmds, "PUBLISH"), 1u);  // no per-turn summary for a resync
}

TEST_F(MirrorTest, OldCompletedEntriesAreTrimmedAfterTheRetention) {
  RedisBatch out;
  mirror_.trim(out, 8ull * 24 * 3600 * 1000);
  // One script: the oldest entries and their job hashes, at most a batch per run.
  bool trimmed = false;
  for (const auto& c : out.commands()) {
    if (c[0] != "EVAL") continue;
    trimmed = true;
    ASSERT_EQ(c.size(), 6u);
    EXPECT_NE(c[1].find("ZRANGEBYSCORE"), std::string::npos);
    EXPECT_NE(c[1].find("DEL"), std::string::npos);
    EXPECT_EQ(c[2], "1");
    EXPECT_EQ(c[3], "jobs:completed");
    EXPECT_EQ(c[4], "(" + std::to_string(24ull * 3600 * 1000));
  }
  EXPECT_TRUE(trimmed);
  RedisBatch again;
  mirror_.trim(again, 8ull * 24 * 3600 * 1000 + 50);  // rate-limited: not twice in 100 ms
  EXPECT_TRUE(again.empty());
}

}  // namespace
}  // namespace litc::bridge
