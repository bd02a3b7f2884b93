// ristretto255 points and scalars as checked values, on libsodium 1.0.18: the group arithmetic of
// the threshold scheme (see scheme.md), with the encoding hygiene 1.0.18 leaves to its callers.
//
// A `Point` from outside is decoded with `decode_point`, which refuses non-canonical encodings and
// the identity (1.0.18's is_valid_point accepts the all-zero identity; a zero V or D_i would
// let a peer learn or force a key). A `Scalar` from outside is decoded with `decode_scalar`, which
// refuses encodings ≥ ℓ. Arithmetic that can meet the identity (a multiplication by a scalar that
// is 0 mod ℓ) reports it instead of returning a point nobody checked.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace litc::crypto {

inline constexpr std::size_t kPointBytes = 32;
inline constexpr std::size_t kScalarBytes = 32;

struct Point {
  std::array<std::uint8_t, kPointBytes> bytes{};
  bool operator==(const Point&) const = default;
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
};

// Secret scalars are wiped when they go out of scope.
struct Scalar {
  std::array<std::uint8_t, kScalarBytes> bytes{};
  Scalar() = default;
  Scalar(const Scalar&) = default;
  Scalar& operator=(const Scalar&) = default;
  ~Scalar();
  bool operator==(const Scalar&) const = default;
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
};

// sodium_init once; false when libsodium cannot start (then nothing here may be used).
bool sodium_ready();

// Canonical, non-identity point / canonical scalar (< ℓ), from raw bytes or 64 lowercase or
// uppercase hex digits. std::nullopt otherwise.
std::optional<Point> decode_point(std::string_view raw32);
std::optional<Point> point_from_hex(std::string_view hex);
std::optional<Scalar> decode_scalar(std::string_view raw32);
std::optional<Scalar> scalar_from_hex(std::string_view hex);
bool scalar_is_canonical(const std::uint8_t* s32);
std::string to_hex(std::string_view bytes);  // lowercase
inline std::string to_hex(const Point& p) {
  return to_hex(p.view());
}
inline std::string to_hex(const Scalar& s) {
  return to_hex(s.view());
}

// Uniform in ]0, ℓ[ (never zero).
Scalar random_scalar();
Scalar scalar_from_u32(std::uint32_t v);
Scalar scalar_add(const Scalar& a, const Scalar& b);
Scalar scalar_sub(const Scalar& a, const Scalar& b);
Scalar scalar_mul(const Scalar& a, const Scalar& b);
// nullopt for 0.
std::optional<Scalar> scalar_invert(const Scalar& a);
bool scalar_is_zero(const Scalar& a);

// n·B and n·P. nullopt when the product is the identity (n ≡ 0) or P is not a valid point.
std::optional<Point> mul_base(const Scalar& n);
std::optional<Point> mul(const Scalar& n, const Point& p);
// P + Q. nullopt when the sum is the identity (so a caller never hands the identity on).
std::optional<Point> add(const Point& p, const Point& q);

// H(tag, parts…) = scalar_reduce(BLAKE2b-512(tag ‖ 0x00 ‖ (u32-LE length ‖ part)…)): the
// Fiat–Shamir challenge of every proof. Lengths keep parts from sliding into each other.
Scalar hash_to_scalar(std::string_view tag, std::initializer_list<std::string_view> parts);

// u32 little-endian, as the scheme encodes a share index inside a hash.
std::array<char, 4> u32_le(std::uint32_t v);

}  // namespace litc::crypto
