// 5. Demand and choice (docs/MODEL.md, section 5): budgets, the options open to each
// sub-buyer, what they pay, and the logit weights that spread budgets over options.
#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "model/economics.hpp"
#include "model/stages.hpp"

namespace chipsim::model {

void draw_budgets(const Structure& st, const Params& par, State& x, int t) {
  for (int b = 0; b < st.B; ++b) {
    if (par.b_noise[b] > 0) {
      const double z = boost::random::normal_distribution<double>(0, 1)(x.buyer_engines[b]);
      x.shock[b] = par.b_rho[b] * x.shock[b] + par.b_noise[b] * z;
    }
    // capex_growth up to growth_until, later_growth after it.
    const int t1 = std::clamp(st.s.buyers[b].growth_until, 0, t);
    const double annual = par.b_capex[b] * std::pow(1 + par.b_growth[b], t1 * par.dt) *
                          std::pow(1 + par.b_growth2[b], (t - t1) * par.dt) * std::exp(x.shock[b]);
    x.annual_budget[b] = annual * par.b_ashare[b];
  }
}

void build_options(const Structure& st, const Params& par, State& x, int t, double length) {
  const Scenario& s = st.s;
  // Budgets of this part of the period: training and inference, each split into the part a
  // domestic mandate binds (state-funded buyers only) and the free part.
  for (int b = 0; b < st.B; ++b) {
    const double total = x.annual_budget[b] * par.dt * length;
    const double m = s.buyers[b].state_funded ? x.mandate[st.buyer_region[b]] : 0;
    const double train = par.b_tshare[b];
    x.budget[b * kSegments + 0] = total * train * (1 - m);
    x.budget[b * kSegments + 1] = total * train * m;
    x.budget[b * kSegments + 2] = total * (1 - train) * (1 - m);
    x.budget[b * kSegments + 3] = total * (1 - train) * m;
  }

  // Which options are open, and the price paid through each.
  const bool leakage = s.mechanisms.leakage;
  for (int r = 0; r < st.R; ++r) {
    auto open = x.option_open.row(r);
    auto paid_r = x.pb.row(r);
    for (const Option& k : st.candidates[r]) {
      open[k.o] = 0;
      paid_r[k.o] = 0;
      const Product& prod = s.products[k.p];
      if (!(prod.launch <= t && (t < prod.retire || x.finished[k.p] > 0))) continue;  // on sale
      const bool domestic = st.product_region[k.p] == r;
      const char status = x.status(k.p, r);
      // The importer's ban closes the legal channels, renting abroad included; smuggling
      // evades it as it evades the exporter's controls.
      const bool banned = x.banned(k.p, r);
      double paid = x.price[k.p];
      bool ok = false;
      switch (k.kind) {
        case ChannelKind::direct:
          ok = (domestic || status == State::kFree) && !banned;
          break;
        case ChannelKind::licensed:
          ok = !domestic && status == State::kLicensed && x.approval(k.p, r) > 0 && !banned;
          paid *= 1 + par.passthrough * x.fee(k.p, r);
          break;
        case ChannelKind::remote:
          ok = !domestic && !banned;
          paid *= x.c_mult[k.c];
          break;
        case ChannelKind::smuggling:
        case ChannelKind::proxy_fabrication:
          ok = leakage && !domestic && status != State::kFree;
          paid *= x.c_mult[k.c];
          break;
      }
      open[k.o] = ok;
      paid_r[k.o] = paid;
    }
  }

  // ln(TCO per effective PFLOP-year) depends on region, segment, product and channel only.
  for (int r = 0; r < st.R; ++r)
    for (int train = 0; train < 2; ++train) {
      auto lc = x.log_cost.row(r * 2 + train);
      for (const Option& k : st.candidates[r]) {
        if (!x.option_open(r, k.o)) continue;
        const ProductSpecs& sp = s.products[k.p].specs;
        const bool domestic = st.product_region[k.p] == r;
        const double perf =
            economics::segment_tflops(train == 1, sp.tflops_bf16, sp.bandwidth_tbs, par.intensity);
        const double pf_years = economics::pflop_years(
            perf, economics::utilisation(par.u_floor, x.maturity[st.product_eco[k.p]]), par.life);
        const double energy =
            economics::energy_cost(sp.power_w, par.pue, par.hours, par.life, par.e_price[r],
                                   domestic ? x.energy_subsidy[r] : 0);
        lc[k.o] = std::log(economics::tco(x.pb(r, k.o), energy) / pf_years);
      }
    }

  // Utilities and logit weights of every sub-buyer, fixed for this part of the period;
  // rationing rounds only close options.
  const bool subst = s.mechanisms.substitution;
  double* const u = x.utility.data();
  for (int sb = 0; sb < st.SB; ++sb) {
    const int b = sb / kSegments, seg = sb % kSegments;
    const int r = st.buyer_region[b];
    const int train = is_training(seg) ? 1 : 0;
    const double alpha = subst ? par.b_alpha[b] : 0;
    const double gamma = subst ? par.b_gamma[b] * (train ? par.train_factor : 1) : 0;
    const auto& cand = st.options_of(b);
    const int n = static_cast<int>(cand.size());
    auto& open0 = x.open0[sb];
    open0.clear();
    if (x.budget[sb] <= 0) continue;  // e.g. the mandated part of a buyer no mandate binds
    const auto lc = x.log_cost.row(r * 2 + train);
    const auto open = x.option_open.row(r);
    double umax = -kInf;
    for (int i = 0; i < n; ++i) {
      const Option& k = cand[i];
      const bool domestic = st.product_region[k.p] == r;
      if (!open[k.o] || (is_mandated(seg) && !domestic)) continue;
      open0.push_back(i);
      // Buyers stock up ahead of an announced restriction on the channels it will close.
      const bool stock_up = x.pending_restrict(k.p, r) &&
                            (k.kind == ChannelKind::direct || k.kind == ChannelKind::licensed);
      u[i] = -alpha * lc[k.o] - gamma * (1 - x.maturity[st.product_eco[k.p]]) +
             (domestic ? par.b_delta[b] : 0) - x.penalty(k.p, r) +
             (stock_up ? std::log1p(par.boost) : 0);
      umax = std::max(umax, u[i]);
    }
    const auto w = x.weight.row(sb);
    const auto wpp = x.weight_per_price.row(sb);
    const auto paid = x.pb.row(r);
    for (int i : open0) {
      w[i] = std::exp((u[i] - umax) / par.logit);
      wpp[i] = w[i] / paid[cand[i].o];
    }
  }
}

void spread(State& x, int sb, double funds) {
  const double* w = x.weight.row(sb).data();
  double z = 0;
  for (int i : x.open_list[sb])
    z += w[i];
  x.scale[sb] = funds / z;
}

}  // namespace chipsim::model
