// Listener: binds the HTTP address at construction and accepts connections until stopped.
#include "bridge/http/listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

#include "bridge/http/http_session.h"

namespace litc::bridge::detail {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// An accept that fails for lack of resources (EMFILE) is retried after this pause rather than in
// a tight loop that would starve the connections already open.
constexpr std::chrono::milliseconds kAcceptRetry{100};

[[noreturn]] void fail(std::string_view listen, std::string_view what,
                       const boost::system::error_code& ec) {
  throw std::runtime_error("http: cannot listen on \"" + std::string(listen) +
                           "\": " + std::string(what) + (ec ? ": " + ec.message() : ""));
}

}  // namespace

Listener::Listener(ServerCore& core, std::string_view listen)
    : core_(core), strand_(net::make_strand(core.ioc)), acceptor_(strand_), retry_timer_(strand_) {
  // host:port, host possibly "[v6]"; the port must be numeric (0: the system picks one).
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) fail(listen, "expected host:port", {});
  std::string host(listen.substr(0, colon));
  std::string port(listen.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) fail(listen, "empty host", {});
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    fail(listen, "port must be a number from 0 to 65535", {});
  }

  boost::system::error_code ec;
  tcp::resolver resolver(core.ioc);
  auto results =
      resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) fail(listen, "cannot resolve host", ec);
  tcp::endpoint endpoint = results.begin()->endpoint();

  if (acceptor_.open(endpoint.protocol(), ec); ec) fail(listen, "open", ec);
  // A restarted bridge can bind while old connections sit in TIME_WAIT.
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) {
    fail(listen, "SO_REUSEADDR", ec);
  }
  if (acceptor_.bind(endpoint, ec); ec) fail(listen, "bind", ec);
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec)
    fail(listen, "listen", ec);
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) fail(listen, "local address", ec);
}

void Listener::run() {
  net::dispatch(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open() || core_.stopping) return;
  // Each connection gets its own strand: with several io threads, sessions run in parallel.
  acceptor_.async_accept(
      net::make_strand(core_.ioc),
      boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open() || core_.stopping) return;
  if (ec) {
    spdlog::warn("http: accept failed: {}; retrying in {} ms", ec.message(), kAcceptRetry.count());
    retry_timer_.expires_after(kAcceptRetry);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->do_accept();
    });
    return;
  }
  std::make_shared<HttpSession>(core_, std::move(socket))->start();
  do_accept();
}

}  // namespace litc::bridge::detail
