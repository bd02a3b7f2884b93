// JobTable: job records by id, with bounded retention of finished and dead-lettered jobs.
#include "broker/job_table.h"

namespace litc::broker {

JobTable::JobTable(std::size_t retain_finished, std::size_t max_dead_letter,
                   std::function<void(JobSlot, const Job&)> on_evict)
    : on_evict_(std::move(on_evict)),
      retain_finished_(retain_finished),
      max_dead_letter_(max_dead_letter) {}

namespace {

// Buffers up to this size stay with a freed slot for its next job; bigger ones are released (a
// free slot must not pin a megabyte input).
constexpr std::size_t kKeptBufferBytes = 1024;

std::string emptied(std::string& s) {
  std::string out = std::move(s);
  if (out.capacity() > kKeptBufferBytes) {
    std::string().swap(out);
  } else {
    out.clear();
  }
  return out;
}

// A default Job, but with `job`'s (small) string buffers.
void recycle(Job& job) {
  std::string id = emptied(job.id), input = emptied(job.input);
  std::string result = emptied(job.result), node = emptied(job.node_id);
  job = Job{};
  job.id = std::move(id);
  job.input = std::move(input);
  job.result = std::move(result);
  job.node_id = std::move(node);
}

}  // namespace

JobSlot JobTable::acquire() {
  if (!free_.empty()) {
    JobSlot slot = free_.back();
    free_.pop_back();
    return slot;  // recycled by erase(), its index entry gone
  }
  slots_.emplace_back();
  finish_stamp_.push_back(0);
  return static_cast<JobSlot>(slots_.size() - 1);
}

bool JobTable::publish(JobSlot slot) {
  finish_stamp_[slot] = 0;
  const std::string_view id(slots_[slot].id);
  if (spare_nodes_.empty()) return index_.emplace(id, slot).second;
  Index::node_type node = std::move(spare_nodes_.back());
  spare_nodes_.pop_back();
  node.key() = id;
  node.mapped() = slot;
  auto r = index_.insert(std::move(node));
  if (!r.inserted) spare_nodes_.push_back(std::move(r.node));
  return r.inserted;
}

void JobTable::release(JobSlot slot) {
  recycle(slots_[slot]);
  free_.push_back(slot);
}

JobSlot JobTable::insert(Job job) {
  JobSlot slot = acquire();
  slots_[slot] = std::move(job);
  publish(slot);
  return slot;
}

JobSlot JobTable::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? kNoJob : it->second;
}

void JobTable::on_finished(JobSlot slot) {
  uint64_t stamp = next_stamp_++;
  finish_stamp_[slot] = stamp;
  if (slots_[slot].dead_lettered) {
    dead_letter_.emplace_back(slot, stamp);
    ++dead_letter_count_;
    while (dead_letter_count_ > max_dead_letter_ && !dead_letter_.empty()) {
      auto [old, s] = dead_letter_.front();
      dead_letter_.pop_front();
      if (finish_stamp_[old] != s) continue;
      --dead_letter_count_;
      erase(old);
    }
    return;
  }
  finished_.emplace_back(slot, stamp);
  ++finished_count_;
  while (finished_count_ > retain_finished_ && !finished_.empty()) {
    auto [old, s] = finished_.front();
    finished_.pop_front();
    if (finish_stamp_[old] != s) continue;
    --finished_count_;
    erase(old);
  }
}

void JobTable::on_replayed(JobSlot slot) {
  if (finish_stamp_[slot] != 0 && slots_[slot].dead_lettered) --dead_letter_count_;
  finish_stamp_[slot] = 0;  // its dead_letter_ entry is now stale
  slots_[slot].dead_lettered = false;
  // Drop stale entries at the front so the deque does not grow with replays.
  while (!dead_letter_.empty() &&
         finish_stamp_[dead_letter_.front().first] != dead_letter_.front().second) {
    dead_letter_.pop_front();
  }
}

std::vector<JobSlot> JobTable::dead_letters(std::size_t limit) const {
  std::vector<JobSlot> out;
  for (const auto& [slot, stamp] : dead_letter_) {
    if (finish_stamp_[slot] != stamp) continue;
    out.push_back(slot);
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

void JobTable::erase(JobSlot slot) {
  if (on_evict_) on_evict_(slot, slots_[slot]);
  auto node = index_.extract(std::string_view(slots_[slot].id));
  if (!node.empty() && spare_nodes_.size() < kMaxSpareNodes)
    spare_nodes_.push_back(std::move(node));
  finish_stamp_[slot] = 0;
  release(slot);
}

}  // namespace litc::broker
