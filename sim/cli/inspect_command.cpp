// `chipsim inspect FILE`: what a file holds, and a per-year table of headline outcomes
// aggregated by the shared rules (engine/aggregate.hpp). A summary-only file has no
// per-replicate data to aggregate; its table shows /summary's p05/p50/p95 of each year's last
// period instead, and says so.
#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/file_data.hpp"
#include "engine/display.hpp"

namespace chipsim {

namespace {

void print_cells(std::ostream& out, const std::string& name, const std::string& unit,
                 const std::vector<std::string>& cells) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "  %-44s %-14s", name.c_str(), unit.c_str());
  out << buf;
  for (const auto& c : cells) {
    std::snprintf(buf, sizeof buf, " %30s", c.c_str());
    out << buf;
  }
  out << "\n";
}

std::string three(DisplayKind k, double a, double b, double c) {
  return format_display(k, a) + " / " + format_display(k, b) + " / " + format_display(k, c);
}

// A sweep: its design, its progress, and per point the mean over replicates of each
// region's domestic share of units in two years (the horizon's middle and last).
int inspect_sweep(const FileData& file, std::ostream& out) {
  const io::FileDescription& d = file.description();
  out << "sweep       " << d.design_type << " design, " << d.points << " points x " << d.replicates
      << " replicates";
  if (d.shards > 1) out << ", shard " << d.shard << "/" << d.shards;
  out << "\nwork        " << d.work_done << " of " << d.work_count << " replicates written"
      << (d.complete ? "" : " (INCOMPLETE: continue with the same command plus --resume)");
  if (d.point_errors > 0)
    out << "; " << d.point_errors << (d.point_errors == 1 ? " point" : " points")
        << " could not run (point_error)";
  out << "\n";
  std::vector<std::uint64_t> shape;
  std::vector<std::vector<double>> values;
  for (const auto& k : d.design_keys) {
    values.push_back(io::read_dataset(file.path(), k, shape));
    const auto [lo, hi] = std::minmax_element(values.back().begin(), values.back().end());
    out << "swept       " << k << " from " << format_display(DisplayKind::count, *lo) << " to "
        << format_display(DisplayKind::count, *hi) << "\n";
  }
  if (!d.complete || d.shards > 1 || !file.has("domestic_units") || !file.has("market_units")) {
    out << "\n(a per-point table needs the complete sweep with domestic_units and market_units)\n";
    return kExitOk;
  }
  const auto& years = file.years();
  std::vector<YearSpan> shown = {years[years.size() / 2], years.back()};
  const auto regions = d.labels_of("region");
  out << "\nper point, mean over replicates of the domestic share of units (ratio of the year's "
         "sums)\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %6s", "point");
  out << buf;
  for (const auto& k : d.design_keys) {  // the key's last two parts ("N7.capacity")
    const auto dot = k.rfind('.', k.rfind('.') == std::string::npos ? 0 : k.rfind('.') - 1);
    const std::string shortened = dot == std::string::npos ? k : k.substr(dot + 1);
    std::snprintf(buf, sizeof buf, " %20s", shortened.c_str());
    out << buf;
  }
  for (const auto& r : regions)
    for (const auto& y : shown) {
      std::snprintf(buf, sizeof buf, " %10s", (r + " " + std::to_string(y.year)).c_str());
      out << buf;
    }
  out << "\n";
  std::vector<std::vector<double>> cells;  // [region x year][row]
  for (const auto& r : regions)
    for (const auto& y : shown)
      cells.push_back(file.values("domestic_share_units", {{"region", r}}, y.first, y.last));
  const long reps = d.replicates;
  const long limit = 20;
  for (long p = 0; p < d.points; ++p) {
    if (p == limit && d.points > limit + 1) {
      out << "  ... " << d.points - limit - 1 << " more points ...\n";
      p = d.points - 1;
    }
    std::snprintf(buf, sizeof buf, "  %6ld", p);
    out << buf;
    for (const auto& v : values) {
      std::snprintf(buf, sizeof buf, " %20s",
                    format_display(DisplayKind::count, v[static_cast<std::size_t>(p)]).c_str());
      out << buf;
    }
    for (const auto& c : cells) {
      double sum = 0;
      for (long k = 0; k < reps; ++k)
        sum += c[static_cast<std::size_t>(p * reps + k)];
      std::snprintf(buf, sizeof buf, " %10s",
                    format_display(DisplayKind::share, sum / static_cast<double>(reps)).c_str());
      out << buf;
    }
    out << "\n";
  }
  return kExitOk;
}

}  // namespace

int inspect_command(const std::string& path, std::ostream& out, std::ostream& /*err*/) {
  const FileData file(path);
  const io::FileDescription& d = file.description();
  out << "file        " << path << "\n";
  out << "scenario    " << d.scenario_name << " (sha256 " << d.scenario_sha256.substr(0, 16)
      << "…)\n";
  out << "seed        " << d.seed << "\n";
  if (d.points == 0)
    out << "replicates  " << d.replicates_written << " of " << d.replicates
        << (d.complete ? " (complete)" : " (INCOMPLETE: resume the run with --resume)") << "\n";
  out << "written by  chipsim " << d.version << " (commit " << d.commit << ") on " << d.created
      << "\n";
  out << "command     " << d.command_line << "\n";
  out << "dimensions ";
  for (const auto& [name, size] : d.dimensions)
    out << " " << name << "=" << size;
  out << "\nvariables  ";
  for (const auto& v : d.variables)
    out << " " << v;
  out << "\n";
  if (d.points > 0) return inspect_sweep(file, out);
  const auto& years = file.years();
  std::vector<int> year_numbers;
  for (const auto& y : years)
    year_numbers.push_back(y.year);
  const auto regions = d.labels_of("region");

  if (d.summary_only) {
    if (!d.complete) {
      out << "\n(no summary yet: the run is incomplete)\n";
      return kExitOk;
    }
    out << "\nsummary-only file: no per-replicate data, so no yearly aggregates. Below, p05 / p50 "
           "/ p95 over replicates of each year's last period, from /summary\n";
    print_year_header(out, year_numbers, 44, 14, 30);
    for (const auto& r : regions)
      for (const auto& h : headline_rows(r)) {
        const VariableInfo* v = find_variable(h.variable);
        if (!file.has(h.variable) || h.select.front().first != "region") continue;
        std::vector<std::uint64_t> shape;
        const auto x = io::read_summary(path, h.variable, shape);
        const std::size_t T = shape[1], R = shape[2];
        const auto ri = static_cast<std::size_t>(std::find(regions.begin(), regions.end(), r) -
                                                 regions.begin());
        auto at = [&](std::size_t stat, std::size_t t) { return x[(stat * T + t) * R + ri]; };
        std::vector<std::string> cells;
        for (const auto& y : years) {
          const auto t = static_cast<std::size_t>(y.last);
          cells.push_back(three(v->display, at(1, t), at(3, t), at(5, t)));  // p05 p50 p95
        }
        print_cells(out, h.variable + "[" + r + "]", unit_label(*v, "period"), cells);
      }
    return kExitOk;
  }
  if (d.replicates_written == 0 || d.period_labels.empty()) {
    out << "\n(no per-replicate data to tabulate)\n";
    return kExitOk;
  }

  const long n = d.replicates_written;
  out << "\nper calendar year, p05 / p50 / p95 over " << n
      << " replicates (flows summed over the year, stocks at year end, shares as the ratio of "
         "the year's sums)\n";
  print_year_header(out, year_numbers, 44, 14, 30);
  for (const auto& r : regions)
    for (const auto& h : headline_rows(r)) {
      if (!file.has(h.variable)) continue;
      const VariableInfo& v = *find_variable(h.variable);
      std::vector<std::string> cells;
      for (const auto& y : years) {
        const auto x = file.values(h.variable, h.select, y.first, y.last);
        cells.push_back(
            three(v.display, percentile(x, 0.05), percentile(x, 0.5), percentile(x, 0.95)));
      }
      print_cells(out, h.variable + "[" + r + "]", unit_label(v, "year"), cells);
    }
  const auto events = file.event_labels();
  if (!events.empty()) {
    out << "\nstochastic policy events: share of replicates in which each had fired by the end "
           "of each year\n";
    print_year_header(out, year_numbers, 44, 14, 30);
    const auto& periods = file.event_periods();
    for (std::size_t e = 0; e < events.size(); ++e) {
      std::vector<std::string> cells;
      for (const auto& y : years) {
        long fired = 0;
        for (long k = 0; k < n; ++k) {
          const int p = periods[static_cast<std::size_t>(k) * events.size() + e];
          fired += p != Trajectory::kNeverFired && p <= y.last;
        }
        cells.push_back(format_display(DisplayKind::share,
                                       static_cast<double>(fired) / static_cast<double>(n)));
      }
      print_cells(out, events[e], "%", cells);
    }
  }
  return kExitOk;
}

}  // namespace chipsim
