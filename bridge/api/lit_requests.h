// The Lit-style request bodies (issue 10): an encrypt submit's `params` and the body of POST
// /decrypt, parsed strictly (crypto/conditions: no duplicate key anywhere, size and depth limits),
// so that the conditions the nodes hash and evaluate are the ones the caller sent.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "bridge/http/http_server.h"

namespace litc::bridge {

// The body as a JSON object with no duplicate key anywhere. 400 malformed_json when it is not a
// JSON object (as parse_object), 400 invalid_argument naming the repeated key or the depth limit.
// The size was bounded by the HTTP server's body limit already.
std::optional<boost::json::object> parse_object_strict(const std::string& body, ApiResponse& error);

// An encrypt job's input, {"dataToEncrypt", <the condition array>, "chain"}, from a submit body
// (parsed strictly) whose "input" is the plaintext and whose "params" is {exactly one of
// accessControlConditions | evmContractConditions | solRpcConditions |
// unifiedAccessControlConditions, "chain"}, nothing else, at most crypto::kDefaultMaxParamsBytes
// once serialised. Otherwise 400 invalid_argument naming the field ("params.chain: missing").
std::optional<std::string> encrypt_job_input(const boost::json::object& body, ApiResponse& error);

}  // namespace litc::bridge
