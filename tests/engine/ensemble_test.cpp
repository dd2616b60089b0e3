// The parallel ensemble against the serial yardstick: one test body, run for the serial path
// and for 2 and 4 threads, must deliver the same trajectories in the same order.
#include "engine/ensemble.hpp"

#include <gtest/gtest.h>

#include "model/baseline_support.hpp"

namespace chipsim {
namespace {

struct Delivered {
  std::vector<int> firsts;
  std::vector<std::vector<double>> data;  // one flat vector per replicate
};

Delivered run_with(int threads, int count, int chunk) {
  static const Scenario s = test::baseline();
  Delivered out;
  EnsembleOptions o;
  o.threads = threads;
  o.chunk = chunk;
  const int n =
      run_ensemble(s, 0, 77, 5, count, o, [&](const std::vector<Trajectory>& c, int first) {
        out.firsts.push_back(first);
        for (const auto& t : c) {
          EXPECT_EQ(t.replicate, first + static_cast<int>(&t - c.data()));
          std::vector<double> flat;
          for (const auto& v : variables()) {
            const auto& d = (t.*(v.series)).data();
            flat.insert(flat.end(), d.begin(), d.end());
          }
          out.data.push_back(std::move(flat));
        }
      });
  EXPECT_EQ(n, count);
  return out;
}

class EnsemblePaths : public ::testing::TestWithParam<int> {};

TEST_P(EnsemblePaths, SameTrajectoriesInReplicateOrderAsTheSerialPath) {
  const Delivered serial = run_with(1, 37, 8);
  const Delivered parallel = run_with(GetParam(), 37, 8);
  EXPECT_EQ(parallel.firsts, (std::vector<int>{5, 13, 21, 29, 37}));
  ASSERT_EQ(parallel.data.size(), 37u);
  EXPECT_EQ(serial.firsts, parallel.firsts);
  for (std::size_t i = 0; i < serial.data.size(); ++i)
    ASSERT_EQ(serial.data[i], parallel.data[i]) << "replicate " << 5 + i;  // bitwise
}

INSTANTIATE_TEST_SUITE_P(Threads, EnsemblePaths, ::testing::Values(1, 2, 4));

TEST(Ensemble, StopsAfterTheChunksInFlight) {
  static const Scenario s = test::baseline();
  std::atomic<bool> stop{false};
  EnsembleOptions o;
  o.threads = 2;
  o.chunk = 4;
  o.stop = &stop;
  int chunks = 0;
  const int n = run_ensemble(s, 0, 1, 0, 400, o, [&](const std::vector<Trajectory>&, int) {
    if (++chunks == 3) stop = true;
  });
  EXPECT_LT(n, 400);
  EXPECT_EQ(n % 4, 0);
  EXPECT_GE(n, 12);
}

}  // namespace
}  // namespace chipsim
