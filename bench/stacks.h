// The processes a litc-bench case runs against: our stack (litc-broker + N litc-worker) and the
// baseline stack (litc-baseline-broker + N litc-baseline-worker), each started on ephemeral
// loopback ports from the bin directory, or reached at endpoints given on the command line.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "localnet/child_process.h"
#include "protocol/client.h"

namespace litc::bench {

struct StackConfig {
  std::filesystem::path bin_dir;
  std::filesystem::path log_dir;
  std::vector<std::string> broker_wrapper;  // command prefix for litc-broker (valgrind, perf)
  std::vector<std::string> broker_args;     // extra litc-broker flags
  std::vector<std::string> worker_wrapper;  // command prefix for litc-worker
  int worker_slots = 256;                   // litc-worker --max-concurrent
  // Connect instead of start (empty: start our own).
  std::string clients, workers, events;  // our broker's endpoints
  pid_t broker_pid = 0;                  // for RSS readings of a broker we did not start
  std::string baseline_frontend;         // a running litc-baseline-broker's frontend
};

class LitcStack {
 public:
  // Starts litc-broker (unless cfg.clients is set) and `workers` litc-workers (when the broker's
  // workers endpoint is known). Throws std::runtime_error when something does not start.
  LitcStack(const StackConfig& cfg, int workers, std::vector<std::string> extra_broker_args = {});
  ~LitcStack();

  void add_workers(int n);
  const std::string& clients() const { return clients_; }
  const std::string& events() const { return events_; }
  std::optional<pid_t> broker_pid() const;
  // Processes this stack started (for CPU readings); a broker under a wrapper is its wrapper.
  std::optional<pid_t> started_broker_pid() const;
  std::vector<pid_t> worker_pids() const;
  // Waits until the broker's workers_online reaches n (n workers registered).
  bool wait_workers_online(litc::Client& client, uint64_t n, int timeout_ms);
  // Every process we started is still running.
  bool healthy();
  std::string logs() const;
  // Stops workers (SIGTERM: they drain), then the broker. Returns false if one had died before.
  bool stop();

 private:
  const StackConfig& cfg_;
  std::string clients_, workers_, events_;
  std::unique_ptr<localnet::ChildProcess> broker_;
  std::vector<std::unique_ptr<localnet::ChildProcess>> workers_procs_;
  int next_worker_ = 0;
  bool died_ = false;
};

class BaselineStack {
 public:
  BaselineStack(const StackConfig& cfg, int workers);
  ~BaselineStack();
  const std::string& frontend() const { return frontend_; }
  std::optional<pid_t> broker_pid() const;
  std::vector<pid_t> worker_pids() const;
  bool healthy();
  std::string logs() const;

 private:
  std::string frontend_;
  std::unique_ptr<localnet::ChildProcess> broker_;
  std::vector<std::unique_ptr<localnet::ChildProcess>> workers_;
};

}  // namespace litc::bench
