// The sides of a comparison: BaselineSide (raw stack + RawDriver) and LitcSide (our stack +
// LitcDriver, optionally with an EventCounter subscribed). run_interleaved() measures them in
// alternating chunks (round 1: A B C, round 2: B C A, ...), so a neighbour that loads this shared
// machine for a few seconds hits every side alike and the ratios hold.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "bench/drivers.h"
#include "bench/event_counter.h"
#include "bench/load.h"
#include "bench/stacks.h"

namespace litc::bench {

// CPU seconds each party used: broker and worker processes (from /proc) and this process (the
// client loop, plus the subscriber thread in the events case).
struct CpuUse {
  double broker = 0, workers = 0, client = 0;
};

class Side {
 public:
  explicit Side(std::string name) : name_(std::move(name)) {}
  virtual ~Side() = default;
  const std::string& name() const { return name_; }
  // Runs `spec` unrecorded (connections up, caches warm).
  virtual void warm(const LoadSpec& spec) = 0;
  // Runs `spec` and adds it to result and cpu.
  virtual void chunk(const LoadSpec& spec) = 0;
  // After the last chunk: checks the processes are alive (and ours: events, RSS).
  virtual void finish() = 0;

  LoadResult result;
  CpuUse cpu;

 private:
  std::string name_;
};

class BaselineSide final : public Side {
 public:
  BaselineSide(std::string name, const StackConfig& cfg, int workers, zmq::context_t& context,
               int reply_timeout_ms);
  void warm(const LoadSpec& spec) override;
  void chunk(const LoadSpec& spec) override;
  void finish() override;

 private:
  BaselineStack stack_;
  RawDriver driver_;
};

class LitcSide final : public Side {
 public:
  // submit_ack: Submit without no_ack (a SubmitAck before each final JobReply); see LitcDriver.
  // verified: every job a verified echo (signed by its node, checked by the broker).
  LitcSide(std::string name, const StackConfig& cfg, int workers, zmq::context_t& context,
           int reply_timeout_ms, bool with_events, bool submit_ack, bool verified = false);
  void warm(const LoadSpec& spec) override;
  void chunk(const LoadSpec& spec) override;
  void finish() override;

  // Filled by finish().
  std::optional<EventCounter::Counts> events;
  bool events_complete = true;  // the subscriber saw every event up to the broker's seq
  uint64_t broker_seq = 0;
  std::optional<uint64_t> broker_rss;
  std::optional<pid_t> broker_pid;  // the process started (under --broker-wrapper: the wrapper)

 private:
  LitcStack stack_;
  LitcDriver driver_;
  std::unique_ptr<EventCounter> counter_;
};

// Splits `total` (its count, or its duration) over `rounds` and runs each side's share in turn.
// A side that failed is not run again.
void run_interleaved(const std::vector<Side*>& sides, const LoadSpec& total, int rounds);

}  // namespace litc::bench
