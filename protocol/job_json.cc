// JSON views of jobs, stats and events (see job_json.h), built with Boost.JSON.
// This is the one translation unit of the build that compiles Boost.JSON's implementation
// (header-only mode); other code that needs Boost.JSON links lc::protocol and includes
// <boost/json.hpp> only, or the linker sees its symbols twice.
#include "protocol/job_json.h"

#include <boost/json/src.hpp>
#include <cstdint>
#include <string_view>

#include "protocol/base64.h"

namespace litc {
namespace {

namespace json = boost::json;

}  // namespace

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF, so that what
// we call text survives every JSON parser unchanged.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p < len) return false;
    for (int i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += len;
  }
  return true;
}

namespace {

std::string_view name_or_unknown(const char* name) {
  return (name && *name) ? std::string_view(name) : std::string_view("unknown");
}

// Fields in the order job_json.h lists them; zero and empty ones are left out so a pending job
// prints short and a reader can test for presence.
json::object job_object(const JobInfo& job) {
  json::object o;
  o["jobId"] = job.job_id;
  o["status"] = state_name(job.state);
  if (!job.operation.empty()) o["operation"] = job.operation;
  if (job.priority != 0) o["priority"] = job.priority;
  if (job.attempt != 0) o["attempt"] = job.attempt;
  if (job.max_attempts != 0) o["maxAttempts"] = job.max_attempts;
  if (!job.node_id.empty()) o["nodeId"] = job.node_id;
  if (!job.output.empty()) {
    if (valid_utf8(job.output)) {
      o["output"] = job.output;
    } else {
      o["outputBase64"] = base64_encode(job.output);
    }
  }
  if (!job.output_cid.empty()) o["outputCID"] = job.output_cid;
  if (job.error_code != fb::ErrorCode::unknown || !job.error_message.empty()) {
    o["error"] = json::object{{"code", error_name(job.error_code)}, {"message", job.error_message}};
  }
  if (job.submitted_at_ms != 0) o["submittedAt"] = job.submitted_at_ms;
  if (job.started_at_ms != 0) o["startedAt"] = job.started_at_ms;
  if (job.completed_at_ms != 0) o["completedAt"] = job.completed_at_ms;
  if (job.dead_lettered) o["deadLettered"] = true;
  if (job.ttl_ms != 0) o["ttlMs"] = job.ttl_ms;
  if (job.timeout_ms != 0) o["timeoutMs"] = job.timeout_ms;
  if (job.input_size != 0) o["inputSize"] = job.input_size;
  return o;
}

// Every field, zero or not: a node's "online": false or "capacity": 0 (draining) is the news.
json::object node_object(const fb::NodeRecord& node) {
  json::array operations;
  if (const auto* ops = node.supported_operations()) {
    for (const auto* op : *ops) operations.emplace_back(view(op));
  }
  return json::object{{"nodeId", view(node.node_id())},
                      {"walletAddress", view(node.wallet_address())},
                      {"publicKey", view(node.public_key())},
                      {"maxConcurrentJobs", node.max_concurrent_jobs()},
                      {"supportedOperations", std::move(operations)},
                      {"activeJobs", node.active_jobs()},
                      {"reputation", node.reputation()},
                      {"online", node.online()},
                      {"lastHeartbeat", node.last_heartbeat_ms()},
                      {"capacity", node.capacity()}};
}

}  // namespace

std::string to_json(const JobInfo& job) {
  return json::serialize(job_object(job));
}

std::string job_update_json(const JobInfo& job, std::string_view kind) {
  return json::serialize(json::object{{"kind", kind}, {"job", job_object(job)}});
}

std::string to_json(const SubmitAckInfo& ack) {
  json::object o = job_object(ack.job);
  if (ack.duplicate) o["duplicate"] = true;
  return json::serialize(o);
}

std::string to_json(const std::vector<JobInfo>& jobs) {
  json::array a;
  a.reserve(jobs.size());
  for (const auto& job : jobs) a.emplace_back(job_object(job));
  return json::serialize(a);
}

std::string to_json(const BrokerStatsInfo& stats) {
  json::object o;
  for (const auto& [name, value] : stats.counters) o[name] = value;
  return json::serialize(o);
}

std::string event_to_json(const fb::Event& event) {
  json::object o;
  o["epoch"] = event.epoch();
  o["seq"] = event.seq();
  o["time"] = event.time_ms();
  switch (event.body_type()) {
    case fb::EventBody::JobEvent: {
      const auto* e = event.body_as_JobEvent();
      o["type"] = "job";
      o["kind"] = name_or_unknown(fb::EnumNameJobEventKind(e->kind()));
      o["job"] = job_object(JobInfo::from(*e->job()));
      break;
    }
    case fb::EventBody::NodeEvent: {
      const auto* e = event.body_as_NodeEvent();
      o["type"] = "node";
      o["kind"] = name_or_unknown(fb::EnumNameNodeEventKind(e->kind()));
      o["node"] = node_object(*e->node());
      break;
    }
    case fb::EventBody::Hugz:
      o["type"] = "hugz";
      break;
    default:
      // A body type from a newer broker: still print the position so gaps stay visible.
      o["type"] = "unknown";
      break;
  }
  return json::serialize(o);
}

}  // namespace litc
