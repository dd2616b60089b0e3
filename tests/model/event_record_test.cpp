// The structural-uncertainty record: Trajectory::event_period holds, per stochastic event and
// trigger, the period in which it fired, or kNeverFired.
#include <gtest/gtest.h>

#include "model/baseline_support.hpp"
#include "scenario/scenario.hpp"

namespace chipsim {
namespace {

int index_of(const Scenario& s, const std::string& label) {
  const auto labels = event_labels(s);
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == label) return static_cast<int>(i);
  return -1;
}

TEST(EventRecord, ACertainEventFiresInTheFirstPeriodOfItsWindow) {
  const Scenario s = test::baseline(
      {"policy.us.event.tightening.hazard=1.0", "policy.cn.event.nvidia-ban.hazard=0.0"});
  ASSERT_EQ(event_labels(s), (std::vector<std::string>{"nvidia-ban", "tightening"}));
  const int tightening = index_of(s, "tightening"), ban = index_of(s, "nvidia-ban");
  const int window_start = s.calendar.index_of({2026, 4, 1});  // from = "2026Q2"
  Model model(s);
  Trajectory t;
  for (int r = 0; r < 5; ++r) {
    model.run(t, 0, r, s.seed);
    ASSERT_EQ(t.event_period.size(), 2u);
    EXPECT_EQ(t.event_period[tightening], window_start) << "replicate " << r;
    EXPECT_EQ(t.event_period[ban], Trajectory::kNeverFired) << "replicate " << r;
  }
}

TEST(EventRecord, EventsAreOffWithoutNoise) {
  const Scenario s = test::baseline({"policy.us.event.tightening.hazard=1.0"});
  Trajectory t;
  Model(s).run(t, 0, 0, s.seed, RunOptions{.noise = false});
  for (int p : t.event_period)
    EXPECT_EQ(p, Trajectory::kNeverFired);
}

// The record is the same replicate by replicate under common random numbers: a what-if that
// does not touch an event sees it fire in the same periods.
TEST(EventRecord, FiringPeriodsAreCommonRandomNumbers) {
  const Scenario a = test::baseline();
  const Scenario b = test::baseline({"policy.us.enforcement=0.9"});
  Model ma(a), mb(b);
  Trajectory ta, tb;
  int fired = 0;
  for (int r = 0; r < 40; ++r) {
    ma.run(ta, 0, r, a.seed);
    mb.run(tb, 0, r, a.seed);
    const int e = index_of(a, "tightening");
    EXPECT_EQ(ta.event_period[e], tb.event_period[e]) << "replicate " << r;
    fired += ta.event_period[e] != Trajectory::kNeverFired;
  }
  // 19 quarters at a 3% hazard: it fires in about 44% of replicates; 40 replicates see it
  // fire at least once and miss it at least once (probability of either failing < 1e-8).
  EXPECT_GT(fired, 0);
  EXPECT_LT(fired, 40);
}

}  // namespace
}  // namespace chipsim
