// HttpServer: owns the io threads, the listener and the session registry; error_response.
// The request/response loop itself is in http_session.cc, accepting in listener.cc.
#include "bridge/http/http_server.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "bridge/http/http_session.h"
#include "bridge/http/listener.h"
#include "bridge/http/server_core.h"

namespace litc::bridge {

ApiResponse error_response(unsigned status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  boost::json::object root;
  root["error"] = std::move(error);
  ApiResponse response;
  response.status = status;
  response.body = boost::json::serialize(root);
  response.error_code = std::string(code);
  return response;
}

namespace detail {

bool ServerCore::add_session(HttpSession* session, std::weak_ptr<HttpSession> weak) {
  std::lock_guard lock(sessions_mu);
  sessions.emplace(session, std::move(weak));
  // Read under the lock: stop() sets the flag before taking its snapshot under the same lock, so
  // a session either is in that snapshot or sees the flag here.
  return !stopping;
}

void ServerCore::remove_session(HttpSession* session) {
  std::lock_guard lock(sessions_mu);
  sessions.erase(session);
}

void ServerCore::close_sessions() {
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(sessions_mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) {
    // The session's own executor is its strand (see Listener::do_accept).
    boost::asio::post(session->executor(), [session] { session->close(); });
  }
}

}  // namespace detail

struct HttpServer::Impl {
  std::shared_ptr<detail::ServerCore> core;
  std::shared_ptr<detail::Listener> listener;
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(HttpServerOptions options, const Router& router, HttpMetrics& metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<detail::ServerCore>(std::move(options), router, metrics);
  impl_->listener = std::make_shared<detail::Listener>(*impl_->core, impl_->core->options.listen);
}

HttpServer::~HttpServer() {
  stop();
}

unsigned short HttpServer::port() const {
  return impl_->listener->port();
}

void HttpServer::start() {
  if (impl_->started || impl_->stopped) return;
  impl_->started = true;
  impl_->listener->run();
  unsigned n = impl_->core->options.threads == 0 ? 1 : impl_->core->options.threads;
  for (unsigned i = 0; i < n; ++i) {
    impl_->threads.emplace_back([core = impl_->core] { core->ioc.run(); });
  }
}

// Must not be called from a handler (it joins the threads handlers run on).
void HttpServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  {
    std::lock_guard lock(impl_->core->sessions_mu);
    impl_->core->stopping = true;
  }
  impl_->listener->stop();
  impl_->core->close_sessions();
  // Once the acceptor and every socket are closed no work is left, so run() returns.
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

}  // namespace litc::bridge
