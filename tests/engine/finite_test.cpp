// Issue 13, item 4: valid inputs never write NaN or infinity with exit status 0. Every
// numeric key of the baseline is set to extreme values in turn; each must give either a
// located scenario error, a finite replicate, or the NonFiniteOutput error that names the
// variable, its coordinates and the replicate (what `run` prints, exit status 1). Run under
// ASan + UBSan too, where a float-to-integer overflow or an out-of-bounds index on the way
// fails the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "engine/finite.hpp"
#include "model/baseline_support.hpp"
#include "model/model.hpp"
#include "scenario/loader.hpp"

namespace chipsim {
namespace {

std::string format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

TEST(CheckFinite, NamesTheVariableCoordinatesAndReplicate) {
  const Scenario s = test::baseline();
  Trajectory t = run_replicate(s, 0, 0, s.seed, RunOptions{.noise = false});
  EXPECT_NO_THROW(check_finite(s, t, 0));
  // The largest and smallest doubles are finite; -inf and NaN are not (the last cell of price).
  using limits = std::numeric_limits<double>;
  for (double v : {limits::max(), -limits::max(), limits::denorm_min(), -0.0}) {
    Trajectory u = t;
    u.price.at(s.calendar.periods - 1, static_cast<int>(s.products.size()) - 1) = v;
    EXPECT_NO_THROW(check_finite(s, u, 0)) << v;
  }
  for (double v : {-limits::infinity(), limits::quiet_NaN()}) {
    Trajectory u = t;
    u.price.at(s.calendar.periods - 1, static_cast<int>(s.products.size()) - 1) = v;
    EXPECT_THROW(check_finite(s, u, 0), NonFiniteOutput) << v;
  }
  t.price.at(0, 1) = std::numeric_limits<double>::infinity();  // period 0, second product
  try {
    check_finite(s, t, 7, 3);
    FAIL() << "no error";
  } catch (const NonFiniteOutput& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("inf for price at period 2024Q1, product " + s.products[1].name),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("replicate 7, point 3"), std::string::npos) << m;
    EXPECT_NE(m.find("check the values given"), std::string::npos) << m;
  }
}

TEST(CheckFinite, EveryNumericKeyOfTheBaselineAtExtremeValues) {
  const Scenario base = test::baseline();
  const auto keys = scenario_numeric_keys(base);
  ASSERT_GT(keys.size(), 250u);  // 331 in the baseline when this test was written
  const std::string path = std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/baseline.toml";
  int rejected = 0, finite = 0, stopped = 0;
  for (const auto& key : keys) {
    for (double v : {0.0, 1e-300, 1e300, -1e300, 1.7e308}) {
      const std::string set = key + "=" + format(v);
      Scenario s;
      try {
        s = load_scenario(path, {set});
      } catch (const ScenarioError& e) {
        for (const auto& d : e.diagnostics())
          EXPECT_TRUE(d.loc.known()) << set << ": " << d.str();  // located
        ++rejected;
        continue;
      }
      Trajectory t;
      try {
        Model model(s);
        for (int r = 0; r < 2; ++r) {  // noise on: distributions are sampled
          model.run(t, 0, r, s.seed);
          check_finite(s, t, r);
        }
        ++finite;
      } catch (const NonFiniteOutput& e) {
        EXPECT_NE(std::string(e.what()).find("replicate"), std::string::npos) << set;
        ++stopped;
      }
    }
  }
  RecordProperty("rejected", rejected);
  RecordProperty("finite", finite);
  RecordProperty("stopped", stopped);
  std::printf("extreme values: %d rejected by the loader, %d finite, %d stopped with the error\n",
              rejected, finite, stopped);
}

}  // namespace
}  // namespace chipsim
