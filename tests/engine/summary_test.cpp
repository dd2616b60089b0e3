// The streaming summary: batch accumulation against one-at-a-time, and the statistics against
// values computed directly from the trajectories.
#include "engine/summary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "model/baseline_support.hpp"
#include "model/model.hpp"

namespace chipsim {
namespace {

std::vector<Trajectory> replicates(int n) {
  static const Scenario s = test::baseline();
  Model model(s);
  std::vector<Trajectory> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    model.run(out[i], 0, i, 11, RunOptions{});
  return out;
}

std::vector<int> all_variables() {
  std::vector<int> v(variables().size());
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(SummaryAccumulator, BatchesGiveBitwiseTheSameStatisticsAsSingleAdds) {
  const auto reps = replicates(10);
  SummaryAccumulator one(all_variables()), batched(all_variables());
  for (const auto& t : reps)
    one.add(t);
  const std::span<const Trajectory> all(reps);
  batched.add(all.subspan(0, 3));
  batched.add(all.subspan(3, 4));
  batched.add(all.subspan(7, 3));
  ASSERT_EQ(one.count(), 10);
  ASSERT_EQ(batched.count(), 10);
  for (std::size_t v = 0; v < variables().size(); ++v)
    for (std::size_t k = 0; k < kSummaryStats.size(); ++k)
      EXPECT_EQ(one.stat(v, k), batched.stat(v, k))
          << variables()[v].name << " " << kSummaryStats[k];
}

TEST(SummaryAccumulator, MeanAndMedianMatchTheTrajectories) {
  const auto reps = replicates(9);
  SummaryAccumulator acc(all_variables());
  acc.add(std::span<const Trajectory>(reps));
  const auto& vars = variables();
  const auto v = static_cast<std::size_t>(
      std::find_if(vars.begin(), vars.end(),
                   [](const auto& x) { return std::string(x.name) == "market_revenue"; }) -
      vars.begin());
  ASSERT_LT(v, vars.size());
  const auto mean = acc.stat(v, 0), median = acc.stat(v, 3);
  const std::size_t cells = mean.size();
  ASSERT_GT(cells, 0u);
  for (std::size_t i = 0; i < cells; ++i) {
    std::vector<double> x;
    double sum = 0;
    for (const auto& t : reps) {
      x.push_back((t.*(vars[v].series)).data()[i]);
      sum += x.back();
    }
    EXPECT_DOUBLE_EQ(mean[i], sum / 9);
    std::sort(x.begin(), x.end());
    // Rank floor(0.5 * 8) = 4 of 9; the sketch's stated relative error bound.
    EXPECT_LE(std::fabs(median[i] - x[4]), QuantileSketch::kRelativeAccuracy * std::fabs(x[4]))
        << "cell " << i;
  }
}

TEST(SummaryAccumulator, RejectsABatchOfDifferentShapes) {
  auto reps = replicates(2);
  reps[1].reset(3, 1, 1, 1, 1, 1, 1, 0);
  SummaryAccumulator acc(all_variables());
  try {
    acc.add(std::span<const Trajectory>(reps));
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "SummaryAccumulator: trajectories of different shapes");
  }
}

}  // namespace
}  // namespace chipsim
