// The bytes a node key signs besides `sign` jobs (schemas/PROTOCOL.md "Verified results"), and
// the checks anyone can run on them later: one definition for the worker that signs, the broker
// that checks before accepting, and `litc verify`.
//
//   result statement = "litcompute result v1\n"
//                      field(job id) field(attempt, decimal) field(operation) field(input CID)
//                      field(output CID) field(node id)
//   key statement    = "litcompute node key v1\n" field(node id)     (Register.key_proof)
//   field(x)         = <decimal byte length of x> ":" x "\n"
//
// Length-prefixed, so no two field lists give the same bytes; the node id is signed too, so a
// record cannot name another node than the one that signed. Every statement starts with
// kStatementDomain, and the `sign` operation (which signs a caller's input as it is) refuses any
// input that starts with it — otherwise a caller could have a node sign a statement for a job it
// never ran and forge a record that `litc verify` accepts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace litc::crypto {

inline constexpr std::string_view kStatementDomain = "litcompute ";

std::string result_statement(std::string_view job_id, uint32_t attempt, std::string_view operation,
                             std::string_view input_cid, std::string_view output_cid,
                             std::string_view node_id);
std::string key_statement(std::string_view node_id);

// The 32-byte key of a node's public key as it registers it (64 hex digits, either case); empty
// when it is not that.
std::string node_public_key_bytes(std::string_view hex);

// True when `signature` (64 bytes) is by `public_key_hex`'s key over the result statement.
bool verify_result_signature(std::string_view public_key_hex, std::string_view signature,
                             std::string_view job_id, uint32_t attempt, std::string_view operation,
                             std::string_view input_cid, std::string_view output_cid,
                             std::string_view node_id);
// True when `proof` (64 bytes) is by `public_key_hex`'s key over the key statement of `node_id`.
bool verify_key_proof(std::string_view public_key_hex, std::string_view node_id,
                      std::string_view proof);

}  // namespace litc::crypto
