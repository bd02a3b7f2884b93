// The bridge's HTTP/1.1 server (Boost.Beast): accepts connections, reads requests with a body
// limit, routes them by method + path pattern, and writes the handler's response. It knows nothing
// about jobs: handlers (bridge/api/) get an ApiRequest and answer through a Respond callback that
// may be called later and from any thread (e.g. after the broker replied).
//
// DESIGN. What every client can rely on, whatever the handler does:
//  - Errors are JSON `{"error":{"code":"…","message":"…"}}`: 400 `malformed_request` (unparsable
//    HTTP), 404 `not_found` (no route), 405 `method_not_allowed` (route exists for other methods),
//    413 `body_too_large` (over HttpServerOptions::body_limit), 415 `unsupported_media_type` (a
//    route marked json_body gets a body whose Content-Type is not application/json), and 431
//    `header_too_large` (request header over HttpServerOptions::header_limit). After 400, 413 and
//    431 the connection is closed (Connection: close): the rest of its bytes cannot be trusted.
//  - Keep-alive as the client asks (HTTP/1.1 default on, HTTP/1.0 off); an idle connection is
//    closed after idle_timeout. A response that is never produced (handler lost its Respond) cannot
//    hang a connection forever: after handler_timeout the client gets 504 `handler_timeout`.
//  - Every request is counted once in HttpMetrics by route name and status.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bridge/http/http_metrics.h"

namespace litc::bridge {

using HttpVerb = boost::beast::http::verb;

struct ApiRequest {
  HttpVerb method = HttpVerb::get;
  std::string path;   // target without the query, e.g. "/lit-compute/jobs/abc"
  std::string query;  // raw text after '?', empty when none
  std::string body;
  std::string content_type;         // as sent, empty when absent
  std::vector<std::string> params;  // values of the route's ":name" segments, in order
  std::string remote;               // "ip:port" of the peer
};

struct ApiResponse {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string error_code;  // set by error_response; /metrics counts errors by it
};

// Exactly once per request; safe to call from any thread, and after the connection is gone (then
// it does nothing).
using Respond = std::function<void(ApiResponse)>;
using Handler = std::function<void(ApiRequest&& request, Respond respond)>;

// {"error":{"code":code,"message":message}} with the given status.
ApiResponse error_response(unsigned status, std::string_view code, std::string_view message);

struct RouteOptions {
  bool json_body = false;  // POST/PUT bodies must be Content-Type application/json (else 415)
};

class Router {
 public:
  // pattern: "/lit-compute/jobs/:id" — literal segments and ":name" segments (one path segment
  // each, non-empty). name is the route's label in metrics ("jobs_get"). Literal segments win over
  // ":name" ones ("/jobs/pending/list" before "/jobs/:id").
  void add(HttpVerb method, std::string pattern, std::string name, Handler handler,
           RouteOptions options = {});

  struct Match {
    const Handler* handler = nullptr;   // null: see status
    const std::string* name = nullptr;  // also set for a 405: the path's route, for metrics
    RouteOptions options;
    std::vector<std::string> params;
    unsigned status = 0;  // 404 or 405 when handler is null
  };
  Match match(HttpVerb method, std::string_view path) const;

 private:
  struct Route;
  std::vector<std::shared_ptr<Route>> routes_;
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::size_t body_limit = 1 << 20;
  std::size_t header_limit = 16 * 1024;
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds handler_timeout{30'000};
  unsigned threads = 1;
};

class HttpServer {
 public:
  // Binds and listens at once (throws std::runtime_error naming the address when it cannot), so
  // port() is known after construction. Serving starts with start().
  HttpServer(HttpServerOptions options, const Router& router, HttpMetrics& metrics);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short port() const;
  void start();  // runs options.threads threads of its own
  void stop();   // closes the listener and every connection; joins the threads

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace litc::bridge
