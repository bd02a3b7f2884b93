// Test-only personal_sign signer over libsecp256k1 (see test_signer.h).
#include "tests/crypto/ethereum/test_signer.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <stdexcept>

#include "crypto/ethereum/hex.h"
#include "crypto/ethereum/personal_sign.h"

namespace litc::crypto::testing {
namespace {

secp256k1_context* context() {
  static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  return ctx;
}

}  // namespace

PrivateKey test_key(std::uint8_t seed) {
  PrivateKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(seed + i);
  if (!secp256k1_ec_seckey_verify(context(), key.data())) throw std::logic_error("bad test key");
  return key;
}

PrivateKey key_from_hex(std::string_view hex) {
  auto bytes = decode_hex(hex);
  if (!bytes || bytes->size() != 32) throw std::logic_error("key_from_hex: need 64 hex digits");
  PrivateKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

Address address_of(const PrivateKey& key) {
  secp256k1_pubkey pubkey;
  if (!secp256k1_ec_pubkey_create(context(), &pubkey, key.data())) {
    throw std::logic_error("address_of: invalid key");
  }
  std::array<std::uint8_t, 65> out;
  std::size_t size = out.size();
  secp256k1_ec_pubkey_serialize(context(), out.data(), &size, &pubkey, SECP256K1_EC_UNCOMPRESSED);
  return address_from_public_key(std::span<const std::uint8_t, 64>(out.data() + 1, 64));
}

std::string sign_personal(std::string_view message, const PrivateKey& key) {
  Hash256 digest = personal_sign_digest(message);
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), key.data(), nullptr,
                                        nullptr)) {
    throw std::logic_error("sign_personal: signing failed");
  }
  std::array<std::uint8_t, 65> out;
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out.data(), &recid, &sig);
  out[64] = static_cast<std::uint8_t>(27 + recid);
  return "0x" + to_hex(out);
}

std::string high_s_twin(std::string_view sig_hex) {
  // n, the order of secp256k1's group, big-endian.
  static constexpr std::array<std::uint8_t, 32> kOrder = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
      0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  auto bytes = decode_hex(sig_hex.substr(2));
  if (!bytes || bytes->size() != 65) throw std::logic_error("high_s_twin: need a 65-byte sig");
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kOrder[i] - (*bytes)[32 + i] - borrow;
    borrow = d < 0;
    (*bytes)[32 + i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  (*bytes)[64] = (*bytes)[64] == 27 ? 28 : 27;
  return "0x" + to_hex(*bytes);
}

}  // namespace litc::crypto::testing
