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

// One side of a target: a variable at a selection (dimension or coordinate -> label).
struct TargetSide {
  std::string variable;
  std::vector<std::pair<std::string, std::string>> select;
  SourceLoc variable_loc;
  std::vector<SourceLoc> select_locs;  // one per select entry
  std::string key;                     // "target[i]" or "target[i].numerator", for messages
};

// The time window of a target: one calendar year (`year = 2025`), an inclusive range of
// years (`years = [2025, 2030]`) or an inclusive range of periods (`periods = ["2025Q3",
// "2025Q4"]`).
struct TargetWindow {
  enum Kind { year, years, periods } kind = year;
  int first_year = 0, last_year = 0;      // year, years
  std::string first_period, last_period;  // periods: labels or dates
  SourceLoc loc;
  [[nodiscard]] const char* key() const {
    return kind == year ? "year" : kind == years ? "years" : "periods";
  }
  // "2025", "2025-2030", "2025Q3-2025Q4"
  [[nodiscard]] std::string text() const;
};

struct Target {
  std::string name;
  std::string description;
  std::string source;
  // Either `variable` or a ratio: `numerator` and `denominator` sharing `select`, or each
  // with its own select ([target.numerator] / [target.denominator] tables). Each side is
  // aggregated over the window by its variable's declared rule (engine/aggregate.hpp).
  std::string variable, numerator, denominator;
  std::vector<std::pair<std::string, std::string>> select;  // dimension -> label
  TargetWindow window;
  int year = 0;               // window.first_year, for a one-year window
  std::string stat = "mean";  // over replicates: "mean" or "median"
  double value = 0, low = 0, high = 0;

  SourceLoc loc;  // the [[target]] table
  SourceLoc variable_loc, numerator_loc, denominator_loc, year_loc;
  std::vector<SourceLoc> select_locs;  // one per select entry
  std::string key;                     // "target[i]" (or "target.NAME") for messages
  // Ratio sides with their own selections (empty select: the target's).
  TargetSide numerator_side, denominator_side;

  // The sides as resolved: `variable` (or the numerator) and, for a ratio, the denominator.
  [[nodiscard]] TargetSide first_side() const;
  [[nodiscard]] TargetSide second_side() const;
  [[nodiscard]] bool ratio() const { return variable.empty(); }
};

// Reads a targets file; throws ScenarioError listing every problem (file:line:col, key,
// what was expected).
[[nodiscard]] std::vector<Target> load_targets(const std::string& path);
[[nodiscard]] std::vector<Target> load_targets_text(const std::string& text,
                                                    const std::string& source_name);

}  // namespace chipsim
