// HttpMetrics: per (route, status) request counters and their Prometheus text rendering.
#include "bridge/http/http_metrics.h"

#include <string>

namespace litc::bridge {
namespace {

// A borrowed (route, status) key, so looking up an existing counter allocates no std::string.
// std::less<> finds these operators by argument-dependent lookup.
struct KeyView {
  std::string_view route;
  unsigned status;

  using Key = std::pair<std::string, unsigned>;
  friend bool operator<(const Key& a, const KeyView& b) {
    int c = std::string_view(a.first).compare(b.route);
    return c < 0 || (c == 0 && a.second < b.status);
  }
  friend bool operator<(const KeyView& a, const Key& b) {
    int c = a.route.compare(b.first);
    return c < 0 || (c == 0 && a.status < b.second);
  }
};

// Prometheus label values escape exactly backslash, double quote and line feed.
void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

void HttpMetrics::record(std::string_view route, unsigned status, std::string_view error_code) {
  std::lock_guard lock(mu_);
  KeyView key{route, status};
  auto it = counts_.lower_bound(key);
  if (it == counts_.end() || key < it->first) {
    it = counts_.emplace_hint(it, std::pair{std::string(route), status}, 0);
  }
  ++it->second;
  if (error_code.empty()) return;
  auto e = errors_.lower_bound(error_code);
  if (e == errors_.end() || e->first != error_code) {
    e = errors_.emplace_hint(e, std::string(error_code), 0);
  }
  ++e->second;
}

uint64_t HttpMetrics::errors(std::string_view code) const {
  std::lock_guard lock(mu_);
  auto it = errors_.find(code);
  return it == errors_.end() ? 0 : it->second;
}

uint64_t HttpMetrics::count(std::string_view route, unsigned status) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(KeyView{route, status});
  return it == counts_.end() ? 0 : it->second;
}

void HttpMetrics::render(std::string& out) const {
  out += "# HELP litc_bridge_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE litc_bridge_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, n] : counts_) {
    out += "litc_bridge_http_requests_total{route=\"";
    append_label_value(out, key.first);
    out += "\",status=\"";
    out += std::to_string(key.second);
    out += "\"} ";
    out += std::to_string(n);
    out += '\n';
  }
  out += "# HELP litc_bridge_http_errors_total HTTP error answers, by error code.\n";
  out += "# TYPE litc_bridge_http_errors_total counter\n";
  for (const auto& [code, n] : errors_) {
    out += "litc_bridge_http_errors_total{code=\"";
    append_label_value(out, code);
    out += "\"} ";
    out += std::to_string(n);
    out += '\n';
  }
}

}  // namespace litc::bridge
