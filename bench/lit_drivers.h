// The load loop's drivers (load.h) for the Lit-style operations: EncryptDriver submits `encrypt`
// jobs, DecryptDriver `decrypt` quorum jobs, each through a LitcDriver (pipelined Submit{wait,
// no_ack}) and each checking every result against its own request.
//
// The loop's own check is "output == the request's payload", which suits echo. These drivers do
// the operation's check themselves and, only when it passes, hand the loop back the request's
// payload as the output; a result that fails becomes an error reply, so it is counted as a
// failure and never as throughput.
//   encrypt  plaintext i is text derived from payload i. Every result: dataToEncryptHash =
//            SHA-256(plaintext i), hashOfConditions and identity as expected, the ciphertext
//            decodes; every `verify_every`-th also its label proof under our identity and P.
//   decrypt  requests come from a pool of prepared decrypts (prepare_decrypt on envelopes made by
//            encrypt_to_json, distinct plaintexts), larger than the window; one entry is never in
//            flight twice, so a reply that answers another request fails to combine. Every
//            result: T well-formed shares of distinct indices; every `verify_every`-th also
//            finish_decrypt (every share's DLEQ again, combine, open) = the entry's plaintext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "bench/drivers.h"
#include "bench/load.h"
#include "crypto/threshold/network_key.h"
#include "protocol/lit_client.h"

namespace litc::bench {

// `:userAddress = address`: a condition the nodes evaluate without a chain.
std::string user_address_params(const std::string& address);

// Text plaintext of `bytes` bytes for load request `index` (the index in hex first, so distinct).
std::string lit_plaintext(uint64_t index, std::size_t bytes);

class EncryptDriver {
 public:
  EncryptDriver(zmq::context_t& context, const std::string& clients, int timeout_ms,
                const crypto::NetworkKey& key, const std::string& params, std::size_t bytes,
                uint64_t verify_every);

  uint64_t send(std::string_view payload);
  std::optional<Reply> poll(int timeout_ms);
  uint64_t verified() const { return verified_; }

 private:
  std::string check(const std::string& plaintext, std::string_view output);

  LitcDriver inner_;
  const crypto::NetworkKey& key_;
  std::string input_head_;  // the params document without its closing brace
  std::string hash_of_conditions_;
  std::size_t bytes_;
  uint64_t verify_every_;
  uint64_t results_ = 0, verified_ = 0;
  struct Sent {
    std::string payload;
    std::string plaintext;
  };
  std::unordered_map<uint64_t, Sent> in_flight_;
  std::string payload_;  // owns the output a Reply points into
};

class DecryptDriver {
 public:
  // Prepares `pool` decrypts (encrypt_to_json + prepare_decrypt; throws std::runtime_error when
  // one fails). The pool must be larger than the window.
  DecryptDriver(zmq::context_t& context, const std::string& clients, int timeout_ms,
                const crypto::NetworkKey& key, const std::string& params,
                const boost::json::value& auth_sig, std::size_t bytes, std::size_t pool,
                uint64_t verify_every);

  uint64_t send(std::string_view payload);
  std::optional<Reply> poll(int timeout_ms);
  uint64_t verified() const { return verified_; }
  double prepare_s() const { return prepare_s_; }

 private:
  std::string check(std::size_t entry, std::string_view output);

  LitcDriver inner_;
  const crypto::NetworkKey& key_;
  uint64_t verify_every_;
  uint64_t results_ = 0, verified_ = 0;
  double prepare_s_ = 0;
  struct Entry {
    std::string plaintext;
    PendingDecrypt pending;
  };
  std::vector<Entry> pool_;
  std::vector<std::size_t> free_;  // pool entries not in flight
  struct Sent {
    std::string payload;
    std::size_t entry;
  };
  std::unordered_map<uint64_t, Sent> in_flight_;
  std::string payload_;
};

}  // namespace litc::bench
