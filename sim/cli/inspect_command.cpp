#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "engine/year_table.hpp"
#include "io/output_file.hpp"

namespace chipsim {

namespace {

double quantile(std::vector<double> v, double q) {  // the order statistic floor(q (n - 1))
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

int inspect_command(const std::string& path, std::ostream& out, std::ostream& /*err*/) {
  const io::FileDescription d = io::describe_file(path);
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
  if (d.summary_only || d.replicates_written == 0 || d.period_labels.empty()) {
    out << "\n(no per-replicate data to tabulate"
        << (d.summary_only ? ": summary-only file; see the /summary group" : "") << ")\n";
    return kExitOk;
  }

  // Per-year table of headline outcomes from the raw replicates: flows summed over the
  // year, shares as the ratio of the sums, stocks at year end; p05 / p50 / p95 over replicates.
  const auto has = [&](const char* v) {
    return std::find(d.variables.begin(), d.variables.end(), v) != d.variables.end();
  };
  std::vector<int> years;
  std::map<int, std::pair<int, int>> span;  // year -> first, last period
  for (int t = 0; t < static_cast<int>(d.period_labels.size()); ++t) {
    const int y = std::stoi(d.period_labels[t].substr(0, 4));
    if (!span.count(y)) {
      years.push_back(y);
      span[y] = {t, t};
    }
    span[y].second = t;
  }
  std::vector<std::string> regions;
  for (const auto& [name, labels] : d.labels)
    if (name == "region") regions = labels;
  auto region = [&](std::size_t r) { return r < regions.size() ? regions[r] : std::to_string(r); };
  const long n = d.replicates_written;
  struct Row {
    std::string name;
    std::vector<std::vector<double>> per_year;  // [year][replicate]
    double scale;
    std::string unit;
  };
  std::vector<Row> rows;
  auto load = [&](const char* var, std::vector<std::uint64_t>& shape) {
    return io::read_dataset(path, var, shape);
  };
  if (has("market_revenue") && has("domestic_revenue")) {
    std::vector<std::uint64_t> sm, sd;
    const auto m = load("market_revenue", sm), dom = load("domestic_revenue", sd);
    const std::size_t T = sm[1], R = sm[2];
    for (std::size_t r = 0; r < R; ++r) {
      Row market{"market_revenue[" + region(r) + "]", {}, 1e9, "USD bn"};
      Row share{"domestic_share_revenue[" + region(r) + "]", {}, 0.01, "%"};
      for (int y : years) {
        std::vector<double> mv, sv;
        for (long k = 0; k < n; ++k) {
          double ms = 0, ds = 0;
          for (int t = span[y].first; t <= span[y].second; ++t) {
            ms += m[(k * T + t) * R + r];
            ds += dom[(k * T + t) * R + r];
          }
          mv.push_back(ms);
          sv.push_back(ms > 0 ? ds / ms : 0);
        }
        market.per_year.push_back(mv);
        share.per_year.push_back(sv);
      }
      rows.push_back(std::move(market));
      rows.push_back(std::move(share));
    }
  }
  if (has("effective_compute")) {
    std::vector<std::uint64_t> s;
    const auto e = load("effective_compute", s);
    const std::size_t T = s[1], R = s[2];
    for (std::size_t r = 0; r < R; ++r) {
      Row row{"effective_compute[" + region(r) + "]", {}, 1e3, "EFLOP/s"};
      for (int y : years) {
        std::vector<double> v;
        for (long k = 0; k < n; ++k)
          v.push_back(e[(k * T + span[y].second) * R + r]);
        row.per_year.push_back(v);
      }
      rows.push_back(std::move(row));
    }
  }
  char buf[64];
  out << "\nper year, p05 / p50 / p95 over " << n << " replicates\n";
  print_year_header(out, years, 30, 8, 22);
  for (const auto& row : rows) {
    std::snprintf(buf, sizeof buf, "  %-30s %-8s", row.name.c_str(), row.unit.c_str());
    out << buf;
    for (const auto& v : row.per_year) {
      std::snprintf(buf, sizeof buf, " %6.1f/%6.1f/%6.1f", quantile(v, 0.05) / row.scale,
                    quantile(v, 0.5) / row.scale, quantile(v, 0.95) / row.scale);
      out << buf;
    }
    out << "\n";
  }
  return kExitOk;
}

}  // namespace chipsim
