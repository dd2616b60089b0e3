// The parallel ensemble against the serial yardstick: one test body, run for the serial path
// and for 2 and 4 threads, must deliver the same trajectories in the same order.
#include "engine/ensemble.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

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

TEST(Ensemble, StopsAfterTheChunksDeliveredBeforeTheStop) {
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

// A replicate the model abandons at a period (a stop asked inside it) is not delivered, and
// neither is its chunk: here the only replicate stops at its third period.
TEST_P(EnsemblePaths, AReplicateStoppedInsideIsNotDelivered) {
  static const Scenario s = test::baseline();
  std::atomic<bool> stop{false};
  std::atomic<int> asked{0};
  EnsembleOptions o;
  o.threads = GetParam();
  o.chunk = 1;
  o.stop = &stop;
  o.run.stop_requested = [&asked] { return ++asked == 3; };
  int chunks = 0;
  const int n =
      run_ensemble(s, 0, 1, 0, 1, o, [&](const std::vector<Trajectory>&, int) { ++chunks; });
  EXPECT_EQ(asked.load(), 3);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(chunks, 0);
}

// A stop does not wait for the chunks in flight (a chunk of a large world can outlast a
// batch system's grace period): each worker abandons its replicate at the next period and
// the incomplete chunk is abandoned. One chunk of 20,000 baseline replicates takes 15 s or more;
// the stop comes 50 ms in, so with the old behaviour (finish the chunk) all 20,000 would be
// delivered.
TEST_P(EnsemblePaths, AStopAbandonsAnIncompleteChunk) {
  static const Scenario s = test::baseline();
  std::atomic<bool> stop{false};
  EnsembleOptions o;
  o.threads = GetParam();
  o.chunk = 20000;
  o.stop = &stop;
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
  });
  int chunks = 0;
  const int n =
      run_ensemble(s, 0, 1, 0, 20000, o, [&](const std::vector<Trajectory>&, int) { ++chunks; });
  stopper.join();
  EXPECT_EQ(n, 0);
  EXPECT_EQ(chunks, 0);

  // The same for a sweep's jobs: run_jobs reports that it did not finish.
  stop = false;
  bool given = false;
  const JobSource one = [&]() -> std::optional<EnsembleJob> {
    if (given) return std::nullopt;
    given = true;
    EnsembleJob job;
    job.scenario = std::make_shared<const Scenario>(s);
    job.count = 20000;
    return job;
  };
  std::thread again([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
  });
  int pieces = 0;
  const bool complete = run_jobs(
      one, 1, o, [&](const EnsembleJob&, const std::vector<Trajectory>&, int) { ++pieces; });
  again.join();
  EXPECT_FALSE(complete);
  EXPECT_EQ(pieces, 0);
}

// What `prepare` makes on a worker reaches the sink with its own chunk: here the chunk's
// first replicate and the sum of its unit prices, checked against the chunk the sink receives.
struct Tag : ChunkWork {
  int point = 0, first = 0;
  double sum = 0;
};
double price_sum(const std::vector<Trajectory>& c) {
  double sum = 0;
  for (const auto& t : c)
    for (const double x : t.unit_price.data())
      sum += x;
  return sum;
}

TEST_P(EnsemblePaths, PreparedWorkTravelsWithItsChunk) {
  static const Scenario s = test::baseline();
  EnsembleOptions o;
  o.threads = GetParam();
  o.chunk = 3;
  std::atomic<int> prepared{0};
  o.prepare = [&](const std::vector<Trajectory>& c, int point,
                  int first) -> std::unique_ptr<ChunkWork> {
    ++prepared;
    auto tag = std::make_unique<Tag>();
    tag->point = point;
    tag->first = first;
    tag->sum = price_sum(c);
    return tag;
  };
  int chunks = 0;
  const int n = run_ensemble(
      s, 2, 9, 4, 20, o,
      PreparedChunkSink([&](const std::vector<Trajectory>& c, int first, ChunkWork* work) {
        ++chunks;  // on one thread too: both paths must store the same bytes
        const auto* tag = dynamic_cast<Tag*>(work);
        ASSERT_NE(tag, nullptr);
        EXPECT_EQ(tag->point, 2);
        EXPECT_EQ(tag->first, first);
        EXPECT_EQ(tag->sum, price_sum(c));
      }));
  EXPECT_EQ(n, 20);
  EXPECT_EQ(chunks, 7);  // 6 x 3 + 2
  EXPECT_EQ(prepared.load(), 7);
}

}  // namespace
}  // namespace chipsim

namespace chipsim {
namespace {

// run_jobs (a sweep's points in one pipeline) against run_ensemble point by point: the same
// trajectories, delivered in job order then replicate order, for 1, 2 and 4 threads; a job
// with an error is delivered once, empty. The jobs' scenarios differ, and each is freed once
// its job is done, so a worker that kept a model for an earlier job would give other data.
class JobPaths : public ::testing::TestWithParam<int> {};

TEST_P(JobPaths, SameDataAsOneEnsemblePerJob) {
  const std::vector<std::string> markups = {"1.5", "3.0", "2.0", "1.2"};
  std::vector<std::vector<double>> expected;  // flat smuggled units per replicate, job order
  for (const auto& m : markups) {
    const Scenario s = test::baseline({"channel.smuggling.markup=" + m});
    EnsembleOptions o;
    o.threads = 1;
    o.chunk = 3;
    run_ensemble(s, 0, 77, 2, 7, o, [&](const std::vector<Trajectory>& c, int) {
      for (const auto& t : c)
        expected.push_back(t.smuggled_units.data());
    });
  }
  std::size_t next = 0;
  const JobSource jobs = [&]() -> std::optional<EnsembleJob> {
    if (next > markups.size()) return std::nullopt;
    EnsembleJob job;
    job.point = static_cast<int>(next);
    job.first = 2;
    job.count = 7;
    if (next == 2) {  // an error between two good jobs
      job.error = "bad point";
    } else {
      const std::size_t m = next < 2 ? next : next - 1;
      job.scenario = std::make_shared<const Scenario>(
          test::baseline({"channel.smuggling.markup=" + markups[m]}));
    }
    ++next;
    return job;
  };
  std::vector<std::vector<double>> got;
  std::vector<std::pair<int, int>> order;  // (point, first)
  std::vector<std::string> errors;
  EnsembleOptions o;
  o.threads = GetParam();
  o.chunk = 3;
  const bool complete =
      run_jobs(jobs, 77, o, [&](const EnsembleJob& job, const std::vector<Trajectory>& c, int at) {
        order.emplace_back(job.point, at);
        if (!job.error.empty()) {
          EXPECT_TRUE(c.empty());
          errors.push_back(job.error);
        }
        for (const auto& t : c) {
          EXPECT_EQ(t.replicate, at + static_cast<int>(&t - c.data()));
          got.push_back(t.smuggled_units.data());
        }
      });
  EXPECT_TRUE(complete);
  EXPECT_EQ(errors, (std::vector<std::string>{"bad point"}));
  EXPECT_EQ(order, (std::vector<std::pair<int, int>>{{0, 2},
                                                     {0, 5},
                                                     {0, 8},
                                                     {1, 2},
                                                     {1, 5},
                                                     {1, 8},
                                                     {2, 2},
                                                     {3, 2},
                                                     {3, 5},
                                                     {3, 8},
                                                     {4, 2},
                                                     {4, 5},
                                                     {4, 8}}));
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i], expected[i]) << "replicate " << i;  // bitwise
}

INSTANTIATE_TEST_SUITE_P(Threads, JobPaths, ::testing::Values(1, 2, 4));

}  // namespace
}  // namespace chipsim
