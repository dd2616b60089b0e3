// 4. Pricing (docs/MODEL.md, section 4): unit costs from inputs, then list prices. Both depend
// only on this period's yields and input prices and last period's scarcity, so they are set
// before production and vendors plan at them.
#include <algorithm>
#include <cmath>

#include "model/stages.hpp"

namespace chipsim::model {

void set_costs_and_prices(const Structure& st, const Params& par, State& x, int t) {
  const Scenario& s = st.s;
  for (int p : st.order) {
    const Product& prod = s.products[p];
    const int v = prod.vendor;
    double c = 0;
    if (prod.inputs.node != kNone) {
      const double gd = par.p_dpw[p] * x.node_yield[prod.inputs.node];
      if (gd > 0) c += par.n_wcost[prod.inputs.node] / gd * prod.specs.dies_per_package;
    }
    // HBM at the cheapest supplier the vendor may buy from this period; with none (cut off
    // or not yet online) at the replacement cost of stock.
    double hp = kInf;
    for (int l : x.memory_links_of[p]) {
      const auto [m, consumer] = x.memory->link(l);
      const bool foreign = s.memory[m].region != s.vendors[v].region;
      if (consumer == p && t >= s.memory[m].online && !(x.cut_memory[v] && foreign))
        hp = std::min(hp, par.m_price[m]);
    }
    c += prod.inputs.hbm_stacks * (std::isfinite(hp) ? hp : par.p_hbm_price[p]);
    if (!prod.inputs.packagers.empty() && par.p_per_wafer[p] > 0) {
      double kc = kInf;
      for (int k : prod.inputs.packagers)
        kc = std::min(kc, par.k_cost[k]);
      c += kc / par.p_per_wafer[p];
    }
    for (const auto& comp : prod.inputs.components)
      c += comp.count * x.cost[comp.product];
    x.cost[p] = c;
  }
  // List price: scarcity mark-up on the list, less the production subsidy on unit cost,
  // never below 5% of the list.
  for (int p = 0; p < st.P; ++p) {
    const double sub = s.mechanisms.importer_policy ? x.prod_subsidy[st.product_region[p]] : 0;
    const double list = par.p_list[p] * (1 + par.kappa * x.scarcity[p]);
    x.price[p] = std::max(list - sub * x.cost[p], 0.05 * par.p_list[p]);
  }
}

}  // namespace chipsim::model
