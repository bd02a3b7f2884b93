// Ethereum account addresses: the 20 bytes, their 0x-hex text and the EIP-55 mixed-case checksum.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/ethereum/result.h"

namespace litc::crypto {

// Two addresses are the same account when their bytes are equal; text case never matters once
// parsed (the checksum is checked by parse_address, then forgotten).
struct Address {
  std::array<std::uint8_t, 20> bytes{};

  std::string to_lower_hex() const;  // "0x" + 40 lowercase digits: the canonical form we return
  friend bool operator==(const Address&, const Address&) = default;
};

// "0x" + 40 hex digits. All-lowercase and all-uppercase digits are accepted as they are (they carry
// no checksum); mixed case must be exactly the EIP-55 encoding, else the error says so and shows
// the checksummed form (a typo in one digit is then caught).
Result<Address, Error> parse_address(std::string_view text);

// EIP-55: hex digit i is uppercased when nibble i of keccak256(lowercase hex) is >= 8.
std::string to_checksum_address(const Address& address);

// The last 20 bytes of keccak256(X || Y): the public key's 64 bytes without the 0x04 prefix.
Address address_from_public_key(std::span<const std::uint8_t, 64> xy);

}  // namespace litc::crypto
