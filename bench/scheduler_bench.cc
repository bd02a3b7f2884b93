// Micro-benchmarks of the socket-free Scheduler (lc::scheduler): one job's submit -> dispatch ->
// complete, with 1, 100 and 1,000 workers and with 0 or 1,000,000 jobs already queued, to show how
// the cost grows. A fixed clock and an output that only remembers the assignments; lease and
// timeout are off (no deadline heap), so this is the dispatch path alone.
#include <benchmark/benchmark.h>

#include <deque>
#include <string>

#include "broker/scheduler.h"

namespace {

using namespace litc::broker;
namespace fb = litc::fb;

class FixedClock final : public Clock {
 public:
  uint64_t now_ms() const override { return 1'712'345'678'901; }
};

// Remembers each assignment (routing id, job id, attempt) so the loop can answer it; the rest of
// the output is dropped, as a broker with no subscriber and no waiting client would.
class AssignQueue final : public SchedulerOutput {
 public:
  struct Assigned {
    std::string routing_id;
    std::string job_id;
    uint32_t attempt;
  };
  void assign(const Worker& w, const Job& j) override {
    assigned.push_back({w.routing_id, j.id, j.attempt});
  }
  void cancel_on_worker(const Worker&, const Job&, uint32_t) override {}
  void disconnect_worker(const Worker&, std::string_view) override {}
  void job_event(fb::JobEventKind, const Job&) override {}
  void node_event(fb::NodeEventKind, const Worker&) override {}
  void reply_final(const Waiter&, const Job&) override {}

  std::deque<Assigned> assigned;
};

SchedulerOptions bench_options() {
  SchedulerOptions o;
  o.operations = {"echo", "sha256"};
  o.lease_ms = 0;
  o.default_timeout_ms = 0;
  o.max_queued_jobs = 10'000'000;
  return o;
}

// Per iteration: submit one job, then complete the oldest outstanding assignment (which frees a
// slot, so the head of the queue is dispatched when jobs are queued).
void BM_SchedulerSubmitDispatchComplete(benchmark::State& state) {
  const auto workers = static_cast<int>(state.range(0));
  const auto queued = static_cast<uint64_t>(state.range(1));
  FixedClock clock;
  AssignQueue out;
  Scheduler scheduler(bench_options(), clock, out);
  std::vector<std::string> rids;
  for (int i = 0; i < workers; ++i) {
    rids.push_back(std::to_string(i));
    rids.back().insert(rids.back().begin(), 'w');
    RegisterArgs r;
    r.routing_id = rids.back();
    r.node_id = rids.back();
    r.operations = {"echo"};
    r.max_concurrent = 1;
    scheduler.register_worker(r);
  }
  const std::string input(64, 'x');
  SubmitArgs submit;
  submit.operation = "echo";
  submit.input = input;
  for (uint64_t i = 0; i < queued + static_cast<uint64_t>(workers) - 1; ++i) {
    scheduler.submit(submit);
  }
  for (auto _ : state) {
    scheduler.submit(submit);
    AssignQueue::Assigned a = std::move(out.assigned.front());
    out.assigned.pop_front();
    ResultVerdict v = scheduler.result(
        a.routing_id, {a.job_id, a.attempt, true, input, fb::ErrorCode::unknown, {}, {}});
    if (v != ResultVerdict::accepted) {
      state.SkipWithError("a result was not accepted");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(scheduler.counters().in(fb::JobState::pending));
}
BENCHMARK(BM_SchedulerSubmitDispatchComplete)
    ->ArgNames({"workers", "queued"})
    ->Args({1, 0})
    ->Args({100, 0})
    ->Args({1000, 0})
    ->Args({1, 1'000'000})
    ->Args({1000, 1'000'000})
    ->Iterations(300'000);

}  // namespace
