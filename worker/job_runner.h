// The worker's thread pool: runs assigned jobs, at most `threads` at once, and hands finished
// results back to the socket thread.
//
// DESIGN. Guarantees the worker's "exactly one Result per Assign" rests on:
//  - Every submitted job yields exactly one JobOutcome: its operation's result, `unknown_operation`
//    when this node lacks the operation, `cancelled` when cancelled before it started, `internal`
//    when the operation threw. Outcomes are never dropped while the runner lives.
//  - At most `threads` jobs run at once; the rest wait in a FIFO queue with no length limit,
//  because
//    the broker's credit flow control already bounds how many jobs it hands us (capacity) and
//    dropping one would break the guarantee above.
//  - Outcomes travel through a mutex-protected list plus an eventfd: the socket thread polls the fd
//    next to its ZeroMQ socket (zmq_poll takes raw fds), so pool threads never touch a socket
//    (sockets are not thread safe) and a result wakes the loop at once.
//  - Destroying the runner cancels running jobs, joins the threads and discards queued jobs and
//    untaken outcomes (shutdown without drain: the broker re-queues them).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "worker/operations/registry.h"
#include "worker/result_signer.h"

namespace litc {

// One assigned job. The input bytes stay inside the received Assign frame, which the job owns, so
// large inputs are never copied; `input()` is recomputed from an offset because moving a small
// zmq::message_t moves its inline bytes.
struct Job {
  std::string job_id;
  std::string operation;
  std::uint32_t attempt = 0;
  bool verified = false;  // sign the result (Assign.verified)
  zmq::message_t frame;
  std::size_t input_offset = 0;
  std::size_t input_size = 0;

  std::string_view input() const {
    return {static_cast<const char*>(frame.data()) + input_offset, input_size};
  }
  // For callers that have the bytes rather than a frame (tests, benchmarks).
  static Job from_bytes(std::string job_id, std::string operation, std::uint32_t attempt,
                        std::string_view input);
};

struct JobOutcome {
  std::string job_id;
  std::uint32_t attempt = 0;
  OperationResult result;
  std::string signature;  // verified jobs that succeeded: the node's signature of the result
};

class JobRunner {
 public:
  // `operations` (and `signer`, when given) must outlive the runner. `threads` >= 1. Without a
  // signer a verified job fails (the broker never sends one to a node that does not sign).
  JobRunner(const OperationRegistry& operations, std::size_t threads,
            const ResultSigner* signer = nullptr);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Queues the job; it starts as soon as a thread is free. Never blocks on a running job. A job
  // whose operation this node lacks is answered at once with `unknown_operation`.
  void submit(Job job);

  // Runs the job on the calling thread when its operation is quick and its input at most
  // `max_input_bytes`; then fills `out` and returns true. Otherwise returns false and the caller
  // submits it. Nothing is queued or counted: the job is over when this returns.
  bool try_run_inline(const Job& job, std::size_t max_input_bytes, JobOutcome& out) const;

  // Cancels `job_id` (any attempt when `attempt` is 0). A queued job is answered at once with
  // `cancelled`; a running one has its CancelToken set and answers when its operation returns.
  // Returns false when no such job is queued or running (it may have finished already).
  bool cancel(std::string_view job_id, std::uint32_t attempt);

  // Appends (job_id, attempt) of every job queued or running that was submitted before `cutoff`:
  // the jobs whose lease the socket thread renews with Progress.
  void held_since(std::chrono::steady_clock::time_point cutoff,
                  std::vector<std::pair<std::string, std::uint32_t>>& out) const;

  // Readable while outcomes wait to be taken; poll it next to the socket.
  int wake_fd() const { return wake_fd_; }

  // Moves every finished outcome into `out` (appending) and re-arms wake_fd. Returns how many.
  std::size_t take_finished(std::vector<JobOutcome>& out);

  std::size_t threads() const { return threads_.size(); }

 private:
  struct Queued {
    Job job;
    const Operation* op;  // looked up once, at submit
    std::chrono::steady_clock::time_point submitted_at;
  };
  // What a pool thread is doing, so cancel() can reach the token of a running job.
  struct Slot {
    const Job* job = nullptr;
    CancelToken* token = nullptr;
    std::chrono::steady_clock::time_point submitted_at;
  };

  void run_thread(std::size_t index);
  void finish(JobOutcome outcome);  // caller must not hold mutex_
  // Runs the operation: its result, signed when the job is verified.
  void run(const Operation& op, const Job& job, CancelToken& token, JobOutcome& out) const;

  const OperationRegistry& operations_;
  const ResultSigner* signer_;
  int wake_fd_ = -1;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable work_ready_;
  std::deque<Queued> queued_;
  std::vector<Slot> slots_;
  bool stopping_ = false;

  std::mutex finished_mutex_;  // separate so finishing never waits for a long queue scan
  std::vector<JobOutcome> finished_;

  std::vector<std::thread> threads_;  // last: started after everything they touch exists
};

}  // namespace litc
