// Accounting identities that must hold in every period of every replicate, checked on the
// baseline over many random seeds (noise on).
#include <gtest/gtest.h>

#include "model/baseline_support.hpp"

namespace chipsim {
namespace {

constexpr int kSeeds = 40;

class Invariants : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { scenario_ = new Scenario(test::baseline()); }
  static void TearDownTestSuite() { delete scenario_; }
  static Scenario* scenario_;
};
Scenario* Invariants::scenario_ = nullptr;

TEST_F(Invariants, HoldInEveryPeriodOverManySeeds) {
  const Scenario& s = *scenario_;
  Model model(s);
  Trajectory tr;
  const int P = tr.products, R = static_cast<int>(s.regions.size());
  (void)P;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    model.run(tr, 0, seed % 7, static_cast<std::uint64_t>(seed));
    for (int t = 0; t < tr.periods; ++t) {
      // Money is counted once: what buyers pay on legal sales channels is the vendors'
      // revenue plus the licence fees governments collect; and a region's budget is its
      // buyers' spend plus what they left unspent.
      double legal_paid = 0, revenue = 0, fees = 0;
      for (int p = 0; p < tr.products; ++p)
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < tr.channels; ++c) {
            const ChannelKind k = s.channels[c].kind;
            if (k == ChannelKind::direct || k == ChannelKind::licensed)
              legal_paid += tr.unit_price.at(t, p, r, c) * tr.units_sold.at(t, p, r, c);
          }
      for (int v = 0; v < tr.vendors; ++v)
        for (int r = 0; r < R; ++r)
          revenue += tr.revenue.at(t, v, r);
      for (int r = 0; r < R; ++r)
        fees += tr.fees_collected.at(t, r);
      ASSERT_NEAR(revenue + fees, legal_paid, 1e-9 * (1 + legal_paid))
          << "seed " << seed << " t " << t;
      for (int r = 0; r < R; ++r) {
        double spend = 0, unmet = 0;
        for (int b = 0; b < tr.buyers; ++b)
          if (s.buyers[b].region == r) {
            spend += tr.buyer_spend.at(t, b);
            unmet += tr.unmet_budget.at(t, b);
          }
        ASSERT_NEAR(tr.budget.at(t, r), spend + unmet, 1e-9 * (1 + tr.budget.at(t, r)));
        ASSERT_NEAR(tr.unspent_budget.at(t, r), unmet, 1e-9 * (1 + unmet));
      }
      for (int p = 0; p < tr.products; ++p) {
        // shipped <= produced + finished stock carried in
        double shipped = 0;
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < tr.channels; ++c) {
            ASSERT_GE(tr.units_sold.at(t, p, r, c), 0.0);
            shipped += tr.units_sold.at(t, p, r, c);
          }
        const double carried = t > 0 ? tr.finished_stock.at(t - 1, p) : 0.0;
        ASSERT_LE(shipped, tr.production.at(t, p) + carried + 1e-6 * (1 + shipped))
            << "seed " << seed << " t " << t << " " << s.products[p].name;
        // and stock moves by exactly production - shipments (no component use in baseline)
        ASSERT_NEAR(tr.finished_stock.at(t, p), carried + tr.production.at(t, p) - shipped,
                    1e-6 * (1 + shipped));
        // no stock goes negative
        ASSERT_GE(tr.die_bank.at(t, p), 0.0);
        ASSERT_GE(tr.finished_stock.at(t, p), 0.0);
        ASSERT_GE(tr.production.at(t, p), 0.0);
        ASSERT_GT(tr.price.at(t, p), 0.0);
      }
      for (int v = 0; v < tr.vendors; ++v)
        ASSERT_GE(tr.hbm_stock.at(t, v), 0.0);
      for (int b = 0; b < tr.buyers; ++b) {
        ASSERT_GE(tr.unmet_budget.at(t, b), 0.0);
        ASSERT_GE(tr.buyer_spend.at(t, b), 0.0);
      }
      for (int r = 0; r < R; ++r) {
        // shares lie in [0, 1], and vendor shares of a market sum to 1
        for (const Series* sh :
             {&tr.domestic_share_revenue, &tr.domestic_share_units, &tr.domestic_share_compute}) {
          ASSERT_GE(sh->at(t, r), 0.0);
          ASSERT_LE(sh->at(t, r), 1.0 + 1e-12);
        }
        const double market = tr.market_revenue.at(t, r);
        if (market <= 0) continue;
        double shares = 0;
        for (int v = 0; v < tr.vendors; ++v)
          shares += tr.revenue.at(t, v, r) / market;
        ASSERT_NEAR(shares, 1.0, 1e-12);
        ASSERT_NEAR(tr.domestic_share_revenue.at(t, r), tr.domestic_revenue.at(t, r) / market,
                    1e-12);
      }
    }
  }
}

TEST_F(Invariants, BudgetIsSpentOrReportedUnmet) {
  // spend + unmet = budget, and the budget does not depend on policy: identical across two
  // very different policy worlds for the same replicate (common random numbers).
  const Scenario& s = *scenario_;
  const Scenario open = test::baseline({"mechanisms.policy_shocks=false"});
  Model a(s), b(open);
  Trajectory ta, tb;
  for (int rep = 0; rep < 5; ++rep) {
    a.run(ta, 0, rep, 99);
    b.run(tb, 0, rep, 99);
    for (int t = 0; t < ta.periods; ++t)
      for (int k = 0; k < ta.buyers; ++k)
        ASSERT_NEAR(ta.buyer_spend.at(t, k) + ta.unmet_budget.at(t, k),
                    tb.buyer_spend.at(t, k) + tb.unmet_budget.at(t, k),
                    1e-6 * (ta.buyer_spend.at(t, k) + ta.unmet_budget.at(t, k)))
            << "rep " << rep << " t " << t << " buyer " << s.buyers[k].name;
  }
}

}  // namespace
}  // namespace chipsim
