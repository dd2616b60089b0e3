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

}  // namespace

int inspect_command(const std::string& path, std::ostream& out, std::ostream& /*err*/) {
  const FileData file(path);
  const io::FileDescription& d = file.description();
  out << "file        " << path << "\n";
  out << "scenario    " << d.scenario_name << " (sha256 " << d.scenario_sha256.substr(0, 16)
      << "…)\n";
  out << "seed        " << d.seed << "\n";
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
