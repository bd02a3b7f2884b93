// Private to bridge/http: one TCP connection's request/response loop (see http_session.cc).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bridge/http/server_core.h"

namespace litc::bridge::detail {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(ServerCore& core, boost::asio::ip::tcp::socket socket);
  ~HttpSession();

  void start();  // any thread: registers, then reads the first request on the strand
  void close();  // on the strand: ends the connection; a pending Respond then does nothing
  // The session's strand. A copy taken at construction, so Respond may read it from any thread.
  const boost::beast::tcp_stream::executor_type& executor() const { return executor_; }

 private:
  void read_header();
  void label_request();
  void on_header(boost::beast::error_code ec, std::size_t n);
  void read_body();
  void on_body(boost::beast::error_code ec, std::size_t n);
  void on_read_error(boost::beast::error_code ec);
  void dispatch_request();
  void on_response(uint64_t seq, ApiResponse response);
  void on_handler_timeout(uint64_t seq, boost::beast::error_code ec);
  // Writes `response`; close_after answers with Connection: close and then lingers, for errors
  // after which the rest of the byte stream cannot be trusted.
  void write(ApiResponse response, bool close_after);
  void write_error(unsigned status, std::string_view code, std::string_view message,
                   bool close_after);
  void on_write(boost::beast::error_code ec, std::size_t n);
  void linger_close();
  void on_linger_read(boost::beast::error_code ec, std::size_t n);

  ServerCore& core_;
  const boost::beast::tcp_stream::executor_type executor_;  // before stream_: built from socket
  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer handler_timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Router::Match match_;
  std::string route_label_;  // metrics label of the current request
  std::string remote_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  std::unique_ptr<char[]> drain_;  // scratch for linger_close
  unsigned version_ = 11;          // of the current request, echoed in the response
  uint64_t seq_ = 0;               // current request; a Respond for an older one is dropped
  bool awaiting_handler_ = false;
  bool keep_alive_ = false;
  bool linger_ = false;  // the response being written ends the connection through linger_close
  bool closed_ = false;
};

}  // namespace litc::bridge::detail
