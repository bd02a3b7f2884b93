// A table of bad frames sent to the broker's clients and workers sockets over raw DEALERs: each is
// answered with the right error, counted in the matching stats counter, and after each case the
// broker still answers a stats request (Redis' `assert_equal PONG [r ping]` habit).
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

constexpr int kMaxFrameBytes = 4096;
using Frames = std::vector<std::string>;

std::string finish_client_request(flatbuffers::FlatBufferBuilder& b,
                                  flatbuffers::Offset<fb::ClientRequest> root) {
  fb::FinishClientRequestBuffer(b, root);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

std::string submit_frame(uint64_t request_id, const std::string& op, std::size_t input_size = 16,
                         fb::ProtocolVersion version = kProtocolVersion) {
  flatbuffers::FlatBufferBuilder b;
  auto body = fb::CreateSubmit(b, b.CreateString(""), b.CreateString(op),
                               bytes(b, std::string(input_size, 'x')));
  return finish_client_request(
      b,
      fb::CreateClientRequest(b, version, request_id, fb::ClientRequestBody::Submit, body.Union()));
}

std::string stats_query_frame(uint64_t request_id) {
  flatbuffers::FlatBufferBuilder b;
  auto body = fb::CreateStatsQuery(b);
  return finish_client_request(
      b, fb::CreateClientRequest(b, kProtocolVersion, request_id, fb::ClientRequestBody::StatsQuery,
                                 body.Union()));
}

// A Register of "raw-node" for echo, paid to `wallet`.
std::string register_frame(const std::string& wallet) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<flatbuffers::String>> ops = {b.CreateString("echo")};
  auto caps = fb::CreateCapabilities(b, 1, b.CreateVector(ops));
  auto reg = fb::CreateRegister(b, b.CreateString("raw-node"), b.CreateString(wallet), 0, caps);
  fb::FinishWorkerMessageBuffer(
      b,
      fb::CreateWorkerMessage(b, kProtocolVersion, fb::WorkerMessageBody::Register, reg.Union()));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

std::string worker_message_frame(fb::ProtocolVersion version, bool registration) {
  flatbuffers::FlatBufferBuilder b;
  flatbuffers::Offset<fb::WorkerMessage> root;
  if (registration) {
    std::vector<flatbuffers::Offset<flatbuffers::String>> ops = {b.CreateString("echo")};
    auto caps = fb::CreateCapabilities(b, 1, b.CreateVector(ops));
    auto reg = fb::CreateRegister(b, b.CreateString("raw-node"), 0, 0, caps);
    root = fb::CreateWorkerMessage(b, version, fb::WorkerMessageBody::Register, reg.Union());
  } else {
    auto hb = fb::CreateHeartbeat(b);
    root = fb::CreateWorkerMessage(b, version, fb::WorkerMessageBody::Heartbeat, hb.Union());
  }
  fb::FinishWorkerMessageBuffer(b, root);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

std::string random_bytes(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  s[4] = 'Z';  // never a litcompute file identifier
  return s;
}

// A valid frame whose root offset points far outside the buffer: the identifier is right, so only
// the FlatBuffers verifier can reject it.
std::string failing_verifier_frame() {
  std::string f = submit_frame(5, "echo");
  f[0] = '\xf0';
  f[1] = '\xff';
  f[2] = '\xff';
  f[3] = '\x7f';
  return f;
}

class RawDealer {
 public:
  RawDealer(zmq::context_t& ctx, const std::string& endpoint)
      : socket_(ctx, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }
  void send(const Frames& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      zmq::message_t m(frames[i].data(), frames[i].size());
      auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      (void)socket_.send(m, flags);
    }
  }
  std::optional<Frames> recv(milliseconds timeout) {
    std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, timeout);
    if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
    Frames out;
    do {
      zmq::message_t m;
      (void)socket_.recv(m);
      out.push_back(m.to_string());
    } while (socket_.get(zmq::sockopt::rcvmore));
    return out;
  }

 private:
  zmq::socket_t socket_;
};

struct ClientCase {
  std::string name;
  Frames frames;
  fb::ErrorCode expected;
  uint64_t expected_request_id;  // 0 for frames the broker could not decode
  std::string counter;           // stats counter that must go up by one; empty = none
};

TEST(MalformedFramesIntegration, ClientsSocketAnswersEveryBadFrameAndKeepsServing) {
  NetworkOptions options;
  options.broker_args = {"--max-frame-bytes", std::to_string(kMaxFrameBytes)};
  Network net(options);
  ASSERT_TRUE(net.ok());
  net.add_worker("w1", "echo");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();
  RawDealer raw(net.context(), net.endpoints().clients);

  const std::string valid = submit_frame(9, "echo");
  const std::vector<ClientCase> cases = {
      {"random bytes",
       {random_bytes(64, 1)},
       fb::ErrorCode::malformed_frame,
       0,
       "malformed_frames"},
      {"wrong version",
       {submit_frame(10, "echo", 16, static_cast<fb::ProtocolVersion>(7))},
       fb::ErrorCode::unsupported_version,
       0,
       "unsupported_versions"},
      {"truncated flatbuffer",
       {valid.substr(0, valid.size() / 2)},
       fb::ErrorCode::malformed_frame,
       0,
       "malformed_frames"},
      {"right identifier, fails verifier",
       {failing_verifier_frame()},
       fb::ErrorCode::malformed_frame,
       0,
       "malformed_frames"},
      {"oversized",
       {submit_frame(11, "echo", kMaxFrameBytes + 100)},
       fb::ErrorCode::frame_too_large,
       0,
       "oversized_frames"},
      {"unknown operation",
       {submit_frame(12, "no_such_operation")},
       fb::ErrorCode::unknown_operation,
       12,
       ""},
      {"worker message on the clients socket",
       {worker_message_frame(kProtocolVersion, false)},
       fb::ErrorCode::unexpected_message,
       0,
       "unexpected_messages"},
      {"two frames instead of one",
       {stats_query_frame(13), stats_query_frame(14)},
       fb::ErrorCode::malformed_frame,
       0,
       "malformed_frames"},
      {"empty frame", {std::string()}, fb::ErrorCode::malformed_frame, 0, "malformed_frames"},
  };

  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto before = client->stats();
    ASSERT_TRUE(before.ok()) << "broker stopped serving before this case";

    raw.send(c.frames);
    auto reply = raw.recv(milliseconds(3000));
    ASSERT_TRUE(reply.has_value()) << "no reply";
    ASSERT_EQ(reply->size(), 1u);
    auto d = decode_client_reply(reply->front().data(), reply->front().size());
    ASSERT_TRUE(d.ok()) << d.reason;
    EXPECT_EQ(d.msg->request_id(), c.expected_request_id);
    const auto* err = d.msg->body_as_Error();
    ASSERT_NE(err, nullptr) << "reply is not an Error";
    EXPECT_EQ(err->code(), c.expected) << error_name(err->code()) << ": " << view(err->message());
    EXPECT_FALSE(view(err->message()).empty());

    auto after = client->stats();
    ASSERT_TRUE(after.ok()) << "broker stopped serving after this case";
    if (!c.counter.empty()) {
      EXPECT_EQ(after.value().get(c.counter), before.value().get(c.counter) + 1) << c.counter;
    }
    EXPECT_EQ(after.value().get("submitted_total"), 0u) << "a bad frame created a job";
  }

  // Still fully working: a real job completes.
  SubmitRequest req;
  req.operation = "echo";
  req.input = "still alive";
  auto r = client->submit_and_wait(req, 5000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().output, "still alive");
  EXPECT_TRUE(net.broker().running());
}

struct WorkerCase {
  std::string name;
  Frames frames;
  fb::ErrorCode expected;
  std::string counter;
};

TEST(MalformedFramesIntegration, WorkersSocketAnswersBadFramesWithWorkerError) {
  NetworkOptions options;
  options.broker_args = {"--max-frame-bytes", std::to_string(kMaxFrameBytes)};
  Network net(options);
  ASSERT_TRUE(net.ok());
  auto client = net.client();
  RawDealer raw(net.context(), net.endpoints().workers);

  const std::vector<WorkerCase> cases = {
      {"random bytes", {random_bytes(64, 2)}, fb::ErrorCode::malformed_frame, "malformed_frames"},
      {"wrong version",
       {worker_message_frame(static_cast<fb::ProtocolVersion>(7), true)},
       fb::ErrorCode::unsupported_version,
       "unsupported_versions"},
      {"client request on the workers socket",
       {stats_query_frame(1)},
       fb::ErrorCode::unexpected_message,
       "unexpected_messages"},
      {"oversized",
       {random_bytes(kMaxFrameBytes + 1, 3)},
       fb::ErrorCode::frame_too_large,
       "oversized_frames"},
      {"two frames instead of one",
       {worker_message_frame(kProtocolVersion, true), worker_message_frame(kProtocolVersion, true)},
       fb::ErrorCode::malformed_frame,
       "malformed_frames"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto before = client->stats();
    ASSERT_TRUE(before.ok());
    raw.send(c.frames);
    auto reply = raw.recv(milliseconds(3000));
    ASSERT_TRUE(reply.has_value()) << "no reply";
    ASSERT_EQ(reply->size(), 1u);
    auto d = decode_broker_message(reply->front().data(), reply->front().size());
    ASSERT_TRUE(d.ok()) << d.reason;
    const auto* err = d.msg->body_as_WorkerError();
    ASSERT_NE(err, nullptr) << "reply is not a WorkerError";
    EXPECT_EQ(err->code(), c.expected) << error_name(err->code()) << ": " << view(err->message());
    auto after = client->stats();
    ASSERT_TRUE(after.ok()) << "broker stopped serving after this case";
    EXPECT_EQ(after.value().get(c.counter), before.value().get(c.counter) + 1) << c.counter;
    EXPECT_EQ(after.value().get("workers_online"), 0u);
  }

  // A heartbeat from a peer that never registered is told to register.
  raw.send({worker_message_frame(kProtocolVersion, false)});
  auto reply = raw.recv(milliseconds(3000));
  ASSERT_TRUE(reply.has_value()) << "no reply to a heartbeat before Register";
  ASSERT_EQ(reply->size(), 1u);
  auto d = decode_broker_message(reply->front().data(), reply->front().size());
  ASSERT_TRUE(d.ok()) << d.reason;
  const auto* disc = d.msg->body_as_Disconnect();
  ASSERT_NE(disc, nullptr) << "reply is not a Disconnect";
  EXPECT_NE(view(disc->reason()).find("not_registered"), std::string_view::npos)
      << view(disc->reason());

  // A wallet the node could never be paid to is refused, with the reason.
  for (const std::string wallet : {"0x123...", "0x5AAEB6053f3E94C9b9A09f33669435E7Ef1BeAed"}) {
    raw.send({register_frame(wallet)});
    auto refused = raw.recv(milliseconds(3000));
    ASSERT_TRUE(refused.has_value()) << "no reply to a Register with wallet " << wallet;
    auto r = decode_broker_message(refused->front().data(), refused->front().size());
    ASSERT_TRUE(r.ok()) << r.reason;
    const auto* err = r.msg->body_as_WorkerError();
    ASSERT_NE(err, nullptr) << "reply is not a WorkerError";
    EXPECT_EQ(err->code(), fb::ErrorCode::invalid_argument);
    EXPECT_NE(view(err->message()).find("wallet_address"), std::string_view::npos)
        << view(err->message());
    EXPECT_EQ(net.stat("workers_online"), 0u);
  }

  // The same raw peer can then register properly.
  raw.send({worker_message_frame(kProtocolVersion, true)});
  auto ack = raw.recv(milliseconds(3000));
  ASSERT_TRUE(ack.has_value()) << "no RegisterAck";
  auto a = decode_broker_message(ack->front().data(), ack->front().size());
  ASSERT_TRUE(a.ok()) << a.reason;
  const auto* reg = a.msg->body_as_RegisterAck();
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->heartbeat_interval_ms(), static_cast<uint32_t>(net.options().heartbeat_ms));
  EXPECT_EQ(reg->liveness(), static_cast<uint32_t>(net.options().liveness));
  EXPECT_EQ(net.stat("workers_online"), 1u);
}

// The snapshot socket has no error reply in its protocol: a bad request is counted and ignored,
// and the same connection still gets a snapshot for a good one.
TEST(MalformedFramesIntegration, SnapshotSocketCountsBadRequestsAndKeepsServing) {
  Network net;
  ASSERT_TRUE(net.ok());
  RawDealer dealer(net.context(), net.endpoints().snapshot);
  const uint64_t before = net.stat("malformed_frames").value_or(0);
  dealer.send({"definitely not a flatbuffer"});
  dealer.send({"two", "frames"});
  EXPECT_FALSE(dealer.recv(milliseconds(300)).has_value()) << "bad requests get no reply";
  EXPECT_EQ(net.stat("malformed_frames").value_or(0), before + 2);

  flatbuffers::FlatBufferBuilder b;
  fb::FinishSnapshotRequestBuffer(b, fb::CreateSnapshotRequest(b, kProtocolVersion, 77));
  dealer.send({std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize())});
  auto reply = dealer.recv(milliseconds(3000));
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->size(), 1u);
  auto batch = decode_snapshot_batch(reply->front().data(), reply->front().size());
  ASSERT_TRUE(batch.ok()) << batch.reason;
  EXPECT_EQ(batch.msg->request_id(), 77u);
  EXPECT_TRUE(batch.msg->last());
}

}  // namespace
}  // namespace litc::it
