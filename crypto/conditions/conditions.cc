// Params parsing, Lit's canonical condition forms, hashOfConditions and the identity string.
#include "crypto/conditions/conditions.h"

#include <sodium.h>

#include <array>
#include <optional>

#include "crypto/sha256_hex.h"

namespace litc::crypto {

namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr std::array<ConditionSetKind, 4> kAllKinds = {
    ConditionSetKind::access_control, ConditionSetKind::evm_contract, ConditionSetKind::sol_rpc,
    ConditionSetKind::unified};

std::string_view describe(const value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string got(const value& v) {
  return std::string(describe(v));
}

bool is_non_negative_integer(const value& v) {
  return v.is_uint64() || (v.is_int64() && v.get_int64() >= 0);
}

bool is_lower_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Builds canonical items from a parsed condition list. Every helper returns false after recording
// the first error (invalid_argument, naming the field by its path).
class Canonicalizer {
 public:
  explicit Canonicalizer(ConditionSetKind kind) : kind_(kind) {}

  const ConditionError& error() const { return *error_; }

  bool list(const value& v, const std::string& path, std::vector<ConditionItem>& out) {
    if (!v.is_array()) return fail(path, "expected an array, got " + got(v));
    const array& a = v.get_array();
    if (a.empty()) return fail(path, "empty condition list");
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      ConditionItem item;
      if (!element(a[i], path + "[" + std::to_string(i) + "]", item)) return false;
      out.push_back(std::move(item));
    }
    return true;
  }

 private:
  bool element(const value& v, const std::string& path, ConditionItem& out) {
    out.path = path;
    if (v.is_array()) {
      out.kind = ConditionItem::Kind::group;
      return list(v, path, out.group);
    }
    if (!v.is_object()) {
      return fail(path, "expected a condition, an operator or a group, got " + got(v));
    }
    const object& o = v.get_object();
    // Lit tests for "operator" before anything else: an object with it is an operator.
    if (const value* op = o.if_contains("operator")) {
      out.kind = ConditionItem::Kind::boolean_operator;
      if (op->is_string() && op->get_string() == "and") {
        out.op = BoolOperator::and_op;
      } else if (op->is_string() && op->get_string() == "or") {
        out.op = BoolOperator::or_op;
      } else {
        return fail(path + ".operator", "expected \"and\" or \"or\"");
      }
      return true;
    }
    if (!o.contains("returnValueTest")) {
      return fail(path, "neither a condition (no returnValueTest) nor an operator");
    }
    out.kind = ConditionItem::Kind::condition;
    switch (kind_) {
      case ConditionSetKind::access_control:
        out.type = ConditionType::evm_basic;
        return evm_basic(o, path, out.canonical);
      case ConditionSetKind::evm_contract:
        out.type = ConditionType::evm_contract;
        return evm_contract(o, path, out.canonical);
      case ConditionSetKind::sol_rpc:
        out.type = ConditionType::sol_rpc;
        return sol_rpc(o, path, o.contains("pdaParams"), out.canonical);
      case ConditionSetKind::unified:
        return unified(o, path, out);
    }
    return fail(path, "unknown condition kind");
  }

  bool unified(const object& o, const std::string& path, ConditionItem& out) {
    const value* type = o.if_contains("conditionType");
    if (type == nullptr) return fail(path + ".conditionType", "missing");
    if (!type->is_string()) {
      return fail(path + ".conditionType", "expected a string, got " + got(*type));
    }
    const std::string_view t = type->get_string();
    if (t == "evmBasic") {
      out.type = ConditionType::evm_basic;
      return evm_basic(o, path, out.canonical);
    }
    if (t == "evmContract") {
      out.type = ConditionType::evm_contract;
      return evm_contract(o, path, out.canonical);
    }
    if (t == "solRpc") {
      out.type = ConditionType::sol_rpc;
      return sol_rpc(o, path, /*v2=*/true, out.canonical);
    }
    if (t == "cosmos") {
      out.type = ConditionType::cosmos;
      return cosmos(o, path, out.canonical);
    }
    return fail(path + ".conditionType",
                "expected \"evmBasic\", \"evmContract\", \"solRpc\" or \"cosmos\"");
  }

  bool evm_basic(const object& in, const std::string& path, object& out) {
    object test;
    const object* rvt = nullptr;
    return copy_string(in, "contractAddress", path, out) && copy_string(in, "chain", path, out) &&
           copy_string(in, "standardContractType", path, out) &&
           copy_string(in, "method", path, out) && copy_string_array(in, "parameters", path, out) &&
           get_object(in, "returnValueTest", path, rvt) &&
           copy_string(*rvt, "comparator", path + ".returnValueTest", test) &&
           copy_string(*rvt, "value", path + ".returnValueTest", test) &&
           put(out, "returnValueTest", std::move(test));
  }

  bool evm_contract(const object& in, const std::string& path, object& out) {
    const object* abi = nullptr;
    object canonical_abi;
    const std::string abi_path = path + ".functionAbi";
    if (!copy_string(in, "contractAddress", path, out) ||
        !copy_string(in, "functionName", path, out) ||
        !copy_string_array(in, "functionParams", path, out) ||
        !get_object(in, "functionAbi", path, abi) ||
        !copy_string(*abi, "name", abi_path, canonical_abi) ||
        !abi_params(*abi, "inputs", abi_path, canonical_abi) ||
        !abi_params(*abi, "outputs", abi_path, canonical_abi)) {
      return false;
    }
    // Lit: `constant` defaults to false when absent; the node's ABI type takes a bool or null.
    if (const value* constant = abi->if_contains("constant")) {
      if (!constant->is_bool() && !constant->is_null()) {
        return fail(abi_path + ".constant", "expected a boolean, got " + got(*constant));
      }
      canonical_abi["constant"] = *constant;
    } else {
      canonical_abi["constant"] = false;
    }
    if (abi->contains("stateMutability") &&
        !copy_string(*abi, "stateMutability", abi_path, canonical_abi)) {
      return false;
    }
    out["functionAbi"] = std::move(canonical_abi);
    return copy_string(in, "chain", path, out) && return_value_test_v2(in, path, out);
  }

  bool sol_rpc(const object& in, const std::string& path, bool v2, object& out) {
    if (!copy_string(in, "method", path, out) || !copy_array(in, "params", path, out)) {
      return false;
    }
    if (v2) {
      const object* pda = nullptr;
      const std::string pda_path = path + ".pdaInterface";
      object canonical_pda;
      if (!copy_string_array(in, "pdaParams", path, out) ||
          !get_object(in, "pdaInterface", path, pda)) {
        return false;
      }
      const value* offset = pda->if_contains("offset");
      if (offset == nullptr) return fail(pda_path + ".offset", "missing");
      if (!is_non_negative_integer(*offset)) {
        return fail(pda_path + ".offset", "expected a non-negative integer");
      }
      canonical_pda["offset"] = *offset;
      const object* fields = nullptr;
      if (!get_object(*pda, "fields", pda_path, fields)) return false;
      for (const auto& kv : *fields) {
        if (!is_non_negative_integer(kv.value())) {
          return fail(pda_path + ".fields." + message_snippet(kv.key()),
                      "expected a non-negative integer");
        }
      }
      canonical_pda["fields"] = *fields;
      out["pdaInterface"] = std::move(canonical_pda);
      if (!copy_string(in, "pdaKey", path, out)) return false;
    }
    return copy_string(in, "chain", path, out) && return_value_test_v2(in, path, out);
  }

  bool cosmos(const object& in, const std::string& path, object& out) {
    if (!copy_string(in, "path", path, out) || !copy_string(in, "chain", path, out)) return false;
    // Optional in the node (Option<…>): absent is omitted, null is kept, as JSON.stringify does.
    if (const value* method = in.if_contains("method")) {
      if (!method->is_string() && !method->is_null()) {
        return fail(path + ".method", "expected a string, got " + got(*method));
      }
      out["method"] = *method;
    }
    if (const value* parameters = in.if_contains("parameters")) {
      if (!parameters->is_null() && !copy_string_array(in, "parameters", path, out)) return false;
      if (parameters->is_null()) out["parameters"] = nullptr;
    }
    return return_value_test_v2(in, path, out);
  }

  bool return_value_test_v2(const object& in, const std::string& path, object& out) {
    const object* rvt = nullptr;
    object test;
    const std::string rvt_path = path + ".returnValueTest";
    return get_object(in, "returnValueTest", path, rvt) &&
           copy_string(*rvt, "key", rvt_path, test) &&
           copy_string(*rvt, "comparator", rvt_path, test) &&
           copy_string(*rvt, "value", rvt_path, test) &&
           put(out, "returnValueTest", std::move(test));
  }

  bool abi_params(const object& abi, std::string_view key, const std::string& path, object& out) {
    const value* v = abi.if_contains(key);
    const std::string field = path + "." + std::string(key);
    if (v == nullptr) return fail(field, "missing");
    if (!v->is_array()) {
      return fail(field, "expected an array, got " + got(*v));
    }
    array params;
    const array& a = v->get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string p = field + "[" + std::to_string(i) + "]";
      if (!a[i].is_object()) {
        return fail(p, "expected an object, got " + got(a[i]));
      }
      object param;
      if (!copy_string(a[i].get_object(), "name", p, param) ||
          !copy_string(a[i].get_object(), "type", p, param)) {
        return false;
      }
      params.push_back(std::move(param));
    }
    out[key] = std::move(params);
    return true;
  }

  bool copy_string(const object& in, std::string_view key, const std::string& path, object& out) {
    const value* v = in.if_contains(key);
    if (v == nullptr) return fail(path + "." + std::string(key), "missing");
    if (!v->is_string()) {
      return fail(path + "." + std::string(key), "expected a string, got " + got(*v));
    }
    out[key] = *v;
    return true;
  }

  bool copy_string_array(const object& in, std::string_view key, const std::string& path,
                         object& out) {
    const value* v = in.if_contains(key);
    const std::string field = path + "." + std::string(key);
    if (v == nullptr) return fail(field, "missing");
    if (!v->is_array()) {
      return fail(field, "expected an array of strings, got " + got(*v));
    }
    const array& a = v->get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) {
        return fail(field + "[" + std::to_string(i) + "]", "expected a string, got " + got(a[i]));
      }
    }
    out[key] = *v;
    return true;
  }

  // Any JSON array (Solana RPC params are free-form in Lit).
  bool copy_array(const object& in, std::string_view key, const std::string& path, object& out) {
    const value* v = in.if_contains(key);
    const std::string field = path + "." + std::string(key);
    if (v == nullptr) return fail(field, "missing");
    if (!v->is_array()) {
      return fail(field, "expected an array, got " + got(*v));
    }
    out[key] = *v;
    return true;
  }

  bool get_object(const object& in, std::string_view key, const std::string& path,
                  const object*& out) {
    const value* v = in.if_contains(key);
    const std::string field = path + "." + std::string(key);
    if (v == nullptr) return fail(field, "missing");
    if (!v->is_object()) {
      return fail(field, "expected an object, got " + got(*v));
    }
    out = &v->get_object();
    return true;
  }

  static bool put(object& out, std::string_view key, object v) {
    out[key] = std::move(v);
    return true;
  }

  bool fail(const std::string& field, std::string message) {
    error_ = ConditionError{ConditionErrc::invalid_argument, field + ": " + std::move(message)};
    return false;
  }

  ConditionSetKind kind_;
  std::optional<ConditionError> error_;
};

// The Lit node's rule: condition (operator condition)*, recursively; sets `where` to the first
// item that breaks it.
bool valid_expression(const std::vector<ConditionItem>& items, std::string& where) {
  bool expect_condition = true;
  for (const ConditionItem& item : items) {
    const bool is_op = item.kind == ConditionItem::Kind::boolean_operator;
    if (expect_condition == is_op) {
      where = item.path + (is_op ? ": an operator where a condition or group belongs"
                                 : ": a condition where an operator belongs");
      return false;
    }
    if (item.kind == ConditionItem::Kind::group && !valid_expression(item.group, where)) {
      return false;
    }
    expect_condition = is_op;
  }
  if (expect_condition && !items.empty()) {
    where = items.back().path + ": the list ends with an operator";
    return false;
  }
  return true;
}

bool valid_top_level(const std::vector<ConditionItem>& items, std::string& where) {
  if (is_legacy_and_list(items)) {
    // Legacy list without operators: items are ANDed; each group must still be valid on its own.
    for (const ConditionItem& item : items) {
      if (item.kind == ConditionItem::Kind::group && !valid_expression(item.group, where)) {
        return false;
      }
    }
    return true;
  }
  return valid_expression(items, where);
}

}  // namespace

std::string_view params_key(ConditionSetKind kind) {
  switch (kind) {
    case ConditionSetKind::access_control:
      return "accessControlConditions";
    case ConditionSetKind::evm_contract:
      return "evmContractConditions";
    case ConditionSetKind::sol_rpc:
      return "solRpcConditions";
    case ConditionSetKind::unified:
      return "unifiedAccessControlConditions";
  }
  return "conditions";
}

std::string_view to_string(ConditionType type) {
  switch (type) {
    case ConditionType::evm_basic:
      return "evmBasic";
    case ConditionType::evm_contract:
      return "evmContract";
    case ConditionType::sol_rpc:
      return "solRpc";
    case ConditionType::cosmos:
      return "cosmos";
  }
  return "unknown";
}

namespace {

bool has_operator(const std::vector<ConditionItem>& items) {
  for (const ConditionItem& item : items) {
    if (item.kind == ConditionItem::Kind::boolean_operator) return true;
    if (item.kind == ConditionItem::Kind::group && has_operator(item.group)) return true;
  }
  return false;
}

}  // namespace

bool is_legacy_and_list(const std::vector<ConditionItem>& items) {
  return items.size() >= 2 && !has_operator(items);
}

boost::json::array to_json(const std::vector<ConditionItem>& items) {
  array out;
  out.reserve(items.size());
  for (const ConditionItem& item : items) {
    switch (item.kind) {
      case ConditionItem::Kind::condition:
        out.push_back(item.canonical);
        break;
      case ConditionItem::Kind::boolean_operator:
        out.push_back(object{{"operator", item.op == BoolOperator::and_op ? "and" : "or"}});
        break;
      case ConditionItem::Kind::group:
        out.push_back(to_json(item.group));
        break;
    }
  }
  return out;
}

ConditionResult<CanonicalConditions> canonicalize_conditions(ConditionSetKind kind,
                                                             const boost::json::value& conditions) {
  CanonicalConditions out;
  out.kind = kind;
  Canonicalizer canon(kind);
  if (!canon.list(conditions, std::string(params_key(kind)), out.items)) return canon.error();
  std::string where;
  if (!valid_top_level(out.items, where)) {
    return ConditionError{ConditionErrc::invalid_argument, where};
  }
  out.canonical_json = js_stringify(to_json(out.items));
  out.hash_of_conditions = sha256_lower_hex(out.canonical_json);
  return out;
}

ConditionResult<ConditionParams> parse_condition_params(std::string_view json,
                                                        const JsonLimits& limits) {
  auto parsed = parse_json_strict(json, limits, "params");
  if (!parsed.ok()) return parsed.error();
  if (!parsed.value().is_object()) {
    return ConditionError{ConditionErrc::invalid_argument,
                          "params: expected an object, got " + got(parsed.value())};
  }
  ConditionParams out;
  out.document = std::move(parsed.value().get_object());

  std::optional<ConditionSetKind> kind;
  for (ConditionSetKind k : kAllKinds) {
    if (!out.document.contains(params_key(k))) continue;
    if (kind) {
      return ConditionError{ConditionErrc::invalid_argument,
                            "params: both " + std::string(params_key(*kind)) + " and " +
                                std::string(params_key(k)) + "; exactly one kind of conditions"};
    }
    kind = k;
  }
  if (!kind) {
    return ConditionError{ConditionErrc::invalid_argument,
                          "params: no accessControlConditions, evmContractConditions, "
                          "solRpcConditions or unifiedAccessControlConditions"};
  }
  const value* chain = out.document.if_contains("chain");
  if (chain == nullptr) return ConditionError{ConditionErrc::invalid_argument, "chain: missing"};
  if (!chain->is_string()) {
    return ConditionError{ConditionErrc::invalid_argument,
                          "chain: expected a string, got " + got(*chain)};
  }
  out.chain = std::string(chain->get_string());

  auto canonical = canonicalize_conditions(*kind, out.document.at(params_key(*kind)));
  if (!canonical.ok()) return canonical.error();
  out.conditions = std::move(canonical.value());
  return out;
}

std::string sha256_lower_hex(std::string_view bytes) {
  return sha256_hex(bytes);
}

std::string data_to_encrypt_hash(std::string_view plaintext) {
  return sha256_lower_hex(plaintext);
}

ConditionResult<std::string> access_control_identity(std::string_view hash_of_conditions,
                                                     std::string_view data_to_encrypt_hash) {
  if (!is_lower_hex64(hash_of_conditions)) {
    return ConditionError{ConditionErrc::invalid_argument,
                          "hashOfConditions: expected 64 lowercase hex digits"};
  }
  if (!is_lower_hex64(data_to_encrypt_hash)) {
    return ConditionError{ConditionErrc::invalid_argument,
                          "dataToEncryptHash: expected 64 lowercase hex digits"};
  }
  return "lit-accesscontrolcondition://" + std::string(hash_of_conditions) + "/" +
         std::string(data_to_encrypt_hash);
}

}  // namespace litc::crypto
