// The chain reads the evaluator needs, as an interface the caller passes in: lc::conditions does
// no I/O itself (lc::chain_rpc's JsonRpcChainReader is the JSON-RPC implementation; tests pass a
// fake).
//
// Contract for implementations: addresses and data are "0x"-prefixed lowercase hex; `block` is a
// JSON-RPC block tag ("latest"). Return the JSON-RPC result string as the node sent it. Errors:
// unsupported_condition for a chain with no endpoint, chain_unavailable for anything that went
// wrong on the way (the evaluator reports any other code as chain_unavailable too).
#pragma once

#include <string>
#include <string_view>

#include "crypto/conditions/errors.h"

namespace litc::crypto {

class ChainReader {
 public:
  virtual ~ChainReader() = default;

  // True when this reader has an endpoint for `chain` (a Lit chain name such as "ethereum").
  virtual bool supports_chain(std::string_view chain) const = 0;
  // eth_getBalance(address, block): a hex quantity such as "0x21e19e0c9bab2400000".
  virtual ConditionResult<std::string> get_balance(std::string_view chain, std::string_view address,
                                                   std::string_view block) = 0;
  // eth_call({to, data}, block): the returned bytes as hex data such as "0x00…2a".
  virtual ConditionResult<std::string> eth_call(std::string_view chain, std::string_view to,
                                                std::string_view data, std::string_view block) = 0;
};

}  // namespace litc::crypto
