// The streaming quantile sketch against exact order statistics.
#include "engine/quantile_sketch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <vector>

namespace chipsim {
namespace {

double exact(std::vector<double> v, double q) {  // order statistic of rank floor(q (n - 1))
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
}

void expect_within_bound(const std::vector<double>& values) {
  QuantileSketch s;
  for (double x : values)
    s.add(x);
  for (double q : {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0}) {
    const double want = exact(values, q), got = s.quantile(q);
    EXPECT_LE(std::fabs(got - want), QuantileSketch::kRelativeAccuracy * std::fabs(want))
        << "q=" << q << " want " << want << " got " << got;
  }
}

TEST(QuantileSketch, WithinTheRelativeBoundOnSpreadOutData) {
  boost::random::mt19937 rng(3);
  boost::random::lognormal_distribution<double> wide(0.0, 5.0);  // many orders of magnitude
  std::vector<double> v;
  for (int i = 0; i < 20000; ++i)
    v.push_back(wide(rng));
  expect_within_bound(v);
}

TEST(QuantileSketch, NegativesZerosAndExactBucketBoundaries) {
  boost::random::mt19937 rng(5);
  boost::random::normal_distribution<double> n(0.0, 1e6);
  std::vector<double> v;
  for (int i = 0; i < 5000; ++i)
    v.push_back(n(rng));
  for (int i = 0; i < 500; ++i)
    v.push_back(0.0);
  for (int j = -140; j <= 140; ++j)
    v.push_back(std::exp2(j / 70.0));  // bucket edges
  for (double x : {1.0, 2.0, 0.5, 1024.0, 3e-30, 1e300})
    v.push_back(x);
  expect_within_bound(v);
}

TEST(QuantileSketch, MergeEqualsAddingEverythingToOne) {
  boost::random::mt19937 rng(9);
  boost::random::lognormal_distribution<double> d(3.0, 1.0);
  QuantileSketch a, b, all;
  for (int i = 0; i < 3000; ++i) {
    const double x = d(rng);
    (i % 3 ? a : b).add(x);
    all.add(x);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double q : {0.05, 0.5, 0.95})
    EXPECT_DOUBLE_EQ(a.quantile(q), all.quantile(q));
}

TEST(QuantileSketch, MergeOfDisjointRangesAndSignsEqualsOneSketch) {
  // b's buckets lie below and above a's, on both signs, and some are empty in a: the merge
  // must widen a's stores on either side and add counts bucket by bucket.
  QuantileSketch a, b, all;
  for (int i = 0; i < 500; ++i) {
    const double x = 10.0 + i * 0.01, y = (i % 2 ? -1.0 : 1.0) * (i % 7 == 0 ? 1e-3 : 1e6 + i);
    a.add(x);
    b.add(y);
    all.add(x);
    all.add(y);
  }
  b.add(0.0);
  all.add(0.0);
  a.merge(b);
  EXPECT_EQ(a.count(), 1001u);
  for (int k = 0; k <= 100; ++k)
    EXPECT_EQ(a.quantile(k / 100.0), all.quantile(k / 100.0)) << k;
}

TEST(QuantileSketch, EveryBucketEdgeAndItsNeighboursAcrossTheExponentRange) {
  // The bucket index is read from the double's bits; check it against the bound for values
  // on, just below and just above every edge 2^(j/70) over exponents -99..1000.
  for (int j = -99 * 70; j <= 1000 * 70; j += 7)
    for (double x : {std::exp2(j / 70.0), std::nextafter(std::exp2(j / 70.0), 0.0),
                     std::nextafter(std::exp2(j / 70.0), HUGE_VAL)}) {
      QuantileSketch s;
      s.add(x);
      ASSERT_LE(std::fabs(s.quantile(0.5) - x), QuantileSketch::kRelativeAccuracy * x) << "x=" << x;
    }
}

TEST(QuantileSketch, EmptyAndSingleValue) {
  QuantileSketch s;
  EXPECT_EQ(s.quantile(0.5), 0.0);
  s.add(42.0);
  EXPECT_NEAR(s.quantile(0.05), 42.0, 42.0 * QuantileSketch::kRelativeAccuracy);
  EXPECT_NEAR(s.quantile(0.95), 42.0, 42.0 * QuantileSketch::kRelativeAccuracy);
}

// Issue 13, item 9: a bucket's representative can lie outside the data (1.00495 for values
// that are all exactly 1, a share of 100%). Quantiles are clamped to [min, max] of the data.
TEST(QuantileSketch, QuantilesNeverLeaveTheRangeOfTheData) {
  QuantileSketch all_one;
  for (int i = 0; i < 500; ++i)
    all_one.add(1.0);
  for (double q : {0.0, 0.05, 0.5, 0.95, 1.0})
    EXPECT_EQ(all_one.quantile(q), 1.0) << q;
  QuantileSketch spread, negative;
  for (int i = 0; i <= 1000; ++i) {
    spread.add(0.9 + 0.1 * i / 1000.0);
    negative.add(-2.0 + 1.0 * i / 1000.0);
  }
  for (double q : {0.0, 0.05, 0.5, 0.95, 1.0}) {
    EXPECT_GE(spread.quantile(q), 0.9) << q;
    EXPECT_LE(spread.quantile(q), 1.0) << q;
    EXPECT_GE(negative.quantile(q), -2.0) << q;
    EXPECT_LE(negative.quantile(q), -1.0) << q;
  }
  EXPECT_EQ(spread.quantile(1.0), 1.0);
  EXPECT_EQ(negative.quantile(0.0), -2.0);
  // Merging keeps the bounds: the halves merged give the same answers.
  QuantileSketch a, b;
  for (int i = 0; i < 250; ++i) {
    a.add(1.0);
    b.add(1.0);
  }
  a.merge(b);
  EXPECT_EQ(a.quantile(0.95), 1.0);
}

}  // namespace
}  // namespace chipsim
