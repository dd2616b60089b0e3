// 3. Production (docs/MODEL.md, section 3).
//
// Vendors plan on what the market could take from them this period at this period's prices:
// the market cleared with every product in production unlimited, so re-offered orders count
// and orders that no open channel can carry do not. They then make what their allocations of
// dies, HBM, packaging and components allow jointly: inputs are requested for the targets,
// the feasible output found, and inputs requested again for that output only, so no wafer is
// started for dies that HBM or packaging cannot follow.
#include <algorithm>

#include "model/stages.hpp"

namespace chipsim::model {

namespace {
// Sets every input request for making `units` of each product, reserving the vendor's own
// HBM stock first, and solves the three allocations.
void request_and_solve(const Structure& st, const Params& par, State& x,
                       const std::vector<double>& units) {
  const Scenario& s = st.s;
  x.reserved.fill(0.0);
  x.res_pg.fill(0.0);
  for (int p : st.order) {
    const Product& prod = s.products[p];
    const int v = prod.vendor;
    const double goal = units[p];
    if (prod.inputs.node != kNone) {
      const double gd = par.p_dpw[p] * x.node_yield[prod.inputs.node];
      const double need = std::max(0.0, goal * prod.specs.dies_per_package - x.die_bank[p]);
      x.wafers->set_request(p, gd > 0 ? need / gd : 0);
    }
    const double need_h = goal * prod.inputs.hbm_stacks;
    double have = 0;
    for (int g : st.product_gens[p]) {
      const double take = std::min(x.hbm_stock(v, g) - x.reserved(v, g), need_h - have);
      if (take <= 0) continue;
      x.reserved(v, g) += take;
      x.res_pg(p, g) = take;
      have += take;
    }
    x.memory->set_request(p, need_h - have);
    // Ahead of an announced HBM cut-off the vendor also buys stock for later periods.
    double stockpile = 0;
    if (x.pending_memory_cut[v] && prod.inputs.hbm_stacks > 0) {
      double stock = 0;
      for (int g : st.product_gens[p])
        stock += x.hbm_stock(v, g) - x.reserved(v, g);
      stockpile =
          std::max(0.0, par.stockpile_periods * x.expected[p] * prod.inputs.hbm_stacks - stock);
    }
    x.memory->set_request(st.P + p, stockpile);
    if (!prod.inputs.packagers.empty())
      x.packaging->set_request(p, par.p_per_wafer[p] > 0 ? goal / par.p_per_wafer[p] : 0);
  }
  const bool shared = s.mechanisms.shared_capacity;
  x.wafers->solve(shared);
  x.memory->solve(shared);
  x.packaging->solve(shared);
}

// Units of product p its current allocations allow (dies with the die bank, HBM with the
// reserved stock, packaging and components, jointly), and the input that limits them below
// the target (BindingInput::demand when none does).
std::pair<double, BindingInput> feasible(const Structure& st, const Params& par, const State& x,
                                         int p) {
  const Product& prod = st.s.products[p];
  double u_dies = kInf, u_mem = kInf, u_pack = kInf, u_comp = kInf;
  if (prod.inputs.node != kNone)
    u_dies =
        (x.die_bank[p] + x.wafers->received(p) * par.p_dpw[p] * x.node_yield[prod.inputs.node]) /
        prod.specs.dies_per_package;
  if (prod.inputs.hbm_stacks > 0) {
    double reserved = 0;
    for (int g : st.product_gens[p])
      reserved += x.res_pg(p, g);
    u_mem = (x.memory->received(p) + reserved) / prod.inputs.hbm_stacks;
  }
  if (!prod.inputs.packagers.empty()) u_pack = x.packaging->received(p) * par.p_per_wafer[p];
  for (const auto& comp : prod.inputs.components)
    u_comp = std::min(u_comp, std::max(0.0, x.comp_avail[comp.product]) / comp.count);
  double m = x.target[p];
  BindingInput bind = BindingInput::demand;
  const std::pair<double, BindingInput> caps[] = {{u_dies, BindingInput::dies},
                                                  {u_mem, BindingInput::memory},
                                                  {u_pack, BindingInput::packaging},
                                                  {u_comp, BindingInput::components}};
  for (const auto& [u, which] : caps)
    if (u < m * (1 - 1e-9)) m = u, bind = which;
  return {std::max(0.0, m), bind};
}

// The supplier behind a binding input (supplier_labels order: nodes, HBM suppliers,
// packagers, the vendor's HBM stock): for dies the product's node; for HBM and packaging the
// open supplier that gave the product most among those the last solve used up, or, for HBM
// with no such supplier, the vendor's stock; none for demand and components.
int binding_supplier_of(const Structure& st, const State& x, int p, BindingInput bind) {
  const Product& prod = st.s.products[p];
  auto exhausted_max = [&](const InputAllocator& a, int consumer) {
    int best = kNoSupplier;
    double most = 0;
    for (int l : a.links_of(consumer)) {
      const int sup = a.link(l).first;
      if (a.allocated(l) <= most) continue;
      if (a.supplied(sup) < a.supply(sup) * (1 - 1e-9)) continue;  // not used up
      best = sup, most = a.allocated(l);
    }
    return best;
  };
  switch (bind) {
    case BindingInput::dies:
      return prod.inputs.node;
    case BindingInput::memory: {
      const int m = exhausted_max(*x.memory, p);
      return m != kNoSupplier ? st.N + m : st.N + st.M + st.K;  // else: its HBM stock
    }
    case BindingInput::packaging: {
      const int k = exhausted_max(*x.packaging, p);
      return k != kNoSupplier ? st.N + st.M + k : kNoSupplier;
    }
    default:
      return kNoSupplier;
  }
}
}  // namespace

void add_planned(const Structure& st, State& x) {
  for (int p = 0; p < st.P; ++p)
    x.planned[p] += x.taken[p];
}

void set_targets(const Structure& st, const Params& par, State& x, int t) {
  for (int p = 0; p < st.P; ++p) {
    if (!st.in_production(p, t)) {
      x.target[p] = 0;
      continue;
    }
    // Adaptive expectations on the planned demand; the target covers expected demand and
    // half of last period's shortfall, less finished stock.
    x.expected[p] = x.has_expected[p]
                        ? par.w_expect * x.planned[p] + (1 - par.w_expect) * x.expected_last[p]
                        : x.planned[p];
    x.target[p] = std::max(0.0, x.expected[p] + x.backlog[p] - x.finished[p]);
  }
}

void allocate(const Structure& st, const Params& par, State& x, int t) {
  const Scenario& s = st.s;
  // Supplies and gates: capacity online, and links cut by entity listings and input controls.
  for (int n = 0; n < st.N; ++n)
    x.wafers->set_supply(n, t >= s.nodes[n].online ? x.node_cap[n] : 0);
  for (int m = 0; m < st.M; ++m)
    x.memory->set_supply(m, t >= s.memory[m].online ? x.mem_cap[m] : 0);
  for (int k = 0; k < st.K; ++k)
    x.packaging->set_supply(k, t >= s.packagers[k].online ? x.pack_cap[k] : 0);
  for (int l = 0; l < x.wafers->link_count(); ++l) {
    const auto [n, p] = x.wafers->link(l);
    const int v = s.products[p].vendor;
    x.wafers->set_open(
        l, !(x.cut_foundry[v] && s.foundries[s.nodes[n].foundry].region != s.vendors[v].region));
  }
  for (int l = 0; l < x.memory->link_count(); ++l) {
    const auto [m, consumer] = x.memory->link(l);
    const int p = consumer % st.P, v = s.products[p].vendor;
    const bool foreign = s.memory[m].region != s.vendors[v].region;
    const bool stockpile = consumer >= st.P;
    x.memory->set_open(l, !(x.cut_memory[v] && foreign) && (!stockpile || foreign));
  }
  for (int l = 0; l < x.packaging->link_count(); ++l) {
    const auto [k, p] = x.packaging->link(l);
    const int v = s.products[p].vendor;
    x.packaging->set_open(l, !(x.cut_packaging[v] && s.packagers[k].region != s.vendors[v].region));
  }

  // Joint feasibility, first pass: inputs for the targets, and what they allow together.
  request_and_solve(st, par, x, x.target);
  if (!s.mechanisms.bottlenecks) {
    x.goal = x.target;
    return;
  }
  for (int p = 0; p < st.P; ++p)
    x.comp_avail[p] = x.finished[p];
  for (int p : st.order) {
    const auto [units, bind] = feasible(st, par, x, p);
    x.goal[p] = std::min(x.target[p], units);
    x.binding[p] = x.target[p] > 0 ? bind : BindingInput::none;
    x.binding_supplier[p] = binding_supplier_of(st, x, p, x.binding[p]);
    x.comp_avail[p] = x.finished[p] + x.goal[p];
    for (const auto& comp : s.products[p].inputs.components)
      x.comp_avail[comp.product] -= x.goal[p] * comp.count;
  }
}

void settle(const Structure& st, const Params& par, State& x) {
  request_and_solve(st, par, x, x.goal);
}

bool short_of_target(const Structure& st, const State& x) {
  for (int p = 0; p < st.P; ++p)
    if (x.goal[p] < x.target[p] * (1 - 1e-9)) return true;
  return false;
}

void make(const Structure& st, const Params& par, State& x, int t) {
  const Scenario& s = st.s;
  const bool limits = s.mechanisms.bottlenecks;
  // Make, in production order.
  for (int p = 0; p < st.P; ++p)
    x.comp_avail[p] = x.finished[p];
  for (int p : st.order) {
    const Product& prod = s.products[p];
    const int v = prod.vendor;
    double m = x.target[p], dies = 0;
    if (limits)
      m = std::min(x.goal[p], feasible(st, par, x, p).first);
    else {
      x.binding[p] = m > 0 ? BindingInput::demand : BindingInput::none;
      x.binding_supplier[p] = kNoSupplier;
    }
    if (prod.inputs.node != kNone) {
      const double wafers_in = x.wafers->received(p);
      dies = x.die_bank[p] + wafers_in * par.p_dpw[p] * x.node_yield[prod.inputs.node];
      x.node_w[prod.inputs.node] += wafers_in;
    }
    x.made[p] = m;
    // Stocks: unused dies go to the bank; HBM is drawn from stock first, fresh HBM left over
    // is stocked; components are consumed.
    if (prod.inputs.node != kNone && limits)
      x.die_bank[p] = std::max(0.0, dies - m * prod.specs.dies_per_package);
    if (prod.inputs.hbm_stacks > 0 && limits) {
      double use = m * prod.inputs.hbm_stacks;
      for (int g : st.product_gens[p]) {
        const double take = std::min(use, x.res_pg(p, g));
        x.hbm_stock(v, g) -= take;
        use -= take;
      }
      // Fresh stacks: bought from suppliers of specific generations.
      for (int l : x.memory_links_of[p]) {
        const auto [sup, consumer] = x.memory->link(l);
        double got = x.memory->allocated(l);
        if (consumer == p) {
          const double take = std::min(use, got);
          use -= take;
          got -= take;
        }
        x.hbm_stock(v, st.memory_gen[sup]) += got;
      }
      for (int g = 0; g < st.G; ++g)
        x.hbm_stock(v, g) = std::max(0.0, x.hbm_stock(v, g));
    }
    for (const auto& comp : prod.inputs.components) {
      const double use = m * comp.count;
      x.comp_avail[comp.product] -= use;
      x.finished[comp.product] = std::max(0.0, x.finished[comp.product] - use);
    }
    x.finished[p] += m;
    x.comp_avail[p] = x.finished[p];
  }
  for (int p = 0; p < st.P; ++p)
    if (st.in_production(p, t)) {
      x.expected_last[p] = x.expected[p];
      x.has_expected[p] = 1;
    }
}

}  // namespace chipsim::model
