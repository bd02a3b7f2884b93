// The `sign` operation through the network: `litc keygen --node` writes a node key, a worker
// started with `--node-key` signs a job's input with it, and the signature verifies under the
// public key keygen printed (and only for that input).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "crypto/identity/node_key.h"
#include "tests/integration/harness.h"

namespace litc::it {
namespace {

namespace json = boost::json;

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(SignOperation, ANodeSignsWithTheKeyLitcKeygenMade) {
  Network net;
  ASSERT_TRUE(net.ok());
  const std::string key_file = (net.dir() / "node.key").string();
  CliResult keygen = net.cli({"keygen", "--node", "--out", key_file});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  const std::string public_key(json::parse(keygen.out).at("publicKey").as_string());
  // keygen makes one kind of key per call: both flags, or neither, is a usage error.
  EXPECT_EQ(net.cli({"keygen", "--node", "--network", "--out", key_file + ".2"}).exit_code, 2);
  EXPECT_EQ(net.cli({"keygen", "--out", key_file + ".3"}).exit_code, 2);
  net.add_worker("signer", "echo,sign", 2, {"--node-key", key_file});
  ASSERT_TRUE(net.wait_workers_online(1));

  CliResult job = net.cli({"submit", "--broker", net.endpoints().clients, "--op", "sign", "--input",
                           "pay node 7 for job 42", "--wait"});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  const json::value out = json::parse(std::string(json::parse(job.out).at("output").as_string()));
  EXPECT_EQ(out.at("publicKey").as_string(), public_key);
  const std::string sig = unhex(out.at("signature").as_string());
  EXPECT_TRUE(crypto::verify_detached(unhex(public_key), "pay node 7 for job 42", sig));
  EXPECT_FALSE(crypto::verify_detached(unhex(public_key), "pay node 7 for job 43", sig));

  // A worker cannot offer `sign` without a key: it refuses to start.
  CliResult none = net.cli({"submit", "--broker", net.endpoints().clients, "--op", "echo",
                            "--input", "still serving", "--wait"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  ChildProcess keyless(
      "keyless", {bin_path("litc-worker"), "--broker", net.endpoints().workers, "--ops", "sign"},
      net.dir());
  EXPECT_EQ(keyless.wait(milliseconds(10000)).value_or(-1), 2);
  EXPECT_NE(keyless.err().find("needs --node-key"), std::string::npos) << keyless.err();
}

}  // namespace
}  // namespace litc::it
