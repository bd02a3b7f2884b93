// JobTable: job records by id, with bounded retention of finished and dead-lettered jobs.
#include "broker/job_table.h"

namespace litc::broker {

JobTable::JobTable(std::size_t retain_finished, std::size_t max_dead_letter,
                   std::function<void(JobSlot, const Job&)> on_evict)
    : on_evict_(std::move(on_evict)),
      retain_finished_(retain_finished),
      max_dead_letter_(max_dead_letter) {}

JobSlot JobTable::insert(Job job) {
  JobSlot slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    slots_[slot] = std::move(job);  // the index entry of the old occupant went in erase()
  } else {
    slot = static_cast<JobSlot>(slots_.size());
    slots_.push_back(std::move(job));
    finish_stamp_.push_back(0);
  }
  finish_stamp_[slot] = 0;
  index_.emplace(std::string_view(slots_[slot].id), slot);
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
  index_.erase(slots_[slot].id);
  slots_[slot] = Job{};
  finish_stamp_[slot] = 0;
  free_.push_back(slot);
}

}  // namespace litc::broker
