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

void on_sale(const Structure& st, const State& x, int t, std::vector<char>& out) {
  for (int p = 0; p < st.P; ++p) {
    const Product& prod = st.s.products[p];
    out[p] = prod.launch <= t && (t < prod.retire || x.finished[p] > 0);
  }
}

void build_options(const Structure& st, const Params& par, State& x, double length) {
  PartSetup& u = x.part();
  const Scenario& s = st.s;
  // Budgets of this part of the period: training and inference, each split into the part a
  // domestic mandate binds (state-funded buyers only) and the free part.
  for (int b = 0; b < st.B; ++b) {
    const double total = x.annual_budget[b] * par.dt * length;
    const double m = s.buyers[b].state_funded ? u.mandate[st.buyer_region[b]] : 0;
    const double train = par.b_tshare[b];
    u.budget[b * kSegments + 0] = total * train * (1 - m);
    u.budget[b * kSegments + 1] = total * train * m;
    u.budget[b * kSegments + 2] = total * (1 - train) * (1 - m);
    u.budget[b * kSegments + 3] = total * (1 - train) * m;
  }

  // Which options are open, and the price paid through each.
  const bool leakage = s.mechanisms.leakage;
  for (int r = 0; r < st.R; ++r) {
    auto open = u.option_open.row(r);
    auto paid_r = u.pb.row(r);
    for (const Option& k : st.candidates[r]) {
      open[k.o] = 0;
      paid_r[k.o] = 0;
      if (!u.on_sale[k.p]) continue;
      const bool domestic = st.product_region[k.p] == r;
      const char status = u.status(k.p, r);
      // The importer's ban closes the legal channels, renting abroad included; smuggling
      // evades it as it evades the exporter's controls.
      const bool banned = u.banned(k.p, r);
      double paid = x.price[k.p];
      bool ok = false;
      switch (k.kind) {
        case ChannelKind::direct:
          ok = (domestic || status == PartSetup::kFree) && !banned;
          break;
        case ChannelKind::licensed:
          ok = !domestic && status == PartSetup::kLicensed && u.approval(k.p, r) > 0 && !banned;
          paid *= 1 + par.passthrough * u.fee(k.p, r);
          break;
        case ChannelKind::remote:
          ok = !domestic && !banned;
          paid *= x.c_mult[k.c];
          break;
        case ChannelKind::smuggling:
        case ChannelKind::proxy_fabrication:
          ok = leakage && !domestic && status != PartSetup::kFree;
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
      auto lc = u.log_cost.row(r * 2 + train);
      for (const Option& k : st.candidates[r]) {
        if (!u.option_open(r, k.o)) continue;
        const ProductSpecs& sp = s.products[k.p].specs;
        const bool domestic = st.product_region[k.p] == r;
        const double perf =
            economics::segment_tflops(train == 1, sp.tflops_bf16, sp.bandwidth_tbs, par.intensity);
        const double pf_years = economics::pflop_years(
            perf, economics::utilisation(par.u_floor, x.maturity[st.product_eco[k.p]]), par.life);
        const double energy =
            economics::energy_cost(sp.power_w, par.pue, par.hours, par.life, par.e_price[r],
                                   domestic ? u.energy_subsidy[r] : 0);
        lc[k.o] = std::log(economics::tco(u.pb(r, k.o), energy) / pf_years);
      }
    }

  // Utilities and logit weights of every sub-buyer, fixed for this part of the period;
  // rationing rounds only close options.
  const bool subst = s.mechanisms.substitution;
  double* const util = x.utility.data();
  for (int sb = 0; sb < st.SB; ++sb) {
    const int b = sb / kSegments, seg = sb % kSegments;
    const int r = st.buyer_region[b];
    const int train = is_training(seg) ? 1 : 0;
    const double alpha = subst ? par.b_alpha[b] : 0;
    const double gamma = subst ? par.b_gamma[b] * (train ? par.train_factor : 1) : 0;
    const auto& cand = st.options_of(b);
    const int n = static_cast<int>(cand.size());
    auto& open0 = u.open0[sb];
    open0.clear();
    u.weight_sum0[sb] = 0;
    if (u.budget[sb] <= 0) continue;  // e.g. the mandated part of a buyer no mandate binds
    const auto lc = u.log_cost.row(r * 2 + train);
    const auto open = u.option_open.row(r);
    double umax = -kInf;
    for (int i = 0; i < n; ++i) {
      const Option& k = cand[i];
      const bool domestic = st.product_region[k.p] == r;
      if (!open[k.o] || (is_mandated(seg) && !domestic)) continue;
      open0.push_back(i);
      // Buyers stock up ahead of an announced restriction on the channels it will close.
      const bool stock_up = u.pending_restrict(k.p, r) &&
                            (k.kind == ChannelKind::direct || k.kind == ChannelKind::licensed);
      util[i] = -alpha * lc[k.o] - gamma * (1 - x.maturity[st.product_eco[k.p]]) +
                (domestic ? par.b_delta[b] : 0) - u.penalty(k.p, r) +
                (stock_up ? std::log1p(par.boost) : 0);
      umax = std::max(umax, util[i]);
    }
    const auto w = u.weight.row(sb);
    const auto wpp = u.weight_per_price.row(sb);
    const auto paid = u.pb.row(r);
    double z = 0;
    for (int i : open0) {
      w[i] = std::exp((util[i] - umax) / par.logit);
      wpp[i] = w[i] / paid[cand[i].o];
      z += w[i];
    }
    u.weight_sum0[sb] = z;
  }
}

}  // namespace chipsim::model
