// The `run` and `inspect` subcommands, separated from argument parsing (cli.cpp).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace chipsim {

struct RunArgs {
  int replicates = 0;                 // 0: the scenario's
  std::optional<std::uint64_t> seed;  // default: the scenario's
  std::string output;                 // HDF5 path; empty: the scenario's output.path, if any
  std::string csv;                    // per-year table as CSV
  bool no_noise = false;
  int threads = 0;                     // 0: all cores
  std::vector<std::string> variables;  // empty: the scenario's, or all
  bool summary_only = false;
  bool float32 = false;
  std::optional<int> compression;
  bool resume = false;
  bool quiet = false;
  std::string command_line;
};

int run_command(const Scenario& scenario, const RunArgs& args, std::ostream& out,
                std::ostream& err);

// Writes `content` to `path` through `path.partial` renamed into place, so no half-written
// file is left under the final name; throws std::runtime_error on failure.
void write_atomically(const std::string& path, const std::string& content);

struct CalibrateArgs {
  std::string scenario;
  std::vector<std::string> overrides;  // --set
  std::string targets;
  std::vector<std::string> free;  // KEY=LOW:HIGH
  int replicates = 200;
  std::optional<std::uint64_t> seed;  // default: the scenario's
  std::uint64_t seed_used = 0;
  int threads = 0;
  int max_evaluations = 300;
  std::string output;  // overlay scenario
  std::string report;  // Markdown table of the targets
  bool check = false;  // exit kExitTargetsMissed if a target is outside its band
  bool quiet = false;
  std::string command_line;
};

int calibrate_command(const CalibrateArgs& args, std::ostream& out, std::ostream& err);

int inspect_command(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace chipsim
