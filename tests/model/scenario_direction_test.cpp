// Direction tests for the what-if library (issue 5): each scenario against the baseline on
// paired replicates (same seed and replicate indices: common random numbers).
//
// Tolerance: per replicate we take the difference scenario - baseline of an outcome summed
// over 2025-2030; the test asserts that the mean difference is of the stated sign and at
// least 3 standard errors from zero (SE = s.d. of the paired differences / sqrt(n)). Under
// common random numbers the differences carry only the scenario's effect and its
// interaction with the shocks, so SEs are small; a 3-SE margin would be crossed by chance
// with probability ~0.1% if there were no effect.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "model/baseline_support.hpp"

namespace chipsim {
namespace {

constexpr int kReplicates = 48;
constexpr std::uint64_t kSeed = 20251127;

Scenario whatif(const std::string& file) {
  return load_scenario(std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/whatif/" + file);
}

int index_of(const std::vector<std::string>& names, const std::string& name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  ADD_FAILURE() << "no entity named " << name;
  return 0;
}

// One replicate's outcome, from its trajectory and scenario.
using Outcome = std::function<double(const Scenario&, const Trajectory&)>;

struct Effect {
  double mean = 0, se = 0;
};

Effect paired_effect(const Scenario& base, const Scenario& scen, const Outcome& f) {
  Model mb(base), ms(scen);
  Trajectory tb, ts;
  std::vector<double> d;
  for (int r = 0; r < kReplicates; ++r) {
    mb.run(tb, 0, r, kSeed);
    ms.run(ts, 0, r, kSeed);
    d.push_back(f(scen, ts) - f(base, tb));
  }
  Effect e;
  for (double x : d)
    e.mean += x / kReplicates;
  double var = 0;
  for (double x : d)
    var += (x - e.mean) * (x - e.mean) / (kReplicates - 1);
  e.se = std::sqrt(var / kReplicates);
  return e;
}

bool in_years(const Scenario& s, int t) {
  return s.calendar.year(t) >= 2025;
}

double nvidia_china_revenue(const Scenario& s, const Trajectory& t) {
  const int nv = index_of(dimension_labels(s, "vendor"), "NVIDIA");
  const int cn = index_of(dimension_labels(s, "region"), "CN");
  double x = 0;
  for (int p = 0; p < t.periods; ++p)
    if (in_years(s, p)) x += t.revenue.at(p, nv, cn);
  return x;
}

double china_domestic_revenue_share(const Scenario& s, const Trajectory& t) {
  const int cn = index_of(dimension_labels(s, "region"), "CN");
  double dom = 0, all = 0;
  for (int p = 0; p < t.periods; ++p)
    if (in_years(s, p)) dom += t.domestic_revenue.at(p, cn), all += t.market_revenue.at(p, cn);
  return dom / all;
}

double china_domestic_unit_share(const Scenario& s, const Trajectory& t) {
  const int cn = index_of(dimension_labels(s, "region"), "CN");
  double dom = 0, all = 0;
  for (int p = 0; p < t.periods; ++p) {
    if (!in_years(s, p)) continue;
    for (int q = 0; q < t.products; ++q)
      for (int c = 0; c < t.channels; ++c) {
        const double u = t.units_sold.at(p, q, cn, c);
        all += u;
        if (s.vendors[s.products[q].vendor].region == cn) dom += u;
      }
  }
  return dom / all;
}

double china_smuggled_units(const Scenario& s, const Trajectory& t) {
  const int cn = index_of(dimension_labels(s, "region"), "CN");
  double x = 0;
  for (int p = 0; p < t.periods; ++p)
    for (int q = 0; q < t.products && in_years(s, p); ++q)
      x += t.smuggled_units.at(p, q, cn);
  return x;
}

TEST(ScenarioDirection, FullDenialLowersNvidiaChinaRevenueAndRaisesTheDomesticShare) {
  const Scenario base = test::baseline(), s3 = whatif("03-full-denial.toml");
  const Effect nv = paired_effect(base, s3, nvidia_china_revenue);
  EXPECT_LT(nv.mean + 3 * nv.se, 0) << nv.mean << " +- " << nv.se;
  const Effect share = paired_effect(base, s3, china_domestic_revenue_share);
  EXPECT_GT(share.mean - 3 * share.se, 0) << share.mean << " +- " << share.se;
}

// The unit share: removing the production subsidy raises domestic prices, which can raise the
// domestic share of revenue while domestic output is bound by HBM (docs/MODEL.md section 4).
TEST(ScenarioDirection, NoChineseSubsidiesLowersTheDomesticShare) {
  const Effect e = paired_effect(test::baseline(), whatif("07-no-chinese-subsidies.toml"),
                                 china_domestic_unit_share);
  EXPECT_LT(e.mean + 3 * e.se, 0) << e.mean << " +- " << e.se;
}

TEST(ScenarioDirection, SmugglingCrackdownLowersSmuggledUnits) {
  const Effect e =
      paired_effect(test::baseline(), whatif("06-smuggling-crackdown.toml"), china_smuggled_units);
  EXPECT_LT(e.mean + 3 * e.se, 0) << e.mean << " +- " << e.se;
}

// "Once the stockpile is gone": from the first period in which the HBM-dry scenario's
// Huawei stock has fallen below 1% of its starting level, to the end of 2027; compared with
// the baseline over the same periods of the same replicate.
TEST(ScenarioDirection, HbmDryLowersHuaweiOutputOnceTheStockpileIsGone) {
  const Scenario base = test::baseline(), s5 = whatif("05-hbm-dry.toml");
  const int hw = index_of(dimension_labels(base, "vendor"), "Huawei");
  Model mb(base), ms(s5);
  Trajectory tb, ts;
  std::vector<double> d;
  int dry_replicates = 0;
  for (int r = 0; r < kReplicates; ++r) {
    mb.run(tb, 0, r, kSeed);
    ms.run(ts, 0, r, kSeed);
    const double start = ts.hbm_stock.at(0, hw);
    int dry = -1;
    for (int p = 0; p < ts.periods && dry < 0; ++p)
      if (ts.hbm_stock.at(p, hw) < 0.01 * start) dry = p;
    if (dry < 0) continue;
    ++dry_replicates;
    double out_s = 0, out_b = 0;
    for (int p = dry; p < ts.periods && s5.calendar.year(p) <= 2027; ++p)
      for (int q = 0; q < ts.products; ++q)
        if (s5.products[q].vendor == hw) {
          out_s += ts.production.at(p, q);
          out_b += tb.production.at(p, q);  // same product order: the scenario adds none
        }
    d.push_back(out_s - out_b);
  }
  ASSERT_EQ(dry_replicates, kReplicates) << "the stockpile should run dry in every replicate";
  double mean = 0, var = 0;
  for (double x : d)
    mean += x / static_cast<double>(d.size());
  for (double x : d)
    var += (x - mean) * (x - mean) / static_cast<double>(d.size() - 1);
  const double se = std::sqrt(var / static_cast<double>(d.size()));
  EXPECT_LT(mean + 3 * se, 0) << mean << " +- " << se;
}

}  // namespace
}  // namespace chipsim
