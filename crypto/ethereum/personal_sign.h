// EIP-191 personal_sign (version byte 0x45): the digest a wallet signs and who signed a message.
//
// DESIGN — what recover_signer accepts:
// - sig is "0x" + 130 hex digits: r (32 bytes) || s (32 bytes) || v (1 byte). v is 27 or 28 as
//   wallets send it; 0 and 1 (the raw recovery id some libraries emit) are accepted as the same.
// - High-s signatures are accepted. libsecp256k1's recover, like the EVM's ecrecover precompile,
//   takes any s in [1, n-1], so (r, n-s, v^1) recovers the same signer as (r, s, v). Wallets never
//   produce high s and ethers v6 refuses it ("non-canonical s"); accepting it is still safe for
//   authentication (only the key's holder can make either form), but it means `sig` is not a
//   unique id of a signed message: never deduplicate or key a cache on the signature bytes.
// - r or s equal to zero or not below the group order, or an r that is not the x-coordinate of a
//   curve point, is an error value, never an abort.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/ethereum/address.h"
#include "crypto/ethereum/keccak.h"
#include "crypto/ethereum/result.h"

namespace litc::crypto {

// keccak256("\x19Ethereum Signed Message:\n" + decimal byte length + message), the message's
// bytes exactly as received (no normalisation of line ends or Unicode).
Hash256 personal_sign_digest(std::string_view message);

struct RecoverableSignature {
  std::array<std::uint8_t, 64> rs{};  // r || s, big-endian
  int recovery_id = 0;                // 0 or 1 (v - 27)
};

// Error messages start with "sig" ("sig's v byte is 29; …") so a caller can prefix the field's
// path ("authSig." + message).

// Checks the text only (length, hex, v); the curve checks happen in recover_signer.
Result<RecoverableSignature, Error> parse_signature(std::string_view sig_hex);

// The address whose key made `sig_hex` over personal_sign_digest(message).
Result<Address, Error> recover_signer(std::string_view message, std::string_view sig_hex);

}  // namespace litc::crypto
