// A sweep file (docs/SWEEPS.md): a base scenario, the parameters to vary (as --set keys),
// the design that places points in their space, the replicates per point and the seed.
// Reading checks the file's own shape with located messages; whether each key exists in the
// scenario is checked when the points are built (engine/design.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/diagnostics.hpp"
#include "scenario/param.hpp"

namespace chipsim {

enum class DesignKind { grid, lhs, saltelli, morris, csv };
[[nodiscard]] const char* to_string(DesignKind k);

// One swept parameter. A grid takes its `levels` as given; every other design maps its
// unit-cube coordinate u to a value: levels[floor(u * n)] when levels are given, the
// uniform [low, high] for a `range`, or the quantile of `dist` at u.
struct SweepParameter {
  std::string key;  // a dotted scenario key, as for --set
  enum Kind { levels, range, dist } kind = range;
  std::vector<double> values;  // levels
  double low = 0, high = 0;    // range
  Param distribution;          // dist
  SourceLoc loc;
};

struct SweepSpec {
  std::string source_path;    // the sweep file
  std::string text;           // its text, written to the output
  std::string scenario_path;  // the base scenario, resolved against the sweep file's folder
  std::vector<std::string> overrides;  // `set`: fixed overrides applied at every point
  std::uint64_t seed = 0;
  int replicates = 100;
  DesignKind design = DesignKind::grid;
  int samples = 0;       // lhs: points; saltelli: base samples N; morris: trajectories r
  int levels = 4;        // morris: grid levels p
  int candidates = 20;   // lhs: designs drawn, the one with the largest minimum distance kept
  std::string csv_path;  // csv: resolved against the sweep file's folder
  std::vector<SweepParameter> parameters;
  SourceLoc design_loc;
};

// Reads a sweep file; throws ScenarioError listing every problem (file:line:col, key,
// what was expected).
[[nodiscard]] SweepSpec load_sweep(const std::string& path);
[[nodiscard]] SweepSpec load_sweep_text(const std::string& text, const std::string& source_name);

}  // namespace chipsim
