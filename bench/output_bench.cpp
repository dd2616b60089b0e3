// Cost of filtering output chunks (shuffle, deflate, Fletcher-32) as the workers do it, on
// the chunks of 64 baseline replicates, every variable as float64 (level 1 is ISA-L's igzip,
// the other levels libdeflate's); and, for comparison, libdeflate's level 1 (the default
// before igzip) and zlib's compress2 (before libdeflate) on the same shuffled bytes.
// Time is per 64-replicate chunk set (all variables); divide by 64 for one replicate. Also the
// byte shuffle alone (BM_Shuffle) and the streaming summaries the writer keeps of the same
// chunk (BM_SummaryAdd).
// Run: build/bench/chipsim_output_bench   (figures in docs/PERFORMANCE.md, "Output throughput")
#include <benchmark/benchmark.h>
#include <libdeflate.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/summary.hpp"
#include "io/chunk_filters.hpp"
#include "model/model.hpp"
#include "scenario/loader.hpp"

namespace {

constexpr int kReplicates = 64;  // output.chunk_replicates' default

// The first chunk of a baseline run: 64 replicates, seed 1.
std::vector<chipsim::Trajectory> baseline_runs() {
  const chipsim::Scenario s =
      chipsim::load_scenario(std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/baseline.toml");
  chipsim::Model model(s);
  std::vector<chipsim::Trajectory> runs(kReplicates);
  for (int r = 0; r < kReplicates; ++r)
    model.run(runs[static_cast<std::size_t>(r)], 0, r, 1, chipsim::RunOptions{.noise = true});
  return runs;
}

const std::vector<chipsim::Trajectory>& runs() {
  static const auto r = baseline_runs();  // built once per benchmark process
  return r;
}

// One raw chunk per variable: the replicates' series back to back, as the file stores them.
std::vector<std::vector<unsigned char>> baseline_chunks() {
  std::vector<std::vector<unsigned char>> chunks;
  for (const auto& v : chipsim::variables()) {
    std::vector<unsigned char> raw;
    for (const auto& t : runs()) {
      const auto& d = (t.*(v.series)).data();
      const auto* bytes = reinterpret_cast<const unsigned char*>(d.data());
      raw.insert(raw.end(), bytes, bytes + d.size() * sizeof(double));
    }
    if (!raw.empty()) chunks.push_back(std::move(raw));
  }
  return chunks;
}

const std::vector<std::vector<unsigned char>>& chunks() {
  static const auto c = baseline_chunks();  // built once per benchmark process
  return c;
}

void report(benchmark::State& state, std::size_t raw, std::size_t stored) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw));
  state.counters["stored_over_raw"] = static_cast<double>(stored) / static_cast<double>(raw);
}

void BM_ChunkFilter(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  chipsim::io::ChunkFilter filter(level);
  std::size_t raw = 0, stored = 0;
  for (auto _ : state) {
    raw = stored = 0;
    for (const auto& c : chunks()) {
      const auto out = filter.filter(c.data(), c.size(), sizeof(double));
      raw += c.size();
      stored += out.size();
      benchmark::DoNotOptimize(out.data());
    }
  }
  report(state, raw, stored);
}
BENCHMARK(BM_ChunkFilter)->Arg(0)->Arg(1)->Arg(2)->Arg(6)->Unit(benchmark::kMillisecond);

// Shuffles every chunk and deflates it with `compress(in, bytes, out) -> stored size`, which
// sizes `out` itself: another compressor on the bytes the workers' filter deflates.
template <typename Compress>
void shuffled_bench(benchmark::State& state, Compress compress) {
  std::vector<unsigned char> shuffled, out;
  std::size_t raw = 0, stored = 0;
  for (auto _ : state) {
    raw = stored = 0;
    for (const auto& c : chunks()) {
      shuffled.resize(c.size());
      chipsim::io::shuffle_bytes(c.data(), c.size(), sizeof(double), shuffled.data());
      raw += c.size();
      stored += compress(shuffled.data(), c.size(), out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  report(state, raw, stored);
}

void BM_ZlibShuffled(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  shuffled_bench(state,
                 [level](const unsigned char* in, std::size_t bytes,
                         std::vector<unsigned char>& out) -> std::size_t {
                   uLongf size = compressBound(static_cast<uLong>(bytes));
                   out.resize(size);
                   compress2(out.data(), &size, in, static_cast<uLong>(bytes), level);
                   return size;
                 });
}
BENCHMARK(BM_ZlibShuffled)->Arg(1)->Arg(6)->Unit(benchmark::kMillisecond);

void BM_LibdeflateShuffled(benchmark::State& state) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(static_cast<int>(state.range(0)));
  shuffled_bench(state,
                 [c](const unsigned char* in, std::size_t bytes,
                     std::vector<unsigned char>& out) -> std::size_t {
                   out.resize(libdeflate_zlib_compress_bound(c, bytes));
                   return libdeflate_zlib_compress(c, in, bytes, out.data(), out.size());
                 });
  libdeflate_free_compressor(c);
}
BENCHMARK(BM_LibdeflateShuffled)->Arg(1)->Unit(benchmark::kMillisecond);

// The byte shuffle alone (HDF5's shuffle filter, the first step of every compressed chunk).
void BM_Shuffle(benchmark::State& state) {
  std::vector<unsigned char> out;
  std::size_t raw = 0;
  for (auto _ : state) {
    raw = 0;
    for (const auto& c : chunks()) {
      out.resize(c.size());
      chipsim::io::shuffle_bytes(c.data(), c.size(), sizeof(double), out.data());
      raw += c.size();
      benchmark::DoNotOptimize(out.data());
    }
  }
  report(state, raw, raw);
}
BENCHMARK(BM_Shuffle)->Unit(benchmark::kMillisecond);

// The streaming summaries' share of the writer's work: one 64-replicate chunk added to the
// mean and quantile sketches of every variable (SummaryAccumulator::add of a batch), into an
// accumulator that has already seen chunks, as in a run.
void BM_SummaryAdd(benchmark::State& state) {
  std::vector<int> all(chipsim::variables().size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<int>(i);
  chipsim::SummaryAccumulator acc(all);
  acc.add(runs());
  for (auto _ : state)
    acc.add(runs());
  benchmark::DoNotOptimize(acc.count());
}
BENCHMARK(BM_SummaryAdd)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
