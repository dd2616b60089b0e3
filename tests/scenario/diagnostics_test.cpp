#include "scenario/diagnostics.hpp"

#include <gtest/gtest.h>

namespace chipsim {
namespace {

TEST(Diagnostics, FormatsFileLineColumnKeyAndMessage) {
  Diagnostics ds;
  ds.error(SourceLoc{std::make_shared<const std::string>("s.toml"), 12, 7}, "product.X.price",
           "expected a number > 0, got -1");
  ds.error(SourceLoc{std::make_shared<const std::string>("gone.toml"), 0, 0}, "",
           "cannot read scenario file");
  ASSERT_EQ(ds.items().size(), 2u);
  EXPECT_EQ(ds.items()[0].str(),
            "s.toml:12:7: error: product.X.price: expected a number > 0, got -1");
  EXPECT_EQ(ds.items()[1].str(), "gone.toml: error: cannot read scenario file");
}

TEST(Diagnostics, ErrorsAreSortedByPosition) {
  auto f = std::make_shared<const std::string>("s.toml");
  Diagnostics ds;
  ds.error(SourceLoc{f, 9, 1}, "b", "second");
  ds.error(SourceLoc{f, 2, 5}, "a", "first");
  ScenarioError e(ds.items());
  ASSERT_EQ(e.diagnostics().size(), 2u);
  EXPECT_EQ(e.diagnostics()[0].key, "a");
  EXPECT_EQ(std::string(e.what()), "s.toml:2:5: error: a: first\ns.toml:9:1: error: b: second");
}

TEST(DidYouMean, SuggestsCloseNamesOnly) {
  const std::vector<std::string> names = {"NVIDIA-like", "capacity", "growth", "wafer_cost"};
  EXPECT_EQ(closest_match("capacty", names), "capacity");
  EXPECT_EQ(closest_match("CAPACITY", names), "capacity");  // case-insensitive
  EXPECT_EQ(closest_match("wafercost", names), "wafer_cost");
  EXPECT_EQ(closest_match("zzzzzz", names), "");
  EXPECT_EQ(did_you_mean("grwth", names), " (did you mean 'growth'?)");
  EXPECT_EQ(did_you_mean("unrelated", names), "");
}

}  // namespace
}  // namespace chipsim
