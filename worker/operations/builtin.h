// The operations built into litcompute workers, callable directly (tests, benchmarks) or through
// OperationRegistry::builtin().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "worker/operations/operation.h"

namespace litc {

// Upper bound of the `sleep` operation, so a typo cannot park a worker slot for days.
inline constexpr std::uint32_t kMaxSleepMs = 600'000;

// `echo`: output = input, byte for byte. The no-op used by benchmarks.
OperationResult run_echo(std::string_view input, const CancelToken& cancel);

// `sha256`: output = lowercase hex SHA-256 of the input (64 ASCII characters).
OperationResult run_sha256(std::string_view input, const CancelToken& cancel);

// `sleep`: input = decimal milliseconds 0..kMaxSleepMs (surrounding whitespace allowed); sleeps
// that long, checking `cancel` at least every 10 ms; output = input. A test and demo operation for
// long-running jobs, cancellation and draining.
OperationResult run_sleep(std::string_view input, const CancelToken& cancel);

// Lowercase hex SHA-256 of `bytes` (libsodium). Shared with anything that names data by its hash.
std::string sha256_hex(std::string_view bytes);

}  // namespace litc
