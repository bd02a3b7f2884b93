// WorkerRegistry: lookup by routing and node id, and the per-operation availability order
// (fewest in flight, then higher reputation) kept exact across load and capacity changes.
#include "broker/worker_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace litc::broker {
namespace {

Worker make(std::string rid, std::vector<OperationId> ops, uint32_t cap = 1, int32_t rep = 0) {
  Worker w;
  w.routing_id = rid;
  w.node_id = "node-" + rid;
  w.operations = std::move(ops);
  w.max_concurrent = w.capacity = cap;
  w.reputation = rep;
  w.online = true;
  return w;
}

void hold(WorkerRegistry& r, WorkerSlot s, JobSlot job) {
  r.before_change(s);
  r.at(s).assigned.push_back({job, 1, job});
  r.after_change(s);
}

void release(WorkerRegistry& r, WorkerSlot s) {
  r.before_change(s);
  r.at(s).assigned.pop_back();
  r.after_change(s);
}

TEST(WorkerRegistry, FindsWorkersByRoutingAndNodeId) {
  WorkerRegistry r(2);
  WorkerSlot a = r.add(make("a", {0}));
  EXPECT_EQ(r.find_by_routing_id("a"), a);
  EXPECT_EQ(r.find_by_node_id("node-a"), a);
  EXPECT_EQ(r.find_by_routing_id("b"), kNoWorker);
  EXPECT_EQ(r.online_count(), 1u);
  r.remove(a);
  EXPECT_EQ(r.find_by_routing_id("a"), kNoWorker);
  EXPECT_EQ(r.find_by_node_id("node-a"), kNoWorker);
  EXPECT_EQ(r.online_count(), 0u);
  EXPECT_FALSE(r.any_available(0));
}

TEST(WorkerRegistry, OffersOnlyWorkersWithTheOperationAndAFreeSlot) {
  WorkerRegistry r(2);
  WorkerSlot a = r.add(make("a", {0}, 1));
  EXPECT_EQ(r.best_for(0), a);
  EXPECT_EQ(r.best_for(1), kNoWorker);
  EXPECT_FALSE(r.any_available(1));
  EXPECT_EQ(r.best_for(7), kNoWorker);  // an operation id out of range

  hold(r, a, 1);
  EXPECT_FALSE(r.any_available(0));
  release(r, a);
  EXPECT_EQ(r.best_for(0), a);

  r.before_change(a);
  r.at(a).capacity = 0;  // draining
  r.after_change(a);
  EXPECT_FALSE(r.any_available(0));
}

TEST(WorkerRegistry, PrefersFewestInFlightThenHigherReputation) {
  WorkerRegistry r(1);
  WorkerSlot low = r.add(make("low", {0}, 4, 1));
  WorkerSlot high = r.add(make("high", {0}, 4, 9));
  EXPECT_EQ(r.best_for(0), high);
  hold(r, high, 1);
  EXPECT_EQ(r.best_for(0), low);  // 0 in flight beats 1, whatever the reputation
  hold(r, low, 2);
  EXPECT_EQ(r.best_for(0), high);
  hold(r, high, 3);
  release(r, high);
  release(r, high);
  EXPECT_EQ(r.best_for(0), high);
}

TEST(WorkerRegistry, SigningWorkersAreFoundAmongTheAvailableAndCountedExactly) {
  WorkerRegistry r(1);
  WorkerSlot plain = r.add(make("plain", {0}, 1));
  Worker s = make("signer", {0}, 2);
  s.signs_results = true;
  WorkerSlot signer = r.add(std::move(s));
  EXPECT_TRUE(r.any_available(0, true));
  EXPECT_EQ(r.best_for(0), plain) << "registered first, equal load";
  EXPECT_EQ(r.best_for(0, true), signer) << "the best signing worker, past a non-signing one";
  EXPECT_EQ(r.available_for(0, true), std::vector<WorkerSlot>{signer});
  hold(r, signer, 1);
  hold(r, signer, 2);  // no free slot
  EXPECT_FALSE(r.any_available(0, true));
  EXPECT_EQ(r.best_for(0, true), kNoWorker);
  release(r, signer);
  EXPECT_TRUE(r.any_available(0, true));
  // Distrusted (signs_results cleared between before/after_change): no signing worker left.
  r.before_change(signer);
  r.at(signer).signs_results = false;
  r.after_change(signer);
  EXPECT_FALSE(r.any_available(0, true));
  EXPECT_EQ(r.best_for(0, true), kNoWorker);
  EXPECT_TRUE(r.any_available(0));
  r.remove(signer);
  r.remove(plain);
  EXPECT_FALSE(r.any_available(0));
  EXPECT_FALSE(r.any_available(0, true));
}

}  // namespace
}  // namespace litc::broker
