// Strict parsing of the Lit-style request bodies (see lit_requests.h).
#include "bridge/api/lit_requests.h"

#include "crypto/conditions/conditions.h"
#include "crypto/conditions/js_json.h"

namespace litc::bridge {
namespace {

namespace json = boost::json;
using crypto::ConditionSetKind;

constexpr ConditionSetKind kKinds[] = {ConditionSetKind::access_control,
                                       ConditionSetKind::evm_contract, ConditionSetKind::sol_rpc,
                                       ConditionSetKind::unified};

bool allowed_in_params(std::string_view key) {
  if (key == "chain") return true;
  for (ConditionSetKind k : kKinds) {
    if (key == crypto::params_key(k)) return true;
  }
  return false;
}

ApiResponse invalid(std::string message) {
  return error_response(400, "invalid_argument", message);
}

}  // namespace

std::optional<json::object> parse_object_strict(const std::string& body, ApiResponse& error) {
  // One level more than a params document may nest: the body holds params (or is the envelope).
  const crypto::JsonLimits limits{body.size(), crypto::kDefaultMaxJsonDepth + 1};
  auto strict = crypto::parse_json_strict(body, limits, "body");
  if (!strict.ok()) {
    // Not JSON at all gets the code every route gives it; JSON with a repeated key (or nested too
    // deep) is a bad argument, named by the strict parser.
    boost::system::error_code ec;
    (void)json::parse(body, ec);
    error = ec ? error_response(400, "malformed_json", "the body is not JSON: " + ec.message())
               : invalid(strict.error().message);
    return std::nullopt;
  }
  if (!strict.value().is_object()) {
    error = error_response(400, "malformed_json", "the body must be a JSON object");
    return std::nullopt;
  }
  return std::move(strict.value().get_object());
}

std::optional<std::string> encrypt_job_input(const json::object& body, ApiResponse& error) {
  if (body.contains("inputBase64")) {
    error = invalid(
        "operation \"encrypt\" takes its plaintext as \"input\" (UTF-8 text), not "
        "\"inputBase64\"");
    return std::nullopt;
  }
  const json::value* input = body.if_contains("input");
  if (input == nullptr || !input->is_string()) {
    error = invalid("operation \"encrypt\" needs \"input\": the plaintext, a string (UTF-8 text)");
    return std::nullopt;
  }
  const json::value* params = body.if_contains("params");
  if (params == nullptr) {
    error = invalid(
        "operation \"encrypt\" needs \"params\": {\"accessControlConditions\" (or "
        "evmContractConditions, solRpcConditions, unifiedAccessControlConditions), \"chain\"}");
    return std::nullopt;
  }
  if (!params->is_object()) {
    error = invalid("params: expected an object");
    return std::nullopt;
  }
  for (const auto& member : params->get_object()) {
    if (!allowed_in_params(member.key())) {
      error = invalid("params." + crypto::message_snippet(member.key()) +
                      ": not allowed; params holds one condition array and \"chain\"");
      return std::nullopt;
    }
  }
  // Parsed again as the nodes will parse it: one condition kind, a string chain, every condition
  // canonicalisable, and the size limit of a params document.
  auto parsed = crypto::parse_condition_params(json::serialize(*params));
  if (!parsed.ok()) {
    std::string message = parsed.error().message;
    // The library names fields from the params document's root ("chain: missing"); here that
    // document is the body's "params".
    if (message.rfind("params", 0) != 0) message = "params." + message;
    error = error_response(400, crypto::to_string(parsed.error().code), message);
    return std::nullopt;
  }
  const std::string_view kind_key = crypto::params_key(parsed.value().conditions.kind);
  json::object doc;
  doc["dataToEncrypt"] = input->get_string();
  doc[kind_key] = params->get_object().at(kind_key);
  doc["chain"] = parsed.value().chain;
  return json::serialize(doc);
}

}  // namespace litc::bridge
