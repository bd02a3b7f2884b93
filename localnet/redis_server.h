// A real redis-server on 127.0.0.1 at a free port, for tests and local networks that need Redis.
//
// DESIGN: the server runs as a ChildProcess (so it is stopped and reaped with this object), with
// persistence off (`--save "" --appendonly no`) and its working directory under the caller's
// directory. The port is chosen once, by the first start; start() after stop() or kill() brings the
// server back on that same port, so a client configured with url() sees "Redis down, then back".
// Readiness is a raw "PING" answered "+PONG" over TCP: no Redis client library here.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "localnet/child_process.h"

namespace litc::localnet {

struct RedisServerOptions {
  std::string binary = "/usr/bin/redis-server";
  // How long start() waits for the first "+PONG".
  std::chrono::milliseconds ready_timeout{10000};
  // Grace between SIGTERM and SIGKILL for stop() without an argument and for the destructor.
  std::chrono::milliseconds stop_grace{2000};
  // Appended to the command line, e.g. {"--maxmemory", "10mb"}.
  std::vector<std::string> extra_args;
};

class RedisServer {
 public:
  // Picks a free port and starts the server, with its logs in `dir` and its data in
  // `dir`/redis-<port>/. Never throws for a server that cannot start: running() is then false and
  // error() says why (with the server's log tail).
  explicit RedisServer(std::filesystem::path dir, RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server again on the same port (a no-op returning true if it runs). True once it
  // answers PING; false with error() set if it exits or stays silent for ready_timeout.
  bool start();
  // SIGTERM, then SIGKILL after `grace`; waits until the process is reaped.
  void stop();
  void stop(std::chrono::milliseconds grace);
  // SIGKILL at once, as a crash would.
  void kill();
  bool running();
  // Signals the server process (e.g. SIGSTOP / SIGCONT: a Redis that hangs rather than dies).
  void signal(int sig);

  int port() const { return port_; }
  std::string url() const;  // "redis://127.0.0.1:<port>"
  const std::string& error() const { return error_; }
  // The current (or last) server process's log tail, for failure reports.
  std::string tail(int lines = 40) const;

 private:
  bool launch();

  std::filesystem::path dir_;
  RedisServerOptions options_;
  int port_ = 0;
  int starts_ = 0;
  std::string error_;
  std::unique_ptr<ChildProcess> child_;
};

// True when 127.0.0.1:port accepts a TCP connection and answers "PING\r\n" with "+PONG" within
// `timeout`.
bool redis_answers_ping(int port, std::chrono::milliseconds timeout);

}  // namespace litc::localnet
