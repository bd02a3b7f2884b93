// The statements a node key signs and their checks (see result_statement.h).
#include "crypto/identity/result_statement.h"

#include <sodium.h>

#include "crypto/identity/node_key.h"

namespace litc::crypto {
namespace {

void field(std::string& out, std::string_view x) {
  out += std::to_string(x.size());
  out += ':';
  out += x;
  out += '\n';
}

}  // namespace

std::string result_statement(std::string_view job_id, uint32_t attempt, std::string_view operation,
                             std::string_view input_cid, std::string_view output_cid,
                             std::string_view node_id) {
  std::string out(kStatementDomain);
  out += "result v1\n";
  out.reserve(out.size() + job_id.size() + operation.size() + input_cid.size() + output_cid.size() +
              node_id.size() + 48);
  field(out, job_id);
  field(out, std::to_string(attempt));
  field(out, operation);
  field(out, input_cid);
  field(out, output_cid);
  field(out, node_id);
  return out;
}

std::string key_statement(std::string_view node_id) {
  std::string out(kStatementDomain);
  out += "node key v1\n";
  field(out, node_id);
  return out;
}

std::string node_public_key_bytes(std::string_view hex) {
  if (hex.size() != 2 * crypto_sign_PUBLICKEYBYTES) return {};
  std::string key(crypto_sign_PUBLICKEYBYTES, '\0');
  std::size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(),
                     hex.size(), nullptr, &len, nullptr) != 0 ||
      len != key.size()) {
    return {};
  }
  return key;
}

bool verify_result_signature(std::string_view public_key_hex, std::string_view signature,
                             std::string_view job_id, uint32_t attempt, std::string_view operation,
                             std::string_view input_cid, std::string_view output_cid,
                             std::string_view node_id) {
  const std::string key = node_public_key_bytes(public_key_hex);
  return !key.empty() &&
         verify_detached(
             key, result_statement(job_id, attempt, operation, input_cid, output_cid, node_id),
             signature);
}

bool verify_key_proof(std::string_view public_key_hex, std::string_view node_id,
                      std::string_view proof) {
  const std::string key = node_public_key_bytes(public_key_hex);
  return !key.empty() && verify_detached(key, key_statement(node_id), proof);
}

}  // namespace litc::crypto
