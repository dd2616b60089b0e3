// Where `chipsim run` writes, and what it refuses (issue 10's frictions): an existing output
// is never overwritten silently; a what-if without its own path writes <name>.h5; --resume
// is safe to pass always; inspect reads a summary-only file's /summary; compare shows events.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/cli_runner.hpp"
#include "support/fixture.hpp"

namespace chipsim {
namespace {

using test::cli;

const std::string kBaseline = test::source_file("scenarios/baseline.toml");

// Runs in `dir` as the working directory, restoring it afterwards.
test::CliResult cli_in(const std::string& dir, std::vector<std::string> args) {
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  auto r = cli(std::move(args));
  std::filesystem::current_path(cwd);
  return r;
}

TEST(RunOutput, AnExistingFileIsRefusedUnlessForced) {
  test::TempDir dir;
  const std::string out = dir.file("same.h5");
  ASSERT_EQ(cli({"run", kBaseline, "-n", "2", "-q", "-o", out}).code, kExitOk);
  const auto before = std::filesystem::last_write_time(out);
  const auto again = cli({"run", kBaseline, "-n", "2", "-q", "-o", out});
  EXPECT_EQ(again.code, kExitBadInput);
  EXPECT_EQ(again.err, "chipsim: error: '" + out +
                           "' already exists; pass --force to overwrite it, or choose another "
                           "file with -o\n");
  EXPECT_EQ(std::filesystem::last_write_time(out), before);  // untouched
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
  EXPECT_EQ(cli({"run", kBaseline, "-n", "3", "-q", "-o", out, "--force"}).code, kExitOk);
  EXPECT_NE(cli({"inspect", out}).out.find("replicates  3 of 3 (complete)"), std::string::npos);
}

TEST(RunOutput, AnInterruptedRunIsNotDiscardedWithoutForce) {
  test::TempDir dir;
  const std::string out = dir.file("p.h5");
  ASSERT_EQ(cli({"run", kBaseline, "-n", "2", "-q", "-o", out}).code, kExitOk);
  std::filesystem::rename(out, out + ".partial");  // stands in for an interrupted run
  const auto r = cli({"run", kBaseline, "-n", "2", "-q", "-o", out});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("holds an interrupted run; continue it with --resume, or pass --force"),
            std::string::npos)
      << r.err;
}

TEST(RunOutput, AWhatIfWithoutItsOwnPathWritesItsScenarioName) {
  test::TempDir dir;
  dir.write("base.toml",
            "extends = \"" + kBaseline + "\"\nname = \"parent\"\n[output]\npath = \"parent.h5\"\n");
  const std::string child = dir.write("child.toml", "extends = \"base.toml\"\nname = \"kid\"\n");
  ASSERT_EQ(cli_in(dir.file(""), {"run", "base.toml", "-n", "2", "-q"}).code, kExitOk);
  const auto r = cli_in(dir.file(""), {"run", child, "-n", "2", "-q"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.file("kid.h5")));
  EXPECT_NE(r.out.find("wrote kid.h5"), std::string::npos) << r.out;
  EXPECT_NE(cli({"inspect", dir.file("parent.h5")}).out.find("scenario    parent "),
            std::string::npos);  // the parent's output is the parent's
}

TEST(RunOutput, AChunkLargerThanHdf5AllowsIsRefusedBeforeAnyWork) {
  // 3,000 replicates of units_sold (28 periods x 2,003 products x 2 channels x 2 regions)
  // would be a 5 GiB chunk; HDF5 takes at most 4 GiB. Refused at once, nothing written.
  test::TempDir dir;
  const std::string world = dir.write("wide.toml", test::mini_with_products(2000));
  const auto r = cli({"run", world, "-n", "100000", "-q", "-o", dir.file("w.h5"), "--variables",
                      "units_sold", "--set", "output.chunk_replicates=3000"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err,
            "chipsim: error: --set#1:1:25: output.chunk_replicates: a chunk of 3000 replicates "
            "of units_sold would hold 5134.6 MiB, more than HDF5 allows in one chunk (4 GiB); "
            "expected at most 2393, or leave it unset and chipsim chooses (docs/OUTPUT.md, "
            "\"Chunks\")\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("")),
                          std::filesystem::directory_iterator{}),
            1);  // the scenario alone
  // Unset, the chunk is chosen to fit, and the run writes.
  const auto fine = cli({"run", world, "-n", "3", "-q", "-o", dir.file("w.h5"), "--variables",
                         "units_sold", "--no-noise"});
  EXPECT_EQ(fine.code, kExitOk) << fine.err;
  EXPECT_NE(cli({"inspect", dir.file("w.h5")}).out.find("replicates  3 of 3 (complete)"),
            std::string::npos);
}

TEST(RunOutput, ResumeIsANoOpOnACompleteFileAndStartsWhenNothingIsThere) {
  test::TempDir dir;
  const std::string out = dir.file("r.h5");
  // Nothing on disk: --resume starts the run (a requeued job may always pass it).
  const auto first = cli({"run", kBaseline, "-n", "3", "-q", "-o", out, "--resume"});
  EXPECT_EQ(first.code, kExitOk) << first.err;
  EXPECT_TRUE(std::filesystem::exists(out));
  const auto before = std::filesystem::last_write_time(out);
  const auto again = cli({"run", kBaseline, "-n", "3", "-q", "-o", out, "--resume"});
  EXPECT_EQ(again.code, kExitOk) << again.err;
  EXPECT_EQ(again.out, "chipsim run: '" + out + "' is already complete; nothing to resume\n");
  EXPECT_EQ(std::filesystem::last_write_time(out), before);
}

TEST(Inspect, ASummaryOnlyFileShowsQuantilesFromSummary) {
  test::TempDir dir;
  const std::string out = dir.file("s.h5");
  ASSERT_EQ(cli({"run", kBaseline, "-n", "20", "-q", "-o", out, "--summary-only"}).code, kExitOk);
  const auto r = cli({"inspect", out});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("summary-only file: no per-replicate data, so no yearly aggregates. Below, "
                       "p05 / p50 / p95 over replicates of each year's last period, from /summary"),
            std::string::npos)
      << r.out;
  const auto row = r.out.find("  domestic_share_revenue[CN]");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row, r.out.find('\n', row) - row);
  EXPECT_NE(line.find("% / "), std::string::npos) << line;  // p05 / p50 / p95 in percent
}

TEST(Inspect, ShowsEventProbabilitiesPerYear) {
  test::TempDir dir;
  const std::string out = dir.file("e.h5");
  ASSERT_EQ(cli({"run", kBaseline, "-n", "20", "-q", "-o", out, "--set",
                 "policy.us.event.tightening.hazard=1.0"})
                .code,
            kExitOk);
  const auto r = cli({"inspect", out});
  const auto row = r.out.find("  tightening ");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row, r.out.find('\n', row) - row);
  // Certain from 2026Q2: never by the end of 2025, always by the end of 2026.
  EXPECT_NE(line.find("  0.0%"), std::string::npos) << line;
  EXPECT_NE(line.find("100.0%"), std::string::npos) << line;
}

TEST(Compare, ShowsEventProbabilitiesAndRegimeMedians) {
  test::TempDir dir;
  const std::string a = dir.file("a.h5"), b = dir.file("b.h5");
  ASSERT_EQ(cli({"run", kBaseline, "-n", "60", "-q", "-o", a}).code, kExitOk);
  ASSERT_EQ(cli({"run", test::source_file("scenarios/whatif/02-china-accepts-h200.toml"), "-n",
                 "60", "-q", "-o", b})
                .code,
            kExitOk);
  const auto r = cli({"compare", a, b, "--region", "CN", "--year", "2030"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("Stochastic policy events: share of replicates in which each fired by the "
                       "end of the horizon\n  nvidia-ban: A "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n  tightening: A "), std::string::npos) << r.out;
  // The tightening denies NVIDIA's parts: NVIDIA's China revenue is bimodal, and the table
  // gives both regimes' medians next to the band.
  EXPECT_NE(r.out.find("| &nbsp;&nbsp;if tightening fired by 2030 (A "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| &nbsp;&nbsp;if tightening had not fired by 2030 | CN | 2030 | median "),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace chipsim
