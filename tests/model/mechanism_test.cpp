// One test per mechanism, in deterministic mode (RunOptions{noise = false}), against values
// worked out by hand from the world in support/world.hpp.
#include <gtest/gtest.h>

#include "model/baseline_support.hpp"
#include "model/economics.hpp"
#include "support/world.hpp"

namespace chipsim {
namespace {

using test::index_of;
using test::run_world;
using test::units_to;
using test::world;

// Only X is on sale until 2024Q4 (Y launches then), so the buyer's whole quarterly budget of
// 1e9 USD goes to X at 10,000 USD: 100,000 units wanted.
const std::vector<std::string> kOnlyX = {"product.Y.launch=\"2024Q4\""};

TEST(Production, TwoInputsMakeTheMinimumAndNameTheBindingInput) {
  // Wafers: 1,000 x 50 good dies = 50,000 units. HBM: 100,000 stacks / 5 = 20,000 units.
  auto o = kOnlyX;
  o.push_back("foundry.F.node.N.capacity=1000");
  o.push_back("memory.M.capacity=100000");
  const Scenario s = world(o);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X");
  EXPECT_DOUBLE_EQ(tr.production.at(0, x), 20000.0);
  EXPECT_EQ(static_cast<BindingInput>(tr.binding_input.at(0, x)), BindingInput::memory);
  // ... and the supplier that binds is HBM supplier M (labels: F.N, FD.N, M, MD, K, hbm_stock).
  const auto labels = supplier_labels(s);
  ASSERT_EQ(labels, (std::vector<std::string>{"F.N", "FD.N", "M", "MD", "K", "hbm_stock"}));
  EXPECT_EQ(tr.binding_supplier.at(0, x), 2.0);
  // Joint feasibility: only the 400 wafers whose dies HBM can follow are started (20,000 x
  // 1 die / 50 good dies per wafer), so no die waits in the bank.
  EXPECT_DOUBLE_EQ(tr.die_bank.at(0, x), 0.0);
}

TEST(Production, WafersBindWhenTheyAreScarcer) {
  // Wafers: 300 x 50 = 15,000 units; HBM is plentiful.
  auto o = kOnlyX;
  o.push_back("foundry.F.node.N.capacity=300");
  const Scenario s = world(o);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X");
  EXPECT_DOUBLE_EQ(tr.production.at(0, x), 15000.0);
  EXPECT_EQ(static_cast<BindingInput>(tr.binding_input.at(0, x)), BindingInput::dies);
  EXPECT_EQ(tr.binding_supplier.at(0, x), 0.0);  // node F.N
  EXPECT_DOUBLE_EQ(tr.die_bank.at(0, x), 0.0);
}

TEST(Production, NothingBindsWhenInputsSuffice) {
  const Scenario s = world(kOnlyX);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X");
  EXPECT_DOUBLE_EQ(tr.production.at(0, x), 100000.0);
  EXPECT_EQ(static_cast<BindingInput>(tr.binding_input.at(0, x)), BindingInput::demand);
  EXPECT_EQ(tr.binding_supplier.at(0, x), static_cast<double>(kNoSupplier));
}

TEST(Rationing, CapexLeftUnspentWhenSupplyIsShortIsUnmetBudget) {
  // 20,000 units (see above) x 10,000 USD = 2e8 spent of 1e9.
  auto o = kOnlyX;
  o.push_back("foundry.F.node.N.capacity=1000");
  o.push_back("memory.M.capacity=100000");
  const Scenario s = world(o);
  const Trajectory tr = run_world(s);
  const int b = index_of(s.buyers, "BD");
  EXPECT_DOUBLE_EQ(tr.buyer_spend.at(0, b), 2e8);
  EXPECT_DOUBLE_EQ(tr.unmet_budget.at(0, b), 8e8);
}

TEST(Choice, ABuyerWeighsOnlyTheProductsItLists) {
  // Unrestricted, BD splits its budget between X and Y (same specs and price, no domestic
  // preference). Listing only Y, it spends the whole 1e9 USD of the quarter on Y: 100,000
  // units, and none on X, in every period.
  const Scenario both = world();
  const Trajectory open = run_world(both);
  const int x = index_of(both.products, "X"), y = index_of(both.products, "Y");
  const int d = index_of(both.regions, "D"), b = index_of(both.buyers, "BD");
  EXPECT_GT(units_to(open, 0, x, d), 0.0);
  EXPECT_GT(units_to(open, 0, y, d), 0.0);
  const Scenario s = world({"buyer.BD.products=[\"Y\"]"});
  const Trajectory only_y = run_world(s);
  for (int t = 0; t < only_y.periods; ++t)
    EXPECT_EQ(units_to(only_y, t, x, d), 0.0) << t;
  EXPECT_DOUBLE_EQ(units_to(only_y, 0, y, d), 1e5);
  EXPECT_DOUBLE_EQ(only_y.buyer_spend.at(0, b), 1e9);
}

TEST(Choice, ListingEveryProductIsTheSameAsListingNone) {
  // A buyer's choice set keeps its region's order, so a list of every product, in any
  // order, gives the run bit for bit (noise on).
  const Scenario plain = test::baseline();
  std::string all = "[";
  for (auto it = plain.products.rbegin(); it != plain.products.rend(); ++it)
    all += "\"" + it->name + "\",";
  all.back() = ']';
  std::vector<std::string> overrides;
  for (const Buyer& buyer : plain.buyers)
    overrides.push_back("buyer." + buyer.name + ".products=" + all);
  const Scenario listed = test::baseline(overrides);
  ASSERT_EQ(listed.buyers.front().products.size(), plain.products.size());
  for (int replicate = 0; replicate < 3; ++replicate) {
    const Trajectory a = run_replicate(plain, 0, replicate, 11, RunOptions{.noise = true});
    const Trajectory c = run_replicate(listed, 0, replicate, 11, RunOptions{.noise = true});
    for (const auto& v : variables())
      EXPECT_EQ((a.*(v.series)).data(), (c.*(v.series)).data()) << v.name << " " << replicate;
  }
}

// Y alone (X is sold only in H): 100,000 units a quarter, one HBM stack each.
const std::vector<std::string> kOnlyY = {"product.X.markets=[\"H\"]"};
const char* kHbmCut = R"(
[policy.ph.rule.hbm]
type = "input_control"
input = "memory"
destinations = ["D"]
effective = "2024Q1"

[inventory.stock]
kind = "hbm"
vendor = "VD"
generation = "G"
quantity = 250000
)";

TEST(Inputs, HbmCutOffDrainsTheStockpileThenDomesticSupplyBinds) {
  auto o = kOnlyY;
  o.push_back("memory.MD.capacity=40000");
  const Scenario s = world(o, kHbmCut);
  const Trajectory tr = run_world(s);
  const int y = index_of(s.products, "Y"), vd = index_of(s.vendors, "VD");
  // Stock 250,000 drains by 100,000 a quarter; in 2024Q3 the last 50,000 plus 40,000 domestic
  // stacks make 90,000; from 2024Q4 only the 40,000 domestic stacks are left.
  EXPECT_DOUBLE_EQ(tr.hbm_stock.at(0, vd), 150000.0);
  EXPECT_DOUBLE_EQ(tr.hbm_stock.at(1, vd), 50000.0);
  EXPECT_DOUBLE_EQ(tr.hbm_stock.at(2, vd), 0.0);
  EXPECT_DOUBLE_EQ(tr.production.at(0, y), 100000.0);
  EXPECT_DOUBLE_EQ(tr.production.at(1, y), 100000.0);
  EXPECT_DOUBLE_EQ(tr.production.at(2, y), 90000.0);
  EXPECT_DOUBLE_EQ(tr.production.at(3, y), 40000.0);
  EXPECT_EQ(static_cast<BindingInput>(tr.binding_input.at(3, y)), BindingInput::memory);
}

TEST(Inputs, WithoutTheCutOffForeignHbmKeepsOutputUp) {
  auto o = kOnlyY;
  o.push_back("memory.MD.capacity=40000");
  const Scenario s = world(o);
  const Trajectory tr = run_world(s);
  const int y = index_of(s.products, "Y");
  for (int t = 0; t < 4; ++t)
    EXPECT_DOUBLE_EQ(tr.production.at(t, y), 100000.0) << t;
}

TEST(Inputs, EntityListingCutsForeignFoundry) {
  // VD's product Y made at the foreign node F.N instead of FD.N: listed, it makes nothing.
  auto o = kOnlyY;
  o.push_back("product.Y.inputs.node=\"F.N\"");
  const Scenario listed = world(o, R"(
[policy.ph.rule.list]
type = "entity_list"
effective = "2024Q1"
vendors = ["VD"]
)");
  const Trajectory tr = run_world(listed);
  const int y = index_of(listed.products, "Y");
  EXPECT_DOUBLE_EQ(tr.production.at(0, y), 0.0);
  EXPECT_EQ(static_cast<BindingInput>(tr.binding_input.at(0, y)), BindingInput::dies);
  EXPECT_DOUBLE_EQ(run_world(world(o)).production.at(0, y), 100000.0);
}

const char* kDenyX = R"(
[channel.smuggle]
kind = "smuggling"
destinations = ["D"]
supply = 4000
supply_elasticity = 1
markup = 1.5
enforcement_elasticity = 2

[policy.ph.rule.deny]
type = "export_control"
effective = "2024Q1"
destinations = ["D"]
criteria = [{ tpp_min = 1 }]
)";

double smuggled_at_enforcement(double enforcement) {
  auto o = kOnlyX;
  o.push_back("policy.ph.enforcement=" + std::to_string(enforcement));
  const Scenario s = world(o, kDenyX);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D");
  const int direct = index_of(s.channels, "direct");
  EXPECT_DOUBLE_EQ(tr.units_sold.at(0, x, d, direct), 0.0);  // denied: no legal sales
  EXPECT_DOUBLE_EQ(tr.revenue.at(0, index_of(s.vendors, "VH"), d), 0.0);
  EXPECT_DOUBLE_EQ(tr.smuggled_units.at(0, x, d), units_to(tr, 0, x, d));
  return tr.smuggled_units.at(0, x, d);
}

TEST(Leakage, DeniedProductReachesOnlyThroughLeakageFallingWithEnforcement) {
  // Demand (1e9 / (10,000 x 1.5) > 60,000 units) exceeds the channel, whose first-period
  // offer at the reference multiple 1.5 is 4,000 / 4 x exp(-2 e).
  EXPECT_NEAR(smuggled_at_enforcement(0.0), 1000.0, 1e-9);
  EXPECT_NEAR(smuggled_at_enforcement(0.5), 1000.0 * std::exp(-1.0), 1e-9);
  EXPECT_NEAR(smuggled_at_enforcement(1.0), 1000.0 * std::exp(-2.0), 1e-9);
}

TEST(Leakage, ExcessDemandRaisesThePriceAndThePriceRaisesTheOffer) {
  // Period 0: 66,667 units asked of an offer of 1,000, so the multiple doubles (the step
  // (66.7)^(1/2) is capped at 2): 3.0 in period 1, where the offer is 1,000 x (3 / 1.5)^1.
  const Scenario s = world(kOnlyX, kDenyX);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D");
  const int smuggle = index_of(s.channels, "smuggle");
  EXPECT_DOUBLE_EQ(tr.unit_price.at(0, x, d, smuggle), 15000.0);
  EXPECT_DOUBLE_EQ(tr.unit_price.at(1, x, d, smuggle), 30000.0);
  EXPECT_NEAR(tr.smuggled_units.at(1, x, d), 2000.0, 1e-6);
  // Doubling the carriers' reference multiple halves the offer at the same price.
  auto o = kOnlyX;
  o.push_back("channel.smuggle.markup=3.0");
  const Trajectory dear = run_world(world(o, kDenyX));
  EXPECT_NEAR(dear.smuggled_units.at(0, x, d), 1000.0, 1e-6);  // at m = 3.0 = markup
  EXPECT_DOUBLE_EQ(dear.unit_price.at(0, x, d, smuggle), 30000.0);
}

// A licence requirement on X toward D, with a 25% fee (approval 1 by default).
const char* kLicence = R"(
[channel.lic]
kind = "licensed"
destinations = ["D"]

[policy.ph.rule.lic]
type = "export_control"
effective = "2024Q1"
destinations = ["D"]
criteria = [{ tpp_min = 1 }]
status = "licensed"
revenue_share = 0.25
)";

// A denial of X toward D from `date`.
std::string deny_x_from(const std::string& date) {
  return R"(
[policy.ph.rule.deny]
type = "export_control"
effective = ")" +
         date + R"("
destinations = ["D"]
criteria = [{ tpp_min = 1 }]
)";
}

TEST(PolicyTiming, ARuleEffectiveMidQuarterAppliesForItsShareOfTheDays) {
  // 2024Q1 has 91 days; a denial effective 15 February leaves X on direct sale for the 45
  // days before it, so 45/91 of the buyer's order for X is delivered and, with nothing else
  // to buy, the rest of the budget is unmet. From 2024Q2 the denial holds all quarter.
  const Scenario s = world(kOnlyX, deny_x_from("2024-02-15"));
  EXPECT_NEAR(s.rules[0].effective_share, 46.0 / 91.0, 1e-15);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D"),
            direct = index_of(s.channels, "direct"), b = index_of(s.buyers, "BD");
  EXPECT_NEAR(tr.units_sold.at(0, x, d, direct), 1e5 * 45.0 / 91.0, 1e-6);
  EXPECT_NEAR(tr.unmet_budget.at(0, b), 1e9 * 46.0 / 91.0, 1e-3);
  EXPECT_NEAR(tr.unspent_share.at(0, d), 46.0 / 91.0, 1e-12);
  EXPECT_DOUBLE_EQ(tr.units_sold.at(1, x, d, direct), 0.0);
  // The same rule dated 1 January (the period's first day) applies to the whole quarter.
  const Scenario whole = world(kOnlyX, deny_x_from("2024-01-01"));
  EXPECT_DOUBLE_EQ(run_world(whole).units_sold.at(0, x, d, direct), 0.0);
}

TEST(PolicyTiming, ABanAfterALicenceLeavesOnlyTheDaysBetweenThem) {
  // Licensed (approval 1) from 1 February, banned by the importer from 1 March: the licence
  // channel is open 29 of 2024Q1's 91 days, the direct channel the 31 days of January.
  auto o = kOnlyX;
  o.push_back("policy.ph.rule.lic.effective=\"2024-02-01\"");
  o.push_back("policy.ph.rule.lic.revenue_share=0");  // same price on both channels
  const Scenario s = world(o, std::string(kLicence) + R"(
[policy.pd.rule.ban]
type = "import_ban"
effective = "2024-03-01"
products = ["X"]
)");
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D");
  const double direct = tr.units_sold.at(0, x, d, index_of(s.channels, "direct"));
  const double lic = tr.units_sold.at(0, x, d, index_of(s.channels, "lic"));
  // Orders split evenly over the two open options (same utility), each filled to its share.
  EXPECT_NEAR(direct / lic, 31.0 / 29.0, 1e-9);
  EXPECT_NEAR(tr.unspent_share.at(0, d), 1 - 60.0 / 91.0, 1e-9);
}

// An enforcement rule setting the exporter's effort to 1 from `date`.
std::string crackdown_from(const std::string& date) {
  return R"(
[policy.ph.rule.crackdown]
type = "enforcement"
effective = ")" +
         date + R"("
level = 1.0
)";
}

TEST(Leakage, AnEnforcementRuleShiftsTheSupplyFromItsDay) {
  // Enforcement 0 until an enforcement rule sets it to 1 on 15 February 2024: 2024Q1 is
  // cleared in two parts, 45/91 of the quarter offering 1,000 x 45/91 units and 46/91
  // offering 1,000 x exp(-2) x 46/91; demand exceeds both.
  auto o = kOnlyX;
  o.push_back("policy.ph.enforcement=0");
  const Scenario s = world(o, std::string(kDenyX) + crackdown_from("2024-02-15"));
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D");
  EXPECT_NEAR(tr.smuggled_units.at(0, x, d), 1000.0 * (45.0 + std::exp(-2.0) * 46.0) / 91.0, 1e-6);
  // From the start, the rule is the same as the policy's enforcement of 1.
  EXPECT_NEAR(smuggled_at_enforcement(1.0),
              run_world(world(o, std::string(kDenyX) + crackdown_from("2024Q1")))
                  .smuggled_units.at(0, x, d),
              1e-9);
}

TEST(Leakage, SwitchedOffMeansNoSmuggling) {
  auto o = kOnlyX;
  o.push_back("mechanisms.leakage=false");
  const Scenario s = world(o, kDenyX);
  const Trajectory tr = run_world(s);
  EXPECT_DOUBLE_EQ(tr.smuggled_units.at(0, index_of(s.products, "X"), index_of(s.regions, "D")),
                   0.0);
}

TEST(Economics, HalfElectricitySubsidyHalvesTheEnergyTermOfTco) {
  // 1 kW x PUE 1 x 8,000 h x 4 years x 0.10 USD/kWh = 3,200 USD.
  const double full = economics::energy_cost(1000, 1.0, 8000, 4, 0.10, 0.0);
  const double half = economics::energy_cost(1000, 1.0, 8000, 4, 0.10, 0.5);
  EXPECT_DOUBLE_EQ(full, 3200.0);
  EXPECT_DOUBLE_EQ(half, 1600.0);
  EXPECT_DOUBLE_EQ(economics::tco(10000, full) - economics::tco(10000, half), 0.5 * full);
}

TEST(Economics, UtilityRoofline) {
  EXPECT_DOUBLE_EQ(economics::segment_tflops(true, 989, 3.35, 30), 989);
  EXPECT_DOUBLE_EQ(economics::segment_tflops(false, 989, 3.35, 30), 100.5);
  EXPECT_DOUBLE_EQ(economics::utilisation(0.5, 0.4), 0.7);
  // alpha 1, TCO 10,000 USD for 10 PFLOP-years: -ln(1000); gamma 2 x (1 - 0.5) = 1; delta 0.3.
  EXPECT_DOUBLE_EQ(economics::utility(1, 10000, 10, 2, 0.5, 0.3, 0.1),
                   -std::log(1000.0) - 1.0 + 0.3 - 0.1);
}

TEST(ImporterPolicy, EnergySubsidyIsPaidOnInstalledDomesticChips) {
  // Y is domestic in D. Subsidy 50% from 2024Q1: each installed Y uses 1 kW x 8,000 h/yr x
  // 0.25 yr = 2,000 kWh a quarter at 0.10 USD: the government pays 100 USD per unit.
  const Scenario s = world({}, R"(
[policy.pd.rule.power]
type = "energy_subsidy"
effective = "2024Q1"
rate = 0.5
)");
  const Trajectory tr = run_world(s);
  const int y = index_of(s.products, "Y"), d = index_of(s.regions, "D");
  EXPECT_NEAR(tr.subsidy_spend.at(0, d), 100.0 * units_to(tr, 0, y, d), 1e-6);
  // and it tilts the choice toward the domestic chip (equal otherwise).
  EXPECT_GT(units_to(tr, 0, y, d), units_to(tr, 0, index_of(s.products, "X"), d));
}

TEST(ImporterPolicy, DomesticMandateMovesAllStateSpendToDomesticProducts) {
  const char* mandate = R"(
[policy.pd.rule.mandate]
type = "domestic_mandate"
effective = "2024Q1"
share = 1.0
)";
  const Scenario free_buyer = world({}, mandate);
  const Scenario state_buyer = world({"buyer.BD.state_funded=true"}, mandate);
  const int x = index_of(free_buyer.products, "X"), y = index_of(free_buyer.products, "Y");
  const int d = index_of(free_buyer.regions, "D");
  const Trajectory a = run_world(free_buyer), b = run_world(state_buyer);
  // Identical options split a non-state budget evenly: 50,000 units each.
  EXPECT_NEAR(units_to(a, 0, x, d), 50000.0, 1e-6);
  EXPECT_NEAR(units_to(a, 0, y, d), 50000.0, 1e-6);
  // The state buyer spends everything on Y.
  for (int t = 0; t < 4; ++t) {
    EXPECT_DOUBLE_EQ(units_to(b, t, x, d), 0.0);
    EXPECT_NEAR(units_to(b, t, y, d), 100000.0, 1e-6);
  }
}

TEST(Policy, BuyersStockpileBetweenAnnouncementAndEffectiveDate) {
  const char* rule = R"(
[policy.ph.rule.deny]
type = "export_control"
announced = "2024Q2"
effective = "2024Q4"
destinations = ["D"]
criteria = [{ tpp_min = 1 }]
)";
  const Scenario s = world({"market.stockpile_boost=1"}, rule);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D");
  // Before: equal options, 50,000 each. Announced: X's weight doubles, share 2/3.
  // Effective: denied, nothing.
  EXPECT_NEAR(units_to(tr, 0, x, d), 50000.0, 1e-6);
  EXPECT_NEAR(units_to(tr, 1, x, d), 1e9 * 2.0 / 3.0 / 10000.0, 1e-6);
  EXPECT_NEAR(units_to(tr, 2, x, d), 1e9 * 2.0 / 3.0 / 10000.0, 1e-6);
  EXPECT_DOUBLE_EQ(units_to(tr, 3, x, d), 0.0);
  // With the policy-shock mechanism off the rule never comes: no stockpiling, no denial.
  const Trajectory off =
      run_world(world({"market.stockpile_boost=1", "mechanisms.policy_shocks=false"}, rule));
  EXPECT_NEAR(units_to(off, 1, x, d), 50000.0, 1e-6);
  EXPECT_NEAR(units_to(off, 3, x, d), 50000.0, 1e-6);
}

TEST(Policy, VendorsStockpileHbmAheadOfAnAnnouncedCutOff) {
  const char* rule = R"(
[policy.ph.rule.hbm]
type = "input_control"
input = "memory"
destinations = ["D"]
announced = "2024Q1"
effective = "2024Q3"
)";
  // Y wants 50,000 units (half the budget) of one stack each. With stockpile_periods = 2 the
  // vendor holds 2 x 50,000 stacks while the cut-off is pending, then lives on them.
  const Scenario s = world({"market.stockpile_periods=2"}, rule);
  const Trajectory tr = run_world(s);
  const int y = index_of(s.products, "Y"), vd = index_of(s.vendors, "VD");
  EXPECT_NEAR(tr.hbm_stock.at(0, vd), 100000.0, 1e-6);
  EXPECT_NEAR(tr.hbm_stock.at(1, vd), 100000.0, 1e-6);
  EXPECT_NEAR(tr.production.at(2, y), 50000.0, 1e-6);
  EXPECT_NEAR(tr.hbm_stock.at(2, vd), 50000.0, 1e-6);
  // Announced and effective together: no stock, and no domestic HBM, so no output.
  const Trajectory sudden = run_world(
      world({"market.stockpile_periods=2", "policy.ph.rule.hbm.announced=\"2024Q3\""}, rule));
  EXPECT_DOUBLE_EQ(sudden.hbm_stock.at(1, vd), 0.0);
  EXPECT_DOUBLE_EQ(sudden.production.at(2, y), 0.0);
}

TEST(ExportControl, LicenceFeeGoesToTheExporterAndIsPassedThrough) {
  const Scenario s = world({}, kLicence);
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D"),
            h = index_of(s.regions, "H"), lic = index_of(s.channels, "lic");
  const double units = tr.units_sold.at(0, x, d, lic);
  EXPECT_GT(units, 0.0);
  EXPECT_DOUBLE_EQ(tr.unit_price.at(0, x, d, lic), 12500.0);  // 10,000 x (1 + 1 x 0.25)
  // The fee is 25% of the vendor's price, paid once: the buyer pays 12,500, the state gets
  // 2,500 and the vendor keeps 10,000.
  EXPECT_NEAR(tr.fees_collected.at(0, h), 0.25 * 10000.0 * units, 1e-3);
  EXPECT_NEAR(tr.revenue.at(0, index_of(s.vendors, "VH"), d), 10000.0 * units, 1e-3);
  EXPECT_DOUBLE_EQ(tr.units_sold.at(0, x, d, index_of(s.channels, "direct")), 0.0);
}

TEST(ExportControl, ApprovalShareGrantsThatFractionOfLicensedRequests) {
  // With approval a, a fraction a of the first-round licensed request is delivered and the
  // rest of that budget goes elsewhere: licensed units scale exactly with a.
  const Scenario full = world({"policy.ph.rule.lic.approval_probability=1.0"}, kLicence);
  const Scenario half = world({"policy.ph.rule.lic.approval_probability=0.5"}, kLicence);
  const int x = index_of(full.products, "X"), d = index_of(full.regions, "D"),
            lic = index_of(full.channels, "lic");
  const double a = run_world(full).units_sold.at(0, x, d, lic);
  const double b = run_world(half).units_sold.at(0, x, d, lic);
  EXPECT_GT(a, 0.0);
  EXPECT_NEAR(b, 0.5 * a, 1e-6 * a);
}

TEST(ExportControl, VolumeCapIsAShareOfLastPeriodsShipmentsToTheIssuer) {
  // A buyer in H also buys X; licensed exports of X to D are capped at half of what went to
  // H in the previous period (nothing in the first period, when there is no history).
  const Scenario s = world({"policy.ph.rule.lic.volume_cap=0.5"}, std::string(kLicence) + R"(
[buyer.BH]
region = "H"
capex = 2.0e8
accelerator_share = 1.0
)");
  const Trajectory tr = run_world(s);
  const int x = index_of(s.products, "X"), d = index_of(s.regions, "D"),
            h = index_of(s.regions, "H"), lic = index_of(s.channels, "lic");
  EXPECT_DOUBLE_EQ(tr.units_sold.at(0, x, d, lic), 0.0);
  for (int t = 1; t < 4; ++t) {
    const double cap = 0.5 * units_to(tr, t - 1, x, h);
    EXPECT_GT(cap, 0.0);
    EXPECT_NEAR(tr.units_sold.at(t, x, d, lic), cap, 1e-6 * cap) << t;  // binding
  }
}

TEST(SharedCapacity, TwoProductsShareOneNodeInProportionToTheirRequests) {
  // Both made at F.N (Y too); 1,500 wafers x 50 dies = 75,000 units for requests of 50,000
  // each: both get the same fraction, 75%.
  const Scenario s = world({"product.Y.inputs.node=\"F.N\"", "foundry.F.node.N.capacity=1500"});
  const Trajectory tr = run_world(s);
  EXPECT_NEAR(tr.production.at(0, index_of(s.products, "X")), 37500.0, 1e-6);
  EXPECT_NEAR(tr.production.at(0, index_of(s.products, "Y")), 37500.0, 1e-6);
}

// A product of vendor VD with X's specs and list price, and the given dates and inputs.
std::string vd_product(const std::string& name, const std::string& lines) {
  return "\n[product." + name + "]\nvendor = \"VD\"\n" + lines +
         "tflops_bf16 = 1000\nmemory_gb = 80\nbandwidth_tbs = 3\npower_w = 1000\n"
         "die_area_mm2 = 800\nprice = 10000\n";
}

// Z is retired before the first period and on sale only from its stock of 1,000 units, which
// W consumes whole (one Z each) when it is made: the plan still offers Z, the market no longer
// does. A closed option has no price on offer and asks nothing of its channel.
TEST(Retirement, ARetiredProductWhoseStockProductionConsumesIsOffSaleInTheMarket) {
  const Scenario s =
      world(kOnlyX, vd_product("Z",
                               "launch = \"2023Q4\"\nretire = \"2024Q1\"\n"
                               "inputs = { node = \"FD.N\", dies_per_wafer = 100 }\n") +
                        vd_product("W",
                                   "launch = \"2024Q1\"\n"
                                   "inputs = { components = { Z = 1 } }\n") +
                        R"(
[inventory.z-stock]
kind = "finished"
product = "Z"
quantity = 1000
)");
  const Trajectory tr = run_world(s);
  const int z = index_of(s.products, "Z"), w = index_of(s.products, "W"),
            d = index_of(s.regions, "D"), direct = index_of(s.channels, "direct");
  EXPECT_DOUBLE_EQ(tr.production.at(0, w), 1000.0);  // the whole stock of Z went into W
  EXPECT_DOUBLE_EQ(tr.finished_stock.at(0, z), 0.0);
  EXPECT_DOUBLE_EQ(units_to(tr, 0, z, d), 0.0);
  EXPECT_DOUBLE_EQ(tr.unit_price.at(0, z, d, direct), 0.0);  // off sale: no price on offer
  EXPECT_DOUBLE_EQ(tr.unit_price.at(0, w, d, direct), 10000.0);
}

}  // namespace
}  // namespace chipsim
