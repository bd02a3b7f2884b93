// Integration-test harness: starts the real litc-broker / litc-worker / litc binaries on ephemeral
// loopback ports, captures their output in a temp dir, and ends exactly the processes it started.
// Processes, the temp dir and the endpoints file come from lc::localnet (localnet/README.md).
//
// Network   a broker bound to tcp://127.0.0.1:* (it writes the endpoints it got to a file), plus
//           workers; Client and CLI helpers; on a failed test it prints the tail of every log.
// EventTap  a SUB socket on the events endpoint drained by a background thread into a list.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "localnet/child_process.h"
#include "localnet/endpoints_file.h"
#include "localnet/temp_dir.h"
#include "protocol/client.h"
#include "protocol/codec.h"

namespace litc::it {

using Clock = std::chrono::steady_clock;
using localnet::ChildProcess;  // stdout/stderr in <name>.out/.err; the destructor SIGKILLs it
using localnet::Endpoints;
using localnet::TempDir;
using std::chrono::milliseconds;

// <build>/bin/<name>
std::string bin_path(const std::string& name);

struct CliResult {
  int exit_code = -1;  // -1: did not exit before the deadline (then it was killed)
  std::string out;
  std::string err;
  milliseconds elapsed{0};
};

// One decoded event, owned.
struct EventInfo {
  enum class Type { job, node, hugz, other };
  std::string topic;
  uint64_t epoch = 0;
  uint64_t seq = 0;
  uint64_t time_ms = 0;
  Type type = Type::other;
  fb::JobEventKind job_kind = fb::JobEventKind::unknown;
  JobInfo job;  // job events
  fb::NodeEventKind node_kind = fb::NodeEventKind::unknown;
  std::string node_id;  // node events
  uint32_t node_capacity = 0;
  uint32_t node_active_jobs = 0;
  bool node_online = false;
  Clock::time_point received;
};

class EventTap {
 public:
  EventTap(zmq::context_t& context, const std::string& endpoint);
  ~EventTap();
  EventTap(const EventTap&) = delete;
  EventTap& operator=(const EventTap&) = delete;

  // Waits until the subscription delivers anything (the broker sends Hugz once a second when idle),
  // so no later event can be missed by the slow-joiner effect.
  bool wait_ready(milliseconds timeout);
  // Waits until pred(events so far) is true; pred runs under the tap's lock.
  bool wait_for(const std::function<bool(const std::vector<EventInfo>&)>& pred,
                milliseconds timeout);
  std::vector<EventInfo> events() const;
  // Frames that did not decode as [topic][Event] (must stay 0).
  int bad_frames() const { return bad_frames_.load(); }

 private:
  void run(std::string endpoint);

  zmq::context_t& context_;
  std::atomic<bool> stop_{false};
  std::atomic<int> bad_frames_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<EventInfo> events_;
  bool any_ = false;
  std::thread thread_;
};

// Counts job events of `kind` for `job_id` (any job when empty).
int count_job_events(const std::vector<EventInfo>& events, fb::JobEventKind kind,
                     const std::string& job_id = "");

struct NetworkOptions {
  int heartbeat_ms = 100;
  int liveness = 3;
  std::vector<std::string> broker_args;  // extra litc-broker flags
};

// Load tests: a busy 2-core box must not expire workers by accident (heartbeat 100 ms x 10).
NetworkOptions load_test_options();

inline constexpr const char* kAllOps = "echo,sha256,sleep";

class Network {
 public:
  // Starts the broker and waits for its endpoints file (fails the test if it never appears).
  explicit Network(NetworkOptions options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  bool ok() const { return ok_; }
  const Endpoints& endpoints() const { return endpoints_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  zmq::context_t& context() { return context_; }
  ChildProcess& broker() { return *broker_; }
  // Kills the broker (SIGKILL, as a crash) and starts a new one on the same endpoints: a new
  // epoch, an empty queue. False (and a test failure) when it does not come up.
  bool restart_broker();
  const NetworkOptions& options() const { return options_; }

  // Starts `litc-worker --node-id node_id --ops ops --max-concurrent max_concurrent ...`.
  ChildProcess& add_worker(const std::string& node_id, const std::string& ops = kAllOps,
                           int max_concurrent = 2, const std::vector<std::string>& extra = {});
  ChildProcess& worker(const std::string& node_id);
  // Waits until the broker's workers_online stat equals n.
  bool wait_workers_online(uint64_t n, milliseconds timeout = milliseconds(5000));

  std::unique_ptr<Client> client(int timeout_ms = 5000);
  std::unique_ptr<EventTap> tap();
  // A BrokerStats counter via a fresh Client; nullopt when the broker does not answer.
  std::optional<uint64_t> stat(const std::string& name);
  // Polls status until the job is in `state`.
  std::optional<JobInfo> wait_job_state(const std::string& job_id, fb::JobState state,
                                        milliseconds timeout);

  // Starts `litc <args...>` and returns at once (e.g. `litc watch`).
  std::unique_ptr<ChildProcess> start_cli(const std::vector<std::string>& args);
  // Runs `litc <args...>` to completion (killed at the deadline).
  CliResult cli(const std::vector<std::string>& args, milliseconds timeout = milliseconds(15000));

  // Tails of every process's logs.
  std::string logs() const;

 private:
  NetworkOptions options_;
  TempDir dir_{"litc-it"};
  zmq::context_t context_;
  // litc-broker's command line, bound to `e` (tcp://127.0.0.1:* for a fresh broker).
  std::vector<std::string> broker_argv(const Endpoints& e) const;

  std::unique_ptr<ChildProcess> broker_;
  std::vector<std::unique_ptr<ChildProcess>> old_brokers_;  // killed; kept for their logs
  std::vector<std::unique_ptr<ChildProcess>> workers_;
  Endpoints endpoints_;
  bool ok_ = false;
  int cli_runs_ = 0;
};

// The string value of a top-level "key" in a JSON object (tolerates whitespace); nullopt if absent
// or not a string. Enough for the CLI's flat output; not a JSON parser.
std::optional<std::string> json_string(const std::string& json, const std::string& key);
// The integer value of "key" (a JSON number), or nullopt.
std::optional<int64_t> json_int(const std::string& json, const std::string& key);

// A SubmitRequest with the fields tests set most.
SubmitRequest make_job(const std::string& job_id, const std::string& operation,
                       const std::string& input, int32_t priority = 0);

// prefix + decimal i (also sidesteps GCC 12's false -Wrestrict on `"lit" + std::to_string(i)`).
std::string numbered(std::string_view prefix, int i);

// A port on 127.0.0.1 where nothing listens right now.
int unused_tcp_port();

// Polls pred every few ms until it is true or the deadline passes; returns the last value.
bool eventually(const std::function<bool()>& pred, milliseconds timeout,
                milliseconds interval = milliseconds(10));

}  // namespace litc::it
