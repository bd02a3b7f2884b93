// Address parsing and EIP-55 (see address.h).
#include "crypto/ethereum/address.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "crypto/ethereum/hex.h"
#include "crypto/ethereum/keccak.h"

namespace litc::crypto {
namespace {

bool is_lower_hex_letter(char c) {
  return c >= 'a' && c <= 'f';
}
bool is_upper_hex_letter(char c) {
  return c >= 'A' && c <= 'F';
}

}  // namespace

std::string Address::to_lower_hex() const {
  return "0x" + to_hex(bytes);
}

Result<Address, Error> parse_address(std::string_view text) {
  if (text.size() != 42 || text.substr(0, 2) != "0x") {
    return Error{"an address is 0x followed by 40 hex digits (got " + std::to_string(text.size()) +
                 " characters)"};
  }
  std::string_view digits = text.substr(2);
  auto bytes = decode_hex(digits);
  if (!bytes) return Error{"address " + std::string(text) + " has a non-hex character"};
  Address address;
  std::copy(bytes->begin(), bytes->end(), address.bytes.begin());

  bool has_lower = std::any_of(digits.begin(), digits.end(), is_lower_hex_letter);
  bool has_upper = std::any_of(digits.begin(), digits.end(), is_upper_hex_letter);
  if (has_lower && has_upper) {
    std::string checksummed = to_checksum_address(address);
    if (checksummed != text) {
      return Error{"address " + std::string(text) +
                   " is mixed-case but fails its EIP-55 checksum (the checksummed form is " +
                   checksummed + ")"};
    }
  }
  return address;
}

std::string to_checksum_address(const Address& address) {
  std::string lower = to_hex(address.bytes);
  Hash256 hash = keccak256(lower);
  std::string out = "0x";
  for (std::size_t i = 0; i < lower.size(); ++i) {
    std::uint8_t nib = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
    char c = lower[i];
    out.push_back(nib >= 8 ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
  }
  return out;
}

Address address_from_public_key(std::span<const std::uint8_t, 64> xy) {
  Hash256 hash = keccak256(std::string_view(reinterpret_cast<const char*>(xy.data()), xy.size()));
  Address address;
  std::memcpy(address.bytes.data(), hash.data() + 12, address.bytes.size());
  return address;
}

}  // namespace litc::crypto
