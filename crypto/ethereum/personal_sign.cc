// EIP-191 digest and signer recovery with libsecp256k1's recovery module (see personal_sign.h).
#include "crypto/ethereum/personal_sign.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <string>

#include "crypto/ethereum/hex.h"

namespace litc::crypto {
namespace {

// One context for the process: secp256k1_context_create runs the library's self-test, and a
// context is safe to share between threads for everything but randomisation, which we never call.
const secp256k1_context* context() {
  static const struct Holder {
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    ~Holder() { secp256k1_context_destroy(ctx); }
  } holder;
  return holder.ctx;
}

}  // namespace

Hash256 personal_sign_digest(std::string_view message) {
  std::string prefixed =
      "\x19"
      "Ethereum Signed Message:\n" +
      std::to_string(message.size());
  prefixed.append(message);
  return keccak256(prefixed);
}

Result<RecoverableSignature, Error> parse_signature(std::string_view sig_hex) {
  if (sig_hex.substr(0, 2) != "0x") return Error{"sig must start with 0x"};
  std::string_view digits = sig_hex.substr(2);
  if (digits.size() != 130) {
    return Error{"sig must be 0x + 130 hex digits (65 bytes: r, s, v), got " +
                 std::to_string(digits.size()) + " digits"};
  }
  auto bytes = decode_hex(digits);
  if (!bytes) return Error{"sig has a non-hex character"};
  RecoverableSignature sig;
  std::copy(bytes->begin(), bytes->begin() + 64, sig.rs.begin());
  int v = (*bytes)[64];
  if (v == 27 || v == 28) {
    sig.recovery_id = v - 27;
  } else if (v == 0 || v == 1) {
    sig.recovery_id = v;
  } else {
    return Error{"sig's v byte is " + std::to_string(v) + "; personal_sign uses 27 or 28 (or 0/1)"};
  }
  return sig;
}

Result<Address, Error> recover_signer(std::string_view message, std::string_view sig_hex) {
  auto sig = parse_signature(sig_hex);
  if (!sig.ok()) return sig.error();

  secp256k1_ecdsa_recoverable_signature parsed;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(
          context(), &parsed, sig.value().rs.data(), sig.value().recovery_id)) {
    return Error{"sig's r or s is not below the secp256k1 group order"};
  }
  Hash256 digest = personal_sign_digest(message);
  secp256k1_pubkey pubkey;
  if (!secp256k1_ecdsa_recover(context(), &pubkey, &parsed, digest.data())) {
    return Error{"sig does not recover to a public key (r or s is zero, or r is not on the curve)"};
  }
  std::array<std::uint8_t, 65> uncompressed;
  std::size_t size = uncompressed.size();
  secp256k1_ec_pubkey_serialize(context(), uncompressed.data(), &size, &pubkey,
                                SECP256K1_EC_UNCOMPRESSED);
  return address_from_public_key(std::span<const std::uint8_t, 64>(uncompressed.data() + 1, 64));
}

}  // namespace litc::crypto
