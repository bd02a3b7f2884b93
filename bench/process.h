// Child processes for litc-bench: spawn a binary with its output in log files, stop it by its pid
// (never by name), read its resident memory, and wait for the endpoints file a broker writes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace litc::bench {

// A fresh directory under $TMPDIR (or /tmp) for logs and endpoints files; removed on destruction
// unless keep() was called (litc-bench keeps it when a case failed, so the logs can be read).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

class Child {
 public:
  // Starts argv[0] (a path) with the rest as arguments; stdout/stderr go to <log_dir>/<name>.log.
  // Throws std::runtime_error when the binary cannot be started.
  Child(std::string name, std::vector<std::string> argv, const std::filesystem::path& log_dir);
  // Stops the child if it still runs (SIGTERM, then SIGKILL after the grace period).
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  bool running();
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit code (128 + signal when killed).
  int stop(std::chrono::milliseconds grace);
  void set_stop_grace(std::chrono::milliseconds grace) { grace_ = grace; }
  // The last `lines` lines of its log, for failure reports.
  std::string log_tail(int lines = 20) const;

 private:
  std::string name_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_;
  std::chrono::milliseconds grace_{5000};
};

// Reads `key=value` lines of an endpoints file once it exists (it is written whole, then renamed).
// nullopt when it did not appear within `timeout` or `writer` exited first.
std::optional<std::map<std::string, std::string>> wait_endpoints_file(
    const std::filesystem::path& path, Child& writer, std::chrono::milliseconds timeout);

// VmRSS of a process in bytes, from /proc/<pid>/status; nullopt when unreadable.
std::optional<uint64_t> rss_bytes(pid_t pid);

// User + system CPU time a process has used so far, in seconds (/proc/<pid>/stat; 0 when
// unreadable). Clock-tick resolution (10 ms): meaningful over runs of a second or more.
double cpu_seconds(pid_t pid);

// Directory of the running executable (litc-bench finds litc-broker etc. next to itself).
std::filesystem::path self_dir();

// Splits a command prefix such as "valgrind --tool=callgrind" on spaces.
std::vector<std::string> split_words(const std::string& s);

}  // namespace litc::bench
