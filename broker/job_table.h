// JobTable: owns every job record the broker knows (live, recently finished, dead-lettered),
// indexed by job id. Finished jobs are kept for status queries and idempotent resubmits, up to a
// bound, oldest evicted first; dead-lettered jobs have their own bound.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/job.h"

namespace litc::broker {

class JobTable {
 public:
  // `on_evict` sees each finished job just before retention drops it (counters follow the table).
  JobTable(std::size_t retain_finished, std::size_t max_dead_letter,
           std::function<void(JobSlot, const Job&)> on_evict = {});

  // Inserts a new job and returns its slot; the id must not exist (check find() first).
  JobSlot insert(Job job);
  // The allocation-free way in (the scheduler's): a slot holding a default Job that keeps its last
  // occupant's string buffers when they are small, so the next job's id, input and result reuse
  // them; fill it in, then publish() it under its id. publish() returns false when that id is
  // taken (the slot stays acquired: rename it and publish again, or release() it).
  JobSlot acquire();
  bool publish(JobSlot slot);
  void release(JobSlot slot);
  JobSlot find(std::string_view id) const;
  Job& at(JobSlot slot) { return slots_[slot]; }
  const Job& at(JobSlot slot) const { return slots_[slot]; }

  // Call once when a job reaches a terminal state: makes it subject to retention / dead letter.
  void on_finished(JobSlot slot);
  // A dead-lettered job was replayed: it leaves the dead-letter list.
  void on_replayed(JobSlot slot);

  // Dead-lettered jobs, oldest first.
  std::vector<JobSlot> dead_letters(std::size_t limit) const;
  std::size_t dead_letter_count() const { return dead_letter_count_; }
  std::size_t size() const { return index_.size(); }

  template <class F>
  void for_each(F&& f) const {
    for (const auto& [id, slot] : index_) f(slots_[slot]);
  }

 private:
  void erase(JobSlot slot);

  struct Hash {
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // A deque never moves its elements, so the index can key on a view of each job's own id
  // (saving a second copy of every id) and growth never needs twice the memory.
  std::deque<Job> slots_;
  std::vector<JobSlot> free_;
  using Index = std::unordered_map<std::string_view, JobSlot, Hash>;
  Index index_;
  // Index nodes of evicted jobs, for the next publish (one allocation fewer per job); bounded.
  std::vector<Index::node_type> spare_nodes_;
  static constexpr std::size_t kMaxSpareNodes = 64;
  // Finished jobs in finishing order; entries for jobs replayed since are skipped lazily.
  std::deque<std::pair<JobSlot, uint64_t>> finished_;
  std::deque<std::pair<JobSlot, uint64_t>> dead_letter_;
  std::vector<uint64_t> finish_stamp_;  // per slot: which finished_/dead_letter_ entry is current
  uint64_t next_stamp_ = 1;
  std::function<void(JobSlot, const Job&)> on_evict_;
  std::size_t retain_finished_;
  std::size_t max_dead_letter_;
  std::size_t finished_count_ = 0;
  std::size_t dead_letter_count_ = 0;
};

}  // namespace litc::broker
