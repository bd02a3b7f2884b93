// JSON views of jobs, stats and events (see job_json.h), built with Boost.JSON (lc::json).
#include "protocol/job_json.h"

#include <boost/json.hpp>
#include <charconv>
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

// JSON string literal of s, escaped as Boost.JSON's serializer escapes (so the CLI's output did
// not change when job views stopped going through json::object, which cost a hash map per job).
void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

void append_hex(std::string& out, std::string_view bytes) {
  for (unsigned char c : bytes) {
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 15];
  }
}

void append_attestations(std::string& out, const std::vector<AttestationInfo>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    const AttestationInfo& a = list[i];
    out += i ? ",{\"nodeId\":" : "{\"nodeId\":";
    append_string(out, a.node_id);
    out += ",\"publicKey\":";
    append_string(out, a.public_key);
    out += ",\"outputCID\":";
    append_string(out, a.output_cid);
    out += ",\"signature\":\"";
    append_hex(out, a.signature);
    out += "\"}";
  }
  out += ']';
}

template <class N>
void append_number(std::string& out, N n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

// Fields in the order job_json.h lists them; zero and empty ones are left out so a pending job
// prints short and a reader can test for presence. Appends the object without its closing brace
// so callers can add fields ("duplicate").
void append_job_fields(std::string& out, const JobInfo& job) {
  auto key = [&out](const char* name) {
    out += ",\"";
    out += name;
    out += "\":";
  };
  out += "{\"jobId\":";
  append_string(out, job.job_id);
  key("status");
  append_string(out, state_name(job.state));
  if (!job.operation.empty()) key("operation"), append_string(out, job.operation);
  if (job.priority != 0) key("priority"), append_number(out, job.priority);
  if (job.attempt != 0) key("attempt"), append_number(out, job.attempt);
  if (job.max_attempts != 0) key("maxAttempts"), append_number(out, job.max_attempts);
  if (!job.node_id.empty()) key("nodeId"), append_string(out, job.node_id);
  if (!job.output.empty()) {
    if (valid_utf8(job.output)) {
      key("output"), append_string(out, job.output);
    } else {
      key("outputBase64"), append_string(out, base64_encode(job.output));
    }
  }
  if (!job.output_cid.empty()) key("outputCID"), append_string(out, job.output_cid);
  if (job.error_code != fb::ErrorCode::unknown || !job.error_message.empty()) {
    key("error");
    out += "{\"code\":";
    append_string(out, error_name(job.error_code));
    out += ",\"message\":";
    append_string(out, job.error_message);
    out += '}';
  }
  if (job.submitted_at_ms != 0) key("submittedAt"), append_number(out, job.submitted_at_ms);
  if (job.started_at_ms != 0) key("startedAt"), append_number(out, job.started_at_ms);
  if (job.completed_at_ms != 0) key("completedAt"), append_number(out, job.completed_at_ms);
  if (job.dead_lettered) key("deadLettered"), out += "true";
  if (job.ttl_ms != 0) key("ttlMs"), append_number(out, job.ttl_ms);
  if (job.timeout_ms != 0) key("timeoutMs"), append_number(out, job.timeout_ms);
  if (job.input_size != 0) key("inputSize"), append_number(out, job.input_size);
  if (job.verified) key("verified"), out += "true";
  if (!job.input_cid.empty()) key("inputCID"), append_string(out, job.input_cid);
  if (!job.attestations.empty()) key("attestations"), append_attestations(out, job.attestations);
}

void append_job(std::string& out, const JobInfo& job) {
  append_job_fields(out, job);
  out += '}';
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
                      {"capacity", node.capacity()},
                      {"shareIndex", node.share_index()}};
}

}  // namespace

std::string to_json(const JobInfo& job) {
  std::string out;
  out.reserve(256 + job.output.size());
  append_job(out, job);
  return out;
}

std::string job_update_json(const JobInfo& job, std::string_view kind) {
  std::string out;
  out.reserve(256 + job.output.size());
  out += "{\"kind\":";
  append_string(out, kind);
  out += ",\"job\":";
  append_job(out, job);
  out += '}';
  return out;
}

std::string to_json(const SubmitAckInfo& ack) {
  std::string out;
  append_job_fields(out, ack.job);
  if (ack.duplicate) out += ",\"duplicate\":true";
  out += '}';
  return out;
}

std::string to_json(const std::vector<JobInfo>& jobs) {
  std::string out = "[";
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (i > 0) out += ',';
    append_job(out, jobs[i]);
  }
  out += ']';
  return out;
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
      // The job object is spliced in as text (it is written without json::object).
      std::string out = json::serialize(o);
      out.back() = ',';
      out += "\"job\":";
      append_job(out, JobInfo::from(*e->job()));
      out += '}';
      return out;
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

std::string attestations_json(const std::vector<AttestationInfo>& list) {
  std::string out;
  append_attestations(out, list);
  return out;
}

std::optional<std::vector<AttestationInfo>> attestations_from_json(const json::value& v) {
  const json::array* list = v.if_array();
  if (list == nullptr) return std::nullopt;
  std::vector<AttestationInfo> out;
  for (const json::value& item : *list) {
    const json::object* o = item.if_object();
    if (o == nullptr) return std::nullopt;
    auto text = [&](const char* name) -> const json::string* {
      const json::value* m = o->if_contains(name);
      return m ? m->if_string() : nullptr;
    };
    const json::string* node = text("nodeId");
    const json::string* key = text("publicKey");
    const json::string* cid = text("outputCID");
    const json::string* sig = text("signature");
    if (!node || !key || !cid || !sig || sig->size() % 2 != 0) return std::nullopt;
    AttestationInfo a{std::string(*node), std::string(*key), std::string(*cid), {}};
    for (std::size_t i = 0; i < sig->size(); i += 2) {
      auto nibble = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      };
      const int hi = nibble((*sig)[i]);
      const int lo = nibble((*sig)[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      a.signature.push_back(static_cast<char>(hi * 16 + lo));
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<std::vector<AttestationInfo>> attestations_from_json(std::string_view text) {
  json::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  return attestations_from_json(v);
}

}  // namespace litc
