// The job:{id}:status hash: which JobInfo field is stored under which hash field, both ways, so
// the mirror that writes it and the API that reads it can never disagree on a name.
// Seed fields kept verbatim: status, nodeId, outputCID, startedAt, completedAt; the rest are ours.
// A field absent from the hash holds its default (0, false, empty): the mirror leaves defaults out.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bridge/redis/redis_connection.h"
#include "protocol/client.h"
#include "protocol/codec.h"
#include "protocol/job_json.h"

namespace litc::bridge {

// Bits naming groups of hash fields (kOutput covers output + outputCID, kError code + message).
enum JobField : uint32_t {
  kStatus = 1u << 0,
  kOperation = 1u << 1,
  kPriority = 1u << 2,
  kAttempt = 1u << 3,
  kMaxAttempts = 1u << 4,
  kNodeId = 1u << 5,
  kOutput = 1u << 6,
  kError = 1u << 7,
  kSubmittedAt = 1u << 8,
  kStartedAt = 1u << 9,
  kCompletedAt = 1u << 10,
  kTtl = 1u << 11,
  kTimeout = 1u << 12,
  kDeadLettered = 1u << 13,
  kInputSize = 1u << 14,
  kVerified = 1u << 15,      // verified + inputCID
  kAttestations = 1u << 16,  // JSON, as in the job object (protocol/job_json.h)
};

// Calls emit(name, value) for the hash fields of the `fields` bits of `job`, in a fixed order
// (the mirror writes them straight into a RedisBatch; no string per field).
template <class Emit>
void for_each_job_field(const JobInfo& j, uint32_t f, Emit&& emit);

// Appends "field", "value" pairs for the `fields` bits of `job` (HSET arguments).
void append_job_fields(const JobInfo& job, uint32_t fields, std::vector<std::string>& args);
// Appends the hash field names of the `fields` bits (HDEL arguments).
void append_job_field_names(uint32_t fields, std::vector<std::string>& args);
// A JobInfo from an HGETALL reply (flat array field, value, …); unknown fields are ignored, bad
// numbers read as 0. state is unknown when the hash has no (known) status.
JobInfo job_from_hash(std::string_view job_id, const RedisReply& hgetall);
// "pending" -> JobState::pending …; unknown for anything else.
fb::JobState parse_state(std::string_view name);

namespace detail {
// Decimal text of n in buf (which must hold 24 chars).
template <class N>
std::string_view decimal(char* buf, N n) {
  auto [end, ec] = std::to_chars(buf, buf + 24, n);
  return std::string_view(buf, static_cast<std::size_t>(end - buf));
}
}  // namespace detail

template <class Emit>
void for_each_job_field(const JobInfo& j, uint32_t f, Emit&& emit) {
  char n[24];
  if (f & kStatus) emit("status", state_name(j.state));
  if (f & kOperation) emit("operation", j.operation);
  if (f & kPriority) emit("priority", detail::decimal(n, j.priority));
  if (f & kAttempt) emit("attempt", detail::decimal(n, j.attempt));
  if (f & kMaxAttempts) emit("maxAttempts", detail::decimal(n, j.max_attempts));
  if (f & kNodeId) emit("nodeId", j.node_id);
  if (f & kOutput) {
    emit("output", j.output);
    emit("outputCID", j.output_cid);
  }
  if (f & kError) {
    emit("errorCode", error_name(j.error_code));
    emit("errorMessage", j.error_message);
  }
  if (f & kSubmittedAt) emit("submittedAt", detail::decimal(n, j.submitted_at_ms));
  if (f & kStartedAt) emit("startedAt", detail::decimal(n, j.started_at_ms));
  if (f & kCompletedAt) emit("completedAt", detail::decimal(n, j.completed_at_ms));
  if (f & kTtl) emit("ttlMs", detail::decimal(n, j.ttl_ms));
  if (f & kTimeout) emit("timeoutMs", detail::decimal(n, j.timeout_ms));
  if (f & kDeadLettered) emit("deadLettered", std::string_view(j.dead_lettered ? "1" : "0"));
  if (f & kInputSize) emit("inputSize", detail::decimal(n, j.input_size));
  if (f & kVerified) {
    emit("verified", std::string_view(j.verified ? "1" : "0"));
    emit("inputCID", j.input_cid);
  }
  if (f & kAttestations) emit("attestations", attestations_json(j.attestations));
}

}  // namespace litc::bridge
