// Builds the wire records from the scheduler's state (see records.h).
#include "broker/records.h"

#include "protocol/codec.h"

namespace litc::broker {

flatbuffers::Offset<fb::JobRecord> build_job_record(flatbuffers::FlatBufferBuilder& b,
                                                    const Scheduler& scheduler, const Job& job,
                                                    RecordDetail detail) {
  const bool full = detail == RecordDetail::full;
  auto id = b.CreateString(job.id);
  auto op = full ? b.CreateString(scheduler.operation_name(job.op))
                 : flatbuffers::Offset<flatbuffers::String>();
  auto node = job.node_id.empty() ? 0 : b.CreateString(job.node_id);
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> output = 0;
  flatbuffers::Offset<flatbuffers::String> error_message = 0;
  if (job.state == fb::JobState::completed) {
    output = bytes(b, job.result);
  } else if (!job.result.empty()) {
    error_message = b.CreateString(job.result);
  }
  // Verified jobs only (rare): the input CID with the full record, attestations once completed.
  const Verification* v = job.verified ? scheduler.verification(scheduler.find(job.id)) : nullptr;
  flatbuffers::Offset<flatbuffers::String> input_cid = 0;
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::ResultAttestation>>>
      attestations = 0;
  if (v && full) input_cid = b.CreateString(v->input_cid);
  if (v && job.state == fb::JobState::completed && !v->attestations.empty()) {
    std::vector<flatbuffers::Offset<fb::ResultAttestation>> list;
    list.reserve(v->attestations.size());
    for (const Attestation& a : v->attestations) {
      list.push_back(
          fb::CreateResultAttestation(b, b.CreateString(a.node_id), b.CreateString(a.public_key),
                                      b.CreateString(a.output_cid), bytes(b, a.signature)));
    }
    attestations = b.CreateVector(list);
  }
  fb::JobRecordBuilder r(b);
  r.add_job_id(id);
  r.add_state(job.state);
  r.add_attempt(job.attempt);
  if (!node.IsNull()) r.add_node_id(node);
  if (!output.IsNull()) r.add_output(output);
  r.add_error_code(job.error);
  if (!error_message.IsNull()) r.add_error_message(error_message);
  r.add_started_at_ms(job.started_at_ms);
  r.add_completed_at_ms(job.completed_at_ms);
  r.add_dead_lettered(job.dead_lettered);
  if (!attestations.IsNull()) r.add_attestations(attestations);
  if (full) {
    if (job.verified) r.add_verified(true);
    if (!input_cid.IsNull()) r.add_input_cid(input_cid);
    r.add_operation(op);
    r.add_priority(job.priority);
    r.add_max_attempts(job.max_attempts);
    r.add_submitted_at_ms(job.submitted_at_ms);
    r.add_ttl_ms(job.ttl_ms);
    r.add_timeout_ms(job.timeout_ms);
    r.add_input_size(static_cast<uint32_t>(job.input.size()));
  }
  return r.Finish();
}

flatbuffers::Offset<fb::NodeRecord> build_node_record(flatbuffers::FlatBufferBuilder& b,
                                                      const Scheduler& scheduler, const Worker& w) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> ops;
  ops.reserve(w.operations.size());
  for (OperationId op : w.operations) ops.push_back(b.CreateString(scheduler.operation_name(op)));
  auto node = b.CreateString(w.node_id);
  auto wallet = b.CreateString(w.wallet_address);
  auto key = b.CreateString(w.public_key);
  auto op_vec = b.CreateVector(ops);
  return fb::CreateNodeRecord(b, node, wallet, key, w.max_concurrent, op_vec, w.in_flight(),
                              w.reputation, w.online, w.last_seen_ms, w.capacity, w.share_index);
}

flatbuffers::Offset<fb::BrokerStats> build_stats(flatbuffers::FlatBufferBuilder& b,
                                                 const Scheduler& s, const BrokerProbe& p) {
  const SchedulerCounters& c = s.counters();
  fb::BrokerStatsBuilder r(b);
  r.add_epoch(p.epoch);
  r.add_seq(p.seq);
  r.add_jobs_pending(c.in(fb::JobState::pending));
  r.add_jobs_active(c.in(fb::JobState::active));
  r.add_jobs_completed(c.in(fb::JobState::completed));
  r.add_jobs_failed(c.in(fb::JobState::failed));
  r.add_jobs_cancelled(c.in(fb::JobState::cancelled));
  r.add_dead_letter(s.jobs().dead_letter_count());
  r.add_workers_online(s.workers_online());
  r.add_submitted_total(c.submitted_total);
  r.add_duplicate_submits(c.duplicate_submits);
  r.add_requeued_total(c.requeued_total);
  r.add_stale_results(c.stale_results);
  r.add_results_after_cancel(c.results_after_cancel);
  r.add_malformed_frames(p.malformed_frames);
  r.add_oversized_frames(p.oversized_frames);
  r.add_unsupported_versions(p.unsupported_versions);
  r.add_unexpected_messages(p.unexpected_messages);
  r.add_queue_full_rejections(c.queue_full_rejections);
  r.add_events_published(p.events_published);
  r.add_workers_expired(c.workers_expired);
  r.add_invalid_shares(c.invalid_shares);
  r.add_invalid_signatures(c.invalid_signatures);
  return r.Finish();
}

}  // namespace litc::broker
