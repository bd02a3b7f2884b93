// The ciphertext envelope: a label-bound ElGamal KEM under the network key P plus
// XChaCha20-Poly1305, as `scheme.md` specifies byte for byte.
//
//   envelope = 0x01 ‖ U ‖ A ‖ z ‖ nonce(24) ‖ box          (standard base64, padded, on the wire)
//   U = r·B, key = BLAKE2b-256("litc/key/v1" ‖ P ‖ U ‖ r·P ‖ L), box = AEAD(key, nonce, AD = L)
//   label proof (A, z): knowledge of r, bound to P, U, L and BLAKE2b-256(nonce ‖ box)
//
// The label proof is what lets a node refuse a tampered or re-labelled envelope (the same U under
// other conditions) before it releases anything: only someone who knew r could have made it for
// this L, and knowing r they could decrypt without the network anyway.
#pragma once

#include <string>
#include <string_view>

#include "crypto/crypto_result.h"
#include "crypto/threshold/ristretto.h"

namespace litc::crypto {

inline constexpr std::uint8_t kEnvelopeVersion = 1;
inline constexpr std::size_t kNonceBytes = 24;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kEnvelopeHeaderBytes = 1 + 3 * 32 + kNonceBytes;

struct Envelope {
  Point u;
  Point a;
  Scalar z;
  std::string nonce;  // 24 bytes
  std::string box;    // AEAD ciphertext ‖ tag (≥ 16 bytes)
};

// Encrypts `plaintext` to the network key for identity `identity` (the Lit identity string L).
Envelope encrypt_envelope(const Point& network_key, std::string_view identity,
                          std::string_view plaintext);

std::string envelope_to_bytes(const Envelope& e);
std::string envelope_to_base64(const Envelope& e);
// invalid_ciphertext when not standard padded base64, wrong version, too short, or U/A not valid
// non-identity points, or z not canonical.
Result<Envelope> envelope_from_bytes(std::string_view bytes);
Result<Envelope> envelope_from_base64(std::string_view text);

// The label proof: z·B = A + c·U with c = H("litc/kem/v1", P, U, A, L, BLAKE2b-256(nonce ‖ box)).
// invalid_ciphertext when it fails (tampered box/nonce, other L, other P, forged proof).
Result<bool> verify_label(const Point& network_key, const Envelope& e, std::string_view identity);

// The AEAD key from the shared point r·P (the requester gets it by unblinding), then the opening.
// invalid_ciphertext when the box does not open.
Result<std::string> open_envelope(const Point& network_key, const Envelope& e,
                                  std::string_view identity, const Point& shared);

// Standard base64 with padding (RFC 4648 §4), strict: nothing but the alphabet and final '='.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace litc::crypto
