// Shared by the bridge_lit_*_integration_test.cc files: a network key from `litc keygen
// --network` (T = 2, N = 3, once per suite), a BridgeStack whose broker and bridge hold
// network.json, share holders started on demand, authSigs signed by test keys, and the HTTP
// calls of the Lit routes (encrypt through jobs/submit, POST /lit-compute/decrypt).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ethereum/address.h"
#include "crypto/threshold/network_key.h"
#include "tests/crypto/ethereum/auth_sig_builder.h"
#include "tests/integration/bridge_harness.h"

namespace litc::it {

namespace lit_json = boost::json;

struct LitStackOptions {
  bool bridge_key = true;  // litc-bridge --network-key
  std::string quorum_wait_ms = "2000";
  std::string decrypt_wait_ms = "3000";
  std::vector<std::string> bridge_args;  // more litc-bridge flags
};

class BridgeLitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = std::make_unique<TempDir>("litc-bridge-keys");
    dir_ = (keys_->path() / "net").string();
    ChildProcess keygen("keygen",
                        {bin_path("litc"), "keygen", "--network", "--threshold", "2", "--shares",
                         "3", "--out", dir_},
                        keys_->path());
    keygen_exit_ = keygen.wait(milliseconds(20000)).value_or(-1);
  }
  static void TearDownTestSuite() { keys_.reset(); }

  // Starts broker, Redis and bridge (no workers yet) and waits until the bridge is healthy.
  void start(const LitStackOptions& o = {}) {
    ASSERT_EQ(keygen_exit_, 0) << "litc keygen --network failed";
    auto key = crypto::load_network_key(network_json());
    ASSERT_TRUE(key.ok()) << key.error().message;
    key_ = key.value();
    BridgeStackOptions s;
    s.network.broker_args = {"--network-key", network_json(), "--quorum-wait-ms", o.quorum_wait_ms};
    if (o.bridge_key) s.bridge_args = {"--network-key", network_json()};
    s.bridge_args.insert(s.bridge_args.end(), {"--decrypt-wait-ms", o.decrypt_wait_ms});
    s.bridge_args.insert(s.bridge_args.end(), o.bridge_args.begin(), o.bridge_args.end());
    stack_ = std::make_unique<BridgeStack>(s);
    ASSERT_TRUE(stack_->ok());
    ASSERT_TRUE(stack_->wait_healthy());
    http_ = stack_->http(milliseconds(20000));
  }

  // Share holder i (1..3), node "holder-<i>", running echo, encrypt and decrypt. A node refuses
  // (unsupported_condition) a condition on a chain it has no endpoint for, even one it never reads
  // (:userAddress): the endpoint given is a port where nothing listens, and nothing calls it.
  void holder(int i) {
    if (rpc_.empty()) rpc_ = "ethereum=http://127.0.0.1:" + std::to_string(unused_tcp_port());
    stack_->net().add_worker(numbered("holder-", i), "echo,encrypt,decrypt", 2,
                             {"--network-key", network_json(), "--key-share",
                              dir_ + "/share-" + std::to_string(i) + ".key", "--rpc", rpc_});
  }
  void holders(int n) {
    for (int i = 1; i <= n; ++i) holder(i);
    ASSERT_TRUE(stack_->net().wait_workers_online(static_cast<uint64_t>(n)));
  }

  static std::string network_json() { return dir_ + "/network.json"; }
  static std::string address_of(int seed) {
    return crypto::to_checksum_address(
        crypto::testing::address_of(crypto::testing::test_key(static_cast<std::uint8_t>(seed))));
  }
  // {"accessControlConditions":[:userAddress = address],"chain":"ethereum"}: no chain read needed.
  static lit_json::object user_is(const std::string& address) {
    return lit_json::
        parse(R"({"accessControlConditions":[{"contractAddress":"","standardContractType":"","chain":"ethereum","method":"","parameters":[":userAddress"],"returnValueTest":{"comparator":"=","value":")" +
              address + R"("}}],"chain":"ethereum"})")
            .as_object();
  }
  static lit_json::object auth(int seed, std::int64_t expires_in_ms = 600'000,
                               const std::string& nonce = "litcnonce1234") {
    crypto::testing::AuthSigSpec spec;
    spec.expiration_ms = crypto::testing::now_ms() + expires_in_ms;
    spec.nonce = nonce;
    return crypto::testing::make_auth_sig(
        crypto::testing::test_key(static_cast<std::uint8_t>(seed)), spec);
  }

  static std::string encrypt_body(const std::string& plaintext, const lit_json::object& params,
                                  const std::string& job_id = "") {
    lit_json::object o{{"operation", "encrypt"}, {"input", plaintext}, {"params", params}};
    if (!job_id.empty()) o["jobId"] = job_id;
    return lit_json::serialize(o);
  }
  // POST jobs/submit of an encrypt; the job id ("" and a test failure unless 202).
  std::string submit_encrypt(const std::string& plaintext, const lit_json::object& params,
                             const std::string& job_id = "") {
    auto r = http_->post("/lit-compute/jobs/submit", encrypt_body(plaintext, params, job_id));
    EXPECT_EQ(r.status, 202) << r.body;
    return str(obj(r.body), "jobId");
  }
  // GET jobs/:id until the job is completed; its JSON view, or nullopt (and a failure).
  std::optional<lit_json::object> wait_completed(const std::string& job_id,
                                                 milliseconds timeout = milliseconds(15000)) {
    lit_json::object job;
    bool done = eventually(
        [&] {
          auto r = http_->get("/lit-compute/jobs/" + job_id);
          job = obj(r.body);
          return r.status == 200 && str(job, "status") == "completed";
        },
        timeout, milliseconds(50));
    EXPECT_TRUE(done) << "job " << job_id << ": " << lit_json::serialize(job);
    if (!done) return std::nullopt;
    return job;
  }
  // The envelope an encrypt job produced (its output, parsed).
  std::optional<lit_json::object> encrypt_via_job(const std::string& plaintext,
                                                  const lit_json::object& params) {
    const std::string id = submit_encrypt(plaintext, params);
    if (id.empty()) return std::nullopt;
    auto job = wait_completed(id);
    if (!job) return std::nullopt;
    auto envelope = obj(str(*job, "output"));
    EXPECT_FALSE(envelope.empty()) << lit_json::serialize(*job);
    return envelope;
  }
  static std::string decrypt_body(lit_json::object envelope, const lit_json::value& auth_sig) {
    envelope["authSig"] = auth_sig;
    return lit_json::serialize(envelope);
  }
  HttpResult post_decrypt(const lit_json::object& envelope, const lit_json::value& auth_sig) {
    return http_->post("/lit-compute/decrypt", decrypt_body(envelope, auth_sig));
  }

  static std::string error_code(const HttpResult& r) {
    auto o = obj(r.body);
    const lit_json::value* e = o.if_contains("error");
    if (e == nullptr || !e->is_object()) return "";
    return str(e->get_object(), "code");
  }
  static std::string error_message(const HttpResult& r) {
    auto o = obj(r.body);
    const lit_json::value* e = o.if_contains("error");
    if (e == nullptr || !e->is_object()) return "";
    return str(e->get_object(), "message");
  }
  std::optional<uint64_t> metric(const std::string& name) {
    return metric_value(http_->get("/metrics").body, name);
  }

  static inline std::unique_ptr<TempDir> keys_;
  static inline std::string dir_;
  static inline int keygen_exit_ = -1;
  crypto::NetworkKey key_;
  std::string rpc_;
  std::unique_ptr<BridgeStack> stack_;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace litc::it
