// The cases litc-bench runs. Each mode runs the raw baseline and ours in the same invocation and
// emits one Record per case as soon as it is measured:
//   latency     baseline_latency, latency                     (1 request in flight)
//   throughput  baseline_throughput, throughput, throughput_events (window W; events: a SUB counts
//               every event and checks seq has no gap)
//   events      baseline_throughput, throughput_events
//   fill        baseline_throughput, fill  (N queued jobs with no worker: broker RSS per job; then
//               workers attach and drain: jobs/s)
// A case is ok when every result matched its request, no seq gap was seen and no process died.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <zmq.hpp>

#include "bench/report.h"
#include "bench/stacks.h"

namespace litc::bench {

struct BenchOptions {
  std::string mode = "throughput";
  int workers = 1;
  std::size_t window = 1000;
  std::size_t payload_bytes = 64;
  uint64_t count = 0;     // 0: the mode's default (or duration_s when set)
  double duration_s = 0;  // 0: the mode's default
  int64_t warmup = -1;    // requests before measuring; -1: the mode's default
  uint64_t fill_jobs = 1'000'000;
  std::size_t fill_window = 10'000;  // submits in flight while filling
  int reply_timeout_ms = 10'000;
  double rate = 0;  // throughput mode: requests/s at most (0: unpaced)
  int rounds = 5;   // baseline and ours alternate this many times (sides.h)
  bool no_baseline = false;
  bool submit_ack = false;  // ours: Submit with a SubmitAck before each result (see LitcDriver)
  bool verified = false;    // throughput: also ours with verified echo jobs, interleaved
  bool quiet = false;
  StackConfig stack;
};

using Emit = std::function<void(const Record&)>;

// Runs the cases of opts.mode; returns false when any case failed its correctness checks.
bool run_mode(const BenchOptions& opts, zmq::context_t& context, const Emit& emit);

}  // namespace litc::bench
