#include "engine/summary.hpp"

namespace chipsim {

SummaryAccumulator::SummaryAccumulator(std::vector<int> variable_indices)
    : vars_(std::move(variable_indices)), sums_(vars_.size()), sketches_(vars_.size()) {}

void SummaryAccumulator::add(const Trajectory& t) {
  const auto& all = variables();
  for (std::size_t k = 0; k < vars_.size(); ++k) {
    const auto& data = (t.*(all[vars_[k]].series)).data();
    if (sums_[k].empty()) {
      sums_[k].assign(data.size(), 0.0);
      sketches_[k].resize(data.size());
    }
    for (std::size_t i = 0; i < data.size(); ++i) {
      sums_[k][i] += data[i];
      sketches_[k][i].add(data[i]);
    }
  }
  ++count_;
}

std::vector<double> SummaryAccumulator::stat(std::size_t v, std::size_t stat) const {
  std::vector<double> out(sums_[v].size(), 0.0);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = stat == 0 ? (count_ > 0 ? sums_[v][i] / static_cast<double>(count_) : 0.0)
                       : sketches_[v][i].quantile(kSummaryQuantiles[stat - 1]);
  return out;
}

}  // namespace chipsim
