// Ed25519ResultVerifier (see result_verifier.h).
#include "broker/result_verifier.h"

#include "crypto/identity/result_statement.h"
#include "protocol/cid.h"

namespace litc::broker {

std::string Ed25519ResultVerifier::content_id(std::string_view bytes) const {
  return cid_v1_raw(bytes);
}

bool Ed25519ResultVerifier::verify(std::string_view public_key, const ResultClaim& c,
                                   std::string_view signature) const {
  return crypto::verify_result_signature(public_key, signature, c.job_id, c.attempt, c.operation,
                                         c.input_cid, c.output_cid, c.node_id);
}

bool Ed25519ResultVerifier::verify_key_proof(std::string_view public_key, std::string_view node_id,
                                             std::string_view proof) const {
  return crypto::verify_key_proof(public_key, node_id, proof);
}

}  // namespace litc::broker
