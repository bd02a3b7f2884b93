// LagHistogram: per-event weights, quantile bounds, the Prometheus rendering.
#include <gtest/gtest.h>

#include <string>

#include "bridge/bridge_probe.h"

namespace litc::bridge {
namespace {

TEST(LagHistogram, ATurnCountsOncePerEventAtItsOldestLag) {
  LagHistogram h;
  h.observe(3, 98);   // a turn of 98 events, oldest 3 ms old
  h.observe(400, 2);  // a slow turn of 2 events
  EXPECT_EQ(h.quantile_bound(0.5), 5u);
  EXPECT_EQ(h.quantile_bound(0.98), 5u);
  EXPECT_EQ(h.quantile_bound(0.99), 1000u);  // 400 ms falls under the 1000 bound
  std::string out;
  h.render(out, "lag_ms", "help");
  EXPECT_NE(out.find("lag_ms_count 100"), std::string::npos) << out;
  EXPECT_NE(out.find("lag_ms_sum 1094"), std::string::npos) << out;  // 3*98 + 400*2
  EXPECT_NE(out.find("lag_ms_bucket{le=\"5\"} 98"), std::string::npos) << out;
}

TEST(LagHistogram, EmptySaysNothing) {
  LagHistogram h;
  EXPECT_EQ(h.quantile_bound(0.99), 0u);
  h.observe(7000);  // past the last bound: +Inf
  EXPECT_EQ(h.quantile_bound(0.5), 0u);
}

}  // namespace
}  // namespace litc::bridge
