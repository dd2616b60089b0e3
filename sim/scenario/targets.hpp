// Calibration targets: published yearly statistics a scenario should reproduce, in the format
// of calibration/targets.toml (docs/CALIBRATION.md). Reading checks the file's own shape;
// whether a variable, label or year exists in a given scenario is checked when the targets
// are resolved against it (engine/calibration.hpp), with the same located messages.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scenario/diagnostics.hpp"

namespace chipsim {

struct Target {
  std::string name;
  std::string description;
  std::string source;
  // Either `variable` (a yearly sum) or `numerator` / `denominator` (ratio of yearly sums).
  std::string variable, numerator, denominator;
  std::vector<std::pair<std::string, std::string>> select;  // dimension -> label
  int year = 0;
  std::string stat = "mean";  // over replicates: "mean" or "median"
  double value = 0, low = 0, high = 0;

  SourceLoc loc;  // the [[target]] table
  SourceLoc variable_loc, numerator_loc, denominator_loc, year_loc;
  std::vector<SourceLoc> select_locs;  // one per select entry
  std::string key;                     // "target[i]" (or "target.NAME") for messages
};

// Reads a targets file; throws ScenarioError listing every problem (file:line:col, key,
// what was expected).
[[nodiscard]] std::vector<Target> load_targets(const std::string& path);
[[nodiscard]] std::vector<Target> load_targets_text(const std::string& text,
                                                    const std::string& source_name);

}  // namespace chipsim
