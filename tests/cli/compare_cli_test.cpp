// `chipsim compare`: paired differences, and refusals when files do not pair up.
#include <gtest/gtest.h>

#include "support/cli_runner.hpp"
#include "support/fixture.hpp"

namespace chipsim {
namespace {

using test::cli;

const std::string kBaseline = test::source_file("scenarios/baseline.toml");

class CompareCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    auto run = [](const std::string& scenario, const std::string& out,
                  std::vector<std::string> extra) {
      std::vector<std::string> args = {"run", scenario, "-q", "-o", dir_->file(out)};
      if (extra.empty() || extra[0] != "-n") args.insert(args.end(), {"-n", "16"});
      args.insert(args.end(), extra.begin(), extra.end());
      const auto r = cli(args);
      ASSERT_EQ(r.code, kExitOk) << r.err;
    };
    run(kBaseline, "base.h5", {});
    run(test::source_file("scenarios/whatif/06-smuggling-crackdown.toml"), "crack.h5", {});
    run(kBaseline, "seed2.h5", {"--seed", "2"});
    run(kBaseline, "n8.h5", {"-n", "8"});
    run(kBaseline, "summary.h5", {"--summary-only"});
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string file(const std::string& name) { return dir_->file(name); }
  static test::TempDir* dir_;
};
test::TempDir* CompareCli::dir_ = nullptr;

TEST_F(CompareCli, AFileAgainstItselfDiffersByZero) {
  const auto r = cli({"compare", file("base.h5"), file("base.h5"), "--region", "CN", "--year",
                      "2025", "--csv", file("same.csv")});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("16 paired replicates, seed 20251127"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| market revenue | CN | 2025 | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| 0 (0, 0) | 0 to 0 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| 0.0 pp (0.0 pp, 0.0 pp) | 0.0 pp to 0.0 pp |"), std::string::npos)
      << r.out;  // share differences in percentage points
  const std::string csv = test::read_file(file("same.csv"));
  EXPECT_EQ(csv.rfind("outcome,variable,region,year,a_mean,a_p05,a_p50,a_p95,b_mean,", 0), 0u);
  EXPECT_NE(csv.find("\n\"market revenue\",market_revenue,CN,2025,"), std::string::npos);
}

TEST_F(CompareCli, CrackdownLowersSmugglingInEveryReplicate) {
  // The crackdown starts in 2026 (an enforcement rule); 2027 is its second year.
  const auto r = cli({"compare", file("base.h5"), file("crack.h5"), "--region", "CN", "--year",
                      "2027", "--csv", file("crack.csv")});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  // The smuggled-units row: every paired difference (p05..p95) is negative.
  const std::string csv = test::read_file(file("crack.csv"));
  const auto at = csv.find("\n\"smuggled units\",smuggled_units,CN,2027,");
  ASSERT_NE(at, std::string::npos) << csv;
  std::vector<double> v;
  std::stringstream line(csv.substr(at + 1, csv.find('\n', at + 1) - at - 1));
  std::string cell;
  for (int i = 0; std::getline(line, cell, ','); ++i)
    if (i >= 4) v.push_back(std::stod(cell));
  ASSERT_EQ(v.size(), 13u);
  EXPECT_LT(v[8], 0);   // mean difference
  EXPECT_LT(v[12], 0);  // p95 of the differences
}

TEST_F(CompareCli, RefusesFilesThatDoNotPairUp) {
  auto r = cli({"compare", file("base.h5"), file("seed2.h5")});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("do not pair up: seed 20251127 in '" + file("base.h5") + "' but 2 in '" +
                       file("seed2.h5") + "'"),
            std::string::npos)
      << r.err;
  r = cli({"compare", file("base.h5"), file("n8.h5")});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("do not pair up: 16 replicates in"), std::string::npos) << r.err;
  r = cli({"compare", file("base.h5"), file("summary.h5")});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("holds summaries only; paired differences need per-replicate data"),
            std::string::npos)
      << r.err;
  r = cli({"compare", file("base.h5"), file("base.h5"), "--region", "XX"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("--region XX is not a region of the files"), std::string::npos) << r.err;
  r = cli({"compare", file("base.h5"), file("base.h5"), "--year", "2040"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("--year 2040 is outside the files' horizon 2024Q1 to 2030Q4"),
            std::string::npos)
      << r.err;
  r = cli({"compare", file("base.h5"), "/nonexistent.h5"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("/nonexistent.h5"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace chipsim
