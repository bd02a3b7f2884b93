// localnet/proc_stats: what /proc says about this process and the host, read the way the bench
// records it (load average, busy and stolen CPU over a window).
#include "localnet/proc_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace litc::localnet {
namespace {

TEST(ProcStats, ThisProcessHasResidentMemoryAndItsCpuTimeGrowsWhileItSpins) {
  const auto rss = rss_bytes(::getpid());
  ASSERT_TRUE(rss.has_value());
  EXPECT_GT(*rss, 1u << 20);
  EXPECT_FALSE(rss_bytes(-1).has_value());
  const double before = cpu_seconds(::getpid());
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  volatile uint64_t n = 0;
  while (std::chrono::steady_clock::now() < until) n = n + 1;
  EXPECT_GE(cpu_seconds(::getpid()) - before, 0.1);
}

TEST(ProcStats, TheHostSampleSeesASpinningThread) {
  std::atomic<bool> stop{false};
  std::thread spin([&] {
    volatile uint64_t n = 0;
    while (!stop.load(std::memory_order_relaxed)) n = n + 1;
  });
  const HostLoad h = sample_host_load(std::chrono::milliseconds(500));
  stop = true;
  spin.join();
  ASSERT_GE(h.load_avg_1m, 0.0);
  ASSERT_GE(h.busy_pct, 0.0);
  ASSERT_GE(h.steal_pct, 0.0);
  EXPECT_LE(h.busy_pct + h.steal_pct, 100.0 + 1e-9);
  // One thread kept one of the CPUs busy for the whole window (the share of all CPUs, so at least
  // 1/N of them; half of that leaves room for clock-tick rounding and for steal).
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  EXPECT_GE(h.busy_pct + h.steal_pct, 50.0 / static_cast<double>(cpus)) << h.busy_pct;
}

}  // namespace
}  // namespace litc::localnet
