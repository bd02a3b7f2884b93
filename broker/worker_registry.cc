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
  if (op >= available_.size()) return kNoWorker;
  for (const Key& k : available_[op]) {
    if (!signing || slots_[std::get<3>(k)].signs_results) return std::get<3>(k);
  }
  return kNoWorker;
}

std::vector<WorkerSlot> WorkerRegistry::available_for(OperationId op, bool signing) const {
  std::vector<WorkerSlot> out;
  if (op >= available_.size()) return out;
  out.reserve(available_[op].size());
  for (const Key& k : available_[op]) {
    if (!signing || slots_[std::get<3>(k)].signs_results) out.push_back(std::get<3>(k));
  }
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
  for (OperationId op : w.operations) {
    auto node = available_[op].extract(k);
    if (!node.empty() && spare_.size() < kMaxSpareNodes) spare_.push_back(std::move(node));
    if (w.signs_results) --signing_available_[op];
  }
}

void WorkerRegistry::index(WorkerSlot slot) {
  const Worker& w = slots_[slot];
  if (!w.has_free_slot()) return;
  Key k = key(slot);
  for (OperationId op : w.operations) {
    if (w.signs_results) ++signing_available_[op];
    if (spare_.empty()) {
      available_[op].insert(k);
      continue;
    }
    auto node = std::move(spare_.back());
    spare_.pop_back();
    node.value() = k;
    available_[op].insert(std::move(node));
  }
}

}  // namespace litc::broker
