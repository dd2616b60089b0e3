// Streaming quantiles with a guaranteed relative error (the DDSketch construction, Masson,
// Rim & Lee, VLDB 2019). Buckets are [g^i, g^(i+1)) with g = 2^(1/70), so they split every
// binary octave at the same points and a value's bucket follows exactly from its exponent
// and a table lookup on its mantissa (no logarithm). A bucket's representative
// 2 g^(i+1) / (g + 1) is within a relative error (g - 1)/(g + 1) = 0.00495 of every value in
// it, so the q-quantile returned -- the representative of the bucket holding the value of
// rank floor(q (n - 1)) in sorted order -- is within 0.5% of that exact order statistic.
// Counts only: the result does not depend on the order of insertion, and two sketches merge
// exactly, so any split of replicates gives the same answer.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace chipsim {

class QuantileSketch {
 public:
  static constexpr int kBucketsPerOctave = 70;
  static constexpr double kRelativeAccuracy = 0.005;  // bound; the actual is 0.00495

  // Inline, with the bucket lookup: called for every cell of every replicate.
  void add(double x) {
    ++count_;
    min_ = x < min_ ? x : min_;  // NaN compares false: never a bound
    max_ = x > max_ ? x : max_;
    const double m = std::fabs(x);
    if (!(m >= kMinMagnitude)) {  // zero, tiny, or NaN
      ++zeros_;
      return;
    }
    Store& store = x > 0 ? positive_ : negative_;
    const int i = index_of(m);
    const auto slot = static_cast<std::size_t>(i - store.offset);
    if (!store.counts.empty() && i >= store.offset && slot < store.counts.size())
      ++store.counts[slot];
    else
      store.add(i);
  }
  void merge(const QuantileSketch& other);
  // The q-quantile (0 <= q <= 1) of the values added, as described above, clamped to the
  // range of the values (a bucket's representative may lie just outside it: 1.00495 for
  // values that are all exactly 1); 0 if empty.
  [[nodiscard]] double quantile(double q) const;
  [[nodiscard]] std::uint64_t count() const { return count_; }
  static constexpr double kMinMagnitude = 1e-30;  // smaller magnitudes count as zero

 private:
  struct Store {  // dense counts for bucket indices [offset, offset + counts.size())
    int offset = 0;
    std::vector<std::uint32_t> counts;
    void extend(int index);  // makes room for a count at `index`
    void add(int index);
    void merge(const Store& other);  // adds the other's counts, bucket by bucket
    [[nodiscard]] std::uint64_t total() const;
  };
  [[nodiscard]] double bucket_quantile(double q) const;
  static inline int index_of(double magnitude);
  static double value_of(int index);

  Store positive_, negative_;
  std::uint64_t zeros_ = 0, count_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

namespace detail {
// The buckets of one binary octave: their lower bounds 2^(j/K), j = 0..K, and for each of
// 4,096 equal cells of the mantissa range [1, 2) the bucket holding the cell's lower end.
// Built once, before main (quantile_sketch.cpp); a namespace-scope object, so a lookup needs
// no initialisation guard.
struct SketchOctave {
  static constexpr int kK = QuantileSketch::kBucketsPerOctave;
  static constexpr int kCells = 4096;
  SketchOctave();
  std::array<double, kK + 1> bound{};
  std::array<std::uint8_t, kCells> first{};
};
extern const SketchOctave kSketchOctave;
}  // namespace detail

inline int QuantileSketch::index_of(double magnitude) {
  // magnitude >= kMinMagnitude is a normal double: magnitude = m 2^e with m in [1, 2). The
  // exponent and mantissa are read from the bits (as frexp would give them, without the
  // call); the top 12 mantissa bits are the table cell floor((m - 1) 4096).
  using detail::SketchOctave;
  static_assert(SketchOctave::kCells == 1 << 12);
  const auto bits = std::bit_cast<std::uint64_t>(magnitude);
  const int e = static_cast<int>(bits >> 52) - 1023;
  constexpr std::uint64_t kMantissa = (std::uint64_t{1} << 52) - 1;
  const double m = std::bit_cast<double>((bits & kMantissa) | std::bit_cast<std::uint64_t>(1.0));
  const SketchOctave& o = detail::kSketchOctave;
  int j = o.first[static_cast<std::size_t>((bits >> 40) & 0xfff)];
  while (j + 1 < SketchOctave::kK && m >= o.bound[static_cast<std::size_t>(j + 1)])
    ++j;
  return e * SketchOctave::kK + j;
}

}  // namespace chipsim
