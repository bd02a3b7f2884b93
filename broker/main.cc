// litc-broker: parses flags, binds the sockets, writes the endpoints file, runs the event loop.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "broker/broker_loop.h"
#include "broker/result_verifier.h"
#include "broker/share_verifier.h"
#include "crypto/threshold/network_key.h"

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void write_endpoints(const std::string& path, const litc::broker::BrokerLoop::Endpoints& e) {
  // Written whole then renamed, so a reader polling for the file never sees half of it.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "clients=" << e.clients << "\nworkers=" << e.workers << "\nevents=" << e.events
        << "\nsnapshot=" << e.snapshot << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

}  // namespace

int main(int argc, char** argv) {
  litc::broker::BrokerOptions o;
  auto& s = o.scheduler;
  std::string operations = "echo,sha256,sleep,encrypt,decrypt,sign";
  std::string verified_operations = "sign,decrypt";
  std::string network_key_file;
  std::string log_level = "info";
  std::size_t max_frame = o.max_frame_bytes;

  CLI::App app{
      "litc-broker: dispatches jobs from clients to workers and publishes every state "
      "change (litcompute)."};
  app.option_defaults()->always_capture_default();
  app.add_option("--clients", o.clients, "ROUTER endpoint for clients (submit, status, cancel)");
  app.add_option("--workers", o.workers, "ROUTER endpoint for workers");
  app.add_option("--events", o.events, "PUB endpoint: one event per job state change");
  app.add_option("--snapshot", o.snapshot, "ROUTER endpoint serving the whole live state");
  app.add_option("--endpoints-file", o.endpoints_file,
                 "after binding, write the actual endpoints here (lets tests bind port *)");
  app.add_option("--operations", operations,
                 "comma-separated catalogue of operations; a submit of any other operation is "
                 "refused with unknown_operation");
  app.add_option("--heartbeat-ms", s.heartbeat_interval_ms,
                 "heartbeat interval to and from workers")
      ->check(CLI::Range(10u, 60'000u));
  app.add_option(
         "--liveness", s.liveness,
         "a worker silent for liveness x heartbeat interval is dead; its jobs are re-queued")
      ->check(CLI::Range(1u, 100u));
  app.add_option("--lease-ms", s.lease_ms,
                 "an attempt with no result or progress for this long is re-queued "
                 "(attempt + 1); 0 = no lease")
      ->check(CLI::Range(0u, 86'400'000u));
  app.add_option("--default-timeout-ms", s.default_timeout_ms,
                 "hard execution timeout of one attempt when the job sets none; past it the job "
                 "fails with timeout")
      ->check(CLI::Range(1u, 86'400'000u));
  app.add_option("--default-max-attempts", s.default_max_attempts,
                 "attempts before a job whose workers keep dying is failed and dead-lettered")
      ->check(CLI::Range(1u, 100u));
  app.add_option("--default-ttl-ms", s.default_ttl_ms,
                 "how long a job may wait for a worker when it sets no ttl; past it the job fails "
                 "with expired; 0 = forever")
      ->check(CLI::Range(0u, 86'400'000u));
  app.add_option("--max-frame-bytes", max_frame,
                 "largest accepted frame; larger ones are answered with frame_too_large")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{256} << 20));
  app.add_option("--max-queued-jobs", s.max_queued_jobs,
                 "pending jobs the broker holds; further submits get queue_full")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  app.add_option("--retain-finished", s.retain_finished,
                 "finished jobs kept for status queries and idempotent resubmits; oldest evicted "
                 "first")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100'000'000}));
  app.add_option("--max-dead-letter", s.max_dead_letter,
                 "dead-lettered jobs kept for listing and replay; oldest evicted first")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100'000'000}));
  app.add_option("--send-hwm", o.send_hwm,
                 "messages queued per client/worker connection; past it ZeroMQ drops replies to "
                 "that peer")
      ->check(CLI::Range(100, 10'000'000));
  app.add_option("--events-hwm", o.events_hwm,
                 "events queued per subscriber; past it events are dropped and the subscriber "
                 "sees a seq gap (and re-snapshots)")
      ->check(CLI::Range(1000, 100'000'000));
  app.add_option("--verified-operations", verified_operations,
                 "comma-separated operations whose results are always signed by their node and "
                 "checked before they are accepted (any job may ask: Submit.verified); never "
                 "encrypt");
  app.add_option("--network-key", network_key_file,
                 "network.json (litc keygen --network): lets the broker run decrypt as a quorum "
                 "job and check every share's DLEQ proof; without it decrypt is refused");
  app.add_option("--quorum-wait-ms", s.quorum.wait_ms,
                 "a decrypt with fewer than threshold share holders answering or running this "
                 "long after submit fails with quorum_unavailable")
      ->check(CLI::Range(1u, 86'400'000u));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);

  o.max_frame_bytes = max_frame;
  s.operations = split_list(operations);
  if (s.operations.empty()) {
    std::fprintf(stderr, "litc-broker: --operations is empty\n");
    return 2;
  }
  s.verified_operations = split_list(verified_operations);
  if (std::find(s.verified_operations.begin(), s.verified_operations.end(), "encrypt") !=
      s.verified_operations.end()) {
    std::fprintf(stderr,
                 "litc-broker: --verified-operations: encrypt cannot be verified (its input CID "
                 "would be a hash of the plaintext)\n");
    return 2;
  }
  const litc::broker::Ed25519ResultVerifier result_verifier;
  s.result_verifier = &result_verifier;
  spdlog::set_level(spdlog::level::from_str(log_level));
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  std::unique_ptr<litc::broker::DleqShareVerifier> verifier;
  if (!network_key_file.empty()) {
    auto key = litc::crypto::load_network_key(network_key_file);
    if (!key.ok()) {
      std::fprintf(stderr, "litc-broker: %s\n", key.error().message.c_str());
      return 2;
    }
    verifier = std::make_unique<litc::broker::DleqShareVerifier>(key.value());
    s.quorum.threshold = key.value().threshold;
    s.quorum.shares = key.value().shares;
    s.quorum.verifier = verifier.get();
    o.network_key_fingerprint = litc::crypto::network_key_fingerprint(key.value());
  }

  try {
    zmq::context_t context(1);
    litc::broker::BrokerLoop loop(o, context);
    const auto& e = loop.endpoints();
    if (!o.endpoints_file.empty()) write_endpoints(o.endpoints_file, e);
    spdlog::info("litc-broker epoch {}: clients {} workers {} events {} snapshot {}", loop.epoch(),
                 e.clients, e.workers, e.events, e.snapshot);
    loop.run(g_stop);
    spdlog::info("litc-broker stopping");
  } catch (const std::exception& ex) {
    spdlog::error("litc-broker: {}", ex.what());
    return 1;
  }
  return 0;
}
