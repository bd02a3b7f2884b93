// Client: request/reply matching, stashing, errors and timeouts, against a scripted fake broker (a
// test-owned ROUTER on an ephemeral loopback port, run on its own thread).
#include "protocol/client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace litc {
namespace {

using namespace std::chrono_literals;

// One request as the fake broker received it: the ROUTER's routing id and the verified frame.
struct Received {
  std::string routing_id;
  std::string frame;
  const fb::ClientRequest* msg() const {
    return flatbuffers::GetRoot<fb::ClientRequest>(frame.data());
  }
  uint64_t id() const { return msg()->request_id(); }
};

// A broker stand-in: the test gives it a script that receives requests and answers them with
// hand-built frames (right, wrong, late or never).
class FakeBroker {
 public:
  explicit FakeBroker(zmq::context_t& context) : router_(context, zmq::socket_type::router) {
    router_.set(zmq::sockopt::linger, 0);
    router_.bind("tcp://127.0.0.1:*");
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
  }
  ~FakeBroker() { join(); }

  const std::string& endpoint() const { return endpoint_; }
  void start(std::function<void(FakeBroker&)> script) {
    thread_ = std::thread([this, script = std::move(script)] { script(*this); });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  // Next request within timeout_ms; nullopt (and a test failure) when none comes or it is invalid.
  std::optional<Received> receive(int timeout_ms = 5000) {
    zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms)) == 0) {
      ADD_FAILURE() << "fake broker: no request within " << timeout_ms << " ms";
      return std::nullopt;
    }
    zmq::message_t id, frame;
    (void)router_.recv(id);
    (void)router_.recv(frame);
    EXPECT_FALSE(frame.more()) << "client sent more than one frame";
    auto decoded = decode_client_request(frame.data(), frame.size());
    EXPECT_TRUE(decoded.ok()) << decoded.reason;
    if (!decoded.ok()) return std::nullopt;
    return Received{id.to_string(), frame.to_string()};
  }
  void reply(const Received& to, const std::string& frame) { reply_parts(to, {frame}); }
  void reply_parts(const Received& to, const std::vector<std::string>& frames) {
    router_.send(zmq::buffer(to.routing_id), zmq::send_flags::sndmore);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      router_.send(zmq::buffer(frames[i]),
                   i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }

 private:
  zmq::socket_t router_;
  std::string endpoint_;
  std::thread thread_;
};

// --- reply frames, built the way the broker builds them --------------------------------------

flatbuffers::Offset<fb::JobRecord> record(flatbuffers::FlatBufferBuilder& b, const std::string& id,
                                          fb::JobState state, const std::string& output = "",
                                          fb::ErrorCode error = fb::ErrorCode::unknown) {
  return fb::CreateJobRecord(
      b, b.CreateString(id), b.CreateString("sha256"), state, 2, 1, 3, b.CreateString("node-a"),
      bytes(b, output), error, b.CreateString(error == fb::ErrorCode::unknown ? "" : "it broke"),
      1000, 1500, state == fb::JobState::completed ? 2000 : 0, 60000, 30000, false, 5);
}

std::string finish(flatbuffers::FlatBufferBuilder& b, uint64_t request_id, fb::ClientReplyBody type,
                   flatbuffers::Offset<void> body) {
  fb::FinishClientReplyBuffer(b,
                              fb::CreateClientReply(b, kProtocolVersion, request_id, type, body));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

std::string ack_frame(uint64_t request_id, const std::string& job, fb::JobState state,
                      bool duplicate = false) {
  flatbuffers::FlatBufferBuilder b;
  auto body = fb::CreateSubmitAck(b, record(b, job, state), duplicate);
  return finish(b, request_id, fb::ClientReplyBody::SubmitAck, body.Union());
}

std::string job_frame(uint64_t request_id, const std::string& job, fb::JobState state, bool final,
                      const std::string& output = "") {
  flatbuffers::FlatBufferBuilder b;
  auto body = fb::CreateJobReply(b, record(b, job, state, output), final);
  return finish(b, request_id, fb::ClientReplyBody::JobReply, body.Union());
}

std::string error_frame(uint64_t request_id, fb::ErrorCode code, const std::string& message) {
  flatbuffers::FlatBufferBuilder b;
  auto body = fb::CreateError(b, code, b.CreateString(message));
  return finish(b, request_id, fb::ClientReplyBody::Error, body.Union());
}

class ClientTest : public ::testing::Test {
 protected:
  ClientOptions options(int timeout_ms = 2000) {
    ClientOptions o;
    o.broker = broker.endpoint();
    o.timeout_ms = timeout_ms;
    return o;
  }
  zmq::context_t context{1};
  FakeBroker broker{context};
};

TEST_F(ClientTest, StatusReturnsTheJobFromTheReplyWithItsRequestId) {
  broker.start([](FakeBroker& fake) {
    auto req = fake.receive();
    if (!req) return;
    EXPECT_EQ(req->msg()->body_type(), fb::ClientRequestBody::StatusQuery);
    EXPECT_EQ(view(req->msg()->body_as_StatusQuery()->job_id()), "job-1");
    fake.reply(*req, job_frame(req->id(), "job-1", fb::JobState::completed, true, "digest"));
  });
  Client client(options(), &context);
  auto job = client.status("job-1");
  ASSERT_TRUE(job.ok()) << job.error().message;
  const JobInfo& j = job.value();
  EXPECT_EQ(j.job_id, "job-1");
  EXPECT_EQ(j.operation, "sha256");
  EXPECT_EQ(j.state, fb::JobState::completed);
  EXPECT_EQ(j.priority, 2);
  EXPECT_EQ(j.attempt, 1u);
  EXPECT_EQ(j.max_attempts, 3u);
  EXPECT_EQ(j.node_id, "node-a");
  EXPECT_EQ(j.output, "digest");
  EXPECT_EQ(j.submitted_at_ms, 1000u);
  EXPECT_EQ(j.started_at_ms, 1500u);
  EXPECT_EQ(j.completed_at_ms, 2000u);
  EXPECT_EQ(j.ttl_ms, 60000u);
  EXPECT_EQ(j.timeout_ms, 30000u);
  EXPECT_EQ(j.input_size, 5u);
  EXPECT_TRUE(j.finished());
}

TEST_F(ClientTest, SubmitSendsEveryFieldAndReturnsTheAck) {
  broker.start([](FakeBroker& fake) {
    auto req = fake.receive();
    if (!req) return;
    const auto* s = req->msg()->body_as_Submit();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(view(s->job_id()), "mine");
    EXPECT_EQ(view(s->operation()), "echo");
    EXPECT_EQ(view(s->input()), std::string("a\0b", 3));
    EXPECT_EQ(s->priority(), -4);
    EXPECT_EQ(s->max_attempts(), 7u);
    EXPECT_EQ(s->ttl_ms(), 11u);
    EXPECT_EQ(s->timeout_ms(), 13u);
    EXPECT_FALSE(s->wait());
    fake.reply(*req, ack_frame(req->id(), "mine", fb::JobState::pending, true));
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.job_id = "mine";
  r.operation = "echo";
  r.input = std::string("a\0b", 3);
  r.priority = -4;
  r.max_attempts = 7;
  r.ttl_ms = 11;
  r.timeout_ms = 13;
  auto ack = client.submit(r);
  ASSERT_TRUE(ack.ok()) << ack.error().message;
  EXPECT_EQ(ack.value().job.job_id, "mine");
  EXPECT_EQ(ack.value().job.state, fb::JobState::pending);
  EXPECT_TRUE(ack.value().duplicate);
}

TEST_F(ClientTest, NoAckGoesOnTheWireOnlyForPipelinedWaitSubmits) {
  broker.start([](FakeBroker& fake) {
    auto pipelined = fake.receive();
    auto without_wait = fake.receive();
    auto blocking = fake.receive();
    if (!pipelined || !without_wait || !blocking) return;
    EXPECT_TRUE(pipelined->msg()->body_as_Submit()->no_ack());
    EXPECT_FALSE(without_wait->msg()->body_as_Submit()->no_ack());  // nothing to skip an ack for
    // The blocking call reports the ack, so it never asks to skip it.
    EXPECT_TRUE(blocking->msg()->body_as_Submit()->wait());
    EXPECT_FALSE(blocking->msg()->body_as_Submit()->no_ack());
    fake.reply(*blocking, ack_frame(blocking->id(), "b", fb::JobState::pending));
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.operation = "echo";
  r.wait = true;
  r.no_ack = true;
  ASSERT_NE(client.send_submit(r), 0u);
  r.wait = false;
  ASSERT_NE(client.send_submit(r), 0u);
  r.wait = true;
  auto ack = client.submit(r);
  ASSERT_TRUE(ack.ok()) << ack.error().message;
  EXPECT_EQ(ack.value().job.job_id, "b");
}

TEST_F(ClientTest, StashesOutOfOrderRepliesAndPollReturnsThemInArrivalOrder) {
  broker.start([](FakeBroker& fake) {
    auto first = fake.receive();
    auto second = fake.receive();
    auto status = fake.receive();
    if (!first || !second || !status) return;
    // Answer newest first: the blocking status call must skip (and keep) the two submit acks.
    fake.reply(*second, ack_frame(second->id(), "two", fb::JobState::pending));
    fake.reply(*first, ack_frame(first->id(), "one", fb::JobState::pending));
    fake.reply(*status, job_frame(status->id(), "three", fb::JobState::active, false));
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.operation = "echo";
  uint64_t one = client.send_submit(r);
  uint64_t two = client.send_submit(r);
  ASSERT_NE(one, 0u);
  ASSERT_NE(two, one);
  auto job = client.status("three");
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job.value().job_id, "three");

  auto a = client.poll(0);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->request_id, two);
  EXPECT_EQ(a->kind, ClientReplyInfo::Kind::submit_ack);
  EXPECT_EQ(a->job.job_id, "two");
  auto b = client.poll(0);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->request_id, one);
  EXPECT_EQ(b->job.job_id, "one");
  EXPECT_FALSE(client.poll(50).has_value());
}

TEST_F(ClientTest, ErrorReplyBecomesClientErrorWithItsCode) {
  broker.start([](FakeBroker& fake) {
    auto req = fake.receive();
    if (!req) return;
    fake.reply(*req, error_frame(req->id(), fb::ErrorCode::unknown_operation, "no such op: rot13"));
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.operation = "rot13";
  auto ack = client.submit(r);
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, fb::ErrorCode::unknown_operation);
  EXPECT_EQ(ack.error().message, "no such op: rot13");
}

TEST_F(ClientTest, TimesOutWhenTheBrokerNeverAnswersAndDropsTheLateReply) {
  std::promise<void> timed_out;
  auto client_gave_up = timed_out.get_future();
  broker.start([&client_gave_up](FakeBroker& fake) {
    auto slow = fake.receive();
    if (!slow) return;
    client_gave_up.wait_for(5s);
    fake.reply(*slow, job_frame(slow->id(), "slow", fb::JobState::pending, false));
    auto next = fake.receive();
    if (!next) return;
    fake.reply(*next, job_frame(next->id(), "next", fb::JobState::pending, false));
  });
  Client client(options(100), &context);
  auto start = std::chrono::steady_clock::now();
  auto job = client.status("slow");
  auto elapsed = std::chrono::steady_clock::now() - start;
  timed_out.set_value();
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, fb::ErrorCode::timeout);
  EXPECT_EQ(job.error().message,
            "broker at " + broker.endpoint() + " did not answer within 100 ms");
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 2s);

  auto next = client.status("next");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next.value().job_id, "next");
  EXPECT_FALSE(client.poll(50).has_value()) << "the late reply should be dropped, not stashed";
}

TEST_F(ClientTest, UnreachableBrokerTimesOut) {
  ClientOptions o;
  o.broker = "tcp://127.0.0.1:1";  // nothing listens there
  o.timeout_ms = 50;
  Client client(o, &context);
  auto stats = client.stats();
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.error().code, fb::ErrorCode::timeout);
}

TEST_F(ClientTest, InvalidEndpointIsAnErrorNotAnException) {
  ClientOptions o;
  o.broker = "nonsense://here";
  Client client(o, &context);
  auto job = client.status("x");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, fb::ErrorCode::invalid_argument);
  EXPECT_NE(job.error().message.find("nonsense://here"), std::string::npos);
}

TEST_F(ClientTest, GarbageRepliesBecomeErrorsAndTheClientKeepsWorking) {
  broker.start([](FakeBroker& fake) {
    // 1: not a FlatBuffer at all.
    if (auto req = fake.receive()) fake.reply(*req, "this is not a flatbuffer frame");
    // 2: a valid message of another family (an Event).
    if (auto req = fake.receive()) {
      flatbuffers::FlatBufferBuilder b;
      fb::FinishEventBuffer(b, fb::CreateEvent(b, kProtocolVersion, 1, 1, 0, fb::EventBody::Hugz,
                                               fb::CreateHugz(b).Union()));
      fake.reply(*req,
                 std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
    }
    // 3: a good reply split over two frames, which a DEALER peer must never get.
    if (auto req = fake.receive()) {
      std::string good = job_frame(req->id(), "x", fb::JobState::pending, false);
      fake.reply_parts(*req, {good, good});
    }
    // 4: a proper answer: the client must still be in step.
    if (auto req = fake.receive()) {
      fake.reply(*req, job_frame(req->id(), "ok", fb::JobState::pending, false));
    }
  });
  Client client(options(), &context);
  auto garbage = client.status("a");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, fb::ErrorCode::malformed_frame);
  auto wrong_family = client.status("b");
  ASSERT_FALSE(wrong_family.ok());
  EXPECT_EQ(wrong_family.error().code, fb::ErrorCode::unexpected_message);
  auto multipart = client.status("c");
  ASSERT_FALSE(multipart.ok());
  EXPECT_EQ(multipart.error().code, fb::ErrorCode::malformed_frame);
  auto good = client.status("ok");
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good.value().job_id, "ok");
}

TEST_F(ClientTest, OversizedReplyIsFrameTooLarge) {
  broker.start([](FakeBroker& fake) {
    if (auto req = fake.receive()) {
      fake.reply(
          *req, job_frame(req->id(), "big", fb::JobState::completed, true, std::string(4096, 'x')));
    }
  });
  ClientOptions o = options();
  o.max_frame_bytes = 1024;
  Client client(o, &context);
  auto job = client.status("big");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, fb::ErrorCode::frame_too_large);
}

TEST_F(ClientTest, SubmitAndWaitReturnsTheFinalJobAfterTheAck) {
  broker.start([](FakeBroker& fake) {
    auto req = fake.receive();
    if (!req) return;
    EXPECT_TRUE(req->msg()->body_as_Submit()->wait());
    fake.reply(*req, ack_frame(req->id(), "job-9", fb::JobState::pending));
    std::this_thread::sleep_for(50ms);
    // A non-final JobReply under the same id must not end the wait.
    fake.reply(*req, job_frame(req->id(), "job-9", fb::JobState::active, false));
    fake.reply(*req, job_frame(req->id(), "job-9", fb::JobState::completed, true, "hash"));
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.operation = "sha256";
  r.input = "abc";
  auto job = client.submit_and_wait(r, 5000);
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job.value().job_id, "job-9");
  EXPECT_EQ(job.value().state, fb::JobState::completed);
  EXPECT_EQ(job.value().output, "hash");
}

TEST_F(ClientTest, SubmitAndWaitReturnsAFinishedAckAtOnceAndDropsTheTrailingFinal) {
  broker.start([](FakeBroker& fake) {
    auto req = fake.receive();
    if (!req) return;
    fake.reply(*req, ack_frame(req->id(), "done", fb::JobState::failed, true));
    fake.reply(*req, job_frame(req->id(), "done", fb::JobState::failed, true));
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.job_id = "done";
  r.operation = "sha256";
  auto job = client.submit_and_wait(r, 5000);
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job.value().state, fb::JobState::failed);
  EXPECT_FALSE(client.poll(100).has_value());
}

TEST_F(ClientTest, SubmitAndWaitReturnsTheAckError) {
  broker.start([](FakeBroker& fake) {
    if (auto req = fake.receive()) {
      fake.reply(*req, error_frame(req->id(), fb::ErrorCode::queue_full, "queue is full"));
    }
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.operation = "echo";
  auto job = client.submit_and_wait(r, 5000);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, fb::ErrorCode::queue_full);
}

TEST_F(ClientTest, SubmitAndWaitTimesOutNamingTheJob) {
  broker.start([](FakeBroker& fake) {
    if (auto req = fake.receive()) {
      fake.reply(*req, ack_frame(req->id(), "stuck", fb::JobState::pending));
    }
  });
  Client client(options(), &context);
  SubmitRequest r;
  r.operation = "echo";
  auto job = client.submit_and_wait(r, 100);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, fb::ErrorCode::timeout);
  EXPECT_NE(job.error().message.find("job stuck did not finish within 100 ms"), std::string::npos)
      << job.error().message;
}

TEST_F(ClientTest, CancelReplayAndDeadLettersSendTheirBodies) {
  broker.start([](FakeBroker& fake) {
    if (auto req = fake.receive()) {
      EXPECT_EQ(view(req->msg()->body_as_Cancel()->job_id()), "c1");
      fake.reply(*req, job_frame(req->id(), "c1", fb::JobState::cancelled, true));
    }
    if (auto req = fake.receive()) {
      const auto* replay = req->msg()->body_as_Replay();
      ASSERT_NE(replay, nullptr);
      EXPECT_EQ(view(replay->job_id()), "r1");
      EXPECT_TRUE(replay->wait());
      fake.reply(*req, job_frame(req->id(), "r1", fb::JobState::pending, false));
      fake.reply(*req, job_frame(req->id(), "r1", fb::JobState::completed, true, "out"));
    }
    if (auto req = fake.receive()) {
      EXPECT_EQ(req->msg()->body_as_DeadLetterQuery()->limit(), 2u);
      flatbuffers::FlatBufferBuilder b;
      std::vector<flatbuffers::Offset<fb::JobRecord>> jobs{
          record(b, "d1", fb::JobState::failed, "", fb::ErrorCode::expired),
          record(b, "d2", fb::JobState::failed, "", fb::ErrorCode::max_attempts_exceeded)};
      auto body = fb::CreateJobList(b, b.CreateVector(jobs));
      fake.reply(*req, finish(b, req->id(), fb::ClientReplyBody::JobList, body.Union()));
    }
  });
  Client client(options(), &context);
  auto cancelled = client.cancel("c1");
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_EQ(cancelled.value().state, fb::JobState::cancelled);
  auto replayed = client.replay_and_wait("r1", 5000);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;
  EXPECT_EQ(replayed.value().output, "out");
  auto dead = client.dead_letters(2);
  ASSERT_TRUE(dead.ok()) << dead.error().message;
  ASSERT_EQ(dead.value().size(), 2u);
  EXPECT_EQ(dead.value()[0].job_id, "d1");
  EXPECT_EQ(dead.value()[0].error_code, fb::ErrorCode::expired);
  EXPECT_EQ(dead.value()[1].error_code, fb::ErrorCode::max_attempts_exceeded);
}

TEST_F(ClientTest, StatsCopiesEveryCounterBySchemaName) {
  broker.start([](FakeBroker& fake) {
    if (auto req = fake.receive()) {
      EXPECT_EQ(req->msg()->body_type(), fb::ClientRequestBody::StatsQuery);
      flatbuffers::FlatBufferBuilder b;
      fb::BrokerStatsBuilder s(b);
      s.add_epoch(77);
      s.add_stale_results(3);
      s.add_workers_expired(9);
      s.add_invalid_shares(4);
      s.add_invalid_signatures(5);
      auto body = fb::CreateStatsReply(b, s.Finish());
      fake.reply(*req, finish(b, req->id(), fb::ClientReplyBody::StatsReply, body.Union()));
    }
  });
  Client client(options(), &context);
  auto stats = client.stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  const auto& counters = stats.value().counters;
  ASSERT_EQ(counters.size(), 23u);
  EXPECT_EQ(counters.front().first, "epoch");
  EXPECT_EQ(counters.back().first, "invalid_signatures");
  EXPECT_EQ(counters.back().second, 5u);
  EXPECT_EQ(stats.value().get("invalid_shares"), 4u);
  EXPECT_EQ(stats.value().get("epoch"), 77u);
  EXPECT_EQ(stats.value().get("stale_results"), 3u);
  EXPECT_EQ(stats.value().get("workers_expired"), 9u);
  EXPECT_EQ(stats.value().get("jobs_pending"), 0u);
  EXPECT_EQ(stats.value().get("no_such_counter"), 0u);
}

TEST_F(ClientTest, BrokerErrorWithRequestIdZeroAnswersTheWaitingCall) {
  // The broker answers a request it could not decode with request_id 0.
  broker.start([](FakeBroker& fake) {
    if (auto req = fake.receive()) {
      fake.reply(*req, error_frame(0, fb::ErrorCode::malformed_frame, "failed the verifier"));
    }
  });
  Client client(options(), &context);
  auto job = client.status("x");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, fb::ErrorCode::malformed_frame);
  EXPECT_EQ(job.error().message, "failed the verifier");
}

}  // namespace
}  // namespace litc
