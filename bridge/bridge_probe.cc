// BridgeProbe and its lag histogram (see bridge_probe.h).
#include "bridge/bridge_probe.h"

#include <utility>

namespace litc::bridge {

void LagHistogram::observe(uint64_t ms, uint64_t count) {
  std::size_t i = 0;
  while (i < kBounds.size() && ms > kBounds[i]) ++i;
  buckets_[i].fetch_add(count, std::memory_order_relaxed);
  count_.fetch_add(count, std::memory_order_relaxed);
  sum_.fetch_add(ms * count, std::memory_order_relaxed);
}

uint64_t LagHistogram::quantile_bound(double q) const {
  uint64_t total = count_.load();
  if (total == 0) return 0;
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    seen += buckets_[i].load();
    if (static_cast<double>(seen) >= q * static_cast<double>(total)) return kBounds[i];
  }
  return 0;
}

void prometheus_header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void LagHistogram::render(std::string& out, const char* name, const char* help) const {
  prometheus_header(out, name, "histogram", help);
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load();
    out += name;
    out += "_bucket{le=\"";
    out += i < kBounds.size() ? std::to_string(kBounds[i]) : std::string("+Inf");
    out += "\"} " + std::to_string(cumulative) + "\n";
  }
  out += std::string(name) + "_sum " + std::to_string(sum_.load()) + "\n";
  out += std::string(name) + "_count " + std::to_string(count_.load()) + "\n";
}

void BridgeProbe::set_broker_stats(BrokerStatsInfo stats) {
  std::lock_guard lock(mu_);
  broker_stats_ = std::move(stats);
}

BrokerStatsInfo BridgeProbe::broker_stats() const {
  std::lock_guard lock(mu_);
  return broker_stats_;
}

}  // namespace litc::bridge
