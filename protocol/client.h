// The C++ client of the broker's clients socket: used by the `litc` CLI, the bench and the tests.
// Blocking calls for one-off requests, plus a pipelined send/poll pair for load generators.
// Never throws on peer input or timeouts: every call returns a ClientResult.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>
#include <zmq.hpp>

#include "protocol/codec.h"

namespace litc {

struct ClientOptions {
  std::string broker = "tcp://127.0.0.1:5555";
  // Bound on each wait for a reply (and on queueing a request); then ErrorCode::timeout.
  // Negative: wait forever.
  int timeout_ms = 5000;
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
};

struct SubmitRequest {
  std::string job_id;  // empty: the broker assigns one
  std::string operation;
  std::string input;  // bytes
  int32_t priority = 0;
  uint32_t max_attempts = 0;  // 0: broker default
  uint32_t ttl_ms = 0;
  uint32_t timeout_ms = 0;
  bool wait = false;  // ask for a final JobReply when the job ends
  // With wait, and through send_submit only: skip the SubmitAck, so the final JobReply (or an
  // Error) is the one reply. For pipelined load that needs only results: one message per job
  // instead of two. The blocking submit calls ignore it (they report the ack).
  bool no_ack = false;
  // Ask for a result signed by its node and checked by the broker (schemas/PROTOCOL.md
  // "Verified results"); `sign` and `decrypt` are verified whatever this says.
  bool verified = false;
};

// An owned copy of fb::ResultAttestation: a node's signature over a verified result.
struct AttestationInfo {
  std::string node_id;
  std::string public_key;  // 64 hex
  std::string output_cid;
  std::string signature;  // 64 bytes

  bool operator==(const AttestationInfo&) const = default;
  static AttestationInfo from(const fb::ResultAttestation& a);
};

// An owned copy of fb::JobRecord.
struct JobInfo {
  std::string job_id;
  std::string operation;
  fb::JobState state = fb::JobState::unknown;
  int32_t priority = 0;
  uint32_t attempt = 0;
  uint32_t max_attempts = 0;
  std::string node_id;
  std::string output;
  fb::ErrorCode error_code = fb::ErrorCode::unknown;
  std::string error_message;
  uint64_t submitted_at_ms = 0;
  uint64_t started_at_ms = 0;
  uint64_t completed_at_ms = 0;
  uint32_t ttl_ms = 0;
  uint32_t timeout_ms = 0;
  bool dead_lettered = false;
  uint32_t input_size = 0;
  bool verified = false;
  std::string input_cid;                      // verified jobs
  std::vector<AttestationInfo> attestations;  // completed verified jobs
  // CIDv1 of output (protocol/cid.h); not on the wire: filled by whoever serves the job to the web.
  std::string output_cid;

  bool finished() const {
    return state == fb::JobState::completed || state == fb::JobState::failed ||
           state == fb::JobState::cancelled;
  }
  static JobInfo from(const fb::JobRecord& r);
};

// An owned copy of fb::BrokerStats, by name, in schema order (for printing and /metrics later).
struct BrokerStatsInfo {
  std::vector<std::pair<std::string, uint64_t>> counters;
  uint64_t get(std::string_view name) const;  // 0 when absent
  static BrokerStatsInfo from(const fb::BrokerStats& s);
};

struct ClientError {
  fb::ErrorCode code = fb::ErrorCode::unknown;  // ErrorCode::timeout when the broker did not answer
  std::string message;
};

template <class T>
class ClientResult {
 public:
  ClientResult(T value) : v_(std::move(value)) {}
  ClientResult(ClientError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const ClientError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ClientError> v_;
};

struct SubmitAckInfo {
  JobInfo job;
  bool duplicate = false;
};

// One reply as the pipelined API sees it.
struct ClientReplyInfo {
  uint64_t request_id = 0;
  enum class Kind { submit_ack, job, stats, job_list, error } kind = Kind::error;
  JobInfo job;  // submit_ack, job
  bool duplicate = false;
  bool final = false;  // job
  std::vector<JobInfo> jobs;
  BrokerStatsInfo stats;
  ClientError error;
};

// Not thread-safe: one Client per thread (it owns one DEALER socket). An endpoint that cannot be
// connected (a typo, an unknown transport) does not throw: every blocking call then returns
// ErrorCode::invalid_argument naming it.
class Client {
 public:
  explicit Client(ClientOptions options, zmq::context_t* context = nullptr);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  ClientResult<SubmitAckInfo> submit(const SubmitRequest& request);
  // Submits with wait = true and blocks until the final JobReply (or wait_timeout_ms).
  ClientResult<JobInfo> submit_and_wait(SubmitRequest request, int wait_timeout_ms);
  ClientResult<JobInfo> status(std::string_view job_id);
  ClientResult<JobInfo> cancel(std::string_view job_id);
  // With wait = true this returns the ack (the job back in pending); the final JobReply then
  // arrives through poll(). Use replay_and_wait to block for it instead.
  ClientResult<JobInfo> replay(std::string_view job_id, bool wait = false);
  // Replays with wait = true and blocks until the final JobReply (or wait_timeout_ms).
  ClientResult<JobInfo> replay_and_wait(std::string_view job_id, int wait_timeout_ms);
  ClientResult<std::vector<JobInfo>> dead_letters(uint32_t limit = 0);
  ClientResult<BrokerStatsInfo> stats();

  // Pipelined use: send many, then poll replies. send_* returns the request id, or 0 when the
  // request could not be queued within options.timeout_ms (the send queue to the broker is full).
  uint64_t send_submit(const SubmitRequest& request);
  uint64_t send_status(std::string_view job_id);
  uint64_t send_cancel(std::string_view job_id);
  uint64_t send_replay(std::string_view job_id, bool wait = false);
  uint64_t send_dead_letters(uint32_t limit = 0);
  uint64_t send_stats();
  // Sends an arbitrary raw frame (tests of malformed input).
  void send_raw(const void* data, std::size_t size);
  // Next reply within timeout_ms, or nullopt. A reply that does not decode becomes an error reply
  // with request_id 0 (so does the broker's Error for a request it could not decode).
  std::optional<ClientReplyInfo> poll(int timeout_ms);

  const ClientOptions& options() const { return options_; }

  zmq::socket_t& socket() { return socket_; }

 private:
  // Waits for the reply to request_id (stashing replies to other ids). A reply with request_id 0
  // (a frame the broker or we could not decode) is taken as the answer: it can only be ours.
  // On timeout the id is abandoned with `replies` late replies still expected (2 for an ack of a
  // request sent with wait = true).
  ClientResult<ClientReplyInfo> request(uint64_t request_id, int timeout_ms, int replies = 1);
  // Finishes a ClientRequest around `body` in builder_ and queues it; 0 when it could not be
  // queued.
  uint64_t send_request(fb::ClientRequestBody type, flatbuffers::Offset<void> body);
  uint64_t send_submit(const SubmitRequest& request, bool no_ack);
  // The reply to a request that could not be sent (setup error or full send queue).
  ClientError send_failure() const;
  // One reply from the socket (the stash is not consulted); drops replies to abandoned requests.
  std::optional<ClientReplyInfo> receive(int timeout_ms);
  // Blocks for the final JobReply of a Submit/Replay sent with wait = true whose ack was `ack`.
  ClientResult<JobInfo> wait_final(uint64_t request_id, const JobInfo& ack, int wait_timeout_ms);
  ClientResult<JobInfo> expect_job(uint64_t request_id, const char* what, int replies = 1);

  ClientOptions options_;
  std::optional<zmq::context_t> own_context_;
  zmq::socket_t socket_;
  flatbuffers::FlatBufferBuilder builder_;
  uint64_t next_request_id_ = 1;
  std::vector<ClientReplyInfo> stash_;  // replies that arrived while waiting for another id
  // Requests a blocking call gave up on (timed out, or returned early) -> how many replies may
  // still arrive for them; those late replies are dropped instead of piling up in stash_.
  std::unordered_map<uint64_t, int> abandoned_;
  std::optional<ClientError> setup_error_;  // the endpoint could not be connected
};

}  // namespace litc
