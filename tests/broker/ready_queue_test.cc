// ReadyQueue: highest priority first, FIFO within a priority, push_front to the head of a priority,
// and stale entries skipped at the head.
#include "broker/ready_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace litc::broker {
namespace {

using ::testing::ElementsAre;

std::vector<JobSlot> drain(ReadyQueue& q, const std::set<JobSlot>& stale = {}) {
  std::vector<JobSlot> out;
  auto live = [&](const ReadyQueue::Entry& e) { return !stale.count(e.slot); };
  while (const ReadyQueue::Entry* e = q.head(live)) {
    out.push_back(e->slot);
    q.pop_head();
  }
  return out;
}

TEST(ReadyQueue, HigherPriorityFirstThenFifo) {
  ReadyQueue q;
  q.push_back(0, {1, 0});
  q.push_back(5, {2, 0});
  q.push_back(-1, {3, 0});
  q.push_back(0, {4, 0});
  q.push_back(5, {5, 0});
  EXPECT_THAT(drain(q), ElementsAre(2, 5, 1, 4, 3));
  EXPECT_TRUE(q.empty());
}

TEST(ReadyQueue, PushFrontGoesToTheHeadOfItsPriorityOnly) {
  ReadyQueue q;
  q.push_back(1, {1, 0});
  q.push_back(0, {2, 0});
  q.push_front(0, {3, 0});
  EXPECT_THAT(drain(q), ElementsAre(1, 3, 2));
}

TEST(ReadyQueue, SkipsStaleEntries) {
  ReadyQueue q;
  q.push_back(2, {1, 0});
  q.push_back(2, {2, 0});
  q.push_back(1, {3, 0});
  q.push_back(0, {4, 0});
  EXPECT_THAT(drain(q, {1, 3}), ElementsAre(2, 4));
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace litc::broker
