// The evaluator: a pure support check of every condition, then left-to-right folds of the results.
#include "crypto/conditions/evaluator.h"

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "crypto/conditions/uint256.h"

namespace litc::crypto {

namespace {

using Address = std::array<std::uint8_t, 20>;

constexpr std::string_view kBalanceOfSelector = "70a08231";
constexpr std::size_t kMaxNamedFailures = 8;

enum class Comparator { gt, lt, ge, le, eq, ne };

// What one supported condition will do, decided before any read.
struct Plan {
  enum class What { address_equals, eth_balance, token_balance } what = What::address_equals;
  std::string chain;
  Comparator comparator = Comparator::eq;
  Uint256 threshold;
  Address address{};  // address_equals: the expected address; token_balance: the contract
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "0x" + 40 hex digits (either case) → 20 bytes.
std::optional<Address> parse_address(std::string_view s) {
  if (s.size() != 42 || s[0] != '0' || s[1] != 'x') return std::nullopt;
  Address a{};
  for (std::size_t i = 0; i < 20; ++i) {
    const int hi = hex_value(s[2 + 2 * i]);
    const int lo = hex_value(s[3 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    a[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return a;
}

std::string lower_hex(const std::uint8_t* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
  return out;
}

std::optional<Comparator> parse_comparator(std::string_view c) {
  if (c == ">") return Comparator::gt;
  if (c == "<") return Comparator::lt;
  if (c == ">=") return Comparator::ge;
  if (c == "<=") return Comparator::le;
  if (c == "=") return Comparator::eq;
  if (c == "!=") return Comparator::ne;
  return std::nullopt;
}

bool compare(const Uint256& read, Comparator c, const Uint256& threshold) {
  switch (c) {
    case Comparator::gt:
      return read > threshold;
    case Comparator::lt:
      return read < threshold;
    case Comparator::ge:
      return read >= threshold;
    case Comparator::le:
      return read <= threshold;
    case Comparator::eq:
      return read == threshold;
    case Comparator::ne:
      return read != threshold;
  }
  return false;
}

std::string_view str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// `accessControlConditions[2] (method "balanceOf", chain "ethereum")`: how messages name a
// condition.
std::string describe(const ConditionItem& item) {
  const auto field = [&](std::string_view key) {
    return std::string(key) + " \"" + message_snippet(str(item.canonical, key)) + "\"";
  };
  std::string d = item.path + " (";
  if (item.type == ConditionType::evm_basic || item.type == ConditionType::sol_rpc) {
    d += field("method");
  } else if (item.type == ConditionType::evm_contract) {
    d += field("functionName");
  } else {
    d += field("path");
  }
  return d + ", " + field("chain") + ")";
}

class Evaluator {
 public:
  Evaluator(const Address& user, ChainReader& chain) : user_(user), chain_(chain) {}

  // Pass 1: a plan for every condition, or the first unsupported one.
  ConditionResult<void> plan_all(const std::vector<ConditionItem>& items) {
    for (const ConditionItem& item : items) {
      if (item.kind == ConditionItem::Kind::group) {
        auto r = plan_all(item.group);
        if (!r.ok()) return r;
      } else if (item.kind == ConditionItem::Kind::condition) {
        auto plan = plan_one(item);
        if (!plan.ok()) return plan.error();
        plans_.emplace(&item, std::move(plan.value()));
      }
    }
    return {};
  }

  // Pass 2: evaluate and fold.
  ConditionResult<bool> group(const std::vector<ConditionItem>& items, bool top_level) {
    std::vector<bool> results;
    std::vector<BoolOperator> operators;
    for (const ConditionItem& item : items) {
      switch (item.kind) {
        case ConditionItem::Kind::boolean_operator:
          operators.push_back(item.op);
          break;
        case ConditionItem::Kind::group: {
          auto r = group(item.group, false);
          if (!r.ok()) return r.error();
          results.push_back(r.value());
          break;
        }
        case ConditionItem::Kind::condition: {
          auto r = condition(item);
          if (!r.ok()) return r.error();
          if (!r.value()) failed_.push_back(&item);
          results.push_back(r.value());
          break;
        }
      }
    }
    if (top_level && is_legacy_and_list(items)) {
      operators.assign(results.size() - 1, BoolOperator::and_op);  // Lit's legacy implicit AND
    }
    if (results.empty() || operators.size() != results.size() - 1) {
      // parse_condition_params never builds such a list; refuse rather than guess.
      return ConditionError{ConditionErrc::invalid_argument,
                            (items.empty() ? std::string("conditions") : items.front().path) +
                                ": not an alternation of conditions and operators"};
    }
    bool acc = results[0];
    for (std::size_t i = 0; i < operators.size(); ++i) {
      acc =
          operators[i] == BoolOperator::and_op ? (acc && results[i + 1]) : (acc || results[i + 1]);
    }
    return acc;
  }

  std::string denial() const {
    std::string m = "access denied: ";
    for (std::size_t i = 0; i < failed_.size() && i < kMaxNamedFailures; ++i) {
      if (i > 0) m += "; ";
      m += describe(*failed_[i]);
    }
    if (failed_.size() > kMaxNamedFailures) {
      m += "; and " + std::to_string(failed_.size() - kMaxNamedFailures) + " more";
    }
    m += failed_.size() == 1 ? " is not satisfied" : " are not satisfied";
    return m;
  }

 private:
  ConditionResult<Plan> plan_one(const ConditionItem& item) {
    const auto unsupported = [&](const std::string& why) {
      return ConditionError{ConditionErrc::unsupported_condition, describe(item) + ": " + why};
    };
    if (item.type != ConditionType::evm_basic) {
      return unsupported(std::string(to_string(item.type)) +
                         " conditions are hashed but not evaluated by this node");
    }
    const boost::json::object& c = item.canonical;
    Plan plan;
    plan.chain = std::string(str(c, "chain"));
    const std::string_view type = str(c, "standardContractType");
    const std::string_view method = str(c, "method");
    const std::string_view contract = str(c, "contractAddress");
    const boost::json::object* test = nullptr;
    if (const auto* v = c.if_contains("returnValueTest"); v != nullptr && v->is_object()) {
      test = &v->get_object();
    }
    std::vector<std::string_view> params;
    if (const auto* v = c.if_contains("parameters"); v != nullptr && v->is_array()) {
      for (const auto& p : v->get_array()) {
        params.push_back(p.is_string() ? std::string_view(p.get_string()) : std::string_view());
      }
    }
    if (test == nullptr) return unsupported("no returnValueTest");
    const std::string_view comparator = str(*test, "comparator");
    const std::string_view value = str(*test, "value");

    if (type.empty() && method.empty()) {
      if (!contract.empty()) return unsupported("an address check takes contractAddress \"\"");
      if (params.size() != 1 || params[0] != ":userAddress") {
        return unsupported("an address check takes parameters [\":userAddress\"]");
      }
      if (comparator != "=") {
        return unsupported("comparator \"" + message_snippet(comparator) +
                           "\": an address check supports only \"=\"");
      }
      auto expected = parse_address(value);
      if (!expected) return unsupported("returnValueTest.value is not a 0x address");
      plan.what = Plan::What::address_equals;
      plan.address = *expected;
      return plan;  // reads nothing, so it needs no endpoint for its chain
    }
    if (!chain_.supports_chain(plan.chain)) {
      return unsupported("no RPC endpoint for chain \"" + message_snippet(plan.chain) + "\"");
    }

    if (type.empty() && method == "eth_getBalance") {
      if (!contract.empty()) return unsupported("eth_getBalance takes contractAddress \"\"");
      if (params.size() != 2 || params[0] != ":userAddress" || params[1] != "latest") {
        return unsupported("eth_getBalance takes parameters [\":userAddress\", \"latest\"]");
      }
      plan.what = Plan::What::eth_balance;
    } else if ((type == "ERC20" || type == "ERC721") && method == "balanceOf") {
      auto token = parse_address(contract);
      if (!token) return unsupported("contractAddress is not a 0x address");
      if (params.size() != 1 || params[0] != ":userAddress") {
        return unsupported("balanceOf takes parameters [\":userAddress\"]");
      }
      plan.what = Plan::What::token_balance;
      plan.address = *token;
    } else {
      return unsupported("standardContractType \"" + message_snippet(type) + "\" with method \"" +
                         message_snippet(method) + "\" is not supported");
    }
    auto cmp = parse_comparator(comparator);
    if (!cmp) {
      return unsupported("comparator \"" + message_snippet(comparator) + "\" is not supported");
    }
    auto threshold = Uint256::from_decimal(value);
    if (!threshold) return unsupported("returnValueTest.value is not a decimal uint256");
    plan.comparator = *cmp;
    plan.threshold = *threshold;
    return plan;
  }

  ConditionResult<bool> condition(const ConditionItem& item) {
    const Plan& plan = plans_.at(&item);
    if (plan.what == Plan::What::address_equals) return plan.address == user_;

    const std::string user_hex = "0x" + lower_hex(user_.data(), user_.size());
    std::optional<Uint256> read;
    if (plan.what == Plan::What::eth_balance) {
      auto r = chain_.get_balance(plan.chain, user_hex, "latest");
      if (!r.ok()) return read_error(item, r.error());
      read = Uint256::from_hex_quantity(r.value());
      if (!read) return bad_answer(item, "eth_getBalance answered a malformed quantity");
    } else {
      const std::string data =
          "0x" + std::string(kBalanceOfSelector) + std::string(24, '0') + user_hex.substr(2);
      const std::string to = "0x" + lower_hex(plan.address.data(), plan.address.size());
      auto r = chain_.eth_call(plan.chain, to, data, "latest");
      if (!r.ok()) return read_error(item, r.error());
      const std::string& hex = r.value();
      if (hex.size() != 2 + 64 || hex[0] != '0' || hex[1] != 'x') {
        return bad_answer(item, "balanceOf answered " +
                                    std::to_string(hex.size() >= 2 ? (hex.size() - 2) / 2 : 0) +
                                    " bytes, not one 32-byte word");
      }
      read = Uint256::from_hex_quantity(hex);
      if (!read) return bad_answer(item, "balanceOf answered malformed hex");
    }
    return compare(*read, plan.comparator, plan.threshold);
  }

  static ConditionError read_error(const ConditionItem& item, const ConditionError& e) {
    const ConditionErrc code = e.code == ConditionErrc::unsupported_condition
                                   ? ConditionErrc::unsupported_condition
                                   : ConditionErrc::chain_unavailable;
    return ConditionError{code, describe(item) + ": " + e.message};
  }
  static ConditionError bad_answer(const ConditionItem& item, const std::string& why) {
    return ConditionError{ConditionErrc::chain_unavailable, describe(item) + ": " + why};
  }

  Address user_;
  ChainReader& chain_;
  std::unordered_map<const ConditionItem*, Plan> plans_;
  std::vector<const ConditionItem*> failed_;
};

}  // namespace

ConditionResult<void> evaluate_conditions(const CanonicalConditions& conditions,
                                          std::string_view user_address, ChainReader& chain) {
  auto user = parse_address(user_address);
  if (!user) {
    return ConditionError{ConditionErrc::invalid_argument,
                          "userAddress: expected 0x and 40 hex digits"};
  }
  Evaluator evaluator(*user, chain);
  auto planned = evaluator.plan_all(conditions.items);
  if (!planned.ok()) return planned;
  auto result = evaluator.group(conditions.items, /*top_level=*/true);
  if (!result.ok()) return result.error();
  if (!result.value()) return ConditionError{ConditionErrc::access_denied, evaluator.denial()};
  return {};
}

}  // namespace litc::crypto
