// Envelope encryption, label proof and opening (see envelope.h).
#include "crypto/threshold/envelope.h"

#include <sodium.h>

#include <cstring>

namespace litc::crypto {
namespace {

constexpr std::string_view kKeyTag = "litc/key/v1";
constexpr std::string_view kKemTag = "litc/kem/v1";

using Key = std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void derive_key(Key& key, const Point& network_key, const Point& u, const Point& shared,
                std::string_view identity) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, key.size());
  crypto_generichash_update(&state, bytes(kKeyTag), kKeyTag.size());
  crypto_generichash_update(&state, network_key.bytes.data(), kPointBytes);
  crypto_generichash_update(&state, u.bytes.data(), kPointBytes);
  crypto_generichash_update(&state, shared.bytes.data(), kPointBytes);
  crypto_generichash_update(&state, bytes(identity), identity.size());
  crypto_generichash_final(&state, key.data(), key.size());
}

std::string box_digest(const Envelope& e) {
  std::string digest(32, '\0');
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, digest.size());
  crypto_generichash_update(&state, bytes(e.nonce), e.nonce.size());
  crypto_generichash_update(&state, bytes(e.box), e.box.size());
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(digest.data()), digest.size());
  return digest;
}

Scalar label_challenge(const Point& network_key, const Envelope& e, std::string_view identity) {
  const std::string digest = box_digest(e);
  return hash_to_scalar(kKemTag, {network_key.view(), e.u.view(), e.a.view(), identity, digest});
}

CryptoError bad(std::string message) {
  return crypto_error("invalid_ciphertext", std::move(message));
}

}  // namespace

Envelope encrypt_envelope(const Point& network_key, std::string_view identity,
                          std::string_view plaintext) {
  sodium_ready();
  Envelope e;
  // r is drawn until r·B and r·P are both proper points; with P valid that is the first draw.
  Scalar r;
  std::optional<Point> u, shared;
  do {
    r = random_scalar();
    u = mul_base(r);
    shared = mul(r, network_key);
  } while (!u || !shared);
  e.u = *u;
  Key key;
  derive_key(key, network_key, e.u, *shared, identity);
  sodium_memzero(shared->bytes.data(), kPointBytes);
  e.nonce.resize(kNonceBytes);
  randombytes_buf(e.nonce.data(), e.nonce.size());
  e.box.resize(plaintext.size() + kTagBytes);
  unsigned long long box_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(e.box.data()), &box_len, bytes(plaintext), plaintext.size(),
      bytes(identity), identity.size(), nullptr, bytes(e.nonce), key.data());
  sodium_memzero(key.data(), key.size());
  e.box.resize(static_cast<std::size_t>(box_len));
  Scalar k;
  std::optional<Point> a;
  do {
    k = random_scalar();
    a = mul_base(k);
  } while (!a);
  e.a = *a;
  const Scalar c = label_challenge(network_key, e, identity);
  e.z = scalar_add(k, scalar_mul(c, r));
  return e;
}

std::string envelope_to_bytes(const Envelope& e) {
  std::string out;
  out.reserve(kEnvelopeHeaderBytes + e.box.size());
  out.push_back(static_cast<char>(kEnvelopeVersion));
  out.append(e.u.view());
  out.append(e.a.view());
  out.append(e.z.view());
  out.append(e.nonce);
  out.append(e.box);
  return out;
}

std::string envelope_to_base64(const Envelope& e) {
  return base64_encode(envelope_to_bytes(e));
}

Result<Envelope> envelope_from_bytes(std::string_view in) {
  if (in.size() < kEnvelopeHeaderBytes + kTagBytes) {
    return bad("ciphertext is " + std::to_string(in.size()) + " bytes, shorter than an envelope");
  }
  if (static_cast<std::uint8_t>(in[0]) != kEnvelopeVersion) {
    return bad("ciphertext envelope version " + std::to_string(static_cast<std::uint8_t>(in[0])) +
               " is not 1");
  }
  Envelope e;
  auto u = decode_point(in.substr(1, 32));
  auto a = decode_point(in.substr(33, 32));
  auto z = decode_scalar(in.substr(65, 32));
  if (!u) return bad("ciphertext U is not a valid non-identity ristretto255 point");
  if (!a) return bad("ciphertext label proof A is not a valid non-identity point");
  if (!z) return bad("ciphertext label proof z is not a canonical scalar");
  e.u = *u;
  e.a = *a;
  e.z = *z;
  e.nonce.assign(in.substr(97, kNonceBytes));
  e.box.assign(in.substr(kEnvelopeHeaderBytes));
  return e;
}

Result<Envelope> envelope_from_base64(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw) return bad("ciphertext is not standard base64 with padding");
  return envelope_from_bytes(*raw);
}

Result<bool> verify_label(const Point& network_key, const Envelope& e, std::string_view identity) {
  const Scalar c = label_challenge(network_key, e, identity);
  auto lhs = mul_base(e.z);
  auto cu = mul(c, e.u);
  std::optional<Point> rhs;
  if (cu) rhs = add(e.a, *cu);
  if (!lhs || !rhs || !(*lhs == *rhs)) {
    return bad(
        "the ciphertext's label proof fails: it was altered or is presented under other "
        "access-control conditions or data hash than it was encrypted for");
  }
  return true;
}

Result<std::string> open_envelope(const Point& network_key, const Envelope& e,
                                  std::string_view identity, const Point& shared) {
  Key key;
  derive_key(key, network_key, e.u, shared, identity);
  std::string plain(e.box.size() - kTagBytes, '\0');
  unsigned long long plain_len = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr, bytes(e.box),
      e.box.size(), bytes(identity), identity.size(), bytes(e.nonce), key.data());
  sodium_memzero(key.data(), key.size());
  if (rc != 0) return bad("the ciphertext does not open with the combined key");
  plain.resize(static_cast<std::size_t>(plain_len));
  return plain;
}

std::string base64_encode(std::string_view in) {
  const std::size_t len = sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(in), in.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the NUL sodium writes
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace litc::crypto
