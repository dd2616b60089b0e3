// Calendar-year summary of replicates, for `chipsim run`'s table and CSV. A year's value is
// the sum of its periods for flows, the ratio of the sums for shares, and the last period's
// value for stocks (DESIGN.md §4); the table shows the mean over replicates.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "model/trajectory.hpp"
#include "scenario/scenario.hpp"

namespace chipsim {

// Prints the header line of a per-year table: an empty label column, "unit", then the years.
void print_year_header(std::ostream& os, const std::vector<int>& years, int label_width,
                       int unit_width, int column_width);

class YearTable {
 public:
  explicit YearTable(const Scenario& scenario);
  void add(const Trajectory& t);
  [[nodiscard]] int replicates() const { return count_; }
  [[nodiscard]] const std::vector<int>& years() const { return years_; }
  // Mean over replicates of row `name` (as printed, e.g. "market_revenue[CN]") in `year`.
  [[nodiscard]] double mean(const std::string& name, int year) const;
  void print(std::ostream& os) const;
  void write_csv(std::ostream& os) const;

 private:
  struct Row {
    std::string section, name, unit;
    double scale;  // printed value = mean / scale
    std::function<double(const Trajectory&, int first, int last)> value;
  };
  const Scenario& s_;
  std::vector<int> years_, first_, last_;
  std::vector<Row> rows_;
  std::vector<double> sums_;  // [row][year]
  int count_ = 0;
};

}  // namespace chipsim
