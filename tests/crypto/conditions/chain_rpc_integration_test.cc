// Integration test of the evaluator + JsonRpcChainReader against a real local chain: anvil on an
// ephemeral loopback port, its funded accounts (10000 ETH each), and a minimal ERC-20
// (TestToken.sol, compiled by solc-js at test time) deployed through anvil's unlocked account.
//
// The suite starts one anvil (`--port 0`; it prints "Listening on 127.0.0.1:PORT"), waits for it
// with a deadline, and stops it by pid when the suite ends (ChildProcess). Every JSON-RPC call has
// the reader's 5 s timeout.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "crypto/conditions/conditions.h"
#include "crypto/conditions/evaluator.h"
#include "crypto/conditions/json_rpc_chain_reader.h"
#include "localnet/anvil.h"
#include "localnet/child_process.h"
#include "localnet/temp_dir.h"

namespace litc::crypto {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kFresh = "0x1234567890abcdef1234567890abcdef12345678";
constexpr std::string_view kTenThousandEther = "10000000000000000000000";  // 10^22 wei
constexpr std::uint64_t kSupply = 1000;
constexpr std::uint64_t kGiven = 5;

std::string word(std::uint64_t v) {
  std::ostringstream s;
  s << std::hex << v;
  const std::string hex = s.str();
  return std::string(64 - hex.size(), '0') + hex;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AnvilChain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { error_ = start(); }
  static void TearDownTestSuite() {
    reader_.reset();
    anvil_.reset();
    dir_.reset();
  }

  void SetUp() override { ASSERT_TRUE(error_.empty()) << error_; }

  // Sets everything up; returns why it failed, or "".
  static std::string start() {
    dir_ = std::make_unique<localnet::TempDir>("litc-anvil");
    anvil_ = std::make_unique<localnet::Anvil>(LITC_ANVIL_BIN, dir_->path());
    if (!anvil_->ok()) return anvil_->error();
    auto reader = JsonRpcChainReader::create({{"ethereum", anvil_->url()}});
    if (!reader.ok()) return reader.error().message;
    reader_ = std::move(reader.value());

    auto accounts = reader_->call("ethereum", "eth_accounts", {});
    if (!accounts.ok()) return accounts.error().message;
    if (!accounts.value().is_array() || accounts.value().as_array().size() < 3) {
      return "eth_accounts: expected at least 3 accounts";
    }
    for (int i = 0; i < 3; ++i) {
      account_[i] =
          std::string(accounts.value().as_array()[static_cast<std::size_t>(i)].as_string());
    }
    return deploy_token();
  }

  // Compiles TestToken.sol, deploys it from account 0 with kSupply tokens, gives kGiven to
  // account 2.
  static std::string deploy_token() {
    const std::filesystem::path bin = dir_->path() / "TestToken.bin";
    localnet::ChildProcess solc("solc",
                                {LITC_NODE_BIN, LITC_COMPILE_TOKEN_SCRIPT, LITC_SOLC_DIR,
                                 LITC_TEST_TOKEN_SOL, bin.string()},
                                dir_->path());
    const auto code = solc.wait(120s);
    if (code != 0) return "compiling TestToken.sol failed\n" + solc.tail();
    const std::string bytecode = read_file(bin);

    auto deploy = send({{"from", account_[0]}, {"data", "0x" + bytecode + word(kSupply)}});
    if (!deploy.ok()) return "deploy: " + deploy.error().message;
    if (!deploy.value().at("contractAddress").is_string()) return "deploy: no contractAddress";
    token_ = std::string(deploy.value().at("contractAddress").as_string());

    // transfer(address,uint256) = 0xa9059cbb
    const std::string to = word(0).substr(0, 24) + account_[2].substr(2);
    auto transfer =
        send({{"from", account_[0]}, {"to", token_}, {"data", "0xa9059cbb" + to + word(kGiven)}});
    if (!transfer.ok()) return "transfer: " + transfer.error().message;
    return "";
  }

  // eth_sendTransaction from an unlocked account, then its receipt (status 0x1 required).
  static ConditionResult<boost::json::object> send(boost::json::object tx) {
    auto hash = reader_->call("ethereum", "eth_sendTransaction", {std::move(tx)});
    if (!hash.ok()) return hash.error();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto receipt = reader_->call("ethereum", "eth_getTransactionReceipt", {hash.value()});
      if (!receipt.ok()) return receipt.error();
      if (receipt.value().is_object()) {
        if (receipt.value().at("status") != "0x1") {
          return ConditionError{ConditionErrc::chain_unavailable, "transaction reverted"};
        }
        return receipt.value().as_object();
      }
      std::this_thread::sleep_for(20ms);
    }
    return ConditionError{ConditionErrc::chain_unavailable, "no receipt within 10 s"};
  }

  static ConditionResult<void> evaluate(const std::string& conditions, std::string_view user) {
    auto params = parse_condition_params(R"({"accessControlConditions":)" + conditions +
                                         R"(,"chain":"ethereum"})");
    if (!params.ok()) return params.error();
    return evaluate_conditions(params.value().conditions, user, *reader_);
  }

  static std::string balance(std::string_view comparator, std::string_view value) {
    return R"({"contractAddress":"","chain":"ethereum","standardContractType":"",)"
           R"("method":"eth_getBalance","parameters":[":userAddress","latest"],)"
           R"("returnValueTest":{"comparator":")" +
           std::string(comparator) + R"(","value":")" + std::string(value) + R"("}})";
  }
  static std::string erc20(std::string_view contract, std::string_view comparator,
                           std::string_view value) {
    return R"({"contractAddress":")" + std::string(contract) +
           R"(","chain":"ethereum","standardContractType":"ERC20","method":"balanceOf",)"
           R"("parameters":[":userAddress"],"returnValueTest":{"comparator":")" +
           std::string(comparator) + R"(","value":")" + std::string(value) + R"("}})";
  }

  static void expect_ok(const ConditionResult<void>& r) {
    EXPECT_TRUE(r.ok()) << to_string(r.error().code) << ": " << r.error().message;
  }
  static void expect_code(const ConditionResult<void>& r, ConditionErrc code,
                          std::string_view fragment) {
    ASSERT_FALSE(r.ok()) << "expected " << to_string(code);
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
  }

  static inline std::unique_ptr<localnet::TempDir> dir_;
  static inline std::unique_ptr<localnet::Anvil> anvil_;
  static inline std::unique_ptr<JsonRpcChainReader> reader_;
  static inline std::string account_[3];
  static inline std::string token_;
  static inline std::string error_;
};

TEST_F(AnvilChain, FundedAccountHoldsTenThousandEther) {
  // Account 1 never sends a transaction, so it still has exactly its genesis balance.
  expect_ok(evaluate("[" + balance("=", kTenThousandEther) + "]", account_[1]));
  expect_ok(evaluate("[" + balance(">=", "1") + "]", account_[1]));
  expect_code(evaluate("[" + balance(">", kTenThousandEther) + "]", account_[1]),
              ConditionErrc::access_denied,
              "accessControlConditions[0] (method \"eth_getBalance\", chain \"ethereum\")");
}

TEST_F(AnvilChain, FreshAddressHasZeroBalance) {
  expect_ok(evaluate("[" + balance("=", "0") + "]", kFresh));
  expect_code(evaluate("[" + balance(">", "0") + "]", kFresh), ConditionErrc::access_denied,
              "eth_getBalance");
}

TEST_F(AnvilChain, Erc20BalanceAboveAndBelowTheThreshold) {
  // Account 0: kSupply - kGiven = 995; account 2: 5; a fresh address: 0.
  expect_ok(evaluate("[" + erc20(token_, ">=", "10") + "]", account_[0]));
  expect_ok(evaluate("[" + erc20(token_, "=", "995") + "]", account_[0]));
  expect_code(evaluate("[" + erc20(token_, ">=", "10") + "]", account_[2]),
              ConditionErrc::access_denied, "(method \"balanceOf\", chain \"ethereum\")");
  expect_ok(evaluate("[" + erc20(token_, "<", "10") + "]", account_[2]));
  expect_ok(evaluate("[" + erc20(token_, "=", "5") + "]", account_[2]));
  expect_code(evaluate("[" + erc20(token_, ">", "0") + "]", kFresh), ConditionErrc::access_denied,
              "balanceOf");
}

TEST_F(AnvilChain, BalanceAndTokenTogether) {
  const std::string both = "[" + balance(">=", "1000000000000000000") + R"(,{"operator":"and"},)" +
                           erc20(token_, ">=", "10") + "]";
  expect_ok(evaluate(both, account_[0]));
  expect_code(evaluate(both, account_[2]), ConditionErrc::access_denied,
              "accessControlConditions[2] (method \"balanceOf\"");
}

TEST_F(AnvilChain, BalanceOfOnAnAddressWithoutCodeIsNotAPass) {
  // eth_call to an account with no code answers "0x": no uint256 to compare.
  expect_code(evaluate("[" + erc20(kFresh, "<", "10") + "]", account_[0]),
              ConditionErrc::chain_unavailable, "not one 32-byte word");
}

}  // namespace
}  // namespace litc::crypto
