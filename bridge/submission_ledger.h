// SubmissionLedger: the jobs this bridge accepted over HTTP that have not finished, kept in Redis
// (hash bridge:submissions, jobId -> the submit as JSON) so a broker restart cannot lose them.
//
// DESIGN. An HTTP submit is written here before the broker sees it and before the client is
// answered; the entry goes when the mirror sees the job finish. After every snapshot the bridge
// asks `missing()` which ledger jobs the broker does not hold and submits them again with their
// own job ids (idempotent at the broker), so a job accepted over HTTP runs at least once whatever
// restarts in between. The in-memory set mirrors the hash's keys; it is reloaded whenever Redis
// (re)connects.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "bridge/redis/redis_connection.h"
#include "protocol/client.h"

namespace litc::bridge {

class SubmissionLedger {
 public:
  // Reads the hash's keys (HKEYS); false when Redis is down.
  bool load(RedisConnection& redis);
  void add(const SubmitRequest& request, RedisBatch& out);
  void remove(std::string_view job_id, RedisBatch& out);
  // Drops the id from memory only (its HSET never reached Redis).
  void forget(const std::string& job_id) { ids_.erase(job_id); }
  bool contains(std::string_view job_id) const;
  std::size_t size() const { return ids_.size(); }

  // Snapshot bookkeeping: begin, mark every job the snapshot holds, then missing() = ledger jobs
  // not marked.
  void begin_snapshot() { seen_.clear(); }
  void seen(std::string_view job_id);
  std::vector<std::string> missing() const;

  // The stored submits of `ids` whose job:{id}:status is not terminal (others are removed from
  // the ledger via `out`). Empty when Redis is down.
  std::vector<SubmitRequest> pending_submits(RedisConnection& redis,
                                             const std::vector<std::string>& ids, RedisBatch& out);

  static std::string to_json(const SubmitRequest& request);
  static std::optional<SubmitRequest> from_json(std::string_view job_id, std::string_view json);

 private:
  std::unordered_set<std::string> ids_;
  std::unordered_set<std::string> seen_;
};

}  // namespace litc::bridge
