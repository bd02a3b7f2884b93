// SubmissionLedger: HTTP-accepted unfinished jobs in Redis (see submission_ledger.h).
#include "bridge/submission_ledger.h"

#include <boost/json.hpp>

#include "bridge/job_hash.h"
#include "bridge/redis_keys.h"
#include "protocol/base64.h"

namespace litc::bridge {
namespace json = boost::json;

bool SubmissionLedger::memory_only(std::string_view operation) {
  return operation == "encrypt" || operation == "decrypt";
}

RedisBatch SubmissionLedger::load_read() {
  RedisBatch b;
  b.add({"HKEYS", keys::kSubmissions});
  return b;
}

bool SubmissionLedger::load(RedisStatus status, std::vector<RedisReply>& replies, RedisBatch& out) {
  if (status != RedisStatus::ok || replies.size() != 1 ||
      replies[0].type != RedisReply::Type::array) {
    return false;
  }
  std::unordered_set<std::string> in_redis;
  for (auto& e : replies[0].elements) in_redis.insert(std::move(e.str));
  for (const auto& [id, entry] : entries_) {
    if (!entry.memory_only && !entry.json.empty() && in_redis.count(id) == 0) {
      out.add({"HSET", keys::kSubmissions, id, entry.json});
    }
  }
  for (auto& id : in_redis) entries_.try_emplace(id);
  return true;
}

void SubmissionLedger::add(const SubmitRequest& r, RedisBatch& out) {
  Entry entry{to_json(r), memory_only(r.operation)};
  if (!entry.memory_only) out.add({"HSET", keys::kSubmissions, r.job_id, entry.json});
  entries_[r.job_id] = std::move(entry);
}

void SubmissionLedger::remove(std::string_view job_id, RedisBatch& out) {
  auto it = entries_.find(std::string(job_id));
  if (it == entries_.end()) return;
  const bool in_redis = !it->second.memory_only;
  entries_.erase(it);
  if (in_redis) out.add({"HDEL", keys::kSubmissions, job_id});
}

bool SubmissionLedger::contains(std::string_view job_id) const {
  return entries_.count(std::string(job_id)) != 0;
}

std::optional<SubmitRequest> SubmissionLedger::request(const std::string& job_id) const {
  auto it = entries_.find(job_id);
  if (it == entries_.end() || it->second.json.empty()) return std::nullopt;
  return from_json(job_id, it->second.json);
}

void SubmissionLedger::seen(std::string_view job_id) {
  std::string id(job_id);
  if (entries_.count(id) != 0) seen_.insert(std::move(id));
}

std::vector<std::string> SubmissionLedger::missing() const {
  std::vector<std::string> out;
  for (const auto& [id, entry] : entries_) {
    if (seen_.count(id) == 0) out.push_back(id);
  }
  return out;
}

RedisBatch SubmissionLedger::pending_read(const std::vector<std::string>& ids) {
  RedisBatch reads;
  for (const auto& id : ids) {
    reads.add({"HGET", keys::kSubmissions, id});
    reads.add({"HGET", keys::job_status(id), "status"});
  }
  return reads;
}

std::vector<SubmitRequest> SubmissionLedger::pending_submits(const std::vector<std::string>& ids,
                                                             RedisStatus status,
                                                             const std::vector<RedisReply>& replies,
                                                             RedisBatch& out) {
  std::vector<SubmitRequest> submits;
  if (status == RedisStatus::down || replies.size() != ids.size() * 2) return submits;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto entry = entries_.find(ids[i]);
    if (entry == entries_.end()) continue;  // finished while the read was on its way
    const std::string& stored =
        entry->second.json.empty() ? replies[i * 2].str : entry->second.json;
    fb::JobState state = parse_state(replies[i * 2 + 1].str);
    if (state == fb::JobState::completed || state == fb::JobState::failed ||
        state == fb::JobState::cancelled) {
      remove(ids[i], out);  // it finished while we were not looking
      continue;
    }
    if (auto submit = from_json(ids[i], stored)) submits.push_back(std::move(*submit));
  }
  return submits;
}

std::string SubmissionLedger::to_json(const SubmitRequest& r) {
  json::object o{{"operation", r.operation}, {"inputBase64", base64_encode(r.input)}};
  if (r.priority != 0) o["priority"] = r.priority;
  if (r.max_attempts != 0) o["maxAttempts"] = r.max_attempts;
  if (r.ttl_ms != 0) o["ttlMs"] = r.ttl_ms;
  if (r.timeout_ms != 0) o["timeoutMs"] = r.timeout_ms;
  if (r.verified) o["verified"] = true;
  return json::serialize(o);
}

std::optional<SubmitRequest> SubmissionLedger::from_json(std::string_view job_id,
                                                         std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  SubmitRequest r;
  r.job_id = std::string(job_id);
  const auto* op = o.if_contains("operation");
  const auto* input = o.if_contains("inputBase64");
  if (op == nullptr || !op->is_string() || input == nullptr || !input->is_string()) {
    return std::nullopt;
  }
  r.operation = std::string(op->as_string());
  auto bytes = base64_decode(input->as_string());
  if (!bytes) return std::nullopt;
  r.input = std::move(*bytes);
  auto number = [&](const char* key) -> int64_t {
    const auto* f = o.if_contains(key);
    return (f != nullptr && f->is_int64()) ? f->as_int64() : 0;
  };
  r.priority = static_cast<int32_t>(number("priority"));
  r.max_attempts = static_cast<uint32_t>(number("maxAttempts"));
  r.ttl_ms = static_cast<uint32_t>(number("ttlMs"));
  r.timeout_ms = static_cast<uint32_t>(number("timeoutMs"));
  const auto* verified = o.if_contains("verified");
  r.verified = verified != nullptr && verified->is_bool() && verified->as_bool();
  return r;
}

}  // namespace litc::bridge
