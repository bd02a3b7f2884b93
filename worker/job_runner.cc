// JobRunner: the pool threads, the FIFO of waiting jobs and the eventfd that wakes the socket
// thread (see the DESIGN paragraph in job_runner.h).
#include "worker/job_runner.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <system_error>

namespace litc {

Job Job::from_bytes(std::string job_id, std::string operation, std::uint32_t attempt,
                    std::string_view input) {
  Job job;
  job.job_id = std::move(job_id);
  job.operation = std::move(operation);
  job.attempt = attempt;
  job.frame = zmq::message_t(input);
  job.input_offset = 0;
  job.input_size = input.size();
  return job;
}

JobRunner::JobRunner(const OperationRegistry& operations, std::size_t threads,
                     const ResultSigner* signer)
    : operations_(operations), signer_(signer) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  if (threads == 0) threads = 1;
  slots_.resize(threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run_thread(i); });
}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (Slot& slot : slots_) {
      if (slot.token != nullptr) slot.token->cancel();
    }
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) t.join();
  ::close(wake_fd_);
}

void JobRunner::submit(Job job) {
  const Operation* op = operations_.find(job.operation);
  if (op == nullptr) {
    // Answered at once rather than behind long-running jobs: nothing to wait for.
    std::string message = "this worker does not run operation '" + job.operation + "'";
    finish(
        JobOutcome{std::move(job.job_id),
                   job.attempt,
                   OperationResult::failure(fb::ErrorCode::unknown_operation, std::move(message)),
                   {}});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(Queued{std::move(job), op, std::chrono::steady_clock::now()});
  }
  work_ready_.notify_one();
}

bool JobRunner::try_run_inline(const Job& job, std::size_t max_input_bytes, JobOutcome& out) const {
  if (job.input_size > max_input_bytes || !operations_.quick(job.operation)) return false;
  const Operation* op = operations_.find(job.operation);
  if (op == nullptr) return false;
  CancelToken token;
  out.job_id = job.job_id;
  out.attempt = job.attempt;
  run(*op, job, token, out);
  return true;
}

// An operation should report errors as values; a throw is a bug, reported as `internal` rather
// than taking the whole node (and every other running job) down.
void JobRunner::run(const Operation& op, const Job& job, CancelToken& token,
                    JobOutcome& out) const {
  try {
    out.result = op(job.input(), token);
  } catch (const std::exception& e) {
    out.result = OperationResult::failure(fb::ErrorCode::internal,
                                          std::string("operation threw: ") + e.what());
  } catch (...) {
    out.result = OperationResult::failure(fb::ErrorCode::internal, "operation threw");
  }
  if (!job.verified || !out.result.ok) return;
  if (signer_ == nullptr) {
    out.result = OperationResult::failure(fb::ErrorCode::invalid_argument,
                                          "a verified job, but this node has no --node-key");
    return;
  }
  out.signature =
      signer_->sign(job.job_id, job.attempt, job.operation, job.input(), out.result.output);
}

bool JobRunner::cancel(std::string_view job_id, std::uint32_t attempt) {
  auto matches = [&](const Job& job) {
    return job.job_id == job_id && (attempt == 0 || job.attempt == attempt);
  };
  std::vector<JobOutcome> cancelled_queued;
  bool found = false;
  {
    std::lock_guard lock(mutex_);
    for (auto it = queued_.begin(); it != queued_.end();) {
      if (matches(it->job)) {
        cancelled_queued.push_back(
            {std::move(it->job.job_id),
             it->job.attempt,
             OperationResult::failure(fb::ErrorCode::cancelled, "job cancelled before it started"),
             {}});
        it = queued_.erase(it);
        found = true;
      } else {
        ++it;
      }
    }
    for (Slot& slot : slots_) {
      if (slot.job != nullptr && matches(*slot.job)) {
        slot.token->cancel();
        found = true;
      }
    }
  }
  for (JobOutcome& outcome : cancelled_queued) finish(std::move(outcome));
  return found;
}

void JobRunner::held_since(std::chrono::steady_clock::time_point cutoff,
                           std::vector<std::pair<std::string, std::uint32_t>>& out) const {
  std::lock_guard lock(mutex_);
  for (const Queued& q : queued_) {
    if (q.submitted_at < cutoff) out.emplace_back(q.job.job_id, q.job.attempt);
  }
  for (const Slot& slot : slots_) {
    if (slot.job != nullptr && slot.submitted_at < cutoff) {
      out.emplace_back(slot.job->job_id, slot.job->attempt);
    }
  }
}

std::size_t JobRunner::take_finished(std::vector<JobOutcome>& out) {
  // Re-arm before taking: an outcome finished after this read writes the fd again, so none is
  // left without a wake-up (a spurious wake-up with nothing to take is harmless).
  std::uint64_t ignored = 0;
  [[maybe_unused]] ssize_t n = ::read(wake_fd_, &ignored, sizeof ignored);
  std::lock_guard lock(finished_mutex_);
  const std::size_t taken = finished_.size();
  for (JobOutcome& outcome : finished_) out.push_back(std::move(outcome));
  finished_.clear();
  return taken;
}

void JobRunner::finish(JobOutcome outcome) {
  bool was_empty = false;
  {
    std::lock_guard lock(finished_mutex_);
    was_empty = finished_.empty();
    finished_.push_back(std::move(outcome));
  }
  // One write per batch: while outcomes wait untaken the fd is already readable.
  if (was_empty) {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

void JobRunner::run_thread(std::size_t index) {
  for (;;) {
    Job job;
    const Operation* op = nullptr;
    CancelToken token;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      if (stopping_) return;
      Queued& next = queued_.front();
      job = std::move(next.job);
      op = next.op;
      slots_[index] = Slot{&job, &token, next.submitted_at};
      queued_.pop_front();
    }

    JobOutcome outcome;
    outcome.attempt = job.attempt;
    run(*op, job, token, outcome);
    {
      std::lock_guard lock(mutex_);
      slots_[index] = Slot{};  // before `job` and `token` go out of scope
    }
    outcome.job_id = std::move(job.job_id);
    finish(std::move(outcome));
  }
}

}  // namespace litc
