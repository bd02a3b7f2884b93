// Micro-benchmarks of the worker operations (lc::operations): sha256 of 64 B and 1 KiB (libsodium,
// hex output, as the `sha256` operation returns it) and the `echo` no-op the load runs.
#include <benchmark/benchmark.h>

#include <string>

#include "worker/operations/builtin.h"

namespace {

void BM_Sha256(benchmark::State& state) {
  std::string input(state.range(0), 'x');
  litc::CancelToken cancel;
  for (auto _ : state) {
    litc::OperationResult r = litc::run_sha256(input, cancel);
    benchmark::DoNotOptimize(r.output.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(64)->Arg(1024);

void BM_Echo(benchmark::State& state) {
  std::string input(state.range(0), 'x');
  litc::CancelToken cancel;
  for (auto _ : state) {
    litc::OperationResult r = litc::run_echo(input, cancel);
    benchmark::DoNotOptimize(r.output.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Echo)->Arg(64);

}  // namespace
