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
  // error_code: the "code" of an error answer (error catalogue name), empty for a success.
  void record(std::string_view route, unsigned status, std::string_view error_code = {});
  // Appends Prometheus text: `litc_bridge_http_requests_total{route="…",status="…"} N` and
  // `litc_bridge_http_errors_total{code="…"} N`, each with its HELP/TYPE lines (nothing but
  // those lines when nothing was recorded yet).
  void render(std::string& out) const;
  uint64_t count(std::string_view route, unsigned status) const;
  uint64_t errors(std::string_view code) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, unsigned>, uint64_t, std::less<>> counts_;
  std::map<std::string, uint64_t, std::less<>> errors_;
};

}  // namespace litc::bridge
