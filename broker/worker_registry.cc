// WorkerRegistry: workers by id, and per-operation availability ordered for dispatch.
#include "broker/worker_registry.h"

namespace litc::broker {

WorkerSlot WorkerRegistry::add(Worker worker) {
  WorkerSlot slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    slots_[slot] = std::move(worker);
  } else {
    slot = static_cast<WorkerSlot>(slots_.size());
    slots_.push_back(std::move(worker));
  }
  slots_[slot].registered_order = ++next_order_;
  by_routing_id_[slots_[slot].routing_id] = slot;
  by_node_id_[slots_[slot].node_id] = slot;
  index(slot);
  return slot;
}

void WorkerRegistry::remove(WorkerSlot slot) {
  unindex(slot);
  Worker& w = slots_[slot];
  by_routing_id_.erase(w.routing_id);
  auto it = by_node_id_.find(w.node_id);
  if (it != by_node_id_.end() && it->second == slot) by_node_id_.erase(it);
  w = Worker{};
  free_.push_back(slot);
}

WorkerSlot WorkerRegistry::find_by_routing_id(std::string_view routing_id) const {
  auto it = by_routing_id_.find(routing_id);
  return it == by_routing_id_.end() ? kNoWorker : it->second;
}

WorkerSlot WorkerRegistry::find_by_node_id(std::string_view node_id) const {
  auto it = by_node_id_.find(node_id);
  return it == by_node_id_.end() ? kNoWorker : it->second;
}

void WorkerRegistry::before_change(WorkerSlot slot) {
  unindex(slot);
}
void WorkerRegistry::after_change(WorkerSlot slot) {
  index(slot);
}

WorkerSlot WorkerRegistry::best_for(OperationId op, bool signing) const {
  const auto& available = signing ? available_signing_ : available_;
  if (op >= available.size() || available[op].empty()) return kNoWorker;
  return std::get<3>(*available[op].begin());
}

std::vector<WorkerSlot> WorkerRegistry::available_for(OperationId op, bool signing) const {
  const auto& available = signing ? available_signing_ : available_;
  std::vector<WorkerSlot> out;
  if (op >= available.size()) return out;
  out.reserve(available[op].size());
  for (const Key& k : available[op]) out.push_back(std::get<3>(k));
  return out;
}

std::vector<WorkerSlot> WorkerRegistry::online_slots() const {
  std::vector<WorkerSlot> out;
  out.reserve(by_routing_id_.size());
  for (const auto& [rid, slot] : by_routing_id_) out.push_back(slot);
  return out;
}

// Every assign and every result moves a worker in `available_` (its load is part of the key).
// The tree nodes are recycled through `spare_` instead of being freed and allocated again.
void WorkerRegistry::unindex(WorkerSlot slot) {
  const Worker& w = slots_[slot];
  if (!w.has_free_slot()) return;
  Key k = key(slot);
  auto take = [&](std::set<Key>& set) {
    auto node = set.extract(k);
    if (!node.empty() && spare_.size() < kMaxSpareNodes) spare_.push_back(std::move(node));
  };
  for (OperationId op : w.operations) {
    take(available_[op]);
    if (w.signs_results) take(available_signing_[op]);
  }
}

void WorkerRegistry::index(WorkerSlot slot) {
  const Worker& w = slots_[slot];
  if (!w.has_free_slot()) return;
  Key k = key(slot);
  auto put = [&](std::set<Key>& set) {
    if (spare_.empty()) {
      set.insert(k);
      return;
    }
    auto node = std::move(spare_.back());
    spare_.pop_back();
    node.value() = k;
    set.insert(std::move(node));
  };
  for (OperationId op : w.operations) {
    put(available_[op]);
    if (w.signs_results) put(available_signing_[op]);
  }
}

}  // namespace litc::broker
