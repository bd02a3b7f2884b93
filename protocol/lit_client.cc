// Local encryption and network decryption for requesters (see lit_client.h).
#include "protocol/lit_client.h"

#include <vector>

#include "crypto/conditions/conditions.h"
#include "crypto/lit/lit_envelope.h"
#include "crypto/threshold/envelope.h"
#include "crypto/threshold/share_json.h"

namespace litc {
namespace {

namespace json = boost::json;
using crypto::crypto_error;

std::string_view sv(const json::string& s) {
  return {s.data(), s.size()};
}

const json::string* string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_string() : nullptr;
}

}  // namespace

crypto::Result<std::string> encrypt_to_json(const crypto::NetworkKey& key, std::string_view params,
                                            std::string_view plaintext) {
  auto parsed = crypto::parse_condition_params(params);
  if (!parsed.ok()) return crypto::to_crypto_error(parsed.error());
  auto envelope = crypto::encrypt_to_envelope(key.public_key, parsed.value(), plaintext);
  if (!envelope) return envelope.error();
  return json::serialize(envelope.value());
}

crypto::Result<PendingDecrypt> prepare_decrypt(const crypto::NetworkKey& key,
                                               std::string_view envelope_json,
                                               const json::value& auth_sig) {
  // The envelope document is also the params document: the same conditions and chain members.
  crypto::JsonLimits limits;
  limits.max_bytes = 64 << 20;
  auto parsed = crypto::parse_condition_params(envelope_json, limits);
  if (!parsed.ok()) return crypto::to_crypto_error(parsed.error());
  const json::object& doc = parsed.value().document;
  const json::string* ciphertext = string_member(doc, "ciphertext");
  const json::string* data_hash = string_member(doc, "dataToEncryptHash");
  if (ciphertext == nullptr || data_hash == nullptr) {
    return crypto_error("invalid_argument",
                        "the envelope needs ciphertext and dataToEncryptHash strings");
  }
  auto identity =
      crypto::access_control_identity(parsed.value().conditions.hash_of_conditions, sv(*data_hash));
  if (!identity.ok()) return crypto::to_crypto_error(identity.error());
  auto envelope = crypto::envelope_from_base64(sv(*ciphertext));
  if (!envelope) return envelope.error();
  auto blinding = crypto::blind(key, envelope.value(), identity.value());
  if (!blinding) return blinding.error();

  json::object input;
  input["ciphertext"] = *ciphertext;
  input["dataToEncryptHash"] = *data_hash;
  const auto kind_key = crypto::params_key(parsed.value().conditions.kind);
  input[kind_key] = doc.at(kind_key);
  input["chain"] = parsed.value().chain;
  input["authSig"] = auth_sig;
  input["blinded"] = crypto::blinded_to_json(blinding->request);
  PendingDecrypt pending;
  pending.job_input = json::serialize(input);
  pending.envelope = envelope.value();
  pending.blinding = blinding.value();
  pending.identity = identity.value();
  pending.data_to_encrypt_hash = std::string(sv(*data_hash));
  return pending;
}

crypto::Result<std::string> finish_decrypt(const crypto::NetworkKey& key,
                                           const PendingDecrypt& pending,
                                           std::string_view job_output) {
  json::error_code ec;
  const json::value out = json::parse(job_output, ec);
  const json::value* list =
      (!ec && out.is_object()) ? out.get_object().if_contains("shares") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return crypto_error("invalid_share", "the decrypt job's output is not {\"shares\":[…]}");
  }
  std::vector<crypto::DecryptionShare> shares;
  for (const json::value& item : list->get_array()) {
    auto share = crypto::share_from_json(item);
    if (!share) return crypto_error("invalid_share", "a share in the job's output is malformed");
    shares.push_back(*share);
  }
  return crypto::combine(key, pending.envelope, pending.identity, pending.blinding.s, shares,
                         pending.data_to_encrypt_hash);
}

crypto::Result<std::string> decrypt_through(Client& client, const crypto::NetworkKey& key,
                                            std::string_view envelope_json,
                                            const json::value& auth_sig, int wait_timeout_ms) {
  auto pending = prepare_decrypt(key, envelope_json, auth_sig);
  if (!pending) return pending.error();
  SubmitRequest request;
  request.operation = "decrypt";
  request.input = pending->job_input;
  request.max_attempts = 1;  // a decrypt is not retried behind the requester's back
  auto job = client.submit_and_wait(std::move(request), wait_timeout_ms);
  if (!job.ok()) {
    return crypto_error(fb::EnumNameErrorCode(job.error().code), job.error().message);
  }
  if (job.value().state != fb::JobState::completed) {
    return crypto_error(fb::EnumNameErrorCode(job.value().error_code), job.value().error_message);
  }
  return finish_decrypt(key, pending.value(), job.value().output);
}

}  // namespace litc
