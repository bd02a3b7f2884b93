// litc-bridge --max-frame-bytes: the bridge reads the broker's frames under its own limit, like
// the other processes, and says so when the broker sends more than it agreed to take.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/integration/bridge_harness.h"

namespace litc::it {
namespace {

TEST(BridgeFrameLimit, AnEventOverTheBridgesLimitIsCountedAndSmallerOnesStillMirror) {
  BridgeStackOptions o;
  o.bridge_args = {"--max-frame-bytes", "65536"};  // the broker keeps its 1 MiB default
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo", 2);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto client = s.net().client(10000);
  // Its completed event carries the 100 KB output: over the bridge's 64 KiB.
  auto big = client->submit_and_wait(make_job("big", "echo", std::string(100'000, 'b')), 10000);
  ASSERT_TRUE(big.ok()) << big.error().message;
  auto http = s.http();
  uint64_t bad = 0;
  for (int i = 0; i < 50 && bad == 0; ++i) {
    bad = metric_value(http->get("/metrics").body, "litc_bridge_bad_frames_total").value_or(0);
    if (bad == 0) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_GE(bad, 1u) << "the oversized event is refused by the bridge's own limit";
  // A job under the limit is mirrored as ever, and the bridge keeps serving.
  auto small = client->submit_and_wait(make_job("small", "echo", "fits"), 10000);
  ASSERT_TRUE(small.ok()) << small.error().message;
  std::string status;
  for (int i = 0; i < 50 && status != "completed"; ++i) {
    status = s.redis_cli({"HGET", "job:small:status", "status"}).out;
    while (!status.empty() && (status.back() == '\n' || status.back() == '\r')) status.pop_back();
    if (status != "completed") std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(status, "completed");
  EXPECT_EQ(http->get("/healthz").status, 200);
}

TEST(BridgeFrameLimit, ALimitOutOfRangeIsAUsageError) {
  Network net;
  ASSERT_TRUE(net.ok());
  ChildProcess bridge("bridge", {bin_path("litc-bridge"), "--max-frame-bytes", "100"}, net.dir());
  const int code = bridge.wait(milliseconds(10000)).value_or(-1);
  EXPECT_GT(code, 0) << "refused at start-up (CLI11's validation exit code)";
  EXPECT_NE((bridge.out() + bridge.err()).find("max-frame-bytes"), std::string::npos)
      << bridge.out() << bridge.err();
}

}  // namespace
}  // namespace litc::it
