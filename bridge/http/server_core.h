// Private to bridge/http: the state the listener, every session and every outstanding Respond
// callback share (the io_context, the options, the live-session registry used by stop()).
//
// Lifetime: HttpServer owns a shared_ptr; each Respond callback holds another, so a handler that
// answers after the server is gone posts into a still-existing (no longer running) io_context
// instead of a destroyed one. Sessions refer to it by reference only: they live inside its
// io_context, and a session owning it back would be a cycle that never frees.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "bridge/http/http_server.h"

namespace litc::bridge::detail {

class HttpSession;

struct ServerCore : std::enable_shared_from_this<ServerCore> {
  ServerCore(HttpServerOptions opts, const Router& r, HttpMetrics& m)
      : options(std::move(opts)),
        router(r),
        metrics(m),
        ioc(static_cast<int>(options.threads == 0 ? 1 : options.threads)) {}

  // Called by a session when it starts; false when stop() already began (the session then closes
  // itself, so a connection accepted during stop() cannot keep the io threads alive).
  bool add_session(HttpSession* session, std::weak_ptr<HttpSession> weak);
  void remove_session(HttpSession* session);
  // Posts a close onto every live session's strand.
  void close_sessions();

  const HttpServerOptions options;
  const Router& router;
  HttpMetrics& metrics;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> malformed{0};  // malformed requests seen; only the first few log at warn

  // Declared before ioc: destroying the io_context destroys queued handlers, which may own the
  // last reference to a session, whose destructor unregisters here.
  std::mutex sessions_mu;
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions;

  boost::asio::io_context ioc;
};

}  // namespace litc::bridge::detail
