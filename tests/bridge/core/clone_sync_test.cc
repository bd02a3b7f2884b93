// CloneSync: the Clone-pattern rules of clone_sync.h, one behaviour per test.
#include "bridge/clone_sync.h"

#include <gtest/gtest.h>

namespace litc::bridge {
namespace {

using V = CloneSync::Verdict;

CloneSync live_at(uint64_t epoch, uint64_t seq) {
  CloneSync s;
  s.snapshot_requested(0);
  s.snapshot_done(epoch, seq, 0);
  return s;
}

TEST(CloneSync, NeedsASnapshotFirstAndBuffersEventsUntilItEnds) {
  CloneSync s;
  EXPECT_TRUE(s.resync_due(0));
  s.snapshot_requested(0);
  EXPECT_FALSE(s.resync_due(10));
  EXPECT_EQ(s.on_event(7, 3, false, 10), V::buffer);
  EXPECT_TRUE(s.snapshot_done(7, 2, 20));  // first epoch seen: new
  EXPECT_TRUE(s.live());
}

TEST(CloneSync, DropsEventsTheSnapshotAlreadyHolds) {
  CloneSync s = live_at(7, 5);
  EXPECT_EQ(s.on_event(7, 4, false, 1), V::drop);
  EXPECT_EQ(s.on_event(7, 5, false, 1), V::drop);
  EXPECT_EQ(s.on_event(7, 6, false, 1), V::apply);
  EXPECT_EQ(s.seq(), 6u);
}

TEST(CloneSync, ResyncsOnASeqGap) {
  CloneSync s = live_at(7, 5);
  EXPECT_EQ(s.on_event(7, 7, false, 1), V::resync);
  EXPECT_FALSE(s.live());
  EXPECT_TRUE(s.resync_due(1));
}

TEST(CloneSync, ResyncsOnANewEpochAndDropsAnOlderOne) {
  CloneSync s = live_at(7, 5);
  EXPECT_EQ(s.on_event(6, 100, false, 1), V::drop);
  EXPECT_EQ(s.on_event(8, 1, false, 1), V::resync);
  s.snapshot_requested(2);
  EXPECT_TRUE(s.snapshot_done(8, 1, 3));
  EXPECT_FALSE(live_at(8, 1).snapshot_done(8, 4, 5));  // same epoch again: not new
}

TEST(CloneSync, HugzWithAnUnseenSeqMeansEventsWereLost) {
  CloneSync s = live_at(7, 5);
  EXPECT_EQ(s.on_event(7, 5, true, 1), V::drop);
  EXPECT_TRUE(s.live());
  EXPECT_EQ(s.on_event(7, 9, true, 1), V::resync);
}

TEST(CloneSync, SilenceWhileLiveAndASlowSnapshotBothCallForAResync) {
  CloneSyncOptions o;
  o.silence_ms = 100;
  o.snapshot_timeout_ms = 50;
  CloneSync s(o);
  s.snapshot_requested(1000);
  EXPECT_FALSE(s.resync_due(1049));
  EXPECT_TRUE(s.resync_due(1050));
  s.snapshot_done(1, 0, 1060);
  EXPECT_FALSE(s.resync_due(1159));
  EXPECT_EQ(s.on_event(1, 0, true, 1150), V::drop);  // Hugz keeps it alive
  EXPECT_FALSE(s.resync_due(1249));
  EXPECT_TRUE(s.resync_due(1250));
}

}  // namespace
}  // namespace litc::bridge
