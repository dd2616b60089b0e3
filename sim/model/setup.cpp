// 0. A replicate: its parameters are drawn and every state reset (docs/MODEL.md, sections 0
// and 9).
#include <algorithm>
#include <cmath>

#include "model/sampling.hpp"
#include "model/stages.hpp"

namespace chipsim::model {

namespace {
void draw_params(const Structure& st, Params& par, ParamSampler& d, bool noise) {
  const Scenario& s = st.s;
  auto sized = [](std::vector<double>& v, int n) { v.assign(static_cast<std::size_t>(n), 0.0); };
  par.dt = 1.0 / s.calendar.periods_per_year();
  sized(par.e_price, st.R);
  for (int r = 0; r < st.R; ++r)
    par.e_price[r] = d(s.regions[r].electricity_price, st.h_region[r], "electricity_price");
  sized(par.f_dep, st.F);
  for (int f = 0; f < st.F; ++f)
    par.f_dep[f] = d(s.foundries[f].equipment_dependence, st.h_foundry[f], "equipment_dependence");
  for (auto* v :
       {&par.n_cap0, &par.n_growth, &par.n_wcost, &par.n_y0, &par.n_yceil, &par.n_b, &par.n_w0})
    sized(*v, st.N);
  for (int n = 0; n < st.N; ++n) {
    const ProcessNode& x = s.nodes[n];
    const auto h = st.h_node[n];
    par.n_cap0[n] = d(x.capacity, h, "capacity");
    par.n_growth[n] = d(x.growth, h, "growth");
    par.n_wcost[n] = d(x.wafer_cost, h, "wafer_cost");
    par.n_yceil[n] = d(x.yield_ceiling, h, "yield_ceiling");
    par.n_y0[n] = std::min(d(x.yield_initial, h, "yield"), par.n_yceil[n]);
    par.n_b[n] = -std::log2(1 - std::min(d(x.learning_rate, h, "learning_rate"), 0.999));
    par.n_w0[n] = d(x.cumulative_wafers, h, "cumulative_wafers");
  }
  for (auto* v : {&par.m_cap0, &par.m_growth, &par.m_price})
    sized(*v, st.M);
  for (int m = 0; m < st.M; ++m) {
    par.m_cap0[m] = d(s.memory[m].capacity, st.h_memory[m], "capacity");
    par.m_growth[m] = d(s.memory[m].growth, st.h_memory[m], "growth");
    par.m_price[m] = d(s.memory[m].price, st.h_memory[m], "price");
  }
  for (auto* v : {&par.k_cap0, &par.k_growth, &par.k_cost})
    sized(*v, st.K);
  for (int k = 0; k < st.K; ++k) {
    par.k_cap0[k] = d(s.packagers[k].capacity, st.h_packager[k], "capacity");
    par.k_growth[k] = d(s.packagers[k].growth, st.h_packager[k], "growth");
    par.k_cost[k] = d(s.packagers[k].cost, st.h_packager[k], "cost");
  }
  for (auto* v : {&par.p_list, &par.p_dpw, &par.p_per_wafer, &par.p_hbm_price})
    sized(*v, st.P);
  for (int p = 0; p < st.P; ++p) {
    const Product& x = s.products[p];
    par.p_list[p] = d(x.price, st.h_product[p], "price");
    const double dpw = d(x.inputs.dies_per_wafer, st.h_product[p], "dies_per_wafer");
    par.p_dpw[p] = dpw > 0 ? dpw : st.gross_dpw[p];
    par.p_per_wafer[p] = x.inputs.packagers.empty() ? 0
                                                    : d(x.inputs.packages_per_wafer,
                                                        st.h_product[p], "packages_per_wafer");
    // The replacement cost of HBM stock: the cheapest supplier of an accepted generation.
    double hp = kInf;
    for (int m = 0; m < st.M; ++m)
      if (std::find(st.product_gens[p].begin(), st.product_gens[p].end(), st.memory_gen[m]) !=
          st.product_gens[p].end())
        hp = std::min(hp, par.m_price[m]);
    par.p_hbm_price[p] = std::isfinite(hp) ? hp : 0;
  }
  for (auto* v :
       {&par.b_capex, &par.b_growth, &par.b_growth2, &par.b_noise, &par.b_rho, &par.b_ashare,
        &par.b_tshare, &par.b_alpha, &par.b_gamma, &par.b_delta, &par.b_effg})
    sized(*v, st.B);
  for (int b = 0; b < st.B; ++b) {
    const Buyer& x = s.buyers[b];
    const auto h = st.h_buyer[b];
    par.b_capex[b] = d(x.capex, h, "capex");
    par.b_growth[b] = d(x.capex_growth, h, "capex_growth");
    par.b_growth2[b] = x.has_later_growth ? d(x.later_growth, h, "later_growth") : par.b_growth[b];
    par.b_noise[b] = noise ? d(x.capex_noise, h, "capex_noise") : 0;
    par.b_rho[b] = d(x.capex_persistence, h, "capex_persistence");
    par.b_ashare[b] = d(x.accelerator_share, h, "accelerator_share");
    par.b_tshare[b] = d(x.training_share, h, "training_share");
    par.b_alpha[b] = d(x.price_sensitivity, h, "price_sensitivity");
    par.b_gamma[b] = d(x.ecosystem_weight, h, "ecosystem_weight");
    par.b_delta[b] = d(x.domestic_preference, h, "domestic_preference");
    par.b_effg[b] = d(x.efficiency_growth, h, "efficiency_growth");
  }
  sized(par.pol_enforcement, static_cast<int>(s.policies.size()));
  for (std::size_t p = 0; p < s.policies.size(); ++p)
    par.pol_enforcement[p] = d(s.policies[p].enforcement, st.h_policy[p], "enforcement");
  for (auto* v : {&par.c_cap, &par.c_markup, &par.c_supply, &par.c_supply_el, &par.c_elast})
    sized(*v, st.C);
  for (int c = 0; c < st.C; ++c) {
    const Channel& x = s.channels[c];
    const auto h = st.h_channel[c];
    par.c_cap[c] = d(x.capacity, h, "capacity");
    par.c_markup[c] = d(x.markup, h, "markup");
    par.c_supply[c] = d(x.supply, h, "supply");
    par.c_supply_el[c] = d(x.supply_elasticity, h, "supply_elasticity");
    par.c_elast[c] = d(x.enforcement_elasticity, h, "enforcement_elasticity");
  }
  sized(par.e_m0, st.E);
  sized(par.e_learn, st.E);
  for (int e = 0; e < st.E; ++e) {
    par.e_m0[e] = d(s.ecosystems[e].maturity, st.h_eco[e], "maturity");
    par.e_learn[e] = d(s.ecosystems[e].learning, st.h_eco[e], "learning");
  }
  const Market& mk = s.market;
  const auto h = st.h_market;
  par.pue = d(mk.pue, h, "pue");
  par.hours = d(mk.utilisation_hours, h, "utilisation_hours");
  par.life = d(mk.service_life, h, "service_life");
  par.kappa = d(mk.price_adjustment, h, "price_adjustment");
  par.w_expect = d(mk.expectation_weight, h, "expectation_weight");
  par.logit = d(mk.logit_noise, h, "logit_noise");
  par.passthrough = d(mk.fee_passthrough, h, "fee_passthrough");
  par.intensity = d(mk.inference_intensity, h, "inference_intensity");
  par.train_factor = d(mk.training_ecosystem_factor, h, "training_ecosystem_factor");
  par.u_floor = d(mk.utilisation_floor, h, "utilisation_floor");
  par.boost = d(mk.stockpile_boost, h, "stockpile_boost");
  par.stockpile_periods = d(mk.stockpile_periods, h, "stockpile_periods");
  par.eff_feedback = d(mk.efficiency_feedback, h, "efficiency_feedback");
  par.eco_base = d(mk.ecosystem_base_units, h, "ecosystem_base_units");

  par.rules.resize(st.rules.size());
  for (std::size_t i = 0; i < st.rules.size(); ++i) {
    const RuleDef& x = st.rules[i];
    const RuleBody& b = *x.body;
    RuleDraw& r = par.rules[i];
    const bool licensed = b.status == ExportStatus::licensed;
    r.approval = b.type == RuleType::export_control && licensed
                     ? d(b.approval_probability, x.key, "approval_probability")
                     : 1;
    r.fee = licensed ? d(b.revenue_share, x.key, "revenue_share") : 0;
    r.cap = licensed ? d(b.volume_cap, x.key, "volume_cap") : kInf;
    r.penalty = b.type == RuleType::import_penalty ? d(b.penalty, x.key, "penalty") : 0;
    r.share = b.type == RuleType::domestic_mandate ? d(b.share, x.key, "share") : 0;
    r.rate = (b.type == RuleType::production_subsidy || b.type == RuleType::energy_subsidy ||
              (b.type == RuleType::input_control && b.input == InputKind::equipment))
                 ? d(b.rate, x.key, "rate")
                 : 0;
    r.hazard = x.event ? d(x.event->hazard, x.key, "hazard") : 0;
    r.threshold = x.trigger ? d(x.trigger->threshold, x.key, "threshold") : 0;
    r.level = b.type == RuleType::enforcement ? d(b.level, x.key, "level") : 0;
  }
  par.inventory.assign(s.inventories.size(), 0.0);
  for (std::size_t i = 0; i < s.inventories.size(); ++i)
    par.inventory[i] = d(s.inventories[i].quantity, st.h_inventory[i], "quantity");
}
}  // namespace

void reset(const Structure& st, Params& par, State& x, std::uint64_t seed, int replicate,
           const RunOptions& opt) {
  ParamSampler d(seed, static_cast<std::uint64_t>(replicate), opt.noise);
  draw_params(st, par, d, opt.noise);
  const auto rep = static_cast<std::uint64_t>(replicate);
  for (int b = 0; b < st.B; ++b)
    x.buyer_engines[b].seed(rng::stream_seed(seed, rep, st.h_buyer[b], rng::Purpose::capex_shock));
  for (std::size_t i = 0; i < st.rules.size(); ++i) {
    x.event_engines[i].seed(
        rng::stream_seed(seed, rep, st.rules[i].key, rng::Purpose::policy_event));
    RuleState& r = x.rules[i];
    r = RuleState{};
    r.announced = st.rules[i].announced;
    r.effective = st.rules[i].effective;
    r.expires = st.rules[i].expires;
  }
  for (int n = 0; n < st.N; ++n) {
    x.node_cap[n] = par.n_cap0[n];
    x.node_w[n] = par.n_w0[n];
    x.node_yield[n] = par.n_y0[n];
  }
  std::copy(par.m_cap0.begin(), par.m_cap0.end(), x.mem_cap.begin());
  std::copy(par.k_cap0.begin(), par.k_cap0.end(), x.pack_cap.begin());
  for (int c = 0; c < st.C; ++c)
    x.c_mult[c] = par.c_markup[c];
  for (int e = 0; e < st.E; ++e) {
    x.maturity[e] = par.e_m0[e];
    x.eco_ib[e] = 0;
  }

  std::fill(x.die_bank.begin(), x.die_bank.end(), 0.0);
  std::fill(x.finished.begin(), x.finished.end(), 0.0);
  x.hbm_stock.fill(0.0);
  for (std::size_t i = 0; i < st.s.inventories.size(); ++i) {
    const Inventory& inv = st.s.inventories[i];
    const double q = par.inventory[i];
    switch (inv.kind) {
      case InventoryKind::die_bank:
        x.die_bank[inv.product] += q;
        break;
      case InventoryKind::finished:
        x.finished[inv.product] += q;
        break;
      case InventoryKind::hbm: {
        const auto& gens = st.generations;
        const int g = static_cast<int>(std::lower_bound(gens.begin(), gens.end(), inv.generation) -
                                       gens.begin());
        x.hbm_stock(inv.vendor, g) += q;
        break;
      }
    }
  }
  for (int p = 0; p < st.P; ++p) {
    x.price[p] = par.p_list[p];
    x.expected[p] = x.expected_last[p] = x.backlog[p] = x.scarcity[p] = 0;
    x.has_expected[p] = 0;
  }
  x.sold_to_prev.fill(0.0);
  x.installed.fill(0.0);
  std::fill(x.shock.begin(), x.shock.end(), 0.0);
  std::fill(x.efficiency.begin(), x.efficiency.end(), 1.0);
  std::fill(x.unmet_share.begin(), x.unmet_share.end(), 0.0);
  std::fill(x.binding.begin(), x.binding.end(), BindingInput::none);
  for (PartSetup& u : x.setups)
    u.t = -1;  // set up again: the parameters changed
}

}  // namespace chipsim::model
