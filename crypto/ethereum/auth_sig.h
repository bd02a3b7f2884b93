// Lit's legacy authSig: proof, by an EIP-191 signature over an EIP-4361 message, of who asks us to
// decrypt. verify_auth_sig turns one JSON object into an address or a typed refusal.
//
// DESIGN — what verify_auth_sig checks, in this order (the first failure is the answer):
//  1. shape: a JSON object with string fields sig, derivedVia, signedMessage and address (other
//     fields are ignored); derivedVia is "web3.eth.personal.sign".
//  2. address is 0x + 40 hex (EIP-55 when mixed case); sig is 0x + 130 hex with v in {27,28,0,1}.
//  3. signedMessage parses as EIP-4361 (siwe_message.h) and names the same 20 bytes as address.
//  4. the message has an Expiration Time (an authSig must expire), its Resources contain
//     "lit-accesscontrolcondition://*" or the exact identity string L the caller passes, and its
//     domain is in policy.allowed_domains when that list is not empty, and it expires no further
//     than policy.max_lifetime_ms from now (when set). The statement, URI, chain
//     id, nonce and Issued At are not checked: like Lit, an authSig is reusable until it expires.
//  5. the signature recovers (personal_sign.h: high s is accepted) to address.
//  6. time: now_ms >= Expiration Time, or now_ms < Not Before, is auth_sig_expired.
// Every failure but 6 is invalid_auth_sig. Cheap text checks come before the elliptic-curve
// recovery, and time comes last, so auth_sig_expired always means "this authSig is otherwise
// valid: sign a fresh one". Never throws on any input.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace litc::crypto {

inline constexpr std::string_view kPersonalSignDerivedVia = "web3.eth.personal.sign";
inline constexpr std::string_view kLitWildcardResource = "lit-accesscontrolcondition://*";

// The error codes as the bridge's JSON errors spell them (auth_sig_code_name).
enum class AuthSigCode { ok, invalid_auth_sig, auth_sig_expired };
std::string_view auth_sig_code_name(AuthSigCode code);

struct AuthSigPolicy {
  // Domains the message may name (its authority as written, e.g. "app.example.com" or
  // "localhost:3000"), compared ignoring ASCII case. Empty: any domain, as Lit does.
  std::vector<std::string> allowed_domains;
  // Whether "lit-accesscontrolcondition://*" grants this decryption. Every node sees a requester's
  // authSig; with the wildcard a node could replay it for any ciphertext the wallet may open
  // until it expires, with the exact identity only for this one. false: exact identity only.
  bool allow_wildcard_resource = true;
  // An authSig expiring further than this from now is invalid_auth_sig: a bearer credential every
  // node sees must not live for months. 0 = no limit.
  std::int64_t max_lifetime_ms = 0;
};

struct AuthSigVerdict {
  bool ok = false;
  std::string address;  // when ok: the signer, lowercase "0x" + 40 hex
  AuthSigCode code = AuthSigCode::invalid_auth_sig;
  std::string message;  // when !ok: which check failed, in words a user can act on
};

// identity_L: the identity string of the ciphertext being decrypted (a resource that grants just
// it); now_ms: the caller's clock, ms since the Unix epoch.
AuthSigVerdict verify_auth_sig(const boost::json::value& auth_sig, std::string_view identity_L,
                               std::int64_t now_ms, const AuthSigPolicy& policy = {});

}  // namespace litc::crypto
