// RedisMirror: broker events and snapshots -> coalesced Redis commands (see redis_mirror.h).
#include "bridge/redis_mirror.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "bridge/job_hash.h"
#include "bridge/redis_keys.h"
#include "protocol/cid.h"
#include "protocol/job_json.h"

namespace litc::bridge {
namespace {

// KEYS[1] job hash, KEYS[2] jobs:pending; ARGV[1] job id, ARGV[2] score when the hash has none
// (Redis lost it): now.
constexpr std::string_view kRequeueScript =
    "local t = redis.call('HGET', KEYS[1], 'submittedAt') or ARGV[2] "
    "redis.call('ZADD', KEYS[2], t, ARGV[1]) return 1";

// KEYS[1] jobs:completed; ARGV[1] the cutoff score ("(ms": older than), ARGV[2] at most this many.
// The oldest entries go with their job hashes: completed jobs carry no TTL of their own (an
// EXPIRE per job costs Redis a command and an expires-dict entry on the hot path); the trim,
// a few times a second, deletes what is past the retention instead.
constexpr std::string_view kTrimScript =
    "local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2]) "
    "for _, id in ipairs(ids) do redis.call('DEL', 'job:' .. id .. ':status') end "
    "if #ids > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #ids - 1) end "
    "return #ids";

std::string_view kind_name(fb::JobEventKind kind) {
  const char* name = fb::EnumNameJobEventKind(kind);
  return (name && *name) ? std::string_view(name) : std::string_view("unknown");
}

bool terminal(fb::JobState s) {
  return s == fb::JobState::completed || s == fb::JobState::failed || s == fb::JobState::cancelled;
}

}  // namespace

void RedisMirror::SetOp::add(uint64_t s) {
  if (state == Member::untouched) first_was_add = true;
  state = Member::added;
  score = s;
}

void RedisMirror::SetOp::remove() {
  if (state == Member::untouched) first_was_add = false;
  state = Member::removed;
}

RedisMirror::RedisMirror(MirrorOptions options) : options_(options) {}

RedisMirror::JobDelta& RedisMirror::delta(std::string_view job_id) {
  auto [it, inserted] = index_.try_emplace(std::string(job_id), order_.size());
  if (inserted) {
    order_.emplace_back();
    order_.back().job.job_id = it->first;
  }
  return order_[it->second];
}

void RedisMirror::merge(JobDelta& d, const fb::JobRecord& r, bool full) {
  JobInfo& j = d.job;
  uint32_t set = kStatus | kAttempt;
  j.state = r.state();
  j.attempt = r.attempt();
  if (auto node = view(r.node_id()); !node.empty()) {
    j.node_id = std::string(node);
    set |= kNodeId;
  }
  if (r.state() == fb::JobState::completed) {
    j.output = std::string(view(r.output()));
    j.output_cid = cid_v1_raw(j.output);
    set |= kOutput;
  }
  if (r.error_code() != fb::ErrorCode::unknown || r.error_message() != nullptr) {
    j.error_code = r.error_code();
    j.error_message = std::string(view(r.error_message()));
    set |= kError;
  }
  if (r.started_at_ms() != 0) {
    j.started_at_ms = r.started_at_ms();
    set |= kStartedAt;
  }
  if (r.completed_at_ms() != 0) {
    j.completed_at_ms = r.completed_at_ms();
    set |= kCompletedAt;
  }
  if (r.dead_lettered()) {
    j.dead_lettered = true;
    set |= kDeadLettered;
  }
  if (const auto* list = r.attestations(); list != nullptr && list->size() != 0) {
    j.attestations.clear();
    for (const fb::ResultAttestation* a : *list)
      j.attestations.push_back(AttestationInfo::from(*a));
    set |= kAttestations;
  }
  if (full) {
    // A full record replaces the hash or writes a new one: fields at their default (0) are left
    // out, an absent field reads as its default (job_hash.h). Every field costs Redis time.
    j.operation = std::string(view(r.operation()));
    j.priority = r.priority();
    j.max_attempts = r.max_attempts();
    j.submitted_at_ms = r.submitted_at_ms();
    j.ttl_ms = r.ttl_ms();
    j.timeout_ms = r.timeout_ms();
    j.input_size = r.input_size();
    j.verified = r.verified();
    j.input_cid = std::string(view(r.input_cid()));
    set |= kOperation | kMaxAttempts | kSubmittedAt | kInputSize;
    if (j.verified) set |= kVerified;
    if (j.attempt == 0) set &= ~kAttempt;
    if (j.priority != 0) set |= kPriority;
    if (j.ttl_ms != 0) set |= kTtl;
    if (j.timeout_ms != 0) set |= kTimeout;
  }
  d.fields |= set;
  d.cleared &= ~set;
}

void RedisMirror::active_add(JobDelta& d, std::string_view node, uint64_t score) {
  d.active_node = std::string(node);
  d.active_score = score;
}

void RedisMirror::active_remove(JobDelta& d, std::string_view node) {
  if (node.empty()) return;
  if (d.active_node == node) {
    d.active_node.clear();  // added this turn: it was not a member before
    return;
  }
  for (const auto& n : d.active_removed) {
    if (n == node) return;
  }
  d.active_removed.emplace_back(node);
}

void RedisMirror::apply(const fb::Event& event) {
  epoch_ = event.epoch();
  seq_ = event.seq();
  switch (event.body_type()) {
    case fb::EventBody::JobEvent: {
      const auto* e = event.body_as_JobEvent();
      // Kinds from a newer broker than this build land on "unknown".
      auto kind = static_cast<std::size_t>(e->kind());
      ++kind_counts_[kind < kind_counts_.size() ? kind : 0];
      any_job_event_ = true;
      apply_job(e->kind(), *e->job());
      return;
    }
    case fb::EventBody::NodeEvent: {
      const auto* e = event.body_as_NodeEvent();
      apply_node(e->kind(), *e->node(), true, &event);
      return;
    }
    default:
      return;  // Hugz, or a body from a newer broker: nothing to mirror
  }
}

void RedisMirror::apply_job(fb::JobEventKind kind, const fb::JobRecord& r) {
  JobDelta& d = delta(view(r.job_id()));
  std::string_view node = view(r.node_id());
  switch (kind) {
    case fb::JobEventKind::submitted:
    case fb::JobEventKind::replayed: {
      // A full record. A replay replaces the hash (it clears the old error and output); a new job
      // needs no DEL (one command in four on the hot path): its id is new, or it is a ledger job
      // submitted again after a broker restart, whose earlier run never finished, so the fields
      // it may have left (nodeId, startedAt) are rewritten when it is assigned.
      std::string id = std::move(d.job.job_id);
      d.job = JobInfo{};
      d.job.job_id = std::move(id);
      d.fields = d.cleared = 0;
      d.reset = kind == fb::JobEventKind::replayed;
      merge(d, r, true);
      d.pending.add(r.submitted_at_ms());
      d.pending_from_hash = false;
      break;
    }
    case fb::JobEventKind::assigned:
      merge(d, r, false);
      d.pending.remove();
      active_add(d, node, r.started_at_ms());
      break;
    case fb::JobEventKind::completed: {
      // nodeId, startedAt and attempt were written with the job's assignment (this turn or an
      // earlier one: events apply gap-free, and a gap rewrites everything from a snapshot). They
      // stay in d.job for the update message, not in the HSET.
      const uint32_t before = d.fields;
      merge(d, r, false);
      d.fields &= before | ~(kNodeId | kStartedAt | kAttempt);
      active_remove(d, node);
      d.completed_score = r.completed_at_ms();
      break;
    }
    case fb::JobEventKind::failed:
    case fb::JobEventKind::cancelled:
      merge(d, r, r.operation() != nullptr);
      d.pending.remove();
      active_remove(d, node);
      break;
    case fb::JobEventKind::requeued: {
      merge(d, r, false);
      active_remove(d, node);
      // Pending again: it holds no node and has not started.
      d.fields &= ~(kNodeId | kStartedAt);
      d.cleared |= kNodeId | kStartedAt;
      d.job.node_id.clear();
      d.job.started_at_ms = 0;
      const bool known = (d.fields & kSubmittedAt) != 0;
      d.pending.add(known ? d.job.submitted_at_ms : 0);
      d.pending_from_hash = !known;
      break;
    }
    case fb::JobEventKind::progress:
    default:
      break;  // no state change; still published below
  }
  d.kind = kind;
  d.publish = true;
  d.from_snapshot = false;  // news after the snapshot: published as what it is
}

void RedisMirror::apply_node(fb::NodeEventKind kind, const fb::NodeRecord& n, bool publish_event,
                             const fb::Event* event) {
  std::string id(view(n.node_id()));
  std::string key = keys::node_status(id);
  std::vector<std::string> hset{"HSET", key};
  auto field = [&](std::string_view name, std::string value) {
    hset.emplace_back(name);
    hset.push_back(std::move(value));
  };
  bool available = false;
  switch (kind) {
    case fb::NodeEventKind::online: {
      std::string ops;
      if (const auto* list = n.supported_operations()) {
        for (const auto* op : *list) {
          if (!ops.empty()) ops += ',';
          ops.append(view(op));
        }
      }
      available = n.online() && n.capacity() > 0;
      field("status", n.online() ? (n.capacity() > 0 ? "online" : "draining") : "offline");
      field("walletAddress", std::string(view(n.wallet_address())));
      field("publicKey", std::string(view(n.public_key())));
      field("maxConcurrentJobs", std::to_string(n.max_concurrent_jobs()));
      field("supportedOperations", std::move(ops));
      field("reputation", std::to_string(n.reputation()));
      if (n.share_index() != 0) field("shareIndex", std::to_string(n.share_index()));
      break;
    }
    case fb::NodeEventKind::capacity:
      available = n.online() && n.capacity() > 0;
      field("status", n.online() ? (n.capacity() > 0 ? "online" : "draining") : "offline");
      break;
    case fb::NodeEventKind::offline:
    default:
      field("status", "offline");
      break;
  }
  field("lastHeartbeat", std::to_string(n.last_heartbeat_ms()));
  field("capacity", std::to_string(n.capacity()));
  field("activeJobs", std::to_string(n.active_jobs()));
  extra_.push_back(std::move(hset));
  extra_.push_back({"EXPIRE", key, std::to_string(options_.node_ttl_s)});
  if (available) {
    online_.insert(id);
    extra_.push_back({"SADD", std::string(keys::kNodesAvailable), id});
  } else {
    online_.erase(id);
    extra_.push_back({"SREM", std::string(keys::kNodesAvailable), id});
  }
  if (publish_event && event != nullptr) {
    extra_.push_back({"PUBLISH", std::string(keys::kGlobalEvents), event_to_json(*event)});
  }
}

void RedisMirror::begin_resync(const std::vector<std::string>& active_keys, RedisBatch& out,
                               uint64_t publish_since_ms) {
  publish_since_ms_ = publish_since_ms;
  order_.clear();
  index_.clear();
  extra_.clear();
  kind_counts_.fill(0);
  any_job_event_ = false;
  // Nodes the last state called online: the snapshot says again which still are.
  for (const auto& id : online_) out.add({"HSET", keys::node_status(id), "status", "offline"});
  online_.clear();
  std::vector<std::string> del{"DEL", std::string(keys::kJobsPending),
                               std::string(keys::kNodesAvailable), std::string(keys::kActiveNodes)};
  del.insert(del.end(), active_keys.begin(), active_keys.end());
  out.add(del);
  out.add({"SET", keys::kMirrorFormat, keys::kMirrorFormatVersion});
  resyncing_ = true;
}

void RedisMirror::snapshot_job(const fb::JobRecord& r) {
  JobDelta& d = delta(view(r.job_id()));
  d.reset = true;
  d.fields = d.cleared = 0;
  merge(d, r, true);
  const uint64_t changed_at =
      std::max({r.submitted_at_ms(), r.started_at_ms(), r.completed_at_ms()});
  if (publish_since_ms_ != 0 && changed_at >= publish_since_ms_) {
    d.publish = true;
    d.from_snapshot = true;
  }
  switch (r.state()) {
    case fb::JobState::pending:
      d.pending.add(r.submitted_at_ms());
      break;
    case fb::JobState::active:
      active_add(d, view(r.node_id()), r.started_at_ms());
      break;
    case fb::JobState::completed:
      d.completed_score = r.completed_at_ms();
      break;
    default:
      break;
  }
}

void RedisMirror::snapshot_node(const fb::NodeRecord& n) {
  apply_node(n.online() ? fb::NodeEventKind::online : fb::NodeEventKind::offline, n, false,
             nullptr);
}

void RedisMirror::write_job(JobDelta& d, RedisBatch& out, uint64_t now_ms) {
  const std::string& id = d.job.job_id;
  std::string key = keys::job_status(id);
  if (d.reset) out.add({"DEL", key});
  if (d.fields != 0) {
    out.begin();
    out.arg("HSET");
    out.arg(key);
    for_each_job_field(d.job, d.fields, [&out](std::string_view name, std::string_view value) {
      out.arg(name);
      out.arg(value);
    });
    out.end();
    ++counters_.jobs_written;
  }
  if ((d.fields & kStatus) && terminal(d.job.state) && d.job.state != fb::JobState::completed) {
    // Failed and cancelled jobs are in no trimmed set: their hash expires after the retention
    // (completed ones go with their jobs:completed entry, see kTrimScript). After the HSET:
    // PEXPIREAT of a missing key does nothing; a replay DELs the hash and with it the expiry.
    const uint64_t finished_at = d.job.completed_at_ms != 0 ? d.job.completed_at_ms : now_ms;
    out.begin();
    out.arg("PEXPIREAT");
    out.arg(key);
    out.arg(finished_at + options_.completed_retention_ms);
    out.end();
  }
  if (d.cleared != 0 && !d.reset) {
    out.begin();
    out.arg("HDEL");
    out.arg(key);
    for_each_job_field(JobInfo{}, d.cleared,
                       [&out](std::string_view name, std::string_view) { out.arg(name); });
    out.end();
  }
  // Set membership is collected over the whole turn and written as one variadic command per key
  // (flush_members): per job, a command costs Redis more than the member it adds.
  if (d.pending.state == Member::added) {
    if (d.pending_from_hash) {
      out.add({"EVAL", kRequeueScript, "2", key, keys::kJobsPending, id, std::to_string(now_ms)});
    } else {
      pending_add_.push_back({{}, d.pending.score, id});
    }
  } else if (d.pending.state == Member::removed && !d.pending.first_was_add) {
    pending_remove_.push_back({{}, 0, id});
  }
  for (const auto& node : d.active_removed) active_remove_.push_back({node, 0, id});
  if (!d.active_node.empty()) active_add_.push_back({d.active_node, d.active_score, id});
  if (d.completed_score != 0) completed_add_.push_back({{}, d.completed_score, id});
  if (d.publish && (d.from_snapshot || !resyncing_)) {
    std::string_view kind = d.from_snapshot ? std::string_view("resync") : kind_name(d.kind);
    out.add({"PUBLISH", keys::job_updates(id), job_update_json(d.job, kind)});
  }
}

void RedisMirror::write_members(RedisBatch& out, std::string_view verb, std::string_view key,
                                const SetMember* first, const SetMember* last, bool scored) {
  while (first != last) {
    const auto n = std::min<std::size_t>(static_cast<std::size_t>(last - first), kMaxMembers);
    out.begin();
    out.arg(verb);
    out.arg(key);
    for (const SetMember* m = first; m != first + n; ++m) {
      if (scored) out.arg(m->score);
      out.arg(m->id);
    }
    out.end();
    first += n;
  }
}

void RedisMirror::flush_members(RedisBatch& out) {
  auto all = [&](std::string_view verb, std::string_view key, const std::vector<SetMember>& v,
                 bool scored) {
    write_members(out, verb, key, v.data(), v.data() + v.size(), scored);
  };
  all("ZREM", keys::kJobsPending, pending_remove_, false);
  all("ZADD", keys::kJobsPending, pending_add_, true);
  all("ZADD", keys::kJobsCompleted, completed_add_, true);
  // jobs:active:{node}: one command per node, removals before additions (a job that moved from
  // node a to node b this turn leaves a, joins b; a node's own remove and add of one job were
  // already netted in the job's delta).
  std::vector<std::string_view> gained;  // nodes whose jobs:active key gains members
  for (auto* v : {&active_remove_, &active_add_}) {
    std::stable_sort(v->begin(), v->end(),
                     [](const SetMember& a, const SetMember& b) { return a.group < b.group; });
    const bool scored = v == &active_add_;
    for (auto run = v->begin(); run != v->end();) {
      auto end =
          std::find_if(run, v->end(), [&](const SetMember& m) { return m.group != run->group; });
      write_members(out, scored ? "ZADD" : "ZREM", keys::jobs_active(run->group), &*run,
                    &*run + (end - run), scored);
      if (scored) gained.push_back(run->group);
      run = end;
    }
  }
  if (!gained.empty()) {
    // Remembered for the next resync, which clears these keys without KEYS (redis_keys.h).
    out.begin();
    out.arg("SADD");
    out.arg(keys::kActiveNodes);
    for (auto node : gained) out.arg(node);
    out.end();
  }
  pending_remove_.clear();
  pending_add_.clear();
  completed_add_.clear();
  active_remove_.clear();
  active_add_.clear();
}

void RedisMirror::flush(RedisBatch& out, uint64_t now_ms, std::vector<std::string>* finished) {
  for (auto& cmd : extra_) out.add(cmd);
  for (auto& d : order_) {
    write_job(d, out, now_ms);
    if (finished != nullptr && (d.fields & kStatus) && terminal(d.job.state)) {
      finished->push_back(d.job.job_id);
    }
  }
  flush_members(out);
  if (any_job_event_ && !resyncing_) {
    std::string msg = "{\"type\":\"jobs\",\"epoch\":" + std::to_string(epoch_) +
                      ",\"seq\":" + std::to_string(seq_) + ",\"counts\":{";
    bool first = true;
    for (std::size_t kind = 0; kind < kind_counts_.size(); ++kind) {
      const uint64_t n = kind_counts_[kind];
      if (n == 0) continue;
      if (!first) msg += ',';
      first = false;
      msg += '"';
      msg += kind_name(static_cast<fb::JobEventKind>(kind));  // enum names need no escaping
      msg += "\":";
      msg += std::to_string(n);
    }
    msg += "}}";
    out.add({"PUBLISH", keys::kGlobalEvents, msg});
  }
  order_.clear();
  index_.clear();
  extra_.clear();
  kind_counts_.fill(0);
  any_job_event_ = false;
  resyncing_ = false;
}

void RedisMirror::trim(RedisBatch& out, uint64_t now_ms) {
  if (now_ms < last_trim_ms_ + kTrimEveryMs || now_ms <= options_.completed_retention_ms) return;
  last_trim_ms_ = now_ms;
  out.add({"EVAL", kTrimScript, "1", keys::kJobsCompleted,
           "(" + std::to_string(now_ms - options_.completed_retention_ms),
           std::to_string(kTrimBatch)});
}

void RedisMirror::refresh_nodes(RedisBatch& out, uint64_t now_ms) const {
  for (const auto& id : online_) {
    std::string key = keys::node_status(id);
    out.add({"HSET", key, "lastHeartbeat", std::to_string(now_ms)});
    out.add({"EXPIRE", key, std::to_string(options_.node_ttl_s)});
  }
}

}  // namespace litc::bridge
