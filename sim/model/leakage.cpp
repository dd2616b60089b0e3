// 7. Leakage (docs/MODEL.md, section 7): smuggling, proxy fabrication and remote rental are
// channels with an upward-sloping supply curve in the price multiple m over list,
//   S = supply x dt x exp(-enforcement_elasticity x E) x (m / markup)^supply_elasticity,
// whose price moves between periods towards the multiple at which the units asked meet S.
#include <algorithm>
#include <cmath>

#include "model/stages.hpp"

namespace chipsim::model {

void offer(const Structure& st, const Params& par, State& x, double length) {
  PartSetup& u = x.part();
  for (int c = 0; c < st.C; ++c) {
    double o = par.c_cap[c];  // a hard ceiling (units per period), +inf by default
    if (std::isfinite(par.c_supply[c]))
      o = std::min(o, par.c_supply[c] * par.dt * std::exp(-par.c_elast[c] * u.c_enforcement[c]) *
                          std::pow(x.c_mult[c] / par.c_markup[c], par.c_supply_el[c]));
    u.c_offer[c] = o * length;
  }
}

void reprice_channels(const Structure& st, const Params& par, State& x) {
  // The multiple moves by the ratio of the units asked at this period's price to the units
  // offered, damped by the supply elasticity (a Newton step when demand has unit
  // elasticity), by at most a factor 2 either way, and never below list.
  for (int c = 0; c < st.C; ++c) {
    if (!std::isfinite(par.c_supply[c]) || x.c_offered[c] <= 0) continue;
    const double ratio = std::max(x.c_demand[c], 1e-9 * x.c_offered[c]) / x.c_offered[c];
    const double step = std::clamp(std::pow(ratio, 1 / (1 + par.c_supply_el[c])), 0.5, 2.0);
    x.c_mult[c] = std::clamp(x.c_mult[c] * step, 1.0, kMaxMultiple);
  }
}

}  // namespace chipsim::model
