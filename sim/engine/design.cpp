#include "engine/design.hpp"

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include "engine/calibration.hpp"
#include "engine/display.hpp"
#include "rng/streams.hpp"

namespace chipsim {

namespace {

rng::Engine design_engine(const SweepSpec& spec) {
  return rng::Engine(
      rng::stream_seed(spec.seed, 0, rng::hash_name("design"), rng::Purpose::design));
}

// Full factorial: the first parameter varies slowest.
void grid(const SweepSpec& spec, Design& d) {
  std::size_t n = 1;
  for (const auto& p : spec.parameters)
    n *= p.values.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> u, v;
    std::size_t rest = i;
    std::vector<std::size_t> index(spec.parameters.size());
    for (std::size_t k = spec.parameters.size(); k-- > 0;) {
      const std::size_t m = spec.parameters[k].values.size();
      index[k] = rest % m;
      rest /= m;
    }
    for (std::size_t k = 0; k < spec.parameters.size(); ++k) {
      const std::size_t m = spec.parameters[k].values.size();
      u.push_back(m > 1 ? static_cast<double>(index[k]) / static_cast<double>(m - 1) : 0.5);
      v.push_back(spec.parameters[k].values[index[k]]);
    }
    d.unit.push_back(std::move(u));
    d.values.push_back(std::move(v));
  }
}

double min_distance(const std::vector<std::vector<double>>& x) {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = i + 1; j < x.size(); ++j) {
      double s = 0;
      for (std::size_t k = 0; k < x[i].size(); ++k)
        s += (x[i][k] - x[j][k]) * (x[i][k] - x[j][k]);
      best = std::min(best, s);
    }
  return std::sqrt(best);
}

// Latin hypercube: each parameter's n strata in a random order, a uniform point within each
// stratum; the best of `candidates` by the maximin criterion.
void lhs(const SweepSpec& spec, Design& d) {
  rng::Engine engine = design_engine(spec);
  const int n = spec.samples;
  const std::size_t k = spec.parameters.size();
  std::vector<std::vector<double>> best;
  double best_score = -1;
  for (int c = 0; c < spec.candidates; ++c) {
    std::vector<std::vector<double>> x(static_cast<std::size_t>(n), std::vector<double>(k));
    for (std::size_t j = 0; j < k; ++j) {
      std::vector<int> strata(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i)
        strata[static_cast<std::size_t>(i)] = i;
      for (int i = n - 1; i > 0; --i) {  // Fisher-Yates with Boost.Random
        const int r = boost::random::uniform_int_distribution<int>(0, i)(engine);
        std::swap(strata[static_cast<std::size_t>(i)], strata[static_cast<std::size_t>(r)]);
      }
      for (int i = 0; i < n; ++i)
        x[static_cast<std::size_t>(i)][j] =
            (strata[static_cast<std::size_t>(i)] + boost::random::uniform_01<double>()(engine)) / n;
    }
    const double score = n > 1 && spec.candidates > 1 ? min_distance(x) : 0;
    if (score > best_score) {
      best_score = score;
      best = std::move(x);
    }
  }
  d.unit = std::move(best);
  d.settings.emplace_back("maximin_distance", exact_decimal(best_score));
}

// Saltelli (2010): A and B from one 2k-dimensional Sobol sequence (its first point, all
// zeros, skipped); per base sample A_j, AB_j^i (A_j with column i from B_j), B_j.
void saltelli(const SweepSpec& spec, Design& d) {
  const std::size_t k = spec.parameters.size();
  boost::random::sobol engine(2 * k);
  engine.discard(2 * k);  // the origin
  for (int j = 0; j < spec.samples; ++j) {
    std::vector<double> a(k), b(k);
    for (std::size_t i = 0; i < k; ++i)
      a[i] = std::ldexp(static_cast<double>(engine()), -64);
    for (std::size_t i = 0; i < k; ++i)
      b[i] = std::ldexp(static_cast<double>(engine()), -64);
    d.unit.push_back(a);
    d.group.push_back(j);
    d.role.push_back(-1);
    for (std::size_t i = 0; i < k; ++i) {
      std::vector<double> ab = a;
      ab[i] = b[i];
      d.unit.push_back(std::move(ab));
      d.group.push_back(j);
      d.role.push_back(static_cast<int>(i));
    }
    d.unit.push_back(b);
    d.group.push_back(j);
    d.role.push_back(static_cast<int>(k));
  }
}

// Morris (1991) trajectories: a random start on the p-level grid, then each parameter in a
// random order moved by +-delta, so consecutive points differ in one parameter.
void morris(const SweepSpec& spec, Design& d) {
  rng::Engine engine = design_engine(spec);
  const std::size_t k = spec.parameters.size();
  const int p = spec.levels;
  const double delta = p / (2.0 * (p - 1));
  // Base levels from which a step of delta stays in [0, 1].
  const int bases = std::max(1, p - p / 2);
  for (int t = 0; t < spec.samples; ++t) {
    std::vector<double> x(k);
    std::vector<double> sign(k);
    for (std::size_t i = 0; i < k; ++i) {
      const int level = boost::random::uniform_int_distribution<int>(0, bases - 1)(engine);
      const double base = static_cast<double>(level) / (p - 1);
      sign[i] = boost::random::uniform_int_distribution<int>(0, 1)(engine) == 1 ? 1.0 : -1.0;
      x[i] = sign[i] > 0 ? base : base + delta;
    }
    std::vector<int> order(k);
    for (std::size_t i = 0; i < k; ++i)
      order[i] = static_cast<int>(i);
    for (std::size_t i = k; i-- > 1;) {
      const auto r = static_cast<std::size_t>(
          boost::random::uniform_int_distribution<int>(0, static_cast<int>(i))(engine));
      std::swap(order[i], order[r]);
    }
    d.unit.push_back(x);
    d.group.push_back(t);
    d.role.push_back(-1);
    for (int i : order) {
      x[static_cast<std::size_t>(i)] += sign[static_cast<std::size_t>(i)] * delta;
      x[static_cast<std::size_t>(i)] = std::clamp(x[static_cast<std::size_t>(i)], 0.0, 1.0);
      d.unit.push_back(x);
      d.group.push_back(t);
      d.role.push_back(i);
    }
  }
  d.settings.emplace_back("levels", std::to_string(p));
  d.settings.emplace_back("delta", exact_decimal(delta));
}

// A CSV of points: a header of keys, then one row of numbers per point.
void csv(const SweepSpec& spec, Design& d) {
  Diagnostics diags;
  const auto file = std::make_shared<const std::string>(spec.csv_path);
  std::ifstream in(spec.csv_path, std::ios::binary);
  if (!in) {
    diags.error(spec.design_loc, "design.file",
                "cannot read the CSV of points '" + spec.csv_path + "'");
    throw ScenarioError(diags.items());
  }
  std::string line;
  std::uint32_t row = 0;
  auto cells = [](const std::string& l) {
    std::vector<std::pair<std::string, std::uint32_t>> out;  // text, column (1-based)
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = l.find(',', start);
      std::string cell =
          l.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const std::size_t a = cell.find_first_not_of(" \t\r");
      const std::size_t b = cell.find_last_not_of(" \t\r");
      out.emplace_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1),
                       static_cast<std::uint32_t>(start + 1));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  };
  while (std::getline(in, line)) {
    ++row;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto c = cells(line);
    if (d.keys.empty()) {
      for (const auto& [text, col] : c) {
        if (text.empty())
          diags.error({file, row, col}, "header", "expected a scenario key, got an empty cell");
        else if (std::find(d.keys.begin(), d.keys.end(), text) != d.keys.end())
          diags.error({file, row, col}, text, "the key is listed twice in the header");
        d.keys.push_back(text);
      }
      continue;
    }
    if (c.size() != d.keys.size()) {
      diags.error({file, row, 1}, "row " + std::to_string(row),
                  "expected " + std::to_string(d.keys.size()) +
                      " values (one per key in the "
                      "header), got " +
                      std::to_string(c.size()));
      continue;
    }
    std::vector<double> v;
    for (std::size_t i = 0; i < c.size(); ++i) {
      const std::string& text = c[i].first;
      char* end = nullptr;
      const double x = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(x))
        diags.error({file, row, c[i].second}, d.keys[i],
                    "expected a finite number, got \"" + text + "\"");
      v.push_back(x);
    }
    d.values.push_back(std::move(v));
  }
  if (d.keys.empty())
    diags.error({file, 1, 1}, "header", "expected a header row naming the swept keys");
  else if (d.values.empty() && diags.empty())
    diags.error({file, row + 1, 1}, "rows", "expected at least one row of values");
  if (!diags.empty()) throw ScenarioError(diags.items());
  // Unit coordinates: each column rescaled to its range over the file's points.
  for (std::size_t i = 0; i < d.keys.size(); ++i) {
    double lo = d.values[0][i], hi = lo;
    for (const auto& v : d.values) {
      lo = std::min(lo, v[i]);
      hi = std::max(hi, v[i]);
    }
    for (std::size_t j = 0; j < d.values.size(); ++j) {
      if (d.unit.size() <= j) d.unit.emplace_back(d.keys.size(), 0.5);
      d.unit[j][i] = hi > lo ? (d.values[j][i] - lo) / (hi - lo) : 0.5;
    }
  }
  d.settings.emplace_back("file", spec.csv_path);
}

}  // namespace

double parameter_value(const SweepParameter& p, double u) {
  u = std::clamp(u, 0.0, 1.0);
  switch (p.kind) {
    case SweepParameter::levels: {
      const auto n = p.values.size();
      const auto i = std::min(static_cast<std::size_t>(u * static_cast<double>(n)), n - 1);
      return p.values[i];
    }
    case SweepParameter::range:
      return p.low + u * (p.high - p.low);
    case SweepParameter::dist:
      return quantile(p.distribution, u);
  }
  return u;
}

std::vector<std::string> Design::overrides(int point) const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < keys.size(); ++i)
    out.push_back(override_text(keys[i], values[static_cast<std::size_t>(point)][i]));
  return out;
}

Design build_design(const SweepSpec& spec) {
  Design d;
  d.kind = spec.design;
  for (const auto& p : spec.parameters)
    d.keys.push_back(p.key);
  d.settings.emplace_back("type", to_string(spec.design));
  switch (spec.design) {
    case DesignKind::grid:
      grid(spec, d);
      break;
    case DesignKind::lhs:
      d.settings.emplace_back("samples", std::to_string(spec.samples));
      d.settings.emplace_back("candidates", std::to_string(spec.candidates));
      lhs(spec, d);
      break;
    case DesignKind::saltelli:
      d.settings.emplace_back("base_samples", std::to_string(spec.samples));
      d.settings.emplace_back("sequence", "boost::random::sobol, first point skipped");
      saltelli(spec, d);
      break;
    case DesignKind::morris:
      d.settings.emplace_back("trajectories", std::to_string(spec.samples));
      morris(spec, d);
      break;
    case DesignKind::csv:
      csv(spec, d);
      break;
  }
  if (spec.design != DesignKind::grid && spec.design != DesignKind::csv) {
    d.values.clear();
    for (const auto& u : d.unit) {
      std::vector<double> v;
      for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
        const SweepParameter& p = spec.parameters[i];
        // A Morris level of a distribution is read at the middle of its probability band,
        // so the grid's ends are not the law's infinite tails.
        const double at = spec.design == DesignKind::morris && p.kind == SweepParameter::dist
                              ? (u[i] * (spec.levels - 1) + 0.5) / spec.levels
                              : u[i];
        v.push_back(parameter_value(p, at));
      }
      d.values.push_back(std::move(v));
    }
  }
  if (d.group.empty())
    for (int i = 0; i < d.points(); ++i)
      d.group.push_back(i);
  if (d.role.empty()) d.role.assign(static_cast<std::size_t>(d.points()), -1);
  return d;
}

}  // namespace chipsim
