// The two drivers of the load loop (load.h): LitcDriver speaks our protocol through litc::Client
// (pipelined send_submit + poll, Submit with wait = true and no_ack: the final JobReply is the one
// reply, as in the baseline; with submit_ack, a SubmitAck then the final JobReply);
// RawDriver speaks to the raw baseline with bare DEALER frames [8-byte token][payload].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <zmq.hpp>

#include "bench/load.h"
#include "protocol/client.h"

namespace litc::bench {

class LitcDriver {
 public:
  LitcDriver(zmq::context_t& context, const std::string& clients_endpoint, int timeout_ms,
             bool submit_ack, std::string operation = "echo", bool verified = false);

  uint64_t send(std::string_view payload);
  // SubmitAck: checked (a new pending/active job), its job id noted, final = false. Final
  // JobReply: state completed and, with acks, the ack's job id (without: a named job); final =
  // true. The load loop checks the output against the request's own payload either way.
  std::optional<Reply> poll(int timeout_ms);

  // For the blocking calls around a run (stats) and for submits without wait (the fill case).
  litc::Client& client() { return client_; }

 private:
  litc::Client client_;
  litc::SubmitRequest request_;
  std::unordered_map<uint64_t, std::string> job_ids_;  // request id -> job id from its ack
  litc::ClientReplyInfo last_;                         // owns the output Reply points into
};

class RawDriver {
 public:
  RawDriver(zmq::context_t& context, const std::string& frontend_endpoint, int timeout_ms);

  uint64_t send(std::string_view payload);
  std::optional<Reply> poll(int timeout_ms);

 private:
  zmq::socket_t socket_;
  uint64_t next_token_ = 1;
  zmq::message_t last_;  // owns the output Reply points into
};

}  // namespace litc::bench
