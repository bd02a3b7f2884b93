// Integration harness for litc-bridge: a Network (broker + workers), a real redis-server on a free
// port, and litc-bridge between them on an ephemeral HTTP port; plus a keep-alive HTTP/1.1 client
// (Boost.Beast, synchronous) and redis-cli for reading Redis back the way an operator would.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "localnet/redis_server.h"
#include "tests/integration/harness.h"

namespace litc::it {

struct HttpResult {
  int status = 0;  // 0: no answer (connection refused, closed, timed out)
  std::string body;
  std::string content_type;
};

// One keep-alive connection; reconnects when the server closed it. Not thread-safe.
class HttpClient {
 public:
  HttpClient(std::string host, int port, milliseconds timeout = milliseconds(10000));
  ~HttpClient();
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::string& content_type = "application/json");
  HttpResult get(const std::string& target) { return request("GET", target); }
  HttpResult post(const std::string& target, const std::string& body) {
    return request("POST", target, body);
  }
  // Raw bytes on a fresh connection; returns whatever came back until the server closed or the
  // timeout (for malformed-request tests).
  std::string raw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct BridgeStackOptions {
  NetworkOptions network;
  // Extra litc-bridge flags. Without a --blob-dir among them the bridge gets blob_dir().
  std::vector<std::string> bridge_args;
};

class BridgeStack {
 public:
  explicit BridgeStack(BridgeStackOptions options = {});
  ~BridgeStack();

  bool ok() const { return ok_; }
  Network& net() { return *net_; }
  localnet::RedisServer& redis() { return *redis_; }
  ChildProcess& bridge() { return *bridge_; }
  int http_port() const { return http_port_; }
  // The bridge's --blob-dir unless the test gave its own: <the network's directory>/blobs.
  std::filesystem::path blob_dir() const;
  std::unique_ptr<HttpClient> http(milliseconds timeout = milliseconds(10000));

  // Waits until GET /healthz answers 200 (broker live, Redis up).
  bool wait_healthy(milliseconds timeout = milliseconds(10000));
  // Runs `redis-cli -p PORT --no-raw? args...` (raw output, one value per line).
  CliResult redis_cli(const std::vector<std::string>& args,
                      milliseconds timeout = milliseconds(10000));
  // Starts `redis-cli -p PORT <args...>` in the background (a SUBSCRIBE / PSUBSCRIBE listener);
  // its output is in the returned process's out().
  std::unique_ptr<ChildProcess> redis_cli_background(const std::vector<std::string>& args);

 private:
  bool start_bridge();

  BridgeStackOptions options_;
  std::unique_ptr<Network> net_;
  std::unique_ptr<localnet::RedisServer> redis_;
  std::unique_ptr<ChildProcess> bridge_;
  int http_port_ = 0;
  int cli_runs_ = 0;
  bool ok_ = false;
};

// JSON answers, read the way the tests assert on them: obj() is empty when the body is not a JSON
// object (then every field assertion fails), str() "" and num() -1 when the field is absent or of
// another type.
boost::json::object obj(const std::string& body);
std::string str(const boost::json::object& o, std::string_view key);
int64_t num(const boost::json::object& o, std::string_view key);
// {"error":{"code":…}} -> code; "" when the body has none.
std::string error_code(const HttpResult& r);

inline const std::string kApi = "/lit-compute";
inline const std::string kHelloSha256 =
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

// redis-cli raw output: one line per value; one() is a single reply without its newline.
std::vector<std::string> lines(const std::string& text);
std::string one(const CliResult& r);

// The value of an unlabelled metric in Prometheus text ("name value" line); nullopt if absent.
std::optional<uint64_t> metric_value(const std::string& text, const std::string& name);

// POST body for jobs/submit.
std::string submit_body(const std::string& operation, const std::string& input,
                        const std::string& job_id = "");

}  // namespace litc::it
