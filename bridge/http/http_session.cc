// One HTTP/1.1 connection: read a request, route it, hand it to the handler, write what the
// handler (or the handler timeout) answers, repeat while keep-alive holds.
//
// DESIGN. Everything a session does runs on its strand (its socket's executor), one request at a
// time: the next request is read only after the previous response is written, so pipelined
// requests are answered in order. The handler's Respond is the only way in from other threads: it
// carries the request's sequence number and a weak reference to the session, posts onto the
// strand, and is dropped there unless that very request is still waiting (not timed out, the
// connection not closed). Deadlines: reading a request (header, then body) and writing a response
// must each finish within idle_timeout, which also closes a silent keep-alive connection; waiting
// for the handler has handler_timeout, after which the client gets 504 and a late answer is
// dropped. After an error that leaves the byte stream unusable (400, 413, 431) the session answers
// with Connection: close, stops sending, and reads and discards what the client still sends for a
// short while before closing, so the kernel does not reset the connection and destroy the error
// response on its way. Metrics labels: the route's name (also for a 405, or a 413 on a known
// path), "unmatched" for a path no route has, "malformed" for a request that could not be parsed
// (400, 431).
#include "bridge/http/http_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace litc::bridge::detail {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kServerName = "litc-bridge";
// How long an error-closed connection keeps reading (and discarding) before the final close.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kDrainChunk = 4096;
// Bytes of a malformed request quoted in the log line.
constexpr std::size_t kLogSnippet = 64;
// Requests echoed in error messages are cut to this many bytes.
constexpr std::size_t kEchoLimit = 200;

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

std::string_view query_of(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

// Peer bytes shown in logs and error messages: printable ASCII as is, anything else as \xNN, at
// most `limit` input bytes (so the output is valid UTF-8 and bounded whatever the peer sent).
std::string printable(std::string_view s, std::size_t limit) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  if (s.size() > limit) out += "...";
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// application/json, any case, with optional parameters; a charset other than UTF-8 is refused
// because JSON text is UTF-8 (RFC 8259) and handlers parse it as such.
bool is_json_media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  if (!beast::iequals(trim(content_type.substr(0, semi)), "application/json")) return false;
  while (semi != std::string_view::npos) {
    content_type.remove_prefix(semi + 1);
    semi = content_type.find(';');
    std::string_view param = trim(content_type.substr(0, semi));
    auto eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = trim(param.substr(0, eq));
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (beast::iequals(name, "charset") && !beast::iequals(value, "utf-8") &&
        !beast::iequals(value, "utf8")) {
      return false;
    }
  }
  return true;
}

std::string endpoint_text(const tcp::endpoint& ep) {
  auto address = ep.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

}  // namespace

HttpSession::HttpSession(ServerCore& core, tcp::socket socket)
    : core_(core),
      executor_(socket.get_executor()),
      stream_(std::move(socket)),
      handler_timer_(executor_) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? std::string("unknown") : endpoint_text(ep);
}

HttpSession::~HttpSession() {
  core_.remove_session(this);
}

void HttpSession::start() {
  auto self = shared_from_this();
  bool accepted = core_.add_session(this, self);
  net::dispatch(executor_, [self, accepted] {
    if (accepted) {
      self->read_header();
    } else {
      self->close();
    }
  });
}

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  awaiting_handler_ = false;
  handler_timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

void HttpSession::read_header() {
  if (closed_) return;
  parser_.emplace();
  parser_->body_limit(core_.options.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
      core_.options.header_limit, std::numeric_limits<std::uint32_t>::max())));
  match_ = {};
  route_label_.clear();
  version_ = 11;
  linger_ = false;
  stream_.expires_after(core_.options.idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
}

// Routing happens as soon as the header is in, so even a 413 found now is labelled by route.
void HttpSession::label_request() {
  const auto& req = parser_->get();
  version_ = req.version() == 10 ? 10 : 11;
  match_ = core_.router.match(req.method(), path_of(req.target()));
  route_label_ = match_.name != nullptr ? *match_.name : std::string("unmatched");
}

void HttpSession::on_header(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) return on_read_error(ec);
  label_request();
  const auto& req = parser_->get();
  if (!parser_->is_done() && beast::iequals(req[http::field::expect], "100-continue")) {
    // The client waits for this before sending the body (curl does for large uploads).
    continue_ = http::response<http::empty_body>(http::status::continue_, req.version());
    stream_.expires_after(core_.options.idle_timeout);
    http::async_write(stream_, continue_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (self->closed_) return;
                        if (ec) return self->close();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void HttpSession::read_body() {
  if (parser_->is_done()) return dispatch_request();
  stream_.expires_after(core_.options.idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_body, shared_from_this()));
}

void HttpSession::on_body(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) return on_read_error(ec);
  dispatch_request();
}

// Sorts what went wrong while reading: a peer that left or went quiet is routine (debug); a peer
// that sent something we cannot parse is told why, logged (bounded) and counted.
void HttpSession::on_read_error(beast::error_code ec) {
  if (ec == net::error::operation_aborted) return;  // close() ran
  if (ec == http::error::body_limit) {
    if (route_label_.empty()) label_request();
    keep_alive_ = false;
    return write_error(
        413, "body_too_large",
        "request body is over the limit of " + std::to_string(core_.options.body_limit) + " bytes",
        true);
  }
  bool disconnect = ec == http::error::end_of_stream || ec == http::error::partial_message ||
                    ec == beast::error::timeout ||
                    ec.category() != http::make_error_code(http::error::bad_method).category();
  if (disconnect) {
    spdlog::debug("http: {} closed: {}", remote_, ec.message());
    return close();
  }
  route_label_ = "malformed";
  keep_alive_ = false;
  auto pending = buffer_.data();
  std::string_view bytes(static_cast<const char*>(pending.data()), pending.size());
  uint64_t n = core_.malformed.fetch_add(1, std::memory_order_relaxed);
  // Body bytes are never logged: a body may hold a plaintext or a bearer authSig (POST /decrypt).
  const bool in_body = parser_ && parser_->is_header_done();
  spdlog::log(n < 5 ? spdlog::level::warn : spdlog::level::debug,
              "http: malformed request from {}: {} (unparsed: \"{}\")", remote_, ec.message(),
              in_body ? std::string("<body, not shown>") : printable(bytes, kLogSnippet));
  if (ec == http::error::header_limit) {
    return write_error(431, "header_too_large",
                       "request header is over the limit of " +
                           std::to_string(core_.options.header_limit) + " bytes",
                       true);
  }
  write_error(400, "malformed_request", "unparsable HTTP request: " + ec.message(), true);
}

void HttpSession::dispatch_request() {
  auto& req = parser_->get();
  keep_alive_ = req.keep_alive();
  std::string_view target = req.target();
  if (match_.handler == nullptr) {
    std::string what =
        std::string(req.method_string()) + " " + printable(path_of(target), kEchoLimit);
    if (match_.status == 405) {
      return write_error(405, "method_not_allowed", "no route for " + what + " (other methods)",
                         false);
    }
    return write_error(404, "not_found", "no route for " + what, false);
  }
  std::string content_type(req[http::field::content_type]);
  if (match_.options.json_body && !req.body().empty() && !is_json_media_type(content_type)) {
    return write_error(415, "unsupported_media_type",
                       "Content-Type must be application/json, not \"" +
                           printable(content_type, kEchoLimit) + "\"",
                       false);
  }

  ApiRequest request;
  request.method = req.method();
  request.path = std::string(path_of(target));
  request.query = std::string(query_of(target));
  request.body = std::move(req.body());
  request.content_type = std::move(content_type);
  request.params = std::move(match_.params);
  request.remote = remote_;

  uint64_t seq = ++seq_;
  awaiting_handler_ = true;
  stream_.expires_never();  // the handler has its own deadline
  handler_timer_.expires_after(core_.options.handler_timeout);
  handler_timer_.async_wait([self = shared_from_this(), seq](beast::error_code ec) {
    self->on_handler_timeout(seq, ec);
  });

  // Exactly once: the flag is shared by every copy of this Respond. The core is held so that a
  // late call can still post, even after the server object is gone; the session is weak so a
  // late call cannot keep a closed connection alive.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  Respond respond = [core = core_.shared_from_this(), weak = weak_from_this(), seq,
                     answered](ApiResponse response) {
    if (answered->exchange(true)) return;
    auto self = weak.lock();
    if (!self) return;
    auto executor = self->executor();
    net::post(executor, [self = std::move(self), seq, response = std::move(response)]() mutable {
      self->on_response(seq, std::move(response));
    });
  };
  Respond on_throw = respond;
  try {
    (*match_.handler)(std::move(request), std::move(respond));
  } catch (const std::exception& e) {
    spdlog::error("http: handler of route {} threw: {}", route_label_, e.what());
    on_throw(error_response(500, "internal_error", "the request handler failed"));
  } catch (...) {
    spdlog::error("http: handler of route {} threw a non-exception", route_label_);
    on_throw(error_response(500, "internal_error", "the request handler failed"));
  }
}

void HttpSession::on_response(uint64_t seq, ApiResponse response) {
  if (closed_ || !awaiting_handler_ || seq != seq_) return;  // late: timed out or closed
  awaiting_handler_ = false;
  handler_timer_.cancel();
  write(std::move(response), false);
}

void HttpSession::on_handler_timeout(uint64_t seq, beast::error_code ec) {
  // A timer that fired just as the response arrived completes without error: the flags decide.
  if (ec || closed_ || !awaiting_handler_ || seq != seq_) return;
  awaiting_handler_ = false;
  spdlog::warn("http: route {} gave no answer to {} within {} ms", route_label_, remote_,
               core_.options.handler_timeout.count());
  write_error(504, "handler_timeout",
              "no answer within " + std::to_string(core_.options.handler_timeout.count()) + " ms",
              false);
}

void HttpSession::write_error(unsigned status, std::string_view code, std::string_view message,
                              bool close_after) {
  write(error_response(status, code, message), close_after);
}

void HttpSession::write(ApiResponse response, bool close_after) {
  if (response.status < 200 || response.status > 599) {
    // 1xx would be followed by nothing; above 599 Beast refuses it. A handler bug, not the peer's.
    spdlog::error("http: route {} answered invalid status {}", route_label_, response.status);
    response = error_response(500, "internal_error", "the request handler gave an invalid status");
  }
  linger_ = close_after;
  response_ = {};
  response_.version(version_);
  response_.result(response.status);
  response_.set(http::field::server, kServerName);
  response_.keep_alive(keep_alive_ && !close_after);
  // 204 and 304 carry neither a body nor a Content-Length (RFC 9110 8.6).
  if (response.status != 204 && response.status != 304) {
    if (!response.content_type.empty()) {
      response_.set(http::field::content_type, response.content_type);
    }
    response_.body() = std::move(response.body);
    response_.prepare_payload();
  }
  core_.metrics.record(route_label_, response.status, response.error_code);
  stream_.expires_after(core_.options.idle_timeout);
  http::async_write(stream_, response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
}

void HttpSession::on_write(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) {
    spdlog::debug("http: {} write failed: {}", remote_, ec.message());
    return close();
  }
  if (linger_) return linger_close();
  if (!response_.keep_alive()) return close();
  read_header();
}

void HttpSession::linger_close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return close();
  if (!drain_) drain_ = std::make_unique<char[]>(kDrainChunk);
  stream_.expires_after(
      std::min<std::chrono::milliseconds>(kLingerTime, core_.options.idle_timeout));
  stream_.async_read_some(
      net::buffer(drain_.get(), kDrainChunk),
      beast::bind_front_handler(&HttpSession::on_linger_read, shared_from_this()));
}

void HttpSession::on_linger_read(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) return close();  // the peer closed too, or the linger time is up
  stream_.async_read_some(
      net::buffer(drain_.get(), kDrainChunk),
      beast::bind_front_handler(&HttpSession::on_linger_read, shared_from_this()));
}

}  // namespace litc::bridge::detail
