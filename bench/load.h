// The load generator's one client loop, shared by the litcompute driver and the raw baseline
// driver so both are measured with exactly the same loop shape: keep `window` requests in flight,
// poll one reply at a time, check that each result answers its own request (output == input),
// time it from send to final reply.
//
// A Driver has:
//   uint64_t send(std::string_view payload);            // request token, 0 = could not send
//   std::optional<Reply> poll(int timeout_ms);          // next reply, nullopt on timeout
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace litc::bench {

using Clock = std::chrono::steady_clock;

// One reply as the loop sees it. `final` ends the request (a result or an error); a non-final
// reply (our SubmitAck) only has to be well-formed. `output` stays valid until the next poll.
struct Reply {
  uint64_t token = 0;
  bool final = true;
  std::string error;  // empty = fine
  std::string_view output;
};

// The bytes of request `index`: distinct per index, so an answer to another request is caught.
void fill_payload(uint64_t index, std::size_t bytes, std::string& out);

struct LoadSpec {
  std::string label;
  uint64_t count = 0;      // requests to complete; 0 = run for duration_s
  double duration_s = 0;   // used when count is 0: stop sending after it, then drain
  std::size_t window = 1;  // requests in flight
  std::size_t payload_bytes = 64;
  int reply_timeout_ms = 10'000;  // no reply for this long = failure, the run stops
  uint64_t first_index = 0;       // payload index of the first request
  bool quiet = false;             // no progress line
  double rate = 0;                // requests/s the loop sends at most (0: as fast as the window
                                  // allows); paced runs measure a system below saturation
};

struct Percentiles {
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};

struct LoadResult {
  uint64_t sent = 0;
  uint64_t completed = 0;                    // final replies that passed every check
  uint64_t failures = 0;                     // errors, mismatches, unknown tokens, timeouts
  std::vector<std::string> failure_samples;  // the first few failures, for the report
  double elapsed_s = 0;
  std::vector<uint64_t> latency_ns;  // per completed request

  double jobs_per_s() const { return elapsed_s > 0 ? completed / elapsed_s : 0; }
  Percentiles percentiles() const;
  void fail(std::string what);
};

// Progress on stderr: one rewritten line on a terminal, a line a second otherwise.
class Progress {
 public:
  explicit Progress(std::string label, bool quiet);
  void update(uint64_t completed, double elapsed_s, std::size_t in_flight);
  void finish(uint64_t completed, double elapsed_s);

 private:
  std::string label_;
  bool quiet_;
  bool tty_;
  Clock::time_point last_;
};

template <class Driver>
LoadResult run_load(Driver& driver, const LoadSpec& spec) {
  struct InFlight {
    uint64_t index;
    Clock::time_point sent_at;
  };
  LoadResult r;
  if (spec.count) r.latency_ns.reserve(spec.count);
  std::unordered_map<uint64_t, InFlight> in_flight;
  in_flight.reserve(spec.window * 2);
  std::string payload, expected;
  Progress progress(spec.label, spec.quiet);
  const auto start = Clock::now();
  const auto stop_sending = start + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(spec.duration_s));
  auto last_done = start;
  auto last_progress = start;  // the last send or reply: silence past reply_timeout_ms fails
  bool sending = true;
  // Pacing: request n is due at start + n / rate.
  auto due = [&](uint64_t n) {
    return start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(n) / spec.rate));
  };
  while (true) {
    bool paced_out = false;
    while (sending && in_flight.size() < spec.window) {
      if (spec.count ? r.sent >= spec.count : Clock::now() >= stop_sending) {
        sending = false;
        break;
      }
      if (spec.rate > 0 && Clock::now() < due(r.sent)) {
        paced_out = true;
        break;
      }
      uint64_t index = spec.first_index + r.sent;
      fill_payload(index, spec.payload_bytes, payload);
      auto now = Clock::now();
      uint64_t token = driver.send(payload);
      if (token == 0) {
        r.fail("request " + std::to_string(index) + " could not be sent (send queue full)");
        sending = false;
        break;
      }
      in_flight.emplace(token, InFlight{index, now});
      ++r.sent;
      last_progress = now;
    }
    int wait_ms = spec.reply_timeout_ms;
    if (paced_out) {
      // Wake for the next due request (at least 1 ms: poll's unit).
      auto until = std::chrono::ceil<std::chrono::milliseconds>(due(r.sent) - Clock::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(until.count(), 1, spec.reply_timeout_ms));
      if (in_flight.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
        continue;
      }
    }
    if (in_flight.empty()) break;
    std::optional<Reply> reply = driver.poll(wait_ms);
    auto now = Clock::now();
    if (!reply) {
      if (paced_out && now - last_progress < std::chrono::milliseconds(spec.reply_timeout_ms)) {
        continue;  // woke to send, not because a reply is late
      }
      r.fail("no reply within " + std::to_string(spec.reply_timeout_ms) + " ms with " +
             std::to_string(in_flight.size()) + " requests in flight");
      break;
    }
    last_progress = now;
    auto it = in_flight.find(reply->token);
    if (it == in_flight.end()) {
      r.fail(reply->error.empty()
                 ? "reply to request " + std::to_string(reply->token) + " which is not in flight"
                 : reply->error);
      continue;
    }
    if (!reply->error.empty()) {
      r.fail("request " + std::to_string(it->second.index) + ": " + reply->error);
      in_flight.erase(it);
      continue;
    }
    if (!reply->final) continue;
    fill_payload(it->second.index, spec.payload_bytes, expected);
    if (reply->output != expected) {
      r.fail("request " + std::to_string(it->second.index) +
             ": output differs from its input (another request's result?)");
    } else {
      ++r.completed;
      r.latency_ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - it->second.sent_at).count());
    }
    in_flight.erase(it);
    last_done = now;
    if ((r.completed & 1023) == 0) {
      progress.update(r.completed, std::chrono::duration<double>(now - start).count(),
                      in_flight.size());
    }
  }
  r.elapsed_s = std::chrono::duration<double>(last_done - start).count();
  progress.finish(r.completed, r.elapsed_s);
  return r;
}

}  // namespace litc::bench
