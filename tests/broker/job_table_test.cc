// JobTable: lookup by id, bounded retention of finished jobs, dead-letter list and its bound.
#include "broker/job_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/broker/printers.h"

namespace litc::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Job make(std::string id) {
  Job j;
  j.id = std::move(id);
  return j;
}

JobSlot finish(JobTable& t, JobSlot s, bool dead_letter = false) {
  t.at(s).state = dead_letter ? fb::JobState::failed : fb::JobState::completed;
  t.at(s).dead_lettered = dead_letter;
  t.on_finished(s);
  return s;
}

TEST(JobTable, AcquiredSlotsArePublishedUnderTheirIdOnce) {
  JobTable t(10, 10);
  JobSlot a = t.acquire();
  t.at(a).id = "same";
  ASSERT_TRUE(t.publish(a));
  JobSlot b = t.acquire();
  t.at(b).id = "same";
  EXPECT_FALSE(t.publish(b)) << "an id is published once";
  EXPECT_EQ(t.find("same"), a);
  t.at(b).id = "other";
  ASSERT_TRUE(t.publish(b)) << "renamed, the same slot publishes";
  EXPECT_EQ(t.find("other"), b);
  EXPECT_EQ(t.size(), 2u);
}

TEST(JobTable, AnEvictedSlotKeepsSmallBuffersForItsNextJobAndDropsBigOnes) {
  JobTable t(1, 10);
  JobSlot first = t.insert(make("first"));
  t.at(first).input.assign(std::string(200, 'i'));
  t.at(first).result.assign(std::string(5000, 'r'));
  t.at(first).node_id = "node-1";
  t.at(first).attempt = 7;
  finish(t, first);
  JobSlot second = t.insert(make("second"));
  finish(t, second);  // retention 1: "first" is evicted
  ASSERT_EQ(t.find("first"), kNoJob);
  JobSlot reused = t.acquire();
  ASSERT_EQ(reused, first);
  const Job& j = t.at(reused);
  EXPECT_TRUE(j.input.empty());
  EXPECT_GE(j.input.capacity(), 200u) << "a small input buffer is kept";
  EXPECT_TRUE(j.result.empty());
  EXPECT_LT(j.result.capacity(), 5000u) << "a big one is released";
  EXPECT_TRUE(j.node_id.empty());
  EXPECT_TRUE(j.id.empty());
  EXPECT_EQ(j.attempt, 1u) << "every other member back to its default";
  EXPECT_EQ(j.state, fb::JobState::pending);
  t.at(reused).id = "third";
  ASSERT_TRUE(t.publish(reused));
  EXPECT_EQ(t.find("third"), reused);
  EXPECT_EQ(t.find("second"), second);
}

TEST(JobTable, FindsJobsById) {
  JobTable t(10, 10);
  JobSlot a = t.insert(make("a"));
  JobSlot b = t.insert(make("b"));
  EXPECT_NE(a, b);
  EXPECT_EQ(t.find("a"), a);
  EXPECT_EQ(t.find("b"), b);
  EXPECT_EQ(t.find("c"), kNoJob);
  EXPECT_EQ(t.at(b).id, "b");
  EXPECT_EQ(t.size(), 2u);
}

TEST(JobTable, EvictsTheOldestFinishedJobBeyondRetention) {
  JobTable t(2, 10);
  JobSlot live = t.insert(make("live"));
  JobSlot j1 = finish(t, t.insert(make("j1")));
  finish(t, t.insert(make("j2")));
  EXPECT_EQ(t.find("j1"), j1);
  finish(t, t.insert(make("j3")));
  EXPECT_EQ(t.find("j1"), kNoJob);
  EXPECT_NE(t.find("j2"), kNoJob);
  EXPECT_NE(t.find("j3"), kNoJob);
  EXPECT_EQ(t.find("live"), live);  // unfinished jobs are never evicted
  EXPECT_EQ(t.size(), 3u);

  // The freed slot is reused, holding only the new record.
  JobSlot reused = t.insert(make("j4"));
  EXPECT_EQ(reused, j1);
  EXPECT_EQ(t.at(reused).id, "j4");
  EXPECT_EQ(t.at(reused).state, fb::JobState::pending);
}

TEST(JobTable, KeepsDeadLettersOutsideTheFinishedRetention) {
  JobTable t(1, 10);
  JobSlot d = finish(t, t.insert(make("dead")), true);
  finish(t, t.insert(make("j1")));
  finish(t, t.insert(make("j2")));
  EXPECT_EQ(t.find("dead"), d);
  EXPECT_EQ(t.find("j1"), kNoJob);
  EXPECT_THAT(t.dead_letters(0), ElementsAre(d));
  EXPECT_EQ(t.dead_letter_count(), 1u);
}

TEST(JobTable, ListsDeadLettersOldestFirstAndBoundsThem) {
  JobTable t(10, 2);
  JobSlot d1 = finish(t, t.insert(make("d1")), true);
  JobSlot d2 = finish(t, t.insert(make("d2")), true);
  EXPECT_THAT(t.dead_letters(0), ElementsAre(d1, d2));
  EXPECT_THAT(t.dead_letters(1), ElementsAre(d1));
  JobSlot d3 = finish(t, t.insert(make("d3")), true);
  EXPECT_EQ(t.find("d1"), kNoJob);
  EXPECT_THAT(t.dead_letters(0), ElementsAre(d2, d3));
  EXPECT_EQ(t.dead_letter_count(), 2u);
}

TEST(JobTable, ReplayedJobLeavesTheDeadLetterList) {
  JobTable t(1, 10);
  JobSlot d1 = finish(t, t.insert(make("d1")), true);
  JobSlot d2 = finish(t, t.insert(make("d2")), true);
  t.on_replayed(d1);
  EXPECT_FALSE(t.at(d1).dead_lettered);
  EXPECT_THAT(t.dead_letters(0), ElementsAre(d2));
  EXPECT_EQ(t.dead_letter_count(), 1u);

  // Finishing again normally puts it under the finished retention, not back in the list.
  finish(t, d1);
  EXPECT_THAT(t.dead_letters(0), ElementsAre(d2));
  finish(t, t.insert(make("j")));
  EXPECT_EQ(t.find("d1"), kNoJob);
  EXPECT_EQ(t.find("d2"), d2);

  t.on_replayed(d2);
  EXPECT_THAT(t.dead_letters(0), IsEmpty());
  EXPECT_EQ(t.dead_letter_count(), 0u);
}

}  // namespace
}  // namespace litc::broker
