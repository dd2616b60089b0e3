// Reading calibration targets: the shipped file, and located errors for bad ones.
#include "scenario/targets.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/fixture.hpp"

namespace chipsim {
namespace {

const std::string kOne = R"([[target]]
name = "share"
numerator = "domestic_revenue"
denominator = "market_revenue"
select = { region = "CN" }
year = 2025
value = 0.42
low = 0.38
high = 0.46
source = "somewhere"
)";

std::vector<Diagnostic> target_errors(const std::string& text) {
  try {
    (void)load_targets_text(text, "t.toml");
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

// An edit of a targets text (replace `from` with `to`) and the first error it must give.
struct EditCase {
  std::string from, to, key, fragment;
};

// The edited text's errors: the first names `key` and says `fragment`, at a known line.
std::vector<Diagnostic> check_edit(const std::string& base, const EditCase& c) {
  const auto ds = target_errors(test::replace(base, c.from, c.to));
  EXPECT_GE(ds.size(), 1u) << c.key;
  if (ds.empty()) return ds;
  EXPECT_EQ(ds[0].key, c.key) << ds[0].str();
  EXPECT_NE(ds[0].message.find(c.fragment), std::string::npos) << ds[0].str();
  EXPECT_GT(ds[0].loc.line, 0u) << ds[0].str();
  return ds;
}

TEST(Targets, TheShippedFileReads) {
  // scenarios/calibration/targets.toml is a copy of shared/calibration/targets.toml.
  const auto t =
      load_targets(std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/calibration/targets.toml");
  ASSERT_EQ(t.size(), 16u);
  EXPECT_EQ(t[0].name, "china_domestic_revenue_2024");
  EXPECT_EQ(t[0].variable, "domestic_revenue");
  ASSERT_EQ(t[0].select.size(), 1u);
  EXPECT_EQ(t[0].select[0].first, "region");
  EXPECT_EQ(t[0].select[0].second, "CN");
  EXPECT_EQ(t[0].year, 2024);
  EXPECT_EQ(t[0].stat, "mean");
  EXPECT_DOUBLE_EQ(t[0].value, 6.0e9);
  // The share is domestic revenue over every channel's spending, each side selected alone.
  EXPECT_EQ(t[2].name, "china_domestic_share_2024");
  EXPECT_EQ(t[2].numerator, "domestic_revenue");
  EXPECT_EQ(t[2].denominator, "buyer_spend");
  const auto smuggled = std::find_if(
      t.begin(), t.end(), [](const Target& x) { return x.name == "smuggled_units_2024"; });
  ASSERT_NE(smuggled, t.end());
  EXPECT_EQ(smuggled->stat, "median");
}

TEST(Targets, RatioTargetReads) {
  const auto t = load_targets_text(kOne, "t.toml");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(t[0].variable.empty());
  EXPECT_EQ(t[0].denominator, "market_revenue");
}

TEST(Targets, LocatedErrors) {
  const std::vector<EditCase> cases = {
      {"year = 2025", "year = \"2025\"", "target[0].year", "expected an integer"},
      {"low = 0.38", "low = 0.45", "target[0].value", "inside [low, high]"},
      {"low = 0.38", "low = 0.5", "target[0].high", "expected high >= low"},
      {"value = 0.42", "value = 0.42\nstat = \"mode\"", "target[0].stat",
       "expected one of mean, median"},
      {"source = \"somewhere\"", "source = \"somewhere\"\nunit = 1", "target[0].unit",
       "unknown key 'unit'"},
      {"numerator = \"domestic_revenue\"", "variable = \"x\"\nnumerator = \"domestic_revenue\"",
       "target[0].variable", "either variable or numerator"},
  };
  for (const auto& c : cases) {
    const auto ds = check_edit(kOne, c);
    EXPECT_EQ(ds.size(), 1u) << c.key;
    if (!ds.empty()) {
      EXPECT_EQ(*ds[0].loc.file, "t.toml");
    }
  }
}

TEST(Targets, MissingKeysAndEmptyFile) {
  auto ds = target_errors("title = 1\n");
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].key, "title");
  EXPECT_EQ(ds[1].key, "target");
  ds = target_errors("[[target]]\nname = \"a\"\n");
  std::string all;
  for (const auto& d : ds)
    all += d.str() + "\n";
  for (const char* key : {"target[0].source", "target[0].variable", "target[0].year",
                          "target[0].value", "target[0].low", "target[0].high"})
    EXPECT_NE(all.find(std::string(key) + ": required key is missing"), std::string::npos)
        << key << "\n"
        << all;
}

TEST(Targets, UnreadableFileIsAnError) {
  try {
    (void)load_targets("/nonexistent/targets.toml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.diagnostics().at(0).str(),
              "/nonexistent/targets.toml: error: cannot read targets file");
  }
}

// The format of shared/calibration/targets.toml's header: windows of years or periods, and
// ratios whose sides select differently.
const std::string kWindows =
    test::read_file(test::source_file("tests/support/window_targets.toml"));

TEST(Targets, WindowsAndRatioSidesRead) {
  const auto t = load_targets_text(kWindows, "w.toml");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].window.kind, TargetWindow::years);
  EXPECT_EQ(t[0].window.text(), "2025-2030");
  EXPECT_EQ(t[1].window.kind, TargetWindow::periods);
  EXPECT_EQ(t[1].window.text(), "2025Q3-2025Q4");
  ASSERT_TRUE(t[2].ratio());
  EXPECT_EQ(t[2].first_side().variable, "buyer_spend");
  EXPECT_EQ(t[2].first_side().select,
            (std::vector<std::pair<std::string, std::string>>{{"region", "CN"}}));
  EXPECT_EQ(t[2].second_side().select,
            (std::vector<std::pair<std::string, std::string>>{{"region", "US"}}));
  EXPECT_EQ(t[2].second_side().key, "target[2].denominator");
  // A shared select applies to both string sides.
  const auto one = load_targets_text(kOne, "t.toml");
  EXPECT_EQ(one[0].second_side().select, one[0].select);
}

TEST(Targets, WindowErrorsAreLocated) {
  const std::vector<EditCase> cases = {
      {"years = [2025, 2030]", "years = [2030, 2025]", "target[0].years", "first <= last"},
      {"years = [2025, 2030]", "years = [2025]", "target[0].years", "expected two calendar years"},
      {"years = [2025, 2030]", "years = [2025, 2030]\nyear = 2025", "target[0].years",
       "give one time window"},
      {"periods = [\"2025Q3\", \"2025Q4\"]", "periods = \"2025Q3\"", "target[1].periods",
       "expected two periods"},
      {"name = \"spend_ratio\"", "name = \"spend_ratio\"\nselect = { region = \"CN\" }",
       "target[2].numerator", "give select either on the target or on each ratio side"},
  };
  for (const auto& c : cases)
    (void)check_edit(kWindows, c);
}

}  // namespace
}  // namespace chipsim
