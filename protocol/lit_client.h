// The requester's side of Lit-style encryption, for C++ callers and `litc`: local encryption (the
// plaintext never leaves the process), and decryption through the network — blind, submit one
// `decrypt` quorum job, verify every share again, combine, open (crypto/threshold/scheme.md).
//
// Documents are the ones Lit users know: the encryptToJson envelope {"ciphertext",
// "dataToEncryptHash", <conditions>, "chain", "dataType"} (plus our "hashOfConditions" and
// "identity"), and a legacy authSig {sig, derivedVia, signedMessage, address}.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "crypto/crypto_result.h"
#include "crypto/threshold/decryption.h"
#include "crypto/threshold/network_key.h"
#include "protocol/client.h"

namespace litc {

// `params`: {one of the four condition arrays, "chain"}. Returns the envelope document (JSON).
crypto::Result<std::string> encrypt_to_json(const crypto::NetworkKey& key, std::string_view params,
                                            std::string_view plaintext);

// What a requester keeps between submitting a decrypt and combining its shares.
struct PendingDecrypt {
  std::string job_input;  // the decrypt job's input document; holds the authSig: never store it
  crypto::Envelope envelope;
  crypto::Blinding blinding;  // s is secret to this process
  std::string identity;
  std::string data_to_encrypt_hash;
};

// Checks the envelope's label under its own conditions, then blinds. invalid_argument for a
// malformed envelope document, invalid_ciphertext for a tampered one.
crypto::Result<PendingDecrypt> prepare_decrypt(const crypto::NetworkKey& key,
                                               std::string_view envelope_json,
                                               const boost::json::value& auth_sig);

// `job_output`: the completed decrypt job's output, {"shares":[…]}. The shares are verified here
// again (the broker is not trusted for this), combined and opened.
crypto::Result<std::string> finish_decrypt(const crypto::NetworkKey& key,
                                           const PendingDecrypt& pending,
                                           std::string_view job_output);

// prepare → submit (wait) → finish. A failed job's error code and message come back as they are.
crypto::Result<std::string> decrypt_through(Client& client, const crypto::NetworkKey& key,
                                            std::string_view envelope_json,
                                            const boost::json::value& auth_sig,
                                            int wait_timeout_ms);

}  // namespace litc
