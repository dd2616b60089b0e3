// The determinism contract of model.hpp, tested both ways.
#include <gtest/gtest.h>

#include "model/baseline_support.hpp"

namespace chipsim {
namespace {

bool identical(const Trajectory& a, const Trajectory& b) {
  for (const auto& v : variables())
    if ((a.*(v.series)).data() != (b.*(v.series)).data()) return false;
  return true;
}

TEST(Seeds, SameSeedGivesAnIdenticalTrajectory) {
  const Scenario s = test::baseline();
  const Trajectory a = run_replicate(s, 0, 3, 42);
  const Trajectory b = run_replicate(s, 0, 3, 42);
  EXPECT_TRUE(identical(a, b));
}

TEST(Seeds, DifferentSeedOrReplicateGivesADifferentTrajectory) {
  const Scenario s = test::baseline();
  const Trajectory a = run_replicate(s, 0, 3, 42);
  EXPECT_FALSE(identical(a, run_replicate(s, 0, 3, 43)));
  EXPECT_FALSE(identical(a, run_replicate(s, 0, 4, 42)));
}

TEST(Seeds, AReusedModelGivesTheSameResultAsAFreshOne) {
  const Scenario s = test::baseline();
  Model model(s);
  Trajectory t;
  for (int r = 0; r < 5; ++r)
    model.run(t, 0, r, 7);  // leave state behind
  model.run(t, 0, 2, 7);
  EXPECT_TRUE(identical(t, run_replicate(s, 0, 2, 7)));
}

// A stop is asked before every period: run() returns false at the first true answer,
// having run exactly the periods before it, and a replicate abandoned half-way leaves
// nothing behind in a reused Model.
TEST(Seeds, AStopEndsTheReplicateAtAPeriodAndLeavesNothingBehind) {
  const Scenario s = test::baseline();
  Model model(s);
  Trajectory t;
  int asked = 0;
  RunOptions stop_at_5;
  stop_at_5.stop_requested = [&asked] { return ++asked == 5; };
  EXPECT_FALSE(model.run(t, 0, 3, 7, stop_at_5));
  EXPECT_EQ(asked, 5);  // periods 0 to 3 ran; period 4 was not started
  EXPECT_EQ(t.replicate, 3);

  RunOptions never;
  asked = 0;
  never.stop_requested = [&asked] { return ++asked < 0; };
  EXPECT_TRUE(model.run(t, 0, 2, 7, never));
  EXPECT_EQ(asked, s.calendar.periods);  // asked once per period
  EXPECT_TRUE(identical(t, run_replicate(s, 0, 2, 7)));
}

TEST(Seeds, DesignPointDoesNotChangeTheRandomStreams) {
  const Scenario s = test::baseline();
  const Trajectory a = run_replicate(s, 0, 1, 5), b = run_replicate(s, 9, 1, 5);
  EXPECT_EQ(b.point, 9);
  EXPECT_TRUE(identical(a, b));
}

TEST(Seeds, WithoutNoiseEverySeedGivesTheSameTrajectory) {
  const Scenario s = test::baseline();
  EXPECT_TRUE(identical(run_replicate(s, 0, 0, 1, RunOptions{.noise = false}),
                        run_replicate(s, 0, 5, 2, RunOptions{.noise = false})));
}

TEST(Seeds, ParameterDrawsDoNotDependOnOtherEntities) {
  // Common random numbers: adding an unrelated buyer leaves every existing buyer's budget
  // (spend + unmet) in replicate r unchanged.
  const Scenario s = test::baseline();
  const Scenario more =
      test::baseline({"buyer.Extra.region=\"ROW\"", "buyer.Extra.capex=1e9",
                      "buyer.Extra.accelerator_share=0.5", "buyer.Extra.capex_noise=0.1"});
  const Trajectory a = run_replicate(s, 0, 2, 11), b = run_replicate(more, 0, 2, 11);
  for (int k = 0; k < a.buyers; ++k) {
    int kb = 0;
    while (more.buyers[kb].name != s.buyers[k].name)
      ++kb;
    for (int t = 0; t < a.periods; ++t)
      ASSERT_NEAR(a.buyer_spend.at(t, k) + a.unmet_budget.at(t, k),
                  b.buyer_spend.at(t, kb) + b.unmet_budget.at(t, kb),
                  1e-6 * (a.buyer_spend.at(t, k) + a.unmet_budget.at(t, k)))
          << s.buyers[k].name << " t " << t;
  }
}

}  // namespace
}  // namespace chipsim
