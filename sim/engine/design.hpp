// Sweep designs (docs/SWEEPS.md): where in parameter space a sweep's points lie.
//   grid      full factorial of each parameter's levels, the first parameter varying slowest;
//   lhs       Latin hypercube, `candidates` drawn from the sweep seed, the one whose smallest
//             pairwise distance is largest kept (maximin, Johnson, Moore & Ylvisaker 1990);
//   saltelli  Saltelli (2010) radial blocks on Boost.Random's Sobol sequence: per base sample
//             j, the points A_j, AB_j^1 .. AB_j^k, B_j (k + 2 points each);
//   morris    r one-at-a-time trajectories of k + 1 points on a p-level grid, step
//             p / (2 (p - 1)) (Morris 1991);
//   csv       points imported from a CSV file whose header names the keys.
// Every design works on the unit cube and maps each coordinate to a value through its
// parameter (sweep.hpp); the unit coordinates are kept for the analysis.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scenario/sweep.hpp"

namespace chipsim {

struct Design {
  DesignKind kind = DesignKind::grid;
  std::vector<std::string> keys;
  std::vector<std::vector<double>> unit;    // [point][parameter], in [0, 1]
  std::vector<std::vector<double>> values;  // [point][parameter], as passed to --set
  // saltelli: the base sample; morris: the trajectory; otherwise the point itself.
  std::vector<int> group;
  // saltelli: -1 for A, i for AB^i, k for B; morris: the parameter changed from the previous
  // point of the trajectory (-1 for its first point); otherwise -1.
  std::vector<int> role;
  // The generator's settings, written to the output's root as design_<name>.
  std::vector<std::pair<std::string, std::string>> settings;

  [[nodiscard]] int points() const { return static_cast<int>(values.size()); }
  // "key=value" overrides of one point (shortest round-trip decimals).
  [[nodiscard]] std::vector<std::string> overrides(int point) const;
};

// Builds the design of a sweep; throws ScenarioError for a bad CSV (file:line:column).
[[nodiscard]] Design build_design(const SweepSpec& spec);

// The value of parameter `p` at unit coordinate u (levels, range or quantile of dist).
[[nodiscard]] double parameter_value(const SweepParameter& p, double u);

}  // namespace chipsim
