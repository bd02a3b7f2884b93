// Starts, restarts and stops a real redis-server child and polls it with a raw PING (see
// redis_server.h).
#include "localnet/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

namespace litc::localnet {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Ports a launch may try when the free port it was given is taken before redis-server binds it.
constexpr int kPortAttempts = 5;

// A port the kernel just handed out for 127.0.0.1 and that nobody holds now; 0 if none could be
// had. Another process may still take it before redis-server binds it: the caller retries.
int unused_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

timeval to_timeval(milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

bool redis_answers_ping(int port, milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // On Linux SO_SNDTIMEO also bounds a blocking connect(), so one option bounds every step.
  timeval tv = to_timeval(std::max(timeout, milliseconds(1)));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool pong = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    constexpr std::string_view ping = "PING\r\n";
    // MSG_NOSIGNAL: a server that dies between connect and send must not SIGPIPE the caller.
    if (::send(fd, ping.data(), ping.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(ping.size())) {
      std::string got;
      char buf[64];
      auto deadline = Clock::now() + timeout;
      while (got.find("\r\n") == std::string::npos && got.size() < sizeof(buf) &&
             Clock::now() < deadline) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n > 0) {
          got.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          break;
        }
      }
      // A server still loading its data answers "-LOADING ...": not ready yet.
      pong = got.rfind("+PONG\r\n", 0) == 0;
    }
  }
  ::close(fd);
  return pong;
}

RedisServer::RedisServer(std::filesystem::path dir, RedisServerOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    port_ = unused_loopback_port();
    if (port_ == 0) {
      error_ = "redis-server: no free TCP port on 127.0.0.1";
      return;
    }
    if (launch()) return;
    // Only a lost race for the port is worth another port; anything else would fail again.
    if (!child_ ||
        read_file(child_->stdout_path()).find("Address already in use") == std::string::npos) {
      return;
    }
  }
}

RedisServer::~RedisServer() = default;  // ChildProcess's destructor stops and reaps the server

bool RedisServer::start() {
  if (running()) return true;
  if (port_ == 0) return false;  // error_ says why the constructor found no port
  return launch();
}

bool RedisServer::launch() {
  ++starts_;
  const std::string port = std::to_string(port_);
  const std::filesystem::path data = dir_ / ("redis-" + port);
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) {
    error_ = "redis-server: cannot create " + data.string() + ": " + ec.message();
    return false;
  }
  std::vector<std::string> argv = {
      options_.binary, "--port", port,           "--bind", "127.0.0.1",   "--dir", data,
      "--save",        "",       "--appendonly", "no",     "--daemonize", "no"};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  // One log per start, so a restarted server's log does not overwrite the first run's.
  std::string name = "redis-" + port;
  if (starts_ > 1) name += "-" + std::to_string(starts_);
  ChildOptions child_options;
  child_options.logs = ChildOptions::Logs::combined;
  child_options.stop_grace = options_.stop_grace;
  child_.reset();  // reaps the previous process, if any, before its port is reused
  child_ = std::make_unique<ChildProcess>(name, std::move(argv), dir_, child_options);
  if (!child_->started()) {
    error_ = "redis-server: " + child_->error();
    return false;
  }
  const auto deadline = Clock::now() + options_.ready_timeout;
  while (true) {
    if (!child_->running()) {
      error_ = "redis-server on port " + port + " exited before answering PING\n" + child_->tail();
      return false;
    }
    if (redis_answers_ping(port_, milliseconds(200))) {
      error_.clear();
      return true;
    }
    if (Clock::now() >= deadline) {
      child_->kill();
      error_ = "redis-server on port " + port + " did not answer PING within " +
               std::to_string(options_.ready_timeout.count()) + " ms\n" + child_->tail();
      return false;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
}

void RedisServer::stop() {
  stop(options_.stop_grace);
}

void RedisServer::stop(milliseconds grace) {
  if (child_) child_->stop(grace);
}

void RedisServer::kill() {
  if (child_) child_->kill();
}

bool RedisServer::running() {
  return child_ && child_->running();
}

void RedisServer::signal(int sig) {
  if (child_) child_->signal(sig);
}

std::string RedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

std::string RedisServer::tail(int lines) const {
  return child_ ? child_->tail(lines) : std::string();
}

}  // namespace litc::localnet
