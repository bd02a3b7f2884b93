// Scheduler: the broker's rules, with no socket in it. The broker loop feeds it decoded requests
// and worker messages and a clock; it answers with return values and with calls on a
// SchedulerOutput (send Assign, cancel on a worker, publish an event, send a final reply).
//
// DESIGN — what this class guarantees (tests/broker/scheduler_test.cc checks each point):
//  * Order: highest priority first, FIFO by submit order within a priority; a re-queued job goes to
//    the head of its priority.
//  * Placement: a job goes only to a worker whose operations include its operation and that has a
//    free slot (in flight < capacity <= maxConcurrentJobs); among those, fewest jobs in flight
//    first, then higher reputation (the network's: set_reputation; a node's Register says nothing
//    about it), then the longest registered.
//  * A worker slot is freed only by that worker's Result for the assignment, or by its death; so
//    a worker never holds more than its capacity, even while a cancelled job is still stopping.
//  * Failure: a worker silent for liveness x heartbeat interval, or that disconnects or is replaced
//    by a new registration of its node id, is dead; every job it held goes back to pending with
//    attempt + 1. An attempt without Result/Progress for lease_ms (when set) does the same. Past
//    max_attempts the job fails with max_attempts_exceeded and is dead-lettered.
//  * Timeouts: an attempt running longer than its timeout fails the job (`timeout`); a job still
//    pending ttl_ms after submit fails (`expired`); both are dead-lettered. Replay puts a
//    dead-lettered job back to pending with a fresh budget of max_attempts and the next attempt
//    number (attempt numbers are never reused, so a late result from before cannot complete it).
//  * Exactly-once completion record: only the Result for the job's current attempt from the worker
//    holding it completes the job; anything else is dropped and counted (stale_results, or
//    results_after_cancel for a job cancelled while running).
//  * Idempotent submit: a job id that exists returns the existing job (duplicate = true).
//  * Events: every state transition is exactly one job_event call (progress is an extra,
//    non-transition event); node changes are node_event calls.
//  * Quorum jobs (`decrypt`: T shares from distinct share holders) follow broker/quorum.h; their
//    parts live in scheduler_quorum.cc.
//  * Verified jobs (results signed by their node) follow broker/verification.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/job.h"
#include "broker/job_table.h"
#include "broker/quorum.h"
#include "broker/ready_queue.h"
#include "broker/verification.h"
#include "broker/worker_registry.h"
#include "schemas/events_generated.h"
#include "schemas/limits.h"

namespace litc::broker {

// `v` in base 36 (0-9a-z): how the broker names jobs compactly ("<epoch>-<seq>").
std::string base36(uint64_t v);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint64_t now_ms() const = 0;  // wall clock, ms since the Unix epoch
};

struct SchedulerOptions {
  std::vector<std::string> operations{"echo", "sha256", "sleep", "encrypt", "decrypt", "sign"};
  QuorumOptions quorum;
  // Operations whose input is a secret (encrypt: the plaintext; decrypt: the requester's authSig,
  // a bearer credential): the input is dropped the moment the job finishes, and such a job is
  // never dead-lettered (a replay would have no input; the requester submits again).
  std::vector<std::string> secret_input_operations{"encrypt", "decrypt"};
  // Operations whose results are always signed by their node and checked (verification.h).
  std::vector<std::string> verified_operations{"sign", "decrypt"};
  const ResultVerifier* result_verifier = nullptr;  // null: verified jobs are refused
  uint32_t heartbeat_interval_ms = 1000;
  uint32_t liveness = 3;
  uint32_t lease_ms = 30'000;  // 0 = no lease; workers send Progress for long jobs to renew it
  uint32_t default_timeout_ms = 300'000;
  uint32_t default_max_attempts = 3;
  uint32_t default_ttl_ms = 0;
  std::size_t max_queued_jobs = 1'000'000;
  std::size_t retain_finished = 100'000;
  std::size_t max_dead_letter = 100'000;
  std::size_t max_job_id_bytes = kMaxJobIdBytes;
  std::size_t max_node_id_bytes = kMaxNodeIdBytes;
  uint32_t max_attempts_limit = 100;
  uint32_t max_concurrent_limit = 1024;
};

// Who to send a final JobReply to when a job ends.
struct Waiter {
  std::string client;  // client routing id
  uint64_t request_id = 0;
};

class SchedulerOutput {
 public:
  virtual ~SchedulerOutput() = default;
  virtual void assign(const Worker& worker, const Job& job) = 0;
  virtual void cancel_on_worker(const Worker& worker, const Job& job, uint32_t attempt) = 0;
  virtual void disconnect_worker(const Worker& worker, std::string_view reason) = 0;
  virtual void job_event(fb::JobEventKind kind, const Job& job) = 0;
  virtual void node_event(fb::NodeEventKind kind, const Worker& worker) = 0;
  virtual void reply_final(const Waiter& waiter, const Job& job) = 0;
};

struct SchedulerCounters {
  uint64_t submitted_total = 0;
  uint64_t duplicate_submits = 0;
  uint64_t requeued_total = 0;
  uint64_t stale_results = 0;
  uint64_t results_after_cancel = 0;
  uint64_t queue_full_rejections = 0;
  uint64_t workers_expired = 0;
  uint64_t invalid_shares = 0;         // decrypt shares that failed the verifier
  uint64_t invalid_signatures = 0;     // verified results whose signature failed
  std::array<uint64_t, 6> by_state{};  // jobs in the table by fb::JobState (retained finished ones)

  uint64_t in(fb::JobState s) const { return by_state[static_cast<std::size_t>(s)]; }
};

struct SubmitArgs {
  std::string_view job_id;  // empty: the scheduler names the job
  std::string_view operation;
  std::string_view input;
  int32_t priority = 0;
  uint32_t max_attempts = 0;  // 0 = default
  uint32_t ttl_ms = 0;        // 0 = default
  uint32_t timeout_ms = 0;    // 0 = default
  bool verified = false;      // also when false, verified_operations are verified
};

struct RegisterArgs {
  std::string_view routing_id;
  std::string_view node_id;
  std::string_view wallet_address;
  std::string_view public_key;
  std::vector<std::string_view> operations;
  uint32_t max_concurrent = 1;
  uint32_t share_index = 0;      // network-key share the node holds; 0 = none
  std::string_view share_proof;  // proof of holding it, checked by the quorum verifier
  bool signs_results = false;    // can sign results with public_key's secret key
  std::string_view key_proof;    // with signs_results: the proof of it (verification.h)
};

struct ResultArgs {
  std::string_view job_id;
  uint32_t attempt = 0;
  bool ok = false;
  std::string_view output;
  fb::ErrorCode error = fb::ErrorCode::operation_failed;
  std::string_view error_message;
  std::string_view signature;  // verified jobs: over the result statement (verification.h)
};

// The answer to a request: the job it concerns, or an error code and a static reason.
struct Outcome {
  JobSlot slot = kNoJob;
  fb::ErrorCode error = fb::ErrorCode::unknown;
  const char* message = "";
  bool duplicate = false;
  bool ok() const { return error == fb::ErrorCode::unknown; }
  static Outcome fail(fb::ErrorCode code, const char* why) { return {kNoJob, code, why, false}; }
};

// rejected: a verified job's result whose signature failed (the job was re-queued).
enum class ResultVerdict { accepted, stale, after_cancel, unknown_worker, rejected };

class Scheduler {
 public:
  Scheduler(SchedulerOptions options, const Clock& clock, SchedulerOutput& out,
            std::string id_prefix = "job");

  // --- clients ---
  Outcome submit(const SubmitArgs& args, const Waiter* waiter = nullptr);
  Outcome cancel(std::string_view job_id);
  Outcome replay(std::string_view job_id, const Waiter* waiter = nullptr);
  JobSlot find(std::string_view job_id) const { return jobs_.find(job_id); }
  const Job& job(JobSlot slot) const { return jobs_.at(slot); }
  std::vector<JobSlot> dead_letters(std::size_t limit) const { return jobs_.dead_letters(limit); }
  // A verified job's input CID and attestations; null for other jobs.
  const Verification* verification(JobSlot slot) const;

  // --- workers ---
  Outcome register_worker(const RegisterArgs& args);
  // Any message from a worker: refreshes liveness. False when the routing id is not registered.
  bool touch(std::string_view routing_id);
  bool set_capacity(std::string_view routing_id, uint32_t capacity);
  // The network's judgement of a node (never what the node says of itself): the tie-breaker among
  // equally loaded workers. False when no worker of that node id is online.
  bool set_reputation(std::string_view node_id, int32_t reputation);
  bool progress(std::string_view routing_id, std::string_view job_id, uint32_t attempt);
  ResultVerdict result(std::string_view routing_id, const ResultArgs& args);
  bool disconnect(std::string_view routing_id);

  // Expire workers, leases, timeouts and TTLs that are due; then dispatch.
  void tick();

  const SchedulerCounters& counters() const { return counters_; }
  const SchedulerOptions& options() const { return options_; }
  std::string_view operation_name(OperationId op) const { return options_.operations[op]; }
  std::size_t workers_online() const { return workers_.online_count(); }
  const WorkerRegistry& workers() const { return workers_; }
  const JobTable& jobs() const { return jobs_; }
  std::size_t deadline_count() const { return deadlines_.size(); }
  uint64_t heartbeat_expiry_ms() const {
    return uint64_t{options_.heartbeat_interval_ms} * options_.liveness;
  }

 private:
  enum class DeadlineKind : uint8_t { lease, timeout, ttl, quorum_wait };
  struct Deadline {
    uint64_t at_ms;
    uint64_t job_seq;
    JobSlot slot;
    uint32_t attempt;
    DeadlineKind kind;
    bool operator>(const Deadline& o) const { return at_ms > o.at_ms; }
  };

  int find_operation(std::string_view name) const;
  void set_state(Job& job, fb::JobState state);
  void enqueue(JobSlot slot, bool front);
  void dispatch();
  void dispatch_ready();
  void assign(JobSlot slot, WorkerSlot worker);
  // scheduler_quorum.cc
  bool is_quorum(const Job& job) const { return static_cast<int>(job.op) == quorum_op_; }
  void start_quorum(JobSlot slot);
  void queue_quorum(JobSlot slot);
  void dispatch_quorums();
  void assign_part(JobSlot slot, WorkerSlot worker);
  ResultVerdict quorum_result(WorkerSlot ws, JobSlot slot, bool held, const ResultArgs& a);
  void lose_part(JobSlot slot, WorkerSlot ws);
  void end_quorum(JobSlot slot);
  void on_quorum_wait(JobSlot slot);
  void requeue_or_fail(JobSlot slot, std::string_view why =
                                         "the job was re-queued max_attempts times (its "
                                         "workers died or its lease expired)");
  ResultVerdict drop_result(bool held, const Job* job);
  // verified jobs: the attestation of `output` by worker `ws`, or nullopt when its signature fails
  std::optional<Attestation> attest(JobSlot slot, WorkerSlot ws, const ResultArgs& a) const;
  void distrust(WorkerSlot ws);
  void fail(JobSlot slot, fb::ErrorCode code, std::string_view message, bool dead_letter);
  void finish(JobSlot slot);
  void expire_worker(WorkerSlot slot);
  bool release_assignment(Worker& worker, WorkerSlot ws, JobSlot job, uint32_t attempt);
  void on_deadline(const Deadline& d);
  bool deadline_live(const Deadline& d) const;
  void push_deadline(const Deadline& d);
  void add_waiter(JobSlot slot, const Waiter& waiter);

  SchedulerOptions options_;
  const Clock& clock_;
  SchedulerOutput& out_;
  std::string id_prefix_;
  JobTable jobs_;
  WorkerRegistry workers_;
  std::vector<ReadyQueue> ready_;          // per operation
  std::vector<ReadyQueue> ready_signing_;  // per operation: verified jobs (signing workers only)
  std::size_t signing_entries_ = 0;        // entries in ready_signing_, stale ones included
  // A min-heap (std::push_heap with std::greater). Entries of jobs that finished early stay until
  // due; push_deadline compacts when they outnumber the live ones, so memory follows live jobs.
  std::vector<Deadline> deadlines_;
  // The first waiter lives in the map node itself: one allocation per waited-for job instead of a
  // node plus a vector buffer. `more` holds the rare extra ones (duplicate submits with wait).
  struct Waiters {
    Waiter first;
    std::vector<Waiter> more;
  };
  std::unordered_map<JobSlot, Waiters> waiters_;
  SchedulerCounters counters_;
  std::vector<bool> secret_input_;  // by operation id, from options_.secret_input_operations
  std::vector<bool> verified_op_;   // by operation id, from options_.verified_operations
  std::unordered_map<JobSlot, Verification> verifications_;
  int quorum_catalogue_op_ = -1;  // the quorum operation's id in the catalogue (-1: not in it)
  int quorum_op_ = -1;  // the same, only when this broker has a network key to run it with
  std::unordered_map<JobSlot, Quorum> quorums_;
  std::vector<JobSlot> quorum_queue_;  // quorum jobs that need parts, in dispatch order
  uint64_t next_seq_ = 0;
  uint32_t next_queue_gen_ = 0;
};

}  // namespace litc::broker
