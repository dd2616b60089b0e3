#include "engine/summary.hpp"

#include <stdexcept>

namespace chipsim {

SummaryAccumulator::SummaryAccumulator(std::vector<int> variable_indices)
    : vars_(std::move(variable_indices)), sums_(vars_.size()), sketches_(vars_.size()) {}

void SummaryAccumulator::add(const Trajectory& t) {
  add(std::span<const Trajectory>(&t, 1));
}

void SummaryAccumulator::add(std::span<const Trajectory> batch) {
  if (batch.empty()) return;
  const auto& all = variables();
  std::vector<const double*>& columns = columns_;
  columns.resize(batch.size());
  for (std::size_t k = 0; k < vars_.size(); ++k) {
    const auto member = all[vars_[k]].series;
    const std::size_t cells = (batch.front().*member).data().size();
    for (std::size_t j = 0; j < batch.size(); ++j) {
      const auto& data = (batch[j].*member).data();
      if (data.size() != cells)
        throw std::invalid_argument("SummaryAccumulator: trajectories of different shapes");
      columns[j] = data.data();
    }
    if (sums_[k].empty()) {
      sums_[k].assign(cells, 0.0);
      sketches_[k].resize(cells);
    }
    // Cell-major: for a given cell, replicates are still added in batch order, so sums are
    // taken in the same order as one add() per trajectory.
    for (std::size_t i = 0; i < cells; ++i) {
      double sum = sums_[k][i];
      QuantileSketch& sketch = sketches_[k][i];
      for (const double* column : columns) {
        sum += column[i];
        sketch.add(column[i]);
      }
      sums_[k][i] = sum;
    }
  }
  for (const Trajectory& t : batch) {
    events_fired_.resize(t.event_period.size(), 0);
    for (std::size_t e = 0; e < t.event_period.size(); ++e)
      if (t.event_period[e] != Trajectory::kNeverFired) ++events_fired_[e];
  }
  count_ += static_cast<long>(batch.size());
}

std::vector<double> SummaryAccumulator::stat(std::size_t v, std::size_t stat) const {
  std::vector<double> out(sums_[v].size(), 0.0);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = stat == 0 ? (count_ > 0 ? sums_[v][i] / static_cast<double>(count_) : 0.0)
                       : sketches_[v][i].quantile(kSummaryQuantiles[stat - 1]);
  return out;
}

}  // namespace chipsim
