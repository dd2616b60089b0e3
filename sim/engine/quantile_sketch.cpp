#include "engine/quantile_sketch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace chipsim {

namespace {
constexpr int kK = QuantileSketch::kBucketsPerOctave;
const double kGamma = std::exp2(1.0 / kK);
}  // namespace

namespace detail {
SketchOctave::SketchOctave() {
  for (int j = 0; j <= kK; ++j)
    bound[static_cast<std::size_t>(j)] = std::exp2(static_cast<double>(j) / kK);
  int j = 0;
  for (int c = 0; c < kCells; ++c) {
    const double lo = 1.0 + static_cast<double>(c) / kCells;
    while (j + 1 < kK && bound[static_cast<std::size_t>(j + 1)] <= lo)
      ++j;
    first[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(j);
  }
}
const SketchOctave kSketchOctave;
}  // namespace detail

double QuantileSketch::value_of(int index) {
  // Bucket [g^i, g^(i+1)): the representative 2 g^(i+1) / (g + 1) has the least relative
  // error to both ends.
  return 2 * std::exp2(static_cast<double>(index + 1) / kK) / (kGamma + 1);
}

void QuantileSketch::Store::extend(int index) {
  if (counts.empty()) {
    offset = index;
    counts.assign(1, 0);
  } else if (index < offset) {
    counts.insert(counts.begin(), static_cast<std::size_t>(offset - index), 0);
    offset = index;
  } else if (index >= offset + static_cast<int>(counts.size())) {
    counts.resize(static_cast<std::size_t>(index - offset + 1), 0);
  }
}

void QuantileSketch::Store::add(int index) {
  extend(index);
  ++counts[static_cast<std::size_t>(index - offset)];
}

void QuantileSketch::Store::merge(const Store& other) {
  if (other.counts.empty()) return;
  extend(other.offset);
  extend(other.offset + static_cast<int>(other.counts.size()) - 1);
  for (std::size_t i = 0; i < other.counts.size(); ++i)
    counts[static_cast<std::size_t>(other.offset - offset) + i] += other.counts[i];
}

std::uint64_t QuantileSketch::Store::total() const {
  std::uint64_t n = 0;
  for (auto c : counts)
    n += c;
  return n;
}

void QuantileSketch::merge(const QuantileSketch& other) {
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zeros_ += other.zeros_;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double QuantileSketch::quantile(double q) const {
  if (count_ == 0) return 0;
  const double v = bucket_quantile(q);
  return min_ <= max_ ? std::clamp(v, min_, max_) : v;
}

double QuantileSketch::bucket_quantile(double q) const {
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
