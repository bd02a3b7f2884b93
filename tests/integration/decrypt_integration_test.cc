// Threshold decryption through the real network: `litc keygen --network` (T = 2, N = 3), a broker
// with --network-key, three litc-worker share holders, a real anvil chain for balance conditions,
// and authSigs signed with real secp256k1 keys. The requester side is lc::lit_client.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "crypto/conditions/json_rpc_chain_reader.h"
#include "crypto/threshold/network_key.h"
#include "localnet/anvil.h"
#include "protocol/job_json.h"
#include "protocol/lit_client.h"
#include "tests/crypto/ethereum/auth_sig_builder.h"
#include "tests/integration/harness.h"

namespace litc::it {
namespace {

namespace json = boost::json;
using crypto::testing::AuthSigSpec;
using crypto::testing::make_auth_sig;
using crypto::testing::now_ms;
using crypto::testing::test_key;

// One key set and one chain for the suite; a fresh broker and workers per test.
class Decrypt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = std::make_unique<TempDir>("litc-keys");
    const std::string out = (keys_->path() / "net").string();
    // The dealer CLI, as an operator runs it.
    ChildProcess keygen("keygen",
                        {bin_path("litc"), "keygen", "--network", "--threshold", "2", "--shares",
                         "3", "--out", out},
                        keys_->path());
    keygen_exit_ = keygen.wait(milliseconds(20000)).value_or(-1);
    dir_ = out;
    anvil_ = std::make_unique<localnet::Anvil>(LITC_ANVIL_BIN, keys_->path());
  }
  static void TearDownTestSuite() {
    anvil_.reset();
    keys_.reset();
  }

  void SetUp() override {
    ASSERT_EQ(keygen_exit_, 0) << "litc keygen --network failed";
    ASSERT_TRUE(anvil_->ok()) << anvil_->error();
    auto key = crypto::load_network_key(dir_ + "/network.json");
    ASSERT_TRUE(key.ok()) << key.error().message;
    key_ = key.value();
    NetworkOptions o;
    o.broker_args = {"--network-key", dir_ + "/network.json", "--quorum-wait-ms", "2500"};
    net_ = std::make_unique<Network>(o);
    ASSERT_TRUE(net_->ok());
  }

  // Share holder i (1..3) as node "holder-<i>".
  ChildProcess& holder(int i, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--network-key", dir_ + "/network.json",
                                     "--key-share",   dir_ + "/share-" + std::to_string(i) + ".key",
                                     "--rpc",         "ethereum=" + anvil_->url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return net_->add_worker(numbered("holder-", i), "echo,encrypt,decrypt", 2, args);
  }

  static std::string user_is(const std::string& address) {
    return R"({"accessControlConditions":[{"contractAddress":"","standardContractType":"","chain":"ethereum","method":"","parameters":[":userAddress"],"returnValueTest":{"comparator":"=","value":")" +
           address + R"("}}],"chain":"ethereum"})";
  }
  static std::string balance_at_least(const std::string& wei) {
    return R"({"accessControlConditions":[{"contractAddress":"","standardContractType":"","chain":"ethereum","method":"eth_getBalance","parameters":[":userAddress","latest"],"returnValueTest":{"comparator":">=","value":")" +
           wei + R"("}}],"chain":"ethereum"})";
  }
  static std::string address_of(int seed) {
    return crypto::to_checksum_address(crypto::testing::address_of(test_key(seed)));
  }
  static json::value auth(int seed, std::int64_t expires_in_ms = 600'000) {
    AuthSigSpec spec;
    spec.expiration_ms = now_ms() + expires_in_ms;
    return make_auth_sig(test_key(seed), spec);
  }

  crypto::Result<std::string> decrypt(const std::string& envelope, const json::value& auth_sig) {
    auto client = net_->client(15000);
    return decrypt_through(*client, key_, envelope, auth_sig, 15000);
  }
  // Submits a raw decrypt job input and waits for it (for requests lit_client would never make).
  JobInfo run_raw(const std::string& input) {
    auto client = net_->client(15000);
    SubmitRequest r = make_job("", "decrypt", input);
    auto job = client->submit_and_wait(r, 15000);
    EXPECT_TRUE(job.ok()) << job.error().message;
    return job.ok() ? job.value() : JobInfo{};
  }

  static inline std::unique_ptr<TempDir> keys_;
  static inline std::unique_ptr<localnet::Anvil> anvil_;
  static inline std::string dir_;
  static inline int keygen_exit_ = -1;
  crypto::NetworkKey key_;
  std::unique_ptr<Network> net_;
};

TEST_F(Decrypt, EncryptLocallyOrAsAJobThenDecryptThroughTwoOfThreeHolders) {
  for (int i = 1; i <= 3; ++i) holder(i);
  ASSERT_TRUE(net_->wait_workers_online(3));
  auto local = encrypt_to_json(key_, user_is(address_of(7)), "hello world");
  ASSERT_TRUE(local.ok()) << local.error().message;
  auto plain = decrypt(local.value(), auth(7));
  ASSERT_TRUE(plain.ok()) << plain.error().code << ": " << plain.error().message;
  EXPECT_EQ(plain.value(), "hello world");

  // The encrypt operation on a node: the same envelope shape, decryptable the same way.
  json::object params = json::parse(user_is(address_of(7))).as_object();
  params["dataToEncrypt"] = "a secret for the network";
  auto client = net_->client(15000);
  auto job = client->submit_and_wait(make_job("", "encrypt", json::serialize(params)), 15000);
  ASSERT_TRUE(job.ok()) << job.error().message;
  ASSERT_EQ(job.value().state, fb::JobState::completed) << job.value().error_message;
  const json::value envelope = json::parse(job.value().output);
  EXPECT_EQ(envelope.at("hashOfConditions"), json::parse(local.value()).at("hashOfConditions"));
  EXPECT_EQ(envelope.at("dataType"), "string");
  auto again = decrypt(job.value().output, auth(7));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again.value(), "a secret for the network");
  // Neither the plaintext nor the authSig stays in the broker's records.
  auto record = client->status(job.value().job_id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record.value().output.find("a secret"), std::string::npos);
}

TEST_F(Decrypt, OneHolderDownStillDecryptsTwoDownIsQuorumUnavailable) {
  for (int i = 1; i <= 3; ++i) holder(i);
  ASSERT_TRUE(net_->wait_workers_online(3));
  auto envelope = encrypt_to_json(key_, user_is(address_of(7)), "still here");
  ASSERT_TRUE(envelope.ok());
  net_->worker("holder-2").stop(milliseconds(0));  // SIGKILL
  ASSERT_TRUE(net_->wait_workers_online(2));
  auto plain = decrypt(envelope.value(), auth(7));
  ASSERT_TRUE(plain.ok()) << plain.error().code << ": " << plain.error().message;
  EXPECT_EQ(plain.value(), "still here");

  net_->worker("holder-3").stop(milliseconds(0));
  ASSERT_TRUE(net_->wait_workers_online(1));
  const auto started = Clock::now();
  auto refused = decrypt(envelope.value(), auth(7));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "quorum_unavailable") << refused.error().message;
  EXPECT_LT(Clock::now() - started, milliseconds(8000)) << "answered within the quorum wait";
}

TEST_F(Decrypt, AWrongShareIsRejectedCountedAndAnotherHolderCompletesTheJob) {
  holder(1);
  holder(2, {"--fault-wrong-share"});
  ASSERT_TRUE(net_->wait_workers_online(2));
  auto envelope = encrypt_to_json(key_, user_is(address_of(7)), "checked shares");
  ASSERT_TRUE(envelope.ok());
  auto pending = prepare_decrypt(key_, envelope.value(), auth(7));
  ASSERT_TRUE(pending.ok());
  auto client = net_->client(15000);
  SubmitRequest r = make_job("wrong-share", "decrypt", pending->job_input);
  ASSERT_TRUE(client->submit(r).ok());
  ASSERT_TRUE(
      eventually([&] { return net_->stat("invalid_shares").value_or(0) == 1; }, milliseconds(5000)))
      << "the broker's DLEQ check caught the lie";
  auto st = client->status("wrong-share");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st.value().state, fb::JobState::active) << "waiting for an honest holder";
  holder(3);
  auto done = net_->wait_job_state("wrong-share", fb::JobState::completed, milliseconds(5000));
  ASSERT_TRUE(done.has_value()) << net_->logs();
  auto plain = finish_decrypt(key_, pending.value(), done->output);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain.value(), "checked shares");

  // A decrypt is verified by default: one attestation per share, in the output's order, by the
  // two honest holders; litc verify checks the record offline, and a reordered output fails.
  ASSERT_EQ(done->attestations.size(), 2u);
  EXPECT_EQ(net_->stat("invalid_signatures").value_or(99), 0u);
  std::set<std::string> signers;
  for (const AttestationInfo& a : done->attestations) signers.insert(a.node_id);
  EXPECT_EQ(signers, (std::set<std::string>{"holder-1", "holder-3"}));
  const std::string file = (net_->dir() / "decrypt-record.json").string();
  std::ofstream(file) << to_json(*done);
  CliResult ok = net_->cli({"verify", file});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  JobInfo reordered = *done;
  const json::value shares = json::parse(done->output).at("shares");
  reordered.output = "{\"shares\":[" + json::serialize(shares.as_array()[1]) + "," +
                     json::serialize(shares.as_array()[0]) + "]}";
  std::ofstream(file + ".2") << to_json(reordered);
  EXPECT_EQ(net_->cli({"verify", file + ".2"}).exit_code, 1);
}

TEST_F(Decrypt, EveryRefusalReachesTheRequesterWithItsCode) {
  for (int i = 1; i <= 3; ++i) holder(i);
  ASSERT_TRUE(net_->wait_workers_online(3));
  auto envelope = encrypt_to_json(key_, user_is(address_of(7)), "hello world");
  ASSERT_TRUE(envelope.ok());

  auto wrong_wallet = decrypt(envelope.value(), auth(8));
  ASSERT_FALSE(wrong_wallet.ok());
  EXPECT_EQ(wrong_wallet.error().code, "access_denied") << wrong_wallet.error().message;

  auto expired = decrypt(envelope.value(), auth(7, -1000));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "auth_sig_expired") << expired.error().message;

  json::object garbled = auth(7).as_object();
  garbled["signedMessage"] = std::string(garbled["signedMessage"].as_string()) + " ";
  auto forged = decrypt(envelope.value(), garbled);
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, "invalid_auth_sig") << forged.error().message;

  // Tampered: one byte of the box changed. The requester refuses to ask (lit_client checks the
  // label first), so the nodes' own check is exercised with a hand-made request.
  auto pending = prepare_decrypt(key_, envelope.value(), auth(7));
  ASSERT_TRUE(pending.ok());
  json::object input = json::parse(pending->job_input).as_object();
  std::string ct(input["ciphertext"].as_string());
  ct[ct.size() - 6] = ct[ct.size() - 6] == 'A' ? 'B' : 'A';
  json::object tampered = input;
  tampered["ciphertext"] = ct;
  JobInfo t = run_raw(json::serialize(tampered));
  EXPECT_EQ(t.state, fb::JobState::failed);
  EXPECT_EQ(t.error_code, fb::ErrorCode::invalid_ciphertext) << t.error_message;

  // Re-labelled: the same ciphertext presented under conditions the requester does satisfy.
  json::object relabelled = input;
  relabelled["accessControlConditions"] =
      json::parse(user_is(address_of(8))).at("accessControlConditions");
  relabelled["authSig"] = auth(8);
  JobInfo rl = run_raw(json::serialize(relabelled));
  EXPECT_EQ(rl.error_code, fb::ErrorCode::invalid_ciphertext) << rl.error_message;

  // A blinding proof made over another ciphertext's U.
  auto other = encrypt_to_json(key_, user_is(address_of(7)), "hello world");
  auto other_pending = prepare_decrypt(key_, other.value(), auth(7));
  ASSERT_TRUE(other_pending.ok());
  json::object swapped = input;
  swapped["blinded"] = json::parse(other_pending->job_input).at("blinded");
  JobInfo sw = run_raw(json::serialize(swapped));
  EXPECT_EQ(sw.error_code, fb::ErrorCode::invalid_blinding) << sw.error_message;

  // After all that, the honest request still works.
  auto plain = decrypt(envelope.value(), auth(7));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain.value(), "hello world");
}

TEST_F(Decrypt, BalanceConditionsAreReadFromTheChainOfEachCondition) {
  for (int i = 1; i <= 3; ++i) holder(i);
  ASSERT_TRUE(net_->wait_workers_online(3));
  auto rpc = crypto::JsonRpcChainReader::create({{"ethereum", anvil_->url()}});
  ASSERT_TRUE(rpc.ok());
  // Seed 21 holds 2 ETH, seed 22 nothing.
  auto set = rpc.value()->call(
      "ethereum", "anvil_setBalance",
      json::array{json::string(address_of(21)), json::string("0x1bc16d674ec80000")});
  ASSERT_TRUE(set.ok()) << set.error().message;
  auto envelope = encrypt_to_json(key_, balance_at_least("1000000000000000000"), "for holders");
  ASSERT_TRUE(envelope.ok()) << envelope.error().message;
  auto rich = decrypt(envelope.value(), auth(21));
  ASSERT_TRUE(rich.ok()) << rich.error().code << ": " << rich.error().message;
  EXPECT_EQ(rich.value(), "for holders");
  auto poor = decrypt(envelope.value(), auth(22));
  ASSERT_FALSE(poor.ok());
  EXPECT_EQ(poor.error().code, "access_denied") << poor.error().message;
  // A chain this network has no endpoint for is unsupported, never a pass.
  std::string elsewhere = balance_at_least("0");
  elsewhere.replace(elsewhere.find("\"chain\":\"ethereum\""), 18, "\"chain\":\"polygon\"");
  auto polygon = encrypt_to_json(key_, elsewhere, "elsewhere");
  ASSERT_TRUE(polygon.ok());
  auto unsupported = decrypt(polygon.value(), auth(21));
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.error().code, "unsupported_condition") << unsupported.error().message;
}

TEST_F(Decrypt, MalformedRequestsGetTheirErrorAndTheNetworkKeepsServing) {
  for (int i = 1; i <= 3; ++i) holder(i);
  ASSERT_TRUE(net_->wait_workers_online(3));
  auto envelope = encrypt_to_json(key_, user_is(address_of(7)), "hello world");
  auto pending = prepare_decrypt(key_, envelope.value(), auth(7));
  ASSERT_TRUE(pending.ok());
  const json::object good = json::parse(pending->job_input).as_object();
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
  std::string duplicate = json::serialize(good);
  duplicate.insert(1, R"("chain":"ethereum",)");
  std::string two_kinds = with("evmContractConditions", json::array{});
  const std::vector<std::tuple<std::string, std::string, fb::ErrorCode>> cases = {
      {"not JSON", "{", fb::ErrorCode::invalid_argument},
      {"no chain", without("chain"), fb::ErrorCode::invalid_argument},
      {"chain a number", with("chain", 1), fb::ErrorCode::invalid_argument},
      {"no conditions", without("accessControlConditions"), fb::ErrorCode::invalid_argument},
      {"two condition kinds", two_kinds, fb::ErrorCode::invalid_argument},
      {"duplicate key", duplicate, fb::ErrorCode::invalid_argument},
      {"conditions a string", with("accessControlConditions", "x"),
       fb::ErrorCode::invalid_argument},
      {"no authSig", without("authSig"), fb::ErrorCode::invalid_argument},
      {"authSig a string", with("authSig", "x"), fb::ErrorCode::invalid_auth_sig},
      {"no blinding", without("blinded"), fb::ErrorCode::invalid_argument},
      {"identity V",
       with("blinded", json::object{{"V", std::string(64, '0')},
                                    {"A", good.at("blinded").at("A")},
                                    {"z", good.at("blinded").at("z")}}),
       fb::ErrorCode::invalid_blinding},
      {"bad dataToEncryptHash", with("dataToEncryptHash", "abc"), fb::ErrorCode::invalid_argument},
      {"ciphertext not base64", with("ciphertext", "!!"), fb::ErrorCode::invalid_ciphertext},
      {"3 MB of conditions", with("chain", json::string(std::string(3 << 20, 'a'))),
       fb::ErrorCode::frame_too_large},  // refused by the broker at submit, over --max-frame-bytes
  };
  auto client = net_->client(15000);
  for (const auto& [what, input, code] : cases) {
    auto job = client->submit_and_wait(make_job("", "decrypt", input), 15000);
    if (code == fb::ErrorCode::frame_too_large) {
      ASSERT_FALSE(job.ok()) << what;
      EXPECT_EQ(job.error().code, code) << what << ": " << job.error().message;
      continue;
    }
    ASSERT_TRUE(job.ok()) << what << ": " << job.error().message;
    EXPECT_EQ(job.value().state, fb::JobState::failed) << what;
    EXPECT_EQ(job.value().error_code, code) << what << ": " << job.value().error_message;
  }
  auto echo = client->submit_and_wait(make_job("", "echo", "alive"), 15000);
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo.value().output, "alive");
  auto plain = decrypt(envelope.value(), auth(7));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
}

TEST_F(Decrypt, LitcEncryptsLocallyAndDecryptsThroughTheBroker) {
  for (int i = 1; i <= 3; ++i) holder(i);
  ASSERT_TRUE(net_->wait_workers_online(3));
  const auto dir = net_->dir();
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const std::string conditions =
      write("conditions.json",
            json::serialize(json::parse(user_is(address_of(7))).at("accessControlConditions")));
  CliResult enc =
      net_->cli({"encrypt", "--network-key", dir_ + "/network.json", "--conditions", conditions,
                 "--chain", "ethereum", "--input", "from the command line"});
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  const std::string envelope = write("envelope.json", enc.out);
  const std::string mine = write("auth-7.json", json::serialize(auth(7)));
  const std::string theirs = write("auth-8.json", json::serialize(auth(8)));
  const std::vector<std::string> common = {"--broker",      net_->endpoints().clients,
                                           "--network-key", dir_ + "/network.json",
                                           "--envelope",    envelope};
  auto decrypt_with = [&](const std::string& auth_file) {
    std::vector<std::string> args = {"decrypt", "--auth-sig", auth_file};
    args.insert(args.end(), common.begin(), common.end());
    return net_->cli(args);
  };
  CliResult ok = decrypt_with(mine);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out).at("decryptedData"), "from the command line");
  CliResult denied = decrypt_with(theirs);
  EXPECT_EQ(denied.exit_code, 1) << denied.err;
  EXPECT_EQ(json::parse(denied.out).at("error").at("code"), "access_denied");
  // No broker answering is the tool's failure (exit 2), not a refusal of the request.
  CliResult unreachable = net_->cli({"decrypt", "--auth-sig", mine, "--broker",
                                     "tcp://127.0.0.1:" + std::to_string(unused_tcp_port()),
                                     "--network-key", dir_ + "/network.json", "--envelope",
                                     envelope, "--timeout-ms", "300", "--wait-timeout-ms", "300"});
  EXPECT_EQ(unreachable.exit_code, 2) << unreachable.out << unreachable.err;
}

TEST_F(Decrypt, AWorkerRefusesToStartWithAShareThatDoesNotMatchTheKey) {
  TempDir other("litc-keys2");
  const std::string out = (other.path() / "net").string();
  ASSERT_EQ(net_->cli({"keygen", "--network", "--threshold", "2", "--shares", "3", "--out", out})
                .exit_code,
            0);
  ChildProcess w(
      "mismatch",
      {bin_path("litc-worker"), "--broker", net_->endpoints().workers, "--ops", "decrypt",
       "--network-key", dir_ + "/network.json", "--key-share", out + "/share-1.key"},
      other.path());
  EXPECT_EQ(w.wait(milliseconds(10000)).value_or(-1), 2);
  EXPECT_NE(w.err().find("does not match"), std::string::npos) << w.err();
  // A node handed another (self-consistent) network.json starts, but stops at the broker's
  // RegisterAck, which names the network's real key: it would otherwise encrypt for a stranger.
  ChildProcess forged("forged",
                      {bin_path("litc-worker"), "--broker", net_->endpoints().workers, "--ops",
                       "encrypt", "--node-id", "forged", "--network-key", out + "/network.json"},
                      other.path());
  EXPECT_EQ(forged.wait(milliseconds(10000)).value_or(-1), 1);
  EXPECT_NE((forged.out() + forged.err()).find("is not this node's --network-key"),
            std::string::npos)
      << forged.tail();
  // A node claiming a share of another key is refused at registration (its proof fails).
  ChildProcess claimant("claimant",
                        {bin_path("litc-worker"), "--broker", net_->endpoints().workers, "--ops",
                         "decrypt", "--node-id", "claimant", "--network-key", out + "/network.json",
                         "--key-share", out + "/share-1.key"},
                        other.path());
  EXPECT_TRUE(eventually(
      [&] {
        return net_->broker().err().find("register of claimant refused") != std::string::npos ||
               net_->broker().out().find("register of claimant refused") != std::string::npos;
      },
      milliseconds(5000)))
      << net_->logs();
  EXPECT_EQ(net_->stat("workers_online").value_or(99), 0u);
  // And a broker refuses decrypt entirely without a network key.
  Network plain;
  auto c = plain.client(5000);
  auto refused = c->submit(make_job("", "decrypt", "{}"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, fb::ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace litc::it
