// RedisMirror: turns the broker's snapshot and events into Redis commands under the seed's key
// schema (bridge/redis_keys.h). It holds no socket and no Redis connection: it appends commands to
// a RedisBatch that the bridge loop sends in one pipelined round trip per turn, so it is tested by
// feeding records and reading the commands back.
//
// DESIGN.
//  - What Redis holds: job:{id}:status (hash, field names in job_hash.h; deleted with its
//    jobs:completed entry, or for a failed/cancelled job expiring, completed_retention after the
//    job finished), jobs:pending (zset by submit ms), jobs:active:{nodeId} (zset by start ms),
//    jobs:completed (zset by completion ms, entries older than completed_retention trimmed a few
//    times a second), nodes:{id}:status (hash, TTL node_ttl,
//    refreshed), nodes:available (set). Each is derived from events only; nothing else writes them.
//  - Coalescing per turn: every event of one turn for the same job merges into one delta, written
//    as one HSET of the changed fields plus the NET set-membership changes. A job submitted,
//    assigned and completed within one turn costs one HSET, one ZADD jobs:completed and one
//    PUBLISH, not seven writes and three PUBLISHes. Order inside a turn is kept where it matters:
//    membership ops are applied as the last op per set wins.
//  - Publishing: channel:job:{id}:updates gets one message per job per turn, the job's state after
//    the turn (`{"kind":…,"job":{…}}`, kind = the last transition); channel:global:events gets one
//    summary per turn (`{"type":"jobs","epoch","seq","counts":{kind:n}}`) and one message per node
//    event. A resync rewrites state and publishes `{"kind":"resync","job":{…}}` only for the jobs
//    that changed since the newest event Redis confirmed before the gap (by their submit, start
//    or completion time): a subscriber waiting on a job that finished during the gap still hears
//    of it, without a message for every retained job.
//  - Requeued events carry no submit time; the job goes back into jobs:pending with the submit
//    time its hash holds (a tiny Lua script), so the zset stays ordered by submit time.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bridge/redis/redis_connection.h"
#include "protocol/client.h"
#include "protocol/codec.h"

namespace litc::bridge {

struct MirrorOptions {
  // jobs:completed entries older than this are trimmed, and a finished job's hash expires this
  // long after it finished (Redis must not grow with every job ever run).
  uint64_t completed_retention_ms = 7ull * 24 * 3600 * 1000;
  unsigned node_ttl_s = 300;
};

struct MirrorCounters {
  uint64_t jobs_written = 0;  // HSETs of job hashes (after coalescing)
};

class RedisMirror {
 public:
  explicit RedisMirror(MirrorOptions options = {});

  // A job or node event (Hugz and unknown bodies are ignored).
  void apply(const fb::Event& event);

  // A resync: forget the turn's deltas, clear the derived sets (`active_keys`: the jobs:active:*
  // keys Redis holds now), then snapshot_job/snapshot_node for every record, then flush.
  // `publish_since_ms`: broker time of the newest event whose writes Redis confirmed (0: none) —
  // jobs of the snapshot that changed at or after it get a "resync" update on their channel, so
  // a subscriber learns of a job that finished during the gap; 0 publishes nothing.
  void begin_resync(const std::vector<std::string>& active_keys, RedisBatch& out,
                    uint64_t publish_since_ms = 0);
  void snapshot_job(const fb::JobRecord& job);
  void snapshot_node(const fb::NodeRecord& node);

  // Appends the turn's commands to `out` and starts a new turn. Jobs that reached a terminal state
  // this turn are appended to `finished` (the submission ledger forgets them).
  void flush(RedisBatch& out, uint64_t now_ms, std::vector<std::string>* finished = nullptr);
  bool dirty() const { return !order_.empty() || !extra_.empty(); }

  // Removes the jobs:completed entries older than the retention, with their job hashes; runs at
  // most every kTrimEveryMs (called every turn, busy or idle).
  void trim(RedisBatch& out, uint64_t now_ms);

  // Re-arms the TTL of every online node's hash and its lastHeartbeat (the broker only sends node
  // events on changes; a node that stays online must not expire).
  void refresh_nodes(RedisBatch& out, uint64_t now_ms) const;
  const std::unordered_set<std::string>& online_nodes() const { return online_; }

  const MirrorCounters& counters() const { return counters_; }

 private:
  enum class Member : uint8_t { untouched, added, removed };
  struct SetOp {
    Member state = Member::untouched;
    bool first_was_add = false;  // then the job was not a member before this turn
    uint64_t score = 0;
    void add(uint64_t s);
    void remove();
  };
  struct JobDelta {
    JobInfo job;
    uint32_t fields = 0;   // Field bits set in job
    uint32_t cleared = 0;  // Field bits to HDEL
    bool reset = false;    // DEL the hash before writing (a full record replaces it)
    SetOp pending;
    bool pending_from_hash = false;  // requeue: score = the hash's submittedAt
    std::string active_node;         // added to jobs:active:{node} this turn
    uint64_t active_score = 0;
    std::vector<std::string> active_removed;  // nodes whose jobs:active loses the job
    uint64_t completed_score = 0;
    fb::JobEventKind kind = fb::JobEventKind::unknown;
    bool publish = false;
    bool from_snapshot = false;  // published as kind "resync"
  };

  // One member of a set written this turn; views into order_ (valid until the turn ends).
  struct SetMember {
    std::string_view group;  // the node of jobs:active:{node}; empty for the other sets
    uint64_t score = 0;
    std::string_view id;
  };
  static constexpr std::size_t kMaxMembers = 1024;  // per command: bounds one command's run time

  JobDelta& delta(std::string_view job_id);
  void write_members(RedisBatch& out, std::string_view verb, std::string_view key,
                     const SetMember* first, const SetMember* last, bool scored);
  void flush_members(RedisBatch& out);
  void merge(JobDelta& d, const fb::JobRecord& r, bool full);
  void apply_job(fb::JobEventKind kind, const fb::JobRecord& r);
  void apply_node(fb::NodeEventKind kind, const fb::NodeRecord& n, bool publish_event,
                  const fb::Event* event);
  void active_add(JobDelta& d, std::string_view node, uint64_t score);
  void active_remove(JobDelta& d, std::string_view node);
  void write_job(JobDelta& d, RedisBatch& out, uint64_t now_ms);

  MirrorOptions options_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<JobDelta> order_;
  std::vector<std::vector<std::string>> extra_;  // node writes and publishes, in event order
  std::vector<SetMember> pending_add_, pending_remove_, completed_add_, active_add_, active_remove_;
  // This turn's job events by kind (indexed by JobEventKind; no string per event).
  std::array<uint64_t, static_cast<std::size_t>(fb::JobEventKind::MAX) + 1> kind_counts_{};
  bool any_job_event_ = false;
  uint64_t epoch_ = 0;
  uint64_t seq_ = 0;
  bool resyncing_ = false;
  uint64_t publish_since_ms_ = 0;  // of the current resync (0: publish nothing)
  std::unordered_set<std::string> online_;
  uint64_t last_trim_ms_ = 0;
  // The trim runs this often and deletes at most this many jobs a run (up to 200k jobs/s; one run
  // holds Redis for a few ms at most).
  static constexpr uint64_t kTrimEveryMs = 100;
  static constexpr std::size_t kTrimBatch = 20'000;
  MirrorCounters counters_;
};

}  // namespace litc::bridge
