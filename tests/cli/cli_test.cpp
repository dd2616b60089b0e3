// The `chipsim` command line, driven in-process: outputs, messages and exit codes.
#include "cli/cli.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include "cli/run_support.hpp"
#include "support/cli_runner.hpp"
#include "support/fixture.hpp"

namespace chipsim {
namespace {

using Result = test::CliResult;
using test::cli;

const std::string kBaseline = test::source_file("scenarios/baseline.toml");

// Progress shows a slow run's rate with two significant digits: a replicate of a large
// world takes seconds, and "0 rep/s" said nothing. (A plain line, as in a batch log: the
// stream is a file, not a terminal.)
TEST(Cli, ProgressShowsASlowRateWithDecimals) {
  std::FILE* log = std::tmpfile();
  ASSERT_NE(log, nullptr);
  Progress progress(10, 0, true, log);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // at most 5 replicates/s
  progress.update(1);
  std::rewind(log);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, log), nullptr);
  std::fclose(log);
  EXPECT_TRUE(std::regex_search(line, std::regex(R"(^chipsim run: 1/10 replicates \(10%\), )"
                                                 R"([0-9]+\.[0-9]+ rep/s, )")))
      << line;
}

TEST(Cli, ValidatePrintsCountsGraphAndTimeline) {
  const Result r = cli({"validate", kBaseline});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("horizon   2024Q1 .. 2030Q4, 28 quarters"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("6 vendors, 13 products"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("graph     37 vertices, 129 edges"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2023Q4  us.oct2023  export_control: denied -> CN where TPP>=4800 | "
                       "TPP>=1600&PD>=5.92"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2025Q1 (announced 2024Q3)  us.hbm-control"), std::string::npos);
  EXPECT_NE(r.out.find("OK: "), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, ValidateBadInputExitsTwoWithLocatedMessage) {
  test::TempDir dir;
  const std::string bad = dir.write(
      "bad.toml", test::replace(test::kMiniScenario, "capacity = 400", "capacity = -400"));
  const Result r = cli({"validate", bad});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find(bad + ":" + std::to_string(test::locate(test::read_file(bad), "-400").line) +
                       ":12: error: packager.P.capacity: expected a number >= 0, got -400"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("chipsim: 1 error; nothing was written"), std::string::npos);
}

TEST(Cli, SetOverridesReachValidation) {
  const Result ok = cli({"validate", kBaseline, "--set", "simulation.replicates=17"});
  EXPECT_EQ(ok.code, kExitOk);
  EXPECT_NE(ok.out.find("17 replicates"), std::string::npos);
  const Result bad = cli({"validate", kBaseline, "--set", "policy.us.enforcement=2"});
  EXPECT_EQ(bad.code, kExitBadInput);
  EXPECT_NE(bad.err.find("--set#1:1:23: error: policy.us.enforcement: expected a number in "
                         "[0, 1], got 2"),
            std::string::npos)
      << bad.err;
}

TEST(Cli, GraphDotAndJson) {
  const Result dot = cli({"graph", kBaseline});
  EXPECT_EQ(dot.code, kExitOk);
  EXPECT_EQ(dot.out.rfind("digraph supply {", 0), 0u);
  EXPECT_NE(dot.out.find("\"node:SMIC.N7\" -> \"product:Ascend910C\""), std::string::npos);
  const Result json = cli({"graph", kBaseline, "--format", "json"});
  EXPECT_EQ(json.code, kExitOk);
  EXPECT_EQ(json.out.rfind("{\n  \"nodes\": [", 0), 0u);
  const Result bad = cli({"graph", kBaseline, "--format", "svg"});
  EXPECT_EQ(bad.code, kExitBadInput);
  EXPECT_NE(bad.err.find("--format"), std::string::npos) << bad.err;
}

TEST(Cli, GraphToFileAndNoFileOnBadInput) {
  test::TempDir dir;
  const std::string out = dir.file("g.dot");
  EXPECT_EQ(cli({"graph", kBaseline, "-o", out}).code, kExitOk);
  EXPECT_EQ(test::read_file(out).rfind("digraph supply {", 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));

  const std::string bad = dir.write("bad.toml", "name = \"x\"\n[simulation]\nstart = 2024\n");
  const std::string out2 = dir.file("g2.dot");
  EXPECT_EQ(cli({"graph", bad, "-o", out2}).code, kExitBadInput);
  EXPECT_FALSE(std::filesystem::exists(out2));
  EXPECT_FALSE(std::filesystem::exists(out2 + ".partial"));
}

TEST(Cli, GraphToUnwritablePathIsARuntimeFailure) {
  const Result r = cli({"graph", kBaseline, "-o", "/nonexistent/dir/g.dot"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("cannot open '/nonexistent/dir/g.dot.partial' for writing"),
            std::string::npos)
      << r.err;
}

TEST(Cli, RunPrintsAPerYearTable) {
  test::TempDir dir;
  const Result r = cli({"run", kBaseline, "-n", "1", "--seed", "1", "-q", "-o", dir.file("a.h5")});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out.rfind("chipsim run: baseline, 1 replicate, seed 1; per-year means", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("2024      2025      2026      2027      2028      2029      2030"),
            std::string::npos);
  for (const char* row :
       {"market_revenue[CN]", "domestic_share_revenue[CN]", "domestic_share_units[CN]",
        "smuggled_units[CN]", "fees_collected[US]", "subsidy_spend[CN]", "effective_compute[US]",
        "revenue[NVIDIA,CN]", "production[Ascend910C]", "hbm_stock[Huawei]"})
    EXPECT_NE(r.out.find(row), std::string::npos) << row;
  // Bad input is still reported as bad input first.
  EXPECT_EQ(cli({"run", "/nonexistent.toml"}).code, kExitBadInput);
}

TEST(Cli, RunWithOutputNoneWritesNoFile) {
  test::TempDir dir;
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.file(""));
  const Result r = cli({"run", kBaseline, "-n", "2", "-q", "-o", "none"});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out.find("wrote "), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir.file(""))) << "a file was written";
}

TEST(Cli, RunIsReproducibleAndWritesCsv) {
  test::TempDir dir;
  const std::string a = dir.file("a.csv"), b = dir.file("b.csv");
  EXPECT_EQ(
      cli({"run", kBaseline, "-n", "3", "--seed", "5", "-q", "-o", dir.file("a.h5"), "--csv", a})
          .code,
      kExitOk);
  EXPECT_EQ(
      cli({"run", kBaseline, "-n", "3", "--seed", "5", "-q", "-o", dir.file("b.h5"), "--csv", b})
          .code,
      kExitOk);
  const std::string csv = test::read_file(a);
  EXPECT_EQ(csv.rfind("variable,year,mean,display_unit\n", 0), 0u);
  EXPECT_NE(csv.find("\n\"domestic_share_revenue[CN]\",2025,0."), std::string::npos);  // fraction
  EXPECT_NE(csv.find("\n\"revenue[NVIDIA,CN]\",2025,"), std::string::npos);  // quoted: a comma
  EXPECT_EQ(csv, test::read_file(b));
  const Result no_noise =
      cli({"run", kBaseline, "-n", "2", "--no-noise", "-q", "-o", dir.file("c.h5")});
  EXPECT_NE(no_noise.out.find(", no noise;"), std::string::npos);
}

TEST(Cli, RunWritesAnHdf5FileThatInspectDescribes) {
  test::TempDir dir;
  const std::string h5 = dir.file("out.h5");
  const Result r = cli({"run", kBaseline, "-n", "5", "--seed", "2", "-o", h5, "-q"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(std::filesystem::exists(h5));
  EXPECT_FALSE(std::filesystem::exists(h5 + ".partial"));
  const Result i = cli({"inspect", h5});
  EXPECT_EQ(i.code, kExitOk) << i.err;
  EXPECT_NE(i.out.find("replicates  5 of 5 (complete)"), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("seed        2"), std::string::npos);
  EXPECT_NE(i.out.find("domestic_share_revenue[CN]"), std::string::npos);
}

TEST(Cli, InspectRejectsForeignAndMissingFiles) {
  test::TempDir dir;
  const std::string text = dir.write("not.h5", "plain text");
  const Result a = cli({"inspect", text});
  EXPECT_EQ(a.code, kExitFailure);
  EXPECT_NE(a.err.find("is not an HDF5 file"), std::string::npos) << a.err;
  EXPECT_EQ(cli({"inspect", dir.file("missing.h5")}).code, kExitFailure);
}

TEST(Cli, RunRejectsUnknownVariablesAndUnwritablePaths) {
  // Friction (issue 10): an unknown --variables name is bad input, exit 2, not a failure.
  const Result v = cli({"run", kBaseline, "-n", "1", "-o", "/tmp/x.h5", "--variables", "prise"});
  EXPECT_EQ(v.code, kExitBadInput);
  EXPECT_NE(v.err.find("unknown variable 'prise' (did you mean 'price'?)"), std::string::npos)
      << v.err;
  // Issue 13: the path is checked before any work, as a request the user can fix.
  const Result w = cli({"run", kBaseline, "-n", "1", "-o", "/nonexistent/dir/x.h5", "-q"});
  EXPECT_EQ(w.code, kExitBadInput);
  EXPECT_NE(w.err.find("-o '/nonexistent/dir/x.h5': the folder '/nonexistent/dir' does not exist"),
            std::string::npos)
      << w.err;
  EXPECT_FALSE(std::filesystem::exists("/nonexistent/dir/x.h5"));
}

TEST(Cli, VersionHelpAndUsageErrors) {
  const Result v = cli({"--version"});
  EXPECT_EQ(v.code, kExitOk);
  EXPECT_EQ(v.out.rfind("chipsim 0.1.0 (commit ", 0), 0u) << v.out;
  const Result h = cli({"--help"});
  EXPECT_EQ(h.code, kExitOk);
  EXPECT_NE(h.out.find("validate"), std::string::npos);
  for (const char* cmd : {"validate", "graph", "run"}) {
    const Result sub = cli({cmd, "--help"});
    EXPECT_EQ(sub.code, kExitOk) << cmd;
    EXPECT_NE(sub.out.find("scenario"), std::string::npos) << cmd << ": " << sub.out;
  }
  EXPECT_EQ(cli({}).code, kExitBadInput);
  EXPECT_EQ(cli({"frobnicate"}).code, kExitBadInput);
  const Result missing = cli({"validate"});
  EXPECT_EQ(missing.code, kExitBadInput);
  EXPECT_NE(missing.err.find("scenario is required"), std::string::npos) << missing.err;
  EXPECT_EQ(cli({"run", kBaseline, "-n", "0"}).code, kExitBadInput);
}

}  // namespace
}  // namespace chipsim
