// litc-lit-bench: the Lit-style operations end to end through the real network. Deals a T-of-N key
// (`litc keygen --network`), starts litc-broker --network-key and N litc-workers (echo, encrypt,
// decrypt; worker i holds share i), and measures `echo`, `encrypt` and `decrypt` jobs/s on that
// one stack in alternating rounds, so echo is the reference figure of the same run. One JSON
// Record per operation (cases lit_echo, lit_encrypt, lit_decrypt); exit 1 when a case failed a
// check, 2 on bad flags.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "bench/drivers.h"
#include "bench/lit_drivers.h"
#include "bench/lit_network.h"
#include "bench/load.h"
#include "bench/report.h"
#include "bench/sides.h"
#include "localnet/proc_stats.h"
#include "localnet/temp_dir.h"
#include "tests/crypto/ethereum/auth_sig_builder.h"

namespace {

using namespace litc::bench;

struct Options {
  std::uint32_t threshold = 2, shares = 3;
  std::size_t window = 1000;
  std::size_t payload_bytes = 64;
  uint64_t count = 0;      // per operation; 0: duration_s
  double duration_s = 10;  // per operation
  int64_t warmup = -1;     // per operation; -1: max(200, window)
  int rounds = 5;
  int reply_timeout_ms = 30'000;
  uint64_t verify_every = 1;
  std::size_t pool = 0;  // 0: window + 64
  std::vector<std::string> ops{"echo", "encrypt", "decrypt"};
  int worker_slots = 256;
  bool quiet = false;
};

std::filesystem::path self_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

double self_cpu_seconds() {
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  return self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + self.ru_stime.tv_sec +
         self.ru_stime.tv_usec / 1e6;
}

// One operation on the shared network: its driver, its load results and the CPU each party used
// while its chunks ran (the sides take turns, so a chunk's CPU is that operation's).
template <class Driver>
class OpSide final : public Side {
 public:
  OpSide(std::string name, LitNetwork& net, std::unique_ptr<Driver> driver)
      : Side(std::move(name)), net_(net), driver_(std::move(driver)) {}
  void warm(const LoadSpec& spec) override { book(run_load(*driver_, spec), true); }
  void chunk(const LoadSpec& spec) override {
    CpuUse before = cpu_now();
    LoadResult part = run_load(*driver_, spec);
    CpuUse after = cpu_now();
    cpu.broker += after.broker - before.broker;
    cpu.workers += after.workers - before.workers;
    cpu.client += after.client - before.client;
    book(std::move(part), false);
  }
  void finish() override {
    if (!net_.healthy()) result.fail("a litcompute process died:\n" + net_.logs());
  }
  Driver& driver() { return *driver_; }

 private:
  CpuUse cpu_now() const {
    CpuUse c;
    c.broker = litc::localnet::cpu_seconds(net_.broker_pid());
    for (pid_t w : net_.worker_pids()) c.workers += litc::localnet::cpu_seconds(w);
    c.client = self_cpu_seconds();
    return c;
  }
  // A warm-up only counts its failures.
  void book(LoadResult&& part, bool warm_up) {
    result.failures += part.failures;
    for (auto& f : part.failure_samples) {
      if (result.failure_samples.size() < 5) result.failure_samples.push_back(std::move(f));
    }
    if (warm_up) return;
    result.sent += part.sent;
    result.completed += part.completed;
    result.elapsed_s += part.elapsed_s;
    result.latency_ns.insert(result.latency_ns.end(), part.latency_ns.begin(),
                             part.latency_ns.end());
  }

  LitNetwork& net_;
  std::unique_ptr<Driver> driver_;
};

Record record(const Side& side, const Options& o, const LoadSpec& spec) {
  const LoadResult& l = side.result;
  Percentiles p = l.percentiles();
  Record r;
  r.set("case", "lit_" + side.name()).set("impl", "litc").set("mode", "lit");
  r.set("operation", side.name()).set("workers", static_cast<int64_t>(o.shares));
  r.set("worker_slots", o.worker_slots);
  r.set("threshold", static_cast<int64_t>(o.threshold));
  r.set("shares", static_cast<int64_t>(o.shares));
  r.set("window", static_cast<int64_t>(o.window));
  r.set("payload_bytes", static_cast<int64_t>(o.payload_bytes));
  r.set("jobs", l.completed).set("failures", l.failures).set("elapsed_s", l.elapsed_s);
  r.set("jobs_per_s", l.jobs_per_s());
  r.set("p50_us", p.p50_us).set("p90_us", p.p90_us).set("p99_us", p.p99_us);
  r.set("p999_us", p.p999_us).set("max_us", p.max_us).set("mean_us", p.mean_us);
  if (l.completed) {
    const double per = 1e6 / l.completed;
    r.set("broker_cpu_us_per_job", side.cpu.broker * per);
    r.set("workers_cpu_us_per_job", side.cpu.workers * per);
    r.set("client_cpu_us_per_job", side.cpu.client * per);
  }
  r.set("rounds", o.rounds);
  bool ok = l.failures == 0 && l.completed > 0 && (spec.count == 0 || l.completed == spec.count);
  r.set("ok", ok);
  if (!l.failure_samples.empty()) r.set("first_failure", l.failure_samples.front());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  LitNetworkConfig net_cfg;
  net_cfg.bin_dir = self_dir();
  std::string bin_dir = net_cfg.bin_dir.string(), out_file;
  bool json = false, keep_logs = false;

  CLI::App app{
      "litc-lit-bench: echo, encrypt and decrypt jobs/s through litc-broker + N litc-workers "
      "holding a T-of-N network key, measured in alternating rounds on one stack; echo is the "
      "reference figure (see bench/README.md)."};
  app.add_option("--threshold", o.threshold, "T: shares a decrypt needs (litc keygen --threshold)")
      ->check(CLI::Range(2u, 64u))
      ->capture_default_str();
  app.add_option("--shares", o.shares, "N: shares dealt, one litc-worker per share")
      ->check(CLI::Range(2u, 64u))
      ->capture_default_str();
  app.add_option("--worker-slots", o.worker_slots,
                 "litc-worker --max-concurrent: jobs (and decrypt parts) a worker runs at once")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--window", o.window, "jobs in flight (pipelined submits)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}))
      ->capture_default_str();
  app.add_option("--payload-bytes", o.payload_bytes,
                 "echo payload, and the plaintext of every encrypt and decrypt (text)")
      ->check(CLI::Range(std::size_t{16}, std::size_t{256 * 1024}))
      ->capture_default_str();
  auto* count =
      app.add_option("--count", o.count, "jobs measured per operation (instead of --duration-s)");
  app.add_option("--duration-s", o.duration_s, "seconds of sending per operation")
      ->excludes(count)
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup,
                 "jobs per operation before measuring, not recorded (default max(200, window))");
  app.add_option("--rounds", o.rounds,
                 "the operations take turns this many times, each running its share of "
                 "--count/--duration-s (a neighbour's load hits all alike)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--verify-every", o.verify_every,
                 "full cryptographic check of every Nth result (encrypt: label proof; decrypt: "
                 "finish_decrypt = the plaintext); the others get the structural checks "
                 "(lit_drivers.h). 1 = every result; 0 = none (structural only)")
      ->capture_default_str();
  app.add_option("--pool", o.pool,
                 "prepared decrypt requests, each in flight at most once (default window + 64; "
                 "must exceed --window)");
  app.add_option("--ops", o.ops, "operations measured, in this order: echo, encrypt, decrypt")
      ->delimiter(',')
      ->check(CLI::IsMember({"echo", "encrypt", "decrypt"}))
      ->capture_default_str();
  app.add_option("--reply-timeout-ms", o.reply_timeout_ms, "no reply for this long fails the case")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  app.add_option("--broker-arg", net_cfg.broker_args, "extra litc-broker flag (repeat)");
  app.add_option("--worker-arg", net_cfg.worker_args, "extra litc-worker flag (repeat)");
  app.add_option("--bin-dir", bin_dir, "where litc, litc-broker and litc-worker are")
      ->capture_default_str();
  app.add_flag("--json", json, "print one JSON object per case on stdout (instead of the table)");
  app.add_option("--out", out_file, "also append the JSON lines to this file");
  app.add_flag("--quiet", o.quiet, "no progress line on stderr");
  app.add_flag("--keep-logs", keep_logs, "keep the temp dir with the keys and every log");
  CLI11_PARSE(app, argc, argv);
  if (o.threshold > o.shares) {
    std::fprintf(stderr, "litc-lit-bench: --threshold must not exceed --shares\n");
    return 2;
  }
  if (o.pool == 0) o.pool = o.window + 64;
  if (o.pool <= o.window) {
    std::fprintf(stderr, "litc-lit-bench: --pool must exceed --window\n");
    return 2;
  }
  net_cfg.bin_dir = bin_dir;
  net_cfg.threshold = o.threshold;
  net_cfg.shares = o.shares;
  net_cfg.worker_slots = o.worker_slots;

  litc::localnet::TempDir dir("litc-lit-bench");
  net_cfg.log_dir = dir.path();
  std::ofstream out;
  if (!out_file.empty()) {
    out.open(out_file, std::ios::app);
    if (!out) {
      std::fprintf(stderr, "litc-lit-bench: cannot write %s\n", out_file.c_str());
      return 2;
    }
  }

  bool ok = true;
  std::vector<Record> records;
  try {
    zmq::context_t context(1);
    LitNetwork net(net_cfg, context);
    namespace ct = litc::crypto::testing;
    const ct::PrivateKey signer = ct::test_key(7);
    const std::string params = user_address_params(ct::address_of(signer).to_lower_hex());
    ct::AuthSigSpec auth_spec;
    auth_spec.expiration_ms = ct::now_ms() + 3'600'000;
    const boost::json::value auth_sig = ct::make_auth_sig(signer, auth_spec);

    std::unique_ptr<OpSide<LitcDriver>> echo;
    std::unique_ptr<OpSide<EncryptDriver>> encrypt;
    std::unique_ptr<OpSide<DecryptDriver>> decrypt;
    std::vector<Side*> sides;
    for (const std::string& op : o.ops) {
      if (op == "echo" && !echo) {
        echo = std::make_unique<OpSide<LitcDriver>>(
            "echo", net,
            std::make_unique<LitcDriver>(context, net.clients(), o.reply_timeout_ms, false));
        sides.push_back(echo.get());
      } else if (op == "encrypt" && !encrypt) {
        encrypt = std::make_unique<OpSide<EncryptDriver>>(
            "encrypt", net,
            std::make_unique<EncryptDriver>(context, net.clients(), o.reply_timeout_ms, net.key(),
                                            params, o.payload_bytes, o.verify_every));
        sides.push_back(encrypt.get());
      } else if (op == "decrypt" && !decrypt) {
        if (!o.quiet) std::fprintf(stderr, "  preparing %zu decrypt requests\n", o.pool);
        decrypt = std::make_unique<OpSide<DecryptDriver>>(
            "decrypt", net,
            std::make_unique<DecryptDriver>(context, net.clients(), o.reply_timeout_ms, net.key(),
                                            params, auth_sig, o.payload_bytes, o.pool,
                                            o.verify_every));
        sides.push_back(decrypt.get());
      }
    }

    LoadSpec spec;
    spec.window = o.window;
    spec.payload_bytes = o.payload_bytes;
    spec.reply_timeout_ms = o.reply_timeout_ms;
    spec.quiet = o.quiet;
    spec.first_index = 1'000'000'000;  // distinct from the warm-up's indices
    if (o.count) {
      spec.count = o.count;
    } else {
      spec.duration_s = o.duration_s;
    }
    LoadSpec warm = spec;
    warm.label = "warm-up";
    warm.quiet = true;
    warm.duration_s = 0;
    warm.first_index = 0;
    warm.count =
        o.warmup >= 0 ? static_cast<uint64_t>(o.warmup) : std::max<uint64_t>(200, o.window);
    for (Side* side : sides) {
      if (warm.count) side->warm(warm);
    }
    run_interleaved(sides, spec, o.rounds);

    auto stats = net.stats();
    std::optional<double> echo_rate;  // the reference, when echo ran and passed
    if (echo && record(*echo, o, spec).text("ok") == "true") echo_rate = echo->result.jobs_per_s();
    for (Side* side : sides) {
      Record r = record(*side, o, spec);
      bool case_ok = r.text("ok") == "true";
      std::string notes;
      if (side != echo.get() && echo_rate) {
        r.set("baseline", "lit_echo").set("baseline_jobs_per_s", *echo_rate);
        r.set("baseline_ratio", side->result.jobs_per_s() / *echo_rate);
      }
      if (side == encrypt.get()) {
        r.set("verify_every", o.verify_every).set("verified", encrypt->driver().verified());
        notes = std::to_string(encrypt->driver().verified()) +
                " label proofs checked (warm-up included)";
      }
      if (side == decrypt.get()) {
        r.set("verify_every", o.verify_every).set("verified", decrypt->driver().verified());
        r.set("pool", static_cast<uint64_t>(o.pool));
        r.set("prepare_s", decrypt->driver().prepare_s());
        notes = std::to_string(decrypt->driver().verified()) +
                " combined to their plaintext (warm-up included)";
        if (stats) {
          const uint64_t invalid = stats->get("invalid_shares");
          r.set("invalid_shares", invalid);
          notes += ", " + std::to_string(invalid) + " invalid shares";
          if (invalid != 0) {
            case_ok = false;
            r.set("error", "the broker rejected " + std::to_string(invalid) + " shares");
          }
        }
      }
      if (!stats) {
        case_ok = false;
        r.set("error", "the broker did not answer stats after the run");
      } else if (stats->get("jobs_failed") != 0) {  // stack-wide: any operation's
        case_ok = false;
        r.set("jobs_failed", stats->get("jobs_failed"));
        r.set("error", std::to_string(stats->get("jobs_failed")) + " jobs failed at the broker");
      }
      if (side == echo.get()) notes = "the reference: echo on this stack";
      r.set("notes", notes).set("ok", case_ok);
      ok = case_ok && ok;
      records.push_back(r);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "litc-lit-bench: %s\n", e.what());
    ok = false;
  }

  for (const Record& r : records) {
    if (json) std::cout << r.json() << std::endl;
    if (out) out << r.json() << std::endl;
    if (r.text("ok") == "false") {
      std::fprintf(stderr, "litc-lit-bench: case %s FAILED: %s%s%s\n", r.text("case").c_str(),
                   r.text("error").c_str(),
                   r.has("error") && r.has("first_failure") ? "; first failure: " : "",
                   r.text("first_failure").c_str());
    }
  }
  if (!json) print_table(std::cout, records);
  if (!ok || keep_logs) {
    dir.keep();
    std::fprintf(stderr, "litc-lit-bench: keys and process logs kept in %s\n", dir.path().c_str());
  }
  return ok ? 0 : 1;
}
