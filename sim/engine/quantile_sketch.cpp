#include "engine/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>

namespace chipsim {

namespace {
constexpr double kGamma =
    (1 + QuantileSketch::kRelativeAccuracy) / (1 - QuantileSketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
// Magnitudes below this count as zero (far below any quantity the model reports).
constexpr double kMinMagnitude = 1e-30;
}  // namespace

int QuantileSketch::index_of(double magnitude) {
  return static_cast<int>(std::ceil(std::log(magnitude) / kLogGamma));
}

double QuantileSketch::value_of(int index) {
  return 2 * std::exp(index * kLogGamma) / (kGamma + 1);
}

void QuantileSketch::Store::add(int index) {
  if (counts.empty()) {
    offset = index;
    counts.assign(1, 0);
  } else if (index < offset) {
    counts.insert(counts.begin(), static_cast<std::size_t>(offset - index), 0);
    offset = index;
  } else if (index >= offset + static_cast<int>(counts.size())) {
    counts.resize(static_cast<std::size_t>(index - offset + 1), 0);
  }
  ++counts[static_cast<std::size_t>(index - offset)];
}

void QuantileSketch::Store::merge(const Store& other) {
  for (std::size_t i = 0; i < other.counts.size(); ++i)
    for (std::uint32_t k = 0; k < other.counts[i]; ++k)
      add(other.offset + static_cast<int>(i));
}

std::uint64_t QuantileSketch::Store::total() const {
  std::uint64_t n = 0;
  for (auto c : counts)
    n += c;
  return n;
}

void QuantileSketch::add(double x) {
  ++count_;
  if (!(std::fabs(x) >= kMinMagnitude)) {  // zero, tiny, or NaN
    ++zeros_;
    return;
  }
  (x > 0 ? positive_ : negative_).add(index_of(std::fabs(x)));
}

void QuantileSketch::merge(const QuantileSketch& other) {
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zeros_ += other.zeros_;
  count_ += other.count_;
}

double QuantileSketch::quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(
      std::floor(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_ - 1)));
  std::uint64_t seen = 0;
  // Negative values, most negative first.
  for (std::size_t i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.counts[i];
    if (seen > rank) return -value_of(negative_.offset + static_cast<int>(i));
  }
  seen += zeros_;
  if (seen > rank) return 0;
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (seen > rank) return value_of(positive_.offset + static_cast<int>(i));
  }
  return positive_.counts.empty()
             ? 0
             : value_of(positive_.offset + static_cast<int>(positive_.counts.size()) - 1);
}

}  // namespace chipsim
