// Private to bridge/http: the accepting socket; hands each connection to a new HttpSession.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string_view>

#include "bridge/http/server_core.h"

namespace litc::bridge::detail {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Resolves, binds and listens now; throws std::runtime_error naming `listen` on failure.
  Listener(ServerCore& core, std::string_view listen);

  unsigned short port() const { return port_; }
  void run();   // starts accepting (any thread)
  void stop();  // closes the acceptor on its strand (any thread)

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  ServerCore& core_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  unsigned short port_ = 0;
};

}  // namespace litc::bridge::detail
