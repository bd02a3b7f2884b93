// The `sha256` operation and the hex digest helper, on libsodium's crypto_hash_sha256.
#include <sodium.h>

#include "crypto/sha256_hex.h"
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
  return crypto::sha256_hex(bytes);
}

OperationResult run_sha256(std::string_view input, const CancelToken& /*cancel*/) {
  if (!sodium_ready()) {
    return OperationResult::failure(fb::ErrorCode::internal, "libsodium failed to initialise");
  }
  return OperationResult::success(sha256_hex(input));
}

}  // namespace litc
