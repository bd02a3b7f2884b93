// Payloads, percentiles and the progress line of the load loop (see load.h).
#include "bench/load.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <numeric>

namespace litc::bench {

void fill_payload(uint64_t index, std::size_t bytes, std::string& out) {
  out.resize(bytes);
  // The index in the first 8 bytes (little endian), then a pattern that also depends on it.
  uint64_t x = index * 0x9E3779B97F4A7C15ULL + 1;
  for (std::size_t i = 0; i < bytes; ++i) {
    out[i] = static_cast<char>(i < 8 ? (index >> (8 * i)) & 0xff : (x >> ((i % 8) * 8)) & 0xff);
    if (i % 8 == 7) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  }
}

void LoadResult::fail(std::string what) {
  ++failures;
  if (failure_samples.size() < 5) failure_samples.push_back(std::move(what));
}

Percentiles LoadResult::percentiles() const {
  Percentiles p;
  if (latency_ns.empty()) return p;
  std::vector<uint64_t> v = latency_ns;
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest sample with at least q of the samples at or below it.
  auto at = [&](double q) {
    std::size_t rank = static_cast<std::size_t>(q * v.size() + 0.999999);
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return v[rank - 1] / 1000.0;
  };
  p.p50_us = at(0.50);
  p.p90_us = at(0.90);
  p.p99_us = at(0.99);
  p.p999_us = at(0.999);
  p.max_us = v.back() / 1000.0;
  p.mean_us = std::accumulate(v.begin(), v.end(), 0.0) / v.size() / 1000.0;
  return p;
}

Progress::Progress(std::string label, bool quiet)
    : label_(std::move(label)), quiet_(quiet), tty_(::isatty(2) == 1), last_(Clock::now()) {}

void Progress::update(uint64_t completed, double elapsed_s, std::size_t in_flight) {
  if (quiet_) return;
  auto now = Clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(1000))) {
    return;
  }
  last_ = now;
  std::fprintf(stderr, "%s  %-22s %10llu done  %9.0f jobs/s  %6zu in flight%s", tty_ ? "\r" : "",
               label_.c_str(), static_cast<unsigned long long>(completed),
               elapsed_s > 0 ? completed / elapsed_s : 0.0, in_flight, tty_ ? "" : "\n");
  std::fflush(stderr);
}

void Progress::finish(uint64_t completed, double elapsed_s) {
  if (quiet_) return;
  std::fprintf(stderr, "%s  %-22s %10llu done  %9.0f jobs/s  (%.2f s)%s\n", tty_ ? "\r" : "",
               label_.c_str(), static_cast<unsigned long long>(completed),
               elapsed_s > 0 ? completed / elapsed_s : 0.0, elapsed_s,
               tty_ ? "                " : "");
}

}  // namespace litc::bench
