// A two-region world for mechanism tests, small enough to work outcomes out by hand.
// Region H exports; region D imports and has its own vendor. All behavioural constants are
// chosen to make the arithmetic simple: one product per vendor, no price dynamics, no
// learning curve, expectation = this period's notional demand, utilisation 1.
//
//   X: vendor VH (region H), 1000 TFLOPS, 1000 W, list price 10,000 USD; dies from F.N
//      (100 candidate dies/wafer at yield 0.5 = 50 good dies/wafer), 5 HBM stacks of
//      generation G, 10 packages per interposer wafer.
//   Y: vendor VD (region D), same specs and price, dies from FD.N, 1 stack of G.
//   Buyer BD (region D): capex 4e9 USD/year x accelerator share 1 = 1e9 USD per quarter.
#pragma once

#include <string>
#include <vector>

#include "model/model.hpp"
#include "scenario/loader.hpp"

namespace chipsim::test {

inline const char* kWorld = R"(name = "world"

[simulation]
start = "2024Q1"
end = "2024Q4"
period = "quarter"
replicates = 1
seed = 1

[market]
pue = 1.0
utilisation_hours = 8000
service_life = 4
price_adjustment = 0
expectation_weight = 1
logit_noise = 1
fee_passthrough = 1
inference_intensity = 1000
training_ecosystem_factor = 1
utilisation_floor = 1
stockpile_boost = 0
stockpile_periods = 0
efficiency_feedback = 0
ecosystem_base_units = 1

[region.H]
electricity_price = 0.1

[region.D]
electricity_price = 0.1

[ecosystem.E]
maturity = 1.0

[foundry.F]
region = "H"

[foundry.F.node.N]
capacity = 1.0e6
wafer_cost = 10000
yield = 0.5
yield_ceiling = 0.5

[foundry.FD]
region = "D"

[foundry.FD.node.N]
capacity = 1.0e6
wafer_cost = 10000
yield = 0.5
yield_ceiling = 0.5

[memory.M]
region = "H"
generation = "G"
capacity = 1.0e8
price = 100

[memory.MD]
region = "D"
generation = "G"
capacity = 0
price = 100

[packager.K]
region = "H"
capacity = 1.0e7

[vendor.VH]
region = "H"
ecosystem = "E"

[vendor.VD]
region = "D"
ecosystem = "E"

[product.X]
vendor = "VH"
launch = "2024Q1"
tflops_bf16 = 1000
memory_gb = 80
bandwidth_tbs = 3
power_w = 1000
die_area_mm2 = 800
price = 10000
inputs = { node = "F.N", dies_per_wafer = 100, hbm = { generations = ["G"], stacks = 5 }, packaging = { packagers = ["K"], per_wafer = 10 } }

[product.Y]
vendor = "VD"
launch = "2024Q1"
tflops_bf16 = 1000
memory_gb = 80
bandwidth_tbs = 3
power_w = 1000
die_area_mm2 = 800
price = 10000
inputs = { node = "FD.N", dies_per_wafer = 100, hbm = { generations = ["G"], stacks = 1 } }

[buyer.BD]
region = "D"
capex = 4.0e9
accelerator_share = 1.0

[channel.direct]
kind = "direct"

[policy.ph]
region = "H"

[policy.pd]
region = "D"
)";

inline Scenario world(const std::vector<std::string>& overrides = {},
                      const std::string& extra = "") {
  return load_scenario_text(std::string(kWorld) + extra, "world.toml", overrides);
}

inline Trajectory run_world(const Scenario& s) {
  return run_replicate(s, 0, 0, 1, RunOptions{.noise = false});
}

// Index of a named entity in a scenario list.
template <class T>
int index_of(const std::vector<T>& list, const std::string& name) {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i].name == name) return static_cast<int>(i);
  ADD_FAILURE() << "no entity named " << name;
  return 0;
}

// Sum of units_sold of product p to region r over all channels in period t.
inline double units_to(const Trajectory& tr, int t, int p, int r) {
  double u = 0;
  for (int c = 0; c < tr.channels; ++c)
    u += tr.units_sold.at(t, p, r, c);
  return u;
}

}  // namespace chipsim::test
