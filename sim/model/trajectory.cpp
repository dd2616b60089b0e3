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

void Trajectory::reset(int t, int p, int v, int r, int c, int b, int e) {
  periods = t, products = p, vendors = v, regions = r, channels = c, buyers = b, ecosystems = e;
  units_sold.reset({t, p, r, c});
  unit_price.reset({t, p, r, c});
  revenue.reset({t, v, r, 1});
  for (Series* s :
       {&market_revenue, &domestic_revenue, &domestic_share_revenue, &domestic_share_units,
        &domestic_share_compute, &fees_collected, &subsidy_spend, &effective_compute})
    s->reset({t, r, 1, 1});
  smuggled_units.reset({t, p, r, 1});
  for (Series* s : {&production, &binding_input, &price, &unit_cost, &die_bank, &finished_stock})
    s->reset({t, p, 1, 1});
  hbm_stock.reset({t, v, 1, 1});
  for (Series* s : {&buyer_spend, &unmet_budget, &installed_compute, &buyer_effective_compute})
    s->reset({t, b, 1, 1});
  ecosystem_maturity.reset({t, e, 1, 1});
}

const std::vector<VariableInfo>& variables() {
  using T = Trajectory;
  static const std::vector<VariableInfo> list = {
      {"units_sold",
       {"product", "region", "channel"},
       "1",
       "accelerators delivered to buyers in region through channel",
       &T::units_sold},
      {"unit_price",
       {"product", "region", "channel"},
       "USD",
       "price per unit paid by buyers in region through channel",
       &T::unit_price},
      {"revenue",
       {"vendor", "region"},
       "USD",
       "vendor revenue from legal sales to buyers in region",
       &T::revenue},
      {"market_revenue",
       {"region"},
       "USD",
       "legal accelerator market of region",
       &T::market_revenue},
      {"domestic_revenue",
       {"region"},
       "USD",
       "part of market_revenue earned by vendors headquartered in region",
       &T::domestic_revenue},
      {"domestic_share_revenue",
       {"region"},
       "1",
       "domestic_revenue / market_revenue",
       &T::domestic_share_revenue},
      {"domestic_share_units",
       {"region"},
       "1",
       "share of units reaching region made by vendors headquartered there",
       &T::domestic_share_units},
      {"domestic_share_compute",
       {"region"},
       "1",
       "share of effective compute added in region from domestic vendors",
       &T::domestic_share_compute},
      {"smuggled_units",
       {"product", "region"},
       "1",
       "units reaching region through illegal leakage channels",
       &T::smuggled_units},
      {"production", {"product"}, "1", "units made", &T::production},
      {"binding_input",
       {"product"},
       "1",
       "input that limited production (enum)",
       &T::binding_input},
      {"price", {"product"}, "USD", "list price in the period", &T::price},
      {"unit_cost", {"product"}, "USD", "unit cost from inputs, before subsidy", &T::unit_cost},
      {"die_bank", {"product"}, "1", "dies held in stock for later packaging", &T::die_bank},
      {"finished_stock", {"product"}, "1", "finished units held by the vendor", &T::finished_stock},
      {"hbm_stock", {"vendor"}, "stacks", "HBM stacks held by the vendor", &T::hbm_stock},
      {"fees_collected",
       {"region"},
       "USD",
       "licence revenue shares received by region's government",
       &T::fees_collected},
      {"subsidy_spend",
       {"region"},
       "USD",
       "production and energy subsidies paid by region's government",
       &T::subsidy_spend},
      {"buyer_spend", {"buyer"}, "USD", "accelerator spending", &T::buyer_spend},
      {"unmet_budget",
       {"buyer"},
       "USD",
       "budget left unspent because supply fell short",
       &T::unmet_budget},
      {"installed_compute",
       {"buyer"},
       "PFLOP/s",
       "installed dense BF16 compute after retirement",
       &T::installed_compute},
      {"buyer_effective_compute",
       {"buyer"},
       "PFLOP/s",
       "installed compute x utilisation x algorithmic efficiency",
       &T::buyer_effective_compute},
      {"effective_compute",
       {"region"},
       "PFLOP/s",
       "installed effective compute (after retirement, utilisation, efficiency)",
       &T::effective_compute},
      {"ecosystem_maturity",
       {"ecosystem"},
       "1",
       "software ecosystem maturity",
       &T::ecosystem_maturity},
  };
  return list;
}

}  // namespace chipsim
