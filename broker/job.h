// The broker's in-memory job and worker records, shared by JobTable, WorkerRegistry and Scheduler.
// Plain data with no I/O; sized with the 1M-queued-jobs target in mind (rare data lives elsewhere).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "schemas/common_generated.h"

namespace litc::broker {

using JobSlot = uint32_t;
using WorkerSlot = uint32_t;
using OperationId = uint16_t;
inline constexpr JobSlot kNoJob = std::numeric_limits<JobSlot>::max();
inline constexpr WorkerSlot kNoWorker = std::numeric_limits<WorkerSlot>::max();

struct Job {
  std::string id;
  std::string input;
  std::string result;   // output when completed, error message when failed/cancelled
  std::string node_id;  // worker holding (or last holding) the job
  uint64_t seq = 0;     // submit order: FIFO within a priority
  uint64_t submitted_at_ms = 0;
  uint64_t started_at_ms = 0;
  uint64_t completed_at_ms = 0;
  uint64_t lease_deadline_ms = 0;
  int32_t priority = 0;
  uint32_t attempt = 1;        // never reused, even across a replay: late results cannot match
  uint32_t attempt_floor = 0;  // attempts before the last replay; the budget counts from here
  uint32_t max_attempts = 1;
  uint32_t ttl_ms = 0;
  uint32_t timeout_ms = 0;
  uint32_t queue_gen = 0;  // bumps on every enqueue; stale ready-queue entries are skipped
  WorkerSlot worker = kNoWorker;
  OperationId op = 0;
  fb::ErrorCode error = fb::ErrorCode::unknown;
  fb::JobState state = fb::JobState::pending;
  bool dead_lettered = false;
  bool has_waiters = false;  // waiters live in Scheduler, keyed by slot
  bool verified = false;     // its result must be signed by its node; the rest in Verification

  bool finished() const {
    return state == fb::JobState::completed || state == fb::JobState::failed ||
           state == fb::JobState::cancelled;
  }
};

// Every queued job costs one Job in JobTable's std::deque, whose libstdc++ blocks hold
// 512 / sizeof(Job) = 2 jobs in a malloc of 2 * sizeof(Job): at 208 bytes that chunk is 432, at
// 216 it is 448 (+8 B per queued job), at 256 it is 528 (+48). The 1M-queued-jobs budget is 400
// B/job with ~385 used, so growing Job needs room found elsewhere first.
static_assert(sizeof(Job) <= 208, "Job grew: re-measure RSS per queued job (bench fill case)");

// A verified job's rarer data (kept by the Scheduler beside the Job, by slot).
struct Attestation {
  std::string node_id;
  std::string public_key;  // hex, as the node registered it
  std::string output_cid;
  std::string signature;  // 64 bytes
};
struct Verification {
  std::string input_cid;
  std::vector<Attestation> attestations;  // once completed: one per signer, in output order
};

// One job a worker holds: the slot is freed only by its Result or the worker's death.
// job_seq tells a live job from a later job that reuses the slot after eviction.
struct Assignment {
  JobSlot job;
  uint32_t attempt;
  uint64_t job_seq;
};

struct Worker {
  std::string routing_id;
  std::string node_id;
  std::string wallet_address;
  std::string public_key;
  std::vector<OperationId> operations;
  std::vector<Assignment> assigned;
  uint64_t last_seen_ms = 0;
  uint32_t max_concurrent = 1;
  uint32_t capacity = 1;  // max_concurrent, or less after Credit (0 = draining)
  int32_t reputation = 0;
  uint32_t share_index = 0;       // network-key share held (1..N), 0 = none
  bool signs_results = false;     // may take verified jobs: a usable key, and never caught forging
  uint64_t registered_order = 0;  // dispatch tie-break: the longest registered first
  bool online = false;

  uint32_t in_flight() const { return static_cast<uint32_t>(assigned.size()); }
  bool has_free_slot() const { return online && in_flight() < capacity; }
};

}  // namespace litc::broker
