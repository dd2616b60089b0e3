// Direction tests on the mean over paired replicates (same seeds, common random numbers):
// a policy lever must not move an outcome the wrong way. Labelled "statistical".
//
// Tolerance: the comparison is of means over the same replicates, so exogenous noise cancels
// and what remains is the model's response; a lever that truly did not matter would give a
// difference of exactly zero. The tolerance allows only floating-point noise relative to the
// size of the outcome (1e-9), not sampling noise, so a single replicate moving the wrong way
// by a material amount fails the test unless others outweigh it.
#include <gtest/gtest.h>

#include "model/baseline_support.hpp"

namespace chipsim {
namespace {

constexpr int kReplicates = 24;
constexpr std::uint64_t kSeed = 2024;

int region(const Scenario& s, const std::string& name) {
  for (std::size_t i = 0; i < s.regions.size(); ++i)
    if (s.regions[i].name == name) return static_cast<int>(i);
  return -1;
}
int vendor(const Scenario& s, const std::string& name) {
  for (std::size_t i = 0; i < s.vendors.size(); ++i)
    if (s.vendors[i].name == name) return static_cast<int>(i);
  return -1;
}

// Mean over replicates of f(trajectory), summed over 2025-2030.
template <class F>
double mean_outcome(const Scenario& s, F f) {
  Model model(s);
  Trajectory tr;
  double sum = 0;
  for (int r = 0; r < kReplicates; ++r) {
    model.run(tr, 0, r, kSeed);
    for (int t = 0; t < tr.periods; ++t)
      if (s.calendar.year(t) >= 2025) sum += f(tr, t);
  }
  return sum / kReplicates;
}

// Units delivered to buyers in region r in period p: all products, or only those of vendors
// headquartered in r.
double units_in(const Scenario& s, const Trajectory& t, int p, int r, bool domestic_only) {
  double u = 0;
  for (int q = 0; q < t.products; ++q) {
    if (domestic_only && s.vendors[s.products[q].vendor].region != r) continue;
    for (int c = 0; c < t.channels; ++c)
      u += t.units_sold.at(p, q, r, c);
  }
  return u;
}

// The share is measured in units: a production subsidy lowers domestic prices, so while
// domestic output is bound by its inputs (HBM after the stockpile, dies) it can lower the
// domestic share of *revenue* even as it raises the share of units (docs/MODEL.md, section 4).
TEST(Direction, MoreImporterSubsidyDoesNotLowerTheDomesticUnitShare) {
  const Scenario base = test::baseline();
  const Scenario more = test::baseline(
      {"policy.cn.rule.production-subsidy.rate=0.5", "policy.cn.rule.energy-subsidy.rate=0.9"});
  const int cn = region(base, "CN");
  auto domestic = [&](const Trajectory& t, int p) { return units_in(base, t, p, cn, true); };
  auto all = [&](const Trajectory& t, int p) { return units_in(base, t, p, cn, false); };
  const double share_base = mean_outcome(base, domestic) / mean_outcome(base, all);
  const double share_more = mean_outcome(more, domestic) / mean_outcome(more, all);
  EXPECT_GE(share_more, share_base * (1 - 1e-9)) << share_base << " -> " << share_more;
}

TEST(Direction, TighterThresholdsDoNotRaiseTheExportersRevenueInChina) {
  const Scenario base = test::baseline();
  // Lower the 2023 thresholds so that H20-class parts are denied too.
  const Scenario tight =
      test::baseline({"policy.us.rule.oct2023.criteria=[{ tpp_min = 1000 }]",
                      "policy.us.rule.h20-resume.criteria=[{ tpp_max = 1000 }]",
                      "policy.us.rule.h20-licence.criteria=[{ tpp_max = 1000 }]",
                      "policy.us.rule.h200-licence.criteria=[{ tpp_min = 1000, tpp_max = 1001 }]"});
  const int cn = region(base, "CN"), nv = vendor(base, "NVIDIA");
  auto revenue = [&](const Trajectory& t, int p) { return t.revenue.at(p, nv, cn); };
  const double a = mean_outcome(base, revenue), b = mean_outcome(tight, revenue);
  EXPECT_LE(b, a * (1 + 1e-9)) << a << " -> " << b;
  EXPECT_LT(b, a);  // and the lever does bite
}

TEST(Direction, MoreEnforcementDoesNotRaiseSmuggling) {
  const int cn = region(test::baseline(), "CN");
  auto smuggled = [&](const Trajectory& t, int p) {
    double u = 0;
    for (int q = 0; q < t.products; ++q)
      u += t.smuggled_units.at(p, q, cn);
    return u;
  };
  double previous = -1;
  for (double e : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double m =
        mean_outcome(test::baseline({"policy.us.enforcement=" + std::to_string(e)}), smuggled);
    if (previous >= 0) {
      EXPECT_LE(m, previous * (1 + 1e-9)) << "enforcement " << e;
    }
    previous = m;
  }
}

}  // namespace
}  // namespace chipsim
