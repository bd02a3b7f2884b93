// Uint256: decimal and hex parsing with overflow checks, decimal printing, ordering.
#include "crypto/conditions/uint256.h"

#include <algorithm>

namespace litc::crypto {

namespace {

// x = x * m + add; false when the result does not fit 256 bits.
bool mul_add(std::array<std::uint64_t, 4>& x, std::uint64_t m, std::uint64_t add) {
  unsigned __int128 carry = add;
  for (std::uint64_t& limb : x) {
    const unsigned __int128 t = static_cast<unsigned __int128>(limb) * m + carry;
    limb = static_cast<std::uint64_t>(t);
    carry = t >> 64;
  }
  return carry == 0;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uint256 Uint256::max() {
  Uint256 v;
  v.limbs_.fill(~std::uint64_t{0});
  return v;
}

std::optional<Uint256> Uint256::from_decimal(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  Uint256 v;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    if (!mul_add(v.limbs_, 10, static_cast<std::uint64_t>(c - '0'))) return std::nullopt;
  }
  return v;
}

std::optional<Uint256> Uint256::from_hex_quantity(std::string_view hex) {
  if (hex.size() < 3 || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) return std::nullopt;
  Uint256 v;
  for (char c : hex.substr(2)) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    if (!mul_add(v.limbs_, 16, static_cast<std::uint64_t>(d))) return std::nullopt;
  }
  return v;
}

Uint256 Uint256::from_big_endian(const std::array<std::uint8_t, 32>& bytes) {
  Uint256 v;
  for (std::size_t i = 0; i < 32; ++i) {
    const std::size_t limb = 3 - i / 8;
    v.limbs_[limb] = (v.limbs_[limb] << 8) | bytes[i];
  }
  return v;
}

std::string Uint256::to_decimal() const {
  std::array<std::uint64_t, 4> x = limbs_;
  std::string out;
  const auto is_zero = [&] { return std::all_of(x.begin(), x.end(), [](auto l) { return !l; }); };
  do {
    // Divide by 10^19 (the largest power of ten below 2^64), most significant limb first.
    constexpr std::uint64_t kChunk = 10000000000000000000ULL;
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      const unsigned __int128 cur = (rem << 64) | x[static_cast<std::size_t>(i)];
      x[static_cast<std::size_t>(i)] = static_cast<std::uint64_t>(cur / kChunk);
      rem = cur % kChunk;
    }
    std::uint64_t chunk = static_cast<std::uint64_t>(rem);
    for (int d = 0; d < 19; ++d) {
      out += static_cast<char>('0' + chunk % 10);
      chunk /= 10;
      if (chunk == 0 && is_zero()) break;
    }
  } while (!is_zero());
  std::reverse(out.begin(), out.end());
  return out;
}

std::strong_ordering operator<=>(const Uint256& a, const Uint256& b) {
  for (int i = 3; i >= 0; --i) {
    const std::size_t k = static_cast<std::size_t>(i);
    if (a.limbs_[k] != b.limbs_[k]) return a.limbs_[k] <=> b.limbs_[k];
  }
  return std::strong_ordering::equal;
}

}  // namespace litc::crypto
