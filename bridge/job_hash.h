// The job:{id}:status hash: which JobInfo field is stored under which hash field, both ways, so
// the mirror that writes it and the API that reads it can never disagree on a name.
// Seed fields kept verbatim: status, nodeId, outputCID, startedAt, completedAt; the rest are ours.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bridge/redis/redis_connection.h"
#include "protocol/client.h"

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
};

// Appends "field", "value" pairs for the `fields` bits of `job` (HSET arguments).
void append_job_fields(const JobInfo& job, uint32_t fields, std::vector<std::string>& args);
// Appends the hash field names of the `fields` bits (HDEL arguments).
void append_job_field_names(uint32_t fields, std::vector<std::string>& args);
// A JobInfo from an HGETALL reply (flat array field, value, …); unknown fields are ignored, bad
// numbers read as 0. state is unknown when the hash has no (known) status.
JobInfo job_from_hash(std::string_view job_id, const RedisReply& hgetall);
// "pending" -> JobState::pending …; unknown for anything else.
fb::JobState parse_state(std::string_view name);

}  // namespace litc::bridge
