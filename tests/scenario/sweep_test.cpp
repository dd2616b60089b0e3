// Reading sweep files: the shipped examples, and located errors for bad ones.
#include "scenario/sweep.hpp"

#include <gtest/gtest.h>

#include "support/fixture.hpp"

namespace chipsim {
namespace {

std::vector<Diagnostic> sweep_errors(const std::string& text) {
  try {
    (void)load_sweep_text(text, "s.toml");
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

TEST(SweepFile, TheShippedExamplesLoad) {
  const SweepSpec grid = load_sweep(test::source_file("scenarios/sweeps/hbm-smic-grid.toml"));
  EXPECT_EQ(grid.design, DesignKind::grid);
  ASSERT_EQ(grid.parameters.size(), 2u);
  EXPECT_EQ(grid.parameters[0].key, "inventory.huawei-hbm.quantity");
  EXPECT_EQ(grid.parameters[0].values.size(), 5u);
  EXPECT_EQ(grid.scenario_path, test::source_file("scenarios/baseline.toml"));
  const SweepSpec sobol = load_sweep(test::source_file("scenarios/sweeps/sobol-5.toml"));
  EXPECT_EQ(sobol.design, DesignKind::saltelli);
  EXPECT_EQ(sobol.parameters.size(), 5u);
}

TEST(SweepFile, ParametersTakeLevelsARangeOrADistribution) {
  const SweepSpec s = load_sweep_text(R"(scenario = "b.toml"
seed = 7
replicates = 12
[design]
type = "lhs"
samples = 16
[[parameter]]
key = "a.b"
range = [1, 3]
[[parameter]]
key = "c.d"
dist = { dist = "lognormal", median = 2.0, sigma = 0.5 }
[[parameter]]
key = "e.f"
levels = [1, 2, 4]
)",
                                      "dir/s.toml");
  EXPECT_EQ(s.scenario_path, "dir/b.toml");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.replicates, 12);
  EXPECT_EQ(s.samples, 16);
  EXPECT_EQ(s.candidates, 20);
  EXPECT_EQ(s.parameters[0].kind, SweepParameter::range);
  EXPECT_EQ(s.parameters[0].high, 3.0);
  EXPECT_EQ(s.parameters[1].kind, SweepParameter::dist);
  EXPECT_EQ(s.parameters[1].distribution.kind, DistKind::lognormal);
  EXPECT_EQ(s.parameters[2].values, (std::vector<double>{1, 2, 4}));
}

TEST(SweepFile, ErrorsAreLocatedAndSayWhatWasExpected) {
  auto one = [](const std::string& text) {
    const auto d = sweep_errors(text);
    return d.empty() ? std::string() : d.front().str();
  };
  EXPECT_EQ(one("scenario = \"b.toml\"\n[design]\ntype = \"grdi\"\n"
                "[[parameter]]\nkey = \"a\"\nlevels = [1]\n"),
            "s.toml:3:8: error: design.type: expected one of grid, lhs, saltelli, morris, csv, got "
            "\"grdi\" (did you mean 'grid'?)");
  EXPECT_EQ(one("scenario = \"b.toml\"\n[design]\ntype = \"lhs\"\n"
                "[[parameter]]\nkey = \"a\"\nrange = [1, 3]\n"),
            "s.toml:2:1: error: design.samples: required key is missing; expected the number of "
            "points");
  EXPECT_EQ(one("scenario = \"b.toml\"\n[design]\ntype = \"grid\"\n"
                "[[parameter]]\nkey = \"a\"\nrange = [1, 3]\n"),
            "s.toml:6:9: error: parameter[0].range: a grid design needs levels = [..] for every "
            "parameter");
  EXPECT_EQ(one("scenario = \"b.toml\"\n[design]\ntype = \"saltelli\"\nsamples = 8\n"
                "[[parameter]]\nkey = \"a\"\nrange = [3, 1]\n"),
            "s.toml:7:9: error: parameter[0].range: expected low < high, got [3, 1]");
  EXPECT_EQ(one("scenario = \"b.toml\"\n[design]\ntype = \"grid\"\n"
                "[[parameter]]\nkey = \"a\"\nlevels = [1]\nrange = [1, 2]\n"),
            "s.toml:4:1: error: parameter[0].key: expected exactly one of levels = [..], range = "
            "[low, high] or dist = {..}");
  EXPECT_EQ(one("scenario = \"b.toml\"\nreplicate = 4\n[design]\ntype = \"grid\"\n"
                "[[parameter]]\nkey = \"a\"\nlevels = [1]\n"),
            "s.toml:2:1: error: replicate: unknown key 'replicate' in a sweep file (did you mean "
            "'replicates'?); expected one of design, parameter, replicates, scenario, seed, set");
  EXPECT_EQ(one("scenario = \"b.toml\"\n[design]\ntype = \"grid\"\n"
                "[[parameter]]\nkey = \"a\"\nlevels = [1]\n[[parameter]]\nkey = \"a\"\n"
                "levels = [2]\n"),
            "s.toml:8:7: error: parameter[1].key: \"a\" is swept twice");
  const auto missing = sweep_errors("[design]\ntype = \"grid\"\n");
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0].str(),
            "s.toml:1:1: error: scenario: required key is missing; expected a string");
  EXPECT_EQ(missing[1].str(),
            "s.toml:1:1: error: parameter: required key is missing; expected [[parameter]] "
            "tables, one per swept key");
}

TEST(SweepFile, AMissingFileOrADirectoryIsAnError) {
  for (const std::string& path : {std::string("/nonexistent/s.toml"), test::source_file("")}) {
    try {
      (void)load_sweep(path);
      ADD_FAILURE() << path;
    } catch (const ScenarioError& e) {
      EXPECT_EQ(e.diagnostics().front().str(), path + ": error: cannot read sweep file");
    }
  }
}

}  // namespace
}  // namespace chipsim
