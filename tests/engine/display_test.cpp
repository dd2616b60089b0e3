// How numbers are shown (sim/engine/display.cpp); the Python side (chipsim.units) is pinned
// to the same strings in tests/analysis/test_aggregation.py.
#include "engine/display.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace chipsim {
namespace {

TEST(Display, SuffixesAndPercent) {
  EXPECT_EQ(format_display(DisplayKind::money, 6.27e9), "6.27 B");
  EXPECT_EQ(format_display(DisplayKind::money, 3.5e8), "350.00 M");
  EXPECT_EQ(format_display(DisplayKind::count, 113400), "113.4 k");
  EXPECT_EQ(format_display(DisplayKind::share, 0.4213), "42.1%");
  EXPECT_EQ(format_display(DisplayKind::compute, 246737.0), "246.74");
  EXPECT_EQ(format_difference(DisplayKind::share, -0.049), "-4.9 pp");
  EXPECT_EQ(format_display(DisplayKind::count, std::numeric_limits<double>::quiet_NaN()), "n/a");
}

TEST(Display, ResidueOfAnEmptiedStockIsShownAsZero) {
  // A die bank drawn down to nothing keeps ~1e-11 units of floating-point residue.
  EXPECT_EQ(format_display(DisplayKind::count, 1.46e-11), "0");
  EXPECT_EQ(format_display(DisplayKind::money, -3e-9), "0");
  EXPECT_EQ(format_display(DisplayKind::count, 2e-6), "2e-06");  // above the threshold
  EXPECT_EQ(format_display(DisplayKind::count, 0.5), "0.5");
  EXPECT_EQ(format_display(DisplayKind::index, 1e-9), "1e-09");  // indices are not stocks
}

}  // namespace
}  // namespace chipsim
