// Mutates the baseline scenario at random and runs the real `chipsim validate` on each
// mutant in a child process: every run must end with exit code 0 or 2 (never a crash, a
// signal or another code), and a failure must carry a located message (file:line:column).
// The mutations are seeded, so a failure names a reproducible case.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <regex>
#include <sstream>

#include "support/fixture.hpp"

extern char** environ;

namespace chipsim {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += l + "\n";
  return out;
}

struct Mutant {
  std::string text;
  std::string what;
};

// One random mutation of the kinds named in issue 2.
Mutant mutate(const std::string& original, boost::random::mt19937& rng) {
  auto pick = [&](std::size_t n) {
    return boost::random::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  std::vector<std::string> lines = split_lines(original);
  const std::size_t i = pick(lines.size());
  static const std::regex number(R"([-+]?[0-9][0-9_]*(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  static const char* replacements[] = {"-1",
                                       "nan",
                                       "\"text\"",
                                       "1e999",
                                       "inf",
                                       "0",
                                       "[]",
                                       "{}",
                                       "true",
                                       "-0.5",
                                       "99999999999999999999"};
  switch (pick(6)) {
    case 0:
      lines.erase(lines.begin() + static_cast<long>(i));
      return {join_lines(lines), "delete line " + std::to_string(i + 1)};
    case 1: {  // replace one number on a line that has one
      for (std::size_t tries = 0; tries < lines.size(); ++tries) {
        std::string& l = lines[(i + tries) % lines.size()];
        const auto hash = l.find('#');
        std::string code = l.substr(0, hash);
        std::smatch m;
        if (code.find('=') == std::string::npos || !std::regex_search(code, m, number)) continue;
        const std::string rep = replacements[pick(std::size(replacements))];
        l = code.substr(0, m.position(0)) + rep + code.substr(m.position(0) + m.length(0)) +
            (hash == std::string::npos ? "" : l.substr(hash));
        return {join_lines(lines),
                "number -> " + rep + " at line " + std::to_string((i + tries) % lines.size() + 1)};
      }
      return {original, "no number found"};
    }
    case 2: {
      const std::size_t cut = pick(original.size());
      return {original.substr(0, cut), "truncate at byte " + std::to_string(cut)};
    }
    case 3:
      lines.insert(lines.begin() + static_cast<long>(i), "mystery_key = 1");
      return {join_lines(lines), "unknown key at line " + std::to_string(i + 1)};
    case 4: {  // swap a value for a string
      std::string& l = lines[i];
      const auto eq = l.find('=');
      if (eq != std::string::npos) l = l.substr(0, eq + 1) + " \"oops\"";
      return {join_lines(lines), "value -> string at line " + std::to_string(i + 1)};
    }
    default: {  // duplicate a line
      lines.insert(lines.begin() + static_cast<long>(i), lines[i]);
      return {join_lines(lines), "duplicate line " + std::to_string(i + 1)};
    }
  }
}

// Runs `chipsim validate path`; returns the raw wait status and stderr.
std::pair<int, std::string> run_validate(const std::string& path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  const std::string exe = CHIPSIM_EXECUTABLE;
  std::vector<char*> argv = {const_cast<char*>(exe.c_str()), const_cast<char*>("validate"),
                             const_cast<char*>(path.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return {-1, "posix_spawn failed"};
  int status = 0;
  waitpid(pid, &status, 0);
  return {status, test::read_file(err_path)};
}

TEST(Mutation, ValidateNeverCrashesOnMutatedBaseline) {
  const std::string original = test::read_file(test::source_file("scenarios/baseline.toml"));
  ASSERT_FALSE(original.empty());
  test::TempDir dir;
  const std::string path = dir.file("mutant.toml");
  const std::string err = dir.file("stderr.txt");
  const std::regex located(R"((^|\n)[^\n:]+:[0-9]+:[0-9]+: error: )");
  constexpr int kMutants = 300;
  int rejected = 0;
  for (int seed = 0; seed < kMutants; ++seed) {
    boost::random::mt19937 rng(static_cast<std::uint32_t>(seed));
    const Mutant m = mutate(original, rng);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << m.text;
    const auto [status, stderr_text] = run_validate(path, err);
    ASSERT_TRUE(WIFEXITED(status))
        << "seed " << seed << " (" << m.what << ") killed by signal " << WTERMSIG(status) << "\n"
        << stderr_text;
    const int code = WEXITSTATUS(status);
    ASSERT_TRUE(code == 0 || code == 2)
        << "seed " << seed << " (" << m.what << ") exit " << code << "\n"
        << stderr_text;
    if (code == 2) {
      ++rejected;
      EXPECT_TRUE(std::regex_search(stderr_text, located))
          << "seed " << seed << " (" << m.what << ") unlocated message:\n"
          << stderr_text;
    }
  }
  // Most mutations break the file; a suite in which nothing was rejected tested nothing.
  EXPECT_GT(rejected, kMutants / 2);
}

}  // namespace
}  // namespace chipsim
