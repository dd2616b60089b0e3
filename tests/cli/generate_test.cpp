// `chipsim generate`: synthetic worlds that validate and run, at the sizes asked for, the
// same for the same seed, and refused with a message below their minimum sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "graph/supply_graph.hpp"
#include "scenario/loader.hpp"
#include "support/cli_runner.hpp"
#include "support/fixture.hpp"

namespace chipsim {
namespace {

using test::cli;

TEST(Generate, DefaultWorldValidatesAndRuns) {
  test::TempDir dir;
  const std::string world = dir.file("world.toml");
  const test::CliResult g = cli({"generate", "-o", world});
  ASSERT_EQ(g.code, kExitOk) << g.err;
  EXPECT_NE(g.out.find("12 products, 8 buyers, 4 foundry nodes, 4 HBM suppliers, 2 packagers "
                       "(34 supply-graph nodes)"),
            std::string::npos)
      << g.out;
  const test::CliResult v = cli({"validate", world});
  EXPECT_EQ(v.code, kExitOk) << v.err;
  EXPECT_TRUE(v.err.empty()) << v.err;  // no warning: every rule can apply
  EXPECT_NE(v.out.find("graph     34 vertices"), std::string::npos) << v.out;
  const test::CliResult r = cli({"run", world, "-n", "3", "--threads", "1", "-q", "-o",
                                 dir.file("w.h5"), "--variables", "price,revenue"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
}

TEST(Generate, NodesSetsTheSupplyGraphSize) {
  for (const long nodes : {100L, 2000L}) {
    GenerateArgs a;
    a = scaled_to_nodes(a, nodes);
    EXPECT_NEAR(static_cast<double>(graph_nodes(a)), static_cast<double>(nodes),
                0.02 * static_cast<double>(nodes) + 4);
    test::TempDir dir;
    const std::string path = dir.write("w.toml", generate_world(a));
    const Scenario s = load_scenario(path, {});
    const SupplyGraph g(s);
    EXPECT_EQ(static_cast<long>(g.vertex_count()), graph_nodes(a));
    EXPECT_TRUE(scenario_warnings(s).empty());
    // About four edges per node: the graph grows linearly, not with products x suppliers.
    EXPECT_LT(static_cast<double>(g.edge_count()), 6.0 * static_cast<double>(nodes));
  }
}

TEST(Generate, ChoiceSetsListThatManyDistinctProductsPerBuyer) {
  GenerateArgs a;
  a.products = 40;
  a.buyers = 30;
  a.choice_set = 6;
  test::TempDir dir;
  const Scenario s = load_scenario(dir.write("w.toml", generate_world(a)), {});
  ASSERT_EQ(s.buyers.size(), 30U);
  std::vector<int> seen(40, 0);
  for (const Buyer& b : s.buyers) {
    ASSERT_EQ(b.products.size(), 6U) << b.name;  // distinct: the loader refuses repeats
    for (const int p : b.products)
      ++seen[static_cast<std::size_t>(p)];
  }
  // 180 draws over 40 products: every product is expected 4.5 times, and a product left out
  // by all 30 buyers has probability (1 - 6/40)^30 = 0.8% each, so most products appear.
  EXPECT_GT(std::count_if(seen.begin(), seen.end(), [](int n) { return n > 0; }), 30);
  // Without --choice-set (or with one covering every product) buyers list none.
  a.choice_set = 0;
  const std::string unlimited = generate_world(a);
  const Scenario all = load_scenario(dir.write("a.toml", unlimited), {});
  for (const Buyer& b : all.buyers)
    EXPECT_TRUE(b.products.empty()) << b.name;
  a.choice_set = 40;
  EXPECT_EQ(generate_world(a), unlimited);
}

TEST(Generate, SameSeedSameWorldOtherSeedOtherWorld) {
  GenerateArgs a;
  const std::string one = generate_world(a), again = generate_world(a);
  EXPECT_EQ(one, again);
  a.seed = 2;
  EXPECT_NE(generate_world(a), one);
}

TEST(Generate, CountsBelowTheirMinimumAreRefused) {
  const test::CliResult r = cli({"generate", "--regions", "1"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("generate: --regions must be at least 2, got 1"), std::string::npos)
      << r.err;
  const test::CliResult b = cli({"generate", "--regions", "5", "--buyers", "3"});
  EXPECT_EQ(b.code, kExitBadInput);
  EXPECT_NE(b.err.find("--buyers (one per region) must be at least 5, got 3"), std::string::npos)
      << b.err;
}

}  // namespace
}  // namespace chipsim
