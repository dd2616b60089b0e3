#include "engine/year_table.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "engine/display.hpp"

namespace chipsim {

std::vector<YearSpan> year_spans(const std::vector<std::string>& labels) {
  std::vector<YearSpan> out;
  for (int t = 0; t < static_cast<int>(labels.size()); ++t) {
    const int y = std::stoi(labels[t].substr(0, 4));
    if (out.empty() || out.back().year != y) out.push_back({y, t, t});
    out.back().last = t;
  }
  return out;
}

LabelLookup scenario_labels(const Scenario& s) {
  return [&s](const std::string& name) -> std::vector<std::string> {
    std::vector<std::string> out;
    if (name == "product_vendor") {
      for (const auto& p : s.products)
        out.push_back(s.vendors[p.vendor].name);
    } else if (name == "vendor_region") {
      for (const auto& v : s.vendors)
        out.push_back(s.regions[v.region].name);
    } else if (name == "buyer_region") {
      for (const auto& b : s.buyers)
        out.push_back(s.regions[b.region].name);
    } else {
      out = dimension_labels(s, name);
    }
    return out;
  };
}

YearTable::YearTable(const Scenario& s) {
  std::vector<std::string> labels;
  for (int t = 0; t < s.calendar.periods; ++t)
    labels.push_back(s.calendar.label(t));
  spans_ = year_spans(labels);
  const LabelLookup lookup = scenario_labels(s);
  const bool has_reference = s.market.reference_product != kNone;
  auto per_year = [&](const std::string& var, const Selection& sel) {
    std::vector<Aggregate> out;
    for (const auto& y : spans_)
      out.push_back(Aggregate::resolve(var, sel, lookup, y.first, y.last));
    return out;
  };
  auto add = [&](const std::string& section, const std::string& name, const std::string& var,
                 const Selection& sel) {
    Row row{section, name, "", find_variable(var)->display, per_year(var, sel), {}};
    const VariableInfo& v = *find_variable(var);
    row.unit = unit_label(v, "year");
    rows_.push_back(std::move(row));
  };
  for (const auto& region : s.regions) {
    const std::string sec = "region " + region.name;
    for (const auto& h : headline_rows(region.name)) {
      if (h.variable == "installed_equivalents" && !has_reference) continue;
      add(sec, h.variable + "[" + region.name + "]", h.variable, h.select);
    }
  }
  for (std::size_t r = 1; r < s.regions.size(); ++r) {
    const Selection a = {{"region", s.regions[0].name}}, b = {{"region", s.regions[r].name}};
    Row row{"compute ratios",
            "effective_compute[" + s.regions[0].name + "]/[" + s.regions[r].name + "]",
            "x",
            DisplayKind::index,
            per_year("effective_compute", a),
            per_year("effective_compute", b)};
    rows_.push_back(std::move(row));
  }
  // Rows per vendor and per product only while they stay readable: a synthetic world of
  // 10^5 nodes has 30,000 products (the file holds them all).
  const bool vendors = s.vendors.size() <= kMaxEntityRows,
             products = s.products.size() <= kMaxEntityRows;
  if (!vendors) omitted_.push_back(std::to_string(s.vendors.size()) + " vendors");
  if (!products) omitted_.push_back(std::to_string(s.products.size()) + " products");
  if (vendors)
    for (const auto& v : s.vendors)
      for (const auto& r : s.regions)
        add("vendor revenue", "revenue[" + v.name + "," + r.name + "]", "revenue",
            {{"vendor", v.name}, {"region", r.name}});
  if (products)
    for (const auto& p : s.products)
      add("production", "production[" + p.name + "]", "production", {{"product", p.name}});
  if (vendors)
    for (const auto& v : s.vendors)
      add("stocks (year end)", "hbm_stock[" + v.name + "]", "hbm_stock", {{"vendor", v.name}});
  if (products)
    for (const auto& p : s.products)
      if (p.inputs.node != kNone)
        add("stocks (year end)", "die_bank[" + p.name + "]", "die_bank", {{"product", p.name}});
  sums_.assign(rows_.size() * spans_.size(), 0.0);
}

std::vector<int> YearTable::years() const {
  std::vector<int> out;
  for (const auto& y : spans_)
    out.push_back(y.year);
  return out;
}

void YearTable::add(const Trajectory& t) {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    for (std::size_t y = 0; y < spans_.size(); ++y) {
      double v = rows_[i].per_year[y].of(t);
      if (!rows_[i].ratio_of.empty()) {
        const double d = rows_[i].ratio_of[y].of(t);
        v = d > 0 ? v / d : 0.0;
      }
      sums_[i * spans_.size() + y] += v;
    }
  ++count_;
}

double YearTable::mean(const std::string& name, int year) const {
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].name != name) continue;
    for (std::size_t y = 0; y < spans_.size(); ++y)
      if (spans_[y].year == year) return count_ ? sums_[i * spans_.size() + y] / count_ : 0;
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
  char buf[128];
  std::string section;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const Row& row = rows_[i];
    if (row.section != section) {
      section = row.section;
      os << "\n" << section << "\n";
      print_year_header(os, years(), 48, 14, 9);
    }
    std::snprintf(buf, sizeof buf, "  %-48s %-14s", row.name.c_str(), row.unit.c_str());
    os << buf;
    for (std::size_t y = 0; y < spans_.size(); ++y) {
      const double v = count_ ? sums_[i * spans_.size() + y] / count_ : 0;
      std::snprintf(buf, sizeof buf, " %9s", format_display(row.kind, v).c_str());
      os << buf;
    }
    os << "\n";
  }
  for (const auto& what : omitted_)
    os << "\n(per-entity rows left out for " << what << ": more than " << kMaxEntityRows << ")\n";
}

void YearTable::write_csv(std::ostream& os) const {
  os << "variable,year,mean,display_unit\n";
  char buf[64];
  for (std::size_t i = 0; i < rows_.size(); ++i)
    for (std::size_t y = 0; y < spans_.size(); ++y) {
      std::snprintf(buf, sizeof buf, "%.17g", count_ ? sums_[i * spans_.size() + y] / count_ : 0.0);
      // Names such as revenue[VENDOR,REGION] hold a comma: quoted, as RFC 4180 asks.
      os << '"' << rows_[i].name << "\"," << spans_[y].year << "," << buf << "," << rows_[i].unit
         << "\n";
    }
}

}  // namespace chipsim
