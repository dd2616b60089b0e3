// The `run` and `inspect` subcommands, separated from argument parsing (cli.cpp).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
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
  bool force = false;  // overwrite an existing output file or interrupted run
  bool quiet = false;
  std::string shard;  // "K/N": one shard of the ensemble (run_shard_command)
  std::string command_line;
};

int run_command(const Scenario& scenario, const RunArgs& args, std::ostream& out,
                std::ostream& err);

// Writes `content` to `path` through `path.partial` renamed into place, so no half-written
// file is left under the final name; throws std::runtime_error on failure.
void write_atomically(const std::string& path, const std::string& content);

// A --seed value: decimal digits, 0 to 2^64 - 1; anything else (a sign, a fraction, a value
// out of range) is a BadRequest, never a silent wrap-around.
[[nodiscard]] std::uint64_t parse_seed(const std::string& text);

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
  // Targets whose miss is documented (docs/CALIBRATION.md): scored and printed, marked as
  // known, not counted by --check, and left out of a fit's loss. A name that is no target
  // is a bad-input error.
  std::vector<std::string> known_misses;
  bool quiet = false;
  std::string command_line;
};

int calibrate_command(const CalibrateArgs& args, std::ostream& out, std::ostream& err);

struct CompareArgs {
  std::string a, b;                  // output files; differences are B - A
  std::vector<int> years;            // empty: every year of the horizon
  std::vector<std::string> regions;  // empty: every region
  std::vector<std::string> vendors;  // vendor revenue rows; empty: every vendor
  std::string csv;                   // also write the table as CSV
};

int compare_command(const CompareArgs& args, std::ostream& out, std::ostream& err);

// Numbers as a reader wants them: 6.0e9 -> "6.00 B", 2.5e6 -> "2.50 M", 0.4213 -> "0.421".
[[nodiscard]] std::string format_number(double v);

int inspect_command(const std::string& path, std::ostream& out, std::ostream& err);

// `chipsim generate`: a synthetic world of any size (docs/SCENARIOS.md, "Synthetic worlds").
struct GenerateArgs {
  int regions = 3, vendors = 6, products = 12, foundries = 2, nodes_per_foundry = 2, memory = 4,
      packagers = 2, buyers = 8, rules = 5, years = 7;
  long nodes = 0;  // > 0: set the entity counts for about this many supply-graph nodes
  // > 0: every buyer lists this many products, drawn at random (its choice set, Buyer::
  // products); 0, or at least --products: buyers list none and weigh every product.
  int choice_set = 0;
  std::uint64_t seed = 1;
  std::string output;  // empty: standard output
};
// The scenario text (TOML); throws BadRequest for a count below its minimum.
[[nodiscard]] std::string generate_world(const GenerateArgs& args);
// The counts for about `nodes` supply-graph nodes: half buyers, 30% products (four per
// vendor), 8% foundry nodes, 6% HBM suppliers, 6% packagers, four channels.
[[nodiscard]] GenerateArgs scaled_to_nodes(GenerateArgs args, long nodes);
// Foundry nodes + HBM suppliers + packagers + products + channels + buyers.
[[nodiscard]] long graph_nodes(const GenerateArgs& args);
int generate_command(const GenerateArgs& args, std::ostream& out);

struct SweepArgs {
  std::string sweep;   // the sweep TOML file
  std::string output;  // -o
  int replicates = 0;  // 0: the sweep file's
  std::string shard;   // "K/N"; empty: the whole sweep
  int threads = 0;
  std::vector<std::string> variables;
  bool float32 = false;
  std::optional<int> compression;
  bool no_noise = false;
  bool resume = false;
  bool force = false;
  bool quiet = false;
  std::string design_csv;  // write the design's points and stop
  std::string command_line;
};

int sweep_command(const SweepArgs& args, std::ostream& out, std::ostream& err);

// "K/N" -> (K, N), 0 <= K < N; throws io::BadRequest otherwise.
[[nodiscard]] std::pair<int, int> parse_shard(const std::string& text);

struct MergeArgs {
  std::vector<std::string> parts;
  std::string output;
  bool force = false;
  std::string command_line;
};

int merge_command(const MergeArgs& args, std::ostream& out, std::ostream& err);

// `chipsim run --shard K/N`: the ensemble's replicates split like a sweep's work (a sweep of
// one point and no key); `chipsim merge` of the parts writes the file `chipsim run` writes.
int run_shard_command(const std::string& scenario_path, const std::vector<std::string>& overrides,
                      const RunArgs& run, std::ostream& out, std::ostream& err);

}  // namespace chipsim
