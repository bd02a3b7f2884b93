// Malformed Lit requests at the bridge: a table of bad encrypt submits (params) and a table of bad
// POST /decrypt bodies, each answered with its status and code, each followed by GET /healthz 200
// (the bridge keeps serving), none of them reaching the broker.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/lit_client.h"
#include "tests/integration/bridge_lit_fixture.h"

namespace litc::it {
namespace {

namespace json = boost::json;

struct BadRequest {
  std::string what;
  std::string body;
  int status;
  std::string code;
  std::string message_part;  // the field the message must name ("" = not checked)
  std::string content_type = "application/json";
};

class BridgeLitMalformed : public BridgeLitTest {
 protected:
  void run_table(const std::string& target, const std::vector<BadRequest>& cases) {
    for (const auto& c : cases) {
      auto r = http_->request("POST", target, c.body, c.content_type);
      EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body.substr(0, 300);
      EXPECT_EQ(error_code(r), c.code) << c.what << ": " << r.body.substr(0, 300);
      if (!c.message_part.empty()) {
        EXPECT_NE(error_message(r).find(c.message_part), std::string::npos)
            << c.what << ": the message should name " << c.message_part << ": " << r.body;
      }
      EXPECT_EQ(http_->get("/healthz").status, 200) << "after " << c.what;
    }
  }
  std::optional<uint64_t> broker_submitted() {
    auto stats = obj(http_->get("/lit-compute/jobs/stats").body);
    const json::value* broker = stats.if_contains("broker");
    if (broker == nullptr || !broker->is_object()) return std::nullopt;
    return static_cast<uint64_t>(num(broker->get_object(), "submitted_total"));
  }
};

// A body whose string value kDeep is replaced by conditions nested 40 arrays deep: over every
// parser's depth limit (Boost.JSON refuses to build such a value, so it is spliced in as text).
constexpr const char* kDeep = "DEEP-CONDITIONS";
std::string deep(std::string body) {
  const std::string quoted = std::string("\"") + kDeep + "\"";
  const std::string condition =
      R"({"contractAddress":"","standardContractType":"","chain":"ethereum","method":"","parameters":[":userAddress"],"returnValueTest":{"comparator":"=","value":"0x0"}})";
  body.replace(body.find(quoted), quoted.size(),
               std::string(40, '[') + condition + std::string(40, ']'));
  return body;
}

TEST_F(BridgeLitMalformed, EveryBadEncryptSubmitGetsItsErrorNamingTheField) {
  ASSERT_NO_FATAL_FAILURE(start());
  const json::object good = user_is(address_of(7));
  auto body = [](json::object o) { return json::serialize(o); };
  auto with_params = [&](json::object params) {
    return body({{"operation", "encrypt"}, {"input", "secret"}, {"params", std::move(params)}});
  };
  auto params_with = [&](const char* key, json::value v) {
    json::object p = good;
    p[key] = std::move(v);
    return with_params(p);
  };
  auto params_without = [&](const char* key) {
    json::object p = good;
    p.erase(key);
    return with_params(p);
  };
  const std::string good_body = with_params(good);
  std::string dup_in_params = good_body;
  dup_in_params.insert(dup_in_params.find("\"params\":{") + 10, R"("chain":"ethereum",)");
  std::string dup_top = good_body;
  dup_top.insert(1, R"("input":"other",)");
  std::string dup_in_condition = good_body;
  dup_in_condition.insert(dup_in_condition.find("\"comparator\""), R"("comparator":"=",)");

  const std::vector<BadRequest> cases = {
      {"not JSON", "{", 400, "malformed_json", ""},
      {"not an object", "[1]", 400, "malformed_json", ""},
      {"no params", body({{"operation", "encrypt"}, {"input", "secret"}}), 400, "invalid_argument",
       "params"},
      {"params a string", body({{"operation", "encrypt"}, {"input", "secret"}, {"params", "x"}}),
       400, "invalid_argument", "params"},
      {"no chain", params_without("chain"), 400, "invalid_argument", "params.chain"},
      {"chain a number", params_with("chain", 1), 400, "invalid_argument", "params.chain"},
      {"no conditions", params_without("accessControlConditions"), 400, "invalid_argument",
       "accessControlConditions"},
      {"conditions a string", params_with("accessControlConditions", "x"), 400, "invalid_argument",
       "accessControlConditions"},
      {"a condition without returnValueTest",
       params_with("accessControlConditions",
                   json::parse(R"([{"contractAddress":"","chain":"ethereum"}])")),
       400, "invalid_argument", "accessControlConditions[0]"},
      {"two condition kinds", params_with("evmContractConditions", json::array{}), 400,
       "invalid_argument", "evmContractConditions"},
      {"an unknown member in params", params_with("authSig", json::object{{"sig", "0x"}}), 400,
       "invalid_argument", "params.authSig"},
      {"duplicate key in params", dup_in_params, 400, "invalid_argument", "duplicate key"},
      {"duplicate key at the top", dup_top, 400, "invalid_argument", "duplicate key \"input\""},
      {"duplicate key inside a condition", dup_in_condition, 400, "invalid_argument",
       "duplicate key \"comparator\""},
      {"conditions nested too deep", deep(params_with("accessControlConditions", kDeep)), 400,
       "malformed_json", "too deep"},
      {"params over 64 KiB", params_with("chain", json::string(std::string(100'000, 'c'))), 400,
       "invalid_argument", "over the limit"},
      {"no input", body({{"operation", "encrypt"}, {"params", good}}), 400, "invalid_argument",
       "input"},
      {"input a number", body({{"operation", "encrypt"}, {"input", 5}, {"params", good}}), 400,
       "invalid_argument", "input"},
      {"inputBase64 instead of input",
       body({{"operation", "encrypt"}, {"inputBase64", "c2VjcmV0"}, {"params", good}}), 400,
       "invalid_argument", "inputBase64"},
      {"params on another operation",
       body({{"operation", "echo"}, {"input", "x"}, {"params", good}}), 400, "invalid_argument",
       "params"},
      {"10 MB of conditions (over --body-limit)",
       params_with("chain", json::string(std::string(10 << 20, 'c'))), 413, "body_too_large", ""},
      {"text/plain", good_body, 415, "unsupported_media_type", "", "text/plain"},
  };
  run_table("/lit-compute/jobs/submit", cases);
  EXPECT_EQ(broker_submitted(), 0u) << "every case was refused at the bridge";
  // The well-formed submit is accepted.
  auto ok = http_->post("/lit-compute/jobs/submit", good_body);
  EXPECT_EQ(ok.status, 202) << ok.body;
}

TEST_F(BridgeLitMalformed, EveryBadDecryptBodyGetsItsErrorAndNothingReachesTheNetwork) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_NO_FATAL_FAILURE(holders(2));
  auto made = encrypt_to_json(key_, json::serialize(user_is(address_of(7))), "hello world");
  ASSERT_TRUE(made.ok());
  const json::object envelope = json::parse(made.value()).as_object();
  const json::object sig = auth(7);
  json::object good = envelope;
  good["authSig"] = sig;
  auto without = [&](const char* key) {
    json::object o = good;
    o.erase(key);
    return json::serialize(o);
  };
  auto with = [&](const char* key, json::value v) {
    json::object o = good;
    o[key] = std::move(v);
    return json::serialize(o);
  };
  const std::string good_body = json::serialize(good);
  std::string dup_top = good_body;
  dup_top.insert(1, R"("chain":"ethereum",)");
  std::string dup_in_auth = good_body;
  dup_in_auth.insert(dup_in_auth.find("\"authSig\":{") + 11, R"("sig":"0x00",)");

  const std::vector<BadRequest> cases = {
      {"not JSON", "{", 400, "malformed_json", ""},
      {"not an object", "[]", 400, "malformed_json", ""},
      {"no authSig", without("authSig"), 400, "invalid_argument", "authSig"},
      {"authSig a string", with("authSig", "x"), 400, "invalid_auth_sig", "authSig"},
      {"no ciphertext", without("ciphertext"), 400, "invalid_argument", "ciphertext"},
      {"ciphertext a number", with("ciphertext", 7), 400, "invalid_argument", "ciphertext"},
      {"no dataToEncryptHash", without("dataToEncryptHash"), 400, "invalid_argument",
       "dataToEncryptHash"},
      {"dataToEncryptHash not 64 hex digits", with("dataToEncryptHash", "abc"), 400,
       "invalid_argument", "dataToEncryptHash"},
      {"no chain", without("chain"), 400, "invalid_argument", "chain"},
      {"no conditions", without("accessControlConditions"), 400, "invalid_argument",
       "accessControlConditions"},
      {"conditions a string", with("accessControlConditions", "x"), 400, "invalid_argument",
       "accessControlConditions"},
      {"two condition kinds", with("solRpcConditions", json::array{}), 400, "invalid_argument",
       "solRpcConditions"},
      {"duplicate key at the top", dup_top, 400, "invalid_argument", "duplicate key \"chain\""},
      {"duplicate key inside authSig", dup_in_auth, 400, "invalid_argument",
       "duplicate key \"sig\""},
      {"conditions nested too deep", deep(with("accessControlConditions", kDeep)), 400,
       "malformed_json", "too deep"},
      {"ciphertext not base64", with("ciphertext", "!!"), 400, "invalid_ciphertext", ""},
      {"ciphertext too short", with("ciphertext", "AQID"), 400, "invalid_ciphertext", ""},
      {"10 MB body (over --body-limit)", with("chain", json::string(std::string(10 << 20, 'c'))),
       413, "body_too_large", ""},
      {"text/plain", good_body, 415, "unsupported_media_type", "", "text/plain"},
  };
  run_table("/lit-compute/decrypt", cases);
  EXPECT_EQ(broker_submitted(), 0u) << "every case was refused at the bridge";
  EXPECT_EQ(metric("litc_bridge_decrypts_refused_total"), 0u);
  // And the well-formed request decrypts.
  auto plain = http_->post("/lit-compute/decrypt", good_body);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(str(obj(plain.body), "decryptedData"), "hello world");
}

}  // namespace
}  // namespace litc::it
