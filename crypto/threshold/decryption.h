// Threshold decryption with blinded shares: what the requester, each node and the broker do.
//
//   requester  blind():      V = s·U, proof (A = k·U, z = k + c·s), c = H("litc/blind/v1", U, V, A,
//   L) node i     make_share(): after checking the label and the blinding proof, D_i = x_i·V with a
//                            DLEQ proof (A1 = k·B, A2 = k·V, z = k + c·x_i),
//                            c = H("litc/dleq/v1", i, X_i, V, D_i, A1, A2)
//   broker and requester verify_share(): z·B = A1 + c·X_i and z·V = A2 + c·D_i
//   requester  combine():    Y = Σ λ_i·D_i over T shares of distinct indices, r·P = s⁻¹·Y, open
//
// DESIGN. Why the shares are safe to pass through a broker and a bridge: D_i is blinded by s,
// which only the requester holds, so T shares reveal s·r·P and nothing else to anyone without s.
// The blinding proof ties V to this envelope's U and this identity L, so a requester authorised
// for one ciphertext cannot get shares for another ciphertext's U. The DLEQ proof lets anyone
// holding network.json reject a wrong share (a faulty or lying node) without any secret.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/crypto_result.h"
#include "crypto/threshold/envelope.h"
#include "crypto/threshold/network_key.h"
#include "crypto/threshold/ristretto.h"

namespace litc::crypto {

struct BlindedRequest {
  Point v;
  Point a;
  Scalar z;
};

struct Blinding {
  BlindedRequest request;
  Scalar s;  // the requester's secret; never leaves it
};

struct DecryptionShare {
  std::uint32_t index = 0;
  Point d;
  Point a1;
  Point a2;
  Scalar z;
};

// Verifies the envelope's label first (a requester must not ask for shares of a forgery).
Result<Blinding> blind(const NetworkKey& key, const Envelope& e, std::string_view identity);

// invalid_blinding when z·U ≠ A + c·V.
Result<bool> verify_blinding(const Envelope& e, const BlindedRequest& request,
                             std::string_view identity);

// The node's whole check before it releases anything cryptographic: the label proof
// (invalid_ciphertext), the blinding proof (invalid_blinding), its own share against the key
// (invalid_key_share). Access-control conditions and the authSig are checked by the caller first.
Result<DecryptionShare> make_share(const NetworkKey& key, const KeyShare& share, const Envelope& e,
                                   std::string_view identity, const BlindedRequest& request);

// D_i = x_i·V with its DLEQ proof, and nothing else: the caller has already checked the label
// (verify_label) and the blinding proof (verify_blinding) of this exact request, as make_share
// does. The decrypt operation checks them first, before the authSig and the conditions, and so
// calls this instead of checking twice.
Result<DecryptionShare> share_of_checked_request(const NetworkKey& key, const KeyShare& share,
                                                 const BlindedRequest& request);

// invalid_share when the index is not the key's, or the DLEQ proof fails.
Result<bool> verify_share(const NetworkKey& key, const Point& v, const DecryptionShare& share);

// Verifies every share, keeps the first T valid ones with distinct indices, combines, unblinds and
// opens. invalid_share when a share fails its proof; quorum_unavailable when fewer than T remain;
// invalid_ciphertext when the label or the box fails, or SHA-256(plaintext) (lowercase hex) is not
// `data_to_encrypt_hash`.
Result<std::string> combine(const NetworkKey& key, const Envelope& e, std::string_view identity,
                            const Scalar& s, std::span<const DecryptionShare> shares,
                            std::string_view data_to_encrypt_hash);

// λ_i = Π_{j≠i} j·(j−i)⁻¹ for the given distinct indices (at 0). nullopt for repeated/zero indices.
std::optional<std::vector<Scalar>> lagrange_at_zero(std::span<const std::uint32_t> indices);

}  // namespace litc::crypto
