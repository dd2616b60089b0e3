// The one aggregation rule (engine/aggregate.hpp): flows add, stocks take the span's last
// period, shares are the ratio of the aggregated numerator and denominator (never a sum of
// shares), prices are quantity-weighted means, categories refuse to add up; errors name the
// variable and what would work.
#include "engine/aggregate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "engine/year_table.hpp"
#include "model/baseline_support.hpp"

namespace chipsim {
namespace {

// Two periods, two products (of vendors A and B), two regions, two buyers.
class AggregateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t.reset(2, 2, 2, 2, 1, 2, 1, 0);
    // Region 0: shares 0.5 and 1.0 in the two periods, on very different markets.
    t.market_revenue.at(0, 0) = 100, t.domestic_revenue.at(0, 0) = 50;
    t.market_revenue.at(1, 0) = 10, t.domestic_revenue.at(1, 0) = 10;
    t.domestic_share_revenue.at(0, 0) = 0.5, t.domestic_share_revenue.at(1, 0) = 1.0;
    // Region 1: an empty market.
    t.hbm_stock.at(0, 0) = 7, t.hbm_stock.at(1, 0) = 3, t.hbm_stock.at(1, 1) = 2;
    t.price.at(0, 0) = 10, t.price.at(1, 0) = 20, t.price.at(0, 1) = 100;
    t.production.at(0, 0) = 3, t.production.at(1, 0) = 1, t.production.at(0, 1) = 0;
    t.binding_input.at(0, 0) = 3, t.binding_input.at(1, 0) = 2;
    t.unmet_budget.at(0, 0) = 5, t.unmet_budget.at(1, 0) = 6, t.unmet_budget.at(1, 1) = 100;
  }
  double agg(const std::string& var, const Selection& sel, int first = 0, int last = 1) const {
    return Aggregate::resolve(var, sel, labels, first, last).of(t);
  }
  Trajectory t;
  LabelLookup labels = [](const std::string& name) -> std::vector<std::string> {
    if (name == "product") return {"P", "Q"};
    if (name == "vendor") return {"A", "B"};
    if (name == "region") return {"X", "Y"};
    if (name == "buyer") return {"b1", "b2"};
    if (name == "buyer_region") return {"X", "Y"};
    if (name == "channel") return {"direct"};
    if (name == "ecosystem") return {"E"};
    return {};
  };
};

TEST_F(AggregateTest, FlowsAddOverPeriodsAndCells) {
  EXPECT_DOUBLE_EQ(agg("market_revenue", {{"region", "X"}}), 110);
  EXPECT_DOUBLE_EQ(agg("market_revenue", {{"region", "X"}}, 1, 1), 10);
  EXPECT_DOUBLE_EQ(agg("market_revenue", {}), 110);  // region Y is empty
}

TEST_F(AggregateTest, StocksTakeTheSpansLastPeriod) {
  EXPECT_DOUBLE_EQ(agg("hbm_stock", {{"vendor", "A"}}), 3);  // not 7 + 3
  EXPECT_DOUBLE_EQ(agg("hbm_stock", {}), 5);                 // 3 + 2, both at the end
  EXPECT_DOUBLE_EQ(agg("hbm_stock", {}, 0, 0), 7);
}

TEST_F(AggregateTest, SharesAreTheRatioOfTheSumsNeverASumOfShares) {
  // (50 + 10) / (100 + 10), not 0.5 + 1.0 = 1.5 and not their mean 0.75.
  EXPECT_DOUBLE_EQ(agg("domestic_share_revenue", {{"region", "X"}}), 60.0 / 110.0);
  EXPECT_DOUBLE_EQ(agg("domestic_share_revenue", {{"region", "X"}}, 1, 1), 1.0);
  EXPECT_DOUBLE_EQ(agg("domestic_share_revenue", {{"region", "Y"}}), 0.0);  // empty market
  // Over both regions: still a ratio, inside [0, 1].
  const double all = agg("domestic_share_revenue", {});
  EXPECT_GE(all, 0.0);
  EXPECT_LE(all, 1.0);
}

TEST_F(AggregateTest, PricesAreQuantityWeightedMeans) {
  // Product P: 10 x 3 units and 20 x 1 unit -> 12.5, not 30 (sum) or 15 (plain mean).
  EXPECT_DOUBLE_EQ(agg("price", {{"product", "P"}}), 12.5);
  // Q made nothing: no quantity, no average price.
  EXPECT_TRUE(std::isnan(agg("price", {{"product", "Q"}})));
  // Over products: Q's price carries no weight.
  EXPECT_DOUBLE_EQ(agg("price", {}), 12.5);
}

TEST_F(AggregateTest, CategoriesDoNotAddUp) {
  EXPECT_DOUBLE_EQ(agg("binding_input", {{"product", "P"}}), 2);  // the span's last period
  try {
    (void)agg("binding_input", {});
    FAIL() << "summed a category";
  } catch (const AggregationError& e) {
    EXPECT_STREQ(e.what(),
                 "binding_input does not add up over cells (category); select one label of "
                 "each of product (the selection leaves 2 cells)");
  }
}

TEST_F(AggregateTest, AuxiliaryCoordinatesSelectCells) {
  EXPECT_DOUBLE_EQ(agg("unmet_budget", {{"buyer_region", "X"}}), 11);
  EXPECT_DOUBLE_EQ(agg("unmet_budget", {{"buyer_region", "Y"}}), 100);
  // Named by the dimension its values name: region = X on a buyer variable.
  EXPECT_DOUBLE_EQ(agg("unmet_budget", {{"region", "X"}}), 11);
}

TEST_F(AggregateTest, ErrorsNameWhatWouldWork) {
  auto message = [&](const std::string& var, const Selection& sel) {
    try {
      (void)agg(var, sel);
    } catch (const AggregationError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("market_revenu", {})
                .rfind("unknown variable 'market_revenu' (did you mean "
                       "'market_revenue'?); expected one of units_sold, ",
                       0),
            0u);
  EXPECT_EQ(message("market_revenue", {{"vendor", "A"}}),
            "market_revenue has no dimension 'vendor'; its dimensions are period, region");
  EXPECT_EQ(message("market_revenue", {{"region", "Xx"}}),
            "unknown region 'Xx' (did you mean 'X'?); expected one of X, Y");
}

// On real replicates of the baseline, every share row of the yearly table lies in [0, 1]
// (each replicate's yearly share is a ratio of sums, so its mean over replicates is too).
TEST(YearTableShares, StayInsideZeroToOneEveryYear) {
  const Scenario s = test::baseline();
  YearTable table(s);
  Model model(s);
  Trajectory t;
  for (int r = 0; r < 8; ++r) {
    model.run(t, 0, r, s.seed);
    table.add(t);
  }
  int checked = 0;
  for (const auto& region : s.regions)
    for (const char* share :
         {"domestic_share_revenue", "domestic_share_units", "domestic_share_compute"})
      for (int y : table.years()) {
        const double v = table.mean(std::string(share) + "[" + region.name + "]", y);
        EXPECT_GE(v, 0.0) << share << " " << region.name << " " << y;
        EXPECT_LE(v, 1.0) << share << " " << region.name << " " << y;
        ++checked;
      }
  EXPECT_EQ(checked, 3 * 3 * 7);
}

// A world with more products than YearTable::kMaxEntityRows gets no per-product rows (a
// 10^5-node world has 30,000 products, and building their rows scanned the labels once per
// row); the printed table says so. The baseline keeps them.
TEST(YearTableRows, PerProductRowsOnlyWhileReadable) {
  Scenario s = test::baseline();
  std::ostringstream small;
  YearTable(s).print(small);
  EXPECT_NE(small.str().find("production[H100]"), std::string::npos);
  EXPECT_EQ(small.str().find("per-entity rows left out"), std::string::npos);

  const Product first = s.products.front();
  while (s.products.size() <= YearTable::kMaxEntityRows) {
    s.products.push_back(first);
    s.products.back().name = "Copy" + std::to_string(s.products.size());
  }
  std::ostringstream large;
  YearTable(s).print(large);
  EXPECT_EQ(large.str().find("production["), std::string::npos);
  EXPECT_EQ(large.str().find("die_bank["), std::string::npos);
  EXPECT_NE(large.str().find("revenue[NVIDIA,CN]"), std::string::npos);  // vendors: few
  EXPECT_NE(large.str().find("(per-entity rows left out for 201 products: more than 200)"),
            std::string::npos);
}

}  // namespace
}  // namespace chipsim
