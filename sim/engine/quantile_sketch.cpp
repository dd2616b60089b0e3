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
constexpr int kCells = 4096;  // table cells over the mantissa range [1, 2)

struct Octave {
  std::array<double, kK + 1> bound{};        // 2^(j/K), j = 0..K
  std::array<std::uint8_t, kCells> first{};  // bucket of the cell's lower end
  Octave() {
    for (int j = 0; j <= kK; ++j)
      bound[j] = std::exp2(static_cast<double>(j) / kK);
    int j = 0;
    for (int c = 0; c < kCells; ++c) {
      const double lo = 1.0 + static_cast<double>(c) / kCells;
      while (j + 1 < kK && bound[j + 1] <= lo)
        ++j;
      first[c] = static_cast<std::uint8_t>(j);
    }
  }
};
const Octave& octave() {
  static const Octave table;  // immutable lookup table, built once
  return table;
}
}  // namespace

int QuantileSketch::index_of(double magnitude) {
  // magnitude >= kMinMagnitude is a normal double: magnitude = m 2^e with m in [1, 2). The
  // exponent and mantissa are read from the bits (as frexp would give them, without the
  // call); the top 12 mantissa bits are the table cell floor((m - 1) 4096).
  static_assert(kCells == 1 << 12);
  const auto bits = std::bit_cast<std::uint64_t>(magnitude);
  const int e = static_cast<int>(bits >> 52) - 1023;
  constexpr std::uint64_t kMantissa = (std::uint64_t{1} << 52) - 1;
  const double m = std::bit_cast<double>((bits & kMantissa) | std::bit_cast<std::uint64_t>(1.0));
  const Octave& o = octave();
  int j = o.first[static_cast<std::size_t>((bits >> 40) & 0xfff)];
  while (j + 1 < kK && m >= o.bound[j + 1])
    ++j;
  return e * kK + j;
}

double QuantileSketch::value_of(int index) {
  // Bucket [g^i, g^(i+1)): the representative 2 g^(i+1) / (g + 1) has the least relative
  // error to both ends.
  return 2 * std::exp2(static_cast<double>(index + 1) / kK) / (kGamma + 1);
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
