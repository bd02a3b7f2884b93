// Unit tests of JsonRpcChainReader: endpoint parsing (no sockets) and calls against a fake HTTP
// server on loopback (request shape, size limit, timeout, HTTP and JSON-RPC errors).
#include "crypto/conditions/json_rpc_chain_reader.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace litc::crypto {
namespace {

// Accepts connections on 127.0.0.1:<ephemeral>, reads one request each, and answers with what
// `respond(body)` returns (a whole raw HTTP response), or holds the connection silent when it
// returns "".
class FakeHttpServer {
 public:
  explicit FakeHttpServer(std::function<std::string(const std::string&)> respond)
      : respond_(std::move(respond)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
    for (int fd : held_) ::close(fd);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      const std::string body = read_request(fd);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        bodies_.push_back(body);
      }
      const std::string reply = respond_(body);
      if (reply.empty()) {
        held_.push_back(fd);  // silent: never answers, closed at the end of the test
        continue;
      }
      std::size_t sent = 0;
      while (sent < reply.size()) {
        const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::close(fd);
    }
  }

  static std::string read_request(int fd) {
    std::string data;
    char buf[4096];
    std::size_t body_start = std::string::npos;
    std::size_t length = 0;
    while (true) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
      if (body_start == std::string::npos) {
        const std::size_t end = data.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        body_start = end + 4;
        const std::size_t cl = data.find("Content-Length: ");
        if (cl != std::string::npos) length = std::stoul(data.substr(cl + 16));
      }
      if (data.size() >= body_start + length) break;
    }
    return body_start == std::string::npos ? std::string() : data.substr(body_start);
  }

  std::function<std::string(const std::string&)> respond_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::vector<int> held_;
};

std::string http_200(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// A reply echoing the request id with `member` (e.g. `"result":"0x1"`).
std::function<std::string(const std::string&)> json_rpc_reply(std::string member) {
  return [member](const std::string& request) {
    const boost::json::value v = boost::json::parse(request);
    const std::string id = boost::json::serialize(v.at("id"));
    return http_200(R"({"jsonrpc":"2.0","id":)" + id + "," + member + "}");
  };
}

std::unique_ptr<JsonRpcChainReader> reader_for(const std::string& url,
                                               JsonRpcOptions options = {}) {
  auto r = JsonRpcChainReader::create({{"ethereum", url}}, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r.value()) : nullptr;
}

void expect_error(const ConditionError& e, ConditionErrc code, std::string_view fragment) {
  EXPECT_EQ(e.code, code) << e.message;
  EXPECT_NE(e.message.find(fragment), std::string::npos)
      << "message: " << e.message << "\nexpected to contain: " << fragment;
}

TEST(ChainEndpoints, ParsesPairs) {
  auto m = parse_chain_endpoints(
      {"ethereum=http://127.0.0.1:8545", "sepolia = http://[::1]:9000/rpc, base=http://node"});
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m.value().size(), 3u);
  EXPECT_EQ(m.value().at("ethereum"), "http://127.0.0.1:8545");
  EXPECT_EQ(m.value().at("sepolia"), "http://[::1]:9000/rpc");
  EXPECT_EQ(m.value().at("base"), "http://node");
}

TEST(ChainEndpoints, SplitsUrls) {
  auto e = parse_http_endpoint("http://[::1]:9000/rpc?k=v");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value().host, "::1");
  EXPECT_EQ(e.value().port, "9000");
  EXPECT_EQ(e.value().target, "/rpc?k=v");
  auto d = parse_http_endpoint("http://node.example");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().port, "80");
  EXPECT_EQ(d.value().target, "/");
}

TEST(ChainEndpoints, RefusesMalformedValues) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ethereum", "expected chain=http://host:port"},
      {"=http://h:1", "a chain name is letters"},
      {"eth/x=http://h:1", "a chain name is letters"},
      {"x=https://h", "https is not supported"},
      {"x=ftp://h", "expected http://"},
      {"x=http://:80", "no host"},
      {"x=http://h:", "empty port"},
      {"x=http://h:0", "port out of range"},
      {"x=http://h:65536", "port out of range"},
      {"x=http://h:8a", "bad port"},
      {"x=http://user@h", "user info"},
      {"x=http://h_h", "bad host name"},
      {"x=http://[::1", "unclosed ["},
      {"a=http://h,a=http://h2", "chain a: given twice"},
  };
  for (const auto& [value, fragment] : cases) {
    SCOPED_TRACE(value);
    auto m = parse_chain_endpoints({value});
    ASSERT_FALSE(m.ok());
    expect_error(m.error(), ConditionErrc::invalid_argument, fragment);
  }
  auto r = JsonRpcChainReader::create({{"ethereum", "https://x"}});
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), ConditionErrc::invalid_argument, "chain ethereum: endpoint");
}

TEST(JsonRpcChainReader, GetBalanceSendsAJsonRpcRequest) {
  FakeHttpServer server(json_rpc_reply(R"("result":"0x21e19e0c9bab2400000")"));
  auto reader = reader_for(server.url());
  auto r = reader->get_balance("ethereum", "0xabc", "latest");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "0x21e19e0c9bab2400000");
  ASSERT_EQ(server.bodies().size(), 1u);
  const boost::json::value sent = boost::json::parse(server.bodies()[0]);
  EXPECT_EQ(sent.at("jsonrpc"), "2.0");
  EXPECT_EQ(sent.at("method"), "eth_getBalance");
  EXPECT_EQ(boost::json::serialize(sent.at("params")), R"(["0xabc","latest"])");
  EXPECT_TRUE(sent.at("id").is_number());
}

TEST(JsonRpcChainReader, EthCallSendsToAndData) {
  FakeHttpServer server(json_rpc_reply(R"("result":"0x)" + std::string(64, '0') + "\""));
  auto reader = reader_for(server.url());
  auto r = reader->eth_call("ethereum", "0x12", "0x70a08231", "latest");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "0x" + std::string(64, '0'));
  const boost::json::value sent = boost::json::parse(server.bodies().at(0));
  EXPECT_EQ(sent.at("method"), "eth_call");
  EXPECT_EQ(boost::json::serialize(sent.at("params")),
            R"([{"to":"0x12","data":"0x70a08231"},"latest"])");
}

TEST(JsonRpcChainReader, UnknownChainIsUnsupportedWithoutAConnection) {
  FakeHttpServer server(json_rpc_reply(R"("result":"0x0")"));
  auto reader = reader_for(server.url());
  EXPECT_TRUE(reader->supports_chain("ethereum"));
  EXPECT_FALSE(reader->supports_chain("polygon"));
  auto r = reader->get_balance("polygon", "0xabc", "latest");
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), ConditionErrc::unsupported_condition,
               "no RPC endpoint for chain \"polygon\"");
  EXPECT_TRUE(server.bodies().empty());
}

TEST(JsonRpcChainReader, RefusesAResponseOverTheSizeLimit) {
  const std::string big(2 * 1024 * 1024, 'x');
  FakeHttpServer server([&](const std::string&) { return http_200(big); });
  JsonRpcOptions options;
  options.max_response_bytes = 1024 * 1024;
  auto reader = reader_for(server.url(), options);
  auto r = reader->get_balance("ethereum", "0xabc", "latest");
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), ConditionErrc::chain_unavailable,
               "response body over the limit of 1048576 bytes");
}

TEST(JsonRpcChainReader, TimesOutOnASilentNode) {
  FakeHttpServer server([](const std::string&) { return std::string(); });
  JsonRpcOptions options;
  options.timeout = std::chrono::milliseconds(300);
  auto reader = reader_for(server.url(), options);
  const auto start = std::chrono::steady_clock::now();
  auto r = reader->get_balance("ethereum", "0xabc", "latest");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), ConditionErrc::chain_unavailable, "timed out after 300 ms");
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(JsonRpcChainReader, ConnectionRefusedIsChainUnavailable) {
  int port = 0;
  {
    FakeHttpServer gone(json_rpc_reply(R"("result":"0x0")"));
    port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
  }
  auto reader = reader_for("http://127.0.0.1:" + std::to_string(port));
  auto r = reader->get_balance("ethereum", "0xabc", "latest");
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), ConditionErrc::chain_unavailable, "connect");
}

TEST(JsonRpcChainReader, BadAnswersAreChainUnavailable) {
  struct Case {
    const char* name;
    std::function<std::string(const std::string&)> respond;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"HTTP 500",
       [](const std::string&) {
         return std::string("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops");
       },
       "HTTP status 500: oops"},
      {"JSON-RPC error",
       json_rpc_reply(R"("error":{"code":-32000,"message":"execution reverted"})"),
       "JSON-RPC error -32000: execution reverted"},
      {"wrong id",
       [](const std::string&) {
         return http_200(R"({"jsonrpc":"2.0","id":999999,"result":"0x0"})");
       },
       "response id does not match the request"},
      {"no result", json_rpc_reply(R"("x":1)"), "neither result nor error"},
      {"result not hex", json_rpc_reply(R"("result":"12")"), "is not hex"},
      {"result not a string", json_rpc_reply(R"("result":12)"), "result is not a string"},
      {"not JSON", [](const std::string&) { return http_200("<html>"); }, "response: invalid JSON"},
      {"duplicate keys",
       [](const std::string& request) {
         const std::string id = boost::json::serialize(boost::json::parse(request).at("id"));
         return http_200(R"({"id":)" + id + R"(,"result":"0x1","result":"0x2"})");
       },
       "duplicate key \"result\""},
      {"a JSON array", [](const std::string&) { return http_200("[]"); }, "not a JSON object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeHttpServer server(c.respond);
    auto reader = reader_for(server.url());
    auto r = reader->get_balance("ethereum", "0xabc", "latest");
    ASSERT_FALSE(r.ok());
    expect_error(r.error(), ConditionErrc::chain_unavailable, c.fragment);
    // The message names the chain, its endpoint and the method.
    EXPECT_NE(r.error().message.find("chain \"ethereum\""), std::string::npos);
  }
}

TEST(JsonRpcChainReader, EthCallDataMustHaveWholeBytes) {
  FakeHttpServer server(json_rpc_reply(R"("result":"0x123")"));
  auto reader = reader_for(server.url());
  auto r = reader->eth_call("ethereum", "0x12", "0x", "latest");
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), ConditionErrc::chain_unavailable, "is not hex");
}

}  // namespace
}  // namespace litc::crypto
