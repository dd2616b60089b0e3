#include "engine/summary.hpp"

#include <algorithm>
#include <stdexcept>

namespace chipsim {

SummaryAccumulator::SummaryAccumulator(std::vector<int> variable_indices, bool float32)
    : vars_(std::move(variable_indices)),
      sums_(vars_.size()),
      sketches_(vars_.size()),
      float32_(float32) {}

void SummaryAccumulator::add(const Trajectory& t) {
  add(std::span<const Trajectory>(&t, 1));
}

void SummaryAccumulator::add(std::span<const Trajectory> batch) {
  if (batch.empty()) return;
  const auto& all = variables();
  columns_.resize(batch.size());
  for (std::size_t k = 0; k < vars_.size(); ++k) {
    const auto member = all[vars_[k]].series;
    const std::size_t cells = (batch.front().*member).data().size();
    for (std::size_t j = 0; j < batch.size(); ++j) {
      const auto& data = (batch[j].*member).data();
      if (data.size() != cells)
        throw std::invalid_argument("SummaryAccumulator: trajectories of different shapes");
      columns_[j] = data.data();
    }
    add_columns(k, cells);
  }
  for (const Trajectory& t : batch) {
    events_fired_.resize(t.event_period.size(), 0);
    for (std::size_t e = 0; e < t.event_period.size(); ++e)
      if (t.event_period[e] != Trajectory::kNeverFired) ++events_fired_[e];
  }
  count_ += static_cast<long>(batch.size());
}

void SummaryAccumulator::add_rows(std::size_t k, const double* rows, std::size_t n,
                                  std::size_t cells) {
  columns_.resize(n);
  for (std::size_t j = 0; j < n; ++j)
    columns_[j] = rows + j * cells;
  add_columns(k, cells);
}

void SummaryAccumulator::add_event_rows(const int* rows, std::size_t n, std::size_t events) {
  events_fired_.resize(events, 0);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t e = 0; e < events; ++e)
      if (rows[j * events + e] != Trajectory::kNeverFired) ++events_fired_[e];
}

void SummaryAccumulator::add_columns(std::size_t k, std::size_t cells) {
  if (sums_[k].empty()) {
    sums_[k].assign(cells, 0.0);
    sketches_[k].resize(cells);
  }
  if (sums_[k].size() != cells)
    throw std::invalid_argument("SummaryAccumulator: rows of different shapes");
  // In tiles of cells: each replicate's values of a tile are read in one sequential run, and
  // the tile's sums and sketches stay in the first-level cache while the replicates pass.
  // For a given cell, replicates are still added in order, so sums are taken in the same
  // order as one add() per trajectory.
  constexpr std::size_t kTile = 64;
  double* const sums = sums_[k].data();
  QuantileSketch* const sketches = sketches_[k].data();
  for (std::size_t lo = 0; lo < cells; lo += kTile) {
    const std::size_t hi = std::min(cells, lo + kTile);
    for (const double* column : columns_)
      for (std::size_t i = lo; i < hi; ++i) {
        const double x = float32_ ? static_cast<double>(static_cast<float>(column[i])) : column[i];
        sums[i] += x;
        sketches[i].add(x);
      }
  }
}

std::vector<double> SummaryAccumulator::stat(std::size_t v, std::size_t stat) const {
  std::vector<double> out(sums_[v].size(), 0.0);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = stat == 0 ? (count_ > 0 ? sums_[v][i] / static_cast<double>(count_) : 0.0)
                       : sketches_[v][i].quantile(kSummaryQuantiles[stat - 1]);
  return out;
}

}  // namespace chipsim
