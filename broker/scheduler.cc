// Scheduler: the broker's rules (see the DESIGN paragraph in scheduler.h).
#include "broker/scheduler.h"

#include <algorithm>

namespace litc::broker {
namespace {

// Short ids fit in std::string's inline buffer (15 bytes): no allocation per broker-named job.
void append_base36(std::string& out, uint64_t v) {
  char buf[16];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
    v /= 36;
  } while (v);
  while (n) out.push_back(buf[--n]);
}

}  // namespace

std::string base36(uint64_t v) {
  std::string s;
  append_base36(s, v);
  return s;
}

Scheduler::Scheduler(SchedulerOptions options, const Clock& clock, SchedulerOutput& out,
                     std::string id_prefix)
    : options_(std::move(options)),
      clock_(clock),
      out_(out),
      id_prefix_(std::move(id_prefix)),
      jobs_(options_.retain_finished, options_.max_dead_letter,
            [this](JobSlot slot, const Job& job) {
              --counters_.by_state[static_cast<std::size_t>(job.state)];
              if (job.verified) verifications_.erase(slot);
            }),
      workers_(options_.operations.size()),
      ready_(options_.operations.size()),
      ready_signing_(options_.operations.size()) {
  quorum_catalogue_op_ = find_operation(options_.quorum.operation);
  if (options_.quorum.threshold > 0) quorum_op_ = quorum_catalogue_op_;
  secret_input_.assign(options_.operations.size(), false);
  for (const std::string& name : options_.secret_input_operations) {
    if (int op = find_operation(name); op >= 0) secret_input_[op] = true;
  }
  verified_op_.assign(options_.operations.size(), false);
  for (const std::string& name : options_.verified_operations) {
    if (int op = find_operation(name); op >= 0) verified_op_[op] = true;
  }
}

const Verification* Scheduler::verification(JobSlot slot) const {
  if (slot == kNoJob || !jobs_.at(slot).verified) return nullptr;
  auto it = verifications_.find(slot);
  return it == verifications_.end() ? nullptr : &it->second;
}

int Scheduler::find_operation(std::string_view name) const {
  for (std::size_t i = 0; i < options_.operations.size(); ++i) {
    if (options_.operations[i] == name) return static_cast<int>(i);
  }
  return -1;
}

void Scheduler::set_state(Job& job, fb::JobState state) {
  --counters_.by_state[static_cast<std::size_t>(job.state)];
  ++counters_.by_state[static_cast<std::size_t>(state)];
  job.state = state;
}

// ---------------------------------------------------------------- clients

Outcome Scheduler::submit(const SubmitArgs& a, const Waiter* waiter) {
  if (!a.job_id.empty()) {
    if (a.job_id.size() > options_.max_job_id_bytes || !valid_job_id(a.job_id)) {
      return Outcome::fail(fb::ErrorCode::invalid_argument,
                           "job id must be 1..128 characters of A-Z a-z 0-9 . _ : -");
    }
    JobSlot existing = jobs_.find(a.job_id);
    if (existing != kNoJob) {
      ++counters_.duplicate_submits;
      if (waiter && !jobs_.at(existing).finished()) add_waiter(existing, *waiter);
      return {existing, fb::ErrorCode::unknown, "", true};
    }
  }
  if (a.operation.empty()) {
    return Outcome::fail(fb::ErrorCode::invalid_argument, "operation is required");
  }
  int op = find_operation(a.operation);
  if (op < 0) {
    return Outcome::fail(fb::ErrorCode::unknown_operation,
                         "operation is not in this broker's catalogue (--operations)");
  }
  if (op == quorum_catalogue_op_ && quorum_op_ < 0) {
    return Outcome::fail(fb::ErrorCode::invalid_argument,
                         "this broker has no --network-key, so it cannot check decrypt shares");
  }
  const bool verified = a.verified || verified_op_[op];
  if (verified && secret_input_[op] && op != quorum_catalogue_op_) {
    return Outcome::fail(fb::ErrorCode::invalid_argument,
                         "this operation cannot be verified: the record would carry a hash of its "
                         "secret input");
  }
  if (verified && options_.result_verifier == nullptr) {
    return Outcome::fail(fb::ErrorCode::invalid_argument,
                         "this broker cannot check signed results, so it refuses verified jobs");
  }
  if (a.max_attempts > options_.max_attempts_limit) {
    return Outcome::fail(fb::ErrorCode::invalid_argument, "max_attempts above the limit (100)");
  }
  if (counters_.in(fb::JobState::pending) >= options_.max_queued_jobs) {
    ++counters_.queue_full_rejections;
    return Outcome::fail(fb::ErrorCode::queue_full,
                         "the broker holds --max-queued-jobs pending jobs; retry later");
  }

  uint64_t now = clock_.now_ms();
  // Filled in place: the slot's buffers from its last job are reused (JobTable::acquire).
  const JobSlot slot = jobs_.acquire();
  Job& j = jobs_.at(slot);
  j.seq = ++next_seq_;
  j.input.assign(a.input);
  j.op = static_cast<OperationId>(op);
  j.verified = verified;
  j.priority = a.priority;
  j.max_attempts = a.max_attempts ? a.max_attempts : options_.default_max_attempts;
  j.ttl_ms = a.ttl_ms ? a.ttl_ms : options_.default_ttl_ms;
  j.timeout_ms = a.timeout_ms ? a.timeout_ms : options_.default_timeout_ms;
  j.submitted_at_ms = now;
  j.state = fb::JobState::pending;
  if (a.job_id.empty()) {
    // A client may have chosen an id of our form: skip numbers until the name is free.
    for (;;) {
      j.id.assign(id_prefix_).push_back('-');
      append_base36(j.id, j.seq);
      if (jobs_.publish(slot)) break;
      j.seq = ++next_seq_;
    }
  } else {
    j.id.assign(a.job_id);
    jobs_.publish(slot);  // free: find() above said so
  }
  ++counters_.by_state[static_cast<std::size_t>(fb::JobState::pending)];
  ++counters_.submitted_total;
  if (verified) verifications_[slot] = {options_.result_verifier->content_id(j.input), {}};
  if (j.ttl_ms) push_deadline({now + j.ttl_ms, j.seq, slot, 0, DeadlineKind::ttl});
  if (waiter) add_waiter(slot, *waiter);
  out_.job_event(fb::JobEventKind::submitted, j);
  if (is_quorum(j)) start_quorum(slot);
  enqueue(slot, false);
  dispatch();
  return {slot, fb::ErrorCode::unknown, "", false};
}

Outcome Scheduler::cancel(std::string_view job_id) {
  JobSlot slot = jobs_.find(job_id);
  if (slot == kNoJob) return Outcome::fail(fb::ErrorCode::not_found, "no job with that id");
  Job& job = jobs_.at(slot);
  if (job.finished()) {
    return Outcome::fail(fb::ErrorCode::already_finished, "the job has already finished");
  }
  bool was_active = job.state == fb::JobState::active;
  WorkerSlot ws = job.worker;
  set_state(job, fb::JobState::cancelled);
  job.error = fb::ErrorCode::cancelled;
  job.result = "cancelled by request";
  job.completed_at_ms = clock_.now_ms();
  out_.job_event(fb::JobEventKind::cancelled, job);
  // The worker keeps its slot until it answers; it is told to stop now.
  if (was_active && ws != kNoWorker) out_.cancel_on_worker(workers_.at(ws), job, job.attempt);
  finish(slot);
  return {slot, fb::ErrorCode::unknown, "", false};
}

Outcome Scheduler::replay(std::string_view job_id, const Waiter* waiter) {
  JobSlot slot = jobs_.find(job_id);
  if (slot == kNoJob) return Outcome::fail(fb::ErrorCode::not_found, "no job with that id");
  Job& job = jobs_.at(slot);
  if (!job.dead_lettered) {
    return Outcome::fail(fb::ErrorCode::already_finished,
                         "only dead-lettered jobs can be replayed");
  }
  if (counters_.in(fb::JobState::pending) >= options_.max_queued_jobs) {
    ++counters_.queue_full_rejections;
    return Outcome::fail(fb::ErrorCode::queue_full,
                         "the broker holds --max-queued-jobs pending jobs; retry later");
  }
  jobs_.on_replayed(slot);
  set_state(job, fb::JobState::pending);
  job.seq = ++next_seq_;
  // A fresh budget of max_attempts, but a new attempt number: a result still coming from a run
  // before the dead letter (a timed-out worker keeps running) must not complete the replay.
  job.attempt_floor = job.attempt;
  ++job.attempt;
  job.error = fb::ErrorCode::unknown;
  job.result.clear();
  job.node_id.clear();
  job.worker = kNoWorker;
  job.started_at_ms = job.completed_at_ms = 0;
  if (job.verified) verifications_[slot].attestations.clear();
  uint64_t now = clock_.now_ms();
  job.submitted_at_ms = now;
  if (job.ttl_ms) push_deadline({now + job.ttl_ms, job.seq, slot, 0, DeadlineKind::ttl});
  if (waiter) add_waiter(slot, *waiter);
  out_.job_event(fb::JobEventKind::replayed, job);
  if (is_quorum(job)) start_quorum(slot);
  enqueue(slot, false);
  dispatch();
  return {slot, fb::ErrorCode::unknown, "", false};
}

void Scheduler::add_waiter(JobSlot slot, const Waiter& waiter) {
  auto [it, added] = waiters_.try_emplace(slot, Waiters{waiter, {}});
  if (!added) it->second.more.push_back(waiter);
  jobs_.at(slot).has_waiters = true;
}

// ---------------------------------------------------------------- queue and dispatch

void Scheduler::enqueue(JobSlot slot, bool front) {
  Job& job = jobs_.at(slot);
  if (is_quorum(job)) {
    queue_quorum(slot);
    return;
  }
  job.queue_gen = ++next_queue_gen_;
  ReadyQueue::Entry e{slot, job.queue_gen};
  ReadyQueue& queue = (job.verified ? ready_signing_ : ready_)[job.op];
  if (job.verified) ++signing_entries_;
  if (front) {
    queue.push_front(job.priority, e);
  } else {
    queue.push_back(job.priority, e);
  }
}

void Scheduler::dispatch() {
  dispatch_ready();
  if (!quorum_queue_.empty()) dispatch_quorums();
}

void Scheduler::dispatch_ready() {
  auto live = [this](const ReadyQueue::Entry& e) {
    const Job& j = jobs_.at(e.slot);
    return j.state == fb::JobState::pending && j.queue_gen == e.gen;
  };
  struct Pick {
    const Job* job = nullptr;
    JobSlot slot = kNoJob;
    OperationId op = 0;
    bool signing = false;
  };
  auto better = [](const Job& j, const Pick& p) {
    return !p.job || j.priority > p.job->priority ||
           (j.priority == p.job->priority && j.seq < p.job->seq);
  };
  for (;;) {
    Pick best;
    for (std::size_t op = 0; op < ready_.size(); ++op) {
      if (ready_[op].empty() || !workers_.any_available(static_cast<OperationId>(op))) continue;
      const ReadyQueue::Entry* e = ready_[op].head(live);
      if (e && better(jobs_.at(e->slot), best)) {
        best = {&jobs_.at(e->slot), e->slot, static_cast<OperationId>(op), false};
      }
    }
    // Verified jobs wait in their own queues (only signing workers may take them); skipped
    // outright while there are none, so unverified traffic pays one comparison for them.
    for (std::size_t op = 0; signing_entries_ != 0 && op < ready_signing_.size(); ++op) {
      ReadyQueue& q = ready_signing_[op];
      if (q.empty() || !workers_.any_available(static_cast<OperationId>(op), true)) continue;
      const std::size_t before = q.size();
      const ReadyQueue::Entry* e = q.head(live);
      signing_entries_ -= before - q.size();  // stale entries head() dropped
      if (e && better(jobs_.at(e->slot), best)) {
        best = {&jobs_.at(e->slot), e->slot, static_cast<OperationId>(op), true};
      }
    }
    if (!best.job) return;
    if (best.signing) {
      ready_signing_[best.op].pop_head();
      --signing_entries_;
    } else {
      ready_[best.op].pop_head();
    }
    assign(best.slot, workers_.best_for(best.op, best.signing));
  }
}

void Scheduler::assign(JobSlot slot, WorkerSlot ws) {
  Job& job = jobs_.at(slot);
  Worker& w = workers_.at(ws);
  uint64_t now = clock_.now_ms();
  workers_.before_change(ws);
  w.assigned.push_back({slot, job.attempt, job.seq});
  workers_.after_change(ws);
  set_state(job, fb::JobState::active);
  job.worker = ws;
  job.node_id = w.node_id;
  job.started_at_ms = now;
  if (options_.lease_ms) {
    job.lease_deadline_ms = now + options_.lease_ms;
    push_deadline({job.lease_deadline_ms, job.seq, slot, job.attempt, DeadlineKind::lease});
  }
  if (job.timeout_ms) {
    push_deadline({now + job.timeout_ms, job.seq, slot, job.attempt, DeadlineKind::timeout});
  }
  out_.assign(w, job);
  out_.job_event(fb::JobEventKind::assigned, job);
}

// ---------------------------------------------------------------- endings

void Scheduler::requeue_or_fail(JobSlot slot, std::string_view why) {
  Job& job = jobs_.at(slot);
  if (job.attempt - job.attempt_floor >= job.max_attempts) {
    fail(slot, fb::ErrorCode::max_attempts_exceeded, why, true);
    return;
  }
  ++job.attempt;
  ++counters_.requeued_total;
  set_state(job, fb::JobState::pending);
  job.worker = kNoWorker;
  job.started_at_ms = 0;
  job.lease_deadline_ms = 0;
  out_.job_event(fb::JobEventKind::requeued, job);
  enqueue(slot, true);
}

void Scheduler::fail(JobSlot slot, fb::ErrorCode code, std::string_view message, bool dead_letter) {
  Job& job = jobs_.at(slot);
  set_state(job, fb::JobState::failed);
  job.error = code;
  job.result.assign(message);
  job.completed_at_ms = clock_.now_ms();
  job.dead_lettered = dead_letter && !secret_input_[job.op];
  out_.job_event(fb::JobEventKind::failed, job);
  finish(slot);
}

// Last step of every terminal transition: final replies, then retention (which may evict).
void Scheduler::finish(JobSlot slot) {
  Job& job = jobs_.at(slot);
  if (is_quorum(job)) end_quorum(slot);
  if (secret_input_[job.op]) std::string().swap(job.input);
  if (job.has_waiters) {
    auto it = waiters_.find(slot);
    if (it != waiters_.end()) {
      out_.reply_final(it->second.first, job);
      for (const Waiter& w : it->second.more) out_.reply_final(w, job);
      waiters_.erase(it);
    }
    job.has_waiters = false;
  }
  jobs_.on_finished(slot);
}

// ---------------------------------------------------------------- workers

Outcome Scheduler::register_worker(const RegisterArgs& a) {
  if (workers_.find_by_routing_id(a.routing_id) != kNoWorker) {
    return Outcome::fail(fb::ErrorCode::unexpected_message,
                         "this connection is already registered");
  }
  if (a.node_id.empty()) return Outcome::fail(fb::ErrorCode::invalid_argument, "node_id is empty");
  if (a.node_id.size() > options_.max_node_id_bytes) {  // kMaxNodeIdBytes by default
    return Outcome::fail(fb::ErrorCode::invalid_argument, "node_id longer than 128 bytes");
  }
  if (a.signs_results &&
      (options_.result_verifier == nullptr ||
       !options_.result_verifier->verify_key_proof(a.public_key, a.node_id, a.key_proof))) {
    // Otherwise a node could take verified jobs under another node's key and have that node
    // blamed for what it sends.
    return Outcome::fail(fb::ErrorCode::invalid_argument,
                         "signs_results given, but key_proof does not prove holding public_key "
                         "(or this broker checks no signed results)");
  }
  if (a.max_concurrent == 0 || a.max_concurrent > options_.max_concurrent_limit) {
    return Outcome::fail(fb::ErrorCode::invalid_argument,
                         "max_concurrent_jobs must be between 1 and 1024");
  }
  if (a.share_index != 0) {
    // An index is believed only with its proof: a node that claims a share it does not hold could
    // otherwise take decrypt parts and refuse them all.
    if (quorum_op_ < 0) {
      return Outcome::fail(fb::ErrorCode::invalid_argument,
                           "share_index given, but this broker has no --network-key");
    }
    if (a.share_index > options_.quorum.shares ||
        !options_.quorum.verifier->verify_holder(a.share_index, a.node_id, a.share_proof)) {
      return Outcome::fail(fb::ErrorCode::invalid_argument,
                           "share_proof does not prove holding share_index of this network key");
    }
  }
  WorkerSlot old = workers_.find_by_node_id(a.node_id);
  if (old != kNoWorker) {
    out_.disconnect_worker(workers_.at(old), "replaced by a new registration of this node id");
    expire_worker(old);
  }
  Worker w;
  w.routing_id.assign(a.routing_id);
  w.node_id.assign(a.node_id);
  w.wallet_address.assign(a.wallet_address);
  w.public_key.assign(a.public_key);
  for (std::string_view name : a.operations) {
    int op = find_operation(name);
    if (op >= 0 && std::find(w.operations.begin(), w.operations.end(), op) == w.operations.end()) {
      w.operations.push_back(static_cast<OperationId>(op));
    }
  }
  w.max_concurrent = w.capacity = a.max_concurrent;
  w.reputation = 0;  // the network's to set (set_reputation); Register.reputation is ignored
  w.share_index = a.share_index;
  w.signs_results = a.signs_results;
  w.last_seen_ms = clock_.now_ms();
  w.online = true;
  WorkerSlot ws = workers_.add(std::move(w));
  out_.node_event(fb::NodeEventKind::online, workers_.at(ws));
  dispatch();
  return {};
}

bool Scheduler::touch(std::string_view routing_id) {
  WorkerSlot ws = workers_.find_by_routing_id(routing_id);
  if (ws == kNoWorker) return false;
  workers_.at(ws).last_seen_ms = clock_.now_ms();
  return true;
}

bool Scheduler::set_capacity(std::string_view routing_id, uint32_t capacity) {
  WorkerSlot ws = workers_.find_by_routing_id(routing_id);
  if (ws == kNoWorker) return false;
  Worker& w = workers_.at(ws);
  workers_.before_change(ws);
  w.capacity = std::min(capacity, w.max_concurrent);
  workers_.after_change(ws);
  out_.node_event(fb::NodeEventKind::capacity, w);
  dispatch();
  return true;
}

bool Scheduler::set_reputation(std::string_view node_id, int32_t reputation) {
  WorkerSlot ws = workers_.find_by_node_id(node_id);
  if (ws == kNoWorker) return false;
  workers_.before_change(ws);
  workers_.at(ws).reputation = reputation;
  workers_.after_change(ws);
  // No event kind of its own yet: the node's record (reputation included) goes out as an update.
  out_.node_event(fb::NodeEventKind::capacity, workers_.at(ws));
  return true;
}

bool Scheduler::progress(std::string_view routing_id, std::string_view job_id, uint32_t attempt) {
  WorkerSlot ws = workers_.find_by_routing_id(routing_id);
  if (ws == kNoWorker) return false;
  JobSlot slot = jobs_.find(job_id);
  if (slot == kNoJob) return true;
  Job& job = jobs_.at(slot);
  if (job.state != fb::JobState::active || job.worker != ws || job.attempt != attempt) return true;
  if (options_.lease_ms) {
    job.lease_deadline_ms = clock_.now_ms() + options_.lease_ms;
    push_deadline({job.lease_deadline_ms, job.seq, slot, job.attempt, DeadlineKind::lease});
  }
  out_.job_event(fb::JobEventKind::progress, job);
  return true;
}

// Frees the worker slot this Result answers. A job evicted since (slot reused) leaves an orphaned
// assignment; any orphan of the same attempt is released instead, since each Result answers one.
bool Scheduler::release_assignment(Worker& w, WorkerSlot ws, JobSlot slot, uint32_t attempt) {
  auto& as = w.assigned;
  auto it = as.end();
  if (slot != kNoJob) {
    uint64_t seq = jobs_.at(slot).seq;
    it = std::find_if(as.begin(), as.end(), [&](const Assignment& a) {
      return a.job == slot && a.job_seq == seq && a.attempt == attempt;
    });
  }
  if (it == as.end()) {
    it = std::find_if(as.begin(), as.end(), [&](const Assignment& a) {
      return a.attempt == attempt && jobs_.at(a.job).seq != a.job_seq;
    });
  }
  if (it == as.end()) return false;
  workers_.before_change(ws);
  *it = as.back();
  as.pop_back();
  workers_.after_change(ws);
  return true;
}

ResultVerdict Scheduler::result(std::string_view routing_id, const ResultArgs& a) {
  WorkerSlot ws = workers_.find_by_routing_id(routing_id);
  if (ws == kNoWorker) {
    ++counters_.stale_results;
    return ResultVerdict::unknown_worker;
  }
  Worker& w = workers_.at(ws);
  w.last_seen_ms = clock_.now_ms();
  JobSlot slot = jobs_.find(a.job_id);
  bool held = release_assignment(w, ws, slot, a.attempt);
  Job* job = slot == kNoJob ? nullptr : &jobs_.at(slot);
  if (job && is_quorum(*job)) return quorum_result(ws, slot, held, a);
  if (!held || !job || job->state != fb::JobState::active || job->worker != ws ||
      job->attempt != a.attempt) {
    return drop_result(held, job);
  }
  if (a.ok && job->verified) {
    std::optional<Attestation> attestation = attest(slot, ws, a);
    if (!attestation) {
      distrust(ws);
      requeue_or_fail(slot,
                      "the job was re-queued max_attempts times (the last result's signature "
                      "failed the check)");
      dispatch();
      return ResultVerdict::rejected;
    }
    verifications_[slot].attestations.assign(1, std::move(*attestation));
  }
  if (a.ok) {
    set_state(*job, fb::JobState::completed);
    job->result.assign(a.output);
    job->error = fb::ErrorCode::unknown;
    job->completed_at_ms = clock_.now_ms();
    out_.job_event(fb::JobEventKind::completed, *job);
    finish(slot);
  } else {
    fb::ErrorCode code =
        a.error == fb::ErrorCode::unknown ? fb::ErrorCode::operation_failed : a.error;
    fail(slot, code, a.error_message, false);
  }
  dispatch();
  return ResultVerdict::accepted;
}

std::optional<Attestation> Scheduler::attest(JobSlot slot, WorkerSlot ws,
                                             const ResultArgs& a) const {
  const Job& job = jobs_.at(slot);
  const Worker& w = workers_.at(ws);
  auto it = verifications_.find(slot);
  // Not signs_results: a worker distrusted while this job ran may still send a valid signature.
  if (it == verifications_.end()) return std::nullopt;
  std::string output_cid = options_.result_verifier->content_id(a.output);
  const ResultClaim claim{job.id,     a.attempt, operation_name(job.op), it->second.input_cid,
                          output_cid, w.node_id};
  if (!options_.result_verifier->verify(w.public_key, claim, a.signature)) return std::nullopt;
  return Attestation{w.node_id, w.public_key, std::move(output_cid), std::string(a.signature)};
}

// A worker that sent a bad signature gets no more verified jobs on this registration; its other
// work (unverified) goes on. Not remembered across registrations: a key costs nothing to make, so
// that would not stop a liar, while a replayed Register (key proofs are static: PROTOCOL.md) could
// get an honest node's key blamed for good.
void Scheduler::distrust(WorkerSlot ws) {
  ++counters_.invalid_signatures;
  Worker& w = workers_.at(ws);
  workers_.before_change(ws);
  w.signs_results = false;
  workers_.after_change(ws);
}

// A Result that completes nothing: counted (after a cancel, or stale), and the slot it may have
// freed is offered again.
ResultVerdict Scheduler::drop_result(bool held, const Job* job) {
  ResultVerdict v = ResultVerdict::stale;
  if (held && job && job->state == fb::JobState::cancelled) {
    ++counters_.results_after_cancel;
    v = ResultVerdict::after_cancel;
  } else {
    ++counters_.stale_results;
  }
  dispatch();
  return v;
}

bool Scheduler::disconnect(std::string_view routing_id) {
  WorkerSlot ws = workers_.find_by_routing_id(routing_id);
  if (ws == kNoWorker) return false;
  expire_worker(ws);
  dispatch();
  return true;
}

void Scheduler::expire_worker(WorkerSlot ws) {
  Worker& w = workers_.at(ws);
  workers_.before_change(ws);
  w.online = false;
  std::vector<Assignment> held = std::move(w.assigned);
  w.assigned.clear();
  // Each re-queue goes to the head of its priority, so re-queue newest first: the oldest ends up
  // in front and the jobs keep their submit order among themselves.
  std::sort(held.begin(), held.end(),
            [](const Assignment& x, const Assignment& y) { return x.job_seq > y.job_seq; });
  for (const Assignment& a : held) {
    Job& job = jobs_.at(a.job);
    if (job.seq != a.job_seq || job.state != fb::JobState::active || job.attempt != a.attempt) {
      continue;
    }
    if (is_quorum(job)) {
      lose_part(a.job, ws);
    } else if (job.worker == ws) {
      requeue_or_fail(a.job);
    }
  }
  out_.node_event(fb::NodeEventKind::offline, w);
  workers_.remove(ws);
}

// ---------------------------------------------------------------- time

void Scheduler::tick() {
  uint64_t now = clock_.now_ms();
  uint64_t expiry = heartbeat_expiry_ms();
  for (WorkerSlot ws : workers_.online_slots()) {
    uint64_t seen = workers_.at(ws).last_seen_ms;
    if (now > seen && now - seen > expiry) {  // a wall clock stepping back expires nobody
      ++counters_.workers_expired;
      expire_worker(ws);
    }
  }
  while (!deadlines_.empty() && deadlines_.front().at_ms <= now) {
    std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    Deadline d = deadlines_.back();
    deadlines_.pop_back();
    on_deadline(d);
  }
  dispatch();
}

void Scheduler::push_deadline(const Deadline& d) {
  deadlines_.push_back(d);
  std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
  // At most 2 live deadlines per active job (lease, timeout) and 1 per pending job (ttl). When the
  // heap holds twice that, drop the dead entries: amortised O(1) per push.
  std::size_t live_bound =
      2 * counters_.in(fb::JobState::active) + counters_.in(fb::JobState::pending);
  if (deadlines_.size() > 4096 && deadlines_.size() > 2 * live_bound + 1024) {
    std::erase_if(deadlines_, [this](const Deadline& x) { return !deadline_live(x); });
    std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
  }
}

bool Scheduler::deadline_live(const Deadline& d) const {
  const Job& job = jobs_.at(d.slot);
  if (job.seq != d.job_seq) return false;
  switch (d.kind) {
    case DeadlineKind::ttl:
      return job.state == fb::JobState::pending;
    case DeadlineKind::lease:
      return job.state == fb::JobState::active && job.attempt == d.attempt &&
             job.lease_deadline_ms == d.at_ms;
    case DeadlineKind::timeout:
      return job.state == fb::JobState::active && job.attempt == d.attempt;
    case DeadlineKind::quorum_wait:
      return !job.finished() && job.attempt == d.attempt;
  }
  return false;
}

void Scheduler::on_deadline(const Deadline& d) {
  // Dead: the job finished, moved on to another attempt, renewed its lease, or left the table.
  if (!deadline_live(d)) return;
  Job& job = jobs_.at(d.slot);
  switch (d.kind) {
    case DeadlineKind::ttl:
      fail(d.slot, fb::ErrorCode::expired, "no worker took the job within its ttl", true);
      return;
    case DeadlineKind::quorum_wait:
      on_quorum_wait(d.slot);
      return;
    case DeadlineKind::lease:
    case DeadlineKind::timeout: {
      // The worker keeps the slot until it answers; it is told to stop. (Told first: failing the
      // job may evict its record.)
      if (job.worker != kNoWorker) out_.cancel_on_worker(workers_.at(job.worker), job, job.attempt);
      if (d.kind == DeadlineKind::lease) {
        requeue_or_fail(d.slot);
      } else {
        fail(d.slot, fb::ErrorCode::timeout, "the attempt ran past the job's timeout", true);
      }
      return;
    }
  }
}

}  // namespace litc::broker
