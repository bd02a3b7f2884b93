// Unit tests of conditions.h: Lit's canonical forms and hash (the published vector), the identity,
// and a table of malformed params, each with its error.
#include "crypto/conditions/conditions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace litc::crypto {
namespace {

// The published vector (protocols.md §3; js-sdk hashing.ts doc comment [83, 176, 31, …, 86, 40]).
constexpr std::string_view kBalanceCondition =
    R"({"contractAddress":"","chain":"ethereum","standardContractType":"","method":"eth_getBalance","parameters":[":userAddress","latest"],"returnValueTest":{"comparator":">=","value":"0"}})";
constexpr std::string_view kBalanceHash =
    "53b01f820c82e86d7e4cd804b8a6f68682221eeb7df76fd43ee777c8caab5628";

std::string params(std::string_view key, std::string_view conditions,
                   std::string_view chain = R"("ethereum")") {
  return "{\"" + std::string(key) + "\":" + std::string(conditions) +
         ",\"chain\":" + std::string(chain) + "}";
}

CanonicalConditions canonical(const std::string& json) {
  auto p = parse_condition_params(json);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? p.value().conditions : CanonicalConditions{};
}

std::string acc(std::string_view conditions) {
  return canonical(params("accessControlConditions", conditions)).canonical_json;
}

TEST(Conditions, PublishedVectorHashesToLitsValue) {
  const std::string list = "[" + std::string(kBalanceCondition) + "]";
  auto p = parse_condition_params(params("accessControlConditions", list));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p.value().conditions.kind, ConditionSetKind::access_control);
  EXPECT_EQ(p.value().conditions.canonical_json, list);
  EXPECT_EQ(p.value().conditions.hash_of_conditions, kBalanceHash);
  EXPECT_EQ(p.value().chain, "ethereum");
}

TEST(Conditions, PublishedIdentityForHelloWorld) {
  EXPECT_EQ(data_to_encrypt_hash("hello world"),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  auto id = access_control_identity(kBalanceHash, data_to_encrypt_hash("hello world"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id.value(),
            "lit-accesscontrolcondition://"
            "53b01f820c82e86d7e4cd804b8a6f68682221eeb7df76fd43ee777c8caab5628/"
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
}

TEST(Conditions, IdentityRefusesHashesThatAreNotLowercaseHex64) {
  const std::string good(64, 'a');
  auto upper = access_control_identity(good, std::string(64, 'A'));
  ASSERT_FALSE(upper.ok());
  EXPECT_EQ(upper.error().code, ConditionErrc::invalid_argument);
  EXPECT_NE(upper.error().message.find("dataToEncryptHash"), std::string::npos);
  auto short_hash = access_control_identity(std::string(63, 'a'), good);
  ASSERT_FALSE(short_hash.ok());
  EXPECT_NE(short_hash.error().message.find("hashOfConditions"), std::string::npos);
}

TEST(Conditions, KeyOrderIsFixedAndExtrasAreDropped) {
  // Shuffled keys, a conditionType, an unknown member and a returnValueTest.key: same canonical
  // bytes, same hash as the published vector.
  const std::string shuffled =
      R"([{"returnValueTest":{"value":"0","key":"","comparator":">="},"foo":1,)"
      R"("parameters":[":userAddress","latest"],"method":"eth_getBalance","conditionType":"evmBasic",)"
      R"("standardContractType":"","chain":"ethereum","contractAddress":""}])";
  CanonicalConditions c = canonical(params("accessControlConditions", shuffled));
  EXPECT_EQ(c.canonical_json, "[" + std::string(kBalanceCondition) + "]");
  EXPECT_EQ(c.hash_of_conditions, kBalanceHash);
}

TEST(Conditions, OperatorsBecomeOperatorObjects) {
  const std::string b(kBalanceCondition);
  EXPECT_EQ(acc("[" + b + R"(,{"operator":"or","extra":true},)" + b + "]"),
            "[" + b + R"(,{"operator":"or"},)" + b + "]");
  // Lit checks "operator" first: an object with both is an operator.
  EXPECT_EQ(acc("[" + b + R"(,{"returnValueTest":{},"operator":"and"},)" + b + "]"),
            "[" + b + R"(,{"operator":"and"},)" + b + "]");
}

TEST(Conditions, NestedArraysAreGroups) {
  const std::string b(kBalanceCondition);
  const std::string in =
      "[" + b + R"(,{"operator":"and"},[)" + b + R"(,{"operator":"or"},[)" + b + "]]]";
  CanonicalConditions c = canonical(params("accessControlConditions", in));
  EXPECT_EQ(c.canonical_json, in);
  ASSERT_EQ(c.items.size(), 3u);
  EXPECT_EQ(c.items[2].kind, ConditionItem::Kind::group);
  ASSERT_EQ(c.items[2].group.size(), 3u);
  EXPECT_EQ(c.items[2].group[2].kind, ConditionItem::Kind::group);
  EXPECT_EQ(c.items[2].group[2].group[0].path, "accessControlConditions[2][2][0]");
}

TEST(Conditions, LegacyListWithoutOperatorsIsAccepted) {
  const std::string b(kBalanceCondition);
  EXPECT_EQ(acc("[" + b + "," + b + "]"), "[" + b + "," + b + "]");
}

TEST(Conditions, UnifiedDispatchesOnConditionType) {
  // js-sdk canonicalFormatter.spec.ts, "ETH + SOLANA Wallet Addresses with AND operator", in
  // the order the formatter builds (the spec compares with toStrictEqual, which ignores order).
  const std::string in =
      R"([{"conditionType":"evmBasic","contractAddress":"","standardContractType":"","chain":"ethereum",)"
      R"("method":"","parameters":[":userAddress"],"returnValueTest":{"comparator":"=",)"
      R"("value":"0x3B5dD260598B7579A0b015A1F3BBF322aDC499A2"}},{"operator":"and"},)"
      R"({"conditionType":"solRpc","method":"","params":[":userAddress"],"chain":"solana","pdaParams":[],)"
      R"("pdaInterface":{"offset":0,"fields":{}},"pdaKey":"","returnValueTest":{"key":"",)"
      R"("comparator":"=","value":"F7r6ENi6dqH8SnMYZdK3YxWAQ4cwfSNXZyMzbea5fbS1"}}])";
  CanonicalConditions c = canonical(params("unifiedAccessControlConditions", in));
  EXPECT_EQ(c.kind, ConditionSetKind::unified);
  EXPECT_EQ(c.canonical_json,
            R"([{"contractAddress":"","chain":"ethereum","standardContractType":"","method":"",)"
            R"("parameters":[":userAddress"],"returnValueTest":{"comparator":"=",)"
            R"("value":"0x3B5dD260598B7579A0b015A1F3BBF322aDC499A2"}},{"operator":"and"},)"
            R"({"method":"","params":[":userAddress"],"pdaParams":[],"pdaInterface":{"offset":0,)"
            R"("fields":{}},"pdaKey":"","chain":"solana","returnValueTest":{"key":"",)"
            R"("comparator":"=","value":"F7r6ENi6dqH8SnMYZdK3YxWAQ4cwfSNXZyMzbea5fbS1"}}])");
  ASSERT_EQ(c.items.size(), 3u);
  EXPECT_EQ(c.items[0].type, ConditionType::evm_basic);
  EXPECT_EQ(c.items[2].type, ConditionType::sol_rpc);
}

TEST(Conditions, UnifiedEvmBasicHashesLikeAccessControlConditions) {
  // The evmBasic form omits conditionType, so the unified vector hashes like the plain one.
  std::string unified(kBalanceCondition);
  unified.insert(1, R"("conditionType":"evmBasic",)");
  CanonicalConditions c = canonical(params("unifiedAccessControlConditions", "[" + unified + "]"));
  EXPECT_EQ(c.hash_of_conditions, kBalanceHash);
}

TEST(Conditions, UnifiedCosmosOmitsAbsentOptionalMembers) {
  const std::string in =
      R"([{"conditionType":"cosmos","path":"/cosmos/bank/v1beta1/balances/:userAddress","chain":"cosmos",)"
      R"("returnValueTest":{"key":"$.balances[0].amount","comparator":">=","value":"1"},"x":1},)"
      R"({"operator":"or"},{"conditionType":"cosmos","path":"/p","chain":"kyve","method":"m",)"
      R"("parameters":["a"],"returnValueTest":{"value":"2","comparator":"=","key":"k"}}])";
  EXPECT_EQ(canonical(params("unifiedAccessControlConditions", in)).canonical_json,
            R"([{"path":"/cosmos/bank/v1beta1/balances/:userAddress","chain":"cosmos",)"
            R"("returnValueTest":{"key":"$.balances[0].amount","comparator":">=","value":"1"}},)"
            R"({"operator":"or"},{"path":"/p","chain":"kyve","method":"m","parameters":["a"],)"
            R"("returnValueTest":{"key":"k","comparator":"=","value":"2"}}])");
}

TEST(Conditions, EvmContractForm) {
  const std::string in =
      R"([{"chain":"ethereum","contractAddress":"0x7C7757a9675f06F3BE4618bB68732c4aB25D2e88",)"
      R"("functionName":"balanceOf","functionParams":[":userAddress","8"],)"
      R"("functionAbi":{"type":"function","stateMutability":"view","outputs":[{"type":"uint256",)"
      R"("name":"","internalType":"uint256"}],"name":"balanceOf","inputs":[{"type":"address",)"
      R"("name":"account","internalType":"address"},{"type":"uint256","name":"id"}]},)"
      R"("returnValueTest":{"key":"","comparator":">","value":"0"}}])";
  EXPECT_EQ(canonical(params("evmContractConditions", in)).canonical_json,
            R"([{"contractAddress":"0x7C7757a9675f06F3BE4618bB68732c4aB25D2e88",)"
            R"("functionName":"balanceOf","functionParams":[":userAddress","8"],)"
            R"("functionAbi":{"name":"balanceOf","inputs":[{"name":"account","type":"address"},)"
            R"({"name":"id","type":"uint256"}],"outputs":[{"name":"","type":"uint256"}],)"
            R"("constant":false,"stateMutability":"view"},"chain":"ethereum",)"
            R"("returnValueTest":{"key":"","comparator":">","value":"0"}}])");
}

TEST(Conditions, EvmContractKeepsAGivenConstantAndOmitsAnAbsentStateMutability) {
  const std::string in =
      R"([{"contractAddress":"0x1","functionName":"f","functionParams":[],"functionAbi":{"name":"f",)"
      R"("inputs":[],"outputs":[],"constant":true},"chain":"ethereum",)"
      R"("returnValueTest":{"key":"","comparator":"=","value":"true"}}])";
  EXPECT_EQ(canonical(params("evmContractConditions", in)).canonical_json,
            R"([{"contractAddress":"0x1","functionName":"f","functionParams":[],)"
            R"("functionAbi":{"name":"f","inputs":[],"outputs":[],"constant":true},)"
            R"("chain":"ethereum","returnValueTest":{"key":"","comparator":"=","value":"true"}}])");
}

TEST(Conditions, SolRpcV1WithoutPdaParamsAndV2WithThem) {
  const std::string v1 =
      R"([{"chain":"solana","method":"getBalance","params":[":userAddress"],"pdaKey":"ignored",)"
      R"("returnValueTest":{"key":"","comparator":">=","value":"100"}}])";
  EXPECT_EQ(canonical(params("solRpcConditions", v1)).canonical_json,
            R"([{"method":"getBalance","params":[":userAddress"],"chain":"solana",)"
            R"("returnValueTest":{"key":"","comparator":">=","value":"100"}}])");
  const std::string v2 =
      R"([{"chain":"solana","method":"getBalance","params":[":userAddress"],"pdaKey":"k",)"
      R"("pdaInterface":{"fields":{"b":2,"1":4},"offset":8,"x":0},"pdaParams":["p"],)"
      R"("returnValueTest":{"key":"","comparator":">=","value":"100"}}])";
  EXPECT_EQ(canonical(params("solRpcConditions", v2)).canonical_json,
            R"([{"method":"getBalance","params":[":userAddress"],"pdaParams":["p"],)"
            R"("pdaInterface":{"offset":8,"fields":{"1":4,"b":2}},"pdaKey":"k","chain":"solana",)"
            R"("returnValueTest":{"key":"","comparator":">=","value":"100"}}])");
}

TEST(Conditions, FreeFormSolRpcParamsKeepJavaScriptNumbers) {
  const std::string in =
      R"([{"method":"m","params":[1,1.50,1e21,1e-7,123456789012345678901234567890,-0,{"2":0,"a":[null,true]}],)"
      R"("chain":"solana","returnValueTest":{"key":"","comparator":"=","value":""}}])";
  EXPECT_EQ(
      canonical(params("solRpcConditions", in)).canonical_json,
      R"([{"method":"m","params":[1,1.5,1e+21,1e-7,1.2345678901234568e+29,0,{"2":0,"a":[null,true]}],)"
      R"("chain":"solana","returnValueTest":{"key":"","comparator":"=","value":""}}])");
}

TEST(Conditions, StringsAreEscapedAsJsonStringify) {
  // Quotes, backslash, control characters, DEL, U+2028 and non-ASCII in a condition value.
  const std::string in =
      R"([{"contractAddress":"","chain":"ethereum","standardContractType":"","method":"",)"
      R"("parameters":[":userAddress"],"returnValueTest":{"comparator":"=",)"
      R"("value":"q\"b\\s\/c\u0001\n\t\u007f\u2028\u00e9\ud83d\ude00"}}])";
  EXPECT_EQ(acc(in),
            R"([{"contractAddress":"","chain":"ethereum","standardContractType":"","method":"",)"
            R"("parameters":[":userAddress"],"returnValueTest":{"comparator":"=",)"
            "\"value\":\"q\\\"b\\\\s/c\\u0001\\n\\t\x7f\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80\"}}]");
}

TEST(Conditions, DocumentKeepsTheCallersOtherMembers) {
  auto p =
      parse_condition_params(R"({"accessControlConditions":[)" + std::string(kBalanceCondition) +
                             R"(],"chain":"ethereum","dataToEncryptHash":"ab","epoch":7})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p.value().document.at("dataToEncryptHash").as_string(), "ab");
  EXPECT_EQ(p.value().document.at("epoch").as_int64(), 7);
}

TEST(Conditions, SizeLimitIsAParameter) {
  // A valid document of about 80 KiB: refused by the 64 KiB default, accepted under 128 KiB.
  std::string list = "[";
  for (int i = 0; i < 400; ++i) {
    if (i > 0) list += R"(,{"operator":"or"},)";
    list += kBalanceCondition;
  }
  list += "]";
  const std::string doc = params("accessControlConditions", list);
  ASSERT_GT(doc.size(), kDefaultMaxParamsBytes);
  auto refused = parse_condition_params(doc);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ConditionErrc::invalid_argument);
  EXPECT_NE(refused.error().message.find("over the limit of 65536"), std::string::npos);
  JsonLimits larger;
  larger.max_bytes = 128 * 1024;
  EXPECT_TRUE(parse_condition_params(doc, larger).ok());
}

struct Malformed {
  const char* name;
  std::string json;
  std::string fragment;  // expected in the message
};

std::string with_member(std::string_view member_json) {
  // kBalanceCondition with one member replaced or added (member_json is `"key":value`).
  std::string c(kBalanceCondition);
  const std::string key = std::string(member_json.substr(0, member_json.find(':')));
  const std::size_t at = c.find(key);
  if (at == std::string::npos) {
    c.insert(1, std::string(member_json) + ",");
    return params("accessControlConditions", "[" + c + "]");
  }
  // Replace `key:value` up to the next top-level comma of this simple object.
  std::size_t end = at + key.size() + 1;
  int depth = 0;
  bool in_string = false;
  for (; end < c.size(); ++end) {
    const char ch = c[end];
    if (in_string) {
      if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    if (ch == '[' || ch == '{') ++depth;
    if (ch == ']' || ch == '}') {
      if (depth == 0) break;
      --depth;
    }
    if (ch == ',' && depth == 0) break;
  }
  c.replace(at, end - at, member_json);
  return params("accessControlConditions", "[" + c + "]");
}

std::string without_member(std::string_view key) {
  std::string c(kBalanceCondition);
  const std::string quoted = "\"" + std::string(key) + "\":\"\",";
  c.erase(c.find(quoted), quoted.size());
  return params("accessControlConditions", "[" + c + "]");
}

TEST(Conditions, MalformedParamsTable) {
  const std::string b(kBalanceCondition);
  const std::string list = "[" + b + "]";
  const std::vector<Malformed> cases = {
      {"not JSON", "{", "params: invalid JSON"},
      {"trailing bytes", params("accessControlConditions", list) + "x", "params: invalid JSON"},
      {"not an object", "[" + list + "]", "params: expected an object, got an array"},
      {"missing chain", R"({"accessControlConditions":)" + list + "}", "chain: missing"},
      {"chain a number", params("accessControlConditions", list, "1"),
       "chain: expected a string, got a number"},
      {"chain null", params("accessControlConditions", list, "null"),
       "chain: expected a string, got null"},
      {"no condition kind", R"({"chain":"ethereum"})", "params: no accessControlConditions"},
      {"two condition kinds",
       R"({"accessControlConditions":)" + list + R"(,"unifiedAccessControlConditions":)" + list +
           R"(,"chain":"ethereum"})",
       "both accessControlConditions and unifiedAccessControlConditions"},
      {"a null second kind counts",
       R"({"solRpcConditions":null,"evmContractConditions":)" + list + R"(,"chain":"ethereum"})",
       "both evmContractConditions and solRpcConditions"},
      {"conditions not an array", params("accessControlConditions", b),
       "accessControlConditions: expected an array, got an object"},
      {"empty list", params("accessControlConditions", "[]"),
       "accessControlConditions: empty condition list"},
      {"empty group", params("accessControlConditions", "[[]]"),
       "accessControlConditions[0]: empty condition list"},
      {"element a string", params("accessControlConditions", R"(["x"])"),
       "accessControlConditions[0]: expected a condition, an operator or a group, got a string"},
      {"element null", params("accessControlConditions", "[null]"), "got null"},
      {"neither condition nor operator", params("accessControlConditions", R"([{"chain":"x"}])"),
       "accessControlConditions[0]: neither a condition (no returnValueTest) nor an operator"},
      {"method a number", with_member(R"("method":7)"),
       "accessControlConditions[0].method: expected a string, got a number"},
      {"missing contractAddress", without_member("contractAddress"),
       "accessControlConditions[0].contractAddress: missing"},
      {"missing standardContractType", without_member("standardContractType"),
       "accessControlConditions[0].standardContractType: missing"},
      {"chain inside a condition an array", with_member(R"("chain":["ethereum"])"),
       "accessControlConditions[0].chain: expected a string, got an array"},
      {"parameters not an array", with_member(R"("parameters":":userAddress")"),
       "accessControlConditions[0].parameters: expected an array of strings, got a string"},
      {"parameter a number", with_member(R"("parameters":[":userAddress",1])"),
       "accessControlConditions[0].parameters[1]: expected a string, got a number"},
      {"returnValueTest a string", with_member(R"("returnValueTest":">=")"),
       "accessControlConditions[0].returnValueTest: expected an object, got a string"},
      {"value a number", with_member(R"("returnValueTest":{"comparator":">=","value":0})"),
       "accessControlConditions[0].returnValueTest.value: expected a string, got a number"},
      {"comparator missing", with_member(R"("returnValueTest":{"value":"0"})"),
       "accessControlConditions[0].returnValueTest.comparator: missing"},
      {"operator not and/or",
       params("accessControlConditions", "[" + b + R"(,{"operator":"AND"},)" + b + "]"),
       "accessControlConditions[1].operator: expected \"and\" or \"or\""},
      {"operator not a string",
       params("accessControlConditions", "[" + b + R"(,{"operator":1},)" + b + "]"),
       "accessControlConditions[1].operator: expected"},
      {"operator first", params("accessControlConditions", R"([{"operator":"and"},)" + b + "]"),
       "accessControlConditions[0]: an operator where a condition or group belongs"},
      {"two operators",
       params("accessControlConditions",
              "[" + b + R"(,{"operator":"and"},{"operator":"or"},)" + b + "]"),
       "accessControlConditions[2]: an operator where"},
      {"missing operator with operators elsewhere",
       params("accessControlConditions", "[" + b + R"(,{"operator":"and"},)" + b + "," + b + "]"),
       "accessControlConditions[3]: a condition where an operator belongs"},
      {"ends with an operator",
       params("accessControlConditions", "[" + b + R"(,{"operator":"and"}])"),
       "accessControlConditions[1]: the list ends with an operator"},
      {"invalid group in a legacy list",
       params("accessControlConditions", "[" + b + ",[" + b + "," + b + "]]"),
       "accessControlConditions[1][1]: a condition where an operator belongs"},
      {"unified without conditionType", params("unifiedAccessControlConditions", list),
       "unifiedAccessControlConditions[0].conditionType: missing"},
      {"unified unknown conditionType",
       params("unifiedAccessControlConditions",
              R"([{"conditionType":"bitcoin","returnValueTest":{}}])"),
       "unifiedAccessControlConditions[0].conditionType: expected \"evmBasic\""},
      {"unified solRpc needs v2 members",
       params("unifiedAccessControlConditions",
              R"([{"conditionType":"solRpc","method":"m","params":[],"chain":"solana",)"
              R"("returnValueTest":{"key":"","comparator":"=","value":""}}])"),
       "unifiedAccessControlConditions[0].pdaParams: missing"},
      {"solRpc negative offset",
       params(
           "solRpcConditions",
           R"([{"method":"m","params":[],"pdaParams":[],"pdaInterface":{"offset":-1,"fields":{}},)"
           R"("pdaKey":"","chain":"solana","returnValueTest":{"key":"","comparator":"=","value":""}}])"),
       "solRpcConditions[0].pdaInterface.offset: expected a non-negative integer"},
      {"solRpc returnValueTest without key",
       params(
           "solRpcConditions",
           R"([{"method":"m","params":[],"chain":"solana","returnValueTest":{"comparator":"=","value":""}}])"),
       "solRpcConditions[0].returnValueTest.key: missing"},
      {"evmContract abi input without type",
       params(
           "evmContractConditions",
           R"([{"contractAddress":"0x1","functionName":"f","functionParams":[],)"
           R"("functionAbi":{"name":"f","inputs":[{"name":"a"}],"outputs":[]},"chain":"ethereum",)"
           R"("returnValueTest":{"key":"","comparator":"=","value":""}}])"),
       "evmContractConditions[0].functionAbi.inputs[0].type: missing"},
      {"evmContract constant a string",
       params(
           "evmContractConditions",
           R"([{"contractAddress":"0x1","functionName":"f","functionParams":[],)"
           R"("functionAbi":{"name":"f","inputs":[],"outputs":[],"constant":"no"},"chain":"ethereum",)"
           R"("returnValueTest":{"key":"","comparator":"=","value":""}}])"),
       "evmContractConditions[0].functionAbi.constant: expected a boolean, got a string"},
      {"duplicate top-level key",
       R"({"chain":"ethereum","accessControlConditions":)" + list + R"(,"chain":"polygon"})",
       "params: duplicate key \"chain\""},
      {"duplicate key inside a condition",
       params("accessControlConditions",
              R"([{"contractAddress":"","chain":"ethereum","standardContractType":"","method":"",)"
              R"("parameters":[":userAddress"],"returnValueTest":{"comparator":"=","value":"0x1",)"
              R"("value":"0x2"}}])"),
       "params: accessControlConditions[0].returnValueTest: duplicate key \"value\""},
      {"duplicate condition kind key",
       R"({"accessControlConditions":)" + list + R"(,"accessControlConditions":)" + list +
           R"(,"chain":"ethereum"})",
       "params: duplicate key \"accessControlConditions\""},
      {"10 MB of conditions",
       params("accessControlConditions", "[" + b + std::string(10 * 1024 * 1024, ' ') + "]"),
       "params: document is 10485"},
      {"nested too deep",
       params("accessControlConditions", std::string(40, '[') + b + std::string(40, ']')),
       "params: invalid JSON"},
      {"lone surrogate", with_member(R"("method":"\ud800")"), "params: invalid JSON"},
      {"invalid UTF-8", with_member("\"method\":\"\xc3\x28\""), "params: invalid JSON"},
      {"number out of range", with_member(R"("x":1e999)"), "out of the range of a double"},
  };
  for (const Malformed& m : cases) {
    SCOPED_TRACE(m.name);
    auto p = parse_condition_params(m.json);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, ConditionErrc::invalid_argument);
    EXPECT_NE(p.error().message.find(m.fragment), std::string::npos)
        << "message: " << p.error().message << "\nexpected to contain: " << m.fragment;
    // The parser keeps no state between calls: the next good document still parses.
    EXPECT_EQ(canonical(params("accessControlConditions", list)).hash_of_conditions, kBalanceHash);
  }
}

}  // namespace
}  // namespace litc::crypto
