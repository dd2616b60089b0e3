// Cost of the market model on the baseline: one replicate (28 quarters) and, derived from it,
// one period. Also counts heap allocations per replicate on a reused Model, to check the
// claim that the period loop allocates nothing of its own (docs/MODEL.md, "Performance").
// Run: build/bench/chipsim_model_bench   (figures in docs/PERFORMANCE.md)
//      CHIPSIM_WORLD=world.toml build/bench/chipsim_model_bench --benchmark_filter=World
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "model/model.hpp"
#include "scenario/loader.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Counting global allocator (this benchmark binary only). GCC cannot see that this new and
// delete are a matching malloc/free pair, hence the pragma.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace {

const std::string kBaseline = std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/baseline.toml";

void run_bench(benchmark::State& state, bool noise, const std::string& path = kBaseline) {
  const chipsim::Scenario s = chipsim::load_scenario(path);
  chipsim::Model model(s);
  chipsim::Trajectory tr;
  model.run(tr, 0, 0, 1, chipsim::RunOptions{.noise = noise});  // size the buffers
  int replicate = 0;
  long allocations = 0;
  for (auto _ : state) {
    const long before = g_allocations.load();
    model.run(tr, 0, replicate++, 1, chipsim::RunOptions{.noise = noise});
    allocations += g_allocations.load() - before;
    benchmark::DoNotOptimize(tr.production.data().data());
  }
  const double periods = s.calendar.periods;
  state.counters["periods"] = periods;
  state.counters["per_period_us"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * periods,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  state.counters["allocs_per_replicate"] =
      static_cast<double>(allocations) / static_cast<double>(state.iterations());
}

void BM_BaselineReplicate(benchmark::State& state) {
  run_bench(state, true);
}
BENCHMARK(BM_BaselineReplicate)->Unit(benchmark::kMicrosecond);

void BM_BaselineReplicateNoNoise(benchmark::State& state) {
  run_bench(state, false);
}
BENCHMARK(BM_BaselineReplicateNoNoise)->Unit(benchmark::kMicrosecond);

}  // namespace

// With CHIPSIM_WORLD set to a scenario file, BM_WorldReplicate times a replicate of that
// world the same way (bench/scaling.sh, on worlds from `chipsim generate`).
int main(int argc, char** argv) {
  if (const char* world = std::getenv("CHIPSIM_WORLD"))
    benchmark::RegisterBenchmark("BM_WorldReplicate", [path = std::string(world)](
                                                          benchmark::State& state) {
      run_bench(state, true, path);
    })->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
