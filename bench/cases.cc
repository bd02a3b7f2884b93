// The litc-bench cases: baseline and ours measured in one run, checked, turned into Records.
#include "bench/cases.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "bench/drivers.h"
#include "bench/load.h"
#include "bench/sides.h"
#include "localnet/proc_stats.h"

namespace litc::bench {
namespace {

using std::chrono::milliseconds;

// Issue 4's targets, as ratios against the baseline of the same run where possible.
constexpr double kMinThroughputRatio = 0.60;
constexpr double kMaxP50OverBaselineUs = 30;
constexpr double kMaxP99Us = 1000;
constexpr double kMaxRssBytesPerJob = 400;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The measured part of a run: a request count, else a duration, else the mode's default.
LoadSpec measure_spec(const BenchOptions& o, const std::string& label, std::size_t window,
                      bool latency) {
  LoadSpec s;
  s.label = label;
  s.window = window;
  s.payload_bytes = o.payload_bytes;
  s.reply_timeout_ms = o.reply_timeout_ms;
  s.quiet = o.quiet;
  s.first_index = 1'000'000'000;  // distinct from the warm-up's indices
  if (!latency) s.rate = o.rate;
  if (o.count) {
    s.count = o.count;
  } else if (o.duration_s > 0) {
    s.duration_s = o.duration_s;
  } else if (latency) {
    s.count = 5000;
  } else {
    s.duration_s = 5;
  }
  return s;
}

LoadSpec warmup_spec(const BenchOptions& o, std::size_t window, bool latency) {
  LoadSpec s;
  s.label = "warm-up";
  s.window = window;
  s.payload_bytes = o.payload_bytes;
  s.reply_timeout_ms = o.reply_timeout_ms;
  s.quiet = true;
  if (!latency) s.rate = o.rate;  // a paced run stays paced: no burst before it
  s.count = o.warmup >= 0 ? static_cast<uint64_t>(o.warmup)
                          : (latency ? 500 : std::max<uint64_t>(2000, 3 * window));
  return s;
}

Record shape(const std::string& name, const std::string& impl, const std::string& mode,
             const BenchOptions& o, std::size_t window) {
  Record r;
  r.set("case", name).set("impl", impl).set("mode", mode).set("workers", o.workers);
  r.set("window", static_cast<int64_t>(window));
  r.set("payload_bytes", static_cast<int64_t>(o.payload_bytes));
  if (impl == "litc") r.set("worker_slots", o.stack.worker_slots).set("submit_ack", o.submit_ack);
  return r;
}

void add_load(Record& r, const LoadResult& l) {
  Percentiles p = l.percentiles();
  r.set("jobs", l.completed).set("failures", l.failures).set("elapsed_s", l.elapsed_s);
  r.set("jobs_per_s", l.jobs_per_s());
  r.set("p50_us", p.p50_us).set("p90_us", p.p90_us).set("p99_us", p.p99_us);
  r.set("p999_us", p.p999_us).set("max_us", p.max_us).set("mean_us", p.mean_us);
  if (!l.failure_samples.empty()) r.set("first_failure", l.failure_samples.front());
}

bool load_ok(const LoadResult& l, const LoadSpec& spec) {
  return l.failures == 0 && l.completed > 0 && (spec.count == 0 || l.completed == spec.count);
}

Record failed(const std::string& name, const std::string& impl, const std::string& mode,
              const BenchOptions& o, std::size_t window, const std::string& error) {
  Record r = shape(name, impl, mode, o, window);
  r.set("ok", false).set("error", error);
  return r;
}

void add_cpu(Record& r, const CpuUse& c, const LoadResult& l) {
  if (l.completed == 0) return;
  double per = 1e6 / l.completed;
  r.set("broker_cpu_us_per_job", c.broker * per).set("workers_cpu_us_per_job", c.workers * per);
  r.set("client_cpu_us_per_job", c.client * per);
}

// Starts a side, or keeps why it could not start (a process that did not come up).
template <class S, class... Args>
std::unique_ptr<S> start_side(std::string& error, Args&&... args) {
  try {
    return std::make_unique<S>(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

Record side_record(const Side& side, const std::string& impl, const std::string& mode,
                   const BenchOptions& o, std::size_t window, const LoadSpec& spec) {
  Record r = shape(side.name(), impl, mode, o, window);
  add_load(r, side.result);
  add_cpu(r, side.cpu, side.result);
  r.set("rounds", o.rounds).set("ok", load_ok(side.result, spec));
  return r;
}

// Our throughput case's ratio, target, RSS and event-stream checks.
void add_litc_throughput(Record& r, const LitcSide& side, std::optional<double> base) {
  bool ok = r.text("ok") == "true";
  std::string notes;
  if (base && ok) {
    double ratio = side.result.jobs_per_s() / *base;
    r.set("baseline_jobs_per_s", *base).set("baseline_ratio", ratio);
    if (!side.events) {
      r.set("target", ">= 60% of baseline jobs/s (1 worker, window 1000, 64 B)");
      r.set("target_met", ratio >= kMinThroughputRatio);
    }
  }
  if (side.broker_pid) r.set("broker_pid", static_cast<int64_t>(*side.broker_pid));
  if (side.broker_rss) {
    r.set("broker_rss_mb", *side.broker_rss / 1048576.0);
    notes = "broker RSS " + fmt("%.0f", *side.broker_rss / 1048576.0) + " MB after run";
  }
  if (side.events) {
    const auto& c = *side.events;
    r.set("events", c.events).set("job_events", c.job_events).set("hugz", c.hugz);
    r.set("seq_gaps", c.gaps).set("events_missing", c.missing);
    r.set("event_bad_frames", c.bad_frames).set("broker_seq", side.broker_seq);
    r.set("subscriber_caught_up", side.events_complete);
    bool events_ok = c.gaps == 0 && c.bad_frames == 0 && c.epoch_changes == 0 &&
                     side.events_complete && c.job_events >= 3 * side.result.completed;
    if (!events_ok) {
      r.set("error", "event stream: gaps " + std::to_string(c.gaps) + ", missing " +
                         std::to_string(c.missing) + ", bad frames " +
                         std::to_string(c.bad_frames) + ", caught up " +
                         (side.events_complete ? "yes" : "no") + ", job events " +
                         std::to_string(c.job_events) + " for " +
                         std::to_string(side.result.completed) + " jobs");
    }
    ok = ok && events_ok;
    notes = std::to_string(c.events) + " events, " + std::to_string(c.gaps) + " gaps; " + notes;
  }
  r.set("notes", notes).set("ok", ok);
}

// ---------------------------------------------------------------- modes

bool latency_mode(const BenchOptions& o, zmq::context_t& context, const Emit& emit) {
  LoadSpec warm = warmup_spec(o, 1, true);
  LoadSpec spec = measure_spec(o, "latency", 1, true);
  std::string base_error, our_error;
  std::unique_ptr<BaselineSide> base;
  if (!o.no_baseline) {
    base = start_side<BaselineSide>(base_error, "baseline_latency", o.stack, o.workers, context,
                                    o.reply_timeout_ms);
  }
  auto ours = start_side<LitcSide>(our_error, "latency", o.stack, o.workers, context,
                                   o.reply_timeout_ms, false, o.submit_ack);
  std::vector<Side*> sides;
  if (base) sides.push_back(base.get());
  if (ours) sides.push_back(ours.get());
  for (Side* side : sides) side->warm(warm);
  run_interleaved(sides, spec, o.rounds);

  bool ok = true;
  std::optional<Percentiles> bp;
  if (!o.no_baseline) {
    Record r = base ? side_record(*base, "baseline", "latency", o, 1, spec)
                    : failed("baseline_latency", "baseline", "latency", o, 1, base_error);
    if (r.text("ok") == "true") bp = base->result.percentiles();
    ok = r.text("ok") == "true";
    emit(r);
  }
  Record r = ours ? side_record(*ours, "litc", "latency", o, 1, spec)
                  : failed("latency", "litc", "latency", o, 1, our_error);
  if (ours && bp && bp->p50_us > 0 && r.text("ok") == "true") {
    Percentiles p = ours->result.percentiles();
    double delta = p.p50_us - bp->p50_us;
    r.set("baseline_p50_us", bp->p50_us).set("baseline_p99_us", bp->p99_us);
    r.set("baseline_ratio", p.p50_us / bp->p50_us).set("p50_delta_us", delta);
    r.set("target", "p50 <= baseline p50 + 30 us and p99 <= 1000 us");
    r.set("target_met", delta <= kMaxP50OverBaselineUs && p.p99_us <= kMaxP99Us);
    r.set("notes", "p50 " + fmt("%+.1f", delta) + " us vs baseline");
  }
  emit(r);
  return r.text("ok") == "true" && ok;
}

// throughput: baseline, ours, ours with the event stream subscribed; events: without the plain
// case. Returns false when a case failed; `base_jobs_per_s` gets the baseline's figure.
bool throughput_mode(const BenchOptions& o, zmq::context_t& context, const Emit& emit, bool plain,
                     bool with_events, std::optional<double>& base_jobs_per_s) {
  LoadSpec warm = warmup_spec(o, o.window, false);
  LoadSpec spec = measure_spec(o, "throughput", o.window, false);
  std::string base_error, plain_error, events_error;
  std::unique_ptr<BaselineSide> base;
  std::string verified_error;
  std::unique_ptr<LitcSide> ours, ours_events, ours_verified;
  if (!o.no_baseline) {
    base = start_side<BaselineSide>(base_error, "baseline_throughput", o.stack, o.workers, context,
                                    o.reply_timeout_ms);
  }
  if (plain) {
    ours = start_side<LitcSide>(plain_error, "throughput", o.stack, o.workers, context,
                                o.reply_timeout_ms, false, o.submit_ack);
  }
  if (with_events) {
    ours_events = start_side<LitcSide>(events_error, "throughput_events", o.stack, o.workers,
                                       context, o.reply_timeout_ms, true, o.submit_ack);
  }
  if (plain && o.verified) {
    ours_verified = start_side<LitcSide>(verified_error, "throughput_verified", o.stack, o.workers,
                                         context, o.reply_timeout_ms, false, o.submit_ack, true);
  }
  std::vector<Side*> sides;
  for (Side* side :
       {static_cast<Side*>(base.get()), static_cast<Side*>(ours.get()),
        static_cast<Side*>(ours_events.get()), static_cast<Side*>(ours_verified.get())}) {
    if (side) sides.push_back(side);
  }
  for (Side* side : sides) side->warm(warm);
  run_interleaved(sides, spec, o.rounds);

  bool ok = true;
  if (!o.no_baseline) {
    Record r =
        base ? side_record(*base, "baseline", "throughput", o, o.window, spec)
             : failed("baseline_throughput", "baseline", "throughput", o, o.window, base_error);
    if (r.text("ok") == "true") base_jobs_per_s = base->result.jobs_per_s();
    ok = r.text("ok") == "true";
    emit(r);
  }
  auto ours_record = [&](const std::unique_ptr<LitcSide>& side, const std::string& name,
                         const std::string& error) {
    Record r = side ? side_record(*side, "litc", "throughput", o, o.window, spec)
                    : failed(name, "litc", "throughput", o, o.window, error);
    if (side) add_litc_throughput(r, *side, base_jobs_per_s);
    emit(r);
    ok = r.text("ok") == "true" && ok;
  };
  if (plain) ours_record(ours, "throughput", plain_error);
  if (with_events) ours_record(ours_events, "throughput_events", events_error);
  if (plain && o.verified) {
    // The cost of a verified result, beside the plain echo of the same run.
    Record r = ours_verified
                   ? side_record(*ours_verified, "litc", "throughput_verified", o, o.window, spec)
                   : failed("throughput_verified", "litc", "throughput_verified", o, o.window,
                            verified_error);
    if (ours_verified && ours && r.text("ok") == "true") {
      const double plain_rate = ours->result.jobs_per_s();
      if (plain_rate > 0) {
        const double ratio = ours_verified->result.jobs_per_s() / plain_rate;
        r.set("plain_ratio", ratio);
        r.set("notes", fmt("%.3f", ratio) + " of unverified echo (same run)");
      }
    }
    if (ours_verified && base_jobs_per_s && r.text("ok") == "true") {
      r.set("baseline_jobs_per_s", *base_jobs_per_s)
          .set("baseline_ratio", ours_verified->result.jobs_per_s() / *base_jobs_per_s);
    }
    r.set("target", "none: the price of a signed, checked result (plain_ratio: vs unverified)");
    emit(r);
    ok = r.text("ok") == "true" && ok;
  }
  return ok;
}

// Queues fill_jobs jobs with no worker attached, reads the broker's RSS, then attaches the workers
// and times the drain. Results are checked on the last jobs (still retained when the drain ends).
Record fill_case(const BenchOptions& o, zmq::context_t& context, std::optional<double> base) {
  const uint64_t n = o.fill_jobs;
  Record r = shape("fill", "litc", "fill", o, o.fill_window);
  std::vector<std::string> extra;
  if (n > 1'000'000) extra = {"--max-queued-jobs", std::to_string(n)};
  LitcStack stack(o.stack, 0, extra);
  LitcDriver driver(context, stack.clients(), o.reply_timeout_ms, o.submit_ack);
  litc::Client& client = driver.client();
  if (!client.stats().ok()) throw std::runtime_error("the broker does not answer\n" + stack.logs());
  auto pid = stack.broker_pid();
  // 0 = unknown (a broker we did not start, or one under a wrapper such as valgrind).
  const uint64_t rss0 = pid ? localnet::rss_bytes(*pid).value_or(0) : 0;

  // Fill: Submit without wait, `fill_window` acks outstanding.
  const uint64_t kept = std::min<uint64_t>(n, 1000);
  std::unordered_map<uint64_t, uint64_t> in_flight;         // request id -> payload index
  std::vector<std::pair<uint64_t, std::string>> last_jobs;  // (index, job id) of the last `kept`
  LoadResult fill;
  litc::SubmitRequest req;
  req.operation = "echo";
  Progress progress("fill", o.quiet);
  auto start = Clock::now();
  uint64_t sent = 0;
  while (fill.completed < n && fill.failures == 0) {
    while (in_flight.size() < o.fill_window && sent < n) {
      fill_payload(sent, o.payload_bytes, req.input);
      uint64_t id = client.send_submit(req);
      if (id == 0) {
        fill.fail("submit " + std::to_string(sent) + " could not be sent");
        break;
      }
      in_flight.emplace(id, sent++);
    }
    auto reply = client.poll(o.reply_timeout_ms);
    if (!reply) {
      fill.fail("no SubmitAck within the reply timeout");
      break;
    }
    auto it = in_flight.find(reply->request_id);
    if (it == in_flight.end() || reply->kind != litc::ClientReplyInfo::Kind::submit_ack ||
        reply->duplicate || reply->job.state != fb::JobState::pending) {
      fill.fail(reply->kind == litc::ClientReplyInfo::Kind::error
                    ? std::string(error_name(reply->error.code)) + ": " + reply->error.message
                    : "unexpected reply while filling");
      break;
    }
    if (it->second >= n - kept) last_jobs.emplace_back(it->second, reply->job.job_id);
    in_flight.erase(it);
    ++fill.completed;
    if ((fill.completed & 4095) == 0) {
      progress.update(fill.completed, std::chrono::duration<double>(Clock::now() - start).count(),
                      in_flight.size());
    }
  }
  fill.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  progress.finish(fill.completed, fill.elapsed_s);
  const uint64_t rss1 = pid ? localnet::rss_bytes(*pid).value_or(0) : 0;
  auto stats = client.stats();
  if (!stats.ok()) throw std::runtime_error("stats after filling: " + stats.error().message);
  uint64_t pending = stats.value().get("jobs_pending");
  r.set("jobs", n).set("fill_jobs_per_s", fill.jobs_per_s()).set("jobs_pending", pending);
  if (fill.failures || pending != n) {
    r.set("ok", false)
        .set("error", fill.failure_samples.empty()
                          ? "the broker holds " + std::to_string(pending) +
                                " pending jobs, expected " + std::to_string(n)
                          : fill.failure_samples.front());
    return r;
  }
  std::string notes;
  if (rss0 && rss1) {
    double per_job = (static_cast<double>(rss1) - static_cast<double>(rss0)) / n;
    r.set("rss_before_bytes", rss0).set("rss_after_bytes", rss1);
    r.set("rss_bytes_per_job", per_job);
    r.set("target", "<= 400 B broker RSS per queued job (64 B payload)");
    r.set("target_met", per_job <= kMaxRssBytesPerJob);
    notes = "RSS " + fmt("%.0f", per_job) + " B/job; ";
  }

  // Drain: attach the workers, wait until nothing is pending or active.
  stack.add_workers(o.workers);
  Progress drain_progress("drain", o.quiet);
  start = Clock::now();
  auto deadline = start + std::chrono::seconds(60 + n / 1000);
  uint64_t left = n, failed_jobs = 0;
  while (Clock::now() < deadline) {
    auto s = client.stats();
    if (s.ok()) {
      left = s.value().get("jobs_pending") + s.value().get("jobs_active");
      failed_jobs = s.value().get("jobs_failed");
      double t = std::chrono::duration<double>(Clock::now() - start).count();
      drain_progress.update(n - std::min(left, n), t, left);
      if (left == 0) break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  double drain_s = std::chrono::duration<double>(Clock::now() - start).count();
  drain_progress.finish(n - std::min(left, n), drain_s);
  bool ok = left == 0 && failed_jobs == 0;
  std::string error;
  if (!ok) {
    error = std::to_string(left) + " jobs not drained, " + std::to_string(failed_jobs) + " failed";
  }
  // Every kept job completed with its own input as output.
  std::string expected;
  for (const auto& [index, job_id] : last_jobs) {
    auto job = client.status(job_id);
    fill_payload(index, o.payload_bytes, expected);
    if (!job.ok() || job.value().state != fb::JobState::completed ||
        job.value().output != expected) {
      ok = false;
      error = "job " + job_id + " did not complete with its own input as output";
      break;
    }
  }
  if (!stack.healthy()) {
    ok = false;
    error = "a litcompute process died:\n" + stack.logs();
  }
  double drain_rate = drain_s > 0 ? n / drain_s : 0;
  r.set("jobs_per_s", drain_rate).set("drain_s", drain_s);
  r.set("checked_jobs", static_cast<uint64_t>(last_jobs.size()));
  if (base) r.set("baseline_jobs_per_s", *base).set("baseline_ratio", drain_rate / *base);
  notes += "fill " + fmt("%.0f", fill.jobs_per_s()) + " jobs/s; drain " + fmt("%.0f", drain_rate) +
           " jobs/s";
  r.set("notes", notes);
  r.set("ok", ok);
  if (!error.empty()) r.set("error", error);
  return r;
}

}  // namespace

bool run_mode(const BenchOptions& o, zmq::context_t& context, const Emit& emit) {
  std::optional<double> base;
  if (o.mode == "latency") return latency_mode(o, context, emit);
  if (o.mode == "throughput") return throughput_mode(o, context, emit, true, true, base);
  if (o.mode == "events") return throughput_mode(o, context, emit, false, true, base);
  if (o.mode == "fill") {
    bool ok = o.no_baseline || throughput_mode(o, context, emit, false, false, base);
    Record r;
    try {
      r = fill_case(o, context, base);
    } catch (const std::exception& e) {
      r = failed("fill", "litc", "fill", o, o.fill_window, e.what());
    }
    emit(r);
    return r.text("ok") == "true" && ok;
  }
  if (o.mode == "all") {
    bool ok = true;
    for (const char* m : {"latency", "throughput", "fill"}) {
      BenchOptions each = o;
      each.mode = m;
      ok = run_mode(each, context, emit) && ok;
    }
    return ok;
  }
  throw std::invalid_argument("unknown mode " + o.mode);
}

}  // namespace litc::bench
