// What /proc says about a running process: resident memory and CPU time used, by pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace litc::localnet {

// VmRSS of a process in bytes, from /proc/<pid>/status; nullopt when unreadable.
std::optional<uint64_t> rss_bytes(pid_t pid);

// User + system CPU time a process has used so far, in seconds (/proc/<pid>/stat; 0 when
// unreadable). Clock-tick resolution (10 ms): meaningful over runs of a second or more.
double cpu_seconds(pid_t pid);

}  // namespace litc::localnet
