// Dealing the key and starting, watching and stopping the processes of litc-lit-bench (see
// lit_network.h).
#include "bench/lit_network.h"

#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "localnet/endpoints_file.h"

namespace litc::bench {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<localnet::ChildProcess> start(const std::string& name,
                                              std::vector<std::string> argv,
                                              const std::filesystem::path& log_dir) {
  localnet::ChildOptions options;
  options.logs = localnet::ChildOptions::Logs::combined;
  options.stop_grace = milliseconds(5000);
  auto child = std::make_unique<localnet::ChildProcess>(name, std::move(argv), log_dir, options);
  if (!child->started()) throw std::runtime_error(child->error());
  return child;
}

}  // namespace

LitNetwork::LitNetwork(const LitNetworkConfig& cfg, zmq::context_t& context)
    : cfg_(cfg), context_(context) {
  const auto bin = [&](const char* name) { return (cfg.bin_dir / name).string(); };
  const std::filesystem::path keys = cfg.log_dir / "keys";
  const std::string network_json = (keys / "network.json").string();

  // The trusted dealer step, exactly as an operator runs it.
  {
    auto keygen =
        start("keygen",
              {bin("litc"), "keygen", "--network", "--threshold", std::to_string(cfg.threshold),
               "--shares", std::to_string(cfg.shares), "--out", keys.string()},
              cfg.log_dir);
    auto status = keygen->wait(milliseconds(30'000));
    if (status != 0) throw std::runtime_error("litc keygen --network failed\n" + keygen->tail(20));
  }
  auto key = crypto::load_network_key(network_json);
  if (!key) throw std::runtime_error("network.json: " + key.error().message);
  key_ = key.value();

  const auto endpoints_file = cfg.log_dir / "broker.endpoints";
  std::vector<std::string> argv = {bin("litc-broker"),
                                   "--clients",
                                   "tcp://127.0.0.1:*",
                                   "--workers",
                                   "tcp://127.0.0.1:*",
                                   "--events",
                                   "tcp://127.0.0.1:*",
                                   "--snapshot",
                                   "tcp://127.0.0.1:*",
                                   "--endpoints-file",
                                   endpoints_file.string(),
                                   "--network-key",
                                   network_json,
                                   "--log-level",
                                   "warn"};
  argv.insert(argv.end(), cfg.broker_args.begin(), cfg.broker_args.end());
  broker_ = start("broker", argv, cfg.log_dir);
  auto e = localnet::wait_endpoints_file(endpoints_file, *broker_, milliseconds(10'000));
  if (!e) throw std::runtime_error("litc-broker did not start\n" + broker_->tail(20));
  clients_ = e->clients;

  for (std::uint32_t i = 1; i <= cfg.shares; ++i) {
    const std::string share_file = (keys / ("share-" + std::to_string(i) + ".key")).string();
    std::vector<std::string> w = {
        bin("litc-worker"), "--broker", e->workers, "--node-id",
        "lit-bench-" + std::to_string(::getpid()) + "-" + std::to_string(i), "--ops",
        "echo,encrypt,decrypt", "--network-key", network_json, "--key-share", share_file,
        // The evaluator takes a condition only on a chain with an endpoint, even the bench's
        // :userAddress check that reads nothing; this one is never contacted (port 9, discard).
        "--rpc", "ethereum=http://127.0.0.1:9", "--max-concurrent",
        std::to_string(cfg.worker_slots), "--log-level", "warn"};
    w.insert(w.end(), cfg.worker_args.begin(), cfg.worker_args.end());
    workers_.push_back(start("worker-" + std::to_string(i), w, cfg.log_dir));
  }

  // Every share holder registered: a decrypt can then always find T of them.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(15'000);
  while (true) {
    auto s = stats();
    if (s && s->get("workers_online") >= cfg.shares) break;
    if (!healthy() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the workers did not all register within 15 s\n" + logs());
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
}

LitNetwork::~LitNetwork() {
  for (auto& w : workers_) w->stop(milliseconds(5000));
  if (broker_) broker_->stop(milliseconds(5000));
}

pid_t LitNetwork::broker_pid() const {
  return broker_->pid();
}

std::vector<pid_t> LitNetwork::worker_pids() const {
  std::vector<pid_t> out;
  for (const auto& w : workers_) out.push_back(w->pid());
  return out;
}

std::optional<BrokerStatsInfo> LitNetwork::stats() {
  Client client(ClientOptions{clients_, 2000}, &context_);
  auto s = client.stats();
  if (!s.ok()) return std::nullopt;
  return s.value();
}

bool LitNetwork::healthy() {
  bool ok = broker_->running();
  for (auto& w : workers_) ok = w->running() && ok;
  return ok;
}

std::string LitNetwork::logs() const {
  std::string out = broker_ ? broker_->tail(20) : "";
  for (const auto& w : workers_) out += w->tail(10);
  return out;
}

}  // namespace litc::bench
