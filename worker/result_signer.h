// ResultSigner: how a node signs the result of a verified job (Assign.verified) with its node key,
// over the result statement of crypto/identity/result_statement.h. Runs on the thread that ran the
// job (a pool thread, or the socket thread for inline jobs), so signing never queues behind the
// socket loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/identity/node_key.h"

namespace litc {

class ResultSigner {
 public:
  // For tests of the broker's check: sign something other than the true statement.
  enum class Fault : std::uint8_t {
    none,
    forged,         // a signature with one bit flipped
    other_attempt,  // the statement of the previous attempt (attempt + 1 for the first)
  };

  ResultSigner(crypto::NodeKey key, std::string node_id, Fault fault = Fault::none)
      : key_(std::move(key)), node_id_(std::move(node_id)), fault_(fault) {}

  // The 64-byte signature of the result `output` of `input` for this job and attempt.
  std::string sign(std::string_view job_id, std::uint32_t attempt, std::string_view operation,
                   std::string_view input, std::string_view output) const;
  // Register.key_proof: this node id is registered by the holder of the key.
  std::string key_proof() const;

 private:
  crypto::NodeKey key_;
  std::string node_id_;
  Fault fault_;
};

}  // namespace litc
