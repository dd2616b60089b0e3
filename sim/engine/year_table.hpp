// Calendar-year summary of replicates, for `chipsim run`'s table and CSV. Every row is a
// variable at a selection, aggregated over the year by the variable's declared rule
// (engine/aggregate.hpp: flows summed, stocks at year end, shares as the ratio of the
// year's sums); the table shows the mean over replicates in display units
// (engine/display.hpp), the CSV the same means in file units at full precision.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "engine/aggregate.hpp"
#include "model/trajectory.hpp"
#include "scenario/scenario.hpp"

namespace chipsim {

// Prints the header line of a per-year table: an empty label column, "unit", then the years.
void print_year_header(std::ostream& os, const std::vector<int>& years, int label_width,
                       int unit_width, int column_width);

// Calendar years of a scenario's periods, each with its first and last period.
struct YearSpan {
  int year, first, last;
};
[[nodiscard]] std::vector<YearSpan> year_spans(const std::vector<std::string>& period_labels);

// Labels of a scenario's dimensions and auxiliary coordinates, for Aggregate::resolve.
[[nodiscard]] LabelLookup scenario_labels(const Scenario& s);

class YearTable {
 public:
  // Per-vendor and per-product rows are left out of a world with more than this many
  // vendors or products (print() says so; the output file has them).
  static constexpr std::size_t kMaxEntityRows = 200;
  explicit YearTable(const Scenario& scenario);
  void add(const Trajectory& t);
  [[nodiscard]] int replicates() const { return count_; }
  [[nodiscard]] std::vector<int> years() const;
  // Mean over replicates of row `name` (as printed, e.g. "market_revenue[CN]") in `year`, in
  // file units.
  [[nodiscard]] double mean(const std::string& name, int year) const;
  void print(std::ostream& os) const;
  // variable,region-or-label,year,mean,units - means in file units, full precision.
  void write_csv(std::ostream& os) const;

 private:
  struct Row {
    std::string section, name, unit;
    DisplayKind kind = DisplayKind::count;
    std::vector<Aggregate> per_year;  // one per year
    std::vector<Aggregate> ratio_of;  // if not empty: per_year / ratio_of (region ratios)
  };
  std::vector<YearSpan> spans_;
  std::vector<Row> rows_;
  std::vector<double> sums_;          // [row][year]
  std::vector<std::string> omitted_;  // e.g. "30000 products", for print()
  int count_ = 0;
};

}  // namespace chipsim
