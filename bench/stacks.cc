// Starting, watching and stopping the processes of a litc-bench case (see stacks.h).
#include "bench/stacks.h"

#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "localnet/endpoints_file.h"

namespace litc::bench {
namespace {

using std::chrono::milliseconds;

// Distinct names for the log and endpoints files of every process one litc-bench run starts.
int next_id() {
  static int id = 0;
  return ++id;
}

std::string bin(const StackConfig& cfg, const std::string& name) {
  return (cfg.bin_dir / name).string();
}

// Starts a child with both streams in <log_dir>/<name>.log; its destructor gives it `grace` after
// SIGTERM. Throws std::runtime_error when it cannot start.
std::unique_ptr<localnet::ChildProcess> start(const std::string& name,
                                              std::vector<std::string> argv,
                                              const std::filesystem::path& log_dir,
                                              milliseconds grace = milliseconds(5000)) {
  localnet::ChildOptions options;
  options.logs = localnet::ChildOptions::Logs::combined;
  options.stop_grace = grace;
  auto child = std::make_unique<localnet::ChildProcess>(name, std::move(argv), log_dir, options);
  if (!child->started()) throw std::runtime_error(child->error());
  return child;
}

}  // namespace

LitcStack::LitcStack(const StackConfig& cfg, int workers, std::vector<std::string> extra)
    : cfg_(cfg), clients_(cfg.clients), workers_(cfg.workers), events_(cfg.events) {
  if (clients_.empty()) {
    int id = next_id();
    auto endpoints_file = cfg.log_dir / ("broker-" + std::to_string(id) + ".endpoints");
    std::vector<std::string> argv = cfg.broker_wrapper;
    for (std::string a :
         {bin(cfg, "litc-broker"), std::string("--clients"), std::string("tcp://127.0.0.1:*"),
          std::string("--workers"), std::string("tcp://127.0.0.1:*"), std::string("--events"),
          std::string("tcp://127.0.0.1:*"), std::string("--snapshot"),
          std::string("tcp://127.0.0.1:*"), std::string("--endpoints-file"),
          endpoints_file.string(), std::string("--log-level"), std::string("warn")}) {
      argv.push_back(std::move(a));
    }
    argv.insert(argv.end(), cfg.broker_args.begin(), cfg.broker_args.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    bool wrapped = !cfg.broker_wrapper.empty();
    broker_ = start("broker-" + std::to_string(id), argv, cfg.log_dir,
                    milliseconds(wrapped ? 120'000 : 5000));
    auto e = localnet::wait_endpoints_file(endpoints_file, *broker_,
                                           milliseconds(wrapped ? 60'000 : 10'000));
    if (!e) throw std::runtime_error("litc-broker did not start\n" + broker_->tail(20));
    clients_ = e->clients;
    workers_ = e->workers;
    events_ = e->events;
  }
  add_workers(workers);
}

LitcStack::~LitcStack() {
  stop();
}

void LitcStack::add_workers(int n) {
  if (workers_.empty() && n > 0) {
    throw std::runtime_error(
        "cannot start workers: the broker's workers endpoint is unknown "
        "(pass --workers-endpoint with --clients)");
  }
  for (int i = 0; i < n; ++i) {
    int id = next_id();
    std::string name = "worker-" + std::to_string(id);
    std::vector<std::string> argv = cfg_.worker_wrapper;
    for (std::string a :
         {bin(cfg_, "litc-worker"), std::string("--broker"), workers_, std::string("--node-id"),
          "bench-" + std::to_string(::getpid()) + "-" + std::to_string(id), std::string("--ops"),
          std::string("echo"), std::string("--max-concurrent"), std::to_string(cfg_.worker_slots),
          std::string("--log-level"), std::string("warn")}) {
      argv.push_back(std::move(a));
    }
    workers_procs_.push_back(
        start(name, argv, cfg_.log_dir,
              cfg_.worker_wrapper.empty() ? milliseconds(5000) : milliseconds(120'000)));
  }
  next_worker_ += n;
}

std::optional<pid_t> LitcStack::broker_pid() const {
  if (broker_ && cfg_.broker_wrapper.empty()) return broker_->pid();
  if (!broker_ && cfg_.broker_pid > 0) return cfg_.broker_pid;
  return std::nullopt;
}

std::optional<pid_t> LitcStack::started_broker_pid() const {
  if (broker_) return broker_->pid();
  return std::nullopt;
}

std::vector<pid_t> LitcStack::worker_pids() const {
  std::vector<pid_t> out;
  for (const auto& w : workers_procs_) out.push_back(w->pid());
  return out;
}

bool LitcStack::wait_workers_online(litc::Client& client, uint64_t n, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto stats = client.stats();
    if (stats.ok() && stats.value().get("workers_online") >= n) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

bool LitcStack::healthy() {
  if (broker_ && !broker_->running()) died_ = true;
  for (auto& w : workers_procs_) {
    if (!w->running()) died_ = true;
  }
  return !died_;
}

std::string LitcStack::logs() const {
  std::string out;
  if (broker_) out += broker_->tail(20);
  for (const auto& w : workers_procs_) out += w->tail(10);
  return out;
}

bool LitcStack::stop() {
  bool ok = healthy();
  for (auto& w : workers_procs_) {
    w->stop(cfg_.worker_wrapper.empty() ? milliseconds(5000) : milliseconds(120'000));
  }
  workers_procs_.clear();
  if (broker_) {
    broker_->stop(cfg_.broker_wrapper.empty() ? milliseconds(5000) : milliseconds(120'000));
    broker_.reset();
  }
  return ok;
}

BaselineStack::BaselineStack(const StackConfig& cfg, int workers) {
  frontend_ = cfg.baseline_frontend;
  if (!frontend_.empty()) return;
  int id = next_id();
  auto endpoints_file = cfg.log_dir / ("baseline-broker-" + std::to_string(id) + ".endpoints");
  broker_ = start("baseline-broker-" + std::to_string(id),
                  {bin(cfg, "litc-baseline-broker"), "--endpoints-file", endpoints_file.string()},
                  cfg.log_dir);
  auto e = localnet::wait_endpoints_file(endpoints_file, *broker_, milliseconds(10'000),
                                         {"frontend", "backend"});
  if (!e) throw std::runtime_error("litc-baseline-broker did not start\n" + broker_->tail(20));
  frontend_ = e->get("frontend");
  for (int i = 0; i < workers; ++i) {
    workers_.push_back(start("baseline-worker-" + std::to_string(next_id()),
                             {bin(cfg, "litc-baseline-worker"), "--broker", e->get("backend")},
                             cfg.log_dir));
  }
}

BaselineStack::~BaselineStack() {
  for (auto& w : workers_) w->stop(milliseconds(2000));
  if (broker_) broker_->stop(milliseconds(2000));
}

std::optional<pid_t> BaselineStack::broker_pid() const {
  if (broker_) return broker_->pid();
  return std::nullopt;
}

std::vector<pid_t> BaselineStack::worker_pids() const {
  std::vector<pid_t> out;
  for (const auto& w : workers_) out.push_back(w->pid());
  return out;
}

bool BaselineStack::healthy() {
  bool ok = !broker_ || broker_->running();
  for (auto& w : workers_) ok = w->running() && ok;
  return ok;
}

std::string BaselineStack::logs() const {
  std::string out;
  if (broker_) out += broker_->tail(20);
  for (const auto& w : workers_) out += w->tail(10);
  return out;
}

}  // namespace litc::bench
