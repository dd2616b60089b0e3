// The seven stages of a period (DESIGN.md §2). Equations, units and simplifications are in
// docs/MODEL.md, section by section in the same order as the code below.
#include "model/model.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <limits>
#include <numbers>

#include "graph/supply_graph.hpp"
#include "model/allocation.hpp"
#include "model/economics.hpp"
#include "model/sampling.hpp"
#include "rng/streams.hpp"

namespace chipsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-12;
constexpr double kWaferRadiusMm = 150.0;  // 300 mm wafers

// Gross candidate dies per wafer for a die of `area` mm^2 (the standard approximation
// pi r^2 / A - pi 2r / sqrt(2A), which discounts partial dies at the edge).
double gross_dies_per_wafer(double area) {
  const double r = kWaferRadiusMm;
  return std::max(1.0,
                  std::numbers::pi * r * r / area - std::numbers::pi * 2 * r / std::sqrt(2 * area));
}

// Sub-buyers: each buyer's budget is split into training and inference segments, and each of
// those into a part bound by a domestic mandate and a free part.
constexpr int kSegments = 4;
int segment_of(int sub) {
  return sub % kSegments;
}
bool is_training(int segment) {
  return segment < 2;
}
bool is_mandated(int segment) {
  return segment % 2 == 1;
}
}  // namespace

struct Model::Impl {
  // ---------------------------------------------------------------------------------------
  // Structure, fixed for the run.
  const Scenario& s;
  const int T, P, V, R, C, B, E, N, M, K, F, G, O, SB;
  const int n_events;  // stochastic events and triggers, recorded in Trajectory::event_period
  // Dense BF16 PFLOP/s of the reference accelerator (market.reference_product); 0 if unset.
  const double reference_pflops;
  std::vector<int> order;  // production order (components first)
  std::vector<int> product_region, product_eco, memory_gen;
  std::vector<std::vector<int>> product_gens;
  std::vector<double> gross_dpw_default;  // from die area
  std::vector<std::uint64_t> h_region, h_node, h_foundry, h_memory, h_packager, h_product,
      h_inventory, h_buyer, h_channel, h_eco, h_policy;
  std::uint64_t h_market = rng::hash_name("market");
  std::vector<char> serves;   // [channel][region]
  std::vector<char> sold_in;  // [product][region]: region is among the product's markets
  // [region]: the options (product x channel) that can ever be open to a buyer there --
  // the product is sold in the region and the channel serves it. Loops over options only
  // visit these.
  // Each carries its product and channel so hot loops need no integer division.
  struct Option {
    int o = 0, p = 0, c = 0;
    bool licensed = false;
  };
  std::vector<std::vector<Option>> candidates;

  struct RuleInst {
    const RuleBody* body = nullptr;
    int issuer = kNone;
    std::uint64_t key = 0;
    int announced = 0, effective = 0, expires = 0;  // events/triggers set these on firing
    bool scheduled = true;
    const Event* event = nullptr;
    const Trigger* trigger = nullptr;
    std::vector<char> matches;  // [product]: criteria, product list or vendor list
    // Drawn per replicate.
    double approval = 1, fee = 0, cap = kInf, penalty = 0, share = 1, rate = 0, hazard = 0,
           threshold = 0;
    // Per replicate, dynamic.
    int fired_at = -1;
    bool active = false, pending = false;
  };
  std::vector<RuleInst> rules;

  std::unique_ptr<InputAllocator> wafers, memory, packaging;
  std::vector<std::vector<int>> memory_links;  // [product]: its HBM links, own and stockpile

  // ---------------------------------------------------------------------------------------
  // Parameters drawn once per replicate.
  std::vector<double> e_price;
  std::vector<double> n_cap0, n_growth, n_wcost, n_y0, n_yceil, n_b, n_w0;
  std::vector<double> f_dep;
  std::vector<double> m_cap0, m_growth, m_price;
  std::vector<double> k_cap0, k_growth, k_cost;
  std::vector<double> p_list, p_dpw, p_per_wafer, p_hbm_price;
  std::vector<double> b_capex, b_growth, b_growth2, b_noise, b_rho, b_ashare, b_tshare, b_alpha,
      b_gamma, b_delta, b_effg;
  std::vector<double> c_cap, c_markup, c_elast, c_enforcement;
  std::vector<double> e_m0, e_learn;
  std::vector<double> pol_enforcement;
  double pue = 1, hours = 0, life = 1, kappa = 0, w_expect = 1, logit = 1, passthrough = 1,
         intensity = 1, train_factor = 1, u_floor = 0, boost = 0, stockpile_periods = 0,
         eff_feedback = 0, eco_base = 1;

  // ---------------------------------------------------------------------------------------
  // State.
  double dt = 0.25;
  std::vector<double> node_cap, node_w, node_yield, mem_cap, pack_cap;
  std::vector<double> die_bank, finished, hbm_stock /*[V*G]*/, reserved /*[V*G]*/, res_pg /*[P*G]*/;
  // spill / spill_prev: units asked of a product in re-offer rounds, this and last period.
  std::vector<double> spill, spill_prev;
  double w_spill = 1;
  std::vector<double> expected, backlog, scarcity, price, cost, notional, target, made, sold,
      comp_avail;
  std::vector<char> has_expected;
  std::vector<double> sold_to_prev /*[P*R]*/, sold_to_now /*[P*R]*/;
  std::vector<double> shock, efficiency, unmet_share, installed /*[B*P]*/;
  std::vector<double> maturity, eco_ib;
  std::vector<rng::Engine> buyer_engines, event_engines;

  std::vector<BindingInput> binding_;  // [product], this period
  std::vector<double> eco_now_;        // [ecosystem] installed units, this period
  std::vector<double> region_units_, region_dom_units_, region_compute_, region_dom_compute_;

  // Policy outcome of stage 1, per period.
  enum Status : char { kFree = 0, kLicensed = 1, kDenied = 2 };
  std::vector<char> status /*[P*R]*/, banned /*[P*R]*/, pending_restrict /*[P*R]*/;
  std::vector<double> approval, fee, cap_share, penalty /*[P*R]*/;
  std::vector<int> fee_issuer /*[P*R]*/;
  std::vector<char> cut_foundry, cut_memory, cut_packaging, pending_memory_cut /*[V]*/;
  std::vector<double> equipment_cut /*[F]*/, mandate, prod_subsidy, energy_subsidy /*[R]*/;

  // Demand work buffers.
  std::vector<double> budget /*[SB]*/, remaining /*[SB]*/;
  std::vector<double> pb /*[R*O] price paid*/, log_cost /*[R*2*O]*/, utility /*[SB*O]*/,
      weight /*[SB*O]*/, desired /*[SB*O]*/, delivered /*[SB*O]*/;
  std::vector<char> option_open /*[R*O]*/, sub_open /*[SB*O]*/;
  std::vector<double> q_product, avail, q_channel, channel_left, q_licence, licence_left;
  std::vector<double> used_product, used_channel, used_licence;

  explicit Impl(const Scenario& sc)
      : s(sc),
        T(sc.calendar.periods),
        P(static_cast<int>(sc.products.size())),
        V(static_cast<int>(sc.vendors.size())),
        R(static_cast<int>(sc.regions.size())),
        C(static_cast<int>(sc.channels.size())),
        B(static_cast<int>(sc.buyers.size())),
        E(static_cast<int>(sc.ecosystems.size())),
        N(static_cast<int>(sc.nodes.size())),
        M(static_cast<int>(sc.memory.size())),
        K(static_cast<int>(sc.packagers.size())),
        F(static_cast<int>(sc.foundries.size())),
        G(static_cast<int>(generation_names(sc).size())),
        O(P * C),
        SB(B * kSegments),
        n_events(static_cast<int>(sc.events.size() + sc.triggers.size())),
        reference_pflops(sc.market.reference_product == kNone
                             ? 0.0
                             : sc.products[sc.market.reference_product].specs.tflops_bf16 / 1000) {
    build_structure();
    allocate_buffers();
  }

  // Every HBM generation named anywhere in the scenario, sorted (indices into hbm_stock).
  static std::vector<std::string> generation_names(const Scenario& s) {
    std::vector<std::string> g;
    for (const auto& m : s.memory)
      g.push_back(m.generation);
    for (const auto& i : s.inventories)
      if (i.kind == InventoryKind::hbm) g.push_back(i.generation);
    for (const auto& p : s.products)
      for (const auto& x : p.inputs.hbm_generations)
        g.push_back(x);
    std::sort(g.begin(), g.end());
    g.erase(std::unique(g.begin(), g.end()), g.end());
    return g;
  }

  void build_structure() {
    const SupplyGraph graph(s);
    order = graph.production_order();
    const auto gens = generation_names(s);
    auto gen_index = [&](const std::string& g) {
      return static_cast<int>(std::lower_bound(gens.begin(), gens.end(), g) - gens.begin());
    };
    for (const auto& m : s.memory)
      memory_gen.push_back(gen_index(m.generation));
    for (const auto& p : s.products) {
      product_region.push_back(s.vendors[p.vendor].region);
      product_eco.push_back(s.vendors[p.vendor].ecosystem);
      std::vector<int> g;
      for (const auto& x : p.inputs.hbm_generations)
        g.push_back(gen_index(x));
      product_gens.push_back(g);
      gross_dpw_default.push_back(gross_dies_per_wafer(p.specs.die_area_mm2));
    }
    auto hashes = [](const auto& list, const char* kind) {
      std::vector<std::uint64_t> h;
      for (const auto& x : list)
        h.push_back(rng::hash_name(std::string(kind) + ":" + x.name));
      return h;
    };
    h_region = hashes(s.regions, "region");
    h_foundry = hashes(s.foundries, "foundry");
    for (int n = 0; n < N; ++n)
      h_node.push_back(rng::hash_name("node:" + s.node_label(n)));
    h_memory = hashes(s.memory, "memory");
    h_packager = hashes(s.packagers, "packager");
    h_product = hashes(s.products, "product");
    h_inventory = hashes(s.inventories, "inventory");
    h_buyer = hashes(s.buyers, "buyer");
    h_channel = hashes(s.channels, "channel");
    h_eco = hashes(s.ecosystems, "ecosystem");
    h_policy = hashes(s.policies, "policy");
    sold_in.assign(static_cast<std::size_t>(P * R), 0);
    for (int p = 0; p < P; ++p)
      for (int r = 0; r < R; ++r) {
        const auto& mk = s.products[p].markets;
        sold_in[p * R + r] = mk.empty() || std::find(mk.begin(), mk.end(), r) != mk.end();
      }
    serves.assign(static_cast<std::size_t>(C * R), 0);
    for (int c = 0; c < C; ++c)
      for (int r = 0; r < R; ++r) {
        const auto& d = s.channels[c].destinations;
        serves[c * R + r] = d.empty() || std::find(d.begin(), d.end(), r) != d.end();
      }
    candidates.assign(static_cast<std::size_t>(R), {});
    for (int r = 0; r < R; ++r)
      for (int o = 0; o < O; ++o)
        if (sold_in[(o / C) * R + r] && serves[(o % C) * R + r])
          candidates[r].push_back(
              {o, o / C, o % C, s.channels[o % C].kind == ChannelKind::licensed});

    auto add_rule = [&](const RuleBody& body, int policy, const std::string& key, bool scheduled) {
      RuleInst x;
      x.body = &body;
      x.issuer = s.policies[policy].region;
      x.key = rng::hash_name(key);
      x.scheduled = scheduled;
      x.matches.assign(P, 0);
      for (int p = 0; p < P; ++p)
        x.matches[p] = rule_matches(body, x.issuer, p);
      rules.push_back(std::move(x));
    };
    for (const Rule& r : s.rules) {
      add_rule(r.body, r.policy, "rule:" + s.policies[r.policy].name + "." + r.name, true);
      auto& x = rules.back();
      x.announced = r.announced, x.effective = r.effective, x.expires = r.expires;
    }
    for (const Event& e : s.events) {
      add_rule(e.body, e.policy, "event:" + s.policies[e.policy].name + "." + e.name, false);
      rules.back().event = &e;
    }
    for (const Trigger& tr : s.triggers) {
      add_rule(tr.body, tr.policy, "trigger:" + s.policies[tr.policy].name + "." + tr.name, false);
      rules.back().trigger = &tr;
    }

    // Allocation networks mirror the supply graph's input edges.
    std::vector<std::pair<int, int>> wl, ml, kl;
    for (auto e : boost::make_iterator_range(boost::edges(graph.graph()))) {
      const auto& ge = graph.graph()[e];
      const int from = graph.graph()[boost::source(e, graph.graph())].entity;
      const int to = graph.graph()[boost::target(e, graph.graph())].entity;
      if (ge.kind == EdgeKind::wafers) wl.emplace_back(from, to);
      if (ge.kind == EdgeKind::memory) {
        ml.emplace_back(from, to);
        ml.emplace_back(from, P + to);  // the vendor's stockpile purchases for this product
      }
      if (ge.kind == EdgeKind::packaging) kl.emplace_back(from, to);
    }
    wafers = std::make_unique<InputAllocator>(N, P, wl);
    memory = std::make_unique<InputAllocator>(M, 2 * P, ml);
    memory_links.assign(static_cast<std::size_t>(P), {});
    for (int l = 0; l < memory->link_count(); ++l)
      memory_links[memory->link(l).second % P].push_back(l);
    packaging = std::make_unique<InputAllocator>(K, P, kl);
  }

  // Does a rule of the given body, issued by `issuer`, concern product p?
  bool rule_matches(const RuleBody& b, int issuer, int p) const {
    const Product& prod = s.products[p];
    const bool listed = std::find(b.products.begin(), b.products.end(), p) != b.products.end();
    const bool by_vendor =
        std::find(b.vendors.begin(), b.vendors.end(), prod.vendor) != b.vendors.end();
    const bool by_criteria =
        std::any_of(b.criteria.begin(), b.criteria.end(),
                    [&](const SpecCriterion& c) { return c.matches(prod.specs); });
    switch (b.type) {
      case RuleType::export_control:
        // Exporter rules reach the issuer's own vendors' products.
        return product_region[p] == issuer && (listed || by_criteria);
      case RuleType::import_ban:
      case RuleType::import_penalty:
        if (product_region[p] == issuer) return false;  // only foreign products
        if (b.products.empty() && b.vendors.empty() && b.criteria.empty()) return true;
        return listed || by_vendor || by_criteria;
      default:
        return false;
    }
  }

  bool targets(const RuleBody& b, int issuer, int region) const {
    if (b.destinations.empty()) return region != issuer;
    return std::find(b.destinations.begin(), b.destinations.end(), region) != b.destinations.end();
  }

  void allocate_buffers() {
    auto z = [](std::vector<double>& v, int n) { v.assign(static_cast<std::size_t>(n), 0.0); };
    for (auto* v : {&e_price})
      z(*v, R);
    for (auto* v : {&n_cap0, &n_growth, &n_wcost, &n_y0, &n_yceil, &n_b, &n_w0, &node_cap, &node_w,
                    &node_yield})
      z(*v, N);
    z(f_dep, F);
    for (auto* v : {&m_cap0, &m_growth, &m_price, &mem_cap})
      z(*v, M);
    for (auto* v : {&k_cap0, &k_growth, &k_cost, &pack_cap})
      z(*v, K);
    for (auto* v :
         {&p_list,  &p_dpw,      &p_per_wafer, &p_hbm_price, &die_bank, &finished,  &expected,
          &backlog, &scarcity,   &price,       &cost,        &notional, &target,    &made,
          &sold,    &comp_avail, &q_product,   &avail,       &spill,    &spill_prev})
      z(*v, P);
    has_expected.assign(P, 0);
    for (auto* v : {&b_capex, &b_growth, &b_growth2, &b_noise, &b_rho, &b_ashare, &b_tshare,
                    &b_alpha, &b_gamma, &b_delta, &b_effg, &shock, &efficiency, &unmet_share})
      z(*v, B);
    z(used_product, P);
    z(used_channel, C);
    z(used_licence, P * R);
    for (auto* v : {&c_cap, &c_markup, &c_elast, &c_enforcement, &q_channel, &channel_left})
      z(*v, C);
    for (auto* v : {&e_m0, &e_learn, &maturity, &eco_ib, &eco_now_})
      z(*v, E);
    z(pol_enforcement, static_cast<int>(s.policies.size()));
    z(hbm_stock, V * G);
    z(reserved, V * G);
    z(res_pg, P * G);
    for (auto* v : {&sold_to_prev, &sold_to_now, &approval, &fee, &cap_share, &penalty, &q_licence,
                    &licence_left})
      z(*v, P * R);
    fee_issuer.assign(static_cast<std::size_t>(P * R), kNone);
    for (auto* v : {&status, &banned, &pending_restrict})
      v->assign(static_cast<std::size_t>(P * R), 0);
    for (auto* v : {&cut_foundry, &cut_memory, &cut_packaging, &pending_memory_cut})
      v->assign(V, 0);
    z(equipment_cut, F);
    for (auto* v : {&mandate, &prod_subsidy, &energy_subsidy})
      z(*v, R);
    z(installed, B * P);
    z(budget, SB);
    z(remaining, SB);
    z(pb, R * O);
    option_open.assign(static_cast<std::size_t>(R * O), 0);
    for (auto* v : {&utility, &weight, &desired, &delivered})
      z(*v, SB * O);
    z(log_cost, R * 2 * O);
    sub_open.assign(static_cast<std::size_t>(SB * O), 0);
    buyer_engines.resize(B);
    event_engines.resize(rules.size());
  }

  // ---------------------------------------------------------------------------------------
  // Replicate set-up: draw parameters, reset state.
  void reset(std::uint64_t seed, int replicate, const RunOptions& opt) {
    ParamSampler d(seed, static_cast<std::uint64_t>(replicate), opt.noise);
    dt = 1.0 / s.calendar.periods_per_year();
    for (int r = 0; r < R; ++r)
      e_price[r] = d(s.regions[r].electricity_price, h_region[r], "electricity_price");
    for (int f = 0; f < F; ++f)
      f_dep[f] = d(s.foundries[f].equipment_dependence, h_foundry[f], "equipment_dependence");
    for (int n = 0; n < N; ++n) {
      const ProcessNode& x = s.nodes[n];
      n_cap0[n] = d(x.capacity, h_node[n], "capacity");
      n_growth[n] = d(x.growth, h_node[n], "growth");
      n_wcost[n] = d(x.wafer_cost, h_node[n], "wafer_cost");
      n_yceil[n] = d(x.yield_ceiling, h_node[n], "yield_ceiling");
      n_y0[n] = std::min(d(x.yield_initial, h_node[n], "yield"), n_yceil[n]);
      n_b[n] = -std::log2(1 - std::min(d(x.learning_rate, h_node[n], "learning_rate"), 0.999));
      n_w0[n] = d(x.cumulative_wafers, h_node[n], "cumulative_wafers");
      node_cap[n] = n_cap0[n];
      node_w[n] = n_w0[n];
      node_yield[n] = n_y0[n];
    }
    for (int m = 0; m < M; ++m) {
      m_cap0[m] = mem_cap[m] = d(s.memory[m].capacity, h_memory[m], "capacity");
      m_growth[m] = d(s.memory[m].growth, h_memory[m], "growth");
      m_price[m] = d(s.memory[m].price, h_memory[m], "price");
    }
    for (int k = 0; k < K; ++k) {
      k_cap0[k] = pack_cap[k] = d(s.packagers[k].capacity, h_packager[k], "capacity");
      k_growth[k] = d(s.packagers[k].growth, h_packager[k], "growth");
      k_cost[k] = d(s.packagers[k].cost, h_packager[k], "cost");
    }
    for (int p = 0; p < P; ++p) {
      const Product& x = s.products[p];
      p_list[p] = d(x.price, h_product[p], "price");
      const double dpw = d(x.inputs.dies_per_wafer, h_product[p], "dies_per_wafer");
      p_dpw[p] = dpw > 0 ? dpw : gross_dpw_default[p];
      p_per_wafer[p] = x.inputs.packagers.empty()
                           ? 0
                           : d(x.inputs.packages_per_wafer, h_product[p], "packages_per_wafer");
      // HBM is priced at the cheapest supplier of an accepted generation.
      double hp = kInf;
      for (int m = 0; m < M; ++m)
        if (std::find(product_gens[p].begin(), product_gens[p].end(), memory_gen[m]) !=
            product_gens[p].end())
          hp = std::min(hp, m_price[m]);
      p_hbm_price[p] = std::isfinite(hp) ? hp : 0;
    }
    for (int b = 0; b < B; ++b) {
      const Buyer& x = s.buyers[b];
      const auto h = h_buyer[b];
      b_capex[b] = d(x.capex, h, "capex");
      b_growth[b] = d(x.capex_growth, h, "capex_growth");
      b_growth2[b] = x.has_later_growth ? d(x.later_growth, h, "later_growth") : b_growth[b];
      b_noise[b] = opt.noise ? d(x.capex_noise, h, "capex_noise") : 0;
      b_rho[b] = d(x.capex_persistence, h, "capex_persistence");
      b_ashare[b] = d(x.accelerator_share, h, "accelerator_share");
      b_tshare[b] = d(x.training_share, h, "training_share");
      b_alpha[b] = d(x.price_sensitivity, h, "price_sensitivity");
      b_gamma[b] = d(x.ecosystem_weight, h, "ecosystem_weight");
      b_delta[b] = d(x.domestic_preference, h, "domestic_preference");
      b_effg[b] = d(x.efficiency_growth, h, "efficiency_growth");
      buyer_engines[b].seed(rng::stream_seed(seed, static_cast<std::uint64_t>(replicate), h,
                                             rng::Purpose::capex_shock));
    }
    for (std::size_t p = 0; p < s.policies.size(); ++p)
      pol_enforcement[p] = d(s.policies[p].enforcement, h_policy[p], "enforcement");
    for (int c = 0; c < C; ++c) {
      const Channel& x = s.channels[c];
      c_cap[c] = d(x.capacity, h_channel[c], "capacity");
      c_markup[c] = d(x.markup, h_channel[c], "markup");
      c_elast[c] = d(x.enforcement_elasticity, h_channel[c], "enforcement_elasticity");
      // Enforcement against a channel: the strongest effort of the governments whose
      // regions it does not deliver to (the exporters it evades).
      c_enforcement[c] = 0;
      for (std::size_t p = 0; p < s.policies.size(); ++p)
        if (!serves[c * R + s.policies[p].region] || x.destinations.empty())
          c_enforcement[c] = std::max(c_enforcement[c], pol_enforcement[p]);
    }
    for (int e = 0; e < E; ++e) {
      e_m0[e] = maturity[e] = d(s.ecosystems[e].maturity, h_eco[e], "maturity");
      e_learn[e] = d(s.ecosystems[e].learning, h_eco[e], "learning");
      eco_ib[e] = 0;
    }
    const Market& mk = s.market;
    pue = d(mk.pue, h_market, "pue");
    hours = d(mk.utilisation_hours, h_market, "utilisation_hours");
    life = d(mk.service_life, h_market, "service_life");
    kappa = d(mk.price_adjustment, h_market, "price_adjustment");
    w_expect = d(mk.expectation_weight, h_market, "expectation_weight");
    w_spill = d(mk.spillover_weight, h_market, "spillover_weight");
    logit = d(mk.logit_noise, h_market, "logit_noise");
    passthrough = d(mk.fee_passthrough, h_market, "fee_passthrough");
    intensity = d(mk.inference_intensity, h_market, "inference_intensity");
    train_factor = d(mk.training_ecosystem_factor, h_market, "training_ecosystem_factor");
    u_floor = d(mk.utilisation_floor, h_market, "utilisation_floor");
    boost = d(mk.stockpile_boost, h_market, "stockpile_boost");
    stockpile_periods = d(mk.stockpile_periods, h_market, "stockpile_periods");
    eff_feedback = d(mk.efficiency_feedback, h_market, "efficiency_feedback");
    eco_base = d(mk.ecosystem_base_units, h_market, "ecosystem_base_units");

    for (auto& x : rules) {
      const RuleBody& b = *x.body;
      const auto h = x.key;
      x.approval = b.type == RuleType::export_control && b.status == ExportStatus::licensed
                       ? d(b.approval_probability, h, "approval_probability")
                       : 1;
      x.fee = b.status == ExportStatus::licensed ? d(b.revenue_share, h, "revenue_share") : 0;
      x.cap = b.status == ExportStatus::licensed ? d(b.volume_cap, h, "volume_cap") : kInf;
      x.penalty = b.type == RuleType::import_penalty ? d(b.penalty, h, "penalty") : 0;
      x.share = b.type == RuleType::domestic_mandate ? d(b.share, h, "share") : 0;
      x.rate = (b.type == RuleType::production_subsidy || b.type == RuleType::energy_subsidy ||
                (b.type == RuleType::input_control && b.input == InputKind::equipment))
                   ? d(b.rate, h, "rate")
                   : 0;
      x.hazard = x.event ? d(x.event->hazard, h, "hazard") : 0;
      x.threshold = x.trigger ? d(x.trigger->threshold, h, "threshold") : 0;
      x.fired_at = -1;
      x.active = x.pending = false;
    }
    for (std::size_t i = 0; i < rules.size(); ++i)
      event_engines[i].seed(rng::stream_seed(seed, static_cast<std::uint64_t>(replicate),
                                             rules[i].key, rng::Purpose::policy_event));

    std::fill(die_bank.begin(), die_bank.end(), 0.0);
    std::fill(finished.begin(), finished.end(), 0.0);
    std::fill(hbm_stock.begin(), hbm_stock.end(), 0.0);
    const auto gens = generation_names(s);
    for (std::size_t i = 0; i < s.inventories.size(); ++i) {
      const Inventory& inv = s.inventories[i];
      const double q = d(inv.quantity, h_inventory[i], "quantity");
      switch (inv.kind) {
        case InventoryKind::die_bank:
          die_bank[inv.product] += q;
          break;
        case InventoryKind::finished:
          finished[inv.product] += q;
          break;
        case InventoryKind::hbm: {
          const int g = static_cast<int>(
              std::lower_bound(gens.begin(), gens.end(), inv.generation) - gens.begin());
          hbm_stock[inv.vendor * G + g] += q;
          break;
        }
      }
    }
    for (int p = 0; p < P; ++p) {
      price[p] = p_list[p];
      expected[p] = backlog[p] = scarcity[p] = spill[p] = spill_prev[p] = 0;
      has_expected[p] = 0;
    }
    std::fill(sold_to_prev.begin(), sold_to_prev.end(), 0.0);
    std::fill(installed.begin(), installed.end(), 0.0);
    std::fill(shock.begin(), shock.end(), 0.0);
    std::fill(efficiency.begin(), efficiency.end(), 1.0);
    std::fill(unmet_share.begin(), unmet_share.end(), 0.0);
  }

  // ---------------------------------------------------------------------------------------
  // Stage 1: policy.
  double trigger_value(const Trajectory& tr, const Trigger& g, int t) const {
    const int r = g.region;
    switch (g.variable) {
      case TriggerVariable::domestic_share_revenue:
        return tr.domestic_share_revenue.at(t, r);
      case TriggerVariable::domestic_share_units:
        return tr.domestic_share_units.at(t, r);
      case TriggerVariable::domestic_share_compute:
        return tr.domestic_share_compute.at(t, r);
      case TriggerVariable::market_revenue:
        return tr.market_revenue.at(t, r);
      case TriggerVariable::smuggled_units: {
        double sum = 0;
        for (int p = 0; p < P; ++p)
          sum += tr.smuggled_units.at(t, p, r);
        return sum;
      }
    }
    return 0;
  }

  void policy(int t, const Trajectory& tr, const RunOptions& opt) {
    const bool shocks = s.mechanisms.policy_shocks;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      auto& x = rules[i];
      if (x.scheduled) {
        x.active = x.effective <= t && t < x.expires && (shocks || x.effective <= 0);
        x.pending = shocks && x.announced <= t && t < x.effective;
        continue;
      }
      // Each event draws one uniform every period from its own stream, fired or not, so its
      // draws do not depend on anything else in the scenario (common random numbers).
      const double u = x.event && opt.noise ? boost::random::uniform_real_distribution<double>(
                                                  0, 1)(event_engines[i])
                                            : 1.0;
      if (x.fired_at < 0 && shocks) {
        if (x.event && t >= x.event->window_start && t < x.event->window_end && u < x.hazard)
          x.fired_at = t;
        if (x.trigger && t > 0) {
          const double v = trigger_value(tr, *x.trigger, t - 1);
          if (x.trigger->above ? v > x.threshold : v < x.threshold) x.fired_at = t;
        }
        if (x.fired_at >= 0) {
          const int lag = x.event ? x.event->lag : x.trigger->lag;
          x.announced = x.fired_at;
          x.effective = x.fired_at + lag;
          x.expires = std::numeric_limits<int>::max();
        }
      }
      x.active = x.fired_at >= 0 && x.effective <= t;
      x.pending = x.fired_at >= 0 && t < x.effective;
    }

    std::fill(status.begin(), status.end(), kFree);
    std::fill(banned.begin(), banned.end(), 0);
    std::fill(pending_restrict.begin(), pending_restrict.end(), 0);
    std::fill(penalty.begin(), penalty.end(), 0.0);
    std::fill(fee.begin(), fee.end(), 0.0);
    std::fill(approval.begin(), approval.end(), 1.0);
    std::fill(cap_share.begin(), cap_share.end(), kInf);
    std::fill(fee_issuer.begin(), fee_issuer.end(), kNone);
    std::fill(cut_foundry.begin(), cut_foundry.end(), 0);
    std::fill(cut_memory.begin(), cut_memory.end(), 0);
    std::fill(cut_packaging.begin(), cut_packaging.end(), 0);
    std::fill(pending_memory_cut.begin(), pending_memory_cut.end(), 0);
    std::fill(equipment_cut.begin(), equipment_cut.end(), 0.0);
    std::fill(mandate.begin(), mandate.end(), 0.0);
    std::fill(prod_subsidy.begin(), prod_subsidy.end(), 0.0);
    std::fill(energy_subsidy.begin(), energy_subsidy.end(), 0.0);

    // Export status: among export_control rules in force for (product, region), the most
    // recently effective wins (ties: the later one in the scenario).
    for (int p = 0; p < P; ++p)
      for (int r = 0; r < R; ++r) {
        if (product_region[p] == r) continue;  // domestic sales are never export-controlled
        int best = -1, best_eff = std::numeric_limits<int>::min();
        for (std::size_t i = 0; i < rules.size(); ++i) {
          const auto& x = rules[i];
          if (x.body->type != RuleType::export_control || !x.matches[p] ||
              !targets(*x.body, x.issuer, r))
            continue;
          if (x.active && x.effective >= best_eff)
            best = static_cast<int>(i), best_eff = x.effective;
          if (x.pending && x.body->status != ExportStatus::free) pending_restrict[p * R + r] = 1;
        }
        if (best < 0) continue;
        const auto& x = rules[best];
        const int i = p * R + r;
        status[i] = x.body->status == ExportStatus::free       ? kFree
                    : x.body->status == ExportStatus::licensed ? kLicensed
                                                               : kDenied;
        if (status[i] == kLicensed) {
          approval[i] = x.approval;
          fee[i] = x.fee;
          cap_share[i] = x.cap;
          fee_issuer[i] = x.issuer;
        }
      }

    for (const auto& x : rules) {
      if (!x.active && !x.pending) continue;
      const RuleBody& b = *x.body;
      const bool importer = b.type == RuleType::import_ban || b.type == RuleType::import_penalty ||
                            b.type == RuleType::domestic_mandate ||
                            b.type == RuleType::production_subsidy ||
                            b.type == RuleType::energy_subsidy;
      if (importer && !s.mechanisms.importer_policy) continue;
      switch (b.type) {
        case RuleType::entity_list:
          if (x.active)
            for (int v : b.vendors)
              cut_foundry[v] = cut_memory[v] = 1;
          break;
        case RuleType::input_control:
          if (b.input == InputKind::equipment) {
            if (x.active)
              for (int f = 0; f < F; ++f)
                if (targets(b, x.issuer, s.foundries[f].region))
                  equipment_cut[f] = std::max(equipment_cut[f], x.rate);
            break;
          }
          for (int v = 0; v < V; ++v) {
            if (!targets(b, x.issuer, s.vendors[v].region)) continue;
            if (x.pending && b.input == InputKind::memory) pending_memory_cut[v] = 1;
            if (!x.active) continue;
            if (b.input == InputKind::memory) cut_memory[v] = 1;
            if (b.input == InputKind::foundry) cut_foundry[v] = 1;
            if (b.input == InputKind::packaging) cut_packaging[v] = 1;
          }
          break;
        case RuleType::import_ban:
        case RuleType::import_penalty:
          if (!x.active) break;
          for (int p = 0; p < P; ++p) {
            if (!x.matches[p]) continue;
            if (b.type == RuleType::import_ban)
              banned[p * R + x.issuer] = 1;
            else
              penalty[p * R + x.issuer] += x.penalty;
          }
          break;
        case RuleType::domestic_mandate:
          if (x.active) mandate[x.issuer] = std::max(mandate[x.issuer], x.share);
          break;
        case RuleType::production_subsidy:
          if (x.active) prod_subsidy[x.issuer] = std::max(prod_subsidy[x.issuer], x.rate);
          break;
        case RuleType::energy_subsidy:
          if (x.active) energy_subsidy[x.issuer] = std::max(energy_subsidy[x.issuer], x.rate);
          break;
        case RuleType::export_control:
          break;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Stage 2: capacity and learning.
  void capacity(int t) {
    if (t > 0 && s.mechanisms.learning) {
      for (int n = 0; n < N; ++n) {
        const int f = s.nodes[n].foundry;
        double g = n_growth[n];
        if (g > 0) g *= 1 - f_dep[f] * equipment_cut[f];
        node_cap[n] *= std::pow(1 + g, dt);
      }
      for (int m = 0; m < M; ++m)
        mem_cap[m] *= std::pow(1 + m_growth[m], dt);
      for (int k = 0; k < K; ++k)
        pack_cap[k] *= std::pow(1 + k_growth[k], dt);
    }
    for (int n = 0; n < N; ++n)
      node_yield[n] =
          s.mechanisms.learning
              ? n_yceil[n] - (n_yceil[n] - n_y0[n]) *
                                 std::pow(std::max(node_w[n], n_w0[n]) / n_w0[n], -n_b[n])
              : n_y0[n];
  }

  bool on_sale(int p, int t) const {
    const Product& x = s.products[p];
    return x.launch <= t && (t < x.retire || finished[p] > 0);
  }
  bool in_production(int p, int t) const {
    const Product& x = s.products[p];
    return x.launch <= t && t < x.retire;
  }

  // ---------------------------------------------------------------------------------------
  // Stage 5 machinery: options, utilities and desired quantities at the given prices.
  void set_budgets(int t) {
    for (int b = 0; b < B; ++b) {
      if (b_noise[b] > 0) {
        const double z = boost::random::normal_distribution<double>(0, 1)(buyer_engines[b]);
        shock[b] = b_rho[b] * shock[b] + b_noise[b] * z;
      }
      // capex_growth up to growth_until, later_growth after it.
      const int t1 = std::clamp(s.buyers[b].growth_until, 0, t);
      const double annual = b_capex[b] * std::pow(1 + b_growth[b], t1 * dt) *
                            std::pow(1 + b_growth2[b], (t - t1) * dt) * std::exp(shock[b]);
      const double total = annual * b_ashare[b] * dt;
      const int r = s.buyers[b].region;
      const double m = s.buyers[b].state_funded ? mandate[r] : 0;
      const double train = b_tshare[b];
      budget[b * kSegments + 0] = total * train * (1 - m);
      budget[b * kSegments + 1] = total * train * m;
      budget[b * kSegments + 2] = total * (1 - train) * (1 - m);
      budget[b * kSegments + 3] = total * (1 - train) * m;
    }
  }

  void build_options(int t) {
    const bool leakage = s.mechanisms.leakage;
    for (int r = 0; r < R; ++r)
      for (const auto& [o, p, c, licensed] : candidates[r]) {
        const int ro = r * O + o;
        option_open[ro] = 0;
        pb[ro] = 0;
        if (!on_sale(p, t)) continue;
        const int i = p * R + r;
        const bool domestic = product_region[p] == r;
        double paid = price[p];
        bool open = false;
        switch (s.channels[c].kind) {
          case ChannelKind::direct:
            open = (domestic || status[i] == kFree) && !banned[i];
            break;
          case ChannelKind::licensed:
            open = !domestic && status[i] == kLicensed && approval[i] > 0 && !banned[i];
            paid *= 1 + passthrough * fee[i];
            break;
          case ChannelKind::remote:
            open = !domestic;
            paid *= c_markup[c];
            break;
          case ChannelKind::smuggling:
          case ChannelKind::proxy_fabrication:
            open = leakage && !domestic && status[i] != kFree && !banned[i];
            paid *= c_markup[c] * (1 + c_enforcement[c]);
            break;
        }
        option_open[ro] = open;
        pb[ro] = paid;
      }
    // ln(TCO per effective PFLOP-year) depends on region, segment, product and channel only.
    for (int r = 0; r < R; ++r)
      for (int train = 0; train < 2; ++train)
        for (const auto& [o, p, c, licensed] : candidates[r]) {
          const int ro = r * O + o;
          if (!option_open[ro]) continue;
          const ProductSpecs& sp = s.products[p].specs;
          const bool domestic = product_region[p] == r;
          const double perf =
              economics::segment_tflops(train == 1, sp.tflops_bf16, sp.bandwidth_tbs, intensity);
          const double pf_years = economics::pflop_years(
              perf, economics::utilisation(u_floor, maturity[product_eco[p]]), life);
          const double energy = economics::energy_cost(sp.power_w, pue, hours, life, e_price[r],
                                                       domestic ? energy_subsidy[r] : 0);
          log_cost[(r * 2 + train) * O + o] = std::log(economics::tco(pb[ro], energy) / pf_years);
        }
    const bool subst = s.mechanisms.substitution;
    for (int sb = 0; sb < SB; ++sb) {
      const int b = sb / kSegments, seg = segment_of(sb);
      const int r = s.buyers[b].region;
      const int train = is_training(seg) ? 1 : 0;
      const double alpha = subst ? b_alpha[b] : 0;
      const double gamma = subst ? b_gamma[b] * (train ? train_factor : 1) : 0;
      double umax = -kInf;
      if (budget[sb] <= 0) {  // e.g. the mandated part of a buyer no mandate applies to
        for (const Option& k : candidates[r])
          sub_open[sb * O + k.o] = 0;
        continue;
      }
      for (const auto& [o, p, c, licensed] : candidates[r]) {
        const int so = sb * O + o;
        const bool domestic = product_region[p] == r;
        const bool allowed = option_open[r * O + o] && (!is_mandated(seg) || domestic);
        sub_open[so] = allowed;
        if (!allowed) continue;
        const int i = p * R + r;
        // economics::utility with the log-cost term precomputed above.
        utility[so] = -alpha * log_cost[(r * 2 + train) * O + o] -
                      gamma * (1 - maturity[product_eco[p]]) + (domestic ? b_delta[b] : 0) -
                      penalty[i] + (pending_restrict[i] ? std::log1p(boost) : 0);
        umax = std::max(umax, utility[so]);
      }
      // Logit weights, fixed for the period; rationing rounds only close options.
      for (const Option& k : candidates[r]) {
        const int so = sb * O + k.o;
        weight[so] = sub_open[so] ? std::exp((utility[so] - umax) / logit) : 0;
      }
    }
  }

  // Desired units for every open option of every sub-buyer with budget left (logit shares
  // over the options still open). Only candidate options are ever non-zero.
  void desire(const std::vector<double>& funds) {
    for (int sb = 0; sb < SB; ++sb) {
      const int r = s.buyers[sb / kSegments].region;
      double* q = &desired[static_cast<std::size_t>(sb) * O];
      for (const Option& k : candidates[r])
        q[k.o] = 0;
      if (funds[sb] <= 0) continue;
      const char* open = &sub_open[static_cast<std::size_t>(sb) * O];
      const double* w = &weight[static_cast<std::size_t>(sb) * O];
      double z = 0;
      for (const Option& k : candidates[r])
        if (open[k.o]) z += w[k.o];
      if (z <= 0) continue;
      const double* price_r = &pb[static_cast<std::size_t>(r) * O];
      for (const Option& k : candidates[r])
        if (open[k.o]) q[k.o] = funds[sb] * w[k.o] / z / price_r[k.o];
    }
  }

  // ---------------------------------------------------------------------------------------
  // Stage 3: production.
  void production(int t) {
    // Vendors' expectations: adaptive on the notional demand at this period's prices.
    desire(budget);
    std::fill(notional.begin(), notional.end(), 0.0);
    for (int sb = 0; sb < SB; ++sb)
      for (const Option& k : candidates[s.buyers[sb / kSegments].region])
        notional[k.p] += desired[sb * O + k.o];
    for (int p = 0; p < P; ++p) {
      if (!in_production(p, t)) {
        target[p] = 0;
        continue;
      }
      // Demand signal: notional demand plus a share of last period's re-offered orders.
      const double signal = notional[p] + w_spill * spill_prev[p];
      expected[p] = has_expected[p] ? w_expect * signal + (1 - w_expect) * expected[p] : signal;
      has_expected[p] = 1;
      target[p] = std::max(0.0, expected[p] + backlog[p] - finished[p]);
    }

    // Requests, in production order; HBM stock is reserved before buying.
    std::fill(reserved.begin(), reserved.end(), 0.0);
    std::fill(res_pg.begin(), res_pg.end(), 0.0);
    for (int p : order) {
      const Product& x = s.products[p];
      const int v = x.vendor;
      const double tg = target[p];
      if (x.inputs.node != kNone) {
        const double gd = p_dpw[p] * node_yield[x.inputs.node];
        const double need = std::max(0.0, tg * x.specs.dies_per_package - die_bank[p]);
        wafers->set_request(p, gd > 0 ? need / gd : 0);
      }
      double need_h = tg * x.inputs.hbm_stacks, have = 0;
      for (int g : product_gens[p]) {
        const double take = std::min(hbm_stock[v * G + g] - reserved[v * G + g], need_h - have);
        if (take <= 0) continue;
        reserved[v * G + g] += take;
        res_pg[p * G + g] = take;
        have += take;
      }
      memory->set_request(p, need_h - have);
      // Ahead of an announced HBM cut-off the vendor also buys stock for later periods.
      double stockpile = 0;
      if (pending_memory_cut[v] && x.inputs.hbm_stacks > 0) {
        double stock = 0;
        for (int g : product_gens[p])
          stock += hbm_stock[v * G + g] - reserved[v * G + g];
        stockpile = std::max(0.0, stockpile_periods * expected[p] * x.inputs.hbm_stacks - stock);
      }
      memory->set_request(P + p, stockpile);
      if (!x.inputs.packagers.empty())
        packaging->set_request(p, p_per_wafer[p] > 0 ? tg / p_per_wafer[p] : 0);
    }

    // Supplies and gates.
    for (int n = 0; n < N; ++n)
      wafers->set_supply(n, t >= s.nodes[n].online ? node_cap[n] : 0);
    for (int m = 0; m < M; ++m)
      memory->set_supply(m, t >= s.memory[m].online ? mem_cap[m] : 0);
    for (int k = 0; k < K; ++k)
      packaging->set_supply(k, t >= s.packagers[k].online ? pack_cap[k] : 0);
    for (int l = 0; l < wafers->link_count(); ++l) {
      const auto [n, p] = wafers->link(l);
      const int v = s.products[p].vendor;
      wafers->set_open(
          l, !(cut_foundry[v] && s.foundries[s.nodes[n].foundry].region != s.vendors[v].region));
    }
    for (int l = 0; l < memory->link_count(); ++l) {
      const auto [m, consumer] = memory->link(l);
      const int p = consumer % P, v = s.products[p].vendor;
      const bool foreign = s.memory[m].region != s.vendors[v].region;
      const bool stockpile = consumer >= P;
      memory->set_open(l, !(cut_memory[v] && foreign) && (!stockpile || foreign));
    }
    for (int l = 0; l < packaging->link_count(); ++l) {
      const auto [k, p] = packaging->link(l);
      const int v = s.products[p].vendor;
      packaging->set_open(l, !(cut_packaging[v] && s.packagers[k].region != s.vendors[v].region));
    }
    const bool shared = s.mechanisms.shared_capacity;
    wafers->solve(shared);
    memory->solve(shared);
    packaging->solve(shared);

    // Make, in production order.
    for (int p = 0; p < P; ++p)
      comp_avail[p] = finished[p];
    const bool limits = s.mechanisms.bottlenecks;
    for (int p : order) {
      const Product& x = s.products[p];
      const int v = x.vendor;
      const double tg = target[p];
      double u_dies = kInf, u_mem = kInf, u_pack = kInf, u_comp = kInf, dies = 0, gd = 0;
      if (x.inputs.node != kNone) {
        const int n = x.inputs.node;
        gd = p_dpw[p] * node_yield[n];
        const double wafers_in = wafers->received(p);
        dies = die_bank[p] + wafers_in * gd;
        u_dies = dies / x.specs.dies_per_package;
        node_w[n] += wafers_in;
      }
      double fresh_h = 0, reserved_h = 0;
      if (x.inputs.hbm_stacks > 0) {
        fresh_h = memory->received(p);
        for (int g : product_gens[p])
          reserved_h += res_pg[p * G + g];
        u_mem = (fresh_h + reserved_h) / x.inputs.hbm_stacks;
      }
      if (!x.inputs.packagers.empty()) u_pack = packaging->received(p) * p_per_wafer[p];
      for (const auto& comp : x.inputs.components)
        u_comp = std::min(u_comp, comp_avail[comp.product] / comp.count);

      double m = tg;
      BindingInput bind = tg > 0 ? BindingInput::demand : BindingInput::none;
      if (limits) {
        const std::pair<double, BindingInput> caps[] = {{u_dies, BindingInput::dies},
                                                        {u_mem, BindingInput::memory},
                                                        {u_pack, BindingInput::packaging},
                                                        {u_comp, BindingInput::components}};
        for (const auto& [u, which] : caps)
          if (u < m * (1 - 1e-9)) m = u, bind = which;
        m = std::max(0.0, m);
      }
      made[p] = m;
      // Stocks: unused dies go to the bank; HBM is drawn from stock first, fresh HBM left
      // over is stocked; components are consumed.
      if (x.inputs.node != kNone)
        die_bank[p] = limits ? std::max(0.0, dies - m * x.specs.dies_per_package) : die_bank[p];
      if (x.inputs.hbm_stacks > 0 && limits) {
        double use = m * x.inputs.hbm_stacks;
        for (int g : product_gens[p]) {
          const double take = std::min(use, res_pg[p * G + g]);
          hbm_stock[v * G + g] -= take;
          use -= take;
        }
        // Fresh stacks: bought from suppliers of specific generations.
        for (int l : memory_links[p]) {
          const auto [sup, consumer] = memory->link(l);
          double got = memory->allocated(l);
          if (consumer == p) {
            const double take = std::min(use, got);
            use -= take;
            got -= take;
          }
          hbm_stock[v * G + memory_gen[sup]] += got;
        }
        for (int g = 0; g < G; ++g)
          hbm_stock[v * G + g] = std::max(0.0, hbm_stock[v * G + g]);
      }
      for (const auto& comp : x.inputs.components) {
        const double use = m * comp.count;
        comp_avail[comp.product] -= use;
        finished[comp.product] = std::max(0.0, finished[comp.product] - use);
      }
      finished[p] += m;
      comp_avail[p] = finished[p];

      binding_[p] = bind;
    }
  }
  // Unit cost from inputs (USD), from this period's yields and input prices; it does not
  // depend on how much is made, so prices can be set before production.
  void unit_costs() {
    for (int p : order) {
      const Product& x = s.products[p];
      double c = 0;
      if (x.inputs.node != kNone) {
        const double gd = p_dpw[p] * node_yield[x.inputs.node];
        if (gd > 0) c += n_wcost[x.inputs.node] / gd * x.specs.dies_per_package;
      }
      c += x.inputs.hbm_stacks * p_hbm_price[p];
      if (!x.inputs.packagers.empty() && p_per_wafer[p] > 0) {
        double kc = kInf;
        for (int k : x.inputs.packagers)
          kc = std::min(kc, k_cost[k]);
        c += kc / p_per_wafer[p];
      }
      for (const auto& comp : x.inputs.components)
        c += comp.count * cost[comp.product];
      cost[p] = c;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Stage 4: pricing.
  void pricing() {
    for (int p = 0; p < P; ++p) {
      const double sub = s.mechanisms.importer_policy ? prod_subsidy[product_region[p]] : 0;
      const double list = p_list[p] * (1 + kappa * scarcity[p]);
      price[p] = std::max(list - sub * cost[p], 0.05 * p_list[p]);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Stages 5-7: demand, rationing, accounting.
  void market(int t, Trajectory& tr) {
    std::copy(budget.begin(), budget.end(), remaining.begin());
    std::fill(delivered.begin(), delivered.end(), 0.0);
    std::fill(spill.begin(), spill.end(), 0.0);
    initial_room();
    const int rounds = 1 + (s.mechanisms.rationing ? s.market.rationing_rounds : 0);
    for (int round = 0; round < rounds; ++round) {
      desire(remaining);
      std::fill(q_product.begin(), q_product.end(), 0.0);
      std::fill(q_channel.begin(), q_channel.end(), 0.0);
      std::fill(q_licence.begin(), q_licence.end(), 0.0);
      bool any = false;
      for (int sb = 0; sb < SB; ++sb) {
        if (remaining[sb] <= 0) continue;  // desire() left its quantities at zero
        const int r = s.buyers[sb / kSegments].region;
        for (const auto& [o, p, c, licensed] : candidates[r]) {
          const double q = desired[sb * O + o];
          if (q <= 0) continue;
          any = true;
          q_product[p] += q;
          q_channel[c] += q;
          if (licensed) q_licence[p * R + r] += q;
        }
      }
      if (!any) break;
      if (round > 0)
        for (int p = 0; p < P; ++p)
          spill[p] += q_product[p];
      // Every option gets the same fill factor from each limit it shares (pro-rata), so the
      // room used this round is subtracted only after all deliveries of the round.
      std::fill(used_product.begin(), used_product.end(), 0.0);
      std::fill(used_channel.begin(), used_channel.end(), 0.0);
      std::fill(used_licence.begin(), used_licence.end(), 0.0);
      for (int sb = 0; sb < SB; ++sb) {
        if (remaining[sb] <= 0) continue;
        const int r = s.buyers[sb / kSegments].region;
        for (const auto& [o, p, c, licensed] : candidates[r]) {
          const double q = desired[sb * O + o];
          if (q <= 0) continue;
          double f = std::min(1.0, avail[p] / q_product[p]);
          f = std::min(f, channel_left[c] / q_channel[c]);
          if (licensed)
            f = std::min({f, approval[p * R + r], licence_left[p * R + r] / q_licence[p * R + r]});
          f = std::max(0.0, f);
          const double d = q * f;
          delivered[sb * O + o] += d;
          used_product[p] += d;
          used_channel[c] += d;
          if (licensed) used_licence[p * R + r] += d;
          remaining[sb] = std::max(0.0, remaining[sb] - d * pb[r * O + o]);
          if (f < 1 - 1e-9) sub_open[sb * O + o] = 0;  // re-offer the rest elsewhere
        }
        // Rounding residue is not budget: a sub-buyer that spent all but 1e-9 of its budget
        // is done (and skipped by later rounds).
        if (remaining[sb] <= 1e-9 * budget[sb]) remaining[sb] = 0;
      }
      for (int p = 0; p < P; ++p)
        avail[p] = std::max(0.0, avail[p] - used_product[p]);
      for (int c = 0; c < C; ++c)
        channel_left[c] = std::max(0.0, channel_left[c] - used_channel[c]);
      for (int i = 0; i < P * R; ++i)
        licence_left[i] = std::max(0.0, licence_left[i] - used_licence[i]);
    }
    accounting(t, tr);
  }

  // Room before any delivery this period: finished stock, channel capacity after
  // enforcement, and licence volume caps (a share of last period's shipments to the issuer).
  void initial_room() {
    for (int p = 0; p < P; ++p)
      avail[p] = finished[p];
    for (int c = 0; c < C; ++c)
      channel_left[c] = c_cap[c] * std::exp(-c_elast[c] * c_enforcement[c]);
    for (int i = 0; i < P * R; ++i) {
      const int p = i / R, issuer = fee_issuer[i];
      licence_left[i] = issuer == kNone || !std::isfinite(cap_share[i])
                            ? kInf
                            : cap_share[i] * sold_to_prev[p * R + issuer];
    }
  }

  void accounting(int t, Trajectory& tr) {
    std::fill(sold.begin(), sold.end(), 0.0);
    std::fill(sold_to_now.begin(), sold_to_now.end(), 0.0);
    // Installed base retires exponentially over the service life.
    const double keep = std::max(0.0, 1 - dt / life);
    for (auto& x : installed)
      x *= keep;

    for (int r = 0; r < R; ++r) {
      tr.fees_collected.at(t, r) = 0;
      tr.subsidy_spend.at(t, r) = 0;
    }
    std::vector<double>& region_units = region_units_;
    std::vector<double>& region_dom_units = region_dom_units_;
    std::vector<double>& region_compute = region_compute_;
    std::vector<double>& region_dom_compute = region_dom_compute_;
    std::fill(region_units.begin(), region_units.end(), 0.0);
    std::fill(region_dom_units.begin(), region_dom_units.end(), 0.0);
    std::fill(region_compute.begin(), region_compute.end(), 0.0);
    std::fill(region_dom_compute.begin(), region_dom_compute.end(), 0.0);

    for (int b = 0; b < B; ++b) {
      tr.buyer_spend.at(t, b) = 0;
      tr.unmet_budget.at(t, b) = 0;
    }
    for (int sb = 0; sb < SB; ++sb) {
      const int b = sb / kSegments, r = s.buyers[b].region;
      double spend = 0;
      for (const auto& [o, p, c, licensed] : candidates[r]) {
        const double d = delivered[sb * O + o];
        if (d <= 0) continue;
        const double paid = pb[r * O + o];
        spend += d * paid;
        sold[p] += d;
        sold_to_now[p * R + r] += d;
        tr.units_sold.at(t, p, r, c) += d;
        const int v = s.products[p].vendor;
        const bool domestic = product_region[p] == r;
        const ChannelKind kind = s.channels[c].kind;
        if (kind == ChannelKind::direct || kind == ChannelKind::licensed) {
          tr.revenue.at(t, v, r) += d * paid;
          if (kind == ChannelKind::licensed && fee_issuer[p * R + r] != kNone)
            tr.fees_collected.at(t, fee_issuer[p * R + r]) += fee[p * R + r] * d * paid;
        }
        if (!s.channels[c].legal()) tr.smuggled_units.at(t, p, r) += d;
        installed[b * P + p] += d;
        const int e = product_eco[p];
        const double pf = d * s.products[p].specs.tflops_bf16 / 1000 *
                          economics::utilisation(u_floor, maturity[e]) * efficiency[b];
        region_units[r] += d;
        region_compute[r] += pf;
        if (domestic) {
          region_dom_units[r] += d;
          region_dom_compute[r] += pf;
        }
      }
      tr.buyer_spend.at(t, b) += spend;
      tr.unmet_budget.at(t, b) += remaining[sb];
    }
    for (int p = 0; p < P; ++p)
      for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c)
          tr.unit_price.at(t, p, r, c) = pb[r * O + p * C + c];

    // Stocks after sales; backlog and scarcity for next period.
    for (int p = 0; p < P; ++p) {
      finished[p] = std::max(0.0, finished[p] - sold[p]);
      backlog[p] =
          in_production(p, t) ? std::max(0.0, notional[p] + w_spill * spill[p] - sold[p]) * 0.5 : 0;
      scarcity[p] =
          notional[p] > 0 ? std::clamp((notional[p] - sold[p]) / notional[p], 0.0, 1.0) : 0;
    }

    // Government spending: production subsidy on domestic output, energy subsidy on the
    // electricity of installed domestic chips.
    if (s.mechanisms.importer_policy) {
      for (int p = 0; p < P; ++p) {
        const int r = product_region[p];
        tr.subsidy_spend.at(t, r) += prod_subsidy[r] * cost[p] * made[p];
      }
      for (int b = 0; b < B; ++b) {
        const int r = s.buyers[b].region;
        if (energy_subsidy[r] <= 0) continue;
        for (int p = 0; p < P; ++p) {
          if (product_region[p] != r) continue;
          const double kwh =
              installed[b * P + p] * s.products[p].specs.power_w / 1000 * pue * hours * dt;
          tr.subsidy_spend.at(t, r) += kwh * e_price[r] * energy_subsidy[r];
        }
      }
    }

    // Buyers: installed and effective compute; efficiency grows faster when short.
    for (int b = 0; b < B; ++b) {
      double total_budget = 0;
      for (int k = 0; k < kSegments; ++k)
        total_budget += budget[b * kSegments + k];
      unmet_share[b] = total_budget > 0 ? tr.unmet_budget.at(t, b) / total_budget : 0;
      efficiency[b] *= std::pow(1 + b_effg[b] * (1 + eff_feedback * unmet_share[b]), dt);
      double raw = 0, eff = 0;
      for (int p = 0; p < P; ++p) {
        const double pf = installed[b * P + p] * s.products[p].specs.tflops_bf16 / 1000;
        raw += pf;
        eff += pf * economics::utilisation(u_floor, maturity[product_eco[p]]);
      }
      tr.buyer_installed_compute.at(t, b) = raw;
      tr.buyer_effective_compute.at(t, b) = eff * efficiency[b];
    }
    for (int r = 0; r < R; ++r) {
      double ec = 0, ic = 0, dom = 0, mkt = 0;
      for (int b = 0; b < B; ++b)
        if (s.buyers[b].region == r) {
          ec += tr.buyer_effective_compute.at(t, b);
          ic += tr.buyer_installed_compute.at(t, b);
        }
      tr.installed_compute.at(t, r) = ic;
      tr.installed_equivalents.at(t, r) = reference_pflops > 0 ? ic / reference_pflops : 0;
      tr.market_units.at(t, r) = region_units[r];
      tr.domestic_units.at(t, r) = region_dom_units[r];
      tr.compute_added.at(t, r) = region_compute[r];
      tr.domestic_compute_added.at(t, r) = region_dom_compute[r];
      for (int v = 0; v < V; ++v) {
        mkt += tr.revenue.at(t, v, r);
        if (s.vendors[v].region == r) dom += tr.revenue.at(t, v, r);
      }
      tr.effective_compute.at(t, r) = ec;
      tr.market_revenue.at(t, r) = mkt;
      tr.domestic_revenue.at(t, r) = dom;
      tr.domestic_share_revenue.at(t, r) = mkt > 0 ? dom / mkt : 0;
      tr.domestic_share_units.at(t, r) =
          region_units[r] > 0 ? region_dom_units[r] / region_units[r] : 0;
      tr.domestic_share_compute.at(t, r) =
          region_compute[r] > 0 ? region_dom_compute[r] / region_compute[r] : 0;
    }

    // Ecosystems learn from their installed base.
    std::fill(eco_now_.begin(), eco_now_.end(), 0.0);
    for (int b = 0; b < B; ++b)
      for (int p = 0; p < P; ++p)
        eco_now_[product_eco[p]] += installed[b * P + p];
    for (int e = 0; e < E; ++e) {
      const double ib = eco_now_[e];
      const double before = std::max(eco_ib[e], eco_base), after = std::max(ib, eco_base);
      if (after > before)
        maturity[e] = std::min(1.0, maturity[e] + e_learn[e] * std::log2(after / before));
      eco_ib[e] = std::max(eco_ib[e], ib);
      tr.ecosystem_maturity.at(t, e) = maturity[e];
    }

    for (int p = 0; p < P; ++p) {
      tr.production.at(t, p) = made[p];
      tr.binding_input.at(t, p) = static_cast<double>(binding_[p]);
      tr.price.at(t, p) = price[p];
      tr.unit_cost.at(t, p) = cost[p];
      tr.die_bank.at(t, p) = die_bank[p];
      tr.finished_stock.at(t, p) = finished[p];
    }
    for (int v = 0; v < V; ++v) {
      double h = 0;
      for (int g = 0; g < G; ++g)
        h += hbm_stock[v * G + g];
      tr.hbm_stock.at(t, v) = h;
    }
    std::swap(sold_to_prev, sold_to_now);
    std::swap(spill_prev, spill);
  }
  void run(Trajectory& tr, int point, int replicate, std::uint64_t seed, const RunOptions& opt) {
    if (tr.periods != T || tr.products != P || tr.vendors != V || tr.regions != R ||
        tr.channels != C || tr.buyers != B || tr.ecosystems != E || tr.events != n_events)
      tr.reset(T, P, V, R, C, B, E, n_events);
    else
      // Every series is overwritten each period except these, which accumulate.
      for (Series* acc : {&tr.units_sold, &tr.revenue, &tr.smuggled_units})
        acc->fill(0.0);
    tr.point = point;
    tr.replicate = replicate;
    tr.seed = seed;
    binding_.assign(P, BindingInput::none);
    for (auto* v : {&region_units_, &region_dom_units_, &region_compute_, &region_dom_compute_})
      v->assign(R, 0.0);
    reset(seed, replicate, opt);
    for (int t = 0; t < T; ++t) {
      policy(t, tr, opt);
      capacity(t);
      set_budgets(t);
      // Prices depend only on this period's unit costs and last period's scarcity, so they
      // are set first and vendors plan production at them (docs/MODEL.md, section 0).
      unit_costs();
      pricing();
      build_options(t);
      production(t);
      market(t, tr);
    }
    // The structural-uncertainty record: when each stochastic event and trigger fired.
    int k = 0;
    for (const auto& x : rules)
      if (!x.scheduled) tr.event_period[static_cast<std::size_t>(k++)] = x.fired_at;
  }
};

Model::Model(const Scenario& scenario) : impl_(std::make_unique<Impl>(scenario)) {}
Model::~Model() = default;

void Model::run(Trajectory& out, int point, int replicate, std::uint64_t seed,
                const RunOptions& options) {
  impl_->run(out, point, replicate, seed, options);
}

Trajectory run_replicate(const Scenario& scenario, int point, int replicate, std::uint64_t seed,
                         const RunOptions& options) {
  Model model(scenario);
  Trajectory t;
  model.run(t, point, replicate, seed, options);
  return t;
}

}  // namespace chipsim
