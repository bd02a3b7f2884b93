// JsonRpcChainReader: one HTTP/1.1 POST per JSON-RPC call, under a deadline and a size limit.
#include "crypto/conditions/json_rpc_chain_reader.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "crypto/conditions/js_json.h"

namespace litc::crypto {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kSnippetBytes = 200;

ConditionError invalid(std::string message) {
  return ConditionError{ConditionErrc::invalid_argument, std::move(message)};
}
ConditionError unavailable(std::string message) {
  return ConditionError{ConditionErrc::chain_unavailable, std::move(message)};
}

// At most kSnippetBytes of what a node said, for error messages.
std::string snippet(std::string_view s) {
  return message_snippet(s, kSnippetBytes);
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool valid_chain_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

// POSTs `body` to `endpoint` and reads the reply, everything before `timeout` elapses. The
// operations are asynchronous on a private io_context so that one deadline covers them all
// (resolving included); run_until returns when they finish or at the deadline, whichever is first.
ConditionResult<HttpReply> http_post(const HttpEndpoint& endpoint, std::string body,
                                     const JsonRpcOptions& options) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;

  http::request<http::string_body> request{http::verb::post, endpoint.target, 11};
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + endpoint.host + "]" : endpoint.host;
  if (endpoint.port != "80") host += ":" + endpoint.port;
  request.set(http::field::host, host);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::connection, "close");
  request.set(http::field::user_agent, "litcompute");
  request.body() = std::move(body);
  request.prepare_payload();

  http::response_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(options.max_response_bytes);

  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool finished = false;
  beast::error_code result;
  const char* stage = "resolve";
  const auto finish = [&](beast::error_code ec, const char* at) {
    finished = true;
    result = ec;
    stage = at;
  };

  resolver.async_resolve(
      endpoint.host, endpoint.port,
      [&](beast::error_code ec, const tcp::resolver::results_type& results) {
        if (ec) return finish(ec, "resolve");
        stream.expires_at(deadline);
        stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return finish(ec, "connect");
          stream.expires_at(deadline);
          http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
            if (ec) return finish(ec, "write");
            stream.expires_at(deadline);
            http::async_read(stream, buffer, parser,
                             [&](beast::error_code ec, std::size_t) { finish(ec, "read"); });
          });
        });
      });
  ioc.run_until(deadline);
  if (!finished) {
    // Still resolving (the only step without a stream timer): cancel, let the handlers run out.
    resolver.cancel();
    beast::error_code ignored;
    stream.socket().close(ignored);
    ioc.restart();
    ioc.run();
    return unavailable("timed out after " + std::to_string(options.timeout.count()) + " ms");
  }
  if (result == beast::error::timeout) {
    return unavailable(std::string("timed out after ") + std::to_string(options.timeout.count()) +
                       " ms (during " + stage + ")");
  }
  if (result == http::error::body_limit) {
    return unavailable("response body over the limit of " +
                       std::to_string(options.max_response_bytes) + " bytes");
  }
  if (result == http::error::header_limit) {
    return unavailable("response headers over the limit of " + std::to_string(kHeaderLimit) +
                       " bytes");
  }
  if (result) return unavailable(std::string(stage) + ": " + result.message());

  HttpReply reply;
  reply.status = parser.get().result_int();
  reply.body = std::move(parser.get().body());
  return reply;
}

}  // namespace

ConditionResult<HttpEndpoint> parse_http_endpoint(std::string_view url) {
  const std::string quoted = "endpoint \"" + snippet(url) + "\": ";
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, 8) == "https://") {
    return invalid(quoted +
                   "https is not supported; use an http:// endpoint (a local node or a "
                   "TLS-terminating proxy)");
  }
  if (url.substr(0, kScheme.size()) != kScheme) return invalid(quoted + "expected http://");
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpEndpoint out;
  out.url = std::string(url);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find_first_of("@?#") != std::string_view::npos) {
    return invalid(quoted + "user info, queries and fragments belong after the path");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid(quoted + "unclosed [");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid(quoted + "expected :port after ]");
      port = after.substr(1);
      if (port.empty()) return invalid(quoted + "empty port");
    }
    for (char c : out.host) {
      if (!is_hex(c) && c != ':' && c != '.') return invalid(quoted + "bad IPv6 address");
    }
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return invalid(quoted + "empty port");
    }
    for (char c : out.host) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-')) {
        return invalid(quoted + "bad host name");
      }
    }
  }
  if (out.host.empty()) return invalid(quoted + "no host");
  if (port.empty()) {
    out.port = "80";
  } else {
    unsigned long n = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || port.size() > 5) return invalid(quoted + "bad port");
      n = n * 10 + static_cast<unsigned long>(c - '0');
    }
    if (n == 0 || n > 65535) return invalid(quoted + "port out of range");
    out.port = std::string(port);
  }
  return out;
}

ConditionResult<std::map<std::string, std::string>> parse_chain_endpoints(
    const std::vector<std::string>& values) {
  std::map<std::string, std::string> out;
  for (const std::string& value : values) {
    std::string_view rest = value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view pair = trim(rest.substr(0, comma));
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        return invalid("chain endpoint \"" + snippet(pair) + "\": expected chain=http://host:port");
      }
      const std::string name(trim(pair.substr(0, eq)));
      const std::string url(trim(pair.substr(eq + 1)));
      if (!valid_chain_name(name)) {
        return invalid("chain endpoint \"" + snippet(pair) +
                       "\": a chain name is letters, digits, '_' and '-'");
      }
      auto endpoint = parse_http_endpoint(url);
      if (!endpoint.ok()) return invalid("chain " + name + ": " + endpoint.error().message);
      if (!out.emplace(name, url).second) return invalid("chain " + name + ": given twice");
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return out;
}

ConditionResult<std::unique_ptr<JsonRpcChainReader>> JsonRpcChainReader::create(
    const std::map<std::string, std::string>& endpoints, JsonRpcOptions options) {
  std::map<std::string, HttpEndpoint, std::less<>> parsed;
  for (const auto& [chain, url] : endpoints) {
    auto endpoint = parse_http_endpoint(url);
    if (!endpoint.ok()) return invalid("chain " + chain + ": " + endpoint.error().message);
    parsed.emplace(chain, std::move(endpoint.value()));
  }
  return std::unique_ptr<JsonRpcChainReader>(new JsonRpcChainReader(std::move(parsed), options));
}

bool JsonRpcChainReader::supports_chain(std::string_view chain) const {
  return endpoints_.find(chain) != endpoints_.end();
}

ConditionResult<boost::json::value> JsonRpcChainReader::call(std::string_view chain,
                                                             std::string_view method,
                                                             boost::json::array params) {
  const auto it = endpoints_.find(chain);
  if (it == endpoints_.end()) {
    return ConditionError{ConditionErrc::unsupported_condition,
                          "no RPC endpoint for chain \"" + snippet(chain) + "\""};
  }
  const HttpEndpoint& endpoint = it->second;
  const std::string prefix =
      "chain \"" + std::string(chain) + "\" (" + endpoint.url + ") " + std::string(method) + ": ";
  const std::uint64_t id = next_id_.fetch_add(1);
  boost::json::object request{
      {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};

  auto reply = [&]() -> ConditionResult<HttpReply> {
    // Asio and Beast report I/O failures through error codes; what can still throw (allocation)
    // must not escape a call made on behalf of a peer.
    try {
      return http_post(endpoint, boost::json::serialize(request), options_);
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }();
  if (!reply.ok()) return unavailable(prefix + reply.error().message);
  if (reply.value().status != 200) {
    return unavailable(prefix + "HTTP status " + std::to_string(reply.value().status) + ": " +
                       snippet(reply.value().body));
  }
  JsonLimits limits;
  limits.max_bytes = options_.max_response_bytes;
  auto parsed = parse_json_strict(reply.value().body, limits, "response");
  if (!parsed.ok()) return unavailable(prefix + parsed.error().message);
  if (!parsed.value().is_object()) return unavailable(prefix + "response is not a JSON object");
  const boost::json::object& response = parsed.value().get_object();
  const boost::json::value* rid = response.if_contains("id");
  const bool id_matches = rid != nullptr && ((rid->is_uint64() && rid->get_uint64() == id) ||
                                             (rid->is_int64() && rid->get_int64() >= 0 &&
                                              static_cast<std::uint64_t>(rid->get_int64()) == id));
  if (!id_matches) return unavailable(prefix + "response id does not match the request");
  if (const boost::json::value* error = response.if_contains("error")) {
    std::string what = "JSON-RPC error";
    if (error->is_object()) {
      if (const auto* code = error->get_object().if_contains("code")) {
        what += " " + snippet(boost::json::serialize(*code));
      }
      if (const auto* message = error->get_object().if_contains("message");
          message != nullptr && message->is_string()) {
        what += ": " + snippet(message->get_string());
      }
    }
    return unavailable(prefix + what);
  }
  const boost::json::value* result = response.if_contains("result");
  if (result == nullptr) return unavailable(prefix + "response has neither result nor error");
  return *result;
}

ConditionResult<std::string> JsonRpcChainReader::call_for_hex(std::string_view chain,
                                                              std::string_view method,
                                                              boost::json::array params,
                                                              bool even_length) {
  auto result = call(chain, method, std::move(params));
  if (!result.ok()) return result.error();
  const std::string prefix = "chain \"" + std::string(chain) + "\" " + std::string(method) + ": ";
  if (!result.value().is_string()) return unavailable(prefix + "result is not a string");
  const std::string_view hex = result.value().get_string();
  bool ok = hex.size() >= 2 && hex[0] == '0' && hex[1] == 'x';
  for (std::size_t i = 2; ok && i < hex.size(); ++i) ok = is_hex(hex[i]);
  if (ok) ok = even_length ? hex.size() % 2 == 0 : hex.size() > 2;
  if (!ok) return unavailable(prefix + "result \"" + snippet(hex) + "\" is not hex");
  return std::string(hex);
}

ConditionResult<std::string> JsonRpcChainReader::get_balance(std::string_view chain,
                                                             std::string_view address,
                                                             std::string_view block) {
  return call_for_hex(chain, "eth_getBalance", boost::json::array{address, block},
                      /*even_length=*/false);
}

ConditionResult<std::string> JsonRpcChainReader::eth_call(std::string_view chain,
                                                          std::string_view to,
                                                          std::string_view data,
                                                          std::string_view block) {
  boost::json::object call_object{{"to", to}, {"data", data}};
  return call_for_hex(chain, "eth_call", boost::json::array{std::move(call_object), block},
                      /*even_length=*/true);
}

}  // namespace litc::crypto
