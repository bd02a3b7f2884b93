// Evaluates canonical access-control conditions for one requester, reading chains only through
// the ChainReader the caller passes (lc::conditions itself does no I/O).
//
// DESIGN (the evaluation rules of the Lit node, LIT-Protocol/lit-peer
// rust/lit-node/lit-node/src/access_control/mod.rs, check_condition_group and friends):
//   - What is evaluated is CanonicalConditions::items: the canonical objects that were hashed into
//     the identity, never the raw params. `:userAddress` is the address the caller recovered from
//     the requester's signature. Each condition runs on the `chain` inside it; the params'
//     top-level chain selects nothing.
//   - No precedence between "and" and "or": a list or group folds left to right,
//     `a op1 b op2 c` = `(a op1 b) op2 c` (Lit pops two results, applies the next operator and
//     pushes the result back). A nested array is a group: one value in its parent's fold. A legacy
//     top-level list with no operator anywhere is all of its items ANDed (Lit's
//     insert_ands_if_necessary).
//   - Before any chain read, every condition is checked to be one this node implements; the first
//     that is not makes the answer unsupported_condition (never a pass, never dependent on which
//     reads succeed). Then every condition is evaluated in document order with no short-circuit,
//     as Lit does; the first read error ends evaluation with that error (chain_unavailable, or
//     unsupported_condition from the reader).
//   - Supported: evmBasic conditions (accessControlConditions, or conditionType "evmBasic") of
//     these shapes (balance and token on a chain the reader supports; an address check reads
//     nothing, so it needs no endpoint for its chain):
//       address   standardContractType "", method "", contractAddress "", parameters
//                 [":userAddress"], comparator "=", value a 0x-prefixed 40-hex-digit address:
//                 equal when the 20 bytes are equal (hex case ignored; no chain read).
//       balance   standardContractType "", contractAddress "", method "eth_getBalance",
//                 parameters [":userAddress", "latest"].
//       token     standardContractType "ERC20" or "ERC721", method "balanceOf", contractAddress a
//                 0x address, parameters [":userAddress"]: eth_call of selector 0x70a08231 and the
//                 address left-padded to 32 bytes, at "latest"; the answer must be one 32-byte
//                 word.
//     balance and token compare the uint256 read with returnValueTest.value (a decimal uint256)
//     by ">", "<", ">=", "<=", "=" or "!=". evmContract, solRpc and cosmos conditions, other
//     methods, contract types, parameters, comparators, value formats and chains without an
//     endpoint (for a read) are
//     unsupported_condition (where Lit would quietly answer false, we refuse).
//   - Overall false is access_denied, naming each condition that evaluated false by its path and
//     method, e.g. `accessControlConditions[2] (method "balanceOf", chain "ethereum")`.
#pragma once

#include <string_view>

#include "crypto/conditions/chain_reader.h"
#include "crypto/conditions/conditions.h"
#include "crypto/conditions/errors.h"

namespace litc::crypto {

// Success when the conditions hold for `user_address` ("0x" + 40 hex digits, either case; else
// invalid_argument). Otherwise access_denied, unsupported_condition or chain_unavailable.
ConditionResult<void> evaluate_conditions(const CanonicalConditions& conditions,
                                          std::string_view user_address, ChainReader& chain);

}  // namespace litc::crypto
