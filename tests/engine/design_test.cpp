// Sweep designs: each design's defining property, checked on its output.
#include "engine/design.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "support/fixture.hpp"

namespace chipsim {
namespace {

SweepParameter range(const std::string& key, double lo, double hi) {
  SweepParameter p;
  p.key = key;
  p.kind = SweepParameter::range;
  p.low = lo;
  p.high = hi;
  return p;
}

SweepSpec spec_of(DesignKind kind, int samples, int k) {
  SweepSpec s;
  s.design = kind;
  s.samples = samples;
  s.seed = 11;
  for (int i = 0; i < k; ++i)
    s.parameters.push_back(range("p" + std::to_string(i), 0, 10.0 * (i + 1)));
  return s;
}

TEST(Design, AGridIsTheFullFactorialWithTheFirstKeySlowest) {
  SweepSpec s;
  s.design = DesignKind::grid;
  SweepParameter a, b;
  a.key = "a";
  a.kind = b.kind = SweepParameter::levels;
  a.values = {1, 2};
  b.key = "b";
  b.values = {10, 20, 30};
  s.parameters = {a, b};
  const Design d = build_design(s);
  ASSERT_EQ(d.points(), 6);
  EXPECT_EQ(d.values[0], (std::vector<double>{1, 10}));
  EXPECT_EQ(d.values[1], (std::vector<double>{1, 20}));
  EXPECT_EQ(d.values[5], (std::vector<double>{2, 30}));
  EXPECT_EQ(d.unit[4], (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(d.overrides(5), (std::vector<std::string>{"a=2", "b=30"}));
}

TEST(Design, ALatinHypercubeHasOnePointInEveryStratumOfEveryParameter) {
  const SweepSpec s = spec_of(DesignKind::lhs, 50, 3);
  const Design d = build_design(s);
  ASSERT_EQ(d.points(), 50);
  for (std::size_t j = 0; j < 3; ++j) {
    std::set<int> strata;
    for (const auto& u : d.unit)
      strata.insert(static_cast<int>(std::floor(u[j] * 50)));
    EXPECT_EQ(strata.size(), 50u) << "parameter " << j;
  }
  for (int p = 0; p < d.points(); ++p)  // values are the ranges' images of the unit cube
    EXPECT_DOUBLE_EQ(d.values[p][2], 30.0 * d.unit[p][2]);
  // Seeded: the same seed gives the same design, another seed another one; the maximin
  // choice is no worse than a single draw.
  EXPECT_EQ(build_design(s).unit, d.unit);
  SweepSpec other = s;
  other.seed = 12;
  EXPECT_NE(build_design(other).unit, d.unit);
  SweepSpec single = s;
  single.candidates = 1;
  const auto dist = [](const Design& x) {
    double best = 1e9;
    for (std::size_t i = 0; i < x.unit.size(); ++i)
      for (std::size_t j = i + 1; j < x.unit.size(); ++j) {
        double s2 = 0;
        for (std::size_t k = 0; k < 3; ++k)
          s2 += std::pow(x.unit[i][k] - x.unit[j][k], 2);
        best = std::min(best, std::sqrt(s2));
      }
    return best;
  };
  EXPECT_GE(dist(d), dist(build_design(single)));
}

TEST(Design, SaltelliBlocksAreA_ABi_BWithABiTakingColumnIFromB) {
  const Design d = build_design(spec_of(DesignKind::saltelli, 8, 3));
  ASSERT_EQ(d.points(), 8 * 5);
  for (int j = 0; j < 8; ++j) {
    const auto& a = d.unit[j * 5];
    const auto& b = d.unit[j * 5 + 4];
    EXPECT_EQ(d.role[j * 5], -1);
    EXPECT_EQ(d.role[j * 5 + 4], 3);
    for (int i = 0; i < 3; ++i) {
      const auto& ab = d.unit[j * 5 + 1 + i];
      EXPECT_EQ(d.role[j * 5 + 1 + i], i);
      EXPECT_EQ(d.group[j * 5 + 1 + i], j);
      for (int c = 0; c < 3; ++c)
        EXPECT_EQ(ab[c], c == i ? b[c] : a[c]);
    }
  }
  // A Sobol sequence fills [0, 1) evenly: each half of each axis holds half of A's points.
  int low = 0;
  for (int j = 0; j < 8; ++j)
    low += d.unit[j * 5][1] < 0.5;
  EXPECT_EQ(low, 4);
}

TEST(Design, MorrisTrajectoriesChangeOneParameterAtATimeByDelta) {
  SweepSpec s = spec_of(DesignKind::morris, 6, 4);
  s.levels = 4;
  const Design d = build_design(s);
  ASSERT_EQ(d.points(), 6 * 5);
  const double delta = 4.0 / (2 * 3);
  for (int t = 0; t < 6; ++t) {
    std::set<int> moved;
    for (int i = 1; i <= 4; ++i) {
      const auto& x = d.unit[t * 5 + i - 1];
      const auto& y = d.unit[t * 5 + i];
      const int changed = d.role[t * 5 + i];
      moved.insert(changed);
      for (int c = 0; c < 4; ++c) {
        if (c == changed)
          EXPECT_NEAR(std::abs(y[c] - x[c]), delta, 1e-12);
        else
          EXPECT_EQ(y[c], x[c]);
        EXPECT_GE(y[c], 0.0);
        EXPECT_LE(y[c], 1.0);
      }
    }
    EXPECT_EQ(moved.size(), 4u);  // every parameter moves once per trajectory
  }
}

TEST(Design, ACsvOfPointsIsReadWithLocatedErrors) {
  test::TempDir dir;
  SweepSpec s;
  s.design = DesignKind::csv;
  s.csv_path = dir.write("p.csv", "a.b, c\n1, 2\n3,4.5\n");
  const Design d = build_design(s);
  EXPECT_EQ(d.keys, (std::vector<std::string>{"a.b", "c"}));
  EXPECT_EQ(d.values, (std::vector<std::vector<double>>{{1, 2}, {3, 4.5}}));
  s.csv_path = dir.write("bad.csv", "a,b\n1,x\n2\n");
  try {
    (void)build_design(s);
    ADD_FAILURE();
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u);
    EXPECT_EQ(e.diagnostics()[0].str(),
              s.csv_path + ":2:3: error: b: expected a finite number, got \"x\"");
    EXPECT_EQ(e.diagnostics()[1].str(),
              s.csv_path +
                  ":3:1: error: row 3: expected 2 values (one per key in the header), "
                  "got 1");
  }
}

TEST(Design, ADistributionMapsTheUnitCoordinateThroughItsQuantile) {
  SweepParameter p;
  p.kind = SweepParameter::dist;
  p.distribution.kind = DistKind::lognormal;
  p.distribution.a = 2.0;
  p.distribution.b = 0.5;
  EXPECT_NEAR(parameter_value(p, 0.5), 2.0, 1e-12);                                // the median
  EXPECT_NEAR(parameter_value(p, 0.8413447460685429), 2.0 * std::exp(0.5), 1e-9);  // +1 sd
  p.distribution.kind = DistKind::triangular;
  p.distribution.low = 0;
  p.distribution.high = 2;
  p.distribution.a = 1;
  EXPECT_NEAR(parameter_value(p, 0.5), 1.0, 1e-12);
  EXPECT_NEAR(parameter_value(p, 0.125), 0.5, 1e-12);
}

}  // namespace
}  // namespace chipsim
