// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not FIPS 202 SHA3-256 (0x06).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace litc::crypto {

using Hash256 = std::array<std::uint8_t, 32>;

// `bytes` is read as raw octets (a std::string may hold any byte, NULs included).
Hash256 keccak256(std::string_view bytes);

}  // namespace litc::crypto
