// Reading a scenario: TOML file -> `extends` chain -> `--set` overrides -> typed Scenario,
// validated (schema, references, dates, distributions, supply-graph structure).
// Every problem found is reported at once through ScenarioError (diagnostics.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace chipsim {

// Loads the scenario at `path`. `overrides` are "dotted.key=value" strings applied after the
// extends chain; value is TOML ("0.8", "\"text\"", "[1, 2]") or a bare word taken as a string.
// Throws ScenarioError on any invalid input; std::bad_alloc is the only other exception.
[[nodiscard]] Scenario load_scenario(const std::string& path,
                                     const std::vector<std::string>& overrides = {});

// Same, from text in memory; `source_name` is used in messages and relative `extends`
// paths are resolved against the current directory.
[[nodiscard]] Scenario load_scenario_text(std::string_view text, const std::string& source_name,
                                          const std::vector<std::string>& overrides = {});

// The number at dotted `key` (e.g. "buyer.X.capex") in a scenario's resolved text, or nullopt
// if there is no such key or it holds something else (a distribution table, a string).
[[nodiscard]] std::optional<double> scenario_number(const Scenario& scenario,
                                                    const std::string& key);

// Every dotted key that holds a number in the scenario's resolved text (distribution
// parameters included, e.g. "buyer.X.capex.high"), in file order: what `--set` can change.
[[nodiscard]] std::vector<std::string> scenario_numeric_keys(const Scenario& scenario);

}  // namespace chipsim
