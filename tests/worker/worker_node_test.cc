// WorkerNode against a test-owned ROUTER playing the broker: registration contents, jobs and
// results, heartbeats, bad frames, cancellation, reconnect after silence or Disconnect, draining.
#include "worker/worker_node.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/worker/fake_broker.h"

namespace litc {
namespace {

using namespace std::chrono_literals;
using namespace litc::testkit;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// ---- a node on its own thread ------------------------------------------------------------------

class WorkerNodeTest : public ::testing::Test {
 protected:
  void start(std::function<void(WorkerOptions&)> tweak = {}) {
    WorkerOptions o;
    o.broker_endpoint = broker_.endpoint();
    o.node_id = "node-under-test";
    o.max_concurrent = 2;
    o.heartbeat_interval = 100ms;
    o.liveness = 3;
    o.reconnect_min = 50ms;
    o.reconnect_max = 200ms;
    o.wallet_address = "0xabc";
    o.public_key = "pk-1";
    if (tweak) tweak(o);
    node_.emplace(context_, o, operations_);
    thread_ = std::thread([this] {
      drained_ = node_->run(stop_);
      finished_ = true;
    });
  }
  // Waits for run() to return, at most `timeout`.
  bool wait_for_exit(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!exited() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    return exited();
  }
  bool exited() const { return finished_.load(); }

  void TearDown() override {
    stop_.now = true;
    if (thread_.joinable()) thread_.join();
  }

  zmq::context_t context_{1};
  FakeBroker broker_{context_};
  const OperationRegistry operations_ = OperationRegistry::builtin();
  StopRequest stop_;
  std::optional<WorkerNode> node_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  bool drained_ = false;  // written by the node thread before finished_, read after it
};

TEST_F(WorkerNodeTest, RegistersWithItsOptionsInAVerifiedIdentifiedFrame) {
  start();
  auto reg = broker_.expect(fb::WorkerMessageBody::Register, 3000ms, false);
  ASSERT_TRUE(reg);
  EXPECT_TRUE(flatbuffers::BufferHasIdentifier(reg->frame.data(), fb::WorkerMessageIdentifier()));
  EXPECT_EQ(reg->msg().version(), fb::ProtocolVersion::Current);
  const fb::Register* r = reg->msg().body_as_Register();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(view(r->node_id()), "node-under-test");
  EXPECT_EQ(view(r->wallet_address()), "0xabc");
  EXPECT_EQ(view(r->public_key()), "pk-1");
  EXPECT_EQ(r->reputation(), 0) << "a node announces no reputation of its own";
  EXPECT_EQ(r->capabilities()->max_concurrent_jobs(), 2u);
  std::vector<std::string> ops;
  for (const auto* s : *r->capabilities()->supported_operations()) ops.emplace_back(view(s));
  EXPECT_EQ(ops, (std::vector<std::string>{"echo", "sha256", "sleep"}));
}

TEST_F(WorkerNodeTest, AnswersAnAssignWithOneResult) {
  start();
  ASSERT_TRUE(broker_.accept_registration());
  broker_.send(assign("job-1", "sha256", "hello world", 4));
  auto res = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
  const fb::Result* r = result_of(res);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(view(r->job_id()), "job-1");
  EXPECT_EQ(r->attempt(), 4u);
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(view(r->output()), kDigestOfHelloWorld);
  EXPECT_FALSE(broker_.expect(fb::WorkerMessageBody::Result, 300ms)) << "a second Result";
}

TEST_F(WorkerNodeTest, QueuesAssignsBeyondItsCapacityAndAnswersEach) {
  start();  // capacity 2
  ASSERT_TRUE(broker_.accept_registration());
  for (int i = 0; i < 6; ++i) broker_.send(assign(std::to_string(i), "sleep", "50"));
  std::set<std::string> answered;
  for (int i = 0; i < 6; ++i) {
    const auto reply = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
    const fb::Result* r = result_of(reply);
    ASSERT_NE(r, nullptr) << "only " << answered.size() << " results";
    EXPECT_TRUE(r->ok());
    answered.insert(std::string(view(r->job_id())));
  }
  EXPECT_EQ(answered.size(), 6u);
}

TEST_F(WorkerNodeTest, AnswersUnknownOperationWithThatError) {
  start();
  ASSERT_TRUE(broker_.accept_registration());
  broker_.send(assign("job-x", "encrypt", "secret"));
  const auto reply = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
  const fb::Result* r = result_of(reply);
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->error_code(), fb::ErrorCode::unknown_operation);
}

TEST_F(WorkerNodeTest, CancelJobStopsARunningJobWhichStillAnswers) {
  start();
  ASSERT_TRUE(broker_.accept_registration());
  broker_.send(assign("long", "sleep", "600000", 2));
  std::this_thread::sleep_for(100ms);
  const auto start = Clock::now();
  broker_.send(cancel_job("long", 2));
  const auto reply = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
  const fb::Result* r = result_of(reply);
  ASSERT_NE(r, nullptr);
  EXPECT_LT(Clock::now() - start, 1000ms);
  EXPECT_EQ(view(r->job_id()), "long");
  EXPECT_EQ(r->attempt(), 2u);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->error_code(), fb::ErrorCode::cancelled);
}

TEST_F(WorkerNodeTest, HeartbeatsWhenIdleAtTheIntervalTheBrokerSets) {
  start([](WorkerOptions& o) { o.heartbeat_interval = 1000ms; });
  ASSERT_TRUE(broker_.accept_registration(/*interval_ms=*/50, /*liveness=*/5));
  // With our own 1000 ms no heartbeat would come in this window; with the broker's 50 ms several
  // do.
  int beats = 0;
  const auto deadline = Clock::now() + 600ms;
  while (Clock::now() < deadline) {
    if (broker_.expect(fb::WorkerMessageBody::Heartbeat, 100ms)) ++beats;
  }
  EXPECT_GE(beats, 4);
  EXPECT_EQ(node_->probe().reconnects.load(), 0u) << "broker heartbeats must keep us connected";
}

TEST_F(WorkerNodeTest, RenewsTheLeaseOfLongJobsWithProgressButNotOfShortOnes) {
  start();
  ASSERT_TRUE(broker_.accept_registration(/*interval_ms=*/100, /*liveness=*/3));
  broker_.send(assign("quick", "echo", "x", 1));
  broker_.send(assign("long", "sleep", "600", 3));
  int progress = 0;
  const auto deadline = Clock::now() + 500ms;
  while (Clock::now() < deadline) {
    auto p = broker_.expect(fb::WorkerMessageBody::Progress, 100ms);
    if (!p) continue;
    ++progress;
    EXPECT_EQ(view(p->msg().body_as_Progress()->job_id()), "long");
    EXPECT_EQ(p->msg().body_as_Progress()->attempt(), 3u);
  }
  EXPECT_GE(progress, 2);  // ~5 in 500 ms; every one for the long job (checked above)
}

TEST_F(WorkerNodeTest, IgnoresBadFramesAndKeepsServing) {
  start();
  ASSERT_TRUE(broker_.accept_registration());
  flatbuffers::FlatBufferBuilder wb;  // a valid frame of the wrong family
  fb::FinishWorkerMessageBuffer(
      wb, fb::CreateWorkerMessage(wb, kProtocolVersion, fb::WorkerMessageBody::Heartbeat,
                                  fb::CreateHeartbeat(wb).Union()));
  const std::string valid = assign("ok", "echo", "x");
  struct Case {
    const char* name;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"garbage", {"this is not a flatbuffer at all"}},
      {"empty", {""}},
      {"truncated", {valid.substr(0, valid.size() / 2)}},
      {"wrong family",
       {std::string(reinterpret_cast<const char*>(wb.GetBufferPointer()), wb.GetSize())}},
      {"wrong version", {assign("v", "echo", "x", 1, static_cast<fb::ProtocolVersion>(9))}},
      {"two frames", {valid, valid}},
      {"oversized", {std::string(2 << 20, 'A')}},
  };
  std::uint64_t expected_bad = 0;
  for (const Case& c : cases) {
    broker_.send_parts(c.parts);
    ++expected_bad;
    // Still answers (Redis' `assert_equal PONG [r ping]`).
    broker_.send(assign(std::string("after ") + c.name, "echo", c.name));
    const auto reply = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
    const fb::Result* r = result_of(reply);
    ASSERT_NE(r, nullptr) << c.name;
    EXPECT_EQ(view(r->job_id()), std::string("after ") + c.name);
    EXPECT_EQ(view(r->output()), c.name);
    EXPECT_EQ(node_->probe().bad_frames.load(), expected_bad) << c.name;
  }
  EXPECT_EQ(node_->probe().jobs_assigned.load(), cases.size()) << "no bad frame became a job";
  broker_.send(worker_error());  // logged, not fatal
  broker_.send(assign("last", "echo", "still here"));
  const auto last = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
  ASSERT_NE(result_of(last), nullptr);
  EXPECT_EQ(node_->probe().broker_errors.load(), 1u);
}

TEST_F(WorkerNodeTest, ReRegistersOnANewSocketAfterBrokerSilenceAndDeliversLateResults) {
  start();
  auto first = broker_.accept_registration(/*interval_ms=*/100, /*liveness=*/3);
  ASSERT_TRUE(first);
  broker_.send(assign("slow", "sleep", "1200", 1));
  // Now stay silent: after 3 x 100 ms the worker drops the socket, backs off, registers again.
  auto second = broker_.expect(fb::WorkerMessageBody::Register, 2000ms, /*keep_alive=*/false);
  ASSERT_TRUE(second);
  EXPECT_NE(second->routing_id, first->routing_id) << "must be a new DEALER socket";
  EXPECT_GE(node_->probe().reconnects.load(), 1u);
  broker_.accept_registration_of(*second);
  // The job kept running across the reconnect; its Result arrives on the new socket.
  auto res = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->routing_id, second->routing_id);
  EXPECT_EQ(view(res->msg().body_as_Result()->job_id()), "slow");
  EXPECT_TRUE(res->msg().body_as_Result()->ok());
}

TEST_F(WorkerNodeTest, BacksOffWhileTheBrokerStaysSilent) {
  start([](WorkerOptions& o) {
    o.reconnect_min = 100ms;
    o.reconnect_max = 400ms;
  });
  // Never acknowledge: Register, 300 ms silence, wait 100, Register, 300, wait 200, Register, ...
  std::vector<Clock::time_point> at;
  std::set<std::string> ids;
  const auto deadline = Clock::now() + 2500ms;
  while (Clock::now() < deadline) {
    auto r = broker_.expect(fb::WorkerMessageBody::Register, 100ms, false);
    if (!r) continue;
    at.push_back(Clock::now());
    ids.insert(r->routing_id);
  }
  ASSERT_GE(at.size(), 3u);
  EXPECT_EQ(ids.size(), at.size()) << "every registration on a new socket";
  const auto gap1 = at[1] - at[0], gap2 = at[2] - at[1];
  EXPECT_GE(gap1, 380ms);  // 300 liveness + 100 backoff
  EXPECT_GE(gap2, 480ms);  // 300 liveness + 200 backoff
}

TEST_F(WorkerNodeTest, ReRegistersAtOnceWhenTheBrokerSaysNotRegistered) {
  start([](WorkerOptions& o) {
    o.reconnect_min = 2000ms;  // a backoff would show up as a delay of seconds
    o.reconnect_max = 4000ms;
  });
  auto first = broker_.accept_registration(/*interval_ms=*/100, /*liveness=*/10);
  ASSERT_TRUE(first);
  const auto start = Clock::now();
  broker_.send(disconnect("not_registered"));
  auto second = broker_.expect(fb::WorkerMessageBody::Register, 1500ms, false);
  ASSERT_TRUE(second);
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_NE(second->routing_id, first->routing_id);
}

TEST_F(WorkerNodeTest, DrainsFinishingRunningJobsThenSaysGoodbye) {
  start();
  ASSERT_TRUE(broker_.accept_registration());
  broker_.send(assign("running", "sleep", "400"));
  std::this_thread::sleep_for(100ms);
  stop_.drain = true;
  auto credit = broker_.expect(fb::WorkerMessageBody::Credit, 1000ms);
  ASSERT_TRUE(credit);
  EXPECT_EQ(credit->msg().body_as_Credit()->capacity(), 0u);

  // An Assign that crossed the Credit on the wire is refused, not dropped.
  broker_.send(assign("late", "echo", "x"));
  const auto late_reply = broker_.expect(fb::WorkerMessageBody::Result, 1000ms);
  const fb::Result* late = result_of(late_reply);
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(view(late->job_id()), "late");
  EXPECT_EQ(late->error_code(), fb::ErrorCode::cancelled);
  EXPECT_EQ(view(late->error_message()), "worker draining");

  const auto done_reply = broker_.expect(fb::WorkerMessageBody::Result, 2000ms);
  const fb::Result* done = result_of(done_reply);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(view(done->job_id()), "running");
  EXPECT_TRUE(done->ok());

  auto bye = broker_.expect(fb::WorkerMessageBody::Disconnect, 1000ms);
  ASSERT_TRUE(bye);
  EXPECT_EQ(view(bye->msg().body_as_Disconnect()->reason()), "draining");
  ASSERT_TRUE(wait_for_exit(2000ms));
  EXPECT_TRUE(drained_);
}

}  // namespace
}  // namespace litc
