// One child process started by its path, with its output in log files; it is signalled, waited
// for and stopped by its own pid, never by name.
//
// DESIGN: a ChildProcess only ever signals the pid posix_spawn gave it, and only until it has
// reaped that pid (after which the pid may belong to someone else). The destructor stops the child
// if it still runs (SIGTERM, then SIGKILL after the stop grace; SIGKILL at once when the grace is
// 0) and reaps it, so no zombie and no orphan outlives the object.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace litc::localnet {

struct ChildOptions {
  // split: stdout to <log_dir>/<name>.out and stderr to <name>.err (callers that read a CLI's
  // output); combined: both to <name>.log, interleaved as written.
  enum class Logs { split, combined };
  Logs logs = Logs::split;
  // How long stop() in the destructor waits after SIGTERM before SIGKILL; 0: SIGKILL at once.
  std::chrono::milliseconds stop_grace{0};
};

class ChildProcess {
 public:
  // Starts argv[0] with the rest as arguments and stdin from /dev/null; argv[0] is a path, or a
  // name looked up in $PATH when it holds no '/' (a wrapper such as valgrind). Never throws for a
  // child that cannot start: then started() is false, error() says why and wait() returns 127.
  ChildProcess(std::string name, std::vector<std::string> argv,
               const std::filesystem::path& log_dir, ChildOptions options = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }

  // True while the child has not been reaped (a SIGSTOPped child is still running).
  bool running();
  // Sends sig if the child still runs.
  void signal(int sig);
  // Exit code, or 128 + signal number when a signal ended it; nullopt if it still runs at the
  // deadline (it keeps running).
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGKILL and reap.
  void kill();
  // SIGTERM, wait up to `grace`, then SIGKILL (at once when grace is 0). Returns the exit code as
  // wait() does; -1 for a child that never started.
  int stop(std::chrono::milliseconds grace);

  // Log files (the same file twice with Logs::combined) and their contents.
  const std::filesystem::path& stdout_path() const { return out_path_; }
  const std::filesystem::path& stderr_path() const { return err_path_; }
  std::string out() const;
  std::string err() const;  // empty with Logs::combined (it is all in out())
  // The last `lines` lines of each log, under a header with name, pid and exit code, for failure
  // reports.
  std::string tail(int lines = 40) const;

 private:
  void record(int status);

  std::string name_;
  ChildOptions options_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_;
  std::string error_;
};

}  // namespace litc::localnet
