// The Redis key schema, kept verbatim from the seed design (shared/BRIEF.md "Redis key schema") so
// the web app reads what it always read, plus the bridge's own keys under "bridge:".
#pragma once

#include <string>
#include <string_view>

namespace litc::bridge::keys {

inline constexpr std::string_view kJobsPending = "jobs:pending";      // zset, score = submit ms
inline constexpr std::string_view kJobsCompleted = "jobs:completed";  // zset, score = completed ms
inline constexpr std::string_view kNodesAvailable = "nodes:available";  // set of online node ids
inline constexpr std::string_view kPaymentsCompleted = "payments:completed";  // list
inline constexpr std::string_view kGlobalEvents = "channel:global:events";

// set of the node ids that have had a jobs:active:{nodeId} key, so a resync finds those keys
// without KEYS (which walks every key in Redis while blocking it).
inline constexpr std::string_view kActiveNodes = "bridge:active-nodes";
inline constexpr std::string_view kJobsActivePattern = "jobs:active:*";  // SCAN, for old mirrors
// string: the mirror's layout version, written at every resync; "2" since bridge:active-nodes.
inline constexpr std::string_view kMirrorFormat = "bridge:mirror-format";
inline constexpr std::string_view kMirrorFormatVersion = "2";

// hash jobId -> the JSON of the HTTP submit it came from; an entry lives until the job finishes so
// a broker restart cannot lose a job the bridge accepted (see submission_ledger.h).
inline constexpr std::string_view kSubmissions = "bridge:submissions";

inline std::string joined(std::string_view a, std::string_view id, std::string_view b) {
  std::string key;
  key.reserve(a.size() + id.size() + b.size());
  key.append(a).append(id).append(b);
  return key;
}
inline std::string job_status(std::string_view job_id) {
  return joined("job:", job_id, ":status");
}
inline std::string jobs_active(std::string_view node_id) {
  return joined("jobs:active:", node_id, "");
}
inline std::string node_status(std::string_view node_id) {
  return joined("nodes:", node_id, ":status");
}
inline std::string payments_pending(std::string_view node_id) {
  return joined("payments:pending:", node_id, "");
}
inline std::string job_updates(std::string_view job_id) {
  return joined("channel:job:", job_id, ":updates");
}
inline std::string node_commands(std::string_view node_id) {
  return joined("channel:node:", node_id, ":commands");
}

}  // namespace litc::bridge::keys
