// encrypt_to_envelope (see lit_envelope.h).
#include "crypto/lit/lit_envelope.h"

#include "crypto/threshold/envelope.h"

namespace litc::crypto {

Result<boost::json::object> encrypt_to_envelope(const Point& network_key,
                                                const ConditionParams& params,
                                                std::string_view plaintext) {
  const CanonicalConditions& conditions = params.conditions;
  const std::string data_hash = data_to_encrypt_hash(plaintext);
  auto identity = access_control_identity(conditions.hash_of_conditions, data_hash);
  if (!identity.ok()) {
    return to_crypto_error(identity.error());
  }
  const Envelope e = encrypt_envelope(network_key, identity.value(), plaintext);
  boost::json::object out;
  out["ciphertext"] = envelope_to_base64(e);
  out["dataToEncryptHash"] = data_hash;
  out["hashOfConditions"] = conditions.hash_of_conditions;
  out["identity"] = identity.value();
  out[params_key(conditions.kind)] = to_json(conditions.items);
  out["chain"] = params.chain;
  out["dataType"] = "string";
  return out;
}

}  // namespace litc::crypto
