// ReadyQueue: the pending jobs of one operation, highest priority first, FIFO within a priority.
// Entries are (slot, queue_gen); an entry whose job has since left `pending` or been re-enqueued
// is stale and skipped when it reaches the head, so cancel and expiry are O(1).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <iterator>
#include <map>

#include "broker/job.h"

namespace litc::broker {

class ReadyQueue {
 public:
  struct Entry {
    JobSlot slot;
    uint32_t gen;
  };

  void push_back(int32_t priority, Entry e) { push(false, priority, e); }
  // Re-queued jobs go ahead of the jobs of their priority: they were submitted earlier.
  void push_front(int32_t priority, Entry e) { push(true, priority, e); }

  // Head entry that `live(entry)` accepts, dropping stale ones on the way; nullptr when empty.
  template <class Live>
  const Entry* head(Live&& live) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      auto& q = it->second;
      while (!q.empty() && !live(q.front())) {
        q.pop_front();
        --size_;
      }
      if (!q.empty()) return &q.front();
      it = drop_if_many(it);
    }
    return nullptr;
  }
  // Removes the entry head() returned.
  void pop_head() {
    for (auto it = buckets_.begin(); it != buckets_.end(); ++it) {
      if (it->second.empty()) continue;
      it->second.pop_front();
      --size_;
      return;
    }
  }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }  // stale entries included

  void push(bool front, int32_t priority, Entry e) {
    auto& q = buckets_[priority];
    if (front) {
      q.push_front(e);
    } else {
      q.push_back(e);
    }
    ++size_;
  }

 private:
  // An emptied bucket is kept for reuse while there are few of them: a queue that drains and
  // refills (the common steady state) would otherwise allocate a map node and a deque block for
  // every job.
  using Buckets = std::map<int32_t, std::deque<Entry>, std::greater<>>;
  Buckets::iterator drop_if_many(Buckets::iterator it) {
    if (buckets_.size() > kKeptEmptyBuckets) return buckets_.erase(it);
    return std::next(it);
  }
  static constexpr std::size_t kKeptEmptyBuckets = 8;
  Buckets buckets_;
  std::size_t size_ = 0;  // entries, stale ones included
};

}  // namespace litc::broker
