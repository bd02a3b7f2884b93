// authSig verification (see auth_sig.h for the checks and their order).
#include "crypto/ethereum/auth_sig.h"

#include <algorithm>
#include <utility>

#include "crypto/ethereum/address.h"
#include "crypto/ethereum/personal_sign.h"
#include "crypto/ethereum/rfc3339.h"
#include "crypto/ethereum/siwe_message.h"

namespace litc::crypto {
namespace {

AuthSigVerdict refuse(AuthSigCode code, std::string message) {
  return AuthSigVerdict{false, {}, code, std::move(message)};
}

AuthSigVerdict invalid(std::string message) {
  return refuse(AuthSigCode::invalid_auth_sig, std::move(message));
}

// The string field `name`, or nullptr when it is missing or not a string.
const boost::json::string* string_field(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  return value ? value->if_string() : nullptr;
}

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

// A time of the message as its text, cut at 40 bytes (a fraction may have any number of digits).
std::string shown_time(const SiweTime& t) {
  return t.text.size() <= 40 ? t.text : t.text.substr(0, 40) + "...";
}

// now_ms as text for an error message; a clock outside 0000-9999 is shown as a number.
std::string shown_now(std::int64_t now_ms) {
  if (now_ms < kRfc3339FirstMs || now_ms > kRfc3339LastMs) return std::to_string(now_ms) + " ms";
  return format_rfc3339_ms(now_ms);
}

}  // namespace

std::string_view auth_sig_code_name(AuthSigCode code) {
  switch (code) {
    case AuthSigCode::ok:
      return "ok";
    case AuthSigCode::invalid_auth_sig:
      return "invalid_auth_sig";
    case AuthSigCode::auth_sig_expired:
      return "auth_sig_expired";
  }
  return "invalid_auth_sig";
}

AuthSigVerdict verify_auth_sig(const boost::json::value& auth_sig, std::string_view identity_L,
                               std::int64_t now_ms, const AuthSigPolicy& policy) {
  // 1. Shape.
  const boost::json::object* object = auth_sig.if_object();
  if (!object) return invalid("authSig must be a JSON object");
  const boost::json::string* sig = string_field(*object, "sig");
  const boost::json::string* derived_via = string_field(*object, "derivedVia");
  const boost::json::string* signed_message = string_field(*object, "signedMessage");
  const boost::json::string* address_text = string_field(*object, "address");
  for (auto [field, name] : {std::pair{sig, "sig"},
                             {derived_via, "derivedVia"},
                             {signed_message, "signedMessage"},
                             {address_text, "address"}}) {
    if (!field) return invalid(std::string("authSig.") + name + " is missing or not a string");
  }
  if (*derived_via != kPersonalSignDerivedVia) {
    return invalid(
        "authSig.derivedVia must be \"web3.eth.personal.sign\" (an EIP-191 "
        "personal_sign signature); other kinds are not supported");
  }

  // 2. Address and signature text.
  auto claimed = parse_address(*address_text);
  if (!claimed.ok()) return invalid("authSig.address: " + claimed.error().message);
  auto parsed_sig = parse_signature(*sig);
  if (!parsed_sig.ok()) return invalid("authSig." + parsed_sig.error().message);

  // 3. The message and its address line.
  auto message = parse_siwe_message(*signed_message);
  if (!message.ok()) {
    return invalid("authSig.signedMessage is not an EIP-4361 message: " + message.error().message);
  }
  const SiweMessage& m = message.value();
  if (m.account != claimed.value()) {
    return invalid("authSig.address " + to_checksum_address(claimed.value()) +
                   " is not the address the signed message names (" +
                   to_checksum_address(m.account) + ")");
  }

  // 4. What the message grants.
  if (!m.expiration_time) {
    return invalid("the signed message has no Expiration Time; an authSig must expire");
  }
  bool granted = m.resources &&
                 std::any_of(m.resources->begin(), m.resources->end(), [&](const std::string& r) {
                   return (policy.allow_wildcard_resource && r == kLitWildcardResource) ||
                          (!identity_L.empty() && r == identity_L);
                 });
  if (!granted && !policy.allow_wildcard_resource) {
    return invalid(
        "this node accepts only authSigs whose Resources name this ciphertext's "
        "identity exactly (" +
        std::string(identity_L) + "), not " + std::string(kLitWildcardResource));
  }
  if (!granted) {
    return invalid("the signed message's Resources grant neither " +
                   std::string(kLitWildcardResource) +
                   " nor this ciphertext's identity; sign a message listing one of them");
  }
  if (!policy.allowed_domains.empty() &&
      std::none_of(policy.allowed_domains.begin(), policy.allowed_domains.end(),
                   [&](const std::string& d) { return equal_ignoring_ascii_case(d, m.domain); })) {
    return invalid("the signed message's domain \"" + m.domain.substr(0, 64) +
                   "\" is not one this node accepts authSigs from");
  }
  if (policy.max_lifetime_ms > 0 && m.expiration_time->unix_ms - now_ms > policy.max_lifetime_ms) {
    return invalid("the signed message expires more than " +
                   std::to_string(policy.max_lifetime_ms / 1000) +
                   " s from now; this node accepts shorter-lived authSigs only");
  }

  // 5. Who signed it.
  auto signer = recover_signer(*signed_message, *sig);
  if (!signer.ok()) return invalid("authSig." + signer.error().message);
  if (signer.value() != claimed.value()) {
    return invalid("authSig.sig was made by " + to_checksum_address(signer.value()) + ", not by " +
                   to_checksum_address(claimed.value()) +
                   " (a different key, or the message was changed after signing)");
  }

  // 6. Time.
  if (now_ms >= m.expiration_time->unix_ms) {
    return refuse(AuthSigCode::auth_sig_expired, "the authSig expired at " +
                                                     shown_time(*m.expiration_time) + " (now " +
                                                     shown_now(now_ms) + "); sign a new one");
  }
  if (m.not_before && now_ms < m.not_before->unix_ms) {
    return refuse(AuthSigCode::auth_sig_expired, "the authSig is not valid before " +
                                                     shown_time(*m.not_before) + " (now " +
                                                     shown_now(now_ms) + ")");
  }
  return AuthSigVerdict{true, signer.value().to_lower_hex(), AuthSigCode::ok, {}};
}

}  // namespace litc::crypto
