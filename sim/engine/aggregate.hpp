// One aggregation rule everywhere: a variable's value over a span of periods and a selection
// of cells, following the rules each variable declares (VariableInfo::time / cells in
// model/trajectory.hpp, written to the file as CF cell_methods plus ratio and weight
// attributes; docs/OUTPUT.md, "Aggregation"). `chipsim run`'s table, `compare`, `inspect`
// and `calibrate` all go through this; the Python package reads the same declarations from
// the file.
//
//   flow (period: sum)    sum over the span's periods and the selected cells
//   stock (period: point) sum over the selected cells in the span's last period
//   ratio                 aggregate numerator and denominator by their own rules, divide
//                         (0 where the denominator is 0)
//   weighted mean         sum of value x weight over sum of weight, over periods and cells
//                         (NaN where the weight is 0)
//   not addable           exactly one cell; its value in the span's last period
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/trajectory.hpp"

namespace chipsim {

// A selection or aggregation the variable's rules do not allow; the message says why and
// what would work.
class AggregationError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// dimension (or auxiliary coordinate such as "buyer_region") -> label
using Selection = std::vector<std::pair<std::string, std::string>>;
// Labels along a dimension or auxiliary coordinate ("product", "buyer_region", ...); empty
// if unknown.
using LabelLookup = std::function<std::vector<std::string>(const std::string& name)>;
// The data of one replicate of a variable, laid out [period][cells] (row-major).
using DataLookup = std::function<const double*(const VariableInfo& variable)>;

class Aggregate {
 public:
  // Resolves `variable` at `select` over periods [first, last]. A selection key is a
  // dimension of the variable, or an auxiliary coordinate of one, named as itself
  // ("buyer_region", "vendor_region", "product_vendor") or by the dimension its values name
  // (`region = "CN"` on a buyer variable selects the buyers in CN; `vendor = "V"` on a
  // product variable selects V's products). Keys naming neither are an error, as are unknown
  // labels and, for variables that do not add up, a selection leaving more than one cell.
  [[nodiscard]] static Aggregate resolve(const std::string& variable, const Selection& select,
                                         const LabelLookup& labels, int first, int last);
  // The aggregate in one replicate.
  [[nodiscard]] double of(const DataLookup& data) const;
  // The aggregate in one replicate of a trajectory.
  [[nodiscard]] double of(const Trajectory& t) const;
  [[nodiscard]] const VariableInfo& variable() const { return *info_; }

 private:
  struct Term {
    const VariableInfo* info = nullptr;
    std::vector<std::size_t> cells;  // flat offsets [period][cell] over the span
    [[nodiscard]] const double* data(const DataLookup& d) const { return d(*info); }
  };
  static Term term(const VariableInfo& v, const Selection& select, const LabelLookup& labels,
                   int first, int last, bool last_only);
  const VariableInfo* info_ = nullptr;
  Term value_, denominator_;  // ratio: value_ is the numerator; weighted mean: the weight
};

// The rows every per-year headline table shows for a region, by variable and selection, in
// order (`run`'s table, `compare`, `inspect`, and the tests that compare them).
struct HeadlineRow {
  std::string label;     // "market revenue"
  std::string variable;  // "market_revenue"
  Selection select;      // {"region", R} or {"buyer_region", R}
};
[[nodiscard]] std::vector<HeadlineRow> headline_rows(const std::string& region);

}  // namespace chipsim
