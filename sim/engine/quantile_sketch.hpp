// Streaming quantiles with a guaranteed relative error (the DDSketch construction, Masson,
// Rim & Lee, VLDB 2019). A value x != 0 goes to bucket i = ceil(log_g |x|), g = (1+a)/(1-a);
// the bucket's representative 2 g^i / (g + 1) is within a relative error a of every value in
// it, so the q-quantile returned -- the representative of the bucket holding the value of
// rank floor(q (n - 1)) in sorted order -- is within a |x| of that exact order statistic.
// Counts only: the result does not depend on the order of insertion, and two sketches merge
// exactly, so any split of replicates gives the same answer.
#pragma once

#include <cstdint>
#include <vector>

namespace chipsim {

class QuantileSketch {
 public:
  static constexpr double kRelativeAccuracy = 0.005;

  void add(double x);
  void merge(const QuantileSketch& other);
  // The q-quantile (0 <= q <= 1) of the values added, as described above; 0 if empty.
  [[nodiscard]] double quantile(double q) const;
  [[nodiscard]] std::uint64_t count() const { return count_; }

 private:
  struct Store {  // dense counts for bucket indices [offset, offset + counts.size())
    int offset = 0;
    std::vector<std::uint32_t> counts;
    void add(int index);
    void merge(const Store& other);
    [[nodiscard]] std::uint64_t total() const;
  };
  static int index_of(double magnitude);
  static double value_of(int index);

  Store positive_, negative_;
  std::uint64_t zeros_ = 0, count_ = 0;
};

}  // namespace chipsim
