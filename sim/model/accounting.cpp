// 8. Accounting (docs/MODEL.md, section 8): what was sold, paid and installed, stocks carried
// to the next period, and the recorded trajectory.
#include <algorithm>
#include <cmath>

#include "model/economics.hpp"
#include "model/stages.hpp"

namespace chipsim::model {

void begin_period(const Structure& st, const Params& par, State& x, int t, Trajectory& tr) {
  // The installed base retires exponentially over the service life.
  const double keep = std::max(0.0, 1 - par.dt / par.life);
  for (auto& v : x.installed.data())
    v *= keep;
  for (int r = 0; r < st.R; ++r) {
    tr.fees_collected.at(t, r) = 0;
    tr.subsidy_spend.at(t, r) = 0;
    tr.budget.at(t, r) = 0;
    tr.unspent_budget.at(t, r) = 0;
    x.region_units[r] = x.region_dom_units[r] = x.region_compute[r] = x.region_dom_compute[r] = 0;
  }
  for (int b = 0; b < st.B; ++b) {
    tr.buyer_spend.at(t, b) = 0;
    tr.unmet_budget.at(t, b) = 0;
  }
  std::fill(x.sold.begin(), x.sold.end(), 0.0);
  x.sold_to_now.fill(0.0);
  x.money.fill(0.0);
  std::fill(x.c_demand.begin(), x.c_demand.end(), 0.0);
  std::fill(x.c_offered.begin(), x.c_offered.end(), 0.0);
}

void book(const Structure& st, const Params& par, State& x, int t, Trajectory& tr) {
  PartSetup& u = x.part();
  const Scenario& s = st.s;
  for (int c = 0; c < st.C; ++c)
    x.c_offered[c] += u.c_offer[c];
  for (int sb = 0; sb < st.SB; ++sb) {
    if (u.budget[sb] <= 0) continue;  // e.g. the mandated part of a buyer no mandate binds
    const int b = sb / kSegments, r = st.buyer_region[b];
    const auto got = x.delivered.row(sb);
    const auto paid = u.pb.row(r);
    const auto& cand = st.options_of(b);
    double spend = 0;
    for (int i : u.open0[sb]) {  // nothing is delivered through an option closed from the start
      const Option& k = cand[i];
      const double d = got[i];
      if (d <= 0) continue;
      const double money = d * paid[k.o];
      spend += money;
      x.money(r, k.o) += money;
      x.sold[k.p] += d;
      x.finished[k.p] -= d;
      x.sold_to_now(k.p, r) += d;
      tr.units_sold.at(t, k.p, r, k.c) += d;
      const bool domestic = st.product_region[k.p] == r;
      if (k.kind == ChannelKind::direct || k.kind == ChannelKind::licensed) {
        // A licence fee is a share of the vendor's price, paid to the issuing government out
        // of what the buyer pays: the buyer's spend is the vendor's revenue plus the fee.
        double to_state = 0;
        if (k.licensed && u.fee_issuer(k.p, r) != kNone) {
          to_state = u.fee(k.p, r) * x.price[k.p] * d;
          tr.fees_collected.at(t, u.fee_issuer(k.p, r)) += to_state;
        }
        tr.revenue.at(t, s.products[k.p].vendor, r) += money - to_state;
      }
      if (!s.channels[k.c].legal()) tr.smuggled_units.at(t, k.p, r) += d;
      x.installed.row(b)[static_cast<std::size_t>(k.slot)] += d;
      const double pf = d * s.products[k.p].specs.tflops_bf16 / 1000 *
                        economics::utilisation(par.u_floor, x.maturity[st.product_eco[k.p]]) *
                        x.efficiency[b];
      x.region_units[r] += d;
      x.region_compute[r] += pf;
      if (domestic) {
        x.region_dom_units[r] += d;
        x.region_dom_compute[r] += pf;
      }
    }
    tr.buyer_spend.at(t, b) += spend;
    tr.unmet_budget.at(t, b) += x.remaining[sb];
    tr.budget.at(t, r) += u.budget[sb];
    tr.unspent_budget.at(t, r) += x.remaining[sb];
  }
  for (int p = 0; p < st.P; ++p)
    x.finished[p] = std::max(0.0, x.finished[p]);
}

void close_period(const Structure& st, const Params& par, State& x, int t, Trajectory& tr) {
  const PartSetup& u = x.part();  // the period's last part
  const Scenario& s = st.s;
  // The price paid per unit: what was paid over what was bought, or the last part's price
  // where nothing was bought.
  for (int p = 0; p < st.P; ++p)
    for (int r = 0; r < st.R; ++r)
      for (int c = 0; c < st.C; ++c) {
        const int o = p * st.C + c;
        const double units = tr.units_sold.at(t, p, r, c);
        tr.unit_price.at(t, p, r, c) = units > 0 ? x.money(r, o) / units : u.pb(r, o);
      }
  for (int r = 0; r < st.R; ++r)
    tr.unspent_share.at(t, r) =
        tr.budget.at(t, r) > 0 ? tr.unspent_budget.at(t, r) / tr.budget.at(t, r) : 0;

  // Backlog (half of the shortfall against planned demand) and scarcity for next period.
  for (int p = 0; p < st.P; ++p) {
    const double short_by = std::max(0.0, x.planned[p] - x.sold[p]);
    x.backlog[p] = st.in_production(p, t) ? 0.5 * short_by : 0;
    x.scarcity[p] = x.planned[p] > 0 ? std::clamp(short_by / x.planned[p], 0.0, 1.0) : 0;
  }
  reprice_channels(st, par, x);

  // Government spending: production subsidy on domestic output, energy subsidy on the
  // electricity of installed domestic chips (at the rate in force at the period's end).
  if (s.mechanisms.importer_policy) {
    for (int p = 0; p < st.P; ++p) {
      const int r = st.product_region[p];
      tr.subsidy_spend.at(t, r) += x.prod_subsidy[r] * x.cost[p] * x.made[p];
    }
    // (A buyer owns only products of its options: the others' cells would add zeros.)
    for (int b = 0; b < st.B; ++b) {
      const int r = st.buyer_region[b];
      if (u.energy_subsidy[r] <= 0) continue;
      const auto owned = x.installed.row(b);
      const auto& products = st.products_of(b);
      for (std::size_t i = 0; i < products.size(); ++i) {
        const int p = products[i];
        if (st.product_region[p] != r) continue;
        const double kwh =
            owned[i] * s.products[p].specs.power_w / 1000 * par.pue * par.hours * par.dt;
        tr.subsidy_spend.at(t, r) += kwh * par.e_price[r] * u.energy_subsidy[r];
      }
    }
  }

  // Buyers: installed and effective compute; efficiency grows faster when short.
  for (int b = 0; b < st.B; ++b) {
    const double total = tr.buyer_spend.at(t, b) + tr.unmet_budget.at(t, b);
    x.unmet_share[b] = total > 0 ? tr.unmet_budget.at(t, b) / total : 0;
    x.efficiency[b] *=
        std::pow(1 + par.b_effg[b] * (1 + par.eff_feedback * x.unmet_share[b]), par.dt);
    double raw = 0, eff = 0;
    const auto owned = x.installed.row(b);
    const auto& products = st.products_of(b);
    for (std::size_t i = 0; i < products.size(); ++i) {
      const int p = products[i];
      const double pf = owned[i] * s.products[p].specs.tflops_bf16 / 1000;
      raw += pf;
      eff += pf * economics::utilisation(par.u_floor, x.maturity[st.product_eco[p]]);
    }
    tr.buyer_installed_compute.at(t, b) = raw;
    tr.buyer_effective_compute.at(t, b) = eff * x.efficiency[b];
  }
  for (int r = 0; r < st.R; ++r) {
    double ec = 0, ic = 0, dom = 0, mkt = 0;
    for (int b = 0; b < st.B; ++b)
      if (st.buyer_region[b] == r) {
        ec += tr.buyer_effective_compute.at(t, b);
        ic += tr.buyer_installed_compute.at(t, b);
      }
    tr.installed_compute.at(t, r) = ic;
    tr.installed_equivalents.at(t, r) = st.reference_pflops > 0 ? ic / st.reference_pflops : 0;
    tr.market_units.at(t, r) = x.region_units[r];
    tr.domestic_units.at(t, r) = x.region_dom_units[r];
    tr.compute_added.at(t, r) = x.region_compute[r];
    tr.domestic_compute_added.at(t, r) = x.region_dom_compute[r];
    for (int v = 0; v < st.V; ++v) {
      mkt += tr.revenue.at(t, v, r);
      if (s.vendors[v].region == r) dom += tr.revenue.at(t, v, r);
    }
    tr.effective_compute.at(t, r) = ec;
    tr.market_revenue.at(t, r) = mkt;
    tr.domestic_revenue.at(t, r) = dom;
    tr.domestic_share_revenue.at(t, r) = mkt > 0 ? dom / mkt : 0;
    tr.domestic_share_units.at(t, r) =
        x.region_units[r] > 0 ? x.region_dom_units[r] / x.region_units[r] : 0;
    tr.domestic_share_compute.at(t, r) =
        x.region_compute[r] > 0 ? x.region_dom_compute[r] / x.region_compute[r] : 0;
  }

  // Ecosystems learn from their installed base.
  std::fill(x.eco_now.begin(), x.eco_now.end(), 0.0);
  for (int b = 0; b < st.B; ++b) {
    const auto owned = x.installed.row(b);
    const auto& products = st.products_of(b);
    for (std::size_t i = 0; i < products.size(); ++i)
      x.eco_now[st.product_eco[products[i]]] += owned[i];
  }
  for (int e = 0; e < st.E; ++e) {
    const double was = std::max(x.eco_ib[e], par.eco_base),
                 now = std::max(x.eco_now[e], par.eco_base);
    if (now > was)
      x.maturity[e] = std::min(1.0, x.maturity[e] + par.e_learn[e] * std::log2(now / was));
    x.eco_ib[e] = std::max(x.eco_ib[e], x.eco_now[e]);
    tr.ecosystem_maturity.at(t, e) = x.maturity[e];
  }

  for (int p = 0; p < st.P; ++p) {
    tr.production.at(t, p) = x.made[p];
    tr.binding_input.at(t, p) = static_cast<double>(x.binding[p]);
    tr.binding_supplier.at(t, p) = static_cast<double>(x.binding_supplier[p]);
    tr.price.at(t, p) = x.price[p];
    tr.unit_cost.at(t, p) = x.cost[p];
    tr.die_bank.at(t, p) = x.die_bank[p];
    tr.finished_stock.at(t, p) = x.finished[p];
  }
  for (int v = 0; v < st.V; ++v) {
    double h = 0;
    for (int g = 0; g < st.G; ++g)
      h += x.hbm_stock(v, g);
    tr.hbm_stock.at(t, v) = h;
  }
  std::swap(x.sold_to_prev, x.sold_to_now);
}

}  // namespace chipsim::model
