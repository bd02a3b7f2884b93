// Test-only signer: makes personal_sign signatures with libsecp256k1 so tests can build authSigs
// with any content. The library under test only recovers; signing lives here, never in
// lc::ethereum.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/ethereum/address.h"

namespace litc::crypto::testing {

using PrivateKey = std::array<std::uint8_t, 32>;

// A valid key whose bytes are seed, seed+1, ..., seed+31 (so seeds 1..200 give distinct keys).
PrivateKey test_key(std::uint8_t seed);
// 32-byte key from 64 hex digits (no 0x); aborts the test binary on bad input.
PrivateKey key_from_hex(std::string_view hex);

Address address_of(const PrivateKey& key);

// "0x" + r || s || v with v = 27 + recovery id (what wallets send).
std::string sign_personal(std::string_view message, const PrivateKey& key);

// The same signature with s replaced by n - s and v flipped: the high-s twin that recovers the
// same key (see personal_sign.h DESIGN).
std::string high_s_twin(std::string_view sig_hex);

}  // namespace litc::crypto::testing
