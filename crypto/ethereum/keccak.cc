// Keccak-256 through Crypto++'s Keccak_256 (the pre-FIPS padding Ethereum froze in 2015).
#include "crypto/ethereum/keccak.h"

#include <cryptopp/keccak.h>

namespace litc::crypto {

Hash256 keccak256(std::string_view bytes) {
  CryptoPP::Keccak_256 hash;
  hash.Update(reinterpret_cast<const CryptoPP::byte*>(bytes.data()), bytes.size());
  Hash256 out;
  static_assert(CryptoPP::Keccak_256::DIGESTSIZE == out.size());
  hash.Final(out.data());
  return out;
}

}  // namespace litc::crypto
