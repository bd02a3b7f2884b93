// ResultSigner (see result_signer.h).
#include "worker/result_signer.h"

#include "crypto/identity/result_statement.h"
#include "protocol/cid.h"

namespace litc {

std::string ResultSigner::sign(std::string_view job_id, std::uint32_t attempt,
                               std::string_view operation, std::string_view input,
                               std::string_view output) const {
  if (fault_ == Fault::other_attempt) attempt = attempt > 1 ? attempt - 1 : attempt + 1;
  std::string signature = crypto::sign_detached(
      key_, crypto::result_statement(job_id, attempt, operation, cid_v1_raw(input),
                                     cid_v1_raw(output), node_id_));
  if (fault_ == Fault::forged) signature[0] = static_cast<char>(signature[0] ^ 1);
  return signature;
}

std::string ResultSigner::key_proof() const {
  return crypto::sign_detached(key_, crypto::key_statement(node_id_));
}

}  // namespace litc
