#include "engine/year_table.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace chipsim {

namespace {
using Fn = std::function<double(const Trajectory&, int, int)>;

// Sum over periods [first, last] of f(t).
template <class F>
double over(int first, int last, F f) {
  double sum = 0;
  for (int t = first; t <= last; ++t)
    sum += f(t);
  return sum;
}
}  // namespace

YearTable::YearTable(const Scenario& s) : s_(s) {
  const Calendar& cal = s.calendar;
  for (int t = 0; t < cal.periods; ++t) {
    const int y = cal.year(t);
    if (years_.empty() || years_.back() != y) {
      years_.push_back(y);
      first_.push_back(t);
      last_.push_back(t);
    }
    last_.back() = t;
  }
  const int P = static_cast<int>(s.products.size()), V = static_cast<int>(s.vendors.size()),
            B = static_cast<int>(s.buyers.size());
  for (int r = 0; r < static_cast<int>(s.regions.size()); ++r) {
    const std::string tag = "[" + s.regions[r].name + "]";
    const std::string sec = "region " + s.regions[r].name;
    rows_.push_back(
        {sec, "market_revenue" + tag, "USD bn", 1e9, [r](const Trajectory& t, int a, int b) {
           return over(a, b, [&](int p) { return t.market_revenue.at(p, r); });
         }});
    rows_.push_back(
        {sec, "domestic_revenue" + tag, "USD bn", 1e9, [r](const Trajectory& t, int a, int b) {
           return over(a, b, [&](int p) { return t.domestic_revenue.at(p, r); });
         }});
    rows_.push_back(
        {sec, "domestic_share_revenue" + tag, "%", 0.01, [r](const Trajectory& t, int a, int b) {
           const double m = over(a, b, [&](int p) { return t.market_revenue.at(p, r); });
           const double d = over(a, b, [&](int p) { return t.domestic_revenue.at(p, r); });
           return m > 0 ? d / m : 0.0;
         }});
    rows_.push_back({sec, "domestic_share_units" + tag, "%", 0.01,
                     [r, P, &s](const Trajectory& t, int a, int b) {
                       double all = 0, dom = 0;
                       for (int q = 0; q < P; ++q) {
                         const bool domestic = s.vendors[s.products[q].vendor].region == r;
                         for (int p = a; p <= b; ++p)
                           for (int c = 0; c < t.channels; ++c) {
                             all += t.units_sold.at(p, q, r, c);
                             if (domestic) dom += t.units_sold.at(p, q, r, c);
                           }
                       }
                       return all > 0 ? dom / all : 0.0;
                     }});
    rows_.push_back(
        {sec, "smuggled_units" + tag, "k units", 1e3, [r, P](const Trajectory& t, int a, int b) {
           return over(a, b, [&](int p) {
             double u = 0;
             for (int q = 0; q < P; ++q)
               u += t.smuggled_units.at(p, q, r);
             return u;
           });
         }});
    rows_.push_back(
        {sec, "fees_collected" + tag, "USD bn", 1e9, [r](const Trajectory& t, int a, int b) {
           return over(a, b, [&](int p) { return t.fees_collected.at(p, r); });
         }});
    rows_.push_back(
        {sec, "subsidy_spend" + tag, "USD bn", 1e9, [r](const Trajectory& t, int a, int b) {
           return over(a, b, [&](int p) { return t.subsidy_spend.at(p, r); });
         }});
    rows_.push_back(
        {sec, "unmet_budget" + tag, "USD bn", 1e9, [r, B, &s](const Trajectory& t, int a, int b) {
           double u = 0;
           for (int k = 0; k < B; ++k)
             if (s.buyers[k].region == r)
               u += over(a, b, [&](int p) { return t.unmet_budget.at(p, k); });
           return u;
         }});
    rows_.push_back(
        {sec, "effective_compute" + tag, "EFLOP/s", 1e3, [r](const Trajectory& t, int, int b) {
           return t.effective_compute.at(b, r);  // a stock: year-end value
         }});
  }
  for (int r = 1; r < static_cast<int>(s.regions.size()); ++r) {
    rows_.push_back({"compute ratios",
                     "effective_compute[" + s.regions[0].name + "]/[" + s.regions[r].name + "]",
                     "x", 1, [r](const Trajectory& t, int, int b) {
                       const double d = t.effective_compute.at(b, r);
                       return d > 0 ? t.effective_compute.at(b, 0) / d : 0.0;
                     }});
  }
  for (int v = 0; v < V; ++v)
    for (int r = 0; r < static_cast<int>(s.regions.size()); ++r)
      rows_.push_back({"vendor revenue",
                       "revenue[" + s.vendors[v].name + "," + s.regions[r].name + "]", "USD bn",
                       1e9, [v, r](const Trajectory& t, int a, int b) {
                         return over(a, b, [&](int p) { return t.revenue.at(p, v, r); });
                       }});
  for (int p = 0; p < P; ++p)
    rows_.push_back({"production", "production[" + s.products[p].name + "]", "k units", 1e3,
                     [p](const Trajectory& t, int a, int b) {
                       return over(a, b, [&](int q) { return t.production.at(q, p); });
                     }});
  for (int v = 0; v < V; ++v)
    rows_.push_back({"stocks (year end)", "hbm_stock[" + s.vendors[v].name + "]", "M stacks", 1e6,
                     [v](const Trajectory& t, int, int b) { return t.hbm_stock.at(b, v); }});
  for (int p = 0; p < P; ++p)
    if (s.products[p].inputs.node != kNone)
      rows_.push_back({"stocks (year end)", "die_bank[" + s.products[p].name + "]", "M dies", 1e6,
                       [p](const Trajectory& t, int, int b) { return t.die_bank.at(b, p); }});
  sums_.assign(rows_.size() * years_.size(), 0.0);
}

void YearTable::add(const Trajectory& t) {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    for (std::size_t y = 0; y < years_.size(); ++y)
      sums_[i * years_.size() + y] += rows_[i].value(t, first_[y], last_[y]);
  ++count_;
}

double YearTable::mean(const std::string& name, int year) const {
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].name != name) continue;
    for (std::size_t y = 0; y < years_.size(); ++y)
      if (years_[y] == year) return count_ ? sums_[i * years_.size() + y] / count_ : 0;
  }
  throw std::out_of_range("YearTable: no row '" + name + "' for year " + std::to_string(year));
}

void print_year_header(std::ostream& os, const std::vector<int>& years, int label_width,
                       int unit_width, int column_width) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %-*s %-*s", label_width, "", unit_width, "unit");
  os << buf;
  for (int y : years) {
    std::snprintf(buf, sizeof buf, " %*d", column_width, y);
    os << buf;
  }
  os << "\n";
}

void YearTable::print(std::ostream& os) const {
  char buf[64];
  std::string section;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const Row& row = rows_[i];
    if (row.section != section) {
      section = row.section;
      os << "\n" << section << "\n";
      print_year_header(os, years_, 40, 9, 9);
    }
    std::snprintf(buf, sizeof buf, "  %-40s %-9s", row.name.c_str(), row.unit.c_str());
    os << buf;
    for (std::size_t y = 0; y < years_.size(); ++y) {
      const double v = count_ ? sums_[i * years_.size() + y] / count_ / row.scale : 0;
      std::snprintf(buf, sizeof buf, " %9.2f", v);
      os << buf;
    }
    os << "\n";
  }
}

void YearTable::write_csv(std::ostream& os) const {
  os << "variable,unit,year,mean\n";
  for (std::size_t i = 0; i < rows_.size(); ++i)
    for (std::size_t y = 0; y < years_.size(); ++y)
      os << rows_[i].name << "," << rows_[i].unit << "," << years_[y] << ","
         << (count_ ? sums_[i * years_.size() + y] / count_ / rows_[i].scale : 0) << "\n";
}

}  // namespace chipsim
