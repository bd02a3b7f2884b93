// ReadyQueue: the pending jobs of one operation, highest priority first, FIFO within a priority.
// Entries are (slot, queue_gen); an entry whose job has since left `pending` or been re-enqueued
// is stale and skipped when it reaches the head, so cancel and expiry are O(1).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>

#include "broker/job.h"

namespace litc::broker {

class ReadyQueue {
 public:
  struct Entry {
    JobSlot slot;
    uint32_t gen;
  };

  void push_back(int32_t priority, Entry e) { buckets_[priority].push_back(e); }
  // Re-queued jobs go ahead of the jobs of their priority: they were submitted earlier.
  void push_front(int32_t priority, Entry e) { buckets_[priority].push_front(e); }

  // Head entry that `live(entry)` accepts, dropping stale ones on the way; nullptr when empty.
  template <class Live>
  const Entry* head(Live&& live) {
    while (!buckets_.empty()) {
      auto it = buckets_.begin();
      auto& q = it->second;
      while (!q.empty() && !live(q.front())) q.pop_front();
      if (!q.empty()) return &q.front();
      buckets_.erase(it);
    }
    return nullptr;
  }
  // Removes the entry head() returned.
  void pop_head() {
    auto it = buckets_.begin();
    it->second.pop_front();
    if (it->second.empty()) buckets_.erase(it);
  }
  bool empty() const { return buckets_.empty(); }

 private:
  std::map<int32_t, std::deque<Entry>, std::greater<>> buckets_;
};

}  // namespace litc::broker
