// `chipsim sweep` and `chipsim merge` end to end: the point layout, common random numbers,
// shards merged into the one-process file, failed points, and what merge refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "io/output_file.hpp"
#include "support/cli_runner.hpp"
#include "support/fixture.hpp"

namespace chipsim {
namespace {

using test::cli;

// A 3 x 2 grid over the baseline, small enough for a unit test.
std::string grid_sweep(const test::TempDir& dir, const std::string& top = "") {
  return dir.write("grid.toml", "scenario = \"" + test::source_file("scenarios/baseline.toml") +
                                    "\"\nseed = 5\nreplicates = 3\n" + top +
                                    "[design]\ntype = \"grid\"\n"
                                    "[[parameter]]\nkey = \"inventory.huawei-hbm.quantity\"\n"
                                    "levels = [5.0e6, 9.0e6, 13.0e6]\n[[parameter]]\n"
                                    "key = \"channel.smuggling.markup\"\nlevels = [1.5, 3.0]\n");
}

std::vector<double> data(const std::string& path, const std::string& name,
                         std::vector<std::uint64_t>& shape) {
  return io::read_dataset(path, name, shape);
}

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

TEST(SweepCli, WritesAPointDimensionWithOneCoordinatePerSweptKey) {
  test::TempDir dir;
  const std::string out = dir.file("g.h5");
  const auto r = cli({"sweep", grid_sweep(dir), "-o", out, "-q", "--variables",
                      "smuggled_units,domestic_units,market_units,domestic_share_units"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out,
            "chipsim sweep: baseline, 6 points (grid) x 3 replicates, seed 5\nwrote " + out + "\n");
  std::vector<std::uint64_t> shape;
  const auto hbm = data(out, "inventory.huawei-hbm.quantity", shape);
  EXPECT_EQ(hbm, (std::vector<double>{5e6, 5e6, 9e6, 9e6, 13e6, 13e6}));
  const auto markup = data(out, "channel.smuggling.markup", shape);
  EXPECT_EQ(markup, (std::vector<double>{1.5, 3, 1.5, 3, 1.5, 3}));
  const auto units = data(out, "smuggled_units", shape);
  ASSERT_EQ(shape.size(), 5u);  // point, replicate, period, product, region
  EXPECT_EQ(shape[0], 6u);
  EXPECT_EQ(shape[1], 3u);
  const auto summary = data(out, "summary/domestic_share_units", shape);
  EXPECT_EQ(shape[0], 6u);  // point, stat, period, region
  EXPECT_EQ(shape[1], 6u);
  const auto d = io::describe_file(out);
  EXPECT_TRUE(d.complete);
  EXPECT_EQ(d.points, 6);
  EXPECT_EQ(d.design_type, "grid");
  EXPECT_EQ(d.work_done, 18);

  // inspect shows the design and a per-point table; compare refuses a sweep.
  const auto ins = cli({"inspect", out});
  ASSERT_EQ(ins.code, kExitOk) << ins.err;
  EXPECT_NE(ins.out.find("sweep       grid design, 6 points x 3 replicates\n"
                         "work        18 of 18 replicates written\n"
                         "swept       inventory.huawei-hbm.quantity from 5.00 M to 13.00 M\n"
                         "swept       channel.smuggling.markup from 1.5 to 3\n"),
            std::string::npos)
      << ins.out;
  EXPECT_NE(ins.out.find("   point  huawei-hbm.quantity     smuggling.markup    CN 2027"),
            std::string::npos)
      << ins.out;
  const auto cmp = cli({"compare", out, out});
  EXPECT_EQ(cmp.code, kExitBadInput);
  EXPECT_NE(cmp.err.find("is a sweep (6 points); compare pairs two runs"), std::string::npos)
      << cmp.err;

  // Common random numbers: replicate r of every point draws the same shocks, so two points
  // that differ only in an input that cannot matter give identical data. A doubled
  // smuggling markup must lower smuggling in every replicate, not only on average.
  std::size_t cells = units.size() / 18;
  for (int p : {0, 2, 4})
    for (int rep = 0; rep < 3; ++rep) {
      double cheap = 0, dear = 0;
      for (std::size_t i = 0; i < cells; ++i) {
        cheap += units[(static_cast<std::size_t>(p) * 3 + rep) * cells + i];
        dear += units[(static_cast<std::size_t>(p + 1) * 3 + rep) * cells + i];
      }
      EXPECT_LT(dear, cheap) << "point " << p << " replicate " << rep;
    }
}

TEST(SweepCli, ShardsMergeIntoTheOneProcessFile) {
  test::TempDir dir;
  // Chunks of 2 replicates: 6 points x 2 chunks = 12 work units over 4 shards, so shards
  // split points (the chunk is the unit, docs/CLUSTER.md).
  const std::string sweep = grid_sweep(dir, "set = [\"output.chunk_replicates=2\"]\n");
  const std::vector<std::string> vars = {"--variables",
                                         "domestic_units,market_units,binding_input,price"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"sweep", sweep, "-q"});
    args.insert(args.end(), vars.begin(), vars.end());
    const auto r = cli(args);
    EXPECT_EQ(r.code, kExitOk) << r.err;
  };
  run({"-o", dir.file("one.h5")});
  for (int k = 0; k < 4; ++k)
    run({"-o", dir.file("part-" + std::to_string(k) + ".h5"), "--shard", std::to_string(k) + "/4",
         "--threads", "1"});
  std::vector<std::string> parts;
  for (int k = 3; k >= 0; --k)  // any order
    parts.push_back(dir.file("part-" + std::to_string(k) + ".h5"));
  std::vector<std::string> args = {"merge"};
  args.insert(args.end(), parts.begin(), parts.end());
  args.insert(args.end(), {"-o", dir.file("merged.h5")});
  const auto m = cli(args);
  ASSERT_EQ(m.code, kExitOk) << m.err;
  EXPECT_EQ(m.out, "chipsim merge: 4 parts; wrote " + dir.file("merged.h5") + "\n");
  const std::vector<const char*> names = {"domestic_units",
                                          "market_units",
                                          "binding_input",
                                          "price",
                                          "event_period",
                                          "summary/domestic_units",
                                          "summary/price",
                                          "summary/event_probability",
                                          "work_done",
                                          "design_unit",
                                          "inventory.huawei-hbm.quantity"};
  for (const char* name : names) {
    std::vector<std::uint64_t> s1, s2;
    EXPECT_TRUE(
        bitwise_equal(data(dir.file("one.h5"), name, s1), data(dir.file("merged.h5"), name, s2)))
        << name;
    EXPECT_EQ(s1, s2) << name;
  }

  // The same in float32: summaries come from the rounded values, whoever computes them.
  run({"-o", dir.file("one32.h5"), "--float32"});
  std::vector<std::string> parts32 = {"merge"};
  for (int k = 0; k < 3; ++k) {
    run({"-o", dir.file("p32-" + std::to_string(k) + ".h5"), "--shard", std::to_string(k) + "/3",
         "--float32"});
    parts32.push_back(dir.file("p32-" + std::to_string(k) + ".h5"));
  }
  parts32.insert(parts32.end(), {"-o", dir.file("merged32.h5")});
  ASSERT_EQ(cli(parts32).code, kExitOk);
  for (const char* name : names) {
    std::vector<std::uint64_t> s1, s2;
    EXPECT_TRUE(bitwise_equal(data(dir.file("one32.h5"), name, s1),
                              data(dir.file("merged32.h5"), name, s2)))
        << name;
  }
}

TEST(SweepCli, MergeNamesMissingShardsAndRefusesForeignOrUnfinishedParts) {
  test::TempDir dir;
  const std::string sweep = grid_sweep(dir);
  for (int k = 0; k < 3; ++k)
    ASSERT_EQ(cli({"sweep", sweep, "-q", "--variables", "market_units", "-o",
                   dir.file("p" + std::to_string(k) + ".h5"), "--shard", std::to_string(k) + "/3"})
                  .code,
              kExitOk);
  auto r = cli({"merge", dir.file("p0.h5"), dir.file("p2.h5"), "-o", dir.file("m.h5")});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err, "chipsim: error: merge: missing shard 1/3\n");
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));

  // Another seed is another sweep.
  const std::string other = dir.write(
      "other.toml",
      test::read_file(sweep).replace(test::read_file(sweep).find("seed = 5"), 8, "seed = 6"));
  ASSERT_EQ(cli({"sweep", other, "-q", "--variables", "market_units", "-o", dir.file("o1.h5"),
                 "--shard", "1/3"})
                .code,
            kExitOk);
  r = cli(
      {"merge", dir.file("p0.h5"), dir.file("o1.h5"), dir.file("p2.h5"), "-o", dir.file("m.h5")});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("come from different sweeps"), std::string::npos) << r.err;

  // A part whose work is not finished.
  std::filesystem::copy_file(dir.file("p1.h5"), dir.file("p1-copy.h5"));
  ASSERT_EQ(cli({"sweep", sweep, "-q", "--variables", "market_units", "-o", dir.file("p1.h5"),
                 "--shard", "1/3", "--force", "-n", "2"})
                .code,
            kExitOk);  // fewer replicates: a different sweep
  r = cli(
      {"merge", dir.file("p0.h5"), dir.file("p1.h5"), dir.file("p2.h5"), "-o", dir.file("m.h5")});
  EXPECT_EQ(r.code, kExitBadInput);
  r = cli({"merge", dir.file("p0.h5"), dir.file("p1-copy.h5"), dir.file("p2.h5"), dir.file("p0.h5"),
           "-o", dir.file("m.h5")});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("are both shard 0"), std::string::npos) << r.err;
}

TEST(SweepCli, APointThatCannotRunRecordsItsErrorAndTheSweepGoesOn) {
  test::TempDir dir;
  const std::string sweep = dir.write(
      "bad.toml", "scenario = \"" + test::source_file("scenarios/baseline.toml") +
                      "\"\nreplicates = 2\n[design]\ntype = \"grid\"\n[[parameter]]\n"
                      "key = \"foundry.SMIC.node.N7.capacity\"\nlevels = [-5, 30000, 40000]\n");
  const std::string out = dir.file("b.h5");
  const auto r = cli({"sweep", sweep, "-q", "-o", out, "--variables", "market_units"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("1 point could not run; their errors are in point_error"), std::string::npos)
      << r.out;
  std::vector<std::uint64_t> shape;
  const auto units = data(out, "market_units", shape);
  const std::size_t per_point = units.size() / 3;
  EXPECT_TRUE(std::isnan(units[0]));               // point 0 (the first!) never ran
  EXPECT_FALSE(std::isnan(units[per_point]));      // point 1 ran
  EXPECT_FALSE(std::isnan(units[2 * per_point]));  // and point 2
}

TEST(SweepCli, BadInputIsRefusedBeforeAnythingRuns) {
  test::TempDir dir;
  const std::string typo =
      dir.write("typo.toml", "scenario = \"" + test::source_file("scenarios/baseline.toml") +
                                 "\"\n[design]\ntype = \"grid\"\n[[parameter]]\nkey = "
                                 "\"foundry.SMIC.node.N7.capacty\"\nlevels = [1]\n");
  auto r = cli({"sweep", typo, "-q", "-o", dir.file("t.h5")});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("capacty"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'capacity'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("t.h5.partial")));
  r = cli({"sweep", grid_sweep(dir), "-q", "-o", dir.file("t.h5"), "--shard", "4/4"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err,
            "chipsim: error: --shard: expected K/N with 0 <= K < N (e.g. 0/4 for the first of "
            "four shards), got '4/4'\n");
  r = cli({"sweep", grid_sweep(dir), "-q"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err, "chipsim: error: sweep: an output file is required (-o OUT.h5)\n");
}

TEST(SweepCli, TheDesignCanBeWrittenWithoutRunning) {
  test::TempDir dir;
  const auto r = cli({"sweep", test::source_file("scenarios/sweeps/sobol-5.toml"), "--design-csv",
                      dir.file("d.csv")});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "chipsim sweep: 1792 points (saltelli); wrote " + dir.file("d.csv") + "\n");
  const std::string csv = test::read_file(dir.file("d.csv"));
  EXPECT_EQ(csv.rfind("point,group,role,inventory.huawei-hbm.quantity,foundry.SMIC", 0), 0u)
      << csv.substr(0, 80);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1793);
}

}  // namespace
}  // namespace chipsim
