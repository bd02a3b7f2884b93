// HttpServer end to end: a real server on 127.0.0.1 port 0, driven by a Beast client (and curl),
// checking every promise of the DESIGN paragraph in bridge/http/http_server.h.
#include "bridge/http/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace litc::bridge {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

using Response = http::response<http::string_body>;

// A blocking HTTP client with deadlines: each call runs one async Beast operation on a private
// io_context, so a server that never answers fails the test instead of hanging it.
class Client {
 public:
  explicit Client(unsigned short port) : stream_(ioc_) {
    stream_.expires_after(5s);
    beast::error_code ec;
    stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code e) { ec = e; });
    run();
    if (ec) throw std::runtime_error("connect: " + ec.message());
  }

  void send_raw(std::string_view bytes) {
    stream_.expires_after(5s);
    beast::error_code ec;
    net::async_write(stream_, net::buffer(bytes.data(), bytes.size()),
                     [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) throw std::runtime_error("write: " + ec.message());
  }

  void send(http::request<http::string_body> request) {
    request.prepare_payload();
    std::ostringstream text;
    text << request;
    send_raw(text.str());
  }

  // One response, or nullopt (with error() set) when the connection ended or the deadline passed.
  std::optional<Response> read(std::chrono::milliseconds timeout = 5s) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    stream_.expires_after(timeout);
    error_ = {};
    http::async_read(stream_, buffer_, parser,
                     [&](beast::error_code e, std::size_t) { error_ = e; });
    run();
    if (error_) return std::nullopt;
    return parser.release();
  }

  // One request, one response.
  std::optional<Response> request(http::verb method, std::string target, std::string body = "",
                                  std::string content_type = "") {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = std::move(body);
    send(std::move(req));
    return read();
  }

  // True when the server closed the connection (a read ends with EOF, not with the deadline).
  bool closed_by_server(std::chrono::milliseconds timeout) {
    auto response = read(timeout);
    return !response && error_ != beast::error::timeout;
  }

  beast::error_code error() const { return error_; }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }

  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code error_;
};

// The "code" of a JSON error body, or a description of what was there instead.
std::string error_code_of(const Response& response) {
  boost::system::error_code ec;
  auto value = boost::json::parse(response.body(), ec);
  if (ec || !value.is_object()) return "not JSON: " + response.body();
  const auto* error = value.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return "no error object: " + response.body();
  const auto* code = error->as_object().if_contains("code");
  if (code == nullptr || !code->is_string()) return "no code: " + response.body();
  const auto* message = error->as_object().if_contains("message");
  if (message == nullptr || !message->is_string()) return "no message: " + response.body();
  return std::string(code->as_string());
}

struct CurlResult {
  unsigned status = 0;
  std::string body;
};

// Runs curl (Debian package, listed in scripts/deps) with `args` and returns status and body.
CurlResult curl(const std::string& args) {
  std::string command = "curl -sS --max-time 10 -o - -w '\\n%{http_code}' " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::string out;
  char chunk[4096];
  std::size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) out.append(chunk, n);
  pclose(pipe);
  CurlResult result;
  auto newline = out.rfind('\n');
  if (newline == std::string::npos) return result;
  result.body = out.substr(0, newline);
  result.status = static_cast<unsigned>(std::stoul(out.substr(newline + 1)));
  return result;
}

std::string echo_json(const ApiRequest& request) {
  boost::json::object o;
  o["path"] = request.path;
  o["query"] = request.query;
  o["body"] = request.body;
  o["contentType"] = request.content_type;
  o["remote"] = request.remote;
  boost::json::array params;
  for (const auto& p : request.params) params.emplace_back(p);
  o["params"] = std::move(params);
  return boost::json::serialize(o);
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    router_.add(HttpVerb::get, "/lit-compute/jobs/:id", "jobs_get",
                [](ApiRequest&& request, Respond respond) {
                  respond({200, echo_json(request), "application/json", ""});
                });
    router_.add(HttpVerb::get, "/lit-compute/jobs/pending/list", "jobs_pending",
                [](ApiRequest&&, Respond respond) {
                  respond({200, "[]", "application/json", ""});
                });
    router_.add(
        HttpVerb::post, "/lit-compute/jobs/submit", "jobs_submit",
        [](ApiRequest&& request, Respond respond) {
          respond({202, echo_json(request), "application/json", ""});
        },
        RouteOptions{.json_body = true});
    // Answers 50 ms later from a thread of the test's own, as a broker reply would.
    router_.add(HttpVerb::get, "/later", "later", [this](ApiRequest&&, Respond respond) {
      std::lock_guard lock(mu_);
      threads_.emplace_back([respond = std::move(respond)] {
        std::this_thread::sleep_for(50ms);
        respond({200, "{\"late\":true}", "application/json", ""});
      });
    });
    // Keeps its Respond without calling it; the test may call it afterwards.
    router_.add(HttpVerb::get, "/never", "never", [this](ApiRequest&&, Respond respond) {
      std::lock_guard lock(mu_);
      kept_.push_back(std::move(respond));
    });
    router_.add(HttpVerb::get, "/throws", "throws",
                [](ApiRequest&&, Respond) { throw std::runtime_error("handler bug"); });
    router_.add(HttpVerb::delete_, "/nothing", "nothing", [](ApiRequest&&, Respond respond) {
      respond({204, "", "", ""});
    });
  }

  ~HttpServerTest() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& thread : threads) thread.join();
  }

  HttpServer& start(HttpServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(std::move(options), router_, metrics_);
    server_->start();
    return *server_;
  }

  unsigned short port() const { return server_->port(); }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }

  // The server still answers a fresh connection after whatever the test did.
  void expect_still_serving() {
    Client client(port());
    auto response = client.request(http::verb::get, "/lit-compute/jobs/alive");
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ(response->result_int(), 200u);
  }

  std::vector<Respond> take_kept() {
    std::lock_guard lock(mu_);
    return std::exchange(kept_, {});
  }

  // The Respond callbacks /never kept, once there is at least one (or none after 2 s).
  std::vector<Respond> wait_for_kept() {
    for (int i = 0; i < 400; ++i) {
      if (auto kept = take_kept(); !kept.empty()) return kept;
      std::this_thread::sleep_for(5ms);
    }
    return {};
  }

  Router router_;
  HttpMetrics metrics_;
  std::mutex mu_;
  std::vector<std::thread> threads_;
  std::vector<Respond> kept_;
  std::unique_ptr<HttpServer> server_;  // last: stopped before what its handlers use
};

TEST_F(HttpServerTest, RoutesByPatternAndPassesParamsQueryBodyAndPeer) {
  start();
  Client client(port());
  auto response = client.request(http::verb::get, "/lit-compute/jobs/abc%20d?verbose=1&x=2");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ((*response)[http::field::content_type], "application/json");
  EXPECT_EQ((*response)[http::field::server], "litc-bridge");
  auto body = boost::json::parse(response->body()).as_object();
  EXPECT_EQ(body["path"].as_string(), "/lit-compute/jobs/abc%20d");
  EXPECT_EQ(body["query"].as_string(), "verbose=1&x=2");
  EXPECT_EQ(body["params"].as_array().at(0).as_string(), "abc d");
  EXPECT_TRUE(body["remote"].as_string().starts_with("127.0.0.1:"));

  // A literal route beside a parameter route under the same prefix.
  auto pending = client.request(http::verb::get, "/lit-compute/jobs/pending/list");
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->result_int(), 200u);
  EXPECT_EQ(pending->body(), "[]");
}

TEST_F(HttpServerTest, AnswersUnknownPathWith404NotFoundAndKeepsConnection) {
  start();
  Client client(port());
  auto response = client.request(http::verb::get, "/lit-compute/nope");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 404u);
  EXPECT_EQ(error_code_of(*response), "not_found");
  EXPECT_TRUE(response->keep_alive());
  auto next = client.request(http::verb::get, "/lit-compute/jobs/x");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(HttpServerTest, AnswersWrongMethodWith405MethodNotAllowed) {
  start();
  Client client(port());
  auto response = client.request(http::verb::delete_, "/lit-compute/jobs/abc");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 405u);
  EXPECT_EQ(error_code_of(*response), "method_not_allowed");
  auto submit_get = client.request(http::verb::get, "/lit-compute/jobs/submit");
  ASSERT_TRUE(submit_get);  // GET has a matching route (":id"), so this is not a 405
  EXPECT_EQ(submit_get->result_int(), 200u);
}

TEST_F(HttpServerTest, AnswersBodyOverLimitWith413AndKeepsServing) {
  start({.body_limit = 64});
  Client client(port());
  auto response = client.request(http::verb::post, "/lit-compute/jobs/submit", std::string(65, 'x'),
                                 "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_EQ(error_code_of(*response), "body_too_large");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.closed_by_server(2s));
  expect_still_serving();

  // Exactly at the limit is accepted.
  Client again(port());
  auto ok = again.request(http::verb::post, "/lit-compute/jobs/submit",
                          "\"" + std::string(62, 'y') + "\"", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result_int(), 202u);
}

// The client is still sending megabytes when the 413 is written: the server keeps reading (and
// discarding) after it so that closing does not reset the connection and lose the response.
TEST_F(HttpServerTest, Answers413ToLargeUploadWithoutResettingBeforeTheClientReadsIt) {
  start({.body_limit = 1024});
  Client client(port());
  std::string body(4 << 20, 'x');
  client.send_raw(
      "POST /lit-compute/jobs/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  auto response = client.read();
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_EQ(error_code_of(*response), "body_too_large");
  expect_still_serving();
}

TEST_F(HttpServerTest, AnswersChunkedBodyOverLimitWith413) {
  start({.body_limit = 64});
  Client client(port());
  std::string chunk(40, 'z');
  client.send_raw(
      "POST /lit-compute/jobs/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n28\r\n" +
      chunk + "\r\n28\r\n" + chunk + "\r\n0\r\n\r\n");
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_EQ(error_code_of(*response), "body_too_large");
  expect_still_serving();
}

TEST_F(HttpServerTest, AnswersNonJsonContentTypeWith415AndAcceptsJsonWithCharset) {
  start();
  Client client(port());
  for (const char* type :
       {"text/plain", "", "application/jsonx", "application/json; charset=latin1"}) {
    auto response = client.request(http::verb::post, "/lit-compute/jobs/submit", "{}", type);
    ASSERT_TRUE(response) << type;
    EXPECT_EQ(response->result_int(), 415u) << type;
    EXPECT_EQ(error_code_of(*response), "unsupported_media_type") << type;
  }
  for (const char* type : {"application/json", "Application/JSON; charset=UTF-8",
                           "application/json;charset=\"utf-8\""}) {
    auto response = client.request(http::verb::post, "/lit-compute/jobs/submit", "{}", type);
    ASSERT_TRUE(response) << type;
    EXPECT_EQ(response->result_int(), 202u) << type;
    auto body = boost::json::parse(response->body()).as_object();
    EXPECT_EQ(body["contentType"].as_string(), type);
    EXPECT_EQ(body["body"].as_string(), "{}");
  }
}

TEST_F(HttpServerTest, AnswersGarbageBytesWith400AndKeepsServing) {
  start();
  const std::vector<std::string> cases = {"NOT HTTP\r\n\r\n",
                                          "GET /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                                          std::string("\x16\x03\x01\x02\x00\x01\x00\r\n\r\n", 11),
                                          "GET /x HTTP/1.1\r\nBad Header\r\n\r\n"};
  for (const std::string& garbage : cases) {
    Client client(port());
    client.send_raw(garbage);
    auto response = client.read();
    ASSERT_TRUE(response) << garbage;
    EXPECT_EQ(response->result_int(), 400u) << garbage;
    EXPECT_EQ(error_code_of(*response), "malformed_request") << garbage;
    EXPECT_TRUE(client.closed_by_server(2s));
    expect_still_serving();
  }
  EXPECT_EQ(metrics_.count("malformed", 400), 4u);
}

TEST_F(HttpServerTest, AnswersHeaderOverLimitWith431) {
  start({.header_limit = 1024});
  Client client(port());
  client.send_raw("GET /lit-compute/jobs/a HTTP/1.1\r\nHost: x\r\nX-Big: " +
                  std::string(2000, 'b') + "\r\n\r\n");
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 431u);
  EXPECT_EQ(error_code_of(*response), "header_too_large");
  expect_still_serving();
}

TEST_F(HttpServerTest, KeepsConnectionAliveAcrossRequestsAndAnswersPipelinedInOrder) {
  start();
  Client client(port());
  auto first = client.request(http::verb::get, "/lit-compute/jobs/one");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->keep_alive());
  auto second = client.request(http::verb::get, "/lit-compute/jobs/two");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->result_int(), 200u);
  EXPECT_NE(second->body().find("\"two\""), std::string::npos);

  // Two requests in one write, the first answered later by another thread: order is kept.
  client.send_raw(
      "GET /later HTTP/1.1\r\nHost: x\r\n\r\nGET /lit-compute/jobs/three HTTP/1.1\r\nHost: "
      "x\r\n\r\n");
  auto later = client.read();
  auto third = client.read();
  ASSERT_TRUE(later);
  ASSERT_TRUE(third);
  EXPECT_EQ(later->body(), "{\"late\":true}");
  EXPECT_NE(third->body().find("\"three\""), std::string::npos);
}

TEST_F(HttpServerTest, ClosesConnectionAfterAnsweringHttp10Request) {
  start();
  Client client(port());
  client.send_raw("GET /lit-compute/jobs/old HTTP/1.0\r\n\r\n");
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->version(), 10u);
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.closed_by_server(2s));

  // HTTP/1.1 with Connection: close is closed too.
  Client other(port());
  other.send_raw("GET /lit-compute/jobs/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto closing = other.read();
  ASSERT_TRUE(closing);
  EXPECT_FALSE(closing->keep_alive());
  EXPECT_TRUE(other.closed_by_server(2s));
}

TEST_F(HttpServerTest, DeliversAnswerGivenLaterFromAnotherThread) {
  start();
  Client client(port());
  auto t0 = std::chrono::steady_clock::now();
  auto response = client.request(http::verb::get, "/later");
  ASSERT_TRUE(response);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->body(), "{\"late\":true}");
}

TEST_F(HttpServerTest, AnswersWith504WhenHandlerNeverRespondsAndDropsTheLateAnswer) {
  start({.handler_timeout = 100ms});
  Client client(port());
  auto t0 = std::chrono::steady_clock::now();
  auto response = client.request(http::verb::get, "/never");
  ASSERT_TRUE(response);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);
  EXPECT_EQ(response->result_int(), 504u);
  EXPECT_EQ(error_code_of(*response), "handler_timeout");

  // The late answer, twice, does nothing: the next response on the connection is the next one's.
  auto kept = take_kept();
  ASSERT_EQ(kept.size(), 1u);
  kept[0]({200, "{\"stale\":true}", "application/json", ""});
  kept[0]({200, "{\"stale\":true}", "application/json", ""});
  auto next = client.request(http::verb::get, "/lit-compute/jobs/next");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
  EXPECT_NE(next->body().find("\"next\""), std::string::npos);
  EXPECT_EQ(metrics_.count("never", 504), 1u);
  EXPECT_EQ(metrics_.count("never", 200), 0u);
}

TEST_F(HttpServerTest, Answers500WhenHandlerThrows) {
  start();
  Client client(port());
  auto response = client.request(http::verb::get, "/throws");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500u);
  EXPECT_EQ(error_code_of(*response), "internal_error");
  expect_still_serving();
}

TEST_F(HttpServerTest, Sends204WithoutBodyOrContentLength) {
  start();
  Client client(port());
  auto response = client.request(http::verb::delete_, "/nothing");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 204u);
  EXPECT_EQ(response->count(http::field::content_length), 0u);
  auto next = client.request(http::verb::get, "/lit-compute/jobs/x");  // framing still right
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(HttpServerTest, ClosesIdleConnectionAfterIdleTimeout) {
  start({.idle_timeout = 150ms});
  Client silent(port());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.closed_by_server(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);

  Client used(port());  // idle after a first request, too
  ASSERT_TRUE(used.request(http::verb::get, "/lit-compute/jobs/x"));
  EXPECT_TRUE(used.closed_by_server(3s));
}

TEST_F(HttpServerTest, SendsContinueBeforeReadingBodyWhenClientExpectsIt) {
  start();
  Client client(port());
  client.send_raw(
      "POST /lit-compute/jobs/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  auto interim = client.read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100u);
  client.send_raw("{}");
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 202u);
}

TEST_F(HttpServerTest, RespondAfterClientLeftOrServerStoppedDoesNothing) {
  start();
  std::vector<Respond> kept;
  {
    Client client(port());
    client.send_raw("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
    kept = wait_for_kept();
  }  // the client leaves before the answer
  ASSERT_EQ(kept.size(), 1u);
  kept[0]({200, "{}", "application/json", ""});
  expect_still_serving();

  Client client(port());
  client.send_raw("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
  kept = wait_for_kept();
  ASSERT_EQ(kept.size(), 1u);
  server_->stop();
  EXPECT_TRUE(client.closed_by_server(2s));
  Respond copy = kept[0];
  kept[0]({200, "{}", "application/json", ""});  // after stop(): nothing happens, nothing crashes
  server_.reset();
  copy({200, "{}", "application/json",
        ""});  // after the server is destroyed, a copy: nothing either
  std::thread([respond = std::move(kept[0])] {
    respond({200, "{}", "application/json", ""});
  }).join();  // and from another thread
}

TEST_F(HttpServerTest, StopClosesOpenConnectionsAndReturnsPromptly) {
  start({.idle_timeout = 30s, .threads = 2});
  Client idle(port());
  Client busy(port());
  busy.send_raw("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_TRUE(idle.closed_by_server(2s));
  EXPECT_TRUE(busy.closed_by_server(2s));
  server_->stop();  // twice is fine
}

TEST_F(HttpServerTest, ServesConcurrentClientsOnSeveralThreads) {
  start({.threads = 2});
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(port());
      for (int i = 0; i < kRequests; ++i) {
        std::string id = std::to_string(c) + "-" + std::to_string(i);
        auto response = client.request(http::verb::get, "/lit-compute/jobs/" + id);
        if (response && response->result_int() == 200 &&
            response->body().find("\"" + id + "\"") != std::string::npos) {
          ++ok;
        }
      }
    });
  }
  for (auto& thread : clients) thread.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(metrics_.count("jobs_get", 200), static_cast<uint64_t>(kClients * kRequests));
}

TEST_F(HttpServerTest, CountsEveryRequestOnceByRouteAndStatus) {
  start({.body_limit = 64, .handler_timeout = 50ms});
  {
    Client client(port());
    ASSERT_TRUE(client.request(http::verb::get, "/lit-compute/jobs/a"));
    ASSERT_TRUE(client.request(http::verb::get, "/lit-compute/jobs/b"));
    ASSERT_TRUE(client.request(http::verb::get, "/nowhere"));
    ASSERT_TRUE(client.request(http::verb::put, "/lit-compute/jobs/a"));
    ASSERT_TRUE(client.request(http::verb::post, "/lit-compute/jobs/submit", "{}", "text/plain"));
    ASSERT_TRUE(client.request(http::verb::get, "/never"));
    ASSERT_TRUE(client.request(http::verb::post, "/lit-compute/jobs/submit", std::string(100, 'x'),
                               "application/json"));
  }
  {
    Client client(port());
    client.send_raw("NOT HTTP\r\n\r\n");
    ASSERT_TRUE(client.read());
  }
  EXPECT_EQ(metrics_.count("jobs_get", 200), 2u);
  EXPECT_EQ(metrics_.count("unmatched", 404), 1u);
  EXPECT_EQ(metrics_.count("jobs_get", 405), 1u);
  EXPECT_EQ(metrics_.count("jobs_submit", 415), 1u);
  EXPECT_EQ(metrics_.count("never", 504), 1u);
  EXPECT_EQ(metrics_.count("jobs_submit", 413), 1u);
  EXPECT_EQ(metrics_.count("malformed", 400), 1u);
  std::string text;
  metrics_.render(text);
  EXPECT_NE(text.find("litc_bridge_http_requests_total{route=\"jobs_get\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
}

TEST_F(HttpServerTest, ServesCurlRequests) {
  start({.body_limit = 1024});
  auto get = curl("'" + url("/lit-compute/jobs/from-curl?a=b") + "'");
  EXPECT_EQ(get.status, 200u) << get.body;
  EXPECT_NE(get.body.find("\"from-curl\""), std::string::npos) << get.body;

  auto post = curl("-H 'Content-Type: application/json' --data '{\"operation\":\"sha256\"}' " +
                   url("/lit-compute/jobs/submit"));
  EXPECT_EQ(post.status, 202u) << post.body;
  EXPECT_NE(post.body.find("sha256"), std::string::npos) << post.body;

  auto missing = curl(url("/lit-compute/missing"));
  EXPECT_EQ(missing.status, 404u);
  EXPECT_NE(missing.body.find("\"code\":\"not_found\""), std::string::npos) << missing.body;

  auto wrong_type =
      curl("-H 'Content-Type: text/plain' --data 'hi' " + url("/lit-compute/jobs/submit"));
  EXPECT_EQ(wrong_type.status, 415u);
  EXPECT_NE(wrong_type.body.find("\"code\":\"unsupported_media_type\""), std::string::npos)
      << wrong_type.body;

  // Over the limit with curl's own Expect: 100-continue for a large upload.
  auto big = curl("-H 'Content-Type: application/json' -H 'Expect: 100-continue' --data '\"" +
                  std::string(4000, 'q') + "\"' " + url("/lit-compute/jobs/submit"));
  EXPECT_EQ(big.status, 413u) << big.body;
  EXPECT_NE(big.body.find("\"code\":\"body_too_large\""), std::string::npos) << big.body;

  auto after = curl(url("/lit-compute/jobs/after"));
  EXPECT_EQ(after.status, 200u);
}

TEST(HttpServer, ThrowsNamingTheAddressWhenItCannotListen) {
  Router router;
  HttpMetrics metrics;
  HttpServer first({.listen = "127.0.0.1:0"}, router, metrics);
  std::string taken = "127.0.0.1:" + std::to_string(first.port());
  try {
    HttpServer second({.listen = taken}, router, metrics);
    ADD_FAILURE() << "second server bound " << taken;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(taken), std::string::npos) << e.what();
  }
  EXPECT_THROW(HttpServer({.listen = "no-port"}, router, metrics), std::runtime_error);
  EXPECT_THROW(HttpServer({.listen = "127.0.0.1:99999"}, router, metrics), std::runtime_error);
}

}  // namespace
}  // namespace litc::bridge
