// A ChainReader over Ethereum JSON-RPC (HTTP/1.1 POST, Boost.Beast, synchronous), one endpoint
// per Lit chain name: lc::chain_rpc.
//
// DESIGN: every call opens a connection (Connection: close), sends one request and reads one
// response, all under one deadline (`timeout`, covering resolve, connect, write and read); past it
// the call is chain_unavailable. The response is refused beyond `max_response_bytes` of body (and
// 16 KiB of headers) and parsed with parse_json_strict. A reader holds no connection and no mutable
// state but a request-id counter, so one reader may serve several threads. Only http:// endpoints
// (a local node, or a TLS-terminating proxy in front of a remote one); https:// is refused at
// start-up. Give endpoints as IP addresses: a host name's DNS lookup runs on Asio's resolver
// thread, and a lookup that hangs is abandoned at the deadline but still waited for before the call
// returns.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/conditions/chain_reader.h"
#include "crypto/conditions/errors.h"

namespace litc::crypto {

struct JsonRpcOptions {
  // Deadline of one call, from resolving the host to the last byte of the response.
  std::chrono::milliseconds timeout{5000};
  // Largest response body accepted; a larger one is chain_unavailable.
  std::size_t max_response_bytes = 1024 * 1024;
};

// An http:// URL split for a request: "http://127.0.0.1:8545/rpc" → host "127.0.0.1", port
// "8545", target "/rpc".
struct HttpEndpoint {
  std::string url;
  std::string host;
  std::string port;    // "80" when absent
  std::string target;  // "/" when absent
};

// invalid_argument unless "http://host[:port][/path]" (host a name, IPv4, or [IPv6]; port 1-65535).
ConditionResult<HttpEndpoint> parse_http_endpoint(std::string_view url);

// Chain endpoints from option values such as "ethereum=http://127.0.0.1:8545"; each value may hold
// several comma-separated pairs. invalid_argument for a malformed pair, URL or a chain named twice.
ConditionResult<std::map<std::string, std::string>> parse_chain_endpoints(
    const std::vector<std::string>& values);

class JsonRpcChainReader final : public ChainReader {
 public:
  // invalid_argument when an endpoint URL is malformed.
  static ConditionResult<std::unique_ptr<JsonRpcChainReader>> create(
      const std::map<std::string, std::string>& endpoints, JsonRpcOptions options = {});

  bool supports_chain(std::string_view chain) const override;
  ConditionResult<std::string> get_balance(std::string_view chain, std::string_view address,
                                           std::string_view block) override;
  ConditionResult<std::string> eth_call(std::string_view chain, std::string_view to,
                                        std::string_view data, std::string_view block) override;

  // One JSON-RPC call on `chain`'s endpoint: the response's "result". unsupported_condition for
  // a chain without an endpoint; chain_unavailable for transport, HTTP, size, JSON or JSON-RPC
  // errors (the message holds at most 200 bytes of what the node said).
  ConditionResult<boost::json::value> call(std::string_view chain, std::string_view method,
                                           boost::json::array params);

 private:
  JsonRpcChainReader(std::map<std::string, HttpEndpoint, std::less<>> endpoints,
                     JsonRpcOptions options)
      : endpoints_(std::move(endpoints)), options_(options) {}

  ConditionResult<std::string> call_for_hex(std::string_view chain, std::string_view method,
                                            boost::json::array params, bool even_length);

  std::map<std::string, HttpEndpoint, std::less<>> endpoints_;
  JsonRpcOptions options_;
  std::atomic<std::uint64_t> next_id_{1};
};

}  // namespace litc::crypto
