// A 256-bit unsigned integer, just enough to compare on-chain balances with a condition's value
// exactly (never through a double).
//
// DESIGN: four 64-bit limbs, least significant first. Parsers refuse rather than wrap: a decimal
// (Lit's returnValueTest.value, read as the node's U256::from_dec_str: digits only, leading zeros
// allowed) or hex quantity above 2^256 - 1 is nullopt.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace litc::crypto {

class Uint256 {
 public:
  constexpr Uint256() = default;
  constexpr explicit Uint256(std::uint64_t v) : limbs_{v, 0, 0, 0} {}

  // 2^256 - 1.
  static Uint256 max();
  // One or more ASCII digits, nothing else; nullopt when empty, not decimal, or above 2^256 - 1.
  static std::optional<Uint256> from_decimal(std::string_view digits);
  // A JSON-RPC quantity: "0x" then 1 or more hex digits (either case, leading zeros allowed);
  // nullopt otherwise or above 2^256 - 1.
  static std::optional<Uint256> from_hex_quantity(std::string_view hex);
  // A 32-byte big-endian word (an ABI-encoded uint256).
  static Uint256 from_big_endian(const std::array<std::uint8_t, 32>& bytes);

  std::string to_decimal() const;

  friend bool operator==(const Uint256& a, const Uint256& b) = default;
  friend std::strong_ordering operator<=>(const Uint256& a, const Uint256& b);

 private:
  std::array<std::uint64_t, 4> limbs_{};  // limbs_[0] is the least significant
};

}  // namespace litc::crypto
