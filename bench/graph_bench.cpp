// Cost of the scenario and graph layer: loading and validating the baseline, building its
// supply graph, and re-solving a flow network after an in-place capacity change.
// Run: build/bench/chipsim_bench   (figures in docs/PERFORMANCE.md)
#include <benchmark/benchmark.h>

#include "graph/flow.hpp"
#include "graph/supply_graph.hpp"
#include "scenario/loader.hpp"

namespace {

const std::string kBaseline = std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/baseline.toml";

void BM_LoadBaseline(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(chipsim::load_scenario(kBaseline));
}
BENCHMARK(BM_LoadBaseline)->Unit(benchmark::kMillisecond);

void BM_BuildSupplyGraph(benchmark::State& state) {
  const chipsim::Scenario s = chipsim::load_scenario(kBaseline);
  for (auto _ : state) {
    chipsim::SupplyGraph g(s);
    benchmark::DoNotOptimize(g.edge_count());
  }
}
BENCHMARK(BM_BuildSupplyGraph)->Unit(benchmark::kMicrosecond);

// A layered network shaped like a period's allocation problem: source -> `inputs` input
// nodes -> `products` products (each fed by 3 inputs) -> sink. One capacity changes per
// iteration, as in the per-period update, then the network is solved again.
void BM_FlowResolve(benchmark::State& state) {
  const auto inputs = static_cast<std::size_t>(state.range(0));
  const std::size_t products = inputs * 2;
  chipsim::FlowNetwork net(2 + inputs + products);
  const std::size_t s = 0, t = 1;
  std::vector<chipsim::FlowNetwork::EdgeId> supply;
  for (std::size_t i = 0; i < inputs; ++i)
    supply.push_back(net.add_edge(s, 2 + i, 1000.0 + static_cast<double>(i)));
  for (std::size_t p = 0; p < products; ++p) {
    for (std::size_t k = 0; k < 3; ++k)
      net.add_edge(2 + (p + k) % inputs, 2 + inputs + p, 1e18);
    net.add_edge(2 + inputs + p, t, 400.0 + static_cast<double>(p % 7) * 50.0);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    net.set_capacity(supply[i % inputs], 900.0 + static_cast<double>(i % 200));
    benchmark::DoNotOptimize(net.max_flow(s, t));
    ++i;
  }
  state.SetComplexityN(static_cast<long>(net.edge_count()));
}
BENCHMARK(BM_FlowResolve)
    ->RangeMultiplier(10)
    ->Range(10, 10000)
    ->Complexity()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
