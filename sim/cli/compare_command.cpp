// `chipsim compare A.h5 B.h5`: paired differences of headline outcomes between two runs on
// common random numbers (same seed, same replicates), per calendar year.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/output_file.hpp"

namespace chipsim {

namespace {

// One file's data, indexed by variable; labels by dimension name.
struct Run {
  std::string path;
  io::FileDescription d;
  std::map<std::string, std::vector<std::string>> labels;
  std::vector<int> years;  // calendar year of each period

  // Per-replicate yearly aggregate of `var` at the cell whose labels are `at` (dimension ->
  // label; dimensions not named are summed). `how`: "sum" over the year's periods, or "last"
  // (the value in the year's last period). A label the file lacks gives zeros.
  [[nodiscard]] std::vector<double> yearly(
      const std::string& var, const std::vector<std::pair<std::string, std::string>>& at, int year,
      const std::string& how) const {
    std::vector<std::uint64_t> shape;
    const auto& data = cache(var, shape);
    const std::size_t reps = shape[0], periods = shape[1];
    std::size_t cells = 1;
    for (std::size_t k = 2; k < shape.size(); ++k)
      cells *= shape[k];
    // Which cells match: decode each cell index into its per-dimension indices.
    const auto& dims = dims_of(var);
    std::vector<int> want(dims.size(), -1);
    for (const auto& [dim, label] : at) {
      const auto pos = std::find(dims.begin(), dims.end(), dim);
      if (pos == dims.end()) continue;
      const auto& l = labels.at(dim);
      const auto it = std::find(l.begin(), l.end(), label);
      if (it == l.end()) return std::vector<double>(reps, 0.0);
      want[static_cast<std::size_t>(pos - dims.begin())] = static_cast<int>(it - l.begin());
    }
    std::vector<std::size_t> match;
    for (std::size_t c = 0; c < cells; ++c) {
      std::size_t rest = c;
      bool ok = true;
      for (std::size_t k = dims.size(); k-- > 0;) {
        const std::size_t n = shape[k + 2], i = rest % n;
        rest /= n;
        ok = ok && (want[k] < 0 || static_cast<int>(i) == want[k]);
      }
      if (ok) match.push_back(c);
    }
    std::vector<double> out(reps, 0.0);
    int last = -1;
    for (std::size_t t = 0; t < periods; ++t)
      if (years[t] == year) last = static_cast<int>(t);
    for (std::size_t r = 0; r < reps; ++r)
      for (std::size_t t = 0; t < periods; ++t) {
        if (years[t] != year || (how == "last" && static_cast<int>(t) != last)) continue;
        for (std::size_t c : match)
          out[r] += data[(r * periods + t) * cells + c];
      }
    return out;
  }

  [[nodiscard]] const std::vector<std::string>& dims_of(const std::string& var) const {
    static const std::vector<std::string> none;
    for (const auto& v : variables())
      if (var == v.name) {
        auto& names = dims_cache[var];
        if (names.empty())
          for (const char* x : v.dims)
            names.emplace_back(x);
        return names;
      }
    return none;
  }

  const std::vector<double>& cache(const std::string& var,
                                   std::vector<std::uint64_t>& shape) const {
    auto it = data_cache.find(var);
    if (it == data_cache.end()) {
      std::vector<std::uint64_t> s;
      auto v = io::read_dataset(path, var, s);
      it = data_cache.emplace(var, std::make_pair(std::move(v), s)).first;
    }
    shape = it->second.second;
    return it->second.first;
  }
  mutable std::map<std::string, std::pair<std::vector<double>, std::vector<std::uint64_t>>>
      data_cache;
  mutable std::map<std::string, std::vector<std::string>> dims_cache;
};

Run open_run(const std::string& path) {
  Run r;
  r.path = path;
  r.d = io::describe_file(path);
  if (!r.d.complete)
    throw io::IoError("'" + path + "' is an incomplete run (" +
                      std::to_string(r.d.replicates_written) + " of " +
                      std::to_string(r.d.replicates) + " replicates); finish it with --resume");
  if (r.d.summary_only)
    throw io::IoError("'" + path +
                      "' holds summaries only; paired differences need per-replicate data "
                      "(run without --summary-only)");
  for (const auto& [name, l] : r.d.labels)
    r.labels[name] = l;
  for (const auto& p : r.d.period_labels)
    r.years.push_back(std::stoi(p.substr(0, 4)));
  return r;
}

double quantile(std::vector<double> v, double q) {  // linear interpolation, as numpy
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(h);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::string band(const std::vector<double>& v) {
  return format_number(quantile(v, 0.5)) + " [" + format_number(quantile(v, 0.05)) + ", " +
         format_number(quantile(v, 0.95)) + "]";
}

struct Headline {
  std::string name, var, denominator, how, unit;
};

}  // namespace

int compare_command(const CompareArgs& args, std::ostream& out, std::ostream& err) {
  const Run a = open_run(args.a), b = open_run(args.b);
  // Pairing: the same seed and replicates, so replicate i of each file saw the same draws.
  if (a.d.seed != b.d.seed) {
    err << "chipsim compare: the files do not pair up: seed " << a.d.seed << " in '" << args.a
        << "' but " << b.d.seed << " in '" << args.b
        << "'; run both with the same --seed for common random numbers\n";
    return kExitBadInput;
  }
  if (a.d.replicates != b.d.replicates) {
    err << "chipsim compare: the files do not pair up: " << a.d.replicates << " replicates in '"
        << args.a << "' but " << b.d.replicates << " in '" << args.b
        << "'; run both with the same -n\n";
    return kExitBadInput;
  }
  if (a.d.period_labels != b.d.period_labels) {
    err << "chipsim compare: the files do not pair up: their periods differ\n";
    return kExitBadInput;
  }
  const std::vector<Headline> headlines = {
      {"market revenue", "market_revenue", "", "sum", "USD"},
      {"domestic revenue", "domestic_revenue", "", "sum", "USD"},
      {"domestic share of revenue", "domestic_revenue", "market_revenue", "sum", "1"},
      {"smuggled units", "smuggled_units", "", "sum", "units"},
      {"licence fees collected", "fees_collected", "", "sum", "USD"},
      {"subsidy spend", "subsidy_spend", "", "sum", "USD"},
      {"effective compute (year end)", "effective_compute", "", "last", "PFLOP/s"},
  };
  std::vector<int> years = args.years;
  if (years.empty()) {
    for (int y : a.years)
      if (years.empty() || years.back() != y) years.push_back(y);
  }
  for (int y : years)
    if (std::find(a.years.begin(), a.years.end(), y) == a.years.end()) {
      err << "chipsim compare: --year " << y << " is outside the files' horizon "
          << a.d.period_labels.front() << " to " << a.d.period_labels.back() << "\n";
      return kExitBadInput;
    }
  const auto& regions = a.labels.at("region");
  std::vector<std::string> wanted_regions;
  for (const auto& r : regions)
    if (args.regions.empty() ||
        std::find(args.regions.begin(), args.regions.end(), r) != args.regions.end())
      wanted_regions.push_back(r);
  for (const auto& r : args.regions)
    if (std::find(regions.begin(), regions.end(), r) == regions.end()) {
      err << "chipsim compare: --region " << r << " is not a region of the files; expected one of";
      for (const auto& x : regions)
        err << " " << x;
      err << "\n";
      return kExitBadInput;
    }

  std::ostringstream table, csv;
  table
      << "| outcome | region | year | A: p50 [p05, p95] | B: p50 [p05, p95] | B - A: mean (95% CI) "
         "| B - A: p05 to p95 |\n|---|---|---|---|---|---|---|\n";
  csv << "outcome,region,year,a_p05,a_p50,a_p95,b_p05,b_p50,b_p95,diff_mean,diff_ci_low,"
         "diff_ci_high,diff_p05,diff_p95\n";
  auto row = [&](const std::string& outcome, const std::string& label, int year,
                 const std::vector<double>& va, const std::vector<double>& vb) {
    std::vector<double> d(va.size());
    // Differences within rounding of the values themselves (1e-12 relative) are zero: the
    // same quantity summed in a different order, not an effect.
    for (std::size_t i = 0; i < d.size(); ++i)
      d[i] = std::fabs(vb[i] - va[i]) <= 1e-12 * std::max(std::fabs(va[i]), std::fabs(vb[i]))
                 ? 0.0
                 : vb[i] - va[i];
    const double n = static_cast<double>(d.size());
    double mean = 0, var = 0;
    for (double x : d)
      mean += x / n;
    for (double x : d)
      var += (x - mean) * (x - mean) / std::max(1.0, n - 1);
    const double half = 1.96 * std::sqrt(var / n);  // normal approximation of the mean's CI
    table << "| " << outcome << " | " << label << " | " << year << " | " << band(va) << " | "
          << band(vb) << " | " << format_number(mean) << " (" << format_number(mean - half) << ", "
          << format_number(mean + half) << ") | " << format_number(quantile(d, 0.05)) << " to "
          << format_number(quantile(d, 0.95)) << " |\n";
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%s,%s,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n",
                  outcome.c_str(), label.c_str(), year, quantile(va, 0.05), quantile(va, 0.5),
                  quantile(va, 0.95), quantile(vb, 0.05), quantile(vb, 0.5), quantile(vb, 0.95),
                  mean, mean - half, mean + half, quantile(d, 0.05), quantile(d, 0.95));
    csv << buf;
  };
  for (const auto& h : headlines)
    for (const auto& r : wanted_regions)
      for (int y : years) {
        const std::vector<std::pair<std::string, std::string>> at = {{"region", r}};
        auto va = a.yearly(h.var, at, y, h.how), vb = b.yearly(h.var, at, y, h.how);
        if (!h.denominator.empty()) {
          const auto da = a.yearly(h.denominator, at, y, h.how),
                     db = b.yearly(h.denominator, at, y, h.how);
          for (std::size_t i = 0; i < va.size(); ++i) {
            va[i] = da[i] > 0 ? va[i] / da[i] : 0;
            vb[i] = db[i] > 0 ? vb[i] / db[i] : 0;
          }
        }
        const bool all_zero = std::all_of(va.begin(), va.end(), [](double x) { return x == 0; }) &&
                              std::all_of(vb.begin(), vb.end(), [](double x) { return x == 0; });
        if (!all_zero) row(h.name, r, y, va, vb);
      }
  // Vendor revenue by region, for vendors in either file.
  std::vector<std::string> vendors = a.labels.at("vendor");
  for (const auto& v : b.labels.at("vendor"))
    if (std::find(vendors.begin(), vendors.end(), v) == vendors.end()) vendors.push_back(v);
  for (const auto& v : args.vendors)
    if (std::find(vendors.begin(), vendors.end(), v) == vendors.end()) {
      err << "chipsim compare: --vendor " << v << " is in neither file\n";
      return kExitBadInput;
    }
  if (!args.vendors.empty()) vendors = args.vendors;
  for (const auto& v : vendors)
    for (const auto& r : wanted_regions)
      for (int y : years) {
        const std::vector<std::pair<std::string, std::string>> at = {{"vendor", v}, {"region", r}};
        const auto va = a.yearly("revenue", at, y, "sum"), vb = b.yearly("revenue", at, y, "sum");
        const bool all_zero = std::all_of(va.begin(), va.end(), [](double x) { return x == 0; }) &&
                              std::all_of(vb.begin(), vb.end(), [](double x) { return x == 0; });
        if (!all_zero) row("revenue of " + v, r, y, va, vb);
      }

  out << "chipsim compare: A = '" << args.a << "' (" << a.d.scenario_name << "), B = '" << args.b
      << "' (" << b.d.scenario_name << "); " << a.d.replicates << " paired replicates, seed "
      << a.d.seed << ". Yearly sums (shares: ratio of yearly sums); B - A per replicate.\n\n"
      << table.str();
  if (!args.csv.empty()) write_atomically(args.csv, csv.str());
  return kExitOk;
}

}  // namespace chipsim
