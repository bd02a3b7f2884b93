// CIDv1 (raw codec, sha2-256) of a byte string, on libsodium's SHA-256 (see cid.h).
#include "protocol/cid.h"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace litc {

std::string cid_v1_raw(std::string_view bytes) {
  std::array<uint8_t, 4 + crypto_hash_sha256_BYTES> cid{0x01, 0x55, 0x12, 0x20};
  // crypto_hash_sha256 needs no sodium_init(): init only selects faster implementations.
  crypto_hash_sha256(cid.data() + 4, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  out.reserve(1 + (cid.size() * 8 + 4) / 5);
  out.push_back('b');
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : cid) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

}  // namespace litc
