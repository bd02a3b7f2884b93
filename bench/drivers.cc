// LitcDriver and RawDriver: the per-protocol halves of the load loop (see drivers.h).
#include "bench/drivers.h"

#include <chrono>
#include <cstring>

namespace litc::bench {

LitcDriver::LitcDriver(zmq::context_t& context, const std::string& clients_endpoint, int timeout_ms,
                       bool submit_ack, std::string operation, bool verified)
    : client_(litc::ClientOptions{clients_endpoint, timeout_ms}, &context) {
  request_.operation = std::move(operation);
  request_.verified = verified;
  request_.wait = true;
  request_.no_ack = !submit_ack;
}

uint64_t LitcDriver::send(std::string_view payload) {
  request_.input.assign(payload);
  return client_.send_submit(request_);
}

std::optional<Reply> LitcDriver::poll(int timeout_ms) {
  auto info = client_.poll(timeout_ms);
  if (!info) return std::nullopt;
  last_ = std::move(*info);
  Reply r;
  r.token = last_.request_id;
  using Kind = litc::ClientReplyInfo::Kind;
  switch (last_.kind) {
    case Kind::submit_ack:
      r.final = false;
      if (last_.duplicate) {
        r.error = "SubmitAck says duplicate for a new job";
      } else if (last_.job.finished() || last_.job.job_id.empty()) {
        r.error = "SubmitAck of a finished or unnamed job";
      } else if (!job_ids_.emplace(r.token, last_.job.job_id).second) {
        r.error = "second SubmitAck for one request";
      }
      return r;
    case Kind::job: {
      auto it = job_ids_.find(r.token);
      if (!last_.final) {
        r.final = false;
        r.error = "non-final JobReply to a Submit";
      } else if (it == job_ids_.end() && !request_.no_ack) {
        r.error = "final JobReply before the SubmitAck";
      } else if (it == job_ids_.end() && last_.job.job_id.empty()) {
        r.error = "final JobReply of an unnamed job";
      } else if (it != job_ids_.end() && it->second != last_.job.job_id) {
        r.error = "final JobReply names job " + last_.job.job_id + ", the ack named " + it->second;
      } else if (last_.job.state != fb::JobState::completed) {
        r.error = "job " + last_.job.job_id + " ended " +
                  std::string(litc::state_name(last_.job.state)) + ": " + last_.job.error_message;
      } else if (request_.verified && (last_.job.attestations.size() != 1 ||
                                       last_.job.attestations[0].signature.size() != 64)) {
        r.error = "verified job " + last_.job.job_id + " completed without its attestation";
      }
      if (it != job_ids_.end()) job_ids_.erase(it);
      r.output = last_.job.output;
      return r;
    }
    case Kind::error:
      job_ids_.erase(r.token);
      r.error = std::string(litc::error_name(last_.error.code)) + ": " + last_.error.message;
      return r;
    default:
      r.error = "unexpected reply kind to a Submit";
      return r;
  }
}

RawDriver::RawDriver(zmq::context_t& context, const std::string& frontend_endpoint, int timeout_ms)
    : socket_(context, zmq::socket_type::dealer) {
  // The options litc::Client sets on its DEALER, so the two drivers differ only in protocol.
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndtimeo, timeout_ms);
  socket_.connect(frontend_endpoint);
}

uint64_t RawDriver::send(std::string_view payload) {
  uint64_t token = next_token_++;
  zmq::message_t frame(sizeof token + payload.size());
  std::memcpy(frame.data(), &token, sizeof token);
  std::memcpy(static_cast<char*>(frame.data()) + sizeof token, payload.data(), payload.size());
  try {
    if (!socket_.send(frame, zmq::send_flags::none)) return 0;
  } catch (const zmq::error_t&) {
    return 0;
  }
  return token;
}

std::optional<Reply> RawDriver::poll(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    try {
      if (zmq::poll(&item, 1, std::max(left, std::chrono::milliseconds(0))) == 0) {
        if (Clock::now() >= deadline) return std::nullopt;
        continue;
      }
    } catch (const zmq::error_t&) {
      return std::nullopt;
    }
    if (!socket_.recv(last_, zmq::recv_flags::dontwait)) continue;
    Reply r;
    if (last_.more() || last_.size() < sizeof r.token) {
      r.error = "baseline reply is not one frame of at least 8 bytes";
      while (last_.more() && socket_.recv(last_, zmq::recv_flags::dontwait)) {
      }
      return r;
    }
    std::memcpy(&r.token, last_.data(), sizeof r.token);
    r.output = std::string_view(static_cast<const char*>(last_.data()) + sizeof r.token,
                                last_.size() - sizeof r.token);
    return r;
  }
}

}  // namespace litc::bench
