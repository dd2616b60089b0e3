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

#include <cstdint>
#include <limits>
#include <vector>

namespace chipsim {

class QuantileSketch {
 public:
  static constexpr int kBucketsPerOctave = 70;
  static constexpr double kRelativeAccuracy = 0.005;  // bound; the actual is 0.00495

  // Inline: called for every cell of every replicate.
  void add(double x) {
    ++count_;
    if (x < min_) min_ = x;  // NaN compares false: never a bound
    if (x > max_) max_ = x;
    const double m = x < 0 ? -x : x;
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
    void add(int index);
    void merge(const Store& other);
    [[nodiscard]] std::uint64_t total() const;
  };
  [[nodiscard]] double bucket_quantile(double q) const;
  static int index_of(double magnitude);
  static double value_of(int index);

  Store positive_, negative_;
  std::uint64_t zeros_ = 0, count_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace chipsim
