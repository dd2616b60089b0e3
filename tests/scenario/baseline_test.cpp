// The shipped baseline loads, and the export rules evaluated from its specs classify the
// chips the way the published rules did.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/fixture.hpp"

namespace chipsim {
namespace {

const Scenario& baseline() {
  static const Scenario s = load_scenario(test::source_file("scenarios/baseline.toml"));
  return s;
}

const Product& product(const std::string& name) {
  const auto& ps = baseline().products;
  auto it = std::find_if(ps.begin(), ps.end(), [&](const Product& p) { return p.name == name; });
  EXPECT_NE(it, ps.end()) << name;
  return *it;
}

const Rule& rule(const std::string& name) {
  const auto& rs = baseline().rules;
  auto it = std::find_if(rs.begin(), rs.end(), [&](const Rule& r) { return r.name == name; });
  EXPECT_NE(it, rs.end()) << name;
  return *it;
}

// An export rule concerns a product listed by name or meeting one of its spec criteria.
bool matches(const Rule& r, const Product& p) {
  const auto& listed = r.body.products;
  const auto& s = baseline();
  const bool named = std::any_of(listed.begin(), listed.end(),
                                 [&](int i) { return s.products[i].name == p.name; });
  return named || std::any_of(r.body.criteria.begin(), r.body.criteria.end(),
                              [&](const SpecCriterion& c) { return c.matches(p.specs); });
}

TEST(Baseline, LoadsWithTheHorizonOfTheIssue) {
  const Scenario& s = baseline();
  EXPECT_EQ(s.calendar.label(0), "2024Q1");
  EXPECT_EQ(s.calendar.label(s.calendar.periods - 1), "2030Q4");
  EXPECT_EQ(s.calendar.periods, 28);
}

TEST(Baseline, TppMatchesPublishedFigures) {
  EXPECT_NEAR(product("H20").specs.tpp(), 2368, 1);    // [PF §C] TPP ~2,368
  EXPECT_NEAR(product("H200").specs.tpp(), 15824, 1);  // [PF §C] TPP ~15,800
}

TEST(Baseline, Oct2023RuleDeniesH100ButNotH20) {
  const Rule& r = rule("oct2023");
  EXPECT_TRUE(matches(r, product("H100")));
  EXPECT_TRUE(matches(r, product("H200")));
  EXPECT_TRUE(matches(r, product("B200")));
  EXPECT_FALSE(matches(r, product("H20")));
  EXPECT_FALSE(matches(r, product("MI308")));
}

TEST(Baseline, Oct2022RuleLetThe400GBsInterconnectPartsThrough) {
  // A800/H800-style parts escaped the 2022 rule through interconnect < 600 GB/s [PF §B].
  ProductSpecs h800 = product("H100").specs;
  h800.interconnect_gbs = 400;
  EXPECT_FALSE(rule("oct2022").body.criteria[0].matches(h800));
  EXPECT_TRUE(rule("oct2022").body.criteria[0].matches(product("H100").specs));
}

TEST(Baseline, H20LicenceRuleCoversH20AndMI308Only) {
  const Rule& r = rule("h20-licence");
  for (const auto& p : baseline().products) {
    const bool expected = p.name == "H20" || p.name == "MI308";
    if (baseline().vendors[p.vendor].region != baseline().policies[r.policy].region) continue;
    EXPECT_EQ(matches(r, p), expected) << p.name;
  }
}

TEST(Baseline, H200LicenceCoversTheH200Only) {
  // The rule names the H200; its TPP < 21,000 ceiling would also fit the H100 and MI300X,
  // which are no longer offered to China, so the baseline lists the product.
  const Rule& r = rule("h200-licence");
  for (const auto& p : baseline().products)
    if (baseline().vendors[p.vendor].region == baseline().policies[r.policy].region) {
      EXPECT_EQ(matches(r, p), p.name == "H200") << p.name;
    }
  EXPECT_DOUBLE_EQ(r.body.revenue_share.central(), 0.25);
  EXPECT_DOUBLE_EQ(r.body.volume_cap.central(), 0.5);
  EXPECT_LT(r.announced, r.effective);
}

TEST(Baseline, TighteningEventSparesH20ClassParts) {
  // The hypothetical tightening withdraws the H200 licences (TPP >= 4,800): the H20 (TPP
  // 2,368) and the MI308 stay under their own licence rule.
  const Event& e = *std::find_if(baseline().events.begin(), baseline().events.end(),
                                 [](const Event& x) { return x.name == "tightening"; });
  Rule as_rule;
  as_rule.policy = e.policy;
  as_rule.body = e.body;
  EXPECT_TRUE(matches(as_rule, product("H200")));
  EXPECT_FALSE(matches(as_rule, product("H20")));
  EXPECT_FALSE(matches(as_rule, product("MI308")));
  EXPECT_EQ(e.hazard.kind, DistKind::uniform);
}

TEST(Baseline, StocksAndUncertainParameters) {
  const Scenario& s = baseline();
  const auto bank =
      std::find_if(s.inventories.begin(), s.inventories.end(),
                   [](const Inventory& i) { return i.kind == InventoryKind::die_bank; });
  ASSERT_NE(bank, s.inventories.end());
  EXPECT_EQ(bank->quantity.kind, DistKind::uniform);
  EXPECT_DOUBLE_EQ(bank->quantity.low, 2.0e6);
  EXPECT_DOUBLE_EQ(bank->quantity.high, 2.9e6);
}

}  // namespace
}  // namespace chipsim
