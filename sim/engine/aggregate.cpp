#include "engine/aggregate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "scenario/diagnostics.hpp"

namespace chipsim {

namespace {

// The dimension an auxiliary coordinate belongs to, and the dimension its values name.
struct Auxiliary {
  const char* name;
  const char* dim;
  const char* values;
};
constexpr Auxiliary kAuxiliaries[] = {{"product_vendor", "product", "vendor"},
                                      {"vendor_region", "vendor", "region"},
                                      {"buyer_region", "buyer", "region"}};

}  // namespace

Aggregate::Term Aggregate::term(const VariableInfo& v, const Selection& select,
                                const LabelLookup& labels, int first, int last, bool last_only) {
  const std::size_t D = v.dims.size();
  std::vector<std::vector<char>> allowed(D);
  std::vector<std::size_t> size(D);
  for (std::size_t d = 0; d < D; ++d) {
    size[d] = labels(v.dims[d]).size();
    allowed[d].assign(size[d], 1);
  }
  auto dim_index = [&](const std::string& name) -> std::size_t {
    for (std::size_t d = 0; d < D; ++d)
      if (name == v.dims[d]) return d;
    return D;
  };
  for (const auto& [key, label] : select) {
    if (const std::size_t d = dim_index(key); d < D) {
      const auto l = labels(key);
      const auto it = std::find(l.begin(), l.end(), label);
      if (it == l.end())
        throw AggregationError("unknown " + key + " '" + label + "'" + did_you_mean(label, l) +
                               "; expected one of " + join_names(l));
      const auto i = static_cast<std::size_t>(it - l.begin());
      for (std::size_t k = 0; k < size[d]; ++k)
        allowed[d][k] = k == i;
      continue;
    }
    // An auxiliary coordinate, named as itself ("buyer_region") or by the dimension its
    // values name ("region" on a variable with a buyer dimension: the region's buyers).
    const Auxiliary* aux = nullptr;
    for (const auto& a : kAuxiliaries)
      if ((key == a.name || key == a.values) && dim_index(a.dim) < D) aux = &a;
    if (!aux) {
      std::vector<std::string> dims(v.dims.begin(), v.dims.end());
      throw AggregationError(std::string(v.name) + " has no dimension '" + key +
                             "'; its dimensions are period" + (dims.empty() ? "" : ", ") +
                             join_names(dims));
    }
    const auto domain = labels(aux->values);
    if (std::find(domain.begin(), domain.end(), label) == domain.end())
      throw AggregationError("unknown " + std::string(aux->values) + " '" + label + "' in " + key +
                             did_you_mean(label, domain) + "; expected one of " +
                             join_names(domain));
    const std::size_t d = dim_index(aux->dim);
    const auto values = labels(aux->name);
    for (std::size_t k = 0; k < size[d]; ++k)
      allowed[d][k] = allowed[d][k] && k < values.size() && values[k] == label;
  }

  std::size_t cells = 1;
  for (std::size_t s : size)
    cells *= s;
  std::vector<std::size_t> chosen;
  std::vector<std::size_t> idx(D, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    std::size_t rest = c;
    bool ok = true;
    for (std::size_t d = D; d-- > 0;) {
      idx[d] = rest % size[d];
      rest /= size[d];
      ok = ok && allowed[d][idx[d]];
    }
    if (ok) chosen.push_back(c);
  }
  if (v.cells == CellRule::none && chosen.size() != 1) {
    std::vector<std::string> dims(v.dims.begin(), v.dims.end());
    throw AggregationError(std::string(v.name) + " does not add up over cells (" +
                           to_string(v.display) + "); select one label of each of " +
                           join_names(dims) + " (the selection leaves " +
                           std::to_string(chosen.size()) + " cells)");
  }
  Term t;
  t.info = &v;
  for (int p = last_only ? last : first; p <= last; ++p)
    for (std::size_t c : chosen)
      t.cells.push_back(static_cast<std::size_t>(p) * cells + c);
  return t;
}

Aggregate Aggregate::resolve(const std::string& variable, const Selection& select,
                             const LabelLookup& labels, int first, int last) {
  const VariableInfo* v = find_variable(variable);
  if (!v) {
    std::vector<std::string> names;
    for (const auto& x : variables())
      names.emplace_back(x.name);
    throw AggregationError("unknown variable '" + variable + "'" + did_you_mean(variable, names) +
                           "; expected one of " + join_names(names));
  }
  if (first > last) throw AggregationError("empty span of periods for " + variable);
  Aggregate a;
  a.info_ = v;
  switch (v->cells) {
    case CellRule::sum:
    case CellRule::none:
      a.value_ = term(*v, select, labels, first, last,
                      v->time == TimeRule::point || v->cells == CellRule::none);
      break;
    case CellRule::ratio: {
      const VariableInfo* n = find_variable(v->numerator);
      const VariableInfo* d = find_variable(v->denominator);
      a.value_ = term(*n, select, labels, first, last, n->time == TimeRule::point);
      a.denominator_ = term(*d, select, labels, first, last, d->time == TimeRule::point);
      break;
    }
    case CellRule::weighted_mean:
      a.value_ = term(*v, select, labels, first, last, false);
      a.denominator_ = term(*find_variable(v->weight), select, labels, first, last, false);
      break;
  }
  return a;
}

double Aggregate::of(const DataLookup& data) const {
  const double* x = value_.data(data);
  switch (info_->cells) {
    case CellRule::sum:
    case CellRule::none: {
      double s = 0;
      for (std::size_t i : value_.cells)
        s += x[i];
      return s;
    }
    case CellRule::ratio: {
      const double* y = denominator_.data(data);
      double n = 0, d = 0;
      for (std::size_t i : value_.cells)
        n += x[i];
      for (std::size_t i : denominator_.cells)
        d += y[i];
      return d != 0 ? n / d : 0.0;
    }
    case CellRule::weighted_mean: {
      const double* w = denominator_.data(data);
      double xw = 0, sw = 0;
      for (std::size_t i : value_.cells) {
        xw += x[i] * w[i];
        sw += w[i];
      }
      return sw != 0 ? xw / sw : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return 0;
}

double Aggregate::of(const Trajectory& t) const {
  return of([&t](const VariableInfo& v) { return (t.*(v.series)).data().data(); });
}

std::vector<HeadlineRow> headline_rows(const std::string& region) {
  const Selection r = {{"region", region}};
  return {
      {"market revenue", "market_revenue", r},
      {"domestic revenue", "domestic_revenue", r},
      {"domestic share of revenue", "domestic_share_revenue", r},
      {"domestic share of units", "domestic_share_units", r},
      {"domestic share of compute added", "domestic_share_compute", r},
      {"accelerators delivered", "market_units", r},
      {"smuggled units", "smuggled_units", r},
      {"licence fees collected", "fees_collected", r},
      {"subsidy spend", "subsidy_spend", r},
      {"unmet budget", "unmet_budget", {{"buyer_region", region}}},
      {"installed compute (physical, year end)", "installed_compute", r},
      {"installed compute in reference units (year end)", "installed_equivalents", r},
      {"effective compute (year end)", "effective_compute", r},
  };
}

}  // namespace chipsim
