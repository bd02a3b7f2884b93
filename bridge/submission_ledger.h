// SubmissionLedger: the jobs this bridge accepted over HTTP that have not finished, kept in Redis
// (hash bridge:submissions, jobId -> the submit as JSON) AND in memory, so neither a broker
// restart nor a Redis that comes back empty can lose them.
//
// DESIGN. An HTTP submit is written here before the broker sees it and before the client is
// answered; the entry goes when the mirror sees the job finish. After every snapshot the bridge
// asks `missing()` which ledger jobs the broker does not hold and submits them again with their
// own job ids (idempotent at the broker), so a job accepted over HTTP runs at least once whatever
// restarts in between. Every submit this process accepted stays in memory until it finishes: when
// Redis (re)connects, load() writes back the entries Redis lost (a restart without persistence)
// and learns the ids a previous bridge process left there (their submits are read on demand).
//
// Secrets are never written: an `encrypt` submit carries plaintext and a `decrypt` submit a bearer
// authSig, so their entries live in memory only (memory_only()). They are still re-submitted after
// a broker restart and on an unanswered Submit, and load() never writes them back; the cost is that
// one accepted while the broker is down is lost if this bridge process restarts too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bridge/redis/redis_connection.h"
#include "protocol/client.h"

namespace litc::bridge {

class SubmissionLedger {
 public:
  // True for the operations whose input must never reach Redis (see the header comment).
  static bool memory_only(std::string_view operation);

  // Reconciling with Redis when it (re)connects, without waiting on it: send load_read() (HKEYS),
  // then hand its answer to load(), which learns the ids a previous process left and writes back
  // (HSET via `out`) what only memory holds. False when the read failed (retried at the next
  // reconnect).
  static RedisBatch load_read();
  bool load(RedisStatus status, std::vector<RedisReply>& replies, RedisBatch& out);
  void add(const SubmitRequest& request, RedisBatch& out);
  void remove(std::string_view job_id, RedisBatch& out);
  // Drops the id from memory only (its HSET never reached Redis, or there was none).
  void forget(const std::string& job_id) { entries_.erase(job_id); }
  bool contains(std::string_view job_id) const;
  // The submit this process holds for job_id (nullopt for an id only Redis knows).
  std::optional<SubmitRequest> request(const std::string& job_id) const;
  std::size_t size() const { return entries_.size(); }

  // Snapshot bookkeeping: begin, mark every job the snapshot holds, then missing() = ledger jobs
  // not marked.
  void begin_snapshot() { seen_.clear(); }
  void seen(std::string_view job_id);
  std::vector<std::string> missing() const;

  // Which of `ids` (at most a few hundred per read) still need a Submit: send pending_read(ids),
  // then pending_submits(ids, its answer) gives the submits whose job:{id}:status is not terminal
  // (the others are removed from the ledger via `out`). Empty when the read failed.
  static RedisBatch pending_read(const std::vector<std::string>& ids);
  std::vector<SubmitRequest> pending_submits(const std::vector<std::string>& ids,
                                             RedisStatus status,
                                             const std::vector<RedisReply>& replies,
                                             RedisBatch& out);

  static std::string to_json(const SubmitRequest& request);
  static std::optional<SubmitRequest> from_json(std::string_view job_id, std::string_view json);

 private:
  struct Entry {
    std::string json;  // the submit; empty for an id only known from Redis (a previous process's)
    bool memory_only = false;
  };
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_set<std::string> seen_;
};

}  // namespace litc::bridge
