// The outcome of one replicate: every recorded variable as a dense array whose leading
// dimension is the period. Allocated once (reset) before the period loop; the loop only
// writes into it. variables() describes each array (name, dimensions, units, meaning) so that
// writers and summaries need no knowledge of the model.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace chipsim {

// A dense array of up to four dimensions, row-major.
class Series {
 public:
  void reset(std::array<int, 4> shape) {
    shape_ = shape;
    std::size_t n = 1;
    for (int d : shape_)
      n *= static_cast<std::size_t>(d);
    data_.assign(n, 0.0);
  }
  double& at(int a, int b = 0, int c = 0, int d = 0) { return data_[index(a, b, c, d)]; }
  [[nodiscard]] double at(int a, int b = 0, int c = 0, int d = 0) const {
    return data_[index(a, b, c, d)];
  }
  [[nodiscard]] const std::array<int, 4>& shape() const { return shape_; }
  [[nodiscard]] const std::vector<double>& data() const { return data_; }
  void fill(double v) { std::fill(data_.begin(), data_.end(), v); }

 private:
  [[nodiscard]] std::size_t index(int a, int b, int c, int d) const {
    return ((static_cast<std::size_t>(a) * shape_[1] + b) * shape_[2] + c) * shape_[3] + d;
  }
  std::array<int, 4> shape_{1, 1, 1, 1};
  std::vector<double> data_;
};

// Why a product's output stopped where it did (DESIGN.md §2, stage 3).
enum class BindingInput : int {
  none = 0,        // not on sale, or nothing was asked for
  demand = 1,      // made everything the vendor wanted: no input bound
  dies = 2,        // good dies (wafers x yield, plus the die bank)
  memory = 3,      // HBM stacks (suppliers plus stock)
  packaging = 4,   // advanced-packaging slots
  components = 5,  // component products
};
inline constexpr int kBindingInputCount = 6;
[[nodiscard]] const char* to_string(BindingInput b);

// The suppliers `binding_supplier` names, indexed from 0: the scenario's process nodes
// ("FOUNDRY.NODE"), then its HBM suppliers, then its packagers, then "hbm_stock" (the
// vendor's own HBM stock, when no open supplier is short). kNoSupplier: no supplier binds
// (demand or components bound, or nothing was made).
[[nodiscard]] std::vector<std::string> supplier_labels(const Scenario& scenario);
inline constexpr int kNoSupplier = -1;

struct Trajectory {
  int point = 0;
  int replicate = 0;
  std::uint64_t seed = 0;
  int periods = 0, products = 0, vendors = 0, regions = 0, channels = 0, buyers = 0, ecosystems = 0;
  int events = 0;

  // [period][product][region][channel]
  Series units_sold;  // units delivered to buyers in region through channel
  Series unit_price;  // USD paid per unit by buyers (price x channel markup, fee pass-through)
  // [period][vendor][region]
  Series revenue;  // USD, legal sales (direct and licensed channels)
  // [period][region]
  Series market_revenue, domestic_revenue, domestic_share_revenue, market_units, domestic_units,
      domestic_share_units, compute_added, domestic_compute_added, domestic_share_compute,
      fees_collected, subsidy_spend, installed_compute, installed_equivalents, effective_compute,
      budget, unspent_budget, unspent_share;
  // [period][product][region]
  Series smuggled_units;
  // [period][product]
  Series production, binding_input, binding_supplier, price, unit_cost, die_bank, finished_stock;
  // [period][vendor]
  Series hbm_stock;
  // [period][buyer]
  Series buyer_spend, unmet_budget, buyer_installed_compute, buyer_effective_compute;
  // [period][ecosystem]
  Series ecosystem_maturity;
  // [event]: the period in which each stochastic event or trigger fired, or kNeverFired.
  // Events first, then triggers, in scenario order (the `event` dimension's labels).
  std::vector<int> event_period;
  static constexpr int kNeverFired = -1;

  void reset(int periods, int products, int vendors, int regions, int channels, int buyers,
             int ecosystems, int events);
};

// How a variable aggregates over periods: CF cell_methods "period: sum" (a flow within the
// period), "period: point" (a stock at the period's end) or "period: mean" (a rate or price
// over the period). Every consumer (CLI tables, compare, calibrate, the Python package)
// reads this declaration, written into the file, and keeps no copy of its own.
enum class TimeRule { sum, point, mean };
// How cells combine, over entity dimensions and, for ratios and prices, over periods too:
//   sum            add the cells (extensive quantities: money, units, compute);
//   ratio          aggregate `numerator` and `denominator` by their own rules, then divide
//                  (0 where the denominator is 0, as in each period);
//   weighted_mean  sum of value x `weight` over sum of `weight` (NaN where the weight is 0);
//   none           not addable (categories, indices): only one cell, and one period, at a time.
enum class CellRule { sum, ratio, weighted_mean, none };
// How a value is shown to a reader (docs/OUTPUT.md, "Display units"): the CLI, the report
// and the Python package all format by this kind.
enum class DisplayKind { money, count, share, compute, index, category };

// Describes one recorded variable. `dims` omit the leading "period".
struct VariableInfo {
  const char* name;
  std::vector<const char*> dims;
  const char* units;
  const char* long_name;
  Series Trajectory::*series;
  TimeRule time = TimeRule::sum;
  CellRule cells = CellRule::sum;
  DisplayKind display = DisplayKind::count;
  const char* numerator = nullptr;    // ratio: a variable with the same dims
  const char* denominator = nullptr;  // ratio: a variable with the same dims
  const char* weight = nullptr;       // weighted_mean: a variable with the same dims
};
[[nodiscard]] const std::vector<VariableInfo>& variables();
// The variable called `name`, or nullptr.
[[nodiscard]] const VariableInfo* find_variable(std::string_view name);
[[nodiscard]] const char* to_string(TimeRule r);  // "sum", "point", "mean"
[[nodiscard]] const char* to_string(CellRule r);  // "sum", "ratio", "weighted_mean", "none"
[[nodiscard]] const char* to_string(DisplayKind k);
// The CF cell_methods text of a variable, e.g. "period: sum".
[[nodiscard]] std::string cell_methods(const VariableInfo& v);

}  // namespace chipsim
