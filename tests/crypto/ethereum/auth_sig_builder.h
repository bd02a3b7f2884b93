// Test-only: a Lit legacy authSig signed by a test key, with the sign-in message's fields as a
// test wants them (expired, not yet valid, other resources, …). For integration tests that need
// a real wallet signature without a wallet.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/crypto/ethereum/test_signer.h"

namespace litc::crypto::testing {

struct AuthSigSpec {
  std::int64_t issued_at_ms = 0;
  std::int64_t expiration_ms = 0;  // required by our check; 0 = leave it out
  std::optional<std::int64_t> not_before_ms;
  std::vector<std::string> resources{"lit-accesscontrolcondition://*"};
  std::string domain = "localhost";
  std::string nonce = "litcnonce1234";
};

// {sig, derivedVia: "web3.eth.personal.sign", signedMessage, address} signed by `key`.
boost::json::object make_auth_sig(const PrivateKey& key, const AuthSigSpec& spec);

// Wall clock, ms since the Unix epoch.
std::int64_t now_ms();

}  // namespace litc::crypto::testing
