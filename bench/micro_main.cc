// main() of litc-micro-bench: Google Benchmark's console output, plus the scheduler's cost ratios
// (1,000 workers and 1M queued jobs against 1 worker with an empty queue) checked against issue
// 4's target, and with --lc_out=FILE every result as a litc-bench JSON line (for scripts/bench's
// table).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "bench/report.h"

namespace {

constexpr double kMaxDispatchCostRatio = 2.0;  // 1,000 workers within 2x of 1 worker

double to_ns(double t, benchmark::TimeUnit unit) {
  switch (unit) {
    case benchmark::kNanosecond:
      return t;
    case benchmark::kMicrosecond:
      return t * 1e3;
    case benchmark::kMillisecond:
      return t * 1e6;
    case benchmark::kSecond:
      return t * 1e9;
  }
  return t;
}

// Prints as usual and remembers ns per iteration by benchmark name.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      ns_per_op[r.benchmark_name()] = to_ns(r.GetAdjustedRealTime(), r.time_unit);
    }
  }
  std::map<std::string, double> ns_per_op;
};

// "BM_SchedulerSubmitDispatchComplete/workers:1/queued:0/iterations:300000" -> "Scheduler/w1/q0".
std::string short_name(std::string name) {
  auto cut = [&](const std::string& from, const std::string& to) {
    for (auto at = name.find(from); at != std::string::npos; at = name.find(from, at + to.size())) {
      name.replace(at, from.size(), to);
    }
  };
  if (auto at = name.find("/iterations:"); at != std::string::npos) name.erase(at);
  cut("BM_", "");
  cut("SchedulerSubmitDispatchComplete", "Scheduler");
  cut("workers:", "w");
  cut("queued:", "q");
  return name;
}

// ns/op of the first benchmark whose name starts with `prefix`.
const double* find(const std::map<std::string, double>& m, const std::string& prefix) {
  for (const auto& [name, ns] : m) {
    if (name.rfind(prefix, 0) == 0) return &ns;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_file;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--lc_out=", 9) == 0) {
      out_file = argv[i] + 9;
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::vector<litc::bench::Record> records;
  for (const auto& [name, ns] : reporter.ns_per_op) {
    litc::bench::Record r;
    r.set("case", "micro:" + short_name(name)).set("mode", "micro").set("ns_per_op", ns);
    r.set("jobs_per_s", ns > 0 ? 1e9 / ns : 0.0);
    char notes[64];
    std::snprintf(notes, sizeof notes, "%.0f ns/op", ns);
    r.set("notes", notes).set("ok", true);
    records.push_back(r);
  }
  const std::string sched = "BM_SchedulerSubmitDispatchComplete/workers:";
  const double* one = find(reporter.ns_per_op, sched + "1/queued:0/");
  struct Ratio {
    const char* name;
    std::string prefix;
    bool target;
  };
  for (const Ratio& q :
       {Ratio{"scheduler_100w_vs_1w", sched + "100/queued:0/", false},
        Ratio{"scheduler_1000w_vs_1w", sched + "1000/queued:0/", true},
        Ratio{"scheduler_1Mq_vs_0q", sched + "1/queued:1000000/", false},
        Ratio{"scheduler_1000w_1Mq_vs_1w", sched + "1000/queued:1000000/", false}}) {
    const double* other = find(reporter.ns_per_op, q.prefix);
    if (!one || !other) continue;
    double ratio = *other / *one;
    litc::bench::Record r;
    r.set("case", q.name).set("mode", "micro").set("ns_per_op", *other);
    r.set("baseline_ns_per_op", *one).set("cost_ratio", ratio);
    r.set("jobs_per_s", 1e9 / *other).set("baseline_jobs_per_s", 1e9 / *one);
    if (q.target) {
      r.set("target", "dispatch cost with 1,000 workers <= 2x of 1 worker");
      r.set("target_met", ratio <= kMaxDispatchCostRatio);
    }
    char notes[96];
    std::snprintf(notes, sizeof notes, "cost %.2fx of 1 worker / empty queue", ratio);
    r.set("notes", notes).set("ok", true);
    std::printf("%-28s %8.0f ns/job vs %8.0f ns/job: %.2fx%s\n", q.name, *other, *one, ratio,
                q.target ? (ratio <= kMaxDispatchCostRatio ? "  (target <= 2x: met)"
                                                           : "  (target <= 2x: NOT met)")
                         : "");
    records.push_back(r);
  }
  if (!out_file.empty()) {
    std::ofstream out(out_file, std::ios::app);
    for (const auto& r : records) out << r.json() << "\n";
    if (!out) {
      std::fprintf(stderr, "litc-micro-bench: cannot write %s\n", out_file.c_str());
      return 1;
    }
  }
  return 0;
}
