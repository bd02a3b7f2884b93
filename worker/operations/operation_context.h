// What the key-holding operations (encrypt, decrypt) need besides their input: the network key,
// this node's share, its chain endpoints and a clock. Filled from litc-worker's flags; a test
// fills it directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/threshold/network_key.h"

namespace litc {

struct OperationContext {
  std::optional<crypto::NetworkKey> network_key;     // --network-key: encrypt and decrypt
  std::optional<crypto::KeyShare> key_share;         // --key-share: decrypt (checked at start-up)
  std::map<std::string, std::string> rpc_endpoints;  // --rpc chain=url: condition chain reads
  std::vector<std::string> siwe_domains;             // --siwe-domain: empty = any domain
  std::uint32_t rpc_timeout_ms = 5000;
  std::size_t max_params_bytes = 1 << 20;  // largest encrypt/decrypt input document parsed
  // Wall clock in ms since the Unix epoch, for authSig expiry. Empty: the system clock.
  std::function<std::int64_t()> now_ms;
  // Test-only fault (--fault-wrong-share): release D_i + B instead of D_i, so the broker's DLEQ
  // check has a lying node to catch. Never set in production.
  bool fault_wrong_share = false;
};

}  // namespace litc
