// The bytes a node signs for a verified result (schemas/PROTOCOL.md "Verified results"), and the
// check anyone can run on a signed result later: one definition for the worker that signs, the
// broker that checks before accepting, and `litc verify`.
//
//   statement = "litcompute result v1\n"
//               field(job id) field(attempt, decimal) field(operation) field(input CID)
//               field(output CID)
//   field(x)  = <decimal byte length of x> ":" x "\n"
//
// Length-prefixed, so no two field lists give the same bytes. The version line keeps these
// signatures apart from anything else a node key signs: the `sign` operation signs a caller's
// input as it is, so it refuses any input that starts with kResultStatementPrefix — otherwise a
// caller could have a node sign a statement for a job it never ran, and forge a record that
// `litc verify` accepts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace litc::crypto {

inline constexpr std::string_view kResultStatementPrefix = "litcompute result v1\n";

std::string result_statement(std::string_view job_id, uint32_t attempt, std::string_view operation,
                             std::string_view input_cid, std::string_view output_cid);

// The 32-byte key of a node's public key as it registers it (64 hex digits, either case); empty
// when it is not that.
std::string node_public_key_bytes(std::string_view hex);

// True when `signature` (64 bytes) is by `public_key_hex`'s key over the statement of the fields.
bool verify_result_signature(std::string_view public_key_hex, std::string_view signature,
                             std::string_view job_id, uint32_t attempt, std::string_view operation,
                             std::string_view input_cid, std::string_view output_cid);

}  // namespace litc::crypto
