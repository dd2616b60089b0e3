// `chipsim calibrate` end to end: report, overlay, exit codes and messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cli/cli.hpp"
#include "support/cli_runner.hpp"
#include "support/fixture.hpp"

namespace chipsim {
namespace {

using Result = test::CliResult;
using test::cli;

const std::string kBaseline = test::source_file("scenarios/baseline.toml");
const std::string kTargets = test::source_file("scenarios/calibration/targets.toml");

TEST(CalibrateCli, ScoresTheBaselineWithoutFreeParameters) {
  // Every target but the documented miss (docs/CALIBRATION.md) is in band.
  const Result r = cli({"calibrate", kBaseline, "--targets", kTargets, "-n", "32", "--check",
                        "--known-miss", "china_spend_2025_2030"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("| target | year | published | band | simulated | 90% interval | in band |"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| china_market_2025 | 2025 | 37.00 B | 31.00 B - 43.00 B | "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| china_spend_2025_2030 | 2025-2030 | 490.00 B | 350.00 B - 650.00 B | "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| **no** (known miss) |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Every target is in its band except the known misses."), std::string::npos)
      << r.out;
  // Without the exemption the same miss fails --check.
  const Result strict = cli({"calibrate", kBaseline, "--targets", kTargets, "-n", "32", "--check"});
  EXPECT_EQ(strict.code, kExitTargetsMissed) << strict.out;
  EXPECT_NE(strict.out.find("Some targets are outside their band."), std::string::npos);
  // An exemption must name a target.
  const Result bad = cli({"calibrate", kBaseline, "--targets", kTargets, "-n", "2", "--known-miss",
                          "china_spend_2030"});
  EXPECT_EQ(bad.code, kExitBadInput);
  EXPECT_NE(bad.err.find("--known-miss china_spend_2030: no target of that name in"),
            std::string::npos)
      << bad.err;
}

TEST(CalibrateCli, CheckExitsThreeWhenATargetIsMissed) {
  const Result r = cli({"calibrate", kBaseline, "--targets", kTargets, "-n", "8", "--check",
                        "--set", "buyer.Other-CN.capex=1e9"});
  EXPECT_EQ(r.code, kExitTargetsMissed) << r.out << r.err;
  EXPECT_NE(r.out.find("| china_market_2025 |"), std::string::npos);
  EXPECT_NE(r.out.find("| **no** |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Some targets are outside their band."), std::string::npos);
}

TEST(CalibrateCli, UnknownVariableInTargetsIsALocatedError) {
  test::TempDir dir;
  const std::string text = test::replace(test::read_file(kTargets), "variable = \"smuggled_units\"",
                                         "variable = \"smuggled_unit\"");
  const std::string bad = dir.write("t.toml", text);
  const auto at = test::locate(text, "\"smuggled_unit\"");
  const Result r = cli({"calibrate", kBaseline, "--targets", bad, "-n", "4"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find(bad + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                       ": error: target[6].variable: unknown variable 'smuggled_unit' (did you "
                       "mean 'smuggled_units'?)"),
            std::string::npos)
      << r.err;
}

TEST(CalibrateCli, BadFreeParameterAndNonNumericKey) {
  Result r = cli({"calibrate", kBaseline, "--targets", kTargets, "--free", "market.pue"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("--free 'market.pue': expected KEY=LOW:HIGH"), std::string::npos) << r.err;
  r = cli({"calibrate", kBaseline, "--targets", kTargets, "--free", "ecosystem.CANN.maturity=0:1"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("--free ecosystem.CANN.maturity: the scenario has no number at this key"),
            std::string::npos)
      << r.err;
  r = cli({"calibrate", kBaseline, "--targets", kTargets, "-n", "2", "--max-evals", "2", "--free",
           "market.pueh=1:2"});
  EXPECT_EQ(r.code, kExitBadInput);
}

TEST(CalibrateCli, FitWritesAnOverlayThatReproducesTheReport) {
  test::TempDir dir;
  const std::string overlay = dir.file("fit.toml"), report = dir.file("report.md");
  const Result fit = cli({"calibrate", kBaseline, "--targets", kTargets, "-n", "8", "--max-evals",
                          "12", "--threads", "2", "-q", "--free", "market.price_adjustment=0:0.5",
                          "-o", overlay, "--report", report});
  ASSERT_EQ(fit.code, kExitOk) << fit.out << fit.err;
  const std::string text = test::read_file(overlay);
  // extends the scenario by a path relative to the overlay's folder.
  const std::string rel =
      std::filesystem::relative(kBaseline, std::filesystem::path(overlay).parent_path())
          .generic_string();
  EXPECT_NE(text.find("extends = \"" + rel + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("market.price_adjustment = "), std::string::npos) << text;
  EXPECT_NE(text.find("# fitted in [0, 0.5], started at 0.3"), std::string::npos) << text;
  // Scoring the overlay with the same replicates and seed gives the same table.
  const Result again = cli({"calibrate", overlay, "--targets", kTargets, "-n", "8"});
  ASSERT_EQ(again.code, kExitOk) << again.err;
  EXPECT_NE(again.out.find(test::read_file(report)), std::string::npos) << again.out << "\n---\n"
                                                                        << test::read_file(report);
}

}  // namespace
}  // namespace chipsim
