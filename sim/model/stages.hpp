// The stages of a period, one file each, named and numbered after docs/MODEL.md. Each reads
// the Structure and the replicate's Params and updates the State (model/state.hpp).
// Internal to sim/model.
#pragma once

#include <cstdint>
#include <vector>

#include "model/model.hpp"
#include "model/state.hpp"

namespace chipsim::model {

// The parts a period is divided into by rules that come into force part-way through it:
// [from, to) pairs covering [0, 1), in each of which the same rules are in force.
struct Part {
  double from = 0, to = 1;
  [[nodiscard]] double length() const { return to - from; }
};
void parts(const State& x, std::vector<Part>& out);

// 0. A replicate (setup.cpp): draws the replicate's parameters and resets every state.
void reset(const Structure& st, Params& par, State& x, std::uint64_t seed, int replicate,
           const RunOptions& options);

// 1. Policy (policy.cpp).
//    update_rules: events fire, rules come into force, and what holds for the whole period
//    (input cut-offs, equipment controls, production subsidies) is set; x.cuts_at lists the
//    times within the period at which a rule comes into force.
void update_rules(const Structure& st, const Params& par, State& x, int t, const Trajectory& tr,
                  bool noise);
//    apply_rules: the trade rules (export status, import bans and penalties, mandates, energy
//    subsidies) in force at time tau of the period (0 = its first day, 1 = its end), into
//    x.part().
void apply_rules(const Structure& st, const Params& par, State& x, double tau);

// 2. Capacity and learning (capacity.cpp).
void grow_capacity(const Structure& st, const Params& par, State& x, int t);

// 3. Production (production.cpp).
//    add_planned: adds the units of each product the market just cleared with `plan` took
//    (x.taken) to x.planned, the demand vendors plan on.
//    set_targets: expectations and production targets from x.planned.
//    allocate: inputs for the targets, and what they allow jointly (x.goal).
//    short_of_target: some product's inputs allow less than its target.
//    settle: inputs requested again for x.goal only (joint feasibility's second pass).
//    make: the period's output, and the stocks of dies, HBM and components it uses.
void add_planned(const Structure& st, State& x);
void set_targets(const Structure& st, const Params& par, State& x, int t);
void allocate(const Structure& st, const Params& par, State& x, int t);
bool short_of_target(const Structure& st, const State& x);
void settle(const Structure& st, const Params& par, State& x);
void make(const Structure& st, const Params& par, State& x, int t);

// 4. Pricing (pricing.cpp): unit costs from inputs, then list prices.
void set_costs_and_prices(const Structure& st, const Params& par, State& x, int t);

// 5. Demand and choice (demand.cpp).
//    draw_budgets: each buyer's accelerator budget for the period (capex path and shock).
void draw_budgets(const Structure& st, const Params& par, State& x, int t);
//    on_sale: which products are on sale in period t (launched, and not retired or still in
//    stock), into out[product].
void on_sale(const Structure& st, const State& x, int t, std::vector<char>& out);
//    build_options: the sub-buyers' budgets for a part of the period of the given length, the
//    options open to them, the prices they pay and their logit weights, into x.part() (whose
//    on_sale says which products are on sale).
void build_options(const Structure& st, const Params& par, State& x, double length);

// 6. Rationing (rationing.cpp): clears the market for the part of the period set up by
//    build_options. With `plan` each product is limited by x.plan_cap instead of its stock
//    and nothing is recorded: the demand vendors plan on (section 3).
void clear(const Structure& st, State& x, bool plan, double length);

// 7. Leakage (leakage.cpp): what each channel can carry in a part of the period (into
//    x.part()), and the leakage channels' prices for the next period.
void offer(const Structure& st, const Params& par, State& x, double length);
void reprice_channels(const Structure& st, const Params& par, State& x);

// 8. Accounting (accounting.cpp).
void begin_period(const Structure& st, const Params& par, State& x, int t, Trajectory& tr);
void book(const Structure& st, const Params& par, State& x, int t, Trajectory& tr);
void close_period(const Structure& st, const Params& par, State& x, int t, Trajectory& tr);

}  // namespace chipsim::model
