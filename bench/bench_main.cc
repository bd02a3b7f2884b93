// litc-bench: end-to-end load generator. Starts (or connects to) litc-broker + litc-workers and the
// raw ZeroMQ baseline, runs the cases of a mode (cases.h), prints one JSON object per case and/or
// a table. Exit status 1 when any case failed its correctness checks, 2 on bad flags.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "bench/cases.h"
#include "localnet/proc_stats.h"
#include "localnet/temp_dir.h"

namespace {

// Directory of the running executable (litc-bench finds litc-broker etc. next to itself).
std::filesystem::path self_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

// Splits a command prefix such as "valgrind --tool=callgrind" on spaces.
std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// `litc-bench --summary FILE...`: the table of every JSON line in the files.
int summarize(const std::vector<std::string>& files) {
  std::vector<litc::bench::Record> records;
  for (const auto& f : files) {
    std::ifstream in(f);
    if (!in) {
      std::fprintf(stderr, "litc-bench: cannot read %s\n", f.c_str());
      return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      if (auto r = litc::bench::Record::parse(line)) records.push_back(*r);
    }
  }
  litc::bench::print_table(std::cout, records);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  litc::bench::BenchOptions o;
  auto& s = o.stack;
  s.bin_dir = self_dir();
  std::string bin_dir = s.bin_dir.string(), wrapper, worker_wrapper, out_file;
  std::vector<std::string> summary_files;
  bool json = false, keep_logs = false;

  CLI::App app{
      "litc-bench: drives litc-broker + litc-worker with the C++ client and measures them beside "
      "a raw ZeroMQ ROUTER/ROUTER baseline in the same run (see bench/README.md)."};
  app.add_option("--mode", o.mode,
                 "latency (1 in flight), throughput (window W; also the event-stream case), "
                 "events (event-stream case only), fill (queue --fill-jobs with no worker: RSS "
                 "per job, then drain rate), all")
      ->check(CLI::IsMember({"latency", "throughput", "events", "fill", "all"}))
      ->capture_default_str();
  app.add_option("--workers", o.workers, "workers started for each stack (ours and baseline)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  app.add_option("--worker-slots", s.worker_slots,
                 "litc-worker --max-concurrent: jobs a worker holds at once (its pool threads)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--window", o.window, "requests in flight in throughput mode")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}))
      ->capture_default_str();
  app.add_option("--rate", o.rate,
                 "throughput mode: send at most this many jobs/s (0: as fast as the window "
                 "allows), to measure a system below saturation")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--payload-bytes", o.payload_bytes, "echo payload per job")
      ->check(CLI::Range(std::size_t{0}, std::size_t{512 * 1024}))
      ->capture_default_str();
  auto* count = app.add_option("--count", o.count,
                               "requests measured per case (default: 5000 for latency, else "
                               "--duration-s)");
  app.add_option("--duration-s", o.duration_s,
                 "seconds of sending per case when --count is not given (default 5)")
      ->excludes(count)
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", o.warmup,
                 "requests before measuring, not recorded (default: 500 for latency, else "
                 "max(2000, 3 x window))");
  app.add_option("--fill-jobs", o.fill_jobs, "jobs queued by the fill case")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}))
      ->capture_default_str();
  app.add_option("--reply-timeout-ms", o.reply_timeout_ms, "no reply for this long fails the case")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  app.add_option("--rounds", o.rounds,
                 "baseline and ours take turns this many times, each running its share of "
                 "--count/--duration-s (evens out a neighbour's load on a shared machine)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_flag("--json", json, "print one JSON object per case on stdout (instead of the table)");
  app.add_option("--out", out_file, "also append the JSON lines to this file");
  app.add_flag("--quiet", o.quiet, "no progress line on stderr");
  app.add_option("--bin-dir", bin_dir,
                 "where litc-broker, litc-worker and the baseline binaries are")
      ->capture_default_str();
  app.add_option("--broker-wrapper", wrapper,
                 "command prefix for litc-broker, e.g. \"valgrind --tool=callgrind\" (RSS is "
                 "then not reported)");
  app.add_option("--worker-wrapper", worker_wrapper,
                 "command prefix for every litc-worker (profiling the worker)");
  app.add_option("--broker-arg", s.broker_args,
                 "extra litc-broker flag (repeat), e.g. --broker-arg=--lease-ms=0");
  auto* clients = app.add_option(
      "--clients", s.clients,
      "connect to this running litc-broker clients endpoint instead of starting one");
  app.add_option("--workers-endpoint", s.workers,
                 "with --clients: its workers endpoint, to start --workers litc-workers there")
      ->needs(clients);
  app.add_option("--events", s.events, "with --clients: its events endpoint (events case)")
      ->needs(clients);
  app.add_option("--broker-pid", s.broker_pid, "with --clients: its pid, for RSS readings")
      ->needs(clients);
  app.add_option("--baseline-frontend", s.baseline_frontend,
                 "connect to this running litc-baseline-broker instead of starting one");
  app.add_flag("--no-baseline", o.no_baseline, "measure ours only (no baseline_ratio)");
  app.add_flag("--submit-ack", o.submit_ack,
               "ours: Submit without no_ack, so each job gets a SubmitAck before its final "
               "JobReply (the default skips the ack: one reply per request, as the baseline)");
  app.add_flag("--verified", o.verified,
               "throughput mode: also run ours with every echo verified (signed by its worker, "
               "checked by the broker), interleaved with the plain case: the throughput_verified "
               "case and its plain_ratio");
  app.add_flag("--keep-logs", keep_logs, "keep the temp dir with every process's log");
  bool strict = false;
  double max_busy_pct = 25, max_steal_pct = 2;
  app.add_flag("--strict", strict,
               "refuse to run (exit 3) when the host is not quiet enough for comparable figures "
               "(--max-busy-pct, --max-steal-pct, sampled for 1 s before the run)");
  app.add_option("--max-busy-pct", max_busy_pct,
                 "CPU busy with other work before the run, in % of all CPUs, above which the "
                 "figures are marked not comparable")
      ->check(CLI::Range(0.0, 100.0));
  app.add_option("--max-steal-pct", max_steal_pct,
                 "CPU stolen by the hypervisor before the run, in %, above which the figures are "
                 "marked not comparable")
      ->check(CLI::Range(0.0, 100.0));
  app.add_option("--summary", summary_files,
                 "print the table of these JSON-lines files (written with --out) and exit");
  CLI11_PARSE(app, argc, argv);

  if (!summary_files.empty()) return summarize(summary_files);
  s.bin_dir = bin_dir;
  s.broker_wrapper = split_words(wrapper);
  s.worker_wrapper = split_words(worker_wrapper);
  if (o.mode == "events" && !s.clients.empty() && s.events.empty()) {
    std::fprintf(stderr, "litc-bench: --mode events with --clients needs --events\n");
    return 2;
  }

  litc::localnet::TempDir dir("litc-bench");
  s.log_dir = dir.path();
  std::ofstream out;
  if (!out_file.empty()) {
    out.open(out_file, std::ios::app);
    if (!out) {
      std::fprintf(stderr, "litc-bench: cannot write %s\n", out_file.c_str());
      return 2;
    }
  }
  // What else the host is doing, measured before anything of ours starts: every record carries it.
  const auto host = litc::localnet::sample_host_load(std::chrono::milliseconds(1000));
  const bool quiet_host = host.busy_pct >= 0 && host.busy_pct <= max_busy_pct &&
                          host.steal_pct >= 0 && host.steal_pct <= max_steal_pct;
  std::fprintf(stderr,
               "litc-bench: host before the run: load average %.2f, busy %.1f %%, steal %.1f %% "
               "(1 s sample)%s\n",
               host.load_avg_1m, host.busy_pct, host.steal_pct,
               quiet_host ? "" : " -- NOT QUIET: the figures are not comparable");
  if (strict && !quiet_host) {
    std::fprintf(stderr, "litc-bench: --strict: not running on a busy host\n");
    return 3;
  }
  std::vector<litc::bench::Record> records;
  auto emit = [&](litc::bench::Record r) {
    r.set("load_avg", host.load_avg_1m).set("host_busy_pct", host.busy_pct);
    r.set("steal_pct", host.steal_pct).set("host_quiet", quiet_host);
    records.push_back(r);
    if (json) {
      std::cout << r.json() << std::endl;
    }
    if (out) out << r.json() << std::endl;
    if (r.text("ok") == "false") {
      std::fprintf(stderr, "litc-bench: case %s FAILED: %s%s\n", r.text("case").c_str(),
                   r.text("error").c_str(), r.text("first_failure").c_str());
    }
  };

  bool ok = false;
  try {
    zmq::context_t context(1);
    ok = litc::bench::run_mode(o, context, emit);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "litc-bench: %s\n", e.what());
  }
  if (!json) litc::bench::print_table(std::cout, records);
  if (!ok || keep_logs) {
    dir.keep();
    std::fprintf(stderr, "litc-bench: process logs kept in %s\n", dir.path().c_str());
  }
  return ok ? 0 : 1;
}
