// Secrets never reach Redis: an encrypt job's plaintext, a decrypt's bearer authSig (its `sig`,
// its `signedMessage`), and what POST /decrypt sees, are searched for in every Redis key (SCAN,
// TYPE, then HGETALL / LRANGE / SMEMBERS / ZRANGE / GET / XRANGE) and in everything published,
// while the jobs wait and after they finish, across a Redis restart, in raw, JSON-escaped and
// base64 form (the submission ledger stores inputs as base64). An echo job's input is the control:
// it must be found, so the search can fail.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "protocol/base64.h"
#include "protocol/lit_client.h"
#include "tests/integration/bridge_lit_fixture.h"

namespace litc::it {
namespace {

namespace json = boost::json;

std::string random_word(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s = prefix;
  for (int i = 0; i < 16; ++i) s += kAlnum[rng() % 36];
  return s;
}

// Every form in which `secret` could sit in Redis: as is, JSON-escaped, and base64 of either at
// each of the three alignments (the characters encoding only the secret's own bytes).
std::vector<std::string> stored_forms(const std::string& secret) {
  std::string escaped = json::serialize(json::string(secret));
  escaped = escaped.substr(1, escaped.size() - 2);
  std::vector<std::string> out{secret};
  if (escaped != secret) out.push_back(escaped);
  for (const std::string& s : std::vector<std::string>(out)) {
    for (std::size_t k = 0; k < 3; ++k) {
      const std::string enc = base64_encode(std::string(k, '\0') + s);
      const std::size_t from = k == 0 ? 0 : 4;
      const std::size_t to = (k + s.size()) / 3 * 4;
      if (to > from + 8) out.push_back(enc.substr(from, to - from));
    }
  }
  return out;
}

// The first stored form of `secret` found in `dump`, or "".
std::string found(const std::string& dump, const std::string& secret) {
  for (const auto& form : stored_forms(secret)) {
    if (dump.find(form) != std::string::npos) return form;
  }
  return "";
}

class BridgeLitSecrets : public BridgeLitTest {
 protected:
  // Every key Redis holds with its type and contents, as redis-cli prints them.
  std::string redis_dump() {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      auto page = lines(stack_->redis_cli({"SCAN", cursor, "COUNT", "1000"}).out);
      EXPECT_FALSE(page.empty()) << "SCAN answered nothing";
      if (page.empty()) break;
      cursor = page[0];
      keys.insert(keys.end(), page.begin() + 1, page.end());
    } while (cursor != "0");
    EXPECT_FALSE(keys.empty());
    std::string dump;
    for (const auto& key : keys) {
      const std::string type = one(stack_->redis_cli({"TYPE", key}));
      std::vector<std::string> read;
      if (type == "hash") read = {"HGETALL", key};
      if (type == "list") read = {"LRANGE", key, "0", "-1"};
      if (type == "set") read = {"SMEMBERS", key};
      if (type == "zset") read = {"ZRANGE", key, "0", "-1", "WITHSCORES"};
      if (type == "string") read = {"GET", key};
      if (type == "stream") read = {"XRANGE", key, "-", "+"};
      EXPECT_FALSE(read.empty()) << key << " has type " << type;
      dump += key + " (" + type + ")\n";
      if (!read.empty()) dump += stack_->redis_cli(read).out + "\n";
    }
    return dump;
  }

  // The secrets of one authSig: its signature, its whole sign-in message, and the message's
  // nonce (a word that appears nowhere else).
  static std::vector<std::string> auth_secrets(const json::object& a, const std::string& nonce) {
    return {std::string(a.at("sig").as_string()), std::string(a.at("signedMessage").as_string()),
            nonce};
  }

  void expect_absent(const std::string& dump, const std::vector<std::string>& secrets,
                     const std::string& when) {
    for (const auto& s : secrets) {
      EXPECT_EQ(found(dump, s), "")
          << when << ": a form of \"" << s.substr(0, 40) << "…\" is in Redis";
    }
  }
};

TEST_F(BridgeLitSecrets, NoPlaintextOrAuthSigInRedisWhileJobsWaitNorAfterTheyFinish) {
  LitStackOptions o;
  o.quorum_wait_ms = "30000";  // the decrypts wait for holders that come after the first scan
  o.decrypt_wait_ms = "25000";
  ASSERT_NO_FATAL_FAILURE(start(o));
  auto published = stack_->redis_cli_background({"PSUBSCRIBE", "*"});
  ASSERT_TRUE(eventually([&] { return published->out().find("psubscribe") != std::string::npos; },
                         milliseconds(5000)));

  // The control: an echo job's input is ledgered in Redis (base64) until the job finishes.
  const std::string control = random_word("echo-control-");
  auto r = http_->post("/lit-compute/jobs/submit", submit_body("echo", control, "control"));
  ASSERT_EQ(r.status, 202) << r.body;

  // 1. An encrypt job: its input holds the plaintext.
  const std::string encrypted_plain = random_word("encrypt-plaintext-");
  const std::string encrypt_id = submit_encrypt(encrypted_plain, user_is(address_of(7)));
  ASSERT_FALSE(encrypt_id.empty());

  // 2. A decrypt job submitted over HTTP by a requester that combines the shares itself.
  const std::string job_nonce = random_word("jobnonce");
  const json::object job_auth = auth(7, 600'000, job_nonce);
  auto job_envelope =
      encrypt_to_json(key_, json::serialize(user_is(address_of(7))), "combined by the caller");
  ASSERT_TRUE(job_envelope.ok());
  auto pending = prepare_decrypt(key_, job_envelope.value(), job_auth);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  r = http_->post(
      "/lit-compute/jobs/submit",
      json::serialize(json::object{{"operation", "decrypt"}, {"input", pending->job_input}}));
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string decrypt_id = str(obj(r.body), "jobId");

  // 3. POST /decrypt, the bridge as the requester; it waits for holders in the background.
  const std::string route_nonce = random_word("routenonce");
  const json::object route_auth = auth(7, 600'000, route_nonce);
  const std::string route_plain = random_word("route-plaintext-");
  auto route_envelope = encrypt_to_json(key_, json::serialize(user_is(address_of(7))), route_plain);
  ASSERT_TRUE(route_envelope.ok());
  // Sent by curl, a process of its own: a request blocked in this process while the main thread
  // spawns redis-cli can see its recv() fail with EINTR (HttpClient sets SO_RCVTIMEO, so the
  // kernel does not restart it).
  const auto body_file = stack_->net().dir() / "route-body.json";
  const auto answer_file = stack_->net().dir() / "route-answer.json";
  {
    std::ofstream out(body_file);
    out << decrypt_body(json::parse(route_envelope.value()).as_object(), route_auth);
  }
  ChildProcess route(
      "curl-decrypt",
      {"/usr/bin/curl", "-sS", "--max-time", "40", "-o", answer_file.string(), "-w", "%{http_code}",
       "-H", "Content-Type: application/json", "--data-binary", "@" + body_file.string(),
       "http://127.0.0.1:" + std::to_string(stack_->http_port()) + "/lit-compute/decrypt"},
      stack_->net().dir());
  ASSERT_TRUE(route.started()) << route.error();

  std::vector<std::string> secrets = {encrypted_plain, route_plain};
  for (const auto& s : auth_secrets(job_auth, job_nonce)) secrets.push_back(s);
  for (const auto& s : auth_secrets(route_auth, route_nonce)) secrets.push_back(s);

  // All four wait in Redis's mirror; only the control is in the ledger.
  EXPECT_TRUE(eventually(
      [&] {
        return one(stack_->redis_cli({"ZCARD", "jobs:pending"})) == "4";
      },
      milliseconds(10000)))
      << one(stack_->redis_cli({"ZCARD", "jobs:pending"}));
  EXPECT_EQ(one(stack_->redis_cli({"HLEN", "bridge:submissions"})), "1");
  EXPECT_EQ(one(stack_->redis_cli({"HEXISTS", "bridge:submissions", encrypt_id})), "0");
  EXPECT_EQ(one(stack_->redis_cli({"HEXISTS", "bridge:submissions", decrypt_id})), "0");
  const std::string waiting = redis_dump();
  EXPECT_NE(found(waiting, control), "") << "the control must be found:\n" << waiting;
  expect_absent(waiting, secrets, "while waiting");

  // The holders come: everything completes.
  ASSERT_NO_FATAL_FAILURE(holders(3));
  ASSERT_EQ(route.wait(milliseconds(45000)), 0) << route.err();
  std::ifstream answer_in(answer_file);
  const std::string route_answer((std::istreambuf_iterator<char>(answer_in)),
                                 std::istreambuf_iterator<char>());
  ASSERT_EQ(route.out(), "200") << route_answer;
  EXPECT_EQ(str(obj(route_answer), "decryptedData"), route_plain);
  auto encrypted = wait_completed(encrypt_id);
  ASSERT_TRUE(encrypted.has_value());
  const json::object envelope = obj(str(*encrypted, "output"));
  ASSERT_FALSE(str(envelope, "ciphertext").empty());
  auto decrypted = wait_completed(decrypt_id);
  ASSERT_TRUE(decrypted.has_value());
  auto plain = finish_decrypt(key_, pending.value(), str(*decrypted, "output"));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain.value(), "combined by the caller");
  ASSERT_TRUE(wait_completed("control").has_value());
  EXPECT_TRUE(eventually(
      [&] {
        return one(stack_->redis_cli({"HLEN", "bridge:submissions"})) == "0";
      },
      milliseconds(5000)));

  const std::string finished = redis_dump() + published->out();
  // The mirror does hold the finished jobs (their outputs are public: the envelope, blinded
  // shares): the search reads the job hashes.
  EXPECT_NE(finished.find(str(envelope, "ciphertext")), std::string::npos);
  expect_absent(finished, secrets, "after the jobs finished");
}

TEST_F(BridgeLitSecrets,
       AnEncryptStaysOutOfRedisAcrossARedisRestartAndIsResubmittedAfterABrokerRestart) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string control = random_word("echo-control-");
  auto r = http_->post("/lit-compute/jobs/submit", submit_body("echo", control, "control"));
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string plaintext = random_word("held-plaintext-");
  ASSERT_EQ(submit_encrypt(plaintext, user_is(address_of(7)), "enc-1"), "enc-1");
  ASSERT_TRUE(eventually(
      [&] {
        return one(stack_->redis_cli({"ZCARD", "jobs:pending"})) == "2";
      },
      milliseconds(10000)));

  // Redis comes back empty: the bridge writes back the ledger entries only it holds, except the
  // encrypt's.
  stack_->redis().kill();
  ASSERT_TRUE(stack_->redis().start()) << stack_->redis().error();
  ASSERT_TRUE(stack_->wait_healthy());
  ASSERT_TRUE(eventually(
      [&] {
        return one(stack_->redis_cli({"HEXISTS", "bridge:submissions", "control"})) == "1";
      },
      milliseconds(10000)))
      << "the control's ledger entry is written back";
  EXPECT_EQ(one(stack_->redis_cli({"HEXISTS", "bridge:submissions", "enc-1"})), "0");
  const std::string after_redis = redis_dump();
  EXPECT_NE(found(after_redis, control), "");
  EXPECT_EQ(found(after_redis, plaintext), "") << after_redis;

  // The broker restarts and forgets both jobs: the bridge submits them again from memory.
  ASSERT_TRUE(stack_->net().restart_broker());
  ASSERT_TRUE(stack_->wait_healthy());
  ASSERT_NO_FATAL_FAILURE(holders(3));
  auto encrypted = wait_completed("enc-1");
  ASSERT_TRUE(encrypted.has_value());
  ASSERT_TRUE(wait_completed("control").has_value());
  EXPECT_GE(metric("litc_bridge_resubmitted_total").value_or(0), 2u);
  auto answer = post_decrypt(obj(str(*encrypted, "output")), auth(7));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(str(obj(answer.body), "decryptedData"), plaintext);
  EXPECT_EQ(found(redis_dump(), plaintext), "");
}

}  // namespace
}  // namespace litc::it
