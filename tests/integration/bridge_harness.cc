// Integration harness for litc-bridge (see bridge_harness.h).
#include "tests/integration/bridge_harness.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <sstream>

namespace litc::it {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

void set_timeouts(tcp::socket& s, milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

struct HttpClient::Impl {
  std::string host;
  int port;
  milliseconds timeout;
  asio::io_context io;
  std::optional<tcp::socket> socket;
  beast::flat_buffer buffer;

  bool connect() {
    socket.emplace(io);
    beast::error_code ec;
    socket->connect(tcp::endpoint(asio::ip::make_address(host), static_cast<uint16_t>(port)), ec);
    if (ec) {
      socket.reset();
      return false;
    }
    set_timeouts(*socket, timeout);
    buffer.clear();
    return true;
  }

  std::optional<HttpResult> once(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& content_type) {
    if (!socket && !connect()) return std::nullopt;
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, host);
    req.keep_alive(true);
    if (!body.empty() || method == "POST") {
      if (!content_type.empty()) req.set(http::field::content_type, content_type);
      req.body() = body;
      req.prepare_payload();
    }
    beast::error_code ec;
    http::write(*socket, req, ec);
    if (ec) {
      socket.reset();
      return std::nullopt;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    // A socket with SO_RCVTIMEO is never restarted after a signal (signal(7)): an EINTR is not the
    // bridge's answer, so the read goes on with the same parser (a write is not retried: a second
    // http::write would send the request again from its start).
    do {
      http::read(*socket, buffer, parser, ec);
    } while (ec == asio::error::interrupted);
    if (ec) {
      socket.reset();
      return std::nullopt;
    }
    auto res = parser.release();
    HttpResult r;
    r.status = static_cast<int>(res.result_int());
    r.body = std::move(res.body());
    r.content_type = std::string(res[http::field::content_type]);
    if (!res.keep_alive()) socket.reset();
    return r;
  }
};

HttpClient::HttpClient(std::string host, int port, milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& content_type) {
  // A kept-alive connection the server closed meanwhile fails once: try a fresh one.
  const bool reused = impl_->socket.has_value();
  if (auto r = impl_->once(method, target, body, content_type)) return *r;
  if (reused) {
    if (auto r = impl_->once(method, target, body, content_type)) return *r;
  }
  return HttpResult{};
}

std::string HttpClient::raw(const std::string& bytes) {
  Impl fresh;
  fresh.host = impl_->host;
  fresh.port = impl_->port;
  fresh.timeout = milliseconds(3000);
  if (!fresh.connect()) return "";
  beast::error_code ec;
  asio::write(*fresh.socket, asio::buffer(bytes), ec);
  std::string out;
  char chunk[4096];
  while (true) {
    std::size_t n = fresh.socket->read_some(asio::buffer(chunk), ec);
    if (ec || n == 0) break;
    out.append(chunk, n);
    // One answer is all a malformed request gets; stop once its body is complete.
    auto head_end = out.find("\r\n\r\n");
    if (head_end == std::string::npos) continue;
    auto cl = out.find("Content-Length: ");
    if (cl == std::string::npos) cl = out.find("content-length: ");
    if (cl != std::string::npos && cl < head_end) {
      std::size_t len = std::stoul(out.substr(cl + 16));
      if (out.size() >= head_end + 4 + len) break;
    }
  }
  return out;
}

boost::json::object obj(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

std::string str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string error_code(const HttpResult& r) {
  auto o = obj(r.body);
  const boost::json::value* e = o.if_contains("error");
  return e != nullptr && e->is_object() ? str(e->as_object(), "code") : std::string();
}

int64_t num(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return -1;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return -1;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string one(const CliResult& r) {
  std::string s = r.out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::optional<uint64_t> metric_value(const std::string& text, const std::string& name) {
  const std::string line_start = "\n" + name + " ";
  auto at = ("\n" + text).find(line_start);
  if (at == std::string::npos) return std::nullopt;
  return std::strtoull(text.c_str() + at + name.size() + 1, nullptr, 10);
}

std::string submit_body(const std::string& operation, const std::string& input,
                        const std::string& job_id) {
  std::string body = "{\"operation\":\"" + operation + "\",\"input\":\"" + input + "\"";
  if (!job_id.empty()) body += ",\"jobId\":\"" + job_id + "\"";
  return body + "}";
}

BridgeStack::BridgeStack(BridgeStackOptions options) : options_(std::move(options)) {
  net_ = std::make_unique<Network>(options_.network);
  if (!net_->ok()) return;
  redis_ = std::make_unique<localnet::RedisServer>(net_->dir());
  if (!redis_->running()) {
    ADD_FAILURE() << "redis-server did not start: " << redis_->error();
    return;
  }
  ok_ = start_bridge();
}

bool BridgeStack::start_bridge() {
  const auto file = net_->dir() / "bridge-endpoints";
  const Endpoints& e = net_->endpoints();
  std::vector<std::string> argv = {bin_path("litc-bridge"),
                                   "--broker",
                                   e.clients,
                                   "--events",
                                   e.events,
                                   "--snapshot",
                                   e.snapshot,
                                   "--workers",
                                   e.workers,
                                   "--redis",
                                   redis_->url(),
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--endpoints-file",
                                   file.string(),
                                   "--log-level",
                                   "debug"};
  // Each bridge its own blob store, in the test's directory (not the shared working directory),
  // unless the test names one.
  const auto& extra = options_.bridge_args;
  if (std::find(extra.begin(), extra.end(), "--blob-dir") == extra.end()) {
    argv.insert(argv.end(), {"--blob-dir", blob_dir().string()});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  bridge_ = std::make_unique<ChildProcess>("bridge", argv, net_->dir());
  if (!bridge_->started()) {
    ADD_FAILURE() << bridge_->error();
    return false;
  }
  auto ep = localnet::wait_endpoints_file(file, *bridge_, milliseconds(10000), {"http"});
  if (!ep) {
    ADD_FAILURE() << "litc-bridge did not write " << file << "\n" << bridge_->tail();
    return false;
  }
  std::string hp = ep->get("http");
  http_port_ = std::stoi(hp.substr(hp.rfind(':') + 1));
  return true;
}

BridgeStack::~BridgeStack() {
  if (::testing::Test::HasFailure() && bridge_) {
    std::cerr << bridge_->tail(80);
    if (redis_) std::cerr << redis_->tail(20);
  }
  if (bridge_) bridge_->kill();
}

std::filesystem::path BridgeStack::blob_dir() const {
  return net_->dir() / "blobs";
}

std::unique_ptr<HttpClient> BridgeStack::http(milliseconds timeout) {
  return std::make_unique<HttpClient>("127.0.0.1", http_port_, timeout);
}

bool BridgeStack::wait_healthy(milliseconds timeout) {
  auto client = http(milliseconds(1000));
  return eventually([&] { return client->get("/healthz").status == 200; }, timeout,
                    milliseconds(50));
}

CliResult BridgeStack::redis_cli(const std::vector<std::string>& args, milliseconds timeout) {
  std::vector<std::string> argv = {"redis-cli", "-p", std::to_string(redis_->port())};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(numbered("redis-cli-", ++cli_runs_), argv, net_->dir());
  CliResult r;
  auto start = Clock::now();
  auto code = p.wait(timeout);
  r.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  if (!code) {
    p.kill();
    r.exit_code = -1;
  } else {
    r.exit_code = *code;
  }
  r.out = p.out();
  r.err = p.err();
  return r;
}

std::unique_ptr<ChildProcess> BridgeStack::redis_cli_background(
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"redis-cli", "-p", std::to_string(redis_->port())};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<ChildProcess>(numbered("redis-sub-", ++cli_runs_), argv, net_->dir());
}

}  // namespace litc::it
