// The encrypt and decrypt operations without sockets: what they output, the order of a node's
// checks (nothing is evaluated for a forged envelope), the clock they judge an authSig by, and
// the registry refusing them without keys.
#include "worker/operations/lit_operations.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "crypto/identity/result_statement.h"
#include "crypto/threshold/network_key.h"
#include "protocol/cid.h"
#include "protocol/lit_client.h"
#include "tests/crypto/ethereum/auth_sig_builder.h"
#include "worker/operations/registry.h"

namespace litc {
namespace {

namespace json = boost::json;
using crypto::testing::AuthSigSpec;
using crypto::testing::make_auth_sig;
using crypto::testing::test_key;

constexpr std::int64_t kNow = 1'800'000'000'000;

std::string user_is(int seed) {
  const std::string a = crypto::to_checksum_address(crypto::testing::address_of(test_key(seed)));
  return R"({"accessControlConditions":[{"contractAddress":"","standardContractType":"","chain":"ethereum","method":"","parameters":[":userAddress"],"returnValueTest":{"comparator":"=","value":")" +
         a + R"("}}],"chain":"ethereum"})";
}

struct Keys {
  Keys() {
    auto d = crypto::deal_network_key(2, 3);
    dealt = d.value();
  }
  OperationContext context(std::uint32_t share) const {
    OperationContext c;
    c.network_key = dealt.network;
    c.key_share = dealt.shares[share - 1];
    c.now_ms = [] { return kNow; };
    // Never called: :userAddress conditions read nothing from their chain.
    c.rpc_endpoints = {{"ethereum", "http://127.0.0.1:9"}};
    return c;
  }
  crypto::DealtKey dealt;
};

json::value auth(int seed, std::int64_t expiration_ms) {
  AuthSigSpec spec;
  spec.issued_at_ms = kNow - 60'000;
  spec.expiration_ms = expiration_ms;
  return make_auth_sig(test_key(seed), spec);
}

TEST(LitOperations, EncryptOutputsLitsEnvelopeWithTheDerivedFields) {
  Keys k;
  CancelToken cancel;
  json::object input = json::parse(user_is(7)).as_object();
  input["dataToEncrypt"] = "hello world";
  auto r = make_encrypt_operation(k.context(1))(json::serialize(input), cancel);
  ASSERT_TRUE(r.ok) << r.message;
  const json::object out = json::parse(r.output).as_object();
  EXPECT_EQ(out.at("dataToEncryptHash"),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  EXPECT_EQ(out.at("identity").as_string(),
            "lit-accesscontrolcondition://" + std::string(out.at("hashOfConditions").as_string()) +
                "/b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  EXPECT_EQ(out.at("chain"), "ethereum");
  EXPECT_EQ(out.at("dataType"), "string");
  EXPECT_TRUE(out.at("accessControlConditions").is_array());
  EXPECT_EQ(r.output.find("hello world"), std::string::npos) << "no plaintext in the output";
  json::object no_data = json::parse(user_is(7)).as_object();
  auto missing = make_encrypt_operation(k.context(1))(json::serialize(no_data), cancel);
  EXPECT_EQ(missing.error, fb::ErrorCode::invalid_argument);
}

TEST(LitOperations, DecryptJudgesTheAuthSigByTheNodesClock) {
  Keys k;
  CancelToken cancel;
  auto envelope = encrypt_to_json(k.dealt.network, user_is(7), "hello world");
  ASSERT_TRUE(envelope.ok());
  const Operation op = make_decrypt_operation(k.context(1));
  auto at_expiry = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow));
  auto just_before = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow + 1));
  EXPECT_EQ(op(at_expiry->job_input, cancel).error, fb::ErrorCode::auth_sig_expired)
      << "now == Expiration Time is expired";
  auto ok = op(just_before->job_input, cancel);
  ASSERT_TRUE(ok.ok) << ok.message;
  EXPECT_EQ(json::parse(ok.output).at("index"), 1);
}

TEST(LitOperations, AForgedEnvelopeIsRefusedBeforeTheAuthSigOrConditionsAreLookedAt) {
  Keys k;
  CancelToken cancel;
  auto envelope = encrypt_to_json(k.dealt.network, user_is(7), "hello world");
  // An expired authSig of the wrong wallet: had the node evaluated anything, it would say so.
  auto pending = prepare_decrypt(k.dealt.network, envelope.value(), auth(8, kNow - 1));
  ASSERT_TRUE(pending.ok());
  json::object input = json::parse(pending->job_input).as_object();
  input["accessControlConditions"] = json::parse(user_is(8)).at("accessControlConditions");
  auto r = make_decrypt_operation(k.context(2))(json::serialize(input), cancel);
  EXPECT_EQ(r.error, fb::ErrorCode::invalid_ciphertext) << r.message;
}

TEST(LitOperations, TheTestOnlyFaultMakesASharePeopleCanCatch) {
  Keys k;
  CancelToken cancel;
  auto envelope = encrypt_to_json(k.dealt.network, user_is(7), "hello world");
  auto pending = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow + 60'000));
  OperationContext lying = k.context(1);
  lying.fault_wrong_share = true;
  auto bad = make_decrypt_operation(lying)(pending->job_input, cancel);
  auto good = make_decrypt_operation(k.context(2))(pending->job_input, cancel);
  ASSERT_TRUE(bad.ok && good.ok);
  auto combined = finish_decrypt(k.dealt.network, pending.value(),
                                 "{\"shares\":[" + bad.output + "," + good.output + "]}");
  EXPECT_EQ(combined.error().code, "invalid_share");
  auto good3 = make_decrypt_operation(k.context(3))(pending->job_input, cancel);
  auto plain = finish_decrypt(k.dealt.network, pending.value(),
                              "{\"shares\":[" + good.output + "," + good3.output + "]}");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain.value(), "hello world");
}

// Every account has 5 wei; counts the reads that reach it.
class CountingChain : public crypto::ChainReader {
 public:
  bool supports_chain(std::string_view chain) const override { return chain == "ethereum"; }
  crypto::ConditionResult<std::string> get_balance(std::string_view, std::string_view,
                                                   std::string_view) override {
    ++reads;
    return std::string("0x5");
  }
  crypto::ConditionResult<std::string> eth_call(std::string_view, std::string_view,
                                                std::string_view, std::string_view) override {
    ++reads;
    return std::string("0x" + std::string(63, '0') + "5");
  }
  int reads = 0;
};

std::string balances(int n, bool distinct) {
  json::array list;
  for (int i = 0; i < n; ++i) {
    if (i) list.push_back(json::object{{"operator", "or"}});
    if (!distinct) {
      list.push_back(
          json::object{{"contractAddress", ""},
                       {"standardContractType", ""},
                       {"chain", "ethereum"},
                       {"method", "eth_getBalance"},
                       {"parameters", json::array{":userAddress", "latest"}},
                       {"returnValueTest", json::object{{"comparator", ">="}, {"value", "1000"}}}});
      continue;
    }
    // A different token contract each time: ERC-20 balanceOf reads that cannot be shared.
    std::string token = std::to_string(i);
    token = "0x" + std::string(40 - token.size(), '0') + token;
    list.push_back(
        json::object{{"contractAddress", token},
                     {"standardContractType", "ERC20"},
                     {"chain", "ethereum"},
                     {"method", "balanceOf"},
                     {"parameters", json::array{":userAddress"}},
                     {"returnValueTest", json::object{{"comparator", ">="}, {"value", "1000"}}}});
  }
  return json::serialize(json::object{{"accessControlConditions", list}, {"chain", "ethereum"}});
}

TEST(LitOperations, OneRequestCannotTurnANodeIntoAnRpcAmplifier) {
  Keys k;
  CancelToken cancel;
  auto chain = std::make_shared<CountingChain>();
  OperationContext c = k.context(1);
  c.chain_reader = chain;
  c.max_chain_reads = 4;
  const Operation op = make_decrypt_operation(c);
  auto run = [&](const std::string& params) {
    auto envelope = encrypt_to_json(k.dealt.network, params, "hello world");
    EXPECT_TRUE(envelope.ok()) << envelope.error().message;
    auto pending = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow + 60'000));
    return op(pending->job_input, cancel);
  };
  // 32 identical reads: one reaches the chain, and the answer (5 < 1000) is a refusal.
  auto same = run(balances(32, false));
  EXPECT_EQ(same.error, fb::ErrorCode::access_denied) << same.message;
  EXPECT_EQ(chain->reads, 1);
  // Distinct reads stop at the budget.
  chain->reads = 0;
  auto many = run(balances(8, true));
  EXPECT_EQ(many.error, fb::ErrorCode::chain_unavailable) << many.message;
  EXPECT_EQ(chain->reads, 4);
  // Past --max-conditions nothing is read at all.
  chain->reads = 0;
  auto too_many = run(balances(33, false));
  EXPECT_EQ(too_many.error, fb::ErrorCode::invalid_argument) << too_many.message;
  EXPECT_EQ(chain->reads, 0);
  // A cancelled job reads nothing more.
  CancelToken stopped;
  stopped.cancel();
  auto envelope = encrypt_to_json(k.dealt.network, balances(2, true), "hello world");
  auto pending = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow + 60'000));
  EXPECT_EQ(op(pending->job_input, stopped).error, fb::ErrorCode::chain_unavailable);
  EXPECT_EQ(chain->reads, 0);
}

// Answers every read, each after `delay`.
class SlowChain : public CountingChain {
 public:
  explicit SlowChain(std::chrono::milliseconds delay) : delay_(delay) {}
  crypto::ConditionResult<std::string> eth_call(std::string_view c, std::string_view t,
                                                std::string_view d, std::string_view b) override {
    std::this_thread::sleep_for(delay_);
    return CountingChain::eth_call(c, t, d, b);
  }

 private:
  std::chrono::milliseconds delay_;
};

TEST(LitOperations, ChainReadsStopAtTheRequestsTimeBudget) {
  Keys k;
  CancelToken cancel;
  auto chain = std::make_shared<SlowChain>(std::chrono::milliseconds(30));
  OperationContext c = k.context(1);
  c.chain_reader = chain;
  c.evaluation_budget_ms = 50;  // room for two 30 ms reads, not for eight
  auto envelope = encrypt_to_json(k.dealt.network, balances(8, true), "hello world");
  auto pending = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow + 60'000));
  auto r = make_decrypt_operation(c)(pending->job_input, cancel);
  EXPECT_EQ(r.error, fb::ErrorCode::chain_unavailable) << r.message;
  EXPECT_NE(r.message.find("time budget"), std::string::npos) << r.message;
  EXPECT_GE(chain->reads, 1);
  EXPECT_LE(chain->reads, 3);
}

TEST(LitOperations, ALongLivedAuthSigIsRefused) {
  Keys k;
  CancelToken cancel;
  auto envelope = encrypt_to_json(k.dealt.network, user_is(7), "hello world");
  OperationContext c = k.context(1);
  c.max_auth_sig_lifetime_s = 3600;
  const Operation op = make_decrypt_operation(c);
  auto hour = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow + 3'600'000));
  EXPECT_TRUE(op(hour->job_input, cancel).ok);
  auto month = prepare_decrypt(k.dealt.network, envelope.value(), auth(7, kNow + 3'600'001));
  auto refused = op(month->job_input, cancel);
  EXPECT_EQ(refused.error, fb::ErrorCode::invalid_auth_sig);
  EXPECT_NE(refused.message.find("3600"), std::string::npos) << refused.message;
}

TEST(LitOperations, SignSignsTheInputWithTheNodesIdentityKey) {
  OperationContext c;
  c.node_key = crypto::generate_node_key();
  CancelToken cancel;
  auto r = make_sign_operation(c)(std::string("bytes\0to sign", 13), cancel);
  ASSERT_TRUE(r.ok);
  const json::object out = json::parse(r.output).as_object();
  EXPECT_EQ(out.at("publicKey").as_string(), c.node_key->public_key_hex());
  std::string sig, pk;
  for (const auto* hex : {&out.at("signature").as_string(), &out.at("publicKey").as_string()}) {
    std::string raw;
    for (std::size_t i = 0; i < hex->size(); i += 2) {
      raw.push_back(static_cast<char>(std::stoi(std::string(hex->subview(i, 2)), nullptr, 16)));
    }
    (sig.empty() ? sig : pk) = raw;
  }
  EXPECT_TRUE(crypto::verify_detached(pk, std::string("bytes\0to sign", 13), sig));
  EXPECT_FALSE(crypto::verify_detached(pk, "bytes", sig));
  const std::vector<std::string> sign{"sign"};
  EXPECT_THROW(OperationRegistry::with(sign, OperationContext{}), std::invalid_argument);
}

TEST(LitOperations, SignRefusesToSignAResultStatement) {
  // Otherwise anyone could obtain this node's attestation of a result it never produced.
  OperationContext c;
  c.node_key = crypto::generate_node_key();
  CancelToken cancel;
  const std::string statement =
      crypto::result_statement("job-1", 1, "echo", cid_v1_raw("in"), cid_v1_raw("out"), "n");
  auto r = make_sign_operation(c)(statement, cancel);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, fb::ErrorCode::invalid_argument);
  EXPECT_NE(r.message.find("result statement"), std::string::npos) << r.message;
  EXPECT_FALSE(make_sign_operation(c)(crypto::key_statement("n"), cancel).ok);
  EXPECT_FALSE(make_sign_operation(c)(crypto::kStatementDomain, cancel).ok);
  // Only the prefix is refused: the same bytes elsewhere in an input are signed.
  EXPECT_TRUE(make_sign_operation(c)("x" + statement, cancel).ok);
}

TEST(LitOperations, TheRegistryRefusesKeyOperationsWithoutTheirKeys) {
  const std::vector<std::string> encrypt{"encrypt"};
  const std::vector<std::string> decrypt{"decrypt"};
  EXPECT_THROW(OperationRegistry::with(encrypt), std::invalid_argument);
  Keys k;
  OperationContext public_only = k.context(1);
  public_only.key_share.reset();
  EXPECT_NO_THROW(OperationRegistry::with(encrypt, public_only));
  EXPECT_THROW(OperationRegistry::with(decrypt, public_only), std::invalid_argument);
  EXPECT_EQ(OperationRegistry::with(decrypt, k.context(1)).size(), 1u);
}

}  // namespace
}  // namespace litc
