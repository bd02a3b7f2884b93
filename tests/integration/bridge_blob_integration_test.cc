// litc-bridge's blob store on real processes (broker, workers, redis-server, bridge): a completed
// job's output served by its outputCID byte for byte, 404/400 for unknown and malformed CIDs, a
// submit taking its input by inputCID, the size limit and the retention trimming, and a decrypt
// job's output (blinded shares) and an encrypt's plaintext never reaching the store.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>

#include "protocol/base64.h"
#include "protocol/cid.h"
#include "tests/integration/bridge_harness.h"
#include "tests/integration/bridge_lit_fixture.h"

namespace litc::it {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

BridgeStackOptions stack_options(std::vector<std::string> bridge_args = {}) {
  BridgeStackOptions o;
  o.network = load_test_options();
  o.bridge_args = std::move(bridge_args);
  return o;
}

// GET jobs/:id until completed; the last body seen either way.
json::object wait_completed(HttpClient& c, const std::string& id) {
  json::object last;
  eventually(
      [&] {
        auto r = c.get(kApi + "/jobs/" + id);
        last = obj(r.body);
        return r.status == 200 && str(last, "status") == "completed";
      },
      milliseconds(15000), milliseconds(20));
  return last;
}

// Submits body, waits for completion; the job's JSON (empty object and a failure otherwise).
json::object run_job(HttpClient& c, const std::string& body) {
  auto r = c.post(kApi + "/jobs/submit", body);
  EXPECT_EQ(r.status, 202) << body << " -> " << r.body;
  if (r.status != 202) return {};
  auto job = wait_completed(c, str(obj(r.body), "jobId"));
  EXPECT_EQ(str(job, "status"), "completed") << json::serialize(job);
  return job;
}

std::string echo_bytes_body(const std::string& bytes) {
  return json::serialize(
      json::object{{"operation", "echo"}, {"inputBase64", base64_encode(bytes)}});
}

// The blob is written by the bridge's writer thread shortly after the job completes.
HttpResult wait_blob(HttpClient& c, const std::string& cid) {
  HttpResult r;
  eventually(
      [&] {
        r = c.get(kApi + "/blobs/" + cid);
        return r.status == 200;
      },
      milliseconds(5000), milliseconds(20));
  return r;
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.insert(e.path().filename().string());
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class BridgeBlob : public ::testing::Test {
 protected:
  void start(std::vector<std::string> bridge_args = {}) {
    stack_ = std::make_unique<BridgeStack>(stack_options(std::move(bridge_args)));
    ASSERT_TRUE(stack_->ok());
    stack_->net().add_worker("w1", kAllOps, 2);
    ASSERT_TRUE(stack_->net().wait_workers_online(1));
    ASSERT_TRUE(stack_->wait_healthy());
    c_ = stack_->http();
  }
  std::optional<uint64_t> metric(const std::string& name) {
    return metric_value(c_->get("/metrics").body, name);
  }

  std::unique_ptr<BridgeStack> stack_;
  std::unique_ptr<HttpClient> c_;
};

TEST_F(BridgeBlob, ACompletedJobsOutputIsServedByItsOutputCidByteForByte) {
  ASSERT_NO_FATAL_FAILURE(start());
  // Bytes that are not UTF-8 (the job JSON shows them as outputBase64), NULs included.
  const std::string bytes("\x00\xff\xfe blob \x80\x00 bytes", 17);
  auto echo = run_job(*c_, echo_bytes_body(bytes));
  ASSERT_EQ(str(echo, "outputBase64"), base64_encode(bytes)) << json::serialize(echo);
  const std::string cid = str(echo, "outputCID");
  ASSERT_EQ(cid, cid_v1_raw(bytes));
  auto r = wait_blob(*c_, cid);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, bytes);
  EXPECT_EQ(r.content_type, "application/octet-stream");
  EXPECT_EQ(read_file(stack_->blob_dir() / cid), bytes) << "stored under its CID";

  auto sha = run_job(*c_, R"({"operation":"sha256","input":"hello world"})");
  ASSERT_EQ(str(sha, "output"), kHelloSha256);
  auto s = wait_blob(*c_, str(sha, "outputCID"));
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.body, kHelloSha256);
  EXPECT_EQ(metric("litc_bridge_blobs_stored_total"), 2u);
  EXPECT_EQ(metric("litc_bridge_blobs"), 2u);
  EXPECT_EQ(metric("litc_bridge_blob_bytes"), 2u * 4096) << "whole 4 KiB blocks per blob";
  // The job's input ("hello world") is no blob: inputs are never stored.
  EXPECT_EQ(c_->get(kApi + "/blobs/" + cid_v1_raw("hello world")).status, 404);
}

TEST_F(BridgeBlob, UnknownCidsAre404AndMalformedOnes400) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto unknown = c_->get(kApi + "/blobs/" + cid_v1_raw("never an output"));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(error_code(unknown), "not_found") << unknown.body;

  const std::string good = cid_v1_raw("x");
  std::string upper = good;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  struct Case {
    const char* name;
    std::string target;
  };
  const Case cases[] = {
      {"too short", good.substr(0, 58)},
      {"too long", good + "a"},
      {"upper case", upper},
      {"not base32", good.substr(0, 30) + "1" + good.substr(31)},
      {"../x, one segment", "..%2Fx"},
      {"a path to a CID", "..%2F" + good},
      {"CIDv0", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"},
  };
  for (const auto& k : cases) {
    auto r = c_->get(kApi + "/blobs/" + k.target);
    EXPECT_EQ(r.status, 400) << k.name << ": " << r.body;
    EXPECT_EQ(error_code(r), "invalid_argument") << k.name << ": " << r.body;
  }
  // "../x" as two segments matches no route at all.
  auto dots = c_->get(kApi + "/blobs/../x");
  EXPECT_EQ(dots.status, 404) << dots.body;
  // Still serving.
  EXPECT_EQ(c_->get("/healthz").status, 200);
}

TEST_F(BridgeBlob, ASubmitTakesItsInputByCid) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto first = run_job(*c_, R"({"operation":"echo","input":"hello world"})");
  const std::string hello_cid = str(first, "outputCID");
  ASSERT_EQ(hello_cid, cid_v1_raw("hello world"));
  ASSERT_EQ(wait_blob(*c_, hello_cid).status, 200);
  // sha256 of the stored bytes: the published digest of "hello world".
  auto sha =
      run_job(*c_, json::serialize(json::object{{"operation", "sha256"}, {"inputCID", hello_cid}}));
  EXPECT_EQ(str(sha, "output"), kHelloSha256) << json::serialize(sha);

  // Binary bytes through two jobs: the second echo, fed by CID, gives the same bytes and CID back.
  const std::string bytes("\x01\x00\xff\x7f\x80", 5);
  auto stored = run_job(*c_, echo_bytes_body(bytes));
  const std::string cid = str(stored, "outputCID");
  ASSERT_EQ(wait_blob(*c_, cid).status, 200);
  auto again = run_job(*c_, json::serialize(json::object{
                                {"operation", "echo"}, {"inputCID", cid}, {"verified", false}}));
  EXPECT_EQ(str(again, "outputBase64"), base64_encode(bytes)) << json::serialize(again);
  EXPECT_EQ(str(again, "outputCID"), cid);

  struct Case {
    const char* name;
    std::string body;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"unknown CID", R"({"operation":"echo","inputCID":")" + cid_v1_raw("nothing") + "\"}", 404,
       "not_found"},
      {"malformed CID", R"({"operation":"echo","inputCID":"bafkreinotacid"})", 400,
       "invalid_argument"},
      {"empty CID", R"({"operation":"echo","inputCID":""})", 400, "invalid_argument"},
      {"CID not a string", R"({"operation":"echo","inputCID":42})", 400, "invalid_argument"},
      {"inputCID and input", R"({"operation":"echo","input":"x","inputCID":")" + cid + "\"}", 400,
       "invalid_argument"},
      {"inputCID and empty input", R"({"operation":"echo","input":"","inputCID":")" + cid + "\"}",
       400, "invalid_argument"},
      {"inputCID and inputBase64",
       R"({"operation":"echo","inputBase64":"eA==","inputCID":")" + cid + "\"}", 400,
       "invalid_argument"},
      {"encrypt by CID",
       R"({"operation":"encrypt","inputCID":")" + cid +
           R"(","params":{"accessControlConditions":[],"chain":"ethereum"}})",
       400, "invalid_argument"},
      {"verified not a bool", R"({"operation":"echo","input":"x","verified":"yes"})", 400,
       "invalid_argument"},
      {"verified a number", R"({"operation":"echo","input":"x","verified":1})", 400,
       "invalid_argument"},
  };
  for (const auto& k : cases) {
    auto r = c_->post(kApi + "/jobs/submit", k.body);
    EXPECT_EQ(r.status, k.status) << k.name << ": " << r.body;
    EXPECT_EQ(error_code(r), k.code) << k.name << ": " << r.body;
  }
  EXPECT_EQ(c_->get("/healthz").status, 200);
}

TEST_F(BridgeBlob, TheSizeLimitRemovesTheOldestBlobsFirst) {
  // 8 KiB hold two 400-byte outputs (a blob costs whole 4 KiB blocks): the third and fourth push
  // out the first and second.
  ASSERT_NO_FATAL_FAILURE(start({"--blob-max-bytes", "8192"}));
  std::vector<std::string> cids;
  for (char c : std::string("abcd")) {
    auto job = run_job(*c_, echo_bytes_body(std::string(400, c)));
    cids.push_back(str(job, "outputCID"));
    ASSERT_EQ(wait_blob(*c_, cids.back()).status, 200) << c;
  }
  EXPECT_EQ(c_->get(kApi + "/blobs/" + cids[0]).status, 404);
  EXPECT_EQ(c_->get(kApi + "/blobs/" + cids[1]).status, 404);
  auto newest = c_->get(kApi + "/blobs/" + cids[3]);
  EXPECT_EQ(newest.status, 200);
  EXPECT_EQ(newest.body, std::string(400, 'd'));
  EXPECT_EQ(c_->get(kApi + "/blobs/" + cids[2]).status, 200);
  EXPECT_EQ(files_in(stack_->blob_dir()), (std::set<std::string>{cids[2], cids[3]}));
  EXPECT_EQ(metric("litc_bridge_blobs_evicted_total"), 2u);
  EXPECT_EQ(metric("litc_bridge_blob_bytes"), 8192u);
}

TEST_F(BridgeBlob, BlobsPastTheRetentionAreRemoved) {
  ASSERT_NO_FATAL_FAILURE(start({"--blob-retention-s", "1"}));
  auto job = run_job(*c_, R"({"operation":"echo","input":"short-lived"})");
  const std::string cid = str(job, "outputCID");
  ASSERT_EQ(wait_blob(*c_, cid).status, 200);
  // Checked once a second: gone within about two.
  EXPECT_TRUE(eventually([&] { return c_->get(kApi + "/blobs/" + cid).status == 404; },
                         milliseconds(5000), milliseconds(50)));
  EXPECT_FALSE(fs::exists(stack_->blob_dir() / cid));
  EXPECT_EQ(metric("litc_bridge_blobs_evicted_total"), 1u);
}

TEST_F(BridgeBlob, WithoutABlobDirTheRoutesSayTheStoreIsOff) {
  ASSERT_NO_FATAL_FAILURE(start({"--blob-dir", ""}));
  auto job = run_job(*c_, R"({"operation":"echo","input":"nowhere"})");
  const std::string cid = str(job, "outputCID");
  ASSERT_FALSE(cid.empty());
  std::this_thread::sleep_for(milliseconds(200));
  auto r = c_->get(kApi + "/blobs/" + cid);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "not_found");
  EXPECT_NE(r.body.find("--blob-dir"), std::string::npos) << r.body;
  auto s = c_->post(kApi + "/jobs/submit", R"({"operation":"echo","inputCID":")" + cid + "\"}");
  EXPECT_EQ(s.status, 404) << s.body;
  EXPECT_FALSE(fs::exists(stack_->blob_dir())) << "the default directory is not created";
  EXPECT_EQ(metric("litc_bridge_blobs_stored_total"), std::nullopt);
}

// The Lit fixture: share holders, encrypt through jobs/submit, POST /decrypt (a decrypt job).
class BridgeBlobLit : public BridgeLitTest {};

TEST_F(BridgeBlobLit, ADecryptOutputAndAnEncryptPlaintextAreNeverStored) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_NO_FATAL_FAILURE(holders(3));
  const std::string plaintext = "the plaintext must not reach the blob store";
  auto envelope = encrypt_via_job(plaintext, user_is(address_of(7)));
  ASSERT_TRUE(envelope.has_value());
  auto r = post_decrypt(*envelope, auth(7));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(str(obj(r.body), "decryptedData"), plaintext);

  // Both jobs finished in the mirror: the decrypt's completion has been applied by then.
  ASSERT_TRUE(eventually(
      [&] {
        return one(stack_->redis_cli({"ZCARD", "jobs:completed"})) == "2";
      },
      milliseconds(5000), milliseconds(50)));
  std::string encrypt_cid, decrypt_cid;
  for (const auto& id : lines(stack_->redis_cli({"ZRANGE", "jobs:completed", "0", "-1"}).out)) {
    const std::string op = one(stack_->redis_cli({"HGET", "job:" + id + ":status", "operation"}));
    const std::string cid = one(stack_->redis_cli({"HGET", "job:" + id + ":status", "outputCID"}));
    (op == "decrypt" ? decrypt_cid : encrypt_cid) = cid;
  }
  ASSERT_FALSE(encrypt_cid.empty());
  ASSERT_FALSE(decrypt_cid.empty());
  ASSERT_EQ(wait_blob(*http_, encrypt_cid).status, 200) << "the envelope is public: stored";
  EXPECT_TRUE(eventually([&] { return metric("litc_bridge_blob_outputs_withheld_total") == 1u; },
                         milliseconds(5000), milliseconds(50)));
  std::this_thread::sleep_for(milliseconds(300));  // what a wrong put would have written by now
  EXPECT_EQ(http_->get("/lit-compute/blobs/" + decrypt_cid).status, 404);
  EXPECT_EQ(files_in(stack_->blob_dir()), (std::set<std::string>{encrypt_cid}));
  EXPECT_EQ(metric("litc_bridge_blobs_stored_total"), 1u);
  for (const auto& name : files_in(stack_->blob_dir())) {
    EXPECT_EQ(read_file(stack_->blob_dir() / name).find(plaintext), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace litc::it
