// WorkerNode: a litcompute node's socket loop — registration, Assign/Cancel handling, heartbeats,
// reconnects and draining — around a JobRunner that does the work.
//
// DESIGN. What the broker can rely on (schemas/PROTOCOL.md "Worker <-> broker"):
//  - Exactly one Result per Assign, also for cancelled jobs, jobs of an operation this node lacks
//    (`unknown_operation`) and Assigns that arrive while draining (`cancelled`, "worker draining").
//    Results of jobs that outlive their socket are sent on the next one (the broker drops stale
//    ones); they are lost only when the process exits while no broker is reachable.
//  - Every frame is decoded with the verifier before use; a bad frame is logged (bounded hex
//    prefix), counted in WorkerProbe::bad_frames and ignored. Nothing a peer sends can stop the
//    loop.
//  - Lease renewal: once per heartbeat interval every job held longer than one interval (queued or
//    running) gets a Progress, so a broker running with --lease-ms does not re-queue a long job
//    that is alive. Short jobs (the hot path) never cost a Progress.
//  - Paranoid Pirate: a Heartbeat goes out when nothing else was sent for one interval (after
//    RegisterAck); a broker silent for liveness x interval gets the socket closed and, after an
//    exponential backoff (reconnect-min doubling to reconnect-max, reset by RegisterAck), a NEW
//    DEALER registers again. Disconnect from the broker (e.g. not_registered after a broker
//    restart) re-registers at once when this socket had been acknowledged, else after the backoff.
//  - Drain (StopRequest::drain): Credit{0}, no new jobs, running and queued jobs finish and their
//    Results go out, then Disconnect{"draining"} and run() returns true. StopRequest::now leaves at
//    once with Disconnect{"stopped"}; the broker re-queues what was running.
//  - Only the thread calling run() touches the socket and the FlatBufferBuilder (reused for every
//    frame); pool threads hand results over through JobRunner.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "protocol/codec.h"
#include "worker/job_runner.h"
#include "worker/operations/registry.h"

namespace litc {

struct WorkerOptions {
  std::string broker_endpoint = "tcp://127.0.0.1:5556";
  std::string node_id;  // required
  std::uint32_t max_concurrent = 1;
  std::chrono::milliseconds heartbeat_interval{1000};  // until RegisterAck says otherwise
  std::uint32_t liveness = 3;                          // until RegisterAck says otherwise
  std::chrono::milliseconds reconnect_min{250};
  std::chrono::milliseconds reconnect_max{8000};
  std::string wallet_address;  // empty: a node that is not paid
  std::string public_key;
  // Signs verified jobs' results with the key of public_key (from --node-key); announced in
  // Register as signs_results. Must outlive the node. Null: the broker sends no verified jobs.
  const ResultSigner* signer = nullptr;
  std::uint32_t share_index = 0;  // network-key share held (from --key-share), 0 = none
  std::string share_proof;        // proof of holding it for this node id (prove_share_possession)
  // Of this node's --network-key; a broker announcing another key in RegisterAck stops the node.
  std::string network_key_fingerprint;
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  // Quick operations (echo, sha256) with inputs up to this many bytes run on the socket thread;
  // 0 sends every job through the pool.
  std::size_t inline_max_bytes = 16 * 1024;
};

// Set from another thread (the signal watcher in main.cc, or a test); read every poll (<= 100 ms).
struct StopRequest {
  std::atomic<bool> drain{false};  // finish running jobs, then leave
  std::atomic<bool> now{false};    // leave at once; the broker re-queues what was running
};

// Counters of this process (its probe). Atomics so a test or a metrics reader on another thread can
// read them while run() updates them.
struct WorkerProbe {
  std::atomic<std::uint64_t> registrations{0};  // Register frames sent (first one included)
  std::atomic<std::uint64_t> reconnects{0};     // new sockets after silence or Disconnect
  std::atomic<std::uint64_t> register_acks{0};
  std::atomic<std::uint64_t> jobs_assigned{0};  // Assigns handed to the pool
  std::atomic<std::uint64_t> results_sent{0};
  std::atomic<std::uint64_t> heartbeats_sent{0};
  std::atomic<std::uint64_t> progress_sent{0};
  std::atomic<std::uint64_t> bad_frames{0};     // failed decode, wrong frame count, unknown body
  std::atomic<std::uint64_t> broker_errors{0};  // WorkerError received
  std::atomic<std::uint64_t> send_failures{
      0};  // send queue full (HWM); the broker's lease re-queues
};

class WorkerNode {
 public:
  // `context` and `operations` must outlive the node. Throws on a bad option (start-up only).
  WorkerNode(zmq::context_t& context, WorkerOptions options, const OperationRegistry& operations);
  ~WorkerNode();
  WorkerNode(const WorkerNode&) = delete;
  WorkerNode& operator=(const WorkerNode&) = delete;

  // Runs the socket loop until `stop` asks to leave. Returns true after a complete drain, false
  // when stopped at once (StopRequest::now).
  bool run(const StopRequest& stop);

  const WorkerProbe& probe() const { return probe_; }

 private:
  using Clock = std::chrono::steady_clock;

  void open_socket();
  void close_socket(std::chrono::milliseconds linger);
  void schedule_reconnect(Clock::time_point now, const char* why);
  std::chrono::milliseconds poll_timeout(Clock::time_point now) const;

  void read_broker();
  void handle(const fb::BrokerMessage& msg, zmq::message_t& frame);
  void on_register_ack(const fb::RegisterAck& ack);
  void on_assign(const fb::Assign& assign, zmq::message_t& frame);
  void on_disconnect(const fb::Disconnect& disconnect);
  void on_timers(Clock::time_point now);

  void collect_results();
  void flush_results();
  void begin_drain();

  bool send_register();
  bool send_credit(std::uint32_t capacity);
  bool send_heartbeat();
  void send_progress(Clock::time_point now);
  bool send_disconnect(std::string_view reason);
  bool send_result(const JobOutcome& outcome);
  bool send_built(fb::WorkerMessageBody type, flatbuffers::Offset<void> body);
  bool send_finished();  // sends what builder_ holds and clears it

  zmq::context_t& context_;
  const WorkerOptions options_;
  const std::vector<std::string> operation_names_;
  WorkerProbe probe_;
  JobRunner runner_;

  flatbuffers::FlatBufferBuilder builder_{1024};
  std::optional<zmq::socket_t> socket_;
  std::uint64_t socket_generation_ = 0;  // tells read_broker the socket was replaced under it

  // Paranoid Pirate state; interval and liveness become the broker's after RegisterAck.
  std::chrono::milliseconds heartbeat_interval_;
  std::uint32_t liveness_;
  bool acknowledged_ = false;  // RegisterAck received on the current socket
  bool key_mismatch_ = false;  // the broker announced another network key: stop
  std::uint64_t broker_epoch_ = 0;
  Clock::time_point last_heard_{};
  Clock::time_point last_sent_{};
  Clock::time_point last_progress_{};
  std::vector<std::pair<std::string, std::uint32_t>> held_;  // reused by send_progress
  Clock::time_point reconnect_at_{};
  std::chrono::milliseconds reconnect_delay_;

  std::size_t in_flight_ = 0;  // Assigns handed to the runner whose outcome is not yet taken
  std::vector<JobOutcome> unsent_results_;  // taken from the runner, waiting for a socket
  bool draining_ = false;
};

}  // namespace litc
