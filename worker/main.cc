// litc-worker: command-line flags, signal handling and start-up of one litcompute node.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "crypto/conditions/json_rpc_chain_reader.h"
#include "crypto/ethereum/address.h"
#include "crypto/threshold/network_key.h"
#include "worker/operations/registry.h"
#include "worker/worker_node.h"

namespace {

std::string default_node_id() {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "node");
  return std::string(host) + "-" + std::to_string(::getpid());
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  auto flush = [&] {
    const auto first = item.find_first_not_of(" \t");
    if (first != std::string::npos)
      out.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
    item.clear();
  };
  for (char c : list) {
    if (c == ',') {
      flush();
    } else {
      item += c;
    }
  }
  flush();
  return out;
}

// Signals are blocked in every thread and taken here with sigtimedwait, so no handler runs inside
// ZeroMQ or the pool, and the socket loop only ever sees two atomic flags. First SIGINT/SIGTERM:
// drain. Second: leave at once.
void watch_signals(std::stop_token stop_watching, const sigset_t& signals,
                   litc::StopRequest& stop) {
  const timespec slice{0, 100'000'000};
  while (!stop_watching.stop_requested()) {
    const int sig = ::sigtimedwait(&signals, nullptr, &slice);
    if (sig != SIGINT && sig != SIGTERM) continue;
    if (stop.drain.exchange(true)) {
      spdlog::warn("second signal: stopping without waiting for running jobs");
      stop.now = true;
    } else {
      spdlog::info("signal {}: draining (send it again to stop at once)", sig);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  litc::WorkerOptions options;
  options.node_id = default_node_id();
  options.max_concurrent = std::clamp(std::thread::hardware_concurrency(), 1u, 1024u);
  std::string ops = "echo,sha256";
  std::string log_level = "info";
  long heartbeat_ms = options.heartbeat_interval.count();
  long reconnect_min_ms = options.reconnect_min.count();
  long reconnect_max_ms = options.reconnect_max.count();

  CLI::App app{
      "litc-worker: a litcompute node. Registers with the broker, runs the jobs it is assigned on "
      "a "
      "thread pool and sends back one result per job. SIGINT/SIGTERM drains (finish running jobs, "
      "then exit 0); a second signal exits at once (exit 1, the broker re-queues running jobs)."};
  app.add_option("--broker", options.broker_endpoint,
                 "Broker worker endpoint (its backend ROUTER) to connect to.")
      ->capture_default_str();
  app.add_option("--node-id", options.node_id,
                 "Node id announced in Register; a second node with the same id replaces this one "
                 "at the broker. Default: <hostname>-<pid>.");
  app.add_option("--ops", ops,
                 "Comma-separated operations this node runs and advertises (known: echo, sha256, "
                 "sleep, encrypt (needs --network-key), decrypt (needs --network-key, --key-share "
                 "and --rpc for chain conditions)); an unknown name stops start-up.")
      ->capture_default_str();
  litc::OperationContext context;
  std::string network_key_file, key_share_file, node_key_file;
  std::vector<std::string> rpc;
  app.add_option("--network-key", network_key_file,
                 "network.json from `litc keygen --network` (public): the key encrypt uses and "
                 "decrypt shares are checked against. Refused unless self-consistent.");
  app.add_option("--node-key", node_key_file,
                 "This node's Ed25519 identity key (litc keygen --node): its public key is "
                 "announced in Register (instead of --public-key); `sign` and verified results "
                 "are signed with it. Without it (and without --public-key) results are signed "
                 "with a key made for this run only, and `sign` is refused.");
  app.add_option("--key-share", key_share_file,
                 "This node's share-<i>.key (secret, mode 0600). Checked against --network-key at "
                 "start-up (a mismatch stops it); its index is announced in Register.");
  app.add_option("--rpc", rpc,
                 "JSON-RPC endpoint per chain for decrypt's conditions, e.g. "
                 "ethereum=http://127.0.0.1:8545 (repeatable). A condition on a chain without one "
                 "answers unsupported_condition.");
  app.add_option("--rpc-timeout-ms", context.rpc_timeout_ms,
                 "Deadline of one chain read; past it the decrypt answers chain_unavailable.")
      ->check(CLI::Range(10u, 600'000u))
      ->capture_default_str();
  app.add_option("--max-conditions", context.max_conditions,
                 "Conditions one decrypt request may ask this node to evaluate; more is refused "
                 "with invalid_argument before any chain read.")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app.add_option("--max-chain-reads", context.max_chain_reads,
                 "Distinct chain reads one decrypt request may cost (repeats come from the "
                 "request's cache); past it the request answers chain_unavailable.")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app.add_option("--evaluation-budget-ms", context.evaluation_budget_ms,
                 "Wall time one decrypt request's chain reads may take in all; past it "
                 "chain_unavailable (a cancelled job also stops reading).")
      ->check(CLI::Range(100u, 600'000u))
      ->capture_default_str();
  app.add_option("--max-auth-sig-lifetime-s", context.max_auth_sig_lifetime_s,
                 "Refuse authSigs (invalid_auth_sig) that expire further than this from now: "
                 "every node sees a requester's authSig, so it should be short-lived. 0 = no "
                 "limit.")
      ->capture_default_str();
  bool no_wildcard = false;
  app.add_flag("--no-wildcard-auth-sig", no_wildcard,
               "Accept only authSigs whose Resources name the ciphertext's identity exactly, not "
               "lit-accesscontrolcondition://*: a node that replays such an authSig can open only "
               "that one ciphertext.");
  app.add_option("--siwe-domain", context.siwe_domains,
                 "Domains an authSig's sign-in message may name (repeatable); none = any, as Lit.");
  std::string fault_signature = "none";
  app.add_option("--fault-signature", fault_signature,
                 "tests only: sign verified results wrongly (forged: a flipped bit; "
                 "other-attempt: another attempt's statement)")
      ->check(CLI::IsMember({"none", "forged", "other-attempt"}))
      ->group("");
  app.add_flag("--fault-wrong-share", context.fault_wrong_share,
               "TEST ONLY: release wrong decryption shares, for tests of the broker's check.")
      ->group("");
  app.add_option("--inline-max-bytes", options.inline_max_bytes,
                 "Echo and sha256 jobs with inputs up to this size run on the socket thread "
                 "instead of the pool (saves two thread hand-offs per job); 0 = always the pool.")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 20));
  app.add_option("--max-concurrent", options.max_concurrent,
                 "Jobs run at once (pool threads) and slots offered to the broker; further Assigns "
                 "wait in a queue. Default: number of CPUs.")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--heartbeat-ms", heartbeat_ms,
                 "Heartbeat interval until the broker's RegisterAck sets its own.")
      ->check(CLI::Range(10L, 600'000L))
      ->capture_default_str();
  app.add_option("--liveness", options.liveness,
                 "Heartbeat intervals of broker silence before this node drops the connection and "
                 "reconnects (until RegisterAck sets its own).")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--reconnect-min-ms", reconnect_min_ms,
                 "First wait before reconnecting to a silent broker; doubles on each failure.")
      ->check(CLI::Range(1L, 600'000L))
      ->capture_default_str();
  app.add_option("--reconnect-max-ms", reconnect_max_ms,
                 "Longest wait between reconnect attempts (the doubling stops here).")
      ->check(CLI::Range(1L, 3'600'000L))
      ->capture_default_str();
  app.add_option("--wallet", options.wallet_address,
                 "Wallet address the node is paid to (0x + 40 hex; mixed case must be the EIP-55 "
                 "checksum). Empty: a node that is not paid.");
  app.add_option("--public-key", options.public_key, "Node public key announced in Register.");
  app.add_option("--max-frame-bytes", options.max_frame_bytes,
                 "Largest frame accepted from the broker (larger ones are logged and ignored) and "
                 "largest Result sent (a larger output fails the job with operation_failed).")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "Log level: trace, debug, info, warn or error.")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (reconnect_max_ms < reconnect_min_ms) {
    std::fprintf(stderr, "litc-worker: --reconnect-max-ms must be >= --reconnect-min-ms\n");
    return 2;
  }
  options.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  options.reconnect_min = std::chrono::milliseconds(reconnect_min_ms);
  options.reconnect_max = std::chrono::milliseconds(reconnect_max_ms);
  spdlog::set_level(spdlog::level::from_str(log_level));

  litc::OperationRegistry operations;
  std::optional<litc::ResultSigner> signer;  // outlives the node, which points at it
  try {
    const std::vector<std::string> names = split_list(ops);
    if (names.empty()) throw std::invalid_argument("--ops lists no operation");
    if (!options.wallet_address.empty()) {
      if (auto w = litc::crypto::parse_address(options.wallet_address); !w.ok()) {
        throw std::invalid_argument("--wallet: " + w.error().message);
      }
    }
    if (!network_key_file.empty()) {
      auto key = litc::crypto::load_network_key(network_key_file);
      if (!key.ok()) throw std::invalid_argument(key.error().message);
      context.network_key = key.value();
      options.network_key_fingerprint = litc::crypto::network_key_fingerprint(key.value());
    }
    if (!key_share_file.empty()) {
      if (!context.network_key) throw std::invalid_argument("--key-share needs --network-key");
      auto share = litc::crypto::load_key_share(key_share_file);
      if (!share.ok()) throw std::invalid_argument(share.error().message);
      if (auto ok = litc::crypto::verify_key_share(*context.network_key, share.value()); !ok) {
        throw std::invalid_argument(key_share_file + ": " + ok.error().message);
      }
      context.key_share = share.value();
      options.share_index = share.value().index;
      options.share_proof = litc::crypto::prove_share_possession(*context.network_key,
                                                                 share.value(), options.node_id);
    }
    if (!node_key_file.empty()) {
      auto key = litc::crypto::load_node_key(node_key_file);
      if (!key.ok()) throw std::invalid_argument(key.error().message);
      if (!options.public_key.empty()) {
        throw std::invalid_argument("--node-key and --public-key both name the node's key");
      }
      options.public_key = key.value().public_key_hex();
      context.node_key = key.value();
    }
    std::optional<litc::crypto::NodeKey> signing_key = context.node_key;
    if (!signing_key && options.public_key.empty()) {
      // Every node can sign results, so verified jobs (decrypt shares) find it; without a key
      // file its identity lasts one run, and `sign` (whose output is the signature) is refused.
      signing_key = litc::crypto::generate_node_key();
      options.public_key = signing_key->public_key_hex();
      spdlog::warn(
          "no --node-key: results signed with a key made for this run only ({}); a node "
          "that keeps its identity needs one (litc keygen --node)",
          options.public_key);
    }
    if (signing_key) {
      using Fault = litc::ResultSigner::Fault;
      const Fault fault = fault_signature == "forged"          ? Fault::forged
                          : fault_signature == "other-attempt" ? Fault::other_attempt
                                                               : Fault::none;
      signer.emplace(*signing_key, options.node_id, fault);
      options.signer = &*signer;
    }
    auto endpoints = litc::crypto::parse_chain_endpoints(rpc);
    if (!endpoints.ok()) throw std::invalid_argument("--rpc: " + endpoints.error().message);
    context.rpc_endpoints = endpoints.value();
    context.allow_wildcard_auth_sig = !no_wildcard;
    operations = litc::OperationRegistry::with(names, context);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "litc-worker: %s\n", e.what());
    return 2;
  }

  // Block before any thread exists (ZeroMQ I/O threads, the pool) so all of them inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  litc::StopRequest stop;
  bool drained = false;
  try {
    zmq::context_t context(1);
    std::jthread signal_watcher([&](std::stop_token st) { watch_signals(st, signals, stop); });
    litc::WorkerNode node(context, options, operations);
    drained = node.run(stop);
  } catch (const std::exception& e) {
    spdlog::error("litc-worker: {}", e.what());
    return 1;
  }
  return drained ? 0 : 1;
}
