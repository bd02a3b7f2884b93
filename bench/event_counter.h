// EventCounter: the event-stream load of litc-bench. A SUB socket on a background thread, as the
// bridge has in the real system: verifies and counts every event and checks that `seq` increases
// by exactly one per event within the broker's epoch (a gap means an event was lost).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <zmq.hpp>

namespace litc::bench {

class EventCounter {
 public:
  struct Counts {
    uint64_t events = 0;  // job + node events (Hugz not counted)
    uint64_t job_events = 0;
    uint64_t node_events = 0;
    uint64_t hugz = 0;
    uint64_t gaps = 0;     // times seq jumped (or went back) instead of +1
    uint64_t missing = 0;  // events a forward jump skipped
    uint64_t bad_frames = 0;
    uint64_t epoch_changes = 0;
    uint64_t first_seq = 0;  // seq of the first event seen
    uint64_t last_seq = 0;
  };

  EventCounter(zmq::context_t& context, std::string endpoint);
  ~EventCounter();
  EventCounter(const EventCounter&) = delete;
  EventCounter& operator=(const EventCounter&) = delete;

  // Waits for the first frame of any kind (the broker sends Hugz once a second when idle), after
  // which the subscription is live and no later event can be missed by the slow-joiner effect.
  bool wait_live(std::chrono::milliseconds timeout);
  // Waits until an event with seq >= `seq` has been seen.
  bool wait_seq(uint64_t seq, std::chrono::milliseconds timeout);
  Counts counts() const;

 private:
  void run(zmq::context_t& context, std::string endpoint);
  void on_frame(const zmq::message_t& frame);

  std::atomic<bool> stop_{false};
  std::atomic<bool> live_{false};
  std::atomic<uint64_t> events_{0}, job_events_{0}, node_events_{0}, hugz_{0}, gaps_{0},
      missing_{0}, bad_frames_{0}, epoch_changes_{0}, first_seq_{0}, last_seq_{0};
  uint64_t epoch_ = 0;
  std::thread thread_;
};

}  // namespace litc::bench
