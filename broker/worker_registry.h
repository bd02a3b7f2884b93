// WorkerRegistry: the workers the broker knows, by routing id and node id, and for each operation
// the workers that can take one more job of it, ordered least loaded first, then reputation.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "broker/job.h"

namespace litc::broker {

class WorkerRegistry {
 public:
  explicit WorkerRegistry(std::size_t operation_count)
      : available_(operation_count), signing_available_(operation_count, 0) {}

  WorkerSlot add(Worker worker);
  // Removes the worker (its assignments must have been handled by the caller).
  void remove(WorkerSlot slot);

  WorkerSlot find_by_routing_id(std::string_view routing_id) const;
  WorkerSlot find_by_node_id(std::string_view node_id) const;
  Worker& at(WorkerSlot slot) { return slots_[slot]; }
  const Worker& at(WorkerSlot slot) const { return slots_[slot]; }

  // Call around any change to a worker's load, capacity or liveness, so `available_` stays exact:
  //   registry.before_change(w); ...mutate...; registry.after_change(w);
  void before_change(WorkerSlot slot);
  void after_change(WorkerSlot slot);

  // Best worker with a free slot for the operation, or kNoWorker. `signing`: among the workers
  // that sign results (Worker::signs_results) only, for verified jobs — found by walking the
  // available set, so that unverified work (every job of most networks) pays nothing for it.
  WorkerSlot best_for(OperationId op, bool signing = false) const;
  bool any_available(OperationId op, bool signing = false) const {
    return signing ? signing_available_[op] != 0 : !available_[op].empty();
  }
  // Workers with a free slot for the operation, best first (a copy: the caller assigns to them).
  std::vector<WorkerSlot> available_for(OperationId op, bool signing = false) const;

  std::size_t online_count() const { return by_routing_id_.size(); }
  template <class F>
  void for_each(F&& f) {
    for (auto& [rid, slot] : by_routing_id_) f(slot, slots_[slot]);
  }
  // Slots of all online workers (a copy: callers may remove while iterating).
  std::vector<WorkerSlot> online_slots() const;

 private:
  // (in flight, -reputation, registration order, slot): std::set order is the dispatch preference.
  using Key = std::tuple<uint32_t, int64_t, uint64_t, WorkerSlot>;
  Key key(WorkerSlot slot) const {
    const Worker& w = slots_[slot];
    return {w.in_flight(), -static_cast<int64_t>(w.reputation), w.registered_order, slot};
  }
  void unindex(WorkerSlot slot);
  void index(WorkerSlot slot);

  std::vector<Worker> slots_;
  std::vector<WorkerSlot> free_;
  // Transparent hashing: every worker message looks its sender up by a view of the routing-id
  // frame, without building a std::string.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, WorkerSlot, Hash, std::equal_to<>>;
  Index by_routing_id_;
  Index by_node_id_;
  std::vector<std::set<Key>> available_;         // per operation
  std::vector<uint32_t> signing_available_;      // per operation: how many in available_ sign
  std::vector<std::set<Key>::node_type> spare_;  // detached nodes for reuse (see unindex)
  static constexpr std::size_t kMaxSpareNodes = 64;
  uint64_t next_order_ = 0;
};

}  // namespace litc::broker
