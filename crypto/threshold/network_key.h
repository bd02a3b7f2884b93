// The network key: one ristretto255 secret x split t-of-n among nodes by Shamir's scheme over the
// scalar field, with Feldman commitments so that every share can be checked against public data.
//
// DESIGN. The dealer (`deal_network_key`, run by `litc keygen --network`) is a trusted step: it
// sees x while it splits it and must be run offline by the network's operator, who then hands each
// node its share file and forgets the rest. A distributed key generation, where nobody ever holds
// x, is a later issue. Everything else here is public-data checking:
//  - network.json is refused unless it is self-consistent: 2 ≤ T ≤ N, C_0 = P, and every
//    advertised share public key X_i equals Σ_j i^j·C_j (so a forged X_i cannot steer the broker
//    into accepting a bad share);
//  - a share file is refused unless x_i·B = X_i (a node checks this at start-up).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/crypto_result.h"
#include "crypto/threshold/ristretto.h"

namespace litc::crypto {

inline constexpr std::uint32_t kMaxShares = 1024;

struct NetworkKey {
  std::uint32_t threshold = 0;           // T
  std::uint32_t shares = 0;              // N
  Point public_key;                      // P = x·B
  std::vector<Point> share_public_keys;  // X_1..X_N at [0..N-1]
  std::vector<Point> commitments;        // C_0..C_{T-1}; C_0 = P

  // X_i, or nullptr when i is not in 1..N.
  const Point* share_public_key(std::uint32_t index) const;
};

struct KeyShare {
  std::uint32_t index = 0;  // i in 1..N, never 0
  Scalar secret;            // x_i = f(i)
};

struct DealtKey {
  NetworkKey network;
  std::vector<KeyShare> shares;
};

// Draws x and a degree T−1 polynomial; redraws when any share would be 0. Invalid T/N (T < 2,
// T > N, N > kMaxShares) is invalid_argument.
Result<DealtKey> deal_network_key(std::uint32_t threshold, std::uint32_t shares);

// Σ_j i^j·C_j: what X_i must be.
std::optional<Point> expected_share_public_key(const NetworkKey& key, std::uint32_t index);

// x_i·B = X_i = Σ_j i^j·C_j. invalid_key_share otherwise.
Result<bool> verify_key_share(const NetworkKey& key, const KeyShare& share);

// BLAKE2b-256 of "litc/network-key/v1" ‖ u32le(T) ‖ u32le(N) ‖ P ‖ X_1..X_N ‖ C_0..C_{T-1}, hex:
// what `litc keygen` prints and the broker sends in RegisterAck, so that a node handed a forged
// (self-consistent) network.json notices that it is not the network's key.
std::string network_key_fingerprint(const NetworkKey& key);

// Proof that a node holds share i, for its registration: a Schnorr signature by x_i over
// (i, X_i, node id). R = k·B, c = H("litc/share-pop/v1", u32le(i), X_i, node_id, R), z = k + c·x_i;
// the 64 bytes R ‖ z. Without it anyone could register claiming an index and fail every decrypt
// by refusing (the broker checks it against network.json before it believes the index).
std::string prove_share_possession(const NetworkKey& key, const KeyShare& share,
                                   std::string_view node_id);
bool verify_share_possession(const NetworkKey& key, std::uint32_t index, std::string_view node_id,
                             std::string_view proof);

// network.json (schemas in scheme.md). Parsing checks everything the DESIGN paragraph lists.
std::string network_key_to_json(const NetworkKey& key);
Result<NetworkKey> network_key_from_json(std::string_view json);

// share-<i>.key: {"version":1,"index":i,"secret":"<hex>"}.
std::string key_share_to_json(const KeyShare& share);
Result<KeyShare> key_share_from_json(std::string_view json);

// Files. Reading is bounded (1 MiB); writing a share creates it with mode 0600 and refuses to
// overwrite (a dealer re-run must not silently replace a node's share).
Result<NetworkKey> load_network_key(const std::string& path);
Result<KeyShare> load_key_share(const std::string& path);
Result<bool> write_new_file(const std::string& path, std::string_view contents, unsigned mode);

}  // namespace litc::crypto
