// Calibration: resolving targets against a scenario, their statistics, the optimiser, and a
// fit that recovers a known parameter.
#include "engine/calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "model/baseline_support.hpp"
#include "scenario/loader.hpp"
#include "support/fixture.hpp"

namespace chipsim {
namespace {

Target revenue_target(const std::string& text_year = "2025") {
  return load_targets_text(R"([[target]]
name = "nv"
variable = "revenue"
select = { vendor = "NVIDIA", region = "CN" }
year = )" + text_year + R"(
value = 1.0e10
low = 5.0e9
high = 2.0e10
source = "test"
)",
                           "t.toml")
      .front();
}

std::vector<Diagnostic> resolve_errors(const Target& t) {
  try {
    (void)TargetStatistic::resolve({t}, test::baseline());
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

TEST(TargetStatistic, SumsTheYearsPeriodsAndTheSelectedCells) {
  const Scenario s = test::baseline();
  const auto st = TargetStatistic::resolve({revenue_target()}, s);
  Model model(s);
  Trajectory t;
  model.run(t, 0, 0, 5, RunOptions{});
  int nv = 0, cn = 0;
  while (s.vendors[nv].name != "NVIDIA")
    ++nv;
  while (s.regions[cn].name != "CN")
    ++cn;
  double want = 0;
  for (int p = 0; p < t.periods; ++p)
    if (s.calendar.year(p) == 2025) want += t.revenue.at(p, nv, cn);
  EXPECT_GT(want, 0);
  EXPECT_DOUBLE_EQ(st[0].of(t), want);
}

TEST(TargetStatistic, UnknownVariableLabelDimensionAndYearAreLocatedErrors) {
  Target t = revenue_target();
  t.variable = "revenu";
  auto ds = resolve_errors(t);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "target[0].variable");
  EXPECT_NE(ds[0].message.find("unknown variable 'revenu' (did you mean 'revenue'?)"),
            std::string::npos)
      << ds[0].message;
  EXPECT_EQ(ds[0].loc.line, 3u);

  // Selections are kept in key order (region, vendor), as toml++ reads inline tables.
  t = revenue_target();
  ASSERT_EQ(t.select[0].first, "region");
  t.select[0].second = "CNN";
  ds = resolve_errors(t);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "target[0].select.region");
  EXPECT_NE(ds[0].message.find("unknown region 'CNN' (did you mean 'CN'?)"), std::string::npos)
      << ds[0].message;

  t = revenue_target();
  t.select[1].first = "product";
  ds = resolve_errors(t);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_NE(ds[0].message.find("has no dimension 'product'; its dimensions are period, vendor, "
                               "region"),
            std::string::npos)
      << ds[0].message;

  ds = resolve_errors(revenue_target("2031"));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "target[0].year");
  EXPECT_NE(ds[0].message.find("year 2031 is outside the simulated horizon 2024Q1 to 2030Q4"),
            std::string::npos)
      << ds[0].message;
  EXPECT_EQ(ds[0].loc.line, 5u);
}

TEST(Outcome, ExactStatisticsAndBandNormalisedMiss) {
  Target t = revenue_target();  // value 1e10, band [5e9, 2e10]
  const std::vector<double> v = {4e9, 6e9, 8e9, 1e10, 2.2e10};
  const TargetOutcome o = outcome_of(t, v);
  EXPECT_DOUBLE_EQ(o.mean, 1e10);
  EXPECT_DOUBLE_EQ(o.statistic, 1e10);
  EXPECT_TRUE(o.in_band);
  EXPECT_DOUBLE_EQ(o.miss, 0);
  // numpy.percentile([4,6,8,10,22], 5) = 4.4; 95 -> 19.6 (linear interpolation).
  EXPECT_NEAR(o.p05, 4.4e9, 1);
  EXPECT_NEAR(o.p95, 19.6e9, 1);
  t.stat = "median";
  const TargetOutcome m = outcome_of(t, v);
  EXPECT_DOUBLE_EQ(m.statistic, 8e9);
  EXPECT_DOUBLE_EQ(m.miss, -0.4);  // 2e9 below, band edge 5e9 below
  const TargetOutcome high = outcome_of(t, {2.5e10});
  EXPECT_FALSE(high.in_band);
  EXPECT_DOUBLE_EQ(high.miss, 1.5);  // 1.5e10 above, edge 1e10 above
}

TEST(NelderMead, FindsTheMinimumOfRosenbrock) {
  int evals = 0;
  double best = 0;
  auto f = [](const std::vector<double>& x) {
    return 100 * std::pow(x[1] - x[0] * x[0], 2) + std::pow(1 - x[0], 2);
  };
  const auto x = nelder_mead(f, {-1.2, 1.0}, 0.5, 2000, 1e-14, 1e-10, best, evals);
  EXPECT_NEAR(x[0], 1.0, 1e-4);
  EXPECT_NEAR(x[1], 1.0, 1e-4);
  EXPECT_LT(best, 1e-8);
  EXPECT_LE(evals, 2000);
}

TEST(NelderMead, RespectsTheEvaluationBudget) {
  int evals = 0, calls = 0;
  double best = 0;
  auto f = [&](const std::vector<double>& x) {
    ++calls;
    return x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
  };
  (void)nelder_mead(f, {0.9, 0.9, 0.9}, 0.1, 25, 0, 0, best, evals);
  EXPECT_EQ(calls, evals);
  EXPECT_LE(calls, 25);
}

TEST(FreeParameter, ParsesKeysAndBoundsAndRejectsBadText) {
  const auto p = parse_free_parameter("buyer.A.x,buyer.B.x=0.25:1e1");
  EXPECT_EQ(p.keys, (std::vector<std::string>{"buyer.A.x", "buyer.B.x"}));
  EXPECT_DOUBLE_EQ(p.low, 0.25);
  EXPECT_DOUBLE_EQ(p.high, 10);
  auto message = [](const std::string& text) {
    try {
      (void)parse_free_parameter(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("a.b=1"),
            "--free 'a.b=1': expected KEY=LOW:HIGH, e.g. "
            "buyer.X.accelerator_share=0.3:0.9");
  EXPECT_EQ(message("a.b=x:1"), "--free 'a.b=x:1': lower bound 'x' is not a finite number");
  EXPECT_EQ(message("a.b=2:1"), "--free 'a.b=2:1': expected LOW < HIGH");
  EXPECT_EQ(message("a,,b=0:1"), "--free 'a,,b=0:1': empty key in 'a,,b'");
}

// The fit recovers a parameter whose true value produced the target: the statistic is made
// with Other-CN's capex at 3e10, the fit starts from the baseline's value and must come back
// to within 2% (Nelder-Mead on a smooth, monotone one-dimensional response under common
// random numbers; 2% is the rounding plus the simplex tolerance, not sampling error, which
// common random numbers remove).
TEST(Calibrate, RecoversAKnownParameter) {
  const std::string path = std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/baseline.toml";
  auto load = [&](const std::vector<std::string>& o) { return load_scenario(path, o); };
  Target t = load_targets_text(R"([[target]]
name = "market"
variable = "market_revenue"
select = { region = "CN" }
year = 2025
value = 1
low = 0
high = 2
source = "test"
)",
                               "t.toml")
                 .front();
  const Scenario truth = load({"buyer.Other-CN.capex=3e10"});
  const Evaluation e = evaluate(truth, TargetStatistic::resolve({t}, truth), 16, 9, 2);
  t.value = e.outcomes[0].statistic;
  t.low = 0.9 * t.value;
  t.high = 1.1 * t.value;
  CalibrationOptions options;
  options.replicates = 16;
  options.seed = 9;
  options.threads = 2;
  options.max_evaluations = 60;
  const auto r = calibrate(load, {}, {t}, {parse_free_parameter("buyer.Other-CN.capex=1e10:8e10")},
                           {5.704e10}, options);
  EXPECT_NEAR(r.values[0], 3e10, 0.02 * 3e10);
  EXPECT_TRUE(r.evaluation.all_in_band());
  EXPECT_LE(r.evaluations, 61);
}

// Windows of several years or of periods, ratio sides with their own selections, and
// selections through a coordinate (region on a buyer variable, vendor on a product one),
// against sums taken by hand.
TEST(TargetStatistic, WindowsSidesAndCoordinateSelections) {
  const Scenario s = test::baseline();
  const auto targets = load_targets(test::source_file("tests/support/window_targets.toml"));
  const auto st = TargetStatistic::resolve(targets, s);
  Trajectory t;
  Model(s).run(t, 0, 0, 5, RunOptions{});
  auto in_years = [&](int p, int a, int b) {
    return s.calendar.year(p) >= a && s.calendar.year(p) <= b;
  };
  auto spend = [&](const char* region, int a, int b) {
    double x = 0;
    for (int p = 0; p < t.periods; ++p)
      for (std::size_t k = 0; k < s.buyers.size(); ++k)
        if (in_years(p, a, b) && s.regions[s.buyers[k].region].name == region)
          x += t.buyer_spend.at(p, static_cast<int>(k));
    return x;
  };
  EXPECT_DOUBLE_EQ(st[0].of(t), spend("CN", 2025, 2030));
  int h20 = 0, cn = 0, q3 = s.calendar.index_of({2025, 7, 1});
  while (s.products[h20].name != "H20")
    ++h20;
  while (s.regions[cn].name != "CN")
    ++cn;
  double units = 0;
  for (int p = q3; p <= q3 + 1; ++p)
    for (int c = 0; c < t.channels; ++c)
      units += t.units_sold.at(p, h20, cn, c);
  EXPECT_DOUBLE_EQ(st[1].of(t), units);
  EXPECT_DOUBLE_EQ(st[2].of(t), spend("CN", 2024, 2025) / spend("US", 2024, 2025));
  double huawei = 0;
  for (int p = 0; p < t.periods; ++p)
    for (std::size_t q = 0; q < s.products.size(); ++q)
      if (s.calendar.year(p) == 2024 && s.vendors[s.products[q].vendor].name == "Huawei")
        huawei += t.production.at(p, static_cast<int>(q));
  EXPECT_DOUBLE_EQ(st[3].of(t), huawei);
  EXPECT_GT(huawei, 0);
}

}  // namespace
}  // namespace chipsim
