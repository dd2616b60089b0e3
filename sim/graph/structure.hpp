// Structural checks on a converted scenario that need the supply graph: component cycles,
// buyers no product can reach, HBM generations nobody supplies, die banks for products that
// use no dies. Part of validation: load_scenario() runs them.
#pragma once

#include "scenario/diagnostics.hpp"
#include "scenario/scenario.hpp"

namespace chipsim {

void check_structure(const Scenario& scenario, Diagnostics& diags);

}  // namespace chipsim
