// `chipsim compare A.h5 B.h5`: paired differences of headline outcomes between two runs on
// common random numbers (same seed, same replicates), per calendar year. Every outcome is
// aggregated by its variable's declared rule (engine/aggregate.hpp), the same as `run`'s
// table, `inspect`, `calibrate` and the Python package.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <ostream>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/file_data.hpp"
#include "engine/display.hpp"

namespace chipsim {

namespace {

FileData open_run(const std::string& path) {
  FileData f(path);
  const auto& d = f.description();
  if (!d.complete)
    throw io::IoError("'" + path + "' is an incomplete run (" +
                      std::to_string(d.replicates_written) + " of " + std::to_string(d.replicates) +
                      " replicates); finish it with --resume");
  if (d.summary_only)
    throw io::IoError("'" + path +
                      "' holds summaries only; paired differences need per-replicate data "
                      "(run without --summary-only)");
  if (d.points > 0)
    throw io::BadRequest("'" + path + "' is a sweep (" + std::to_string(d.points) +
                         " points); compare pairs two runs. Compare points in Python: "
                         "chipsim.compare(ds.sel(point=i), ds.sel(point=j), ...)");
  return f;
}

std::string band(DisplayKind k, const std::vector<double>& v) {
  return format_display(k, percentile(v, 0.5)) + " [" + format_display(k, percentile(v, 0.05)) +
         ", " + format_display(k, percentile(v, 0.95)) + "]";
}

// Replicates in which event `e` fired at or before period `last`.
std::vector<char> fired_by(const FileData& f, std::size_t e, int last) {
  const auto& periods = f.event_periods();
  const std::size_t E = f.event_labels().size();
  std::vector<char> out(static_cast<std::size_t>(f.replicates()), 0);
  for (std::size_t r = 0; r < out.size(); ++r) {
    const int p = periods[r * E + e];
    out[r] = p != Trajectory::kNeverFired && p <= last;
  }
  return out;
}

}  // namespace

int compare_command(const CompareArgs& args, std::ostream& out, std::ostream& err) {
  const FileData a = open_run(args.a), b = open_run(args.b);
  const auto &da = a.description(), &db = b.description();
  // Pairing: the same seed and replicates, so replicate i of each file saw the same draws.
  if (da.seed != db.seed) {
    err << "chipsim compare: the files do not pair up: seed " << da.seed << " in '" << args.a
        << "' but " << db.seed << " in '" << args.b
        << "'; run both with the same --seed for common random numbers\n";
    return kExitBadInput;
  }
  if (da.replicates != db.replicates) {
    err << "chipsim compare: the files do not pair up: " << da.replicates << " replicates in '"
        << args.a << "' but " << db.replicates << " in '" << args.b
        << "'; run both with the same -n\n";
    return kExitBadInput;
  }
  if (da.period_labels != db.period_labels) {
    err << "chipsim compare: the files do not pair up: their periods differ\n";
    return kExitBadInput;
  }
  std::vector<YearSpan> spans;
  for (const auto& y : a.years())
    if (args.years.empty() ||
        std::find(args.years.begin(), args.years.end(), y.year) != args.years.end())
      spans.push_back(y);
  for (int y : args.years)
    if (std::none_of(a.years().begin(), a.years().end(),
                     [y](const YearSpan& s) { return s.year == y; })) {
      err << "chipsim compare: --year " << y << " is outside the files' horizon "
          << da.period_labels.front() << " to " << da.period_labels.back() << "\n";
      return kExitBadInput;
    }
  const auto regions = da.labels_of("region");
  for (const auto& r : args.regions)
    if (std::find(regions.begin(), regions.end(), r) == regions.end()) {
      err << "chipsim compare: --region " << r << " is not a region of the files; expected one of";
      for (const auto& x : regions)
        err << " " << x;
      err << "\n";
      return kExitBadInput;
    }
  std::vector<std::string> wanted_regions;
  for (const auto& r : regions)
    if (args.regions.empty() ||
        std::find(args.regions.begin(), args.regions.end(), r) != args.regions.end())
      wanted_regions.push_back(r);

  // Events of either file, by label; regimes are shown for each file that records the event.
  struct EventColumns {
    std::string label;
    std::optional<std::size_t> in_a, in_b;
  };
  std::vector<EventColumns> events;
  const auto ea = a.event_labels(), eb = b.event_labels();
  for (std::size_t i = 0; i < ea.size(); ++i)
    events.push_back({ea[i], i, std::nullopt});
  for (std::size_t j = 0; j < eb.size(); ++j) {
    auto it = std::find_if(events.begin(), events.end(),
                           [&](const EventColumns& e) { return e.label == eb[j]; });
    if (it == events.end())
      events.push_back({eb[j], std::nullopt, j});
    else
      it->in_b = j;
  }

  std::ostringstream table, csv;
  table << "| outcome | region | year | A: p50 [p05, p95] | B: p50 [p05, p95] | B - A: mean (95% "
           "CI) | B - A: p05 to p95 |\n|---|---|---|---|---|---|---|\n";
  csv << "outcome,variable,region,year,a_mean,a_p05,a_p50,a_p95,b_mean,b_p05,b_p50,b_p95,"
         "diff_mean,diff_ci_low,diff_ci_high,diff_p05,diff_p95\n";
  auto mean_of = [](const std::vector<double>& v) {
    double m = 0;
    for (double x : v)
      m += x / static_cast<double>(v.size());
    return m;
  };
  auto row = [&](const std::string& outcome, const std::string& variable, const std::string& label,
                 const YearSpan& y, const std::vector<double>& va, const std::vector<double>& vb) {
    const DisplayKind k = find_variable(variable)->display;
    std::vector<double> d(va.size());
    // Differences within rounding of the values themselves (1e-12 relative) are zero: the
    // same quantity summed in a different order, not an effect.
    for (std::size_t i = 0; i < d.size(); ++i)
      d[i] = std::fabs(vb[i] - va[i]) <= 1e-12 * std::max(std::fabs(va[i]), std::fabs(vb[i]))
                 ? 0.0
                 : vb[i] - va[i];
    const double n = static_cast<double>(d.size());
    const double mean = mean_of(d);
    double var = 0;
    for (double x : d)
      var += (x - mean) * (x - mean) / std::max(1.0, n - 1);
    const double half = 1.96 * std::sqrt(var / n);  // normal approximation of the mean's CI
    // A share's difference is in percentage points.
    table << "| " << outcome << " | " << label << " | " << y.year << " | " << band(k, va) << " | "
          << band(k, vb) << " | " << format_difference(k, mean) << " ("
          << format_difference(k, mean - half) << ", " << format_difference(k, mean + half)
          << ") | " << format_difference(k, percentile(d, 0.05)) << " to "
          << format_difference(k, percentile(d, 0.95)) << " |\n";
    char buf[768];
    std::snprintf(
        buf, sizeof buf,
        "\"%s\",%s,%s,%d,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,"
        "%.17g,%.17g\n",
        outcome.c_str(), variable.c_str(), label.c_str(), y.year, mean_of(va), percentile(va, 0.05),
        percentile(va, 0.5), percentile(va, 0.95), mean_of(vb), percentile(vb, 0.05),
        percentile(vb, 0.5), percentile(vb, 0.95), mean, mean - half, mean + half,
        percentile(d, 0.05), percentile(d, 0.95));
    csv << buf;
    // Regimes: where an event splits the outcome, its two medians next to the band.
    for (const auto& e : events) {
      const Regimes none;
      const Regimes ra = e.in_a ? regimes(va, fired_by(a, *e.in_a, y.last)) : none;
      const Regimes rb = e.in_b ? regimes(vb, fired_by(b, *e.in_b, y.last)) : none;
      if (!ra.shown && !rb.shown) continue;
      auto med = [&](const Regimes& r, bool fired) {
        return r.shown ? format_display(k, fired ? r.median_fired : r.median_not)
                       : std::string("-");
      };
      auto pct = [](const std::optional<std::size_t>& in, const Regimes& r) {
        char p[32];
        std::snprintf(p, sizeof p, "%.0f%%", 100 * r.probability);
        return in ? std::string(p) : std::string("not in run");
      };
      const std::string probability = " (A " + pct(e.in_a, ra) + ", B " + pct(e.in_b, rb) + ")";
      table << "| &nbsp;&nbsp;if " << e.label << " fired by " << y.year << probability << " | "
            << label << " | " << y.year << " | median " << med(ra, true) << " | median "
            << med(rb, true) << " | | |\n";
      table << "| &nbsp;&nbsp;if " << e.label << " had not fired by " << y.year << " | " << label
            << " | " << y.year << " | median " << med(ra, false) << " | median " << med(rb, false)
            << " | | |\n";
    }
  };
  for (const auto& r : wanted_regions)
    for (const auto& h : headline_rows(r)) {
      if (!a.has(h.variable) || !b.has(h.variable)) continue;
      for (const auto& y : spans) {
        const auto va = a.values(h.variable, h.select, y.first, y.last);
        const auto vb = b.values(h.variable, h.select, y.first, y.last);
        auto zero = [](const std::vector<double>& v) {
          return std::all_of(v.begin(), v.end(), [](double x) { return x == 0; });
        };
        if (!(zero(va) && zero(vb))) row(h.label, h.variable, r, y, va, vb);
      }
    }
  // Vendor revenue by region, for vendors in either file.
  std::vector<std::string> vendors = da.labels_of("vendor");
  for (const auto& v : db.labels_of("vendor"))
    if (std::find(vendors.begin(), vendors.end(), v) == vendors.end()) vendors.push_back(v);
  for (const auto& v : args.vendors)
    if (std::find(vendors.begin(), vendors.end(), v) == vendors.end()) {
      err << "chipsim compare: --vendor " << v << " is in neither file\n";
      return kExitBadInput;
    }
  if (!args.vendors.empty()) vendors = args.vendors;
  auto vendor_values = [](const FileData& f, const std::string& v, const std::string& r,
                          const YearSpan& y) {
    const auto l = f.description().labels_of("vendor");
    if (std::find(l.begin(), l.end(), v) == l.end())  // a vendor only the other run has
      return std::vector<double>(static_cast<std::size_t>(f.replicates()), 0.0);
    return f.values("revenue", {{"vendor", v}, {"region", r}}, y.first, y.last);
  };
  if (a.has("revenue") && b.has("revenue"))
    for (const auto& v : vendors)
      for (const auto& r : wanted_regions)
        for (const auto& y : spans) {
          const auto va = vendor_values(a, v, r, y), vb = vendor_values(b, v, r, y);
          const bool all_zero =
              std::all_of(va.begin(), va.end(), [](double x) { return x == 0; }) &&
              std::all_of(vb.begin(), vb.end(), [](double x) { return x == 0; });
          if (!all_zero) row("revenue of " + v, "revenue", r, y, va, vb);
        }

  out << "chipsim compare: A = '" << args.a << "' (" << da.scenario_name << "), B = '" << args.b
      << "' (" << db.scenario_name << "); " << da.replicates << " paired replicates, seed "
      << da.seed
      << ".\nPer calendar year: flows summed over the year, stocks at year end, shares as the "
         "ratio of the year's sums; money in USD (B = billion, M = million), compute in "
         "EFLOP/s, differences of shares in percentage points (pp); B - A per replicate.\n";
  if (!ea.empty() || !eb.empty()) {
    out << "\nStochastic policy events: share of replicates in which each fired by the end of "
           "the horizon\n";
    auto probability = [](const FileData& f, std::size_t e) {
      const auto fired = fired_by(f, e, static_cast<int>(f.description().period_labels.size()) - 1);
      return 100.0 * static_cast<double>(std::count(fired.begin(), fired.end(), 1)) /
             static_cast<double>(std::max<long>(1, f.replicates()));
    };
    std::vector<std::string> all = ea;
    for (const auto& x : eb)
      if (std::find(all.begin(), all.end(), x) == all.end()) all.push_back(x);
    for (const auto& label : all) {
      char buf[160];
      auto pa = std::find(ea.begin(), ea.end(), label), pb = std::find(eb.begin(), eb.end(), label);
      std::string sa = "not in A", sb = "not in B";
      if (pa != ea.end()) {
        std::snprintf(buf, sizeof buf, "A %.1f%%",
                      probability(a, static_cast<std::size_t>(pa - ea.begin())));
        sa = buf;
      }
      if (pb != eb.end()) {
        std::snprintf(buf, sizeof buf, "B %.1f%%",
                      probability(b, static_cast<std::size_t>(pb - eb.begin())));
        sb = buf;
      }
      out << "  " << label << ": " << sa << ", " << sb << "\n";
    }
    out << "Where an event splits an outcome into two regimes (docs/OUTPUT.md, \"Events\"), the "
           "rows below it give each regime's median.\n";
  }
  out << "\n" << table.str();
  if (!args.csv.empty()) write_atomically(args.csv, csv.str());
  return kExitOk;
}

}  // namespace chipsim
