// HTTP request counters by route and status, read by the bridge's /metrics. Thread-safe: the
// server's threads record, the metrics handler renders.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace litc::bridge {

class HttpMetrics {
 public:
  void record(std::string_view route, unsigned status);
  // Appends Prometheus text: `litc_bridge_http_requests_total{route="…",status="…"} N` with its
  // HELP/TYPE lines (nothing but those lines when no request was recorded yet).
  void render(std::string& out) const;
  uint64_t count(std::string_view route, unsigned status) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, unsigned>, uint64_t, std::less<>> counts_;
};

}  // namespace litc::bridge
