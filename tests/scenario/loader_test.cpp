// The parser: a valid scenario becomes the typed description with every value resolved.
#include <gtest/gtest.h>

#include <cmath>

#include "support/fixture.hpp"

namespace chipsim {
namespace {

using test::kMiniScenario;

TEST(Loader, ReadsSimulationSettings) {
  const Scenario s = load_scenario_text(kMiniScenario, "mini.toml");
  EXPECT_EQ(s.name, "mini");
  EXPECT_EQ(s.calendar.periods, 8);
  EXPECT_EQ(s.calendar.length, PeriodLength::quarter);
  EXPECT_EQ(s.replicates, 10);
  EXPECT_EQ(s.seed, 7u);
}

TEST(Loader, ResolvesEntitiesAndReferences) {
  const Scenario s = load_scenario_text(kMiniScenario, "mini.toml");
  ASSERT_EQ(s.regions.size(), 2u);
  ASSERT_EQ(s.products.size(), 3u);
  ASSERT_EQ(s.nodes.size(), 1u);
  EXPECT_EQ(s.node_label(0), "F.N1");
  const Product& xa = s.products[0];
  EXPECT_EQ(xa.name, "XA");
  EXPECT_EQ(s.vendors[xa.vendor].name, "VA");
  EXPECT_EQ(xa.inputs.node, 0);
  EXPECT_EQ(xa.inputs.hbm_stacks, 5);
  EXPECT_EQ(xa.inputs.hbm_generations, std::vector<std::string>{"G1"});
  ASSERT_EQ(xa.inputs.packagers.size(), 1u);
  EXPECT_EQ(s.packagers[xa.inputs.packagers[0]].name, "P");
  EXPECT_DOUBLE_EQ(xa.inputs.packages_per_wafer.central(), 30);
  const Product& xb2 = s.products[2];
  ASSERT_EQ(xb2.inputs.components.size(), 1u);
  EXPECT_EQ(s.products[xb2.inputs.components[0].product].name, "XB");
  EXPECT_EQ(xb2.inputs.components[0].count, 2);
  EXPECT_EQ(xb2.launch, 4);  // 2025Q1
}

TEST(Loader, DerivesExportMetricsFromSpecs) {
  const Scenario s = load_scenario_text(kMiniScenario, "mini.toml");
  const ProductSpecs& a = s.products[0].specs;
  EXPECT_DOUBLE_EQ(a.tpp(), 16000.0);               // 16 x 1000 TFLOPS
  EXPECT_DOUBLE_EQ(a.performance_density(), 20.0);  // 16000 / 800 mm^2
  const ProductSpecs& b2 = s.products[2].specs;
  EXPECT_DOUBLE_EQ(b2.performance_density(), 9600.0 / 1200.0);  // two 600 mm^2 dies
}

TEST(Loader, AppliesDefaults) {
  const Scenario s = load_scenario_text(kMiniScenario, "mini.toml");
  EXPECT_DOUBLE_EQ(s.market.pue.central(), 1.3);
  EXPECT_TRUE(s.mechanisms.leakage);
  EXPECT_TRUE(std::isinf(s.channels[0].capacity.central()));  // unlimited by default
  EXPECT_DOUBLE_EQ(s.channels[0].markup.central(), 1.0);
  EXPECT_FALSE(s.buyers[0].state_funded);
  EXPECT_DOUBLE_EQ(s.nodes[0].growth.central(), 0.0);
}

TEST(Loader, ReadsPolicyRulesWithDatesAsPeriods) {
  const Scenario s = load_scenario_text(kMiniScenario, "mini.toml");
  ASSERT_EQ(s.rules.size(), 2u);
  const Rule& ctrl = s.rules[0];
  EXPECT_EQ(ctrl.name, "ctrl");
  EXPECT_EQ(s.policies[ctrl.policy].name, "pa");
  EXPECT_EQ(ctrl.announced, 1);
  EXPECT_EQ(ctrl.effective, 3);
  EXPECT_EQ(ctrl.body.type, RuleType::export_control);
  EXPECT_EQ(ctrl.body.status, ExportStatus::denied);
  ASSERT_EQ(ctrl.body.criteria.size(), 1u);
  EXPECT_TRUE(ctrl.body.criteria[0].matches(s.products[0].specs));   // TPP 16000
  EXPECT_FALSE(ctrl.body.criteria[0].matches(s.products[1].specs));  // TPP 4640 < 4800
  const Rule& sub = s.rules[1];
  EXPECT_EQ(sub.body.type, RuleType::energy_subsidy);
  EXPECT_DOUBLE_EQ(sub.body.rate.central(), 0.5);
}

TEST(Loader, ReadsDistributions) {
  std::string text =
      test::replace(kMiniScenario, "capacity = 1000",
                    "capacity = { dist = \"lognormal\", median = 1000, sigma = 0.2 }");
  text =
      test::replace(text, "maturity = 0.5", "maturity = { dist = \"beta\", alpha = 2, beta = 2 }");
  text = test::replace(text, "yield = 0.5",
                       "yield = { dist = \"triangular\", low = 0.3, mode = 0.5, high = 0.6 }");
  text = test::replace(text, "price = 300",
                       "price = { dist = \"normal\", mean = 300, sd = 20, low = 0 }");
  text = test::replace(text, "electricity_price = 0.1",
                       "electricity_price = { dist = \"uniform\", low = 0.08, high = 0.12 }");
  const Scenario s = load_scenario_text(text, "mini.toml");
  EXPECT_EQ(s.nodes[0].capacity.kind, DistKind::lognormal);
  EXPECT_DOUBLE_EQ(s.nodes[0].capacity.central(), 1000);
  EXPECT_EQ(s.ecosystems[1].maturity.kind, DistKind::beta);
  EXPECT_DOUBLE_EQ(s.ecosystems[1].maturity.central(), 0.5);
  EXPECT_EQ(s.nodes[0].yield_initial.kind, DistKind::triangular);
  EXPECT_DOUBLE_EQ(s.nodes[0].yield_initial.central(), 0.5);
  EXPECT_EQ(s.memory[0].price.kind, DistKind::normal);
  EXPECT_DOUBLE_EQ(s.memory[0].price.low, 0.0);
  EXPECT_DOUBLE_EQ(s.regions[0].electricity_price.central(), 0.10);
  EXPECT_EQ(s.regions[0].electricity_price.describe(), "uniform(low=0.08, high=0.12)");
}

TEST(Loader, MonthlyCalendar) {
  std::string text = test::replace(kMiniScenario, "period = \"quarter\"", "period = \"month\"");
  const Scenario s = load_scenario_text(text, "mini.toml");
  EXPECT_EQ(s.calendar.periods, 24);   // end = "2025Q4" runs to December 2025
  EXPECT_EQ(s.rules[0].effective, 9);  // 2024Q4 = October = month index 9
}

TEST(Loader, ResolvedTextIsValidAndReloadsToTheSameScenario) {
  const Scenario s = load_scenario_text(kMiniScenario, "mini.toml", {"policy.pa.enforcement=0.9"});
  EXPECT_NE(s.resolved_text.find("enforcement = 0.9"), std::string::npos);
  const Scenario again = load_scenario_text(s.resolved_text, "resolved.toml");
  EXPECT_DOUBLE_EQ(again.policies[0].enforcement.central(), 0.9);
  EXPECT_EQ(again.resolved_text, s.resolved_text);
}

}  // namespace
}  // namespace chipsim
