// `extends` (a what-if states only what differs) and `--set` overrides.
#include <gtest/gtest.h>

#include "support/fixture.hpp"

namespace chipsim {
namespace {

using test::kMiniScenario;
using test::locate;
using test::TempDir;

TEST(Extends, ChildOverridesParentAndInheritsTheRest) {
  TempDir dir;
  dir.write("base.toml", kMiniScenario);
  const std::string child = dir.write("child.toml", R"(extends = "base.toml"
name = "child"

[policy.pa]
enforcement = 0.9

[policy.pa.rule.extra]
type = "entity_list"
effective = "2024Q3"
vendors = ["VB"]
)");
  const Scenario s = load_scenario(child);
  EXPECT_EQ(s.name, "child");
  EXPECT_DOUBLE_EQ(s.policies[0].enforcement.central(), 0.9);
  EXPECT_EQ(s.policies[0].region, 0);  // inherited key of the same table
  ASSERT_EQ(s.rules.size(), 3u);       // parent's two rules plus the new one
  EXPECT_EQ(s.products.size(), 3u);
  EXPECT_EQ(s.source_path, child);
}

TEST(Extends, ErrorsPointAtTheFileThatSetTheValue) {
  TempDir dir;
  const std::string base = dir.write("base.toml", kMiniScenario);
  const std::string child =
      dir.write("child.toml", "extends = \"base.toml\"\n[packager.P]\ncapacity = -3\n");
  {
    const auto ds = test::errors_of_file(child);
    ASSERT_EQ(ds.size(), 1u);
    const Diagnostic& d = ds[0];
    EXPECT_EQ(*d.loc.file, child);
    EXPECT_EQ(d.loc.line, 3u);
    EXPECT_EQ(d.loc.column, 12u);
  }
  // An error in a value the child did not touch points into the parent.
  const std::string bad_base = dir.write(
      "bad_base.toml", test::replace(kMiniScenario, "wafer_cost = 10000", "wafer_cost = -1"));
  const std::string child2 = dir.write("child2.toml", "extends = \"bad_base.toml\"\n");
  {
    const auto ds = test::errors_of_file(child2);
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(*ds[0].loc.file, bad_base);
    EXPECT_EQ(ds[0].loc.line, locate(test::read_file(bad_base), "wafer_cost").line);
  }
}

TEST(Extends, ChainOfThree) {
  TempDir dir;
  dir.write("a.toml", kMiniScenario);
  dir.write("b.toml", "extends = \"a.toml\"\n[simulation]\nseed = 99\n");
  const std::string c = dir.write("c.toml", "extends = \"b.toml\"\n[simulation]\nreplicates = 3\n");
  const Scenario s = load_scenario(c);
  EXPECT_EQ(s.seed, 99u);
  EXPECT_EQ(s.replicates, 3);
  EXPECT_EQ(s.calendar.periods, 8);
}

TEST(Extends, LoopIsAnError) {
  TempDir dir;
  const std::string a = dir.write("a.toml", "extends = \"b.toml\"\n");
  dir.write("b.toml", "name = \"b\"\nextends = \"a.toml\"\n");
  {
    const auto ds = test::errors_of_file(a);
    ASSERT_EQ(ds.size(), 1u);
    const Diagnostic& d = ds[0];
    EXPECT_EQ(d.key, "extends");
    EXPECT_EQ(*d.loc.file, dir.file("b.toml"));
    EXPECT_EQ(d.loc.line, 2u);
    EXPECT_EQ(d.loc.column, 11u);
    EXPECT_NE(d.message.find("extends loop: "), std::string::npos);
    EXPECT_NE(d.message.find("a.toml -> "), std::string::npos);
  }
}

TEST(Extends, MissingParentFile) {
  TempDir dir;
  const std::string a = dir.write("a.toml", "name = \"a\"\nextends = \"nowhere.toml\"\n");
  {
    const auto ds = test::errors_of_file(a);
    ASSERT_EQ(ds.size(), 1u);
    const Diagnostic& d = ds[0];
    EXPECT_EQ(d.key, "extends");
    EXPECT_EQ(d.loc.line, 2u);
    EXPECT_EQ(d.loc.column, 11u);
    EXPECT_NE(d.message.find("cannot read parent scenario"), std::string::npos);
    EXPECT_NE(d.message.find("nowhere.toml"), std::string::npos);
  }
}

TEST(Extends, ExtendsMustBeAString) {
  test::expect_single_error("extends = 5\n", {1, 11}, "extends",
                            "expected the path of a parent scenario as a string, got an integer");
}

TEST(Set, OverridesNumbersStringsAndArrays) {
  const Scenario s =
      load_scenario_text(kMiniScenario, "mini.toml",
                         {"policy.pa.enforcement=0.8", "simulation.seed=123", "name=override",
                          "channel.smuggle.destinations=[\"A\", \"B\"]", "output.path=\"out.h5\""});
  EXPECT_DOUBLE_EQ(s.policies[0].enforcement.central(), 0.8);
  EXPECT_EQ(s.seed, 123u);
  EXPECT_EQ(s.name, "override");  // bare word taken as a string
  EXPECT_EQ(s.channels[1].destinations.size(), 2u);
  EXPECT_EQ(s.output.path, "out.h5");
}

TEST(Set, CanSetADistribution) {
  const Scenario s =
      load_scenario_text(kMiniScenario, "mini.toml",
                         {"buyer.BA.capex={ dist = \"lognormal\", median = 2e9, sigma = 0.1 }"});
  EXPECT_EQ(s.buyers[0].capex.kind, DistKind::lognormal);
  EXPECT_DOUBLE_EQ(s.buyers[0].capex.central(), 2e9);
}

TEST(Set, LaterOverrideWins) {
  const Scenario s =
      load_scenario_text(kMiniScenario, "mini.toml", {"simulation.seed=1", "simulation.seed=2"});
  EXPECT_EQ(s.seed, 2u);
}

TEST(Set, BadValueIsLocatedInTheArgument) {
  test::expect_single_error(kMiniScenario, {1, 23}, "policy.pa.enforcement",
                            "expected a number in [0, 1], got 1.5", {"policy.pa.enforcement=1.5"});
  const auto ds = test::errors_of(kMiniScenario, {"simulation.seed=1", "market.pue=x"});
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(*ds[0].loc.file, "--set#2");
  EXPECT_EQ(ds[0].message, "expected a number in [1, 3], got a string \"x\"");
}

TEST(Set, UnknownKeyIsAnError) {
  test::expect_single_error(kMiniScenario, {1, 11}, "policy.pa.enforcment",
                            "unknown key 'enforcment' (did you mean 'enforcement'?)",
                            {"policy.pa.enforcment=0.8"});
}

TEST(Set, MalformedArgument) {
  test::expect_single_error(kMiniScenario, {1, 1}, "",
                            "expected --set KEY.PATH=VALUE, got 'policy.pa.enforcement'",
                            {"policy.pa.enforcement"});
  const auto ds = test::errors_of(kMiniScenario, {"=3"});
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_NE(ds[0].message.find("expected --set KEY.PATH=VALUE"), std::string::npos);
}

}  // namespace
}  // namespace chipsim

namespace chipsim::test {
namespace {

TEST(Extends, EnabledFalseRemovesAnInheritedRuleEventOrTrigger) {
  const std::string path = source_file("scenarios/baseline.toml");
  const Scenario base = load_scenario(path);
  auto has_rule = [](const Scenario& s, const std::string& name) {
    return std::any_of(s.rules.begin(), s.rules.end(),
                       [&](const Rule& r) { return r.name == name; });
  };
  EXPECT_TRUE(has_rule(base, "h200-block"));
  const Scenario off = load_scenario(path, {"policy.cn.rule.h200-block.enabled=false",
                                            "policy.us.event.tightening.enabled=false"});
  EXPECT_FALSE(has_rule(off, "h200-block"));
  EXPECT_EQ(off.rules.size() + 1, base.rules.size());
  EXPECT_EQ(off.events.size() + 1, base.events.size());
  // A disabled rule is still checked.
  const auto ds = [&] {
    try {
      (void)load_scenario(path, {"policy.cn.rule.h200-block.enabled=false",
                                 "policy.cn.rule.h200-block.products=[\"H300\"]"});
    } catch (const ScenarioError& e) {
      return e.diagnostics();
    }
    return std::vector<Diagnostic>{};
  }();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "policy.cn.rule.h200-block.products");
}

// Friction (issue 10): a misspelt entity in --set is named with a suggestion, not turned into
// a new entity with two "missing required key" errors.
TEST(SetOverride, AMisspeltEntityGetsADidYouMean) {
  try {
    (void)load_scenario(test::source_file("scenarios/baseline.toml"),
                        {"inventory.huawei_hbm.quantity=5e6"});
    FAIL() << "accepted a misspelt inventory";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].str(),
              "--set#1:1:11: error: inventory.huawei_hbm: no entry named 'huawei_hbm' under "
              "'inventory' (did you mean 'huawei-hbm'?); to add a new one, give the whole table "
              "inline (inventory.huawei_hbm={ ... })");
  }
  // The right name works, and so does a deeper key of an existing entity.
  const Scenario s = load_scenario(test::source_file("scenarios/baseline.toml"),
                                   {"inventory.huawei-hbm.quantity=5e6"});
  EXPECT_EQ(s.name, "baseline");
}

// output.path belongs to the file that sets it: a what-if without one does not write over
// its parent's output (run then writes <scenario name>.h5).
TEST(Extends, OutputPathIsNotInherited) {
  TempDir dir;
  dir.write("base.toml", std::string(kMiniScenario) + "\n[output]\npath = \"base.h5\"\n");
  const std::string child = dir.write("child.toml", "extends = \"base.toml\"\nname = \"kid\"\n");
  EXPECT_EQ(load_scenario(dir.file("base.toml")).output.path, "base.h5");
  const Scenario s = load_scenario(child);
  EXPECT_EQ(s.output.path, "");
  const std::string own = dir.write(
      "own.toml", "extends = \"base.toml\"\nname = \"own\"\n[output]\npath = \"own.h5\"\n");
  EXPECT_EQ(load_scenario(own).output.path, "own.h5");
}

TEST(Market, ReferenceProductMustNameAProduct) {
  try {
    (void)load_scenario(test::source_file("scenarios/baseline.toml"),
                        {"market.reference_product=\"H10\""});
    FAIL() << "accepted an unknown reference product";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].str(),
              "--set#1:1:26: error: market.reference_product: no product named 'H10' (did you "
              "mean 'H100'?); expected the product whose compute is the unit of "
              "installed_equivalents");
  }
  const Scenario s = load_scenario(test::source_file("scenarios/baseline.toml"));
  ASSERT_NE(s.market.reference_product, kNone);
  EXPECT_EQ(s.products[s.market.reference_product].name, "H100");
}

}  // namespace
}  // namespace chipsim::test
