// Verified results through the real network (broker/verification.h): workers sign with their node
// keys, the broker checks before it accepts, a forged or replayed signature is rejected and
// counted and the job completes on another node, and `litc verify` checks the record offline.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "protocol/cid.h"
#include "tests/integration/harness.h"

namespace litc::it {
namespace {

namespace json = boost::json;

struct KeyedNetwork {
  Network net;
  std::string key(const std::string& name) {
    const std::string file = (net.dir() / (name + ".key")).string();
    CliResult made = net.cli({"keygen", "--node", "--out", file});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    public_keys[name] = std::string(json::parse(made.out).at("publicKey").as_string());
    return file;
  }
  ChildProcess& worker(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--node-key", key(name)};
    args.insert(args.end(), extra.begin(), extra.end());
    return net.add_worker(name, "echo,sha256,sign", 1, args);
  }
  CliResult submit(const std::vector<std::string>& extra, const std::string& input) {
    std::vector<std::string> args{"submit", "--broker", net.endpoints().clients, "--input", input};
    args.insert(args.end(), extra.begin(), extra.end());
    return net.cli(args, milliseconds(20000));
  }
  // `litc verify` on `record` written to a file.
  CliResult verify(const std::string& record, const std::string& name = "record.json") {
    const std::string file = (net.dir() / name).string();
    std::ofstream(file) << record;
    return net.cli({"verify", file});
  }
  std::map<std::string, std::string> public_keys;
};

TEST(VerifiedResults, ASignedResultIsAcceptedAndLitcVerifyChecksTheRecord) {
  KeyedNetwork k;
  ASSERT_TRUE(k.net.ok());
  k.worker("signer");
  ASSERT_TRUE(k.net.wait_workers_online(1));
  CliResult job = k.submit({"--op", "echo", "--verified", "--wait", "--job-id", "v1"}, "hello");
  ASSERT_EQ(job.exit_code, 0) << job.err << k.net.logs();
  const json::object rec = json::parse(job.out).as_object();
  EXPECT_TRUE(rec.at("verified").as_bool());
  EXPECT_EQ(rec.at("inputCID").as_string(), cid_v1_raw("hello"));
  const json::array& att = rec.at("attestations").as_array();
  ASSERT_EQ(att.size(), 1u);
  EXPECT_EQ(att[0].at("nodeId").as_string(), "signer");
  EXPECT_EQ(att[0].at("publicKey").as_string(), k.public_keys["signer"]);
  EXPECT_EQ(att[0].at("outputCID").as_string(), cid_v1_raw("hello"));
  EXPECT_EQ(att[0].at("signature").as_string().size(), 128u);

  CliResult ok = k.verify(job.out);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_TRUE(json::parse(ok.out).at("valid").as_bool()) << ok.out;
  // The same record read back later through status verifies too.
  CliResult status = k.net.cli({"status", "--broker", k.net.endpoints().clients, "v1"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(k.verify(status.out, "status.json").exit_code, 0);

  // Tampered records: each changed field breaks the check, with a reason.
  auto tampered = [&](const char* key, json::value v) {
    json::object t = rec;
    t[key] = std::move(v);
    return json::serialize(t);
  };
  for (const auto& [what, text] : std::vector<std::pair<std::string, std::string>>{
           {"output", tampered("output", "hellO")},
           {"attempt", tampered("attempt", 2)},
           {"jobId", tampered("jobId", "v2")},
           {"operation", tampered("operation", "sha256")},
           {"inputCID", tampered("inputCID", json::string(cid_v1_raw("other")))},
       }) {
    CliResult bad = k.verify(text, "bad.json");
    EXPECT_EQ(bad.exit_code, 1) << what << ": " << bad.out;
    EXPECT_FALSE(json::parse(bad.out).at("valid").as_bool()) << what;
    EXPECT_FALSE(json::parse(bad.out).at("reason").as_string().empty()) << what;
  }
  // Record shapes that must not pass for the signed record.
  json::object doubled = rec;
  doubled["attestations"].as_array().push_back(doubled["attestations"].as_array()[0]);
  json::object renamed = rec;
  renamed["attestations"].as_array()[0].as_object()["nodeId"] = "someone-else";
  json::object both = rec;
  both["outputBase64"] = "aGVsbG8=";
  json::object other_cid = rec;
  other_cid["outputCID"] = cid_v1_raw("another blob");
  json::object other_node = rec;
  other_node["nodeId"] = "someone-else";
  json::object huge_attempt = rec;
  huge_attempt["attempt"] = int64_t{4294967297};
  const json::object wrapped{{"job", rec}};
  json::object wrapped_extra{{"job", rec}, {"output", "TAMPERED"}};
  for (const auto& [what, text] : std::vector<std::pair<std::string, std::string>>{
           {"two attestations of one echo", json::serialize(doubled)},
           {"nodeId renamed (signed too)", json::serialize(renamed)},
           {"output and outputBase64", json::serialize(both)},
           {"attempt past 2^32", json::serialize(huge_attempt)},
           {"outputCID of another blob", json::serialize(other_cid)},
           {"top-level nodeId not the signer", json::serialize(other_node)},
           {"job wrapper beside other members", json::serialize(wrapped_extra)},
       }) {
    CliResult bad = k.verify(text, "shape.json");
    EXPECT_EQ(bad.exit_code, 1) << what << ": " << bad.out;
  }
  EXPECT_EQ(k.verify(json::serialize(wrapped), "wrapped.json").exit_code, 0)
      << "{\"job\": record}, as the bridge wraps it";
  // --trusted-key: the signer's key passes, any other is refused.
  const std::string file = (k.net.dir() / "record.json").string();
  EXPECT_EQ(k.net.cli({"verify", file, "--trusted-key", k.public_keys["signer"]}).exit_code, 0);
  CliResult untrusted = k.net.cli({"verify", file, "--trusted-key", std::string(64, 'a')});
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.out;
  EXPECT_NE(untrusted.out.find("trusted-key"), std::string::npos) << untrusted.out;

  json::object forged = rec;
  std::string sig(forged["attestations"].as_array()[0].at("signature").as_string());
  sig[0] = sig[0] == '0' ? '1' : '0';
  forged["attestations"].as_array()[0].as_object()["signature"] = sig;
  EXPECT_EQ(k.verify(json::serialize(forged), "forged.json").exit_code, 1);
  // Not a verified record at all, and no file.
  CliResult plain = k.submit({"--op", "echo", "--wait"}, "plain");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_FALSE(json::parse(plain.out).as_object().contains("attestations"));
  EXPECT_EQ(k.verify(plain.out, "plain.json").exit_code, 1);
  EXPECT_EQ(k.net.cli({"verify", (k.net.dir() / "missing.json").string()}).exit_code, 2);
  for (const auto& [what, text] : std::vector<std::pair<std::string, std::string>>{
           {"not JSON", "not json at all"},
           {"a JSON array", "[1,2]"},
           {"a job not completed", R"({"jobId":"p","status":"pending","operation":"echo"})"},
       }) {
    CliResult bad = k.verify(text, "junk.json");
    EXPECT_EQ(bad.exit_code, 1) << what << ": " << bad.out;
    EXPECT_FALSE(json::parse(bad.out).at("reason").as_string().empty()) << what;
  }
  EXPECT_EQ(k.net.stat("invalid_signatures").value_or(99), 0u);
}

TEST(VerifiedResults, SignJobsAreVerifiedWithoutAsking) {
  KeyedNetwork k;
  ASSERT_TRUE(k.net.ok());
  k.worker("signer");
  ASSERT_TRUE(k.net.wait_workers_online(1));
  CliResult job = k.submit({"--op", "sign", "--wait"}, "pay node 7");
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_TRUE(json::parse(job.out).at("verified").as_bool());
  EXPECT_EQ(k.verify(job.out).exit_code, 0);
}

// A node that forges (or replays another attempt's signature) is caught by the broker: the
// result is rejected and counted, and the job completes on an honest node.
void forger_is_caught(const std::string& fault) {
  KeyedNetwork k;
  ASSERT_TRUE(k.net.ok());
  k.worker("liar", {"--fault-signature", fault});
  ASSERT_TRUE(k.net.wait_workers_online(1));
  auto waiting = k.net.start_cli({"submit", "--broker", k.net.endpoints().clients, "--op", "sha256",
                                  "--input", "abc", "--verified", "--wait", "--job-id", "caught"});
  for (int i = 0; i < 100 && k.net.stat("invalid_signatures").value_or(0) == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_EQ(k.net.stat("invalid_signatures").value_or(0), 1u) << k.net.logs();
  // The liar gets no second try at it: the job waits for a signing node it may trust.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(k.net.stat("invalid_signatures").value_or(0), 1u);
  EXPECT_NE(k.net.worker("liar").out().find("invalid_signature"), std::string::npos)
      << "the broker tells the node why: " << k.net.worker("liar").out();
  k.worker("honest");
  ASSERT_EQ(waiting->wait(milliseconds(15000)).value_or(-1), 0) << waiting->err();
  const json::object rec = json::parse(waiting->out()).as_object();
  EXPECT_EQ(rec.at("status").as_string(), "completed");
  EXPECT_EQ(rec.at("attempt").as_int64(), 2) << "the rejected attempt counted";
  EXPECT_EQ(rec.at("attestations").as_array()[0].at("nodeId").as_string(), "honest");
  EXPECT_EQ(k.verify(waiting->out()).exit_code, 0);
  // The liar still runs unverified work.
  CliResult plain = k.submit({"--op", "echo", "--wait"}, "x");
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(k.net.stat("invalid_signatures").value_or(0), 1u);
}

TEST(VerifiedResults, AForgedSignatureIsRejectedCountedAndTheJobCompletesElsewhere) {
  forger_is_caught("forged");
}

TEST(VerifiedResults, AResultSignedForAnotherAttemptIsRejected) {
  forger_is_caught("other-attempt");
}

TEST(VerifiedResults, AWorkerWithoutANodeKeySignsWithAKeyForThisRun) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("keyless", "echo", 1);
  ASSERT_TRUE(net.wait_workers_online(1));
  CliResult job = net.cli({"submit", "--broker", net.endpoints().clients, "--op", "echo", "--input",
                           "e", "--verified", "--wait"});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  const std::string out = job.out;
  EXPECT_EQ(json::parse(out).at("attestations").as_array()[0].at("nodeId").as_string(), "keyless");
  const std::string file = (net.dir() / "r.json").string();
  std::ofstream(file) << out;
  EXPECT_EQ(net.cli({"verify", file}).exit_code, 0);
  // Nor can a broker be told to verify it.
  ChildProcess broker(
      "broker-enc", {bin_path("litc-broker"), "--verified-operations", "sign,encrypt"}, net.dir());
  EXPECT_EQ(broker.wait(milliseconds(10000)).value_or(-1), 2);
  EXPECT_NE((broker.out() + broker.err()).find("encrypt cannot be verified"), std::string::npos)
      << broker.err();
  // Encrypt cannot be verified: its input CID would be a hash of the plaintext.
  CliResult enc = net.cli({"submit", "--broker", net.endpoints().clients, "--op", "encrypt",
                           "--input", "{}", "--verified"});
  EXPECT_EQ(enc.exit_code, 2) << enc.out;
  EXPECT_NE((enc.out + enc.err).find("invalid_argument"), std::string::npos) << enc.out << enc.err;
}

}  // namespace
}  // namespace litc::it
