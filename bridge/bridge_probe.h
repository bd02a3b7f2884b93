// Counters of litc-bridge (its probe), read by /metrics and /healthz on the HTTP threads while the
// bridge loop updates them: atomics, plus the broker's last stats under a mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "protocol/client.h"

namespace litc::bridge {

// Appends the "# HELP name help" and "# TYPE name type" lines of a Prometheus metric.
void prometheus_header(std::string& out, const char* name, const char* type, const char* help);

// Mirror lag (broker event time -> written to Redis) in ms, as a Prometheus histogram.
class LagHistogram {
 public:
  static constexpr std::array<uint64_t, 10> kBounds{1, 2, 5, 10, 20, 50, 100, 250, 1000, 5000};
  // `count` observations of `ms` (a turn's events, each bounded by the turn's oldest).
  void observe(uint64_t ms, uint64_t count = 1);
  // The smallest bucket bound under which at least q of the observations fall (+Inf as 0).
  uint64_t quantile_bound(double q) const;
  void render(std::string& out, const char* name, const char* help) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
};

struct BridgeProbe {
  std::atomic<uint64_t> events_received{0};
  std::atomic<uint64_t> events_applied{0};
  std::atomic<uint64_t> events_dropped{0};       // stale seq or an older epoch
  std::atomic<uint64_t> bad_frames{0};           // event/snapshot/reply frames that did not decode
  std::atomic<uint64_t> resyncs{0};              // snapshot requests (first one included)
  std::atomic<uint64_t> snapshots_abandoned{0};  // a batch could not be read: asked again
  std::atomic<uint64_t> gaps{0};  // resyncs caused by a seq gap / new epoch / silence
  std::atomic<uint64_t> redis_commands{0};
  std::atomic<uint64_t> mirror_job_writes{0};  // job hash writes after coalescing events per turn
  std::atomic<uint64_t> redis_failures{0};     // pipelines that found Redis down
  std::atomic<uint64_t> submits_accepted{0};
  std::atomic<uint64_t> submits_rejected{0};
  std::atomic<uint64_t> resubmitted{0};  // ledger jobs sent again after a broker restart
  std::atomic<uint64_t> ledger_size{0};
  std::atomic<uint64_t> broker_timeouts{0};
  std::atomic<uint64_t> http_nodes{0};
  // POST /decrypt (updated on the loop thread and the crypto pool).
  std::atomic<uint64_t> decrypts_completed{0};
  std::atomic<uint64_t> decrypts_refused{0};       // answered with an error after blinding
  std::atomic<uint64_t> decrypt_waits_expired{0};  // of those, --decrypt-wait-ms ran out
  // Completed decrypt outputs not given to the blob store (BridgeLoop::keep_output).
  std::atomic<uint64_t> blob_outputs_withheld{0};
  std::atomic<uint64_t> epoch{0};
  std::atomic<uint64_t> seq{0};
  std::atomic<bool> redis_up{false};
  std::atomic<bool> broker_live{false};
  LagHistogram mirror_lag;

  void set_broker_stats(BrokerStatsInfo stats);
  BrokerStatsInfo broker_stats() const;

 private:
  mutable std::mutex mu_;
  BrokerStatsInfo broker_stats_;
};

}  // namespace litc::bridge
