// posix_spawn with log files, waitpid polling and SIGTERM-then-SIGKILL stops (see child_process.h).
#include "localnet/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace litc::localnet {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The last `lines` lines of a file, each indented for a failure report.
std::string last_lines(const std::filesystem::path& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> keep;
  std::string line;
  while (std::getline(in, line)) {
    keep.push_back(line);
    if (static_cast<int>(keep.size()) > lines) keep.pop_front();
  }
  std::string out;
  for (const auto& l : keep) out += "    " + l + "\n";
  return out;
}

}  // namespace

ChildProcess::ChildProcess(std::string name, std::vector<std::string> argv,
                           const std::filesystem::path& log_dir, ChildOptions options)
    : name_(std::move(name)), options_(options) {
  const bool split = options_.logs == ChildOptions::Logs::split;
  out_path_ = log_dir / (name_ + (split ? ".out" : ".log"));
  err_path_ = split ? log_dir / (name_ + ".err") : out_path_;
  if (argv.empty()) {
    error_ = "cannot start " + name_ + ": empty command";
    exit_ = 127;
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (split) {
    posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  } else {
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    error_ = "cannot start " + argv[0] + ": " + std::strerror(rc);
    exit_ = 127;
    return;
  }
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  stop(options_.stop_grace);
}

void ChildProcess::record(int status) {
  exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool ChildProcess::running() {
  if (exit_ || pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return true;
  if (r == pid_) {
    record(status);
  } else {
    exit_ = -1;  // not our child any more (reaped elsewhere): never signal that pid again
  }
  return false;
}

void ChildProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return exit_;
}

void ChildProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    record(status);
  } else {
    exit_ = 128 + SIGKILL;
  }
}

int ChildProcess::stop(milliseconds grace) {
  if (!started()) return -1;
  if (grace > milliseconds(0) && running()) {
    ::kill(pid_, SIGTERM);
    if (auto code = wait(grace)) return *code;
  }
  kill();
  return exit_.value_or(-1);
}

std::string ChildProcess::out() const {
  return read_file(out_path_);
}

std::string ChildProcess::err() const {
  if (err_path_ == out_path_) return {};
  return read_file(err_path_);
}

std::string ChildProcess::tail(int lines) const {
  std::string s = "--- " + name_ + " (pid " + std::to_string(pid_);
  if (exit_) s += ", exited " + std::to_string(*exit_);
  s += ")\n";
  if (!error_.empty()) s += "  " + error_ + "\n";
  if (err_path_ == out_path_)
    return s + "  " + out_path_.string() + ":\n" + last_lines(out_path_, lines);
  s += "  stdout " + out_path_.string() + ":\n" + last_lines(out_path_, lines);
  s += "  stderr " + err_path_.string() + ":\n" + last_lines(err_path_, lines);
  return s;
}

}  // namespace litc::localnet
