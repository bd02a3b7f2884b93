// make_auth_sig (see auth_sig_builder.h): format_siwe_message + sign_personal.
#include "tests/crypto/ethereum/auth_sig_builder.h"

#include <chrono>

#include "crypto/ethereum/siwe_message.h"

namespace litc::crypto::testing {

boost::json::object make_auth_sig(const PrivateKey& key, const AuthSigSpec& spec) {
  SiweMessage m;
  m.domain = spec.domain;
  m.address = to_checksum_address(address_of(key));
  m.statement = "Sign in to litcompute tests.";
  m.uri = "https://" + spec.domain + "/";
  m.chain_id = 1;
  m.nonce = spec.nonce;
  m.issued_at = SiweTime::from_unix_ms(spec.issued_at_ms ? spec.issued_at_ms : now_ms());
  if (spec.expiration_ms) m.expiration_time = SiweTime::from_unix_ms(spec.expiration_ms);
  if (spec.not_before_ms) m.not_before = SiweTime::from_unix_ms(*spec.not_before_ms);
  if (!spec.resources.empty()) m.resources = spec.resources;
  const std::string message = format_siwe_message(m);
  return boost::json::object{{"sig", sign_personal(message, key)},
                             {"derivedVia", "web3.eth.personal.sign"},
                             {"signedMessage", message},
                             {"address", m.address}};
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace litc::crypto::testing
