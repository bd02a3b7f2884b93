// Parsing /proc/<pid>/status and /proc/<pid>/stat (see proc_stats.h).
#include "localnet/proc_stats.h"

#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace litc::localnet {

std::optional<uint64_t> rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      uint64_t kib = 0;
      if (fields >> kib) return kib * 1024;
    }
  }
  return std::nullopt;
}

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // Fields after the command name (which may hold spaces) start at field 3, the state.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {

// user nice system idle iowait irq softirq steal (guest time is already in user/nice).
std::optional<std::array<uint64_t, 8>> cpu_ticks() {
  std::ifstream in("/proc/stat");
  std::string name;
  std::array<uint64_t, 8> t{};
  if (!(in >> name) || name != "cpu") return std::nullopt;
  for (auto& v : t) {
    if (!(in >> v)) return std::nullopt;
  }
  return t;
}

}  // namespace

HostLoad sample_host_load(std::chrono::milliseconds window) {
  HostLoad h;
  if (std::ifstream in("/proc/loadavg"); !(in >> h.load_avg_1m)) h.load_avg_1m = -1;
  const auto a = cpu_ticks();
  std::this_thread::sleep_for(window);
  const auto b = cpu_ticks();
  if (!a || !b) return h;
  uint64_t total = 0;
  std::array<uint64_t, 8> d{};
  for (std::size_t i = 0; i < d.size(); ++i) total += d[i] = (*b)[i] - (*a)[i];
  if (total == 0) return h;
  const uint64_t idle = d[3] + d[4], steal = d[7];
  h.steal_pct = 100.0 * static_cast<double>(steal) / static_cast<double>(total);
  h.busy_pct = 100.0 * static_cast<double>(total - idle - steal) / static_cast<double>(total);
  return h;
}

}  // namespace litc::localnet
