#include "model/trajectory.hpp"

namespace chipsim {

const char* to_string(BindingInput b) {
  switch (b) {
    case BindingInput::none:
      return "none";
    case BindingInput::demand:
      return "demand";
    case BindingInput::dies:
      return "dies";
    case BindingInput::memory:
      return "memory";
    case BindingInput::packaging:
      return "packaging";
    case BindingInput::components:
      return "components";
  }
  return "?";
}

std::vector<std::string> supplier_labels(const Scenario& s) {
  std::vector<std::string> out;
  for (int n = 0; n < static_cast<int>(s.nodes.size()); ++n)
    out.push_back(s.node_label(n));
  for (const auto& m : s.memory)
    out.push_back(m.name);
  for (const auto& k : s.packagers)
    out.push_back(k.name);
  out.emplace_back("hbm_stock");
  return out;
}

const char* to_string(TimeRule r) {
  switch (r) {
    case TimeRule::sum:
      return "sum";
    case TimeRule::point:
      return "point";
    case TimeRule::mean:
      return "mean";
  }
  return "?";
}

const char* to_string(CellRule r) {
  switch (r) {
    case CellRule::sum:
      return "sum";
    case CellRule::ratio:
      return "ratio";
    case CellRule::weighted_mean:
      return "weighted_mean";
    case CellRule::none:
      return "none";
  }
  return "?";
}

const char* to_string(DisplayKind k) {
  switch (k) {
    case DisplayKind::money:
      return "money";
    case DisplayKind::count:
      return "count";
    case DisplayKind::share:
      return "share";
    case DisplayKind::compute:
      return "compute";
    case DisplayKind::index:
      return "index";
    case DisplayKind::category:
      return "category";
  }
  return "?";
}

std::string cell_methods(const VariableInfo& v) {
  std::string out = std::string("period: ") + to_string(v.time);
  if (v.cells == CellRule::ratio)
    out += " (comment: ratio within the period; aggregates as the ratio of the aggregated " +
           std::string(v.numerator) + " and " + v.denominator + ")";
  else if (v.cells == CellRule::weighted_mean)
    out += " (comment: aggregates as a mean weighted by " + std::string(v.weight) + ")";
  return out;
}

void Trajectory::reset(int t, int p, int v, int r, int c, int b, int e, int n_events) {
  periods = t, products = p, vendors = v, regions = r, channels = c, buyers = b, ecosystems = e;
  events = n_events;
  units_sold.reset({t, p, r, c});
  unit_price.reset({t, p, r, c});
  revenue.reset({t, v, r, 1});
  for (Series* s :
       {&market_revenue, &domestic_revenue, &domestic_share_revenue, &market_units, &domestic_units,
        &domestic_share_units, &compute_added, &domestic_compute_added, &domestic_share_compute,
        &fees_collected, &subsidy_spend, &installed_compute, &installed_equivalents,
        &effective_compute, &budget, &unspent_budget, &unspent_share})
    s->reset({t, r, 1, 1});
  smuggled_units.reset({t, p, r, 1});
  for (Series* s : {&production, &binding_input, &binding_supplier, &price, &unit_cost, &die_bank,
                    &finished_stock})
    s->reset({t, p, 1, 1});
  hbm_stock.reset({t, v, 1, 1});
  for (Series* s :
       {&buyer_spend, &unmet_budget, &buyer_installed_compute, &buyer_effective_compute})
    s->reset({t, b, 1, 1});
  ecosystem_maturity.reset({t, e, 1, 1});
  event_period.assign(static_cast<std::size_t>(n_events), kNeverFired);
}

const std::vector<VariableInfo>& variables() {
  using T = Trajectory;
  // Short names for the table below.
  constexpr TimeRule flow = TimeRule::sum, point = TimeRule::point, mean = TimeRule::mean;
  constexpr CellRule add = CellRule::sum, ratio = CellRule::ratio,
                     weighted_mean = CellRule::weighted_mean, none = CellRule::none;
  using enum DisplayKind;
  // clang-format off
  static const std::vector<VariableInfo> list = {
      {"units_sold", {"product", "region", "channel"}, "1",
       "accelerators delivered to buyers in region through channel",
       &T::units_sold, flow, add, count},
      {"unit_price", {"product", "region", "channel"}, "USD",
       "price per unit paid by buyers in region through channel",
       &T::unit_price, mean, weighted_mean, money, nullptr, nullptr, "units_sold"},
      {"revenue", {"vendor", "region"}, "USD",
       "vendor revenue from legal sales to buyers in region",
       &T::revenue, flow, add, money},
      {"market_revenue", {"region"}, "USD", "legal accelerator market (revenue of every vendor)",
       &T::market_revenue, flow, add, money},
      {"domestic_revenue", {"region"}, "USD",
       "part of market_revenue earned by vendors headquartered in region",
       &T::domestic_revenue, flow, add, money},
      {"domestic_share_revenue", {"region"}, "1",
       "domestic share of the legal market's revenue",
       &T::domestic_share_revenue, mean, ratio, share, "domestic_revenue", "market_revenue"},
      {"market_units", {"region"}, "1",
       "accelerators reaching region through every channel, legal or not",
       &T::market_units, flow, add, count},
      {"domestic_units", {"region"}, "1",
       "part of market_units made by vendors headquartered in region",
       &T::domestic_units, flow, add, count},
      {"domestic_share_units", {"region"}, "1",
       "domestic share of the accelerators reaching region",
       &T::domestic_share_units, mean, ratio, share, "domestic_units", "market_units"},
      {"compute_added", {"region"}, "PFLOP/s",
       "effective compute added in region in the period (dense BF16 x utilisation x "
       "algorithmic efficiency)",
       &T::compute_added, flow, add, compute},
      {"domestic_compute_added", {"region"}, "PFLOP/s",
       "part of compute_added on chips of vendors headquartered in region",
       &T::domestic_compute_added, flow, add, compute},
      {"domestic_share_compute", {"region"}, "1",
       "domestic share of the effective compute added in region",
       &T::domestic_share_compute, mean, ratio, share, "domestic_compute_added",
       "compute_added"},
      {"smuggled_units", {"product", "region"}, "1",
       "accelerators smuggled in (illegal leakage channels)",
       &T::smuggled_units, flow, add, count},
      {"production", {"product"}, "1", "units made", &T::production, flow, add, count},
      {"binding_input", {"product"}, "1", "input that limited production",
       &T::binding_input, point, none, category},
      {"binding_supplier", {"product"}, "1",
       "supplier whose capacity limited production (flag_meanings: nodes, HBM suppliers, "
       "packagers, hbm_stock; -1 none)",
       &T::binding_supplier, point, none, category},
      {"price", {"product"}, "USD", "list price",
       &T::price, mean, weighted_mean, money, nullptr, nullptr, "production"},
      {"unit_cost", {"product"}, "USD", "unit cost from inputs, before subsidy",
       &T::unit_cost, mean, weighted_mean, money, nullptr, nullptr, "production"},
      {"die_bank", {"product"}, "1", "dies held in stock for later packaging",
       &T::die_bank, point, add, count},
      {"finished_stock", {"product"}, "1", "finished units held by the vendor",
       &T::finished_stock, point, add, count},
      {"hbm_stock", {"vendor"}, "1", "HBM stacks held by the vendor",
       &T::hbm_stock, point, add, count},
      {"fees_collected", {"region"}, "USD",
       "licence revenue shares received by region's government",
       &T::fees_collected, flow, add, money},
      {"subsidy_spend", {"region"}, "USD",
       "production and energy subsidies paid by region's government",
       &T::subsidy_spend, flow, add, money},
      {"buyer_spend", {"buyer"}, "USD", "accelerator spending",
       &T::buyer_spend, flow, add, money},
      {"unmet_budget", {"buyer"}, "USD", "budget left unspent because supply fell short",
       &T::unmet_budget, flow, add, money},
      {"budget", {"region"}, "USD",
       "accelerator budget of region's buyers (buyer_spend plus unmet_budget)",
       &T::budget, flow, add, money},
      {"unspent_budget", {"region"}, "USD",
       "part of budget left unspent because every open option was exhausted",
       &T::unspent_budget, flow, add, money},
      {"unspent_share", {"region"}, "1", "share of region's budget left unspent",
       &T::unspent_share, mean, ratio, share, "unspent_budget", "budget"},
      {"buyer_installed_compute", {"buyer"}, "PFLOP/s",
       "physical compute installed: dense BF16, after retirement, no efficiency multiplier",
       &T::buyer_installed_compute, point, add, compute},
      {"installed_compute", {"region"}, "PFLOP/s",
       "installed compute, physical (dense BF16 after retirement; no efficiency multiplier)",
       &T::installed_compute, point, add, compute},
      {"installed_equivalents", {"region"}, "1",
       "installed_compute in units of the reference accelerator (market.reference_product)",
       &T::installed_equivalents, point, add, count},
      {"buyer_effective_compute", {"buyer"}, "PFLOP/s",
       "effective compute: installed compute x utilisation x algorithmic-efficiency multiplier",
       &T::buyer_effective_compute, point, add, compute},
      {"effective_compute", {"region"}, "PFLOP/s",
       "effective compute (installed x utilisation x algorithmic-efficiency multiplier)",
       &T::effective_compute, point, add, compute},
      {"ecosystem_maturity", {"ecosystem"}, "1", "software ecosystem maturity (0 to 1)",
       &T::ecosystem_maturity, point, none, index},
  };
  // clang-format on
  return list;
}

const VariableInfo* find_variable(std::string_view name) {
  for (const auto& v : variables())
    if (name == v.name) return &v;
  return nullptr;
}

}  // namespace chipsim
