// Structure and State set-up (docs/MODEL.md, section 0).
#include <algorithm>
#include <boost/range/iterator_range.hpp>
#include <cmath>
#include <numbers>

#include "graph/supply_graph.hpp"
#include "model/stages.hpp"

namespace chipsim::model {

namespace {
constexpr double kWaferRadiusMm = 150.0;  // 300 mm wafers

// Gross candidate dies per wafer for a die of `area` mm^2 (the standard approximation
// pi r^2 / A - pi 2r / sqrt(2A), which discounts partial dies at the edge).
double gross_dies_per_wafer(double area) {
  const double r = kWaferRadiusMm;
  return std::max(1.0,
                  std::numbers::pi * r * r / area - std::numbers::pi * 2 * r / std::sqrt(2 * area));
}

// Every HBM generation named anywhere in the scenario, sorted.
std::vector<std::string> generation_names(const Scenario& s) {
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

template <class List>
std::vector<std::uint64_t> hashes(const List& list, const char* kind) {
  std::vector<std::uint64_t> h;
  for (const auto& x : list)
    h.push_back(rng::hash_name(std::string(kind) + ":" + x.name));
  return h;
}
}  // namespace

bool targets(const RuleBody& b, int issuer, int region) {
  if (b.destinations.empty()) return region != issuer;
  return std::find(b.destinations.begin(), b.destinations.end(), region) != b.destinations.end();
}

Structure::Structure(const Scenario& sc)
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
                           : sc.products[sc.market.reference_product].specs.tflops_bf16 / 1000),
      h_market(rng::hash_name("market")),
      generations(generation_names(sc)) {
  const SupplyGraph graph(s);
  order = graph.production_order();
  auto gen_index = [&](const std::string& g) {
    return static_cast<int>(std::lower_bound(generations.begin(), generations.end(), g) -
                            generations.begin());
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
    gross_dpw.push_back(gross_dies_per_wafer(p.specs.die_area_mm2));
  }
  for (const auto& b : s.buyers)
    buyer_region.push_back(b.region);
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

  sold_in.assign(P, R, 0);
  for (int p = 0; p < P; ++p)
    for (int r = 0; r < R; ++r) {
      const auto& mk = s.products[p].markets;
      sold_in(p, r) = mk.empty() || std::find(mk.begin(), mk.end(), r) != mk.end();
    }
  serves.assign(C, R, 0);
  for (int c = 0; c < C; ++c)
    for (int r = 0; r < R; ++r) {
      const auto& d = s.channels[c].destinations;
      serves(c, r) = d.empty() || std::find(d.begin(), d.end(), r) != d.end();
    }
  // A smuggled or proxy-made unit is diverted from legal sales elsewhere, so those channels
  // carry into r only products also sold in some other region.
  candidates.assign(static_cast<std::size_t>(R), {});
  for (int r = 0; r < R; ++r) {
    for (int o = 0; o < O; ++o) {
      const int p = o / C, c = o % C;
      if (!sold_in(p, r) || !serves(c, r)) continue;
      const ChannelKind kind = s.channels[c].kind;
      if (kind == ChannelKind::smuggling || kind == ChannelKind::proxy_fabrication) {
        bool elsewhere = false;
        for (int r2 = 0; r2 < R; ++r2)
          elsewhere = elsewhere || (r2 != r && sold_in(p, r2));
        if (!elsewhere) continue;
      }
      candidates[r].push_back({o, p, c, kind, kind == ChannelKind::licensed});
    }
  }
  // Each option list's products, ascending (the lists are in option order, so by product),
  // and each option's place among them.
  const auto list_products = [](std::vector<Option>& list) {
    std::vector<int> products;
    for (Option& k : list) {
      if (products.empty() || products.back() != k.p) products.push_back(k.p);
      k.slot = static_cast<int>(products.size()) - 1;
    }
    return products;
  };
  candidate_products.clear();
  for (auto& list : candidates)
    candidate_products.push_back(list_products(list));
  choice_of.clear();
  for (int b = 0; b < B; ++b) {
    const Buyer& buyer = s.buyers[b];
    if (buyer.products.empty()) {
      choice_of.push_back(kNone);
    } else {
      // The region's options of each listed product, found by search (a region's list is
      // ordered by product): the cost is the choice set's, not the world's.
      std::vector<int> wanted = buyer.products;
      std::sort(wanted.begin(), wanted.end());
      const std::vector<Option>& region = candidates[buyer.region];
      std::vector<Option> own;
      auto k = region.begin();
      for (const int p : wanted) {
        k = std::lower_bound(k, region.end(), p, [](const Option& o, int q) { return o.p < q; });
        for (; k != region.end() && k->p == p; ++k)
          own.push_back(*k);
      }
      choice_of.push_back(static_cast<int>(choice_sets.size()));
      choice_products.push_back(list_products(own));
      choice_sets.push_back(std::move(own));
    }
    max_choice = std::max(max_choice, static_cast<int>(options_of(b).size()));
  }

  auto add_rule = [&](const RuleBody& body, int policy, const std::string& key, bool scheduled) {
    RuleDef x;
    x.body = &body;
    x.issuer = s.policies[policy].region;
    x.policy = policy;
    x.key = rng::hash_name(key);
    x.scheduled = scheduled;
    x.matches.assign(static_cast<std::size_t>(P), 0);
    for (int p = 0; p < P; ++p)
      x.matches[p] = rule_matches(body, x.issuer, p);
    rules.push_back(std::move(x));
  };
  for (const Rule& r : s.rules) {
    add_rule(r.body, r.policy, "rule:" + s.policies[r.policy].name + "." + r.name, true);
    auto& x = rules.back();
    x.announced = r.announced, x.effective = r.effective, x.expires = r.expires;
    x.effective_share = r.effective_share;
  }
  for (const Event& e : s.events) {
    add_rule(e.body, e.policy, "event:" + s.policies[e.policy].name + "." + e.name, false);
    rules.back().event = &e;
  }
  for (const Trigger& tr : s.triggers) {
    add_rule(tr.body, tr.policy, "trigger:" + s.policies[tr.policy].name + "." + tr.name, false);
    rules.back().trigger = &tr;
  }

  export_rules.assign(static_cast<std::size_t>(P * R), {});
  for (int p = 0; p < P; ++p)
    for (int r = 0; r < R; ++r)
      for (std::size_t i = 0; i < rules.size(); ++i) {
        const RuleDef& x = rules[i];
        if (x.body->type == RuleType::export_control && x.matches[p] &&
            targets(*x.body, x.issuer, r) && product_region[p] != r)
          export_rules[p * R + r].push_back(static_cast<int>(i));
      }

  // Allocation networks mirror the supply graph's input edges.
  for (auto e : boost::make_iterator_range(boost::edges(graph.graph()))) {
    const auto& ge = graph.graph()[e];
    const int from = graph.graph()[boost::source(e, graph.graph())].entity;
    const int to = graph.graph()[boost::target(e, graph.graph())].entity;
    if (ge.kind == EdgeKind::wafers) wafer_links.emplace_back(from, to);
    if (ge.kind == EdgeKind::memory) {
      memory_links.emplace_back(from, to);
      memory_links.emplace_back(from, P + to);  // the vendor's stockpile purchases
    }
    if (ge.kind == EdgeKind::packaging) packaging_links.emplace_back(from, to);
  }
}

// Does a rule of the given body, issued by `issuer`, concern product p?
bool Structure::rule_matches(const RuleBody& b, int issuer, int p) const {
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

PartSetup::PartSetup(const Structure& st) {
  const int P = st.P, R = st.R, C = st.C, O = st.O, SB = st.SB;
  on_sale.assign(static_cast<std::size_t>(P), 0);
  status.assign(P, R, kFree);
  banned.assign(P, R, 0);
  pending_restrict.assign(P, R, 0);
  for (auto* table : {&approval, &fee, &cap_share, &penalty})
    table->assign(P, R, 0.0);
  fee_issuer.assign(P, R, kNone);
  mandate.assign(static_cast<std::size_t>(R), 0.0);
  energy_subsidy.assign(static_cast<std::size_t>(R), 0.0);
  enforcement.assign(st.s.policies.size(), 0.0);
  c_enforcement.assign(static_cast<std::size_t>(C), 0.0);
  enforcement_rule.assign(st.s.policies.size(), -1);
  c_offer.assign(static_cast<std::size_t>(C), 0.0);
  budget.assign(static_cast<std::size_t>(SB), 0.0);
  pb.assign(R, O, 0.0);
  log_cost.assign(R * 2, O, 0.0);
  option_open.assign(R, O, 0);
  const auto choices_of = [&st](int sb) { return st.options_of(sb / kSegments).size(); };
  for (auto* table : {&weight, &weight_per_price})
    table->assign(SB, choices_of, 0.0);
  open0.assign(static_cast<std::size_t>(SB), {});
  weight_sum0.assign(static_cast<std::size_t>(SB), 0.0);
  for (int sb = 0; sb < SB; ++sb)
    open0[static_cast<std::size_t>(sb)].reserve(choices_of(sb));
}

State::State(const Structure& st) {
  const int P = st.P, R = st.R, V = st.V, C = st.C, B = st.B, E = st.E, O = st.O, SB = st.SB;
  auto z = [](std::vector<double>& v, int n) { v.assign(static_cast<std::size_t>(n), 0.0); };
  rules.resize(st.rules.size());
  for (auto* t :
       {&q_licence, &licence_left, &used_licence, &fill_licence, &sold_to_prev, &sold_to_now})
    t->assign(P, R, 0.0);
  for (auto* v : {&cut_foundry, &cut_memory, &cut_packaging, &pending_memory_cut})
    v->assign(static_cast<std::size_t>(V), 0);
  z(equipment_cut, st.F);
  setups.emplace_back(st);
  on_sale.assign(static_cast<std::size_t>(P), 0);
  for (auto* v :
       {&prod_subsidy, &region_units, &region_dom_units, &region_compute, &region_dom_compute})
    z(*v, R);
  for (auto* v : {&node_cap, &node_w, &node_yield})
    z(*v, st.N);
  z(mem_cap, st.M);
  z(pack_cap, st.K);
  for (auto* v :
       {&die_bank,  &finished, &planned,      &plan_cap,   &expected,     &expected_last, &backlog,
        &target,    &goal,     &made,         &comp_avail, &scarcity,     &price,         &cost,
        &q_product, &avail,    &used_product, &sold,       &fill_product, &taken})
    z(*v, P);
  has_expected.assign(static_cast<std::size_t>(P), 0);
  hbm_stock.assign(V, st.G, 0.0);
  reserved.assign(V, st.G, 0.0);
  res_pg.assign(P, st.G, 0.0);
  binding.assign(static_cast<std::size_t>(P), BindingInput::none);
  binding_first.assign(static_cast<std::size_t>(P), BindingInput::none);
  binding_supplier.assign(static_cast<std::size_t>(P), kNoSupplier);
  supplier_first.assign(static_cast<std::size_t>(P), kNoSupplier);
  wafers = std::make_unique<InputAllocator>(st.N, P, st.wafer_links);
  memory = std::make_unique<InputAllocator>(st.M, 2 * P, st.memory_links);
  packaging = std::make_unique<InputAllocator>(st.K, P, st.packaging_links);
  memory_links_of.assign(static_cast<std::size_t>(P), {});
  for (int l = 0; l < memory->link_count(); ++l)
    memory_links_of[memory->link(l).second % P].push_back(l);
  for (auto* v : {&shock, &efficiency, &unmet_share, &annual_budget})
    z(*v, B);
  stock_limited.assign(static_cast<std::size_t>(P), 0);
  open_list.assign(static_cast<std::size_t>(SB), {});
  for (int sb = 0; sb < SB; ++sb)
    open_list[static_cast<std::size_t>(sb)].reserve(st.options_of(sb / kSegments).size());
  z(remaining, SB);
  money.assign(R, O, 0.0);
  delivered.assign(
      SB, [&st](int sb) { return st.options_of(sb / kSegments).size(); }, 0.0);
  z(utility, st.max_choice);
  z(weight_sum, SB);
  z(scale, SB);
  buyer_engines.resize(static_cast<std::size_t>(B));
  event_engines.resize(st.rules.size());
  for (auto* v :
       {&q_channel, &channel_left, &used_channel, &fill_channel, &c_mult, &c_demand, &c_offered})
    z(*v, C);
  installed.assign(
      B, [&st](int b) { return st.products_of(b).size(); }, 0.0);
  for (auto* v : {&maturity, &eco_ib, &eco_now})
    z(*v, E);
  cuts_at.reserve(st.rules.size() + 2);
}

void parts(const State& x, std::vector<Part>& out) {
  out.clear();
  double from = 0;
  for (double cut : x.cuts_at) {  // sorted, unique, inside (0, 1)
    out.push_back({from, cut});
    from = cut;
  }
  out.push_back({from, 1});
}

}  // namespace chipsim::model
