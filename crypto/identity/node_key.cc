// Node identity keys: generation, the key file, signing and verification (see node_key.h).
#include "crypto/identity/node_key.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <fstream>

#include "crypto/threshold/ristretto.h"

namespace litc::crypto {
namespace {

namespace json = boost::json;

bool from_hex(std::string_view hex, std::uint8_t* out, std::size_t size) {
  std::size_t len = 0;
  const char* end = nullptr;
  return hex.size() == size * 2 &&
         sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &len, &end) == 0 &&
         len == size && end == hex.data() + hex.size();
}

CryptoError bad(std::string why) {
  return crypto_error("invalid_argument", "node key: " + why);
}

}  // namespace

NodeKey::~NodeKey() {
  sodium_memzero(secret_key.data(), secret_key.size());
}

std::string NodeKey::public_key_hex() const {
  return to_hex(std::string_view(reinterpret_cast<const char*>(public_key.data()), 32));
}

NodeKey generate_node_key() {
  sodium_ready();
  NodeKey key;
  crypto_sign_keypair(key.public_key.data(), key.secret_key.data());
  return key;
}

std::string node_key_to_json(const NodeKey& key) {
  std::string secret = to_hex(std::string_view(reinterpret_cast<const char*>(key.secret_key.data()),
                                               key.secret_key.size()));
  std::string out = "{\"version\":1,\"publicKey\":\"" + key.public_key_hex() +
                    "\",\"secretKey\":\"" + secret + "\"}\n";
  sodium_memzero(secret.data(), secret.size());
  return out;
}

Result<NodeKey> node_key_from_json(std::string_view text) {
  sodium_ready();
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  const json::object* o = ec ? nullptr : doc.if_object();
  if (o == nullptr) return bad("not a JSON object");
  const json::value* version = o->if_contains("version");
  if (version == nullptr || !version->is_int64() || version->get_int64() != 1) {
    return bad("version must be 1");
  }
  const json::value* pk = o->if_contains("publicKey");
  const json::value* sk = o->if_contains("secretKey");
  NodeKey key;
  if (pk == nullptr || !pk->is_string() ||
      !from_hex(pk->get_string(), key.public_key.data(), key.public_key.size())) {
    return bad("publicKey must be 64 hex digits");
  }
  if (sk == nullptr || !sk->is_string() ||
      !from_hex(sk->get_string(), key.secret_key.data(), key.secret_key.size())) {
    return bad("secretKey must be 128 hex digits");
  }
  // The secret key's last 32 bytes are a copy of a public key, not a proof: derive the key pair
  // from its seed (the first 32) and compare both halves.
  std::array<std::uint8_t, 32> derived_pk{};
  std::array<std::uint8_t, 64> derived_sk{};
  crypto_sign_seed_keypair(derived_pk.data(), derived_sk.data(), key.secret_key.data());
  const bool same = sodium_memcmp(derived_pk.data(), key.public_key.data(), 32) == 0 &&
                    sodium_memcmp(derived_sk.data(), key.secret_key.data(), 64) == 0;
  sodium_memzero(derived_sk.data(), derived_sk.size());
  if (!same) return bad("secretKey does not belong to publicKey");
  return key;
}

Result<NodeKey> load_node_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad("cannot read " + path);
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto key = node_key_from_json(text);
  sodium_memzero(text.data(), text.size());
  if (!key) return bad(path + ": " + key.error().message);
  return key;
}

std::string sign_detached(const NodeKey& key, std::string_view message) {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       key.secret_key.data());
  return sig;
}

bool verify_detached(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace litc::crypto
