// A replicate: the stages of each period in order (docs/MODEL.md, section 0). Each stage
// lives in the file named after its section: policy, capacity, production, pricing,
// demand, rationing, leakage, accounting; state.hpp holds what they share.
#include "model/model.hpp"

#include <algorithm>
#include <cmath>

#include "model/stages.hpp"

namespace chipsim {

struct Model::Impl {
  model::Structure st;
  model::Params par;
  model::State x;
  std::vector<model::Part> span;

  explicit Impl(const Scenario& s) : st(s), x(st) {}

  // The market cleared for planning (section 3), part by part, into x.planned.
  void plan(int t) {
    std::fill(x.planned.begin(), x.planned.end(), 0.0);
    for (std::size_t j = 0; j < span.size(); ++j) {
      use_part(j, span[j], t);
      model::clear(st, x, /*plan=*/true, span[j].length());  // 6
      model::add_planned(st, x);
    }
  }

  // Makes part j of period t the one the stages read (x.part()), setting it up: the rules in
  // force in it, what each channel offers in it, and the options, prices and weights of its
  // buyers. A part set up by an earlier clearing of the period is kept while the products on
  // sale are the same: everything else it depends on is fixed before the first plan
  // (PartSetup, in state.hpp). Exact: the same stages on the same inputs.
  void use_part(std::size_t j, const model::Part& part, int t) {
    if (j == x.setups.size()) x.setups.emplace_back(st);  // the first period with j + 1 parts
    x.current = static_cast<int>(j);
    model::on_sale(st, x, t, x.on_sale);
    model::PartSetup& u = x.part();
    if (u.t == t && u.from == part.from && u.to == part.to && u.on_sale == x.on_sale) return;
    u.t = t;
    u.from = part.from;
    u.to = part.to;
    std::ranges::copy(x.on_sale, u.on_sale.begin());
    model::apply_rules(st, par, x, part.from);        // 1
    model::offer(st, par, x, part.length());          // 7
    model::build_options(st, par, x, part.length());  // 5
  }

  bool run(Trajectory& tr, int point, int replicate, std::uint64_t seed, const RunOptions& opt) {
    using namespace model;
    if (tr.periods != st.T || tr.products != st.P || tr.vendors != st.V || tr.regions != st.R ||
        tr.channels != st.C || tr.buyers != st.B || tr.ecosystems != st.E ||
        tr.events != st.n_events)
      tr.reset(st.T, st.P, st.V, st.R, st.C, st.B, st.E, st.n_events);
    else
      // Every series is overwritten each period except these, which accumulate.
      for (Series* acc : {&tr.units_sold, &tr.revenue, &tr.smuggled_units})
        acc->fill(0.0);
    tr.point = point;
    tr.replicate = replicate;
    tr.seed = seed;
    reset(st, par, x, seed, replicate, opt);
    for (int t = 0; t < st.T; ++t) {
      if (opt.stop_requested && opt.stop_requested()) return false;
      update_rules(st, par, x, t, tr, opt.noise);  // 1
      grow_capacity(st, par, x, t);                // 2
      draw_budgets(st, par, x, t);                 // 5 (the period's budgets)
      set_costs_and_prices(st, par, x, t);         // 4 (before production: vendors plan at them)
      // 3: vendors plan on the market cleared with their products unlimited, part by part.
      // Where some product's inputs fall short of its target, they plan again with that
      // product capped at what it can make, so the orders it cannot fill are re-offered to
      // the others in the plan too.
      parts(x, span);
      for (int p = 0; p < st.P; ++p)
        x.plan_cap[p] = st.in_production(p, t) ? kInf : x.finished[p];
      plan(t);
      set_targets(st, par, x, t);
      allocate(st, par, x, t);
      if (st.s.mechanisms.rationing && short_of_target(st, x)) {
        // A capped product keeps the input that bound it in the first allocation.
        x.binding_first = x.binding;
        x.supplier_first = x.binding_supplier;
        for (int p = 0; p < st.P; ++p)
          if (x.goal[p] < x.target[p] * (1 - 1e-9)) x.plan_cap[p] = x.finished[p] + x.goal[p];
        plan(t);
        set_targets(st, par, x, t);
        allocate(st, par, x, t);
        for (int p = 0; p < st.P; ++p)
          if (std::isfinite(x.plan_cap[p]) && st.in_production(p, t))
            x.binding[p] = x.binding_first[p], x.binding_supplier[p] = x.supplier_first[p];
      }
      // No wafer is started, and no HBM or packaging bought, that the other inputs cannot
      // follow: where any product is short, inputs are requested for what it can make.
      if (short_of_target(st, x)) settle(st, par, x);
      make(st, par, x, t);
      begin_period(st, par, x, t, tr);  // 8
      for (std::size_t j = 0; j < span.size(); ++j) {
        use_part(j, span[j], t);
        clear(st, x, /*plan=*/false, span[j].length());  // 6
        book(st, par, x, t, tr);                         // 8
      }
      close_period(st, par, x, t, tr);  // 8 (and 7: leakage prices for the next period)
    }
    // The structural-uncertainty record: when each stochastic event and trigger fired.
    int k = 0;
    for (std::size_t i = 0; i < st.rules.size(); ++i)
      if (!st.rules[i].scheduled)
        tr.event_period[static_cast<std::size_t>(k++)] = x.rules[i].fired_at;
    return true;
  }
};

Model::Model(const Scenario& scenario) : impl_(std::make_unique<Impl>(scenario)) {}
Model::~Model() = default;

bool Model::run(Trajectory& out, int point, int replicate, std::uint64_t seed,
                const RunOptions& options) {
  return impl_->run(out, point, replicate, seed, options);
}

Trajectory run_replicate(const Scenario& scenario, int point, int replicate, std::uint64_t seed,
                         const RunOptions& options) {
  Model model(scenario);
  Trajectory t;
  model.run(t, point, replicate, seed, options);
  return t;
}

}  // namespace chipsim
