// ristretto255 points and scalars on libsodium (see ristretto.h for the checks and why).
#include "crypto/threshold/ristretto.h"

#include <sodium.h>

#include <cstring>

namespace litc::crypto {
namespace {

// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr std::uint8_t kOrder[kScalarBytes] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

std::optional<std::string> hex_to_bytes(std::string_view hex, std::size_t want) {
  if (hex.size() != want * 2) return std::nullopt;
  std::string out(want, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), want, hex.data(), hex.size(),
                     nullptr, &len, &end) != 0 ||
      len != want || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

Scalar::~Scalar() {
  sodium_memzero(bytes.data(), bytes.size());
}

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

bool scalar_is_canonical(const std::uint8_t* s) {
  for (int i = kScalarBytes - 1; i >= 0; --i) {
    if (s[i] < kOrder[i]) return true;
    if (s[i] > kOrder[i]) return false;
  }
  return false;  // equal to ℓ
}

std::optional<Point> decode_point(std::string_view raw) {
  if (raw.size() != kPointBytes) return std::nullopt;
  Point p;
  std::memcpy(p.bytes.data(), raw.data(), kPointBytes);
  if (crypto_core_ristretto255_is_valid_point(p.bytes.data()) != 1) return std::nullopt;
  if (sodium_is_zero(p.bytes.data(), kPointBytes)) return std::nullopt;  // the identity
  return p;
}

std::optional<Point> point_from_hex(std::string_view hex) {
  auto raw = hex_to_bytes(hex, kPointBytes);
  if (!raw) return std::nullopt;
  return decode_point(*raw);
}

std::optional<Scalar> decode_scalar(std::string_view raw) {
  if (raw.size() != kScalarBytes) return std::nullopt;
  Scalar s;
  std::memcpy(s.bytes.data(), raw.data(), kScalarBytes);
  if (!scalar_is_canonical(s.bytes.data())) return std::nullopt;
  return s;
}

std::optional<Scalar> scalar_from_hex(std::string_view hex) {
  auto raw = hex_to_bytes(hex, kScalarBytes);
  if (!raw) return std::nullopt;
  auto s = decode_scalar(*raw);
  sodium_memzero(raw->data(), raw->size());
  return s;
}

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

Scalar random_scalar() {
  Scalar s;
  crypto_core_ristretto255_scalar_random(s.bytes.data());
  return s;
}

Scalar scalar_from_u32(std::uint32_t v) {
  Scalar s;
  for (int i = 0; i < 4; ++i) s.bytes[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return s;
}

Scalar scalar_add(const Scalar& a, const Scalar& b) {
  Scalar r;
  crypto_core_ristretto255_scalar_add(r.bytes.data(), a.bytes.data(), b.bytes.data());
  return r;
}

Scalar scalar_sub(const Scalar& a, const Scalar& b) {
  Scalar r;
  crypto_core_ristretto255_scalar_sub(r.bytes.data(), a.bytes.data(), b.bytes.data());
  return r;
}

Scalar scalar_mul(const Scalar& a, const Scalar& b) {
  Scalar r;
  crypto_core_ristretto255_scalar_mul(r.bytes.data(), a.bytes.data(), b.bytes.data());
  return r;
}

std::optional<Scalar> scalar_invert(const Scalar& a) {
  Scalar r;
  if (crypto_core_ristretto255_scalar_invert(r.bytes.data(), a.bytes.data()) != 0) {
    return std::nullopt;
  }
  return r;
}

bool scalar_is_zero(const Scalar& a) {
  return sodium_is_zero(a.bytes.data(), kScalarBytes) == 1;
}

std::optional<Point> mul_base(const Scalar& n) {
  Point p;
  if (crypto_scalarmult_ristretto255_base(p.bytes.data(), n.bytes.data()) != 0) {
    return std::nullopt;
  }
  return p;
}

std::optional<Point> mul(const Scalar& n, const Point& q) {
  Point p;
  if (crypto_scalarmult_ristretto255(p.bytes.data(), n.bytes.data(), q.bytes.data()) != 0) {
    return std::nullopt;
  }
  return p;
}

std::optional<Point> add(const Point& p, const Point& q) {
  Point r;
  if (crypto_core_ristretto255_add(r.bytes.data(), p.bytes.data(), q.bytes.data()) != 0) {
    return std::nullopt;
  }
  if (sodium_is_zero(r.bytes.data(), kPointBytes)) return std::nullopt;
  return r;
}

Scalar hash_to_scalar(std::string_view tag, std::initializer_list<std::string_view> parts) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES_MAX);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(tag.data()), tag.size());
  const unsigned char zero = 0;
  crypto_generichash_update(&state, &zero, 1);
  for (std::string_view part : parts) {
    const auto len = u32_le(static_cast<std::uint32_t>(part.size()));
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(len.data()),
                              len.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  }
  unsigned char wide[crypto_generichash_BYTES_MAX];
  crypto_generichash_final(&state, wide, sizeof wide);
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.bytes.data(), wide);
  return s;
}

std::array<char, 4> u32_le(std::uint32_t v) {
  return {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
          static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
}

}  // namespace litc::crypto
