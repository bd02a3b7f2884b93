// What /proc says about a running process (resident memory and CPU time used, by pid) and about
// the host (load average; busy and stolen CPU over a short window).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>

namespace litc::localnet {

// VmRSS of a process in bytes, from /proc/<pid>/status; nullopt when unreadable.
std::optional<uint64_t> rss_bytes(pid_t pid);

// User + system CPU time a process has used so far, in seconds (/proc/<pid>/stat; 0 when
// unreadable). Clock-tick resolution (10 ms): meaningful over runs of a second or more.
double cpu_seconds(pid_t pid);

// The host while a benchmark is about to run: what else uses the CPUs, and what the hypervisor
// takes. On a shared VM, steal flattens both sides of a comparison to the same wall.
struct HostLoad {
  double load_avg_1m = -1;  // /proc/loadavg; -1 when unreadable
  double busy_pct = -1;     // CPU time not idle (user, system, irq, ...; steal excluded), all CPUs
  double steal_pct = -1;    // CPU time the hypervisor gave to others, all CPUs
};
// Reads /proc/loadavg, and /proc/stat's "cpu" line twice, `window` apart.
HostLoad sample_host_load(std::chrono::milliseconds window);

}  // namespace litc::localnet
