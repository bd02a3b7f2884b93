// job:{id}:status hash fields <-> JobInfo (see job_hash.h).
#include "bridge/job_hash.h"

#include <charconv>

#include "protocol/codec.h"
#include "schemas/error_names.h"

namespace litc::bridge {
namespace {

template <class T>
T number(std::string_view s) {
  T v{};
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

fb::JobState parse_state(std::string_view name) {
  const auto* names = fb::EnumNamesJobState();
  for (int i = 0; names[i] != nullptr; ++i) {
    if (name == names[i]) return static_cast<fb::JobState>(i);
  }
  return fb::JobState::unknown;
}

void append_job_fields(const JobInfo& j, uint32_t f, std::vector<std::string>& args) {
  for_each_job_field(j, f, [&](std::string_view name, std::string_view value) {
    args.emplace_back(name);
    args.emplace_back(value);
  });
}

void append_job_field_names(uint32_t f, std::vector<std::string>& args) {
  for_each_job_field(JobInfo{}, f,
                     [&](std::string_view name, std::string_view) { args.emplace_back(name); });
}

JobInfo job_from_hash(std::string_view job_id, const RedisReply& reply) {
  JobInfo j;
  j.job_id = std::string(job_id);
  const auto& e = reply.elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    std::string_view k = e[i].str;
    const std::string& v = e[i + 1].str;
    if (k == "status") {
      j.state = parse_state(v);
    } else if (k == "operation") {
      j.operation = v;
    } else if (k == "priority") {
      j.priority = number<int32_t>(v);
    } else if (k == "attempt") {
      j.attempt = number<uint32_t>(v);
    } else if (k == "maxAttempts") {
      j.max_attempts = number<uint32_t>(v);
    } else if (k == "nodeId") {
      j.node_id = v;
    } else if (k == "output") {
      j.output = v;
    } else if (k == "outputCID") {
      j.output_cid = v;
    } else if (k == "errorCode") {
      j.error_code = error_code_from_name(v);
    } else if (k == "errorMessage") {
      j.error_message = v;
    } else if (k == "submittedAt") {
      j.submitted_at_ms = number<uint64_t>(v);
    } else if (k == "startedAt") {
      j.started_at_ms = number<uint64_t>(v);
    } else if (k == "completedAt") {
      j.completed_at_ms = number<uint64_t>(v);
    } else if (k == "ttlMs") {
      j.ttl_ms = number<uint32_t>(v);
    } else if (k == "timeoutMs") {
      j.timeout_ms = number<uint32_t>(v);
    } else if (k == "deadLettered") {
      j.dead_lettered = v == "1";
    } else if (k == "inputSize") {
      j.input_size = number<uint32_t>(v);
    } else if (k == "verified") {
      j.verified = v == "1";
    } else if (k == "inputCID") {
      j.input_cid = v;
    } else if (k == "attestations") {
      j.attestations = attestations_from_json(v).value_or(std::vector<AttestationInfo>{});
    }
  }
  return j;
}

}  // namespace litc::bridge
