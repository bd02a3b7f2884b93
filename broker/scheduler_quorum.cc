// Scheduler: quorum jobs — parts on distinct share holders, share checks, lost parts, the quorum
// wait (the rules are the DESIGN paragraph of quorum.h).
#include <algorithm>

#include "broker/scheduler.h"

namespace litc::broker {

void Scheduler::start_quorum(JobSlot slot) {
  Job& job = jobs_.at(slot);
  Quorum& q = quorums_[slot] = Quorum{};
  q.request_key = options_.quorum.verifier->request_key(job.input);
  job.worker = kNoWorker;  // a quorum job is held by its parts, never by one worker
  push_deadline({clock_.now_ms() + options_.quorum.wait_ms, job.seq, slot, job.attempt,
                 DeadlineKind::quorum_wait});
}

void Scheduler::queue_quorum(JobSlot slot) {
  auto it = quorums_.find(slot);
  if (it == quorums_.end() || it->second.queued) return;
  it->second.queued = true;
  // Dispatch order as for other jobs: priority, then submit order.
  const Job& job = jobs_.at(slot);
  auto pos = std::find_if(quorum_queue_.begin(), quorum_queue_.end(), [&](JobSlot other) {
    const Job& o = jobs_.at(other);
    return o.priority < job.priority || (o.priority == job.priority && o.seq > job.seq);
  });
  quorum_queue_.insert(pos, slot);
}

void Scheduler::dispatch_quorums() {
  const auto op = static_cast<OperationId>(quorum_op_);
  const uint32_t threshold = options_.quorum.threshold;
  // A copy: assigning parts and ending jobs edit the queue.
  const std::vector<JobSlot> queue = quorum_queue_;
  for (JobSlot slot : queue) {
    if (!workers_.any_available(op)) break;
    auto it = quorums_.find(slot);
    if (it == quorums_.end()) continue;
    uint32_t need = it->second.needed(threshold);
    const bool signing = jobs_.at(slot).verified;
    for (WorkerSlot ws : workers_.available_for(op, signing)) {
      if (need == 0) break;
      const Worker& w = workers_.at(ws);
      Quorum& q = quorums_.at(slot);
      if (w.share_index == 0 || q.runs_on(ws) || q.uses_index(w.share_index)) continue;
      assign_part(slot, ws);
      --need;
    }
    if (need == 0) {
      quorums_.at(slot).queued = false;
      std::erase(quorum_queue_, slot);
    }
  }
}

void Scheduler::assign_part(JobSlot slot, WorkerSlot ws) {
  Job& job = jobs_.at(slot);
  Worker& w = workers_.at(ws);
  workers_.before_change(ws);
  w.assigned.push_back({slot, job.attempt, job.seq});
  workers_.after_change(ws);
  quorums_.at(slot).running.push_back({ws, w.share_index});
  out_.assign(w, job);
  if (job.state == fb::JobState::pending) {
    const uint64_t now = clock_.now_ms();
    set_state(job, fb::JobState::active);
    job.node_id = w.node_id;  // the first holder asked; the output names every share's index
    job.started_at_ms = now;
    if (job.timeout_ms) {
      push_deadline({now + job.timeout_ms, job.seq, slot, job.attempt, DeadlineKind::timeout});
    }
    out_.job_event(fb::JobEventKind::assigned, job);
  }
}

ResultVerdict Scheduler::quorum_result(WorkerSlot ws, JobSlot slot, bool held,
                                       const ResultArgs& a) {
  Job& job = jobs_.at(slot);
  auto it = quorums_.find(slot);
  auto part = it == quorums_.end()
                  ? std::vector<QuorumPart>::iterator{}
                  : std::find_if(it->second.running.begin(), it->second.running.end(),
                                 [&](const QuorumPart& p) { return p.worker == ws; });
  if (!held || job.state != fb::JobState::active || job.attempt != a.attempt ||
      it == quorums_.end() || part == it->second.running.end()) {
    return drop_result(held, &job);
  }
  Quorum& q = it->second;
  const uint32_t index = part->share_index;
  q.running.erase(part);
  std::optional<Attestation> attestation;
  if (a.ok && job.verified) attestation = attest(slot, ws, a);
  std::optional<std::string> share;
  if (a.ok && !q.request_key.empty() && (attestation || !job.verified)) {
    share = options_.quorum.verifier->verify(q.request_key, a.output, index);
    // A signed share must be the canonical form the verifier writes, so that the output holds
    // exactly the bytes its node signed (litc verify finds them there).
    if (share && job.verified && *share != a.output) share.reset();
  }
  if (share) {
    if (!q.uses_accepted(index)) {
      q.accepted.push_back(
          {index, std::move(*share), attestation ? std::move(*attestation) : Attestation{}});
    }
  } else {
    const std::string who =
        "node " + workers_.at(ws).node_id + " (share " + std::to_string(index) + ")";
    if (a.ok && job.verified && !attestation) {
      distrust(ws);
      q.last_error = fb::ErrorCode::invalid_signature;
      q.last_message = who + " sent a share whose signature fails";
    } else if (a.ok) {
      ++counters_.invalid_shares;
      q.last_error = fb::ErrorCode::invalid_share;
      q.last_message = who + " sent a share whose proof fails";
    } else {
      // The node's own words, attributed and bounded: a user must be able to tell them from ours.
      q.last_error = a.error == fb::ErrorCode::unknown ? fb::ErrorCode::operation_failed : a.error;
      q.last_message = who + " refused: " + std::string(a.error_message.substr(0, 300));
    }
    q.excluded.push_back(index);
  }
  if (q.accepted.size() >= options_.quorum.threshold) {
    set_state(job, fb::JobState::completed);
    job.result = q.output();
    if (job.verified) {
      auto& attestations = verifications_[slot].attestations;
      attestations.clear();
      for (QuorumShare& s : q.accepted) attestations.push_back(std::move(s.attestation));
    }
    job.error = fb::ErrorCode::unknown;
    job.completed_at_ms = clock_.now_ms();
    out_.job_event(fb::JobEventKind::completed, job);
    finish(slot);
  } else if (q.excluded.size() > options_.quorum.shares - options_.quorum.threshold) {
    // Too many holders refused or lied for T honest shares to remain.
    const fb::ErrorCode code = q.last_error;
    const std::string message = q.last_message;
    fail(slot, code, message, false);
  } else {
    queue_quorum(slot);
  }
  dispatch();
  return ResultVerdict::accepted;
}

void Scheduler::lose_part(JobSlot slot, WorkerSlot ws) {
  auto it = quorums_.find(slot);
  if (it == quorums_.end()) return;
  std::erase_if(it->second.running, [&](const QuorumPart& p) { return p.worker == ws; });
  queue_quorum(slot);
}

void Scheduler::end_quorum(JobSlot slot) {
  auto it = quorums_.find(slot);
  if (it == quorums_.end()) return;
  const Job& job = jobs_.at(slot);
  for (const QuorumPart& p : it->second.running) {
    out_.cancel_on_worker(workers_.at(p.worker), job, job.attempt);
  }
  if (it->second.queued) std::erase(quorum_queue_, slot);
  quorums_.erase(it);
}

void Scheduler::on_quorum_wait(JobSlot slot) {
  auto it = quorums_.find(slot);
  if (it == quorums_.end()) return;
  Quorum& q = it->second;
  const uint32_t threshold = options_.quorum.threshold;
  if (q.running.size() + q.accepted.size() < threshold) {
    fail(slot, fb::ErrorCode::quorum_unavailable,
         "fewer than " + std::to_string(threshold) +
             " share holders answered within the quorum wait",
         true);
    return;
  }
  if (q.accepted.size() >= threshold) return;
  // Enough parts run, but some are silent: ask other holders beside them, and look again later.
  for (QuorumPart& p : q.running) p.stalled = true;
  queue_quorum(slot);
  const Job& job = jobs_.at(slot);
  push_deadline({clock_.now_ms() + options_.quorum.wait_ms, job.seq, slot, job.attempt,
                 DeadlineKind::quorum_wait});
}

}  // namespace litc::broker
