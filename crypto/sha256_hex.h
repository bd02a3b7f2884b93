// Lowercase hex SHA-256 (libsodium): Lit's dataToEncryptHash and hashOfConditions, the scheme's
// plaintext check and the `sha256` operation all name bytes this one way.
#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

namespace litc::crypto {

inline std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);  // lowercase, NUL-terminated
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

}  // namespace litc::crypto
