// BaselineSide, LitcSide and the interleaved rounds (see sides.h).
#include "bench/sides.h"

#include <sys/resource.h>

#include <chrono>
#include <stdexcept>

#include "localnet/proc_stats.h"

namespace litc::bench {
namespace {

using std::chrono::milliseconds;

template <class Stack>
CpuUse cpu_now(const Stack& stack, std::optional<pid_t> broker) {
  CpuUse c;
  if (broker) c.broker = localnet::cpu_seconds(*broker);
  for (pid_t w : stack.worker_pids()) c.workers += localnet::cpu_seconds(w);
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  c.client = self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + self.ru_stime.tv_sec +
             self.ru_stime.tv_usec / 1e6;
  return c;
}

void merge(LoadResult& into, LoadResult&& part) {
  into.sent += part.sent;
  into.completed += part.completed;
  into.failures += part.failures;
  for (auto& f : part.failure_samples) {
    if (into.failure_samples.size() < 5) into.failure_samples.push_back(std::move(f));
  }
  into.elapsed_s += part.elapsed_s;
  into.latency_ns.insert(into.latency_ns.end(), part.latency_ns.begin(), part.latency_ns.end());
}

// Runs one chunk on `driver` and books its results and CPU on `side`.
template <class Driver, class Stack>
void measure(Side& side, Driver& driver, const Stack& stack, std::optional<pid_t> broker,
             const LoadSpec& spec) {
  CpuUse before = cpu_now(stack, broker);
  LoadResult part = run_load(driver, spec);
  CpuUse after = cpu_now(stack, broker);
  side.cpu.broker += after.broker - before.broker;
  side.cpu.workers += after.workers - before.workers;
  side.cpu.client += after.client - before.client;
  merge(side.result, std::move(part));
}

}  // namespace

BaselineSide::BaselineSide(std::string name, const StackConfig& cfg, int workers,
                           zmq::context_t& context, int reply_timeout_ms)
    : Side(std::move(name)),
      stack_(cfg, workers),
      driver_(context, stack_.frontend(), reply_timeout_ms) {}

void BaselineSide::warm(const LoadSpec& spec) {
  LoadResult w = run_load(driver_, spec);
  if (w.failures) merge(result, std::move(w));
}

void BaselineSide::chunk(const LoadSpec& spec) {
  measure(*this, driver_, stack_, stack_.broker_pid(), spec);
}

void BaselineSide::finish() {
  if (!stack_.healthy()) result.fail("a baseline process died:\n" + stack_.logs());
}

LitcSide::LitcSide(std::string name, const StackConfig& cfg, int workers, zmq::context_t& context,
                   int reply_timeout_ms, bool with_events, bool submit_ack, bool verified)
    : Side(std::move(name)),
      stack_(cfg, workers),
      driver_(context, stack_.clients(), reply_timeout_ms, submit_ack, "echo", verified) {
  if (!stack_.wait_workers_online(driver_.client(), workers, 15'000)) {
    throw std::runtime_error("workers did not register within 15 s\n" + stack_.logs());
  }
  if (with_events) {
    if (stack_.events().empty()) throw std::runtime_error("the events endpoint is unknown");
    counter_ = std::make_unique<EventCounter>(context, stack_.events());
  }
}

void LitcSide::warm(const LoadSpec& spec) {
  LoadResult w = run_load(driver_, spec);
  if (w.failures) merge(result, std::move(w));
  // Live subscription before measuring: every later event is then gap-checked.
  if (counter_ && !counter_->wait_live(milliseconds(5000))) {
    result.fail("the event subscription delivered nothing within 5 s");
  }
}

void LitcSide::chunk(const LoadSpec& spec) {
  measure(*this, driver_, stack_, stack_.started_broker_pid(), spec);
}

void LitcSide::finish() {
  if (counter_) {
    auto stats = driver_.client().stats();
    if (stats.ok()) {
      broker_seq = stats.value().get("seq");
      events_complete = counter_->wait_seq(broker_seq, milliseconds(15'000));
    } else {
      result.fail("stats after the run: " + stats.error().message);
      events_complete = false;
    }
    events = counter_->counts();
  }
  if (auto pid = stack_.broker_pid()) broker_rss = localnet::rss_bytes(*pid);
  broker_pid = stack_.started_broker_pid();
  if (!stack_.healthy()) result.fail("a litcompute process died:\n" + stack_.logs());
}

void run_interleaved(const std::vector<Side*>& sides, const LoadSpec& total, int rounds) {
  if (rounds < 1) rounds = 1;
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < sides.size(); ++i) {
      Side& side = *sides[(i + round) % sides.size()];
      if (side.result.failures) continue;
      LoadSpec s = total;
      s.label = side.name() + " " + std::to_string(round + 1) + "/" + std::to_string(rounds);
      if (total.count) {
        s.count = total.count / rounds + (round == rounds - 1 ? total.count % rounds : 0);
        if (s.count == 0) continue;
      } else {
        s.duration_s = total.duration_s / rounds;
      }
      s.first_index = total.first_index + side.result.sent;
      side.chunk(s);
    }
  }
  for (Side* side : sides) side->finish();
}

}  // namespace litc::bench
