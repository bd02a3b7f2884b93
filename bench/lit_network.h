// The processes of litc-lit-bench: a T-of-N network key dealt by `litc keygen --network`, one
// litc-broker holding network.json (decrypt as a quorum job, every share's DLEQ checked) and N
// litc-workers, worker i holding share-<i>.key and running echo, encrypt and decrypt. All on
// ephemeral loopback ports, started from the bin directory, stopped by their own pids.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/threshold/network_key.h"
#include "localnet/child_process.h"
#include "protocol/client.h"

namespace litc::bench {

struct LitNetworkConfig {
  std::filesystem::path bin_dir;
  std::filesystem::path log_dir;         // logs, endpoints file and the key directory
  std::uint32_t threshold = 2;           // T
  std::uint32_t shares = 3;              // N: one worker per share
  int worker_slots = 256;                // litc-worker --max-concurrent
  std::vector<std::string> broker_args;  // extra litc-broker flags
  std::vector<std::string> worker_args;  // extra litc-worker flags
};

class LitNetwork {
 public:
  // Deals the key, starts the broker and the N workers and waits until all N registered. Throws
  // std::runtime_error (with the process logs) when a step fails.
  LitNetwork(const LitNetworkConfig& cfg, zmq::context_t& context);
  ~LitNetwork();

  const crypto::NetworkKey& key() const { return key_; }
  const std::string& clients() const { return clients_; }
  pid_t broker_pid() const;
  std::vector<pid_t> worker_pids() const;
  // The broker's counters (stats), or nullopt when it does not answer.
  std::optional<BrokerStatsInfo> stats();
  // Every process is still running.
  bool healthy();
  std::string logs() const;

 private:
  const LitNetworkConfig& cfg_;
  zmq::context_t& context_;
  crypto::NetworkKey key_;
  std::string clients_;
  std::unique_ptr<localnet::ChildProcess> broker_;
  std::vector<std::unique_ptr<localnet::ChildProcess>> workers_;
};

}  // namespace litc::bench
