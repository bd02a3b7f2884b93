// A test-owned ROUTER that plays the broker for a worker (in-process WorkerNode or the litc-worker
// binary), and the broker-side frames it sends. Every frame the worker sends must pass the real
// decoder.
#pragma once

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "protocol/codec.h"

namespace litc::testkit {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

inline constexpr const char* kDigestOfHelloWorld =
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

// ---- broker-side frames ------------------------------------------------------------------------

inline std::string finish(flatbuffers::FlatBufferBuilder& b, fb::BrokerMessageBody type,
                          flatbuffers::Offset<void> body,
                          fb::ProtocolVersion version = kProtocolVersion) {
  fb::FinishBrokerMessageBuffer(b, fb::CreateBrokerMessage(b, version, type, body));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}
inline std::string register_ack(std::uint64_t epoch, std::uint32_t interval_ms,
                                std::uint32_t liveness) {
  flatbuffers::FlatBufferBuilder b;
  return finish(b, fb::BrokerMessageBody::RegisterAck,
                fb::CreateRegisterAck(b, epoch, interval_ms, liveness).Union());
}
inline std::string assign(std::string_view job_id, std::string_view op, std::string_view input,
                          std::uint32_t attempt = 1,
                          fb::ProtocolVersion version = kProtocolVersion) {
  flatbuffers::FlatBufferBuilder b;
  auto body =
      fb::CreateAssign(b, b.CreateString(job_id), b.CreateString(op), bytes(b, input), attempt, 0);
  return finish(b, fb::BrokerMessageBody::Assign, body.Union(), version);
}
inline std::string cancel_job(std::string_view job_id, std::uint32_t attempt) {
  flatbuffers::FlatBufferBuilder b;
  return finish(b, fb::BrokerMessageBody::CancelJob,
                fb::CreateCancelJob(b, b.CreateString(job_id), attempt).Union());
}
inline std::string heartbeat() {
  flatbuffers::FlatBufferBuilder b;
  return finish(b, fb::BrokerMessageBody::Heartbeat, fb::CreateHeartbeat(b).Union());
}
inline std::string disconnect(std::string_view reason) {
  flatbuffers::FlatBufferBuilder b;
  return finish(b, fb::BrokerMessageBody::Disconnect,
                fb::CreateDisconnect(b, b.CreateString(reason)).Union());
}
inline std::string worker_error() {
  flatbuffers::FlatBufferBuilder b;
  return finish(
      b, fb::BrokerMessageBody::WorkerError,
      fb::CreateWorkerError(b, fb::ErrorCode::malformed_frame, b.CreateString("x")).Union());
}

// ---- the fake broker ---------------------------------------------------------------------------

struct Received {
  std::string routing_id;
  std::string frame;
  // Re-derived on access so copies of Received stay valid.
  const fb::WorkerMessage& msg() const { return *fb::GetWorkerMessage(frame.data()); }
  fb::WorkerMessageBody type() const { return msg().body_type(); }
};

class FakeBroker {
 public:
  explicit FakeBroker(zmq::context_t& context) : router_(context, zmq::socket_type::router) {
    router_.set(zmq::sockopt::linger, 0);
    router_.bind("tcp://127.0.0.1:*");
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }

  // Next message from any worker; every frame the worker sends must pass the real decoder.
  std::optional<Received> recv(milliseconds timeout) {
    zmq_pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
    zmq::message_t id, frame;
    (void)router_.recv(id);
    EXPECT_TRUE(id.more());
    (void)router_.recv(frame);
    EXPECT_FALSE(frame.more()) << "worker sent more than one frame";
    const auto decoded = decode_worker_message(frame.data(), frame.size());
    EXPECT_TRUE(decoded.ok()) << decoded.reason;
    if (!decoded.ok()) return std::nullopt;
    return Received{id.to_string(), frame.to_string()};
  }

  // Waits for a message of `type`, skipping others (heartbeats, ...). While waiting, heartbeats the
  // last peer every 50 ms when `keep_alive` so the worker does not judge us dead.
  std::optional<Received> expect(fb::WorkerMessageBody type, milliseconds timeout,
                                 bool keep_alive = true) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    auto next_beat = Clock::now();
    while (Clock::now() < deadline) {
      if (keep_alive && !peer_.empty() && Clock::now() >= next_beat) {
        send(peer_, heartbeat());
        next_beat = Clock::now() + 50ms;
      }
      auto r =
          recv(std::clamp(std::chrono::ceil<milliseconds>(deadline - Clock::now()), 0ms, 50ms));
      if (!r) continue;
      ++seen_[r->type()];
      if (r->type() == type) return r;
    }
    return std::nullopt;
  }

  // Receives the worker's Register and acknowledges it; later sends go to that peer.
  std::optional<Received> accept_registration(std::uint32_t interval_ms = 100,
                                              std::uint32_t liveness = 3,
                                              milliseconds timeout = 3000ms) {
    auto reg = expect(fb::WorkerMessageBody::Register, timeout, false);
    if (reg) accept_registration_of(*reg, interval_ms, liveness);
    return reg;
  }
  void accept_registration_of(const Received& reg, std::uint32_t interval_ms = 100,
                              std::uint32_t liveness = 3) {
    peer_ = reg.routing_id;
    send(peer_, register_ack(42, interval_ms, liveness));
  }

  void send(const std::string& routing_id, const std::string& frame) {
    router_.send(zmq::buffer(routing_id), zmq::send_flags::sndmore);
    router_.send(zmq::buffer(frame), zmq::send_flags::none);
  }
  void send(const std::string& frame) { send(peer_, frame); }
  void send_parts(const std::vector<std::string>& parts) {
    router_.send(zmq::buffer(peer_), zmq::send_flags::sndmore);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      router_.send(zmq::buffer(parts[i]),
                   i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }

  const std::string& peer() const { return peer_; }
  int seen(fb::WorkerMessageBody type) const {
    auto it = seen_.find(type);
    return it == seen_.end() ? 0 : it->second;
  }

 private:
  zmq::socket_t router_;
  std::string endpoint_;
  std::string peer_;
  std::map<fb::WorkerMessageBody, int> seen_;
};

// Result body of a received message (nullptr when it is not a Result). Keep the optional alive.
inline const fb::Result* result_of(const std::optional<Received>& r) {
  return r ? r->msg().body_as_Result() : nullptr;
}

}  // namespace litc::testkit
