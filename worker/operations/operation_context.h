// What the key-holding operations (encrypt, decrypt) need besides their input: the network key,
// this node's share, its chain endpoints and a clock. Filled from litc-worker's flags; a test
// fills it directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/conditions/chain_reader.h"
#include "crypto/identity/node_key.h"
#include "crypto/threshold/network_key.h"

namespace litc {

struct OperationContext {
  std::optional<crypto::NetworkKey> network_key;     // --network-key: encrypt and decrypt
  std::optional<crypto::KeyShare> key_share;         // --key-share: decrypt (checked at start-up)
  std::optional<crypto::NodeKey> node_key;           // --node-key: sign
  std::map<std::string, std::string> rpc_endpoints;  // --rpc chain=url: condition chain reads
  // When set, used instead of a JSON-RPC reader over rpc_endpoints (tests count reads with it).
  std::shared_ptr<crypto::ChainReader> chain_reader;
  std::vector<std::string> siwe_domains;  // --siwe-domain: empty = any domain
  bool allow_wildcard_auth_sig = true;    // --no-wildcard-auth-sig sets false
  std::uint32_t rpc_timeout_ms = 5000;
  // What one decrypt request may cost this node, whoever sends it: conditions evaluated, distinct
  // chain reads (repeats are answered from the request's own cache), and wall time for all reads.
  std::uint32_t max_conditions = 32;
  std::uint32_t max_chain_reads = 32;
  std::uint32_t evaluation_budget_ms = 20'000;
  // An authSig whose Expiration Time is further than this from now is refused (invalid_auth_sig):
  // a bearer credential every node sees must not live for months. 0 = no limit.
  std::uint32_t max_auth_sig_lifetime_s = 86'400;
  std::size_t max_params_bytes = 1 << 20;  // largest encrypt/decrypt input document parsed
  // Wall clock in ms since the Unix epoch, for authSig expiry. Empty: the system clock.
  std::function<std::int64_t()> now_ms;
  // Test-only fault (--fault-wrong-share): release D_i + B instead of D_i, so the broker's DLEQ
  // check has a lying node to catch. Never set in production.
  bool fault_wrong_share = false;
};

}  // namespace litc
