// What the stages of a period share (docs/MODEL.md, section 0):
//   Structure  fixed for the run: dimensions, the options buyers may ever have, rule scopes;
//   Params     drawn once per replicate from the scenario's distributions;
//   State      everything that changes from period to period, and the work buffers.
// Arrays are dense and indexed through small named views (Table) rather than by hand.
// Internal to sim/model: nothing outside the model includes this header.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "model/allocation.hpp"
#include "model/trajectory.hpp"
#include "rng/streams.hpp"
#include "scenario/scenario.hpp"

namespace chipsim::model {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
// Highest price multiple over list a leakage channel may reach (docs/MODEL.md, section 7).
inline constexpr double kMaxMultiple = 20.0;

// A dense rows x cols array: t(i, j) for one cell, t.row(i) for a row.
template <class T>
class Table {
 public:
  void assign(int rows, int cols, T value) {
    cols_ = cols;
    data_.assign(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), value);
  }
  T& operator()(int i, int j) { return data_[index(i, j)]; }
  const T& operator()(int i, int j) const { return data_[index(i, j)]; }
  std::span<T> row(int i) { return {data_.data() + index(i, 0), static_cast<std::size_t>(cols_)}; }
  std::span<const T> row(int i) const {
    return {data_.data() + index(i, 0), static_cast<std::size_t>(cols_)};
  }
  void fill(T value) { std::fill(data_.begin(), data_.end(), value); }
  std::vector<T>& data() { return data_; }

 private:
  [[nodiscard]] std::size_t index(int i, int j) const {
    return static_cast<std::size_t>(i) * static_cast<std::size_t>(cols_) +
           static_cast<std::size_t>(j);
  }
  int cols_ = 0;
  std::vector<T> data_;
};

// Rows of different lengths stored end to end: t.row(i) holds row i's cells. The model keeps
// each sub-buyer's per-option figures this way, one cell per option its buyer may ever weigh
// (Structure::options_of), so the tables grow as sub-buyers x choice-set sizes and one
// sub-buyer's figures are contiguous.
template <class T>
class RaggedTable {
 public:
  template <class RowLength>
  void assign(int rows, RowLength&& length, T value) {
    start_.assign(static_cast<std::size_t>(rows) + 1, 0);
    for (int i = 0; i < rows; ++i)
      start_[static_cast<std::size_t>(i) + 1] =
          start_[static_cast<std::size_t>(i)] + static_cast<std::size_t>(length(i));
    data_.assign(start_.back(), value);
  }
  std::span<T> row(int i) { return {data_.data() + start_[static_cast<std::size_t>(i)], size(i)}; }
  std::span<const T> row(int i) const {
    return {data_.data() + start_[static_cast<std::size_t>(i)], size(i)};
  }
  void fill(T value) { std::fill(data_.begin(), data_.end(), value); }
  std::vector<T>& data() { return data_; }  // every cell, row after row

 private:
  [[nodiscard]] std::size_t size(int i) const {
    return start_[static_cast<std::size_t>(i) + 1] - start_[static_cast<std::size_t>(i)];
  }
  std::vector<std::size_t> start_;
  std::vector<T> data_;
};

// Each buyer's budget is split into sub-buyers: training and inference, each into a part bound
// by a domestic mandate and a free part (docs/MODEL.md, section 5).
inline constexpr int kSegments = 4;
inline bool is_training(int segment) {
  return segment < 2;
}
inline bool is_mandated(int segment) {
  return segment % 2 == 1;
}

// One way a buyer in a region may buy: product p through channel c (option o = p x C + c).
// `slot` is the product's place in the list of products of the option list it belongs to
// (Structure::products_of), where a buyer's installed base is kept.
struct Option {
  int o = 0, p = 0, c = 0;
  ChannelKind kind = ChannelKind::direct;
  bool licensed = false;
  int slot = 0;
};

// A rule, scheduled or stochastic, with the products it concerns.
struct RuleDef {
  const RuleBody* body = nullptr;
  int issuer = kNone;
  int policy = kNone;
  std::uint64_t key = 0;
  int announced = 0, effective = 0, expires = 0;  // for scheduled rules
  double effective_share = 1;  // share of period `effective` the rule is in force
  bool scheduled = true;
  const Event* event = nullptr;
  const Trigger* trigger = nullptr;
  std::vector<char> matches;  // [product]
};

struct Structure {
  explicit Structure(const Scenario& scenario);

  const Scenario& s;
  int T, P, V, R, C, B, E, N, M, K, F, G, O, SB;
  int n_events;             // stochastic events and triggers (Trajectory::event_period)
  double reference_pflops;  // dense PFLOP/s of market.reference_product; 0 if unset
  std::vector<int> order;   // production order (components first)
  std::vector<int> product_region, product_eco, memory_gen, buyer_region;
  std::vector<std::vector<int>> product_gens;  // [product]: accepted HBM generations
  std::vector<double> gross_dpw;               // [product]: candidate dies per wafer by area
  std::vector<std::uint64_t> h_region, h_node, h_foundry, h_memory, h_packager, h_product,
      h_inventory, h_buyer, h_channel, h_eco, h_policy;
  std::uint64_t h_market;
  std::vector<std::string> generations;  // every HBM generation, sorted
  Table<char> serves;                    // [channel][region]
  Table<char> sold_in;                   // [product][region]
  // [region]: the options that can ever be open to a buyer there. Loops visit only these.
  std::vector<std::vector<Option>> candidates;
  // The options each buyer weighs: its region's candidates, restricted to the products the
  // buyer lists (Buyer::products) if it lists any, in the region's order. choice_sets holds
  // one list per buyer with a list; choice_of[buyer] indexes it, kNone for the others.
  std::vector<std::vector<Option>> choice_sets;
  std::vector<int> choice_of;
  int max_choice = 0;  // the longest choice set of any buyer
  [[nodiscard]] const std::vector<Option>& options_of(int buyer) const {
    const int own = choice_of[static_cast<std::size_t>(buyer)];
    return own == kNone
               ? candidates[static_cast<std::size_t>(buyer_region[static_cast<std::size_t>(buyer)])]
               : choice_sets[static_cast<std::size_t>(own)];
  }
  // The products of those options, ascending, once each ([region] and [choice set]): the
  // only products a buyer can ever own, so its installed base has one cell for each.
  std::vector<std::vector<int>> candidate_products, choice_products;
  [[nodiscard]] const std::vector<int>& products_of(int buyer) const {
    const int own = choice_of[static_cast<std::size_t>(buyer)];
    return own == kNone ? candidate_products[static_cast<std::size_t>(
                              buyer_region[static_cast<std::size_t>(buyer)])]
                        : choice_products[static_cast<std::size_t>(own)];
  }
  std::vector<RuleDef> rules;
  // [product x region]: the export_control rules that concern the pair, in scenario order.
  std::vector<std::vector<int>> export_rules;
  // Input edges of the supply graph: (supplier, consumer); memory consumers are products
  // (0..P-1) and the vendors' stockpile purchases for them (P..2P-1).
  std::vector<std::pair<int, int>> wafer_links, memory_links, packaging_links;

  [[nodiscard]] bool in_production(int p, int t) const {
    return s.products[p].launch <= t && t < s.products[p].retire;
  }

 private:
  bool rule_matches(const RuleBody& b, int issuer, int p) const;
};

// Whether a rule of body `b` issued by region `issuer` reaches `region`.
bool targets(const RuleBody& b, int issuer, int region);

// Random draws of a rule, per replicate.
struct RuleDraw {
  double approval = 1, fee = 0, cap = kInf, penalty = 0, share = 1, rate = 0, hazard = 0,
         threshold = 0, level = 0;
};

// Parameters drawn once per replicate (docs/MODEL.md, section 10).
struct Params {
  double dt = 0.25;                                                         // years per period
  std::vector<double> e_price;                                              // [region]
  std::vector<double> n_cap0, n_growth, n_wcost, n_y0, n_yceil, n_b, n_w0;  // [node]
  std::vector<double> f_dep;                                                // [foundry]
  std::vector<double> m_cap0, m_growth, m_price;                            // [memory supplier]
  std::vector<double> k_cap0, k_growth, k_cost;                             // [packager]
  std::vector<double> p_list, p_dpw, p_per_wafer, p_hbm_price;              // [product]
  std::vector<double> b_capex, b_growth, b_growth2, b_noise, b_rho, b_ashare, b_tshare, b_alpha,
      b_gamma, b_delta, b_effg;  // [buyer]
  // [channel]: hard capacity, reference multiple, supply curve, enforcement against it.
  std::vector<double> c_cap, c_markup, c_supply, c_supply_el, c_elast;
  std::vector<double> e_m0, e_learn;  // [ecosystem]
  std::vector<double> pol_enforcement;
  std::vector<RuleDraw> rules;
  std::vector<double> inventory;  // [inventory]
  double pue = 1, hours = 0, life = 1, kappa = 0, w_expect = 1, logit = 1, passthrough = 1,
         intensity = 1, train_factor = 1, u_floor = 0, boost = 0, stockpile_periods = 0,
         eff_feedback = 0, eco_base = 1;
};

// Per replicate: when a rule fires and whether it is in force.
struct RuleState {
  int fired_at = -1;
  int announced = 0, effective = 0, expires = 0;
  bool active = false, pending = false;
  double weight = 0;  // share of this period the rule is in force
  double from = 0;    // time within the period (0 to 1) it comes into force
  [[nodiscard]] bool in_force(double tau) const { return active && tau >= from; }
};

// What set_up (model.cpp) builds for a part of the period: the trade rules in force in it
// (apply_rules), what each channel offers (offer), and the sub-buyers' budgets, options,
// prices and weights (build_options). These depend only on what the period's stages fixed
// before its plans (rules, prices, budgets, channel multiples, maturity) and on which
// products are on sale, so a part set up for the plan serves the second plan and the market
// unchanged while its key (t, from, to, on_sale) still holds.
struct PartSetup {
  explicit PartSetup(const Structure& st);

  // The key: the period, the part's bounds, and which products were on sale (a retired
  // product is on sale while it has stock, which the market's earlier parts and the
  // consumption of components can exhaust).
  int t = -1;
  double from = 0, to = 0;
  std::vector<char> on_sale;  // [product]

  // Policy (section 1), in force from `from`.
  enum Status : char { kFree = 0, kLicensed = 1, kDenied = 2 };
  Table<char> status, banned, pending_restrict;     // [product][region]
  Table<double> approval, fee, cap_share, penalty;  // [product][region]
  Table<int> fee_issuer;                            // [product][region]
  std::vector<double> mandate, energy_subsidy;      // [region]
  std::vector<double> enforcement;    // [policy]: effort against leakage, in force at `from`
  std::vector<double> c_enforcement;  // [channel]: enforcement against the channel
  std::vector<int> enforcement_rule;  // [policy]: its enforcement rule in force, or -1

  // Leakage (section 7): what each channel can carry in the part.
  std::vector<double> c_offer;  // [channel]

  // Demand (section 5).
  std::vector<double> budget;  // [sub-buyer]
  Table<double> pb;            // [region][option]: price paid
  Table<double> log_cost;      // [region x 2 + training][option]
  Table<char> option_open;     // [region][option]
  // [sub-buyer][option i of its buyer's choice set]: logit weight and weight over price paid
  // (set only where the option is open to the sub-buyer). Spreading funds f over the open
  // options asks for f / sum(weight) x weight_per_price units of each (x.scale holds the
  // first factor).
  RaggedTable<double> weight, weight_per_price;
  // [sub-buyer]: the options open when a clearing of the part starts, as choice-set indices,
  // and the sum of their weights (added in that order).
  std::vector<std::vector<int>> open0;
  std::vector<double> weight_sum0;
};

struct State {
  explicit State(const Structure& st);

  // Policy (section 1): the rules' states and what holds for the whole period. What holds at
  // a time within it is in the part's PartSetup.
  std::vector<RuleState> rules;
  std::vector<double> cuts_at;  // times within the period at which a rule comes into force
  std::vector<char> cut_foundry, cut_memory, cut_packaging, pending_memory_cut;  // [vendor]
  std::vector<double> equipment_cut;                                             // [foundry]
  std::vector<double> prod_subsidy;                                              // [region]

  // What set_up builds for each part of the period (one PartSetup per part, reused by the
  // plans and the market while its key holds), and the one the stages read now.
  std::vector<PartSetup> setups;
  int current = 0;
  PartSetup& part() { return setups[static_cast<std::size_t>(current)]; }
  const PartSetup& part() const { return setups[static_cast<std::size_t>(current)]; }
  std::vector<char> on_sale;  // [product]: work row of the key check (PartSetup::on_sale)

  // Capacity (section 2).
  std::vector<double> node_cap, node_w, node_yield, mem_cap, pack_cap;

  // Production (section 3).
  std::vector<double> die_bank, finished, planned, plan_cap, expected, expected_last, backlog,
      target, goal, made, comp_avail;  // [product]
  std::vector<char> has_expected;
  Table<double> hbm_stock, reserved;                  // [vendor][generation]
  Table<double> res_pg;                               // [product][generation]
  std::vector<BindingInput> binding, binding_first;   // [product]
  std::vector<int> binding_supplier, supplier_first;  // [product]: supplier_labels index
  std::unique_ptr<InputAllocator> wafers, memory, packaging;
  std::vector<std::vector<int>> memory_links_of;  // [product]: its HBM links

  // Pricing (section 4).
  std::vector<double> scarcity, price, cost;  // [product]

  // Demand (section 5).
  std::vector<double> shock, efficiency, unmet_share, annual_budget;  // [buyer]
  std::vector<double> remaining;                                      // [sub-buyer]
  // [sub-buyer][option i of its buyer's choice set]: units delivered in the clearing (set only
  // where the option is open to the sub-buyer).
  RaggedTable<double> delivered;
  std::vector<double> utility;  // [choice-set option]: work row of build_options
  // [sub-buyer]: the sum of the weights of the options still open (in open_list's order), and
  // what is left of the budget over it: spreading the budget asks for scale x
  // weight_per_price units of each open option.
  std::vector<double> weight_sum, scale;
  std::vector<rng::Engine> buyer_engines, event_engines;

  // Rationing (section 6).
  std::vector<char> stock_limited;  // [product]: limited by its stock in this clearing
  // [sub-buyer]: its open options in this clearing, as indices into its choice set.
  std::vector<std::vector<int>> open_list;
  std::vector<double> q_product, avail, used_product, fill_product, taken;  // [product]
  std::vector<double> q_channel, channel_left, used_channel, fill_channel;  // [channel]
  Table<double> q_licence, licence_left, used_licence, fill_licence;        // [product][region]

  // Leakage (section 7): a channel's price multiple over list, its offer in the period and
  // the units asked of it at the period's prices.
  std::vector<double> c_mult, c_demand, c_offered;

  // Accounting (section 8).
  std::vector<double> sold;                 // [product]
  Table<double> sold_to_prev, sold_to_now;  // [product][region]
  RaggedTable<double> installed;            // [buyer][Structure::products_of(buyer)]: units owned
  Table<double> money;                      // [region][option]: paid in the period
  std::vector<double> maturity, eco_ib, eco_now;  // [ecosystem]
  std::vector<double> region_units, region_dom_units, region_compute, region_dom_compute;
};

}  // namespace chipsim::model
