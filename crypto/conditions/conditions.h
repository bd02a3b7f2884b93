// Lit access-control conditions: parse a peer's params, build Lit's canonical form, hash it, and
// form the identity a ciphertext is bound to.
//
// DESIGN (mirrors LIT-Protocol/js-sdk packages/access-control-conditions canonicalFormatter.ts and
// hashing.ts; the field types follow the Lit node's serde structs):
//   - A params document holds exactly one of accessControlConditions, evmContractConditions,
//     solRpcConditions, unifiedAccessControlConditions (an array) and a string `chain`; other
//     members are the caller's (kept in ConditionParams::document). It is parsed with
//     parse_json_strict: size limit, depth limit, no duplicate key anywhere.
//   - Each element of a condition array is an operator (an object with an "operator" member, which
//     must be "and" or "or"; Lit checks this first), a condition (an object with
//     "returnValueTest"), or a nested array (a group). Anything else is invalid_argument.
//   - Canonical objects, in Lit's key order, extras dropped, absent optional members omitted (as
//     JSON.stringify omits undefined):
//       evmBasic    {contractAddress, chain, standardContractType, method, parameters,
//                    returnValueTest{comparator, value}}                  (no conditionType)
//       evmContract {contractAddress, functionName, functionParams, functionAbi{name,
//                    inputs[{name,type}], outputs[{name,type}], constant (false when absent),
//                    stateMutability?}, chain, returnValueTest{key, comparator, value}}
//       solRpc      {method, params, chain, returnValueTest{key, comparator, value}}, or when the
//                   condition has "pdaParams" (always, inside unified conditions)
//                   {method, params, pdaParams, pdaInterface{offset, fields}, pdaKey, chain,
//                    returnValueTest{key, comparator, value}}
//       cosmos      {path, chain, method?, parameters?, returnValueTest{key, comparator, value}}
//       operator    {operator}
//     accessControlConditions are all evmBasic, evmContractConditions evmContract, solRpcConditions
//     solRpc; unifiedAccessControlConditions dispatch on each condition's conditionType
//     ("evmBasic", "evmContract", "solRpc", "cosmos"; anything else is invalid_argument).
//   - Boolean structure, as the Lit node checks it: condition (operator condition)* in every list
//     and group; no empty list or group. Legacy form: a top-level list of two or more items with no
//     operator anywhere means all of them ANDed (the evaluator inserts the ANDs; the hash is of the
//     list as sent).
//   - hashOfConditions = lowercase hex SHA-256 of JSON.stringify(canonical list) (js_stringify);
//     identity = "lit-accesscontrolcondition://" + hashOfConditions + "/" + dataToEncryptHash.
//   - Stricter than the JS SDK, never different: where the SDK would hash something the Lit node
//     would refuse (a missing required member, a number where the node wants a string, null where
//     it wants an object) we refuse it with invalid_argument instead of hashing it.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/conditions/errors.h"
#include "crypto/conditions/js_json.h"

namespace litc::crypto {

// Which of the four condition arrays a params document holds.
enum class ConditionSetKind { access_control, evm_contract, sol_rpc, unified };
// Its member name: "accessControlConditions", "evmContractConditions", "solRpcConditions",
// "unifiedAccessControlConditions".
std::string_view params_key(ConditionSetKind kind);

// The type of one condition (inside unified conditions, its conditionType).
enum class ConditionType { evm_basic, evm_contract, sol_rpc, cosmos };
// "evmBasic", "evmContract", "solRpc", "cosmos".
std::string_view to_string(ConditionType type);

enum class BoolOperator { and_op, or_op };

// One element of a canonical condition list.
struct ConditionItem {
  enum class Kind { condition, boolean_operator, group };
  Kind kind = Kind::condition;
  // Where it was in the params, e.g. "accessControlConditions[2][0]", for messages.
  std::string path;
  // condition: its type and its canonical object, the exact value serialised into the hash.
  ConditionType type = ConditionType::evm_basic;
  boost::json::object canonical;
  // boolean_operator
  BoolOperator op = BoolOperator::and_op;
  // group
  std::vector<ConditionItem> group;
};

// The canonical form of one condition list: what is hashed into the identity and what the
// evaluator reads (never the raw JSON).
struct CanonicalConditions {
  ConditionSetKind kind = ConditionSetKind::access_control;
  std::vector<ConditionItem> items;
  std::string canonical_json;      // JSON.stringify(canonical list), UTF-8
  std::string hash_of_conditions;  // lowercase hex SHA-256 of canonical_json
};

struct ConditionParams {
  CanonicalConditions conditions;
  // The top-level chain, as sent. Informational: each condition is evaluated on its own chain.
  std::string chain;
  // The whole params object (duplicate-free), for the caller's other members.
  boost::json::object document;
};

// Parses and canonicalises a decrypt/encrypt params document (see DESIGN). Errors:
// invalid_argument, with a message naming the field.
ConditionResult<ConditionParams> parse_condition_params(std::string_view json,
                                                        const JsonLimits& limits = {});

// Canonicalises one condition array of the given kind (already parsed strictly, e.g. from a stored
// envelope). Messages name fields from params_key(kind).
ConditionResult<CanonicalConditions> canonicalize_conditions(ConditionSetKind kind,
                                                             const boost::json::value& conditions);

// Lowercase hex SHA-256 (libsodium crypto_hash_sha256) of `bytes`.
std::string sha256_lower_hex(std::string_view bytes);

// dataToEncryptHash: lowercase hex SHA-256 of the plaintext bytes.
std::string data_to_encrypt_hash(std::string_view plaintext);

// "lit-accesscontrolcondition://<hashOfConditions>/<dataToEncryptHash>". Both must be 64 lowercase
// hex digits (a peer sends dataToEncryptHash), else invalid_argument naming the bad one.
ConditionResult<std::string> access_control_identity(std::string_view hash_of_conditions,
                                                     std::string_view data_to_encrypt_hash);

// Lit's legacy form: a top-level list of two or more items with no operator anywhere (groups
// included), which means all of its items ANDed. The parser's structure check and the evaluator
// both ask this one function.
bool is_legacy_and_list(const std::vector<ConditionItem>& items);

// The canonical list as a JSON array (operators as {"operator":…}, groups as arrays): the value
// whose js_stringify is canonical_json.
boost::json::array to_json(const std::vector<ConditionItem>& items);

}  // namespace litc::crypto
