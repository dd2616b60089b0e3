// 2. Capacity and learning (docs/MODEL.md, section 2).
#include <algorithm>
#include <cmath>

#include "model/stages.hpp"

namespace chipsim::model {

void grow_capacity(const Structure& st, const Params& par, State& x, int t) {
  const Scenario& s = st.s;
  const bool learning = s.mechanisms.learning;
  // Capacity is at its stated level in the period it comes online and grows from then on;
  // an equipment control removes its share of the equipment-dependent part of node growth.
  if (t > 0 && learning) {
    for (int n = 0; n < st.N; ++n) {
      if (t <= s.nodes[n].online) continue;
      const int f = s.nodes[n].foundry;
      double g = par.n_growth[n];
      if (g > 0) g *= 1 - par.f_dep[f] * x.equipment_cut[f];
      x.node_cap[n] *= std::pow(1 + g, par.dt);
    }
    for (int m = 0; m < st.M; ++m)
      if (t > s.memory[m].online) x.mem_cap[m] *= std::pow(1 + par.m_growth[m], par.dt);
    for (int k = 0; k < st.K; ++k)
      if (t > s.packagers[k].online) x.pack_cap[k] *= std::pow(1 + par.k_growth[k], par.dt);
  }
  // Yield learns along the experience curve of cumulative wafers.
  for (int n = 0; n < st.N; ++n)
    x.node_yield[n] =
        learning ? par.n_yceil[n] -
                       (par.n_yceil[n] - par.n_y0[n]) *
                           std::pow(std::max(x.node_w[n], par.n_w0[n]) / par.n_w0[n], -par.n_b[n])
                 : par.n_y0[n];
}

}  // namespace chipsim::model
