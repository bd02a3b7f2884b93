// The `sha256` operation and the hex digest helper, on libsodium's crypto_hash_sha256.
#include <sodium.h>

#include "worker/operations/builtin.h"

namespace litc {
namespace {

// sodium_init picks the fastest implementation for this CPU; it is thread-safe and idempotent, and
// a function-local static runs it exactly once on first use from any pool thread.
bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);  // lowercase, NUL-terminated
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

OperationResult run_sha256(std::string_view input, const CancelToken& /*cancel*/) {
  if (!sodium_ready()) {
    return OperationResult::failure(fb::ErrorCode::internal, "libsodium failed to initialise");
  }
  return OperationResult::success(sha256_hex(input));
}

}  // namespace litc
