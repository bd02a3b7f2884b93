// Router: maps method + path to a handler by "/literal/:param" patterns; decides 404 vs 405.
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge/http/http_server.h"

namespace litc::bridge {
namespace {

struct Segment {
  bool param = false;
  std::string text;  // the literal, or the parameter's name (for error messages only)
};

// "/a/b/c" -> {"a","b","c"}; "/" -> {""}. The leading '/' is required by the caller.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parameter values are percent-decoded after splitting, so "%2F" inside an id stays in that id.
// A malformed escape is not ours to reject: the raw text is passed on and the handler decides.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::string(s);
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::string(s);
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

struct Router::Route {
  HttpVerb method;
  std::vector<Segment> segments;
  std::string name;
  Handler handler;
  RouteOptions options;

  bool matches(const std::vector<std::string_view>& parts) const {
    if (parts.size() != segments.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (segments[i].param ? parts[i].empty() : parts[i] != segments[i].text) return false;
    }
    return true;
  }

  // True when this route is more specific than `other` for a path both match: at the first
  // position where one has a literal and the other a parameter, the literal wins.
  bool beats(const Route& other) const {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (segments[i].param != other.segments[i].param) return !segments[i].param;
    }
    return false;
  }

  // Same method and the same shape (parameter names aside): the second one could never match.
  bool same_shape(const Route& other) const {
    if (method != other.method || segments.size() != other.segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (segments[i].param != other.segments[i].param) return false;
      if (!segments[i].param && segments[i].text != other.segments[i].text) return false;
    }
    return true;
  }
};

// Bad patterns are programming errors found at start-up, so they throw rather than being values.
void Router::add(HttpVerb method, std::string pattern, std::string name, Handler handler,
                 RouteOptions options) {
  auto fail = [&](std::string_view why) {
    throw std::invalid_argument("router: pattern \"" + pattern + "\": " + std::string(why));
  };
  if (pattern.empty() || pattern.front() != '/') fail("must start with '/'");
  if (name.empty()) fail("route name is empty");
  if (!handler) fail("handler is empty");

  auto route = std::make_shared<Route>();
  route->method = method;
  route->name = std::move(name);
  route->handler = std::move(handler);
  route->options = options;
  auto parts = split_path(pattern);
  for (std::string_view part : parts) {
    Segment segment;
    if (!part.empty() && part.front() == ':') {
      if (part.size() == 1) fail("parameter without a name");
      segment.param = true;
      segment.text = std::string(part.substr(1));
    } else {
      if (part.empty() && parts.size() > 1) fail("empty segment");
      segment.text = std::string(part);
    }
    route->segments.push_back(std::move(segment));
  }
  for (const auto& existing : routes_) {
    if (existing->same_shape(*route)) fail("duplicates route \"" + existing->name + "\"");
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(HttpVerb method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') {
    result.status = 404;
    return result;
  }
  auto parts = split_path(path);
  const Route* best = nullptr;      // best route for this method
  const Route* best_any = nullptr;  // best route for any method: names a 405 in metrics
  for (const auto& route : routes_) {
    if (!route->matches(parts)) continue;
    if (best_any == nullptr || route->beats(*best_any)) best_any = route.get();
    if (route->method == method && (best == nullptr || route->beats(*best))) best = route.get();
  }
  if (best == nullptr) {
    // The route's name (when the path exists for other methods) labels the 405 in metrics.
    result.status = best_any != nullptr ? 405 : 404;
    if (best_any != nullptr) result.name = &best_any->name;
    return result;
  }
  result.handler = &best->handler;
  result.name = &best->name;
  result.options = best->options;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (best->segments[i].param) result.params.push_back(percent_decode(parts[i]));
  }
  return result;
}

}  // namespace litc::bridge
