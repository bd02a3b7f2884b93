// Unit tests of the evaluator with a fake ChainReader: supported shapes, uint256 comparisons at
// the edges, left-to-right folds and groups, unsupported cases (never a pass), read failures
// (never a pass nor a denial) and access_denied naming the failed conditions.
#include "crypto/conditions/evaluator.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace litc::crypto {
namespace {

constexpr std::string_view kUser = "0x3B5dD260598B7579A0b015A1F3BBF322aDC499A2";
constexpr std::string_view kUserLower = "0x3b5dd260598b7579a0b015a1f3bbf322adc499a2";
constexpr std::string_view kOther = "0x93E47A604BA72899a5f8dF986cF26C97AfdaE2A0";
constexpr std::string_view kToken = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01";
constexpr std::string_view kMax =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

struct Call {
  std::string method, chain, a, b, block;
};

class FakeChain : public ChainReader {
 public:
  std::set<std::string, std::less<>> chains = {"ethereum", "sepolia"};
  std::string balance = "0x0";
  std::string call_result = "0x" + std::string(64, '0');
  std::optional<ConditionError> failure;
  std::vector<Call> calls;

  bool supports_chain(std::string_view chain) const override { return chains.count(chain) > 0; }
  ConditionResult<std::string> get_balance(std::string_view chain, std::string_view address,
                                           std::string_view block) override {
    calls.push_back(
        {"eth_getBalance", std::string(chain), std::string(address), "", std::string(block)});
    if (failure) return *failure;
    return balance;
  }
  ConditionResult<std::string> eth_call(std::string_view chain, std::string_view to,
                                        std::string_view data, std::string_view block) override {
    calls.push_back(
        {"eth_call", std::string(chain), std::string(to), std::string(data), std::string(block)});
    if (failure) return *failure;
    return call_result;
  }
};

std::string address_is(std::string_view address, std::string_view chain = "ethereum") {
  return R"({"contractAddress":"","chain":")" + std::string(chain) +
         R"(","standardContractType":"","method":"","parameters":[":userAddress"],)"
         R"("returnValueTest":{"comparator":"=","value":")" +
         std::string(address) + R"("}})";
}
const std::string kTrue = address_is(kUser);
const std::string kFalse = address_is(kOther);

std::string balance(std::string_view comparator, std::string_view value,
                    std::string_view chain = "ethereum") {
  return R"({"contractAddress":"","chain":")" + std::string(chain) +
         R"(","standardContractType":"","method":"eth_getBalance",)"
         R"("parameters":[":userAddress","latest"],"returnValueTest":{"comparator":")" +
         std::string(comparator) + R"(","value":")" + std::string(value) + R"("}})";
}

std::string token(std::string_view type, std::string_view comparator, std::string_view value) {
  return R"({"contractAddress":")" + std::string(kToken) +
         R"(","chain":"ethereum",)"
         R"("standardContractType":")" +
         std::string(type) +
         R"(","method":"balanceOf","parameters":[":userAddress"],)"
         R"("returnValueTest":{"comparator":")" +
         std::string(comparator) + R"(","value":")" + std::string(value) + R"("}})";
}

const std::string kOr = R"({"operator":"or"})";
const std::string kAnd = R"({"operator":"and"})";

CanonicalConditions parse(const std::string& list, std::string_view key = "accessControlConditions",
                          std::string_view chain = "ethereum") {
  auto p = parse_condition_params("{\"" + std::string(key) + "\":" + list + ",\"chain\":\"" +
                                  std::string(chain) + "\"}");
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? p.value().conditions : CanonicalConditions{};
}

ConditionResult<void> run(const std::string& list, FakeChain& chain,
                          std::string_view user = kUser) {
  return evaluate_conditions(parse(list), user, chain);
}

void expect_code(const ConditionResult<void>& r, ConditionErrc code, std::string_view fragment) {
  ASSERT_FALSE(r.ok()) << "expected " << to_string(code);
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_NE(r.error().message.find(fragment), std::string::npos)
      << "message: " << r.error().message << "\nexpected to contain: " << fragment;
}

TEST(Evaluator, UserAddressEqualityIgnoresHexCase) {
  FakeChain chain;
  EXPECT_TRUE(run("[" + address_is(kUserLower) + "]", chain).ok());
  EXPECT_TRUE(run("[" + kTrue + "]", chain, kUserLower).ok());
  EXPECT_TRUE(chain.calls.empty());  // no chain read for an address check
}

TEST(Evaluator, DeniedAddressNamesTheCondition) {
  FakeChain chain;
  expect_code(run("[" + kFalse + "]", chain), ConditionErrc::access_denied,
              "access denied: accessControlConditions[0] (method \"\", chain \"ethereum\") is "
              "not satisfied");
}

TEST(Evaluator, RefusesAMalformedUserAddress) {
  FakeChain chain;
  for (std::string_view bad : {"", "0x1234", "3b5dd260598b7579a0b015a1f3bbf322adc499a2xx",
                               "0x3b5dd260598b7579a0b015a1f3bbf322adc499aZ"}) {
    expect_code(run("[" + kTrue + "]", chain, bad), ConditionErrc::invalid_argument, "userAddress");
  }
}

TEST(Evaluator, BalanceReadUsesTheConditionsOwnChainAndTheUserAddress) {
  FakeChain chain;
  chain.balance = "0x21e19e0c9bab2400000";  // 10^22 wei
  // Top-level chain "polygon" has no endpoint: it selects nothing.
  EXPECT_TRUE(
      evaluate_conditions(parse("[" + balance(">=", "10000000000000000000000", "sepolia") + "]",
                                "accessControlConditions", "polygon"),
                          kUser, chain)
          .ok());
  ASSERT_EQ(chain.calls.size(), 1u);
  EXPECT_EQ(chain.calls[0].method, "eth_getBalance");
  EXPECT_EQ(chain.calls[0].chain, "sepolia");
  EXPECT_EQ(chain.calls[0].a, kUserLower);
  EXPECT_EQ(chain.calls[0].block, "latest");
}

struct Comparison {
  std::string read_hex;
  std::string comparator;
  std::string value;
  bool pass;
};

TEST(Evaluator, Uint256ComparisonsAtTheEdges) {
  const std::string max_hex = "0x" + std::string(64, 'f');
  const std::string max_minus_1 = "0x" + std::string(63, 'f') + "e";
  const std::string below_max =
      "115792089237316195423570985008687907853269984665640564039457584007913129639934";
  const std::vector<Comparison> table = {
      {"0x0", "=", "0", true},
      {"0x0", ">", "0", false},
      {"0x0", ">=", "0", true},
      {"0x0", "<", "1", true},
      {"0x0", "!=", "0", false},
      {"0x1", "!=", "0", true},
      {"0x1", "<=", "1", true},
      {"0x2", "<=", "1", false},
      {max_hex, "=", std::string(kMax), true},
      {max_hex, ">=", std::string(kMax), true},
      {max_hex, ">", std::string(kMax), false},
      {max_hex, ">", below_max, true},
      {max_minus_1, "<", std::string(kMax), true},
      {max_minus_1, "=", below_max, true},
      {max_minus_1, ">=", std::string(kMax), false},
      // 2^53 + 1 wei vs 2^53: equal as doubles, not as uint256.
      {"0x20000000000001", ">", "9007199254740992", true},
      {"0x20000000000001", "=", "9007199254740992", false},
      // 2^64 vs 2^64 - 1: a limb carry.
      {"0x10000000000000000", ">", "18446744073709551615", true},
      {"0x10000000000000000", "<=", "18446744073709551615", false},
      {"0x0", ">=", "000", true},  // leading zeros, as the Lit node's from_dec_str
  };
  for (const Comparison& c : table) {
    SCOPED_TRACE(c.read_hex + " " + c.comparator + " " + c.value);
    FakeChain chain;
    chain.balance = c.read_hex;
    auto r = run("[" + balance(c.comparator, c.value) + "]", chain);
    if (c.pass) {
      EXPECT_TRUE(r.ok()) << r.error().message;
    } else {
      expect_code(r, ConditionErrc::access_denied, "(method \"eth_getBalance\"");
    }
  }
}

TEST(Evaluator, Erc20AndErc721BalanceOfCallTheContract) {
  for (std::string_view type : {"ERC20", "ERC721"}) {
    SCOPED_TRACE(type);
    FakeChain chain;
    chain.call_result = "0x" + std::string(62, '0') + "0a";  // 10
    EXPECT_TRUE(run("[" + token(type, ">=", "10") + "]", chain).ok());
    ASSERT_EQ(chain.calls.size(), 1u);
    EXPECT_EQ(chain.calls[0].method, "eth_call");
    EXPECT_EQ(chain.calls[0].chain, "ethereum");
    EXPECT_EQ(chain.calls[0].a, "0xabcdef0123456789abcdef0123456789abcdef01");
    EXPECT_EQ(chain.calls[0].b,
              "0x70a08231000000000000000000000000" + std::string(kUserLower.substr(2)));
    EXPECT_EQ(chain.calls[0].block, "latest");
    expect_code(run("[" + token(type, ">", "10") + "]", chain), ConditionErrc::access_denied,
                "accessControlConditions[0] (method \"balanceOf\", chain \"ethereum\")");
  }
}

TEST(Evaluator, BalanceOfAnswerMustBeOneWord) {
  FakeChain chain;
  for (const std::string& answer :
       {std::string("0x"), "0x" + std::string(128, '0'), "0x" + std::string(62, '0')}) {
    chain.call_result = answer;
    expect_code(run("[" + token("ERC20", ">=", "0") + "]", chain), ConditionErrc::chain_unavailable,
                "not one 32-byte word");
  }
}

TEST(Evaluator, MalformedBalanceIsChainUnavailable) {
  FakeChain chain;
  chain.balance = "12";
  expect_code(run("[" + balance(">=", "0") + "]", chain), ConditionErrc::chain_unavailable,
              "malformed quantity");
}

TEST(Evaluator, ReadFailureIsNeitherPassNorDenial) {
  FakeChain chain;
  chain.failure = ConditionError{ConditionErrc::chain_unavailable, "connection refused"};
  // Even when an OR's other side holds: every condition is evaluated, as the Lit node does.
  expect_code(run("[" + kTrue + "," + kOr + "," + balance(">=", "0") + "]", chain),
              ConditionErrc::chain_unavailable,
              "accessControlConditions[2] (method \"eth_getBalance\", chain \"ethereum\"): "
              "connection refused");
  // Any other code from a reader is reported as chain_unavailable too.
  chain.failure = ConditionError{ConditionErrc::access_denied, "odd reader"};
  expect_code(run("[" + balance(">=", "0") + "]", chain), ConditionErrc::chain_unavailable,
              "odd reader");
  chain.failure = ConditionError{ConditionErrc::unsupported_condition, "no endpoint"};
  expect_code(run("[" + balance(">=", "0") + "]", chain), ConditionErrc::unsupported_condition,
              "no endpoint");
}

TEST(Evaluator, EveryConditionIsEvaluatedNoShortCircuit) {
  FakeChain chain;
  expect_code(run("[" + kFalse + "," + kAnd + "," + balance(">=", "0") + "]", chain),
              ConditionErrc::access_denied, "accessControlConditions[0]");
  EXPECT_EQ(chain.calls.size(), 1u);
}

TEST(Evaluator, OperatorsFoldLeftToRightWithoutPrecedence) {
  FakeChain chain;
  // ((T or F) and F) = F; with "and" binding tighter it would be T or (F and F) = T.
  expect_code(run("[" + kTrue + "," + kOr + "," + kFalse + "," + kAnd + "," + kFalse + "]", chain),
              ConditionErrc::access_denied, "accessControlConditions[2]");
  // ((F and F) or T) = T.
  EXPECT_TRUE(
      run("[" + kFalse + "," + kAnd + "," + kFalse + "," + kOr + "," + kTrue + "]", chain).ok());
  EXPECT_TRUE(run("[" + kFalse + "," + kOr + "," + kTrue + "]", chain).ok());
  expect_code(run("[" + kTrue + "," + kAnd + "," + kFalse + "]", chain),
              ConditionErrc::access_denied, "accessControlConditions[2]");
}

TEST(Evaluator, NestedArraysAreGroups) {
  FakeChain chain;
  // T or (F and F) = T: the group changes the answer of the flat list above.
  EXPECT_TRUE(
      run("[" + kTrue + "," + kOr + ",[" + kFalse + "," + kAnd + "," + kFalse + "]]", chain).ok());
  // (T or F) and [[F]] = F, and the message names the nested condition.
  expect_code(
      run("[[" + kTrue + "," + kOr + "," + kFalse + "]," + kAnd + ",[[" + kFalse + "]]]", chain),
      ConditionErrc::access_denied, "accessControlConditions[2][0][0] (method \"\"");
}

TEST(Evaluator, LegacyListWithoutOperatorsIsAnAnd) {
  FakeChain chain;
  EXPECT_TRUE(run("[" + kTrue + "," + kTrue + "]", chain).ok());
  expect_code(run("[" + kTrue + "," + kFalse + "," + kTrue + "]", chain),
              ConditionErrc::access_denied, "accessControlConditions[1]");
}

TEST(Evaluator, DenialNamesEveryFailedCondition) {
  FakeChain chain;
  expect_code(run("[" + kFalse + "," + kOr + "," + balance(">", "0") + "]", chain),
              ConditionErrc::access_denied,
              "accessControlConditions[0] (method \"\", chain \"ethereum\"); "
              "accessControlConditions[2] (method \"eth_getBalance\", chain \"ethereum\") are "
              "not satisfied");
}

TEST(Evaluator, UnifiedEvmBasicIsEvaluated) {
  FakeChain chain;
  std::string c = kTrue;
  c.insert(1, R"("conditionType":"evmBasic",)");
  EXPECT_TRUE(run("[" + c + "]", chain).ok());
  // Unified lists reach the evaluator through parse with their own key.
  EXPECT_TRUE(
      evaluate_conditions(parse("[" + c + "]", "unifiedAccessControlConditions"), kUser, chain)
          .ok());
}

TEST(Evaluator, EvaluatesTheCanonicalObjectNotTheRawJson) {
  // In accessControlConditions every condition is evmBasic, whatever the raw object claims: the
  // conditionType and functionAbi a peer adds are dropped from the hashed object, and the
  // evaluator reads only that object (so this is an address check, not an evmContract call).
  FakeChain chain;
  std::string c = kTrue;
  c.insert(1, R"("conditionType":"evmContract","functionAbi":{"name":"f"},"functionName":"f",)");
  const CanonicalConditions parsed = parse("[" + c + "]");
  EXPECT_EQ(parsed.canonical_json, "[" + kTrue + "]");
  EXPECT_TRUE(evaluate_conditions(parsed, kUser, chain).ok());
}

TEST(Evaluator, AnAddressCheckReadsNothingSoNeedsNoEndpointForItsChain) {
  FakeChain chain;
  chain.chains.clear();  // no endpoint at all
  EXPECT_TRUE(run("[" + address_is(kUser, "polygon") + "]", chain).ok());
  EXPECT_EQ(run("[" + address_is(kOther, "polygon") + "]", chain).error().code,
            ConditionErrc::access_denied);
  EXPECT_TRUE(chain.calls.empty());
}

TEST(Evaluator, MessagesQuotePeerTextBounded) {
  FakeChain chain;
  const std::string long_chain(1000, 'c');
  auto r = run("[" + balance(">=", "0", long_chain) + "]", chain);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ConditionErrc::unsupported_condition);
  EXPECT_LT(r.error().message.size(), 300u) << r.error().message;
  EXPECT_NE(r.error().message.find(std::string(64, 'c') + "..."), std::string::npos);
}

struct Unsupported {
  const char* name;
  std::string key;
  std::string list;
  std::string fragment;
};

TEST(Evaluator, UnsupportedConditionsAreNeverAPass) {
  const std::string sol = R"({"method":"getBalance","params":[":userAddress"],"chain":"solana",)"
                          R"("returnValueTest":{"key":"","comparator":">=","value":"0"}})";
  const std::string evm_contract =
      R"({"contractAddress":"0x1","functionName":"f","functionParams":[],"functionAbi":{"name":"f",)"
      R"("inputs":[],"outputs":[]},"chain":"ethereum","returnValueTest":{"key":"","comparator":"=","value":"1"}})";
  const std::string cosmos =
      R"({"conditionType":"cosmos","path":"/p","chain":"cosmos","returnValueTest":{"key":"",)"
      R"("comparator":"=","value":"1"}})";
  const std::string with_type = [&] {
    std::string c = kTrue;
    const std::string empty_type = R"("standardContractType":"")";
    c.replace(c.find(empty_type), empty_type.size(), R"("standardContractType":"ERC1155")");
    return c;
  }();
  const std::string acc = "accessControlConditions";
  const std::vector<Unsupported> table = {
      {"solRpc", "solRpcConditions", "[" + sol + "]", "solRpc conditions are hashed but not"},
      {"evmContract", "evmContractConditions", "[" + evm_contract + "]",
       "evmContract conditions are hashed but not"},
      {"cosmos in unified", "unifiedAccessControlConditions", "[" + cosmos + "]",
       "unifiedAccessControlConditions[0] (path \"/p\", chain \"cosmos\"): cosmos conditions"},
      {"unknown chain", acc, "[" + balance(">=", "0", "polygon") + "]",
       "no RPC endpoint for chain \"polygon\""},
      {"address check with >", acc,
       "[" +
           std::string(R"({"contractAddress":"","chain":"ethereum","standardContractType":"",)"
                       R"("method":"","parameters":[":userAddress"],"returnValueTest":{)"
                       R"("comparator":">","value":"0x1"}})") +
           "]",
       "an address check supports only \"=\""},
      {"address check against a non-address", acc, "[" + address_is("0x1234") + "]",
       "returnValueTest.value is not a 0x address"},
      {"address check with a contract", acc,
       "[" +
           std::string(R"({"contractAddress":"0x1","chain":"ethereum","standardContractType":"",)"
                       R"("method":"","parameters":[":userAddress"],"returnValueTest":{)"
                       R"("comparator":"=","value":")") +
           std::string(kUser) + "\"}}]",
       "takes contractAddress \"\""},
      {"address check on another parameter", acc,
       "[" +
           std::string(R"({"contractAddress":"","chain":"ethereum","standardContractType":"",)"
                       R"("method":"","parameters":[":currentActionIpfsId"],"returnValueTest":{)"
                       R"("comparator":"=","value":"Qm"}})") +
           "]",
       "parameters [\":userAddress\"]"},
      {"comparator contains", acc, "[" + balance("contains", "0") + "]",
       "comparator \"contains\" is not supported"},
      {"decimal with a point", acc, "[" + balance(">=", "1.5") + "]", "not a decimal uint256"},
      {"hex value", acc, "[" + balance(">=", "0x10") + "]", "not a decimal uint256"},
      {"negative value", acc, "[" + balance(">=", "-1") + "]", "not a decimal uint256"},
      {"value above 2^256 - 1", acc,
       "[" +
           balance(
               ">=",
               "115792089237316195423570985008687907853269984665640564039457584007913129639936") +
           "]",
       "not a decimal uint256"},
      {"another rpc method", acc,
       "[" +
           std::string(
               R"({"contractAddress":"","chain":"ethereum","standardContractType":"",)"
               R"("method":"eth_getTransactionCount","parameters":[":userAddress","latest"],)"
               R"("returnValueTest":{"comparator":">","value":"0"}})") +
           "]",
       "standardContractType \"\" with method \"eth_getTransactionCount\" is not supported"},
      {"balance of a literal address", acc,
       "[" +
           std::string(R"({"contractAddress":"","chain":"ethereum","standardContractType":"",)"
                       R"("method":"eth_getBalance","parameters":[")") +
           std::string(kOther) +
           R"(","latest"],"returnValueTest":{"comparator":">","value":"0"}}])",
       "eth_getBalance takes parameters [\":userAddress\", \"latest\"]"},
      {"balance at another block", acc,
       "[" +
           std::string(R"({"contractAddress":"","chain":"ethereum","standardContractType":"",)"
                       R"("method":"eth_getBalance","parameters":[":userAddress","0x10"],)"
                       R"("returnValueTest":{"comparator":">","value":"0"}})") +
           "]",
       "eth_getBalance takes parameters"},
      {"ERC1155", acc, "[" + with_type + "]", "standardContractType \"ERC1155\""},
      {"ERC721 ownerOf", acc,
       "[" +
           std::string(
               R"({"contractAddress":"0xabcdef0123456789abcdef0123456789abcdef01",)"
               R"("chain":"ethereum","standardContractType":"ERC721","method":"ownerOf",)"
               R"("parameters":["1"],"returnValueTest":{"comparator":"=","value":":userAddress"}})") +
           "]",
       "method \"ownerOf\" is not supported"},
      {"balanceOf of a bad contract address", acc,
       "[" +
           std::string(
               R"({"contractAddress":"0x12","chain":"ethereum","standardContractType":"ERC20",)"
               R"("method":"balanceOf","parameters":[":userAddress"],)"
               R"("returnValueTest":{"comparator":">","value":"0"}})") +
           "]",
       "contractAddress is not a 0x address"},
  };
  for (const Unsupported& u : table) {
    SCOPED_TRACE(u.name);
    FakeChain chain;
    expect_code(evaluate_conditions(parse(u.list, u.key), kUser, chain),
                ConditionErrc::unsupported_condition, u.fragment);
  }
}

TEST(Evaluator, AnUnsupportedConditionAnywhereStopsEvaluationBeforeAnyRead) {
  FakeChain chain;
  // true OR unsupported: refused, and no chain read was made.
  expect_code(
      run("[" + balance(">=", "0") + "," + kOr + "," + balance("contains", "1") + "]", chain),
      ConditionErrc::unsupported_condition, "accessControlConditions[2]");
  EXPECT_TRUE(chain.calls.empty());
}

}  // namespace
}  // namespace litc::crypto
