// Calibration: targets resolved against a scenario, their statistics over an ensemble, and
// the fit of free scenario parameters to them (docs/CALIBRATION.md).
//
// A target's per-replicate value is a variable aggregated over one calendar year and over
// every cell matching its selection by the variable's declared rule (engine/aggregate.hpp:
// flows summed, stocks at year end, shares as the ratio of the year's sums), or the ratio of
// two such aggregates. Its statistic is the mean or the median of that value over
// replicates; its 90% interval is the 5th-95th percentile range. The fit minimises the sum of
// squared band-normalised misses, each target's miss measured in units of the distance from
// its published value to the band edge on the side of the miss, so a statistic on a band edge
// contributes exactly 1.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <optional>

#include "engine/aggregate.hpp"
#include "model/trajectory.hpp"
#include "scenario/scenario.hpp"
#include "scenario/targets.hpp"

namespace chipsim {

class TargetStatistic {
 public:
  // Resolves every target against the scenario; throws ScenarioError naming each unknown
  // variable, dimension or label and each year outside the simulated horizon, at the
  // target file's line and column.
  [[nodiscard]] static std::vector<TargetStatistic> resolve(const std::vector<Target>& targets,
                                                            const Scenario& scenario);
  // This target's value in one replicate.
  [[nodiscard]] double of(const Trajectory& t) const;
  [[nodiscard]] const Target& target() const { return target_; }

 private:
  Target target_;
  std::optional<Aggregate> numerator_, denominator_;  // denominator_: a target's own ratio
};

struct TargetOutcome {
  double statistic = 0;  // mean or median over replicates, as the target asks
  double mean = 0, p05 = 0, p95 = 0;
  bool in_band = false;
  double miss = 0;  // band-normalised signed miss: 0 at the published value, +-1 at the edges
};

// Exact statistics of per-replicate values (percentiles by linear interpolation between
// order statistics, as numpy's default).
[[nodiscard]] TargetOutcome outcome_of(const Target& target, std::vector<double> values);

struct Evaluation {
  std::vector<TargetOutcome> outcomes;  // one per target, in order
  double loss = 0;                      // sum of squared misses
  [[nodiscard]] bool all_in_band() const;
};

// Runs replicates [0, replicates) with `seed` (common random numbers: the same draws for
// every scenario evaluated with the same seed) and scores the targets.
[[nodiscard]] Evaluation evaluate(const Scenario& scenario,
                                  const std::vector<TargetStatistic>& targets, int replicates,
                                  std::uint64_t seed, int threads);

// A free parameter: a dotted scenario key (as for --set) searched within [low, high], or
// several comma-separated keys tied to one value (e.g. the same preference for every buyer
// of a region).
struct FreeParameter {
  std::string key;  // as given, comma-separated when tied
  std::vector<std::string> keys;
  double low = 0, high = 0;
};
// Parses "KEY[,KEY...]=LOW:HIGH"; throws std::invalid_argument naming what is wrong.
[[nodiscard]] FreeParameter parse_free_parameter(const std::string& text);

struct CalibrationOptions {
  int replicates = 100;
  std::uint64_t seed = 0;
  int threads = 0;
  int max_evaluations = 300;
  int significant_digits = 4;  // fitted values are rounded to this before the final scoring
  // Called after every evaluation: count so far, loss of this one, best loss so far.
  std::function<void(int, double, double)> progress;
};

struct CalibrationResult {
  std::vector<double> values;  // fitted, rounded, one per free parameter
  std::vector<double> start;   // where the search started
  Evaluation evaluation;       // of the rounded values
  int evaluations = 0;
};

// Loads a scenario with overrides; the calibration needs a fresh Scenario per candidate.
using ScenarioLoader = std::function<Scenario(const std::vector<std::string>& overrides)>;

// Fits the free parameters by Nelder-Mead on the unit cube (each parameter scaled to its
// [low, high]) from `start`, with one restart from the best point. `base_overrides` are
// applied before the candidate's.
[[nodiscard]] CalibrationResult calibrate(const ScenarioLoader& load,
                                          const std::vector<std::string>& base_overrides,
                                          const std::vector<Target>& targets,
                                          const std::vector<FreeParameter>& free,
                                          const std::vector<double>& start,
                                          const CalibrationOptions& options);

// "key=value" override text for a free parameter's value (shortest round-trip decimal).
[[nodiscard]] std::string override_text(const std::string& key, double value);

// Nelder-Mead minimisation (Lagarias et al. 1998 coefficients: reflection 1, expansion 2,
// contraction 1/2, shrink 1/2) from `x0` with initial simplex steps `step`. Stops after
// `max_evaluations` or when the simplex's spread of values falls below `ftol` (absolute)
// and its diameter below `xtol`. Returns the best point; `best` receives its value.
[[nodiscard]] std::vector<double> nelder_mead(
    const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0, double step,
    int max_evaluations, double ftol, double xtol, double& best, int& evaluations);

}  // namespace chipsim
