// Mean and quantiles (p05, p25, p50, p75, p95) of every recorded variable over replicates,
// accumulated while replicates stream past: memory depends on the number of cells, not on
// the number of replicates. Means are plain sums taken in replicate order (deterministic);
// quantiles come from QuantileSketch (relative error <= QuantileSketch::kRelativeAccuracy).
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "engine/quantile_sketch.hpp"
#include "model/trajectory.hpp"

namespace chipsim {

inline constexpr std::array<const char*, 6> kSummaryStats = {"mean", "p05", "p25",
                                                             "p50",  "p75", "p95"};
inline constexpr std::array<double, 5> kSummaryQuantiles = {0.05, 0.25, 0.50, 0.75, 0.95};

class SummaryAccumulator {
 public:
  // Accumulates the listed variables (indices into variables()).
  // With `float32`, values are rounded to float before they are accumulated, as a float32
  // file stores them: a run's summaries then equal those computed from its stored data.
  explicit SummaryAccumulator(std::vector<int> variable_indices, bool float32 = false);
  void add(const Trajectory& t);
  // The same as add() on each trajectory in order, and bitwise the same result; it visits
  // the batch cell by cell so each cell's sketch is fetched once per batch, not per replicate.
  void add(std::span<const Trajectory> batch);
  // The same from stored values rather than trajectories (a sweep's summaries are computed
  // from its file): `n` replicates of variable position k, replicate-major with `cells`
  // values each; then their events (replicate-major, `events` each) and their count.
  void add_rows(std::size_t k, const double* rows, std::size_t n, std::size_t cells);
  void add_event_rows(const int* rows, std::size_t n, std::size_t events);
  void add_count(std::size_t n) { count_ += static_cast<long>(n); }
  [[nodiscard]] long count() const { return count_; }
  // Statistic `stat` (index into kSummaryStats) of variable `v` (position in the list given
  // to the constructor), as a flat array in the variable's layout (period-major).
  [[nodiscard]] std::vector<double> stat(std::size_t v, std::size_t stat) const;
  [[nodiscard]] const std::vector<int>& variables_used() const { return vars_; }
  // Per event (Trajectory::event_period): replicates in which it fired within the horizon.
  [[nodiscard]] const std::vector<long>& events_fired() const { return events_fired_; }

 private:
  std::vector<int> vars_;
  std::vector<std::vector<double>> sums_;
  std::vector<std::vector<QuantileSketch>> sketches_;
  std::vector<const double*> columns_;                 // scratch for add(batch)
  void add_columns(std::size_t k, std::size_t cells);  // from columns_
  std::vector<long> events_fired_;
  long count_ = 0;
  bool float32_ = false;
};

}  // namespace chipsim
