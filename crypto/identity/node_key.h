// A node's Ed25519 identity key (libsodium crypto_sign): the key a node signs with (the `sign`
// operation; signed results next) and announces in Register. Written by `litc keygen --node`.
//
//   node key file  {"version":1,"publicKey":"<64 hex>","secretKey":"<128 hex: seed ‖ public key>"}
//                  (mode 0600, never overwritten)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/crypto_result.h"

namespace litc::crypto {

struct NodeKey {
  std::array<std::uint8_t, 32> public_key{};
  std::array<std::uint8_t, 64> secret_key{};  // libsodium's layout: seed ‖ public key
  ~NodeKey();
  NodeKey() = default;
  NodeKey(const NodeKey&) = default;
  NodeKey& operator=(const NodeKey&) = default;
  std::string public_key_hex() const;
};

NodeKey generate_node_key();
std::string node_key_to_json(const NodeKey& key);
// invalid_argument for anything but a version 1 file whose secret key matches its public key.
Result<NodeKey> node_key_from_json(std::string_view json);
Result<NodeKey> load_node_key(const std::string& path);

// Ed25519 signature (64 bytes) of `message`.
std::string sign_detached(const NodeKey& key, std::string_view message);
// True when `signature` (64 bytes) is `public_key`'s (32 bytes) over `message`.
bool verify_detached(std::string_view public_key, std::string_view message,
                     std::string_view signature);

}  // namespace litc::crypto
