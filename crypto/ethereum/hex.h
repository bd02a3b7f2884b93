// Hex text <-> bytes for the 0x-prefixed strings Ethereum puts in JSON (addresses, signatures).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace litc::crypto {

// Digits only (no "0x"); either case. nullopt for an odd length or a non-hex character.
std::optional<std::vector<std::uint8_t>> decode_hex(std::string_view digits);
// Lowercase digits, no prefix.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace litc::crypto
