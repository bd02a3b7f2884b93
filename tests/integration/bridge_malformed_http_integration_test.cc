// litc-bridge against bad HTTP requests: a table of malformed, invalid, oversized, mistyped and
// misrouted requests, each answered with its status and error code ({"error":{"code","message"}}),
// after each of which the bridge still answers GET /healthz 200; and nothing it accepted before or
// after the table is lost.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/integration/bridge_harness.h"

namespace litc::it {
namespace {

namespace json = boost::json;

const std::string kSubmit = "/lit-compute/jobs/submit";
const std::string kRegister = "/lit-compute/nodes/register";
const std::string kHeartbeat = "/lit-compute/nodes/heartbeat";
const std::string kComplete = "/lit-compute/jobs/some-job/complete";
constexpr std::size_t kBodyLimit = 4096;

// {"error":{"code","message"}} -> (code, message); empty when the body has no such object.
std::pair<std::string, std::string> error_of(const std::string& body) {
  auto o = obj(body);
  const json::value* e = o.if_contains("error");
  if (e == nullptr || !e->is_object()) return {};
  return {str(e->as_object(), "code"), str(e->as_object(), "message")};
}

// Status line and body of a raw HTTP/1.1 response.
HttpResult parse_raw(const std::string& raw) {
  HttpResult r;
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return r;
  r.status = std::stoi(raw.substr(9, 3));
  auto head_end = raw.find("\r\n\r\n");
  if (head_end != std::string::npos) r.body = raw.substr(head_end + 4);
  return r;
}

struct BadRequest {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
  std::string content_type = "application/json";
  std::string raw;  // when set: these bytes on a fresh connection instead of a request
  int status;
  std::string code;
};

std::vector<BadRequest> table() {
  const std::string big_input(kBodyLimit + 100, 'x');
  const std::string deep(1000, '[');
  return {
      {"truncated JSON", "POST", kSubmit, R"({"operation":)", "application/json", "", 400,
       "malformed_json"},
      {"empty body", "POST", kSubmit, "", "application/json", "", 400, "malformed_json"},
      {"JSON array, not object", "POST", kSubmit, R"([{"operation":"echo"}])", "application/json",
       "", 400, "malformed_json"},
      {"JSON string, not object", "POST", kSubmit, R"("echo")", "application/json", "", 400,
       "malformed_json"},
      {"invalid UTF-8 in a string", "POST", kSubmit, "{\"operation\":\"echo\",\"input\":\"\xff\"}",
       "application/json", "", 400, "malformed_json"},
      {"1000 nested arrays", "POST", kSubmit, deep, "application/json", "", 400, "malformed_json"},
      {"missing operation", "POST", kSubmit, R"({"input":"x"})", "application/json", "", 400,
       "invalid_argument"},
      {"empty operation", "POST", kSubmit, R"({"operation":"","input":"x"})", "application/json",
       "", 400, "invalid_argument"},
      {"operation not a string", "POST", kSubmit, R"({"operation":5,"input":"x"})",
       "application/json", "", 400, "invalid_argument"},
      {"input an object", "POST", kSubmit, R"({"operation":"echo","input":{"a":1}})",
       "application/json", "", 400, "invalid_argument"},
      {"jobId a number", "POST", kSubmit, R"({"operation":"echo","input":"x","jobId":7})",
       "application/json", "", 400, "invalid_argument"},
      {"priority a string", "POST", kSubmit, R"({"operation":"echo","input":"x","priority":"x"})",
       "application/json", "", 400, "invalid_argument"},
      {"priority a fraction", "POST", kSubmit, R"({"operation":"echo","input":"x","priority":1.5})",
       "application/json", "", 400, "invalid_argument"},
      {"priority past int32", "POST", kSubmit,
       R"({"operation":"echo","input":"x","priority":1099511627776})", "application/json", "", 400,
       "invalid_argument"},
      {"input and inputBase64", "POST", kSubmit,
       R"({"operation":"echo","input":"x","inputBase64":"eA=="})", "application/json", "", 400,
       "invalid_argument"},
      {"bad base64", "POST", kSubmit, R"({"operation":"echo","inputBase64":"!!not base64!!"})",
       "application/json", "", 400, "invalid_argument"},
      {"maxAttempts over 100", "POST", kSubmit,
       R"({"operation":"echo","input":"x","maxAttempts":1000})", "application/json", "", 400,
       "invalid_argument"},
      {"maxAttempts negative", "POST", kSubmit,
       R"({"operation":"echo","input":"x","maxAttempts":-1})", "application/json", "", 400,
       "invalid_argument"},
      {"timeoutMs negative", "POST", kSubmit, R"({"operation":"echo","input":"x","timeoutMs":-5})",
       "application/json", "", 400, "invalid_argument"},
      {"unknown operation (broker refuses)", "POST", kSubmit,
       R"({"operation":"mine-bitcoin","input":"x"})", "application/json", "", 400,
       "unknown_operation"},
      {"body over --body-limit", "POST", kSubmit,
       R"({"operation":"echo","input":")" + big_input + "\"}", "application/json", "", 413,
       "body_too_large"},
      {"Content-Length over --body-limit, no body sent", "", "", "", "",
       "POST /lit-compute/jobs/submit HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
       "Content-Length: 99999999\r\n\r\n",
       413, "body_too_large"},
      {"text/plain body", "POST", kSubmit, R"({"operation":"echo","input":"x"})", "text/plain", "",
       415, "unsupported_media_type"},
      {"JSON in latin1", "POST", kSubmit, R"({"operation":"echo","input":"x"})",
       "application/json; charset=latin1", "", 415, "unsupported_media_type"},
      {"no Content-Type", "POST", kSubmit, R"({"operation":"echo","input":"x"})", "", "", 415,
       "unsupported_media_type"},
      {"unknown route", "GET", "/lit-compute/nope", "", "", "", 404, "not_found"},
      {"too many segments", "GET", "/lit-compute/jobs/a/b/c", "", "", "", 404, "not_found"},
      {"outside the API", "GET", "/", "", "", "", 404, "not_found"},
      {"DELETE on submit", "DELETE", kSubmit, "", "", "", 405, "method_not_allowed"},
      {"GET on cancel", "GET", "/lit-compute/jobs/x/cancel", "", "", "", 405, "method_not_allowed"},
      {"POST on healthz", "POST", "/healthz", "{}", "application/json", "", 405,
       "method_not_allowed"},
      {"TLS hello on plain HTTP", "", "", "", "",
       std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "garbage\r\n\r\n", 400,
       "malformed_request"},
      {"header line without colon", "", "", "", "",
       "GET /healthz HTTP/1.1\r\nHost: t\r\nthis is not a header\r\n\r\n", 400,
       "malformed_request"},
      {"bad Content-Length", "", "", "", "",
       "POST /lit-compute/jobs/submit HTTP/1.1\r\nHost: t\r\nContent-Length: twelve\r\n\r\n", 400,
       "malformed_request"},
      {"header over 16 KiB", "", "", "", "",
       "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431,
       "header_too_large"},
      {"register without capabilities", "POST", kRegister,
       R"({"walletAddress":"0x00000000000000000000000000000000000000a1","publicKey":"0x2"})",
       "application/json", "", 400, "invalid_argument"},
      {"submit with a jobId no path can name", "POST", "/lit-compute/jobs/submit",
       R"({"operation":"echo","input":"x","jobId":"a b/c"})", "application/json", "", 400,
       "invalid_argument"},
      {"register with a nodeId over 128 bytes", "POST", kRegister,
       R"({"nodeId":")" + std::string(129, 'n') +
           R"(","walletAddress":"0x00000000000000000000000000000000000000a1","capabilities":{"maxConcurrentJobs":1,"supportedOperations":["echo"]}})",
       "application/json", "", 400, "invalid_argument"},
      {"register with the seed's example wallet", "POST", kRegister,
       R"({"walletAddress":"0x123...","capabilities":{"maxConcurrentJobs":1,"supportedOperations":["echo"]}})",
       "application/json", "", 400, "invalid_argument"},
      {"register with a wallet whose EIP-55 checksum is wrong", "POST", kRegister,
       R"({"walletAddress":"0x5AAEB6053f3E94C9b9A09f33669435E7Ef1BeAed","capabilities":{"maxConcurrentJobs":1,"supportedOperations":["echo"]}})",
       "application/json", "", 400, "invalid_argument"},
      {"register with capabilities an array", "POST", kRegister,
       R"({"walletAddress":"0x00000000000000000000000000000000000000a1","capabilities":[]})",
       "application/json", "", 400, "invalid_argument"},
      {"register without walletAddress", "POST", kRegister,
       R"({"capabilities":{"maxConcurrentJobs":1,"supportedOperations":["echo"]}})",
       "application/json", "", 400, "invalid_argument"},
      {"register with no operations", "POST", kRegister,
       R"({"walletAddress":"0x00000000000000000000000000000000000000a1","capabilities":{"maxConcurrentJobs":1,"supportedOperations":[]}})",
       "application/json", "", 400, "invalid_argument"},
      {"register with a non-string operation", "POST", kRegister,
       R"({"walletAddress":"0x00000000000000000000000000000000000000a1","capabilities":{"supportedOperations":[1]}})",
       "application/json", "", 400, "invalid_argument"},
      {"register with maxConcurrentJobs 0", "POST", kRegister,
       R"({"walletAddress":"0x00000000000000000000000000000000000000a1","capabilities":{"maxConcurrentJobs":0,"supportedOperations":["echo"]}})",
       "application/json", "", 400, "invalid_argument"},
      {"heartbeat without nodeId", "POST", kHeartbeat, "{}", "application/json", "", 400,
       "invalid_argument"},
      {"heartbeat with an array", "POST", kHeartbeat, "[]", "application/json", "", 400,
       "malformed_json"},
      {"complete without nodeId", "POST", kComplete, R"({"output":"x"})", "application/json", "",
       400, "invalid_argument"},
      {"complete with bad outputBase64", "POST", kComplete,
       R"({"nodeId":"n","outputBase64":"%%%"})", "application/json", "", 400, "invalid_argument"},
      {"complete with error a number", "POST", kComplete, R"({"nodeId":"n","error":5})",
       "application/json", "", 400, "invalid_argument"},
  };
}

double sample(const std::string& metrics, const std::string& name) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return 0;
}

TEST(BridgeMalformedHttp, EveryBadRequestGetsItsStatusAndCodeAndTheBridgeKeepsServing) {
  BridgeStackOptions o;
  o.network = load_test_options();
  o.bridge_args = {"--body-limit", std::to_string(kBodyLimit)};
  BridgeStack s(o);
  ASSERT_TRUE(s.ok());
  s.net().add_worker("w1", "echo,sleep", 2);
  ASSERT_TRUE(s.net().wait_workers_online(1));
  ASSERT_TRUE(s.wait_healthy());
  auto c = s.http();

  // Accepted before the table: must complete whatever the table does meanwhile.
  for (int i = 0; i < 3; ++i) {
    auto r = c->post(kSubmit, submit_body("sleep", "200", numbered("before-", i)));
    ASSERT_EQ(r.status, 202) << r.body;
  }

  int submit_400s = 0;
  int malformed_400s = 0;
  for (const auto& t : table()) {
    SCOPED_TRACE(t.name);
    HttpResult r;
    if (!t.raw.empty()) {
      r = parse_raw(c->raw(t.raw));
      if (t.status == 400) ++malformed_400s;
    } else {
      r = c->request(t.method, t.target, t.body, t.content_type);
      if (t.target == kSubmit && t.status == 400) ++submit_400s;
    }
    EXPECT_EQ(r.status, t.status) << r.body;
    auto [code, message] = error_of(r.body);
    EXPECT_EQ(code, t.code) << r.body;
    EXPECT_FALSE(message.empty()) << r.body;
    EXPECT_LT(r.body.size(), 1024u) << "error answers are bounded";
    auto h = c->get("/healthz");
    EXPECT_EQ(h.status, 200) << "after \"" << t.name << "\": " << h.body;
  }

  // Counted by route and status: the submit refusals under jobs_submit, unparsable requests under
  // "malformed".
  auto m = c->get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(sample(m.body, R"(litc_bridge_http_requests_total{route="jobs_submit",status="400"})"),
            submit_400s)
      << m.body;
  EXPECT_EQ(sample(m.body, R"(litc_bridge_http_requests_total{route="malformed",status="400"})"),
            malformed_400s)
      << m.body;

  // Nothing accepted is lost, and no refused request created a job.
  auto r = c->post(kSubmit, submit_body("echo", "after the table", "after"));
  ASSERT_EQ(r.status, 202) << r.body;
  for (const std::string id : {"before-0", "before-1", "before-2", "after"}) {
    json::object job;
    EXPECT_TRUE(eventually(
        [&] {
          job = obj(c->get("/lit-compute/jobs/" + id).body);
          return str(job, "status") == "completed";
        },
        milliseconds(10000)))
        << id << ": " << json::serialize(job);
  }
  auto stats = obj(c->get("/lit-compute/jobs/stats").body);
  ASSERT_TRUE(stats.contains("broker")) << json::serialize(stats);
  EXPECT_EQ(stats.at("broker").as_object().at("submitted_total").to_number<int64_t>(), 4)
      << json::serialize(stats);
  EXPECT_EQ(s.net().stat("jobs_completed"), 4u);
}

}  // namespace
}  // namespace litc::it
