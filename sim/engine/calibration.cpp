#include "engine/calibration.hpp"

#include "engine/display.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "engine/ensemble.hpp"
#include "engine/year_table.hpp"

namespace chipsim {

namespace {

std::vector<std::string> variable_names() {
  std::vector<std::string> out;
  for (const auto& v : variables())
    out.emplace_back(v.name);
  return out;
}

// Percentile by linear interpolation between order statistics (numpy's default).
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

double TargetStatistic::of(const Trajectory& t) const {
  const double n = numerator_->of(t);
  if (!denominator_) return n;
  const double d = denominator_->of(t);
  return d != 0 ? n / d : 0.0;
}

std::vector<TargetStatistic> TargetStatistic::resolve(const std::vector<Target>& targets,
                                                      const Scenario& scenario) {
  Diagnostics diags;
  std::vector<TargetStatistic> out;
  const Calendar& cal = scenario.calendar;
  for (const Target& target : targets) {
    TargetStatistic st;
    st.target_ = target;
    bool ok = true;

    // The window as a span of periods [first, last].
    const TargetWindow& w = target.window;
    const std::string wkey = target.key + "." + w.key();
    int first = -1, last = -1;
    auto year_span = [&](int year, bool want_first) {
      std::vector<int> periods;
      for (int t = 0; t < cal.periods; ++t)
        if (cal.year(t) == year) periods.push_back(t);
      if (periods.empty()) {
        diags.error(w.loc, wkey,
                    "year " + std::to_string(year) + " is outside the simulated horizon " +
                        cal.label(0) + " to " + cal.label(cal.periods - 1) + " of scenario '" +
                        scenario.name + "'");
        ok = false;
        return -1;
      }
      if (static_cast<double>(periods.size()) < cal.periods_per_year()) {
        diags.error(w.loc, wkey,
                    "year " + std::to_string(year) + " is only partly simulated (" +
                        cal.label(periods.front()) + " to " + cal.label(periods.back()) +
                        "); expected a year the horizon covers in full");
        ok = false;
        return -1;
      }
      return want_first ? periods.front() : periods.back();
    };
    auto period_index = [&](const std::string& text) {
      std::string why;
      const auto d = parse_date(text, why);
      const int t = d ? cal.index_of(*d) : -1;
      if (!d || t < 0 || t >= cal.periods) {
        diags.error(w.loc, wkey,
                    "period '" + text + "' is " + (d ? "outside the simulated horizon " : "not ") +
                        (d ? cal.label(0) + " to " + cal.label(cal.periods - 1)
                           : "a period; expected " + why));
        ok = false;
        return -1;
      }
      return t;
    };
    if (w.kind == TargetWindow::periods) {
      first = period_index(w.first_period);
      last = period_index(w.last_period);
      if (ok && last < first) {
        diags.error(
            w.loc, wkey,
            "expected [first, last] in order, got " + w.first_period + " after " + w.last_period);
        ok = false;
      }
    } else {
      first = year_span(w.first_year, true);
      if (ok) last = year_span(w.last_year, false);
    }

    const LabelLookup labels = scenario_labels(scenario);
    // `which`: variable, numerator or denominator; a ratio side given as a table names its
    // variable as `variable` under its own key (target[i].numerator.variable).
    auto build = [&](const TargetSide& side, const char* which, std::optional<Aggregate>& sum) {
      const char* what = side.key == target.key ? which : "variable";
      if (!find_variable(side.variable)) {
        diags.error(side.variable_loc, side.key + "." + what,
                    "unknown variable '" + side.variable + "'" +
                        did_you_mean(side.variable, variable_names()) + "; expected one of " +
                        join_names(variable_names()));
        ok = false;
        return;
      }
      if (!ok) return;
      // Each selection on its own first, so an error points at its line.
      bool side_ok = true;
      for (std::size_t k = 0; k < side.select.size(); ++k) {
        try {
          (void)Aggregate::resolve(side.variable, {side.select[k]}, labels, first, last);
        } catch (const AggregationError& e) {
          diags.error(side.select_locs[k], side.key + ".select." + side.select[k].first, e.what());
          side_ok = false;
        }
      }
      if (!side_ok) {
        ok = false;
        return;
      }
      try {
        sum = Aggregate::resolve(side.variable, side.select, labels, first, last);
      } catch (const AggregationError& e) {
        diags.error(side.variable_loc, side.key + "." + what, e.what());
        ok = false;
      }
    };
    if (target.ratio()) {
      build(target.first_side(), "numerator", st.numerator_);
      build(target.second_side(), "denominator", st.denominator_);
    } else {
      build(target.first_side(), "variable", st.numerator_);
    }
    if (ok) out.push_back(std::move(st));
  }
  if (!diags.empty()) throw ScenarioError(diags.items());
  return out;
}

TargetOutcome outcome_of(const Target& target, std::vector<double> values) {
  TargetOutcome o;
  std::sort(values.begin(), values.end());
  if (!values.empty())
    o.mean =
        std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  o.p05 = percentile(values, 0.05);
  o.p95 = percentile(values, 0.95);
  o.statistic = target.stat == "median" ? percentile(values, 0.5) : o.mean;
  o.in_band = target.low <= o.statistic && o.statistic <= target.high;
  const double d = o.statistic - target.value;
  double scale = d >= 0 ? target.high - target.value : target.value - target.low;
  if (!(scale > 0)) scale = std::max(target.high - target.low, std::fabs(target.value));
  if (!(scale > 0)) scale = 1;
  o.miss = d / scale;
  return o;
}

bool Evaluation::all_in_band() const {
  return std::all_of(outcomes.begin(), outcomes.end(),
                     [](const TargetOutcome& o) { return o.in_band; });
}

Evaluation evaluate(const Scenario& scenario, const std::vector<TargetStatistic>& targets,
                    int replicates, std::uint64_t seed, int threads) {
  std::vector<std::vector<double>> values(targets.size());
  EnsembleOptions options;
  options.threads = threads;
  options.chunk = std::max(1, std::min(16, replicates / std::max(1, 2 * threads)));
  run_ensemble(scenario, 0, seed, 0, replicates, options,
               [&](const std::vector<Trajectory>& chunk, int) {
                 for (const auto& t : chunk)
                   for (std::size_t k = 0; k < targets.size(); ++k)
                     values[k].push_back(targets[k].of(t));
               });
  Evaluation e;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    e.outcomes.push_back(outcome_of(targets[k].target(), std::move(values[k])));
    e.loss += e.outcomes.back().miss * e.outcomes.back().miss;
  }
  return e;
}

FreeParameter parse_free_parameter(const std::string& text) {
  const auto eq = text.find('=');
  const auto colon = text.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos)
    throw std::invalid_argument("--free '" + text + "': expected KEY=LOW:HIGH, e.g. " +
                                "buyer.X.accelerator_share=0.3:0.9");
  FreeParameter p;
  p.key = text.substr(0, eq);
  for (std::size_t from = 0;;) {
    const auto comma = p.key.find(',', from);
    const std::string one = p.key.substr(from, comma == std::string::npos ? comma : comma - from);
    if (one.empty())
      throw std::invalid_argument("--free '" + text + "': empty key in '" + p.key + "'");
    p.keys.push_back(one);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  auto number = [&](std::string_view s, const char* which) {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
      throw std::invalid_argument("--free '" + text + "': " + which + " bound '" + std::string(s) +
                                  "' is not a finite number");
    return v;
  };
  const std::string_view all(text);
  p.low = number(all.substr(eq + 1, colon - eq - 1), "lower");
  p.high = number(all.substr(colon + 1), "upper");
  if (!(p.low < p.high)) throw std::invalid_argument("--free '" + text + "': expected LOW < HIGH");
  return p;
}

std::string override_text(const std::string& key, double value) {
  // TOML accepts "1e-05"; a bare integer is read as an integer, which numeric keys accept.
  return key + "=" + exact_decimal(value);
}

std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                                std::vector<double> x0, double step, int max_evaluations,
                                double ftol, double xtol, double& best, int& evaluations) {
  const std::size_t n = x0.size();
  std::vector<std::vector<double>> x(n + 1, x0);
  std::vector<double> fx(n + 1, std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < n; ++i)
    x[i + 1][i] += (x0[i] + step <= 1.0 ? step : -step);  // stay inside the unit cube
  for (std::size_t i = 0; i <= n && evaluations < max_evaluations; ++i, ++evaluations)
    fx[i] = f(x[i]);
  std::vector<std::size_t> order(n + 1);
  auto point = [&](const std::vector<double>& c, const std::vector<double>& w, double t) {
    std::vector<double> p(n);
    for (std::size_t j = 0; j < n; ++j)
      p[j] = c[j] + t * (w[j] - c[j]);
    return p;
  };
  while (evaluations < max_evaluations) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return fx[a] < fx[b]; });
    const std::size_t lo = order.front(), hi = order.back(), second = order[n - 1];
    double diameter = 0;
    for (std::size_t i = 0; i <= n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        diameter = std::max(diameter, std::fabs(x[i][j] - x[lo][j]));
    if (fx[hi] - fx[lo] <= ftol && diameter <= xtol) break;
    std::vector<double> centroid(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i)
      if (i != hi)
        for (std::size_t j = 0; j < n; ++j)
          centroid[j] += x[i][j] / static_cast<double>(n);
    const auto reflected = point(centroid, x[hi], -1.0);
    const double fr = f(reflected);
    ++evaluations;
    if (fr < fx[lo]) {
      const auto expanded = point(centroid, x[hi], -2.0);
      const double fe = evaluations < max_evaluations ? f(expanded) : fr + 1;
      if (evaluations < max_evaluations) ++evaluations;
      if (fe < fr)
        x[hi] = expanded, fx[hi] = fe;
      else
        x[hi] = reflected, fx[hi] = fr;
      continue;
    }
    if (fr < fx[second]) {
      x[hi] = reflected, fx[hi] = fr;
      continue;
    }
    // Contraction: outside if the reflection beat the worst, inside otherwise.
    const bool outside = fr < fx[hi];
    const auto contracted = point(centroid, outside ? reflected : x[hi], 0.5);
    if (evaluations >= max_evaluations) break;
    const double fc = f(contracted);
    ++evaluations;
    if (fc < (outside ? fr : fx[hi])) {
      x[hi] = contracted, fx[hi] = fc;
      continue;
    }
    // Shrink towards the best point.
    for (std::size_t i = 0; i <= n && evaluations < max_evaluations; ++i) {
      if (i == lo) continue;
      x[i] = point(x[lo], x[i], 0.5);
      fx[i] = f(x[i]);
      ++evaluations;
    }
  }
  const auto at = static_cast<std::size_t>(std::min_element(fx.begin(), fx.end()) - fx.begin());
  best = fx[at];
  return x[at];
}

CalibrationResult calibrate(const ScenarioLoader& load,
                            const std::vector<std::string>& base_overrides,
                            const std::vector<Target>& targets,
                            const std::vector<FreeParameter>& free,
                            const std::vector<double>& start, const CalibrationOptions& options) {
  const std::size_t k = free.size();
  auto to_values = [&](const std::vector<double>& u) {
    std::vector<double> v(k);
    for (std::size_t i = 0; i < k; ++i)
      v[i] = free[i].low + (free[i].high - free[i].low) * std::clamp(u[i], 0.0, 1.0);
    return v;
  };
  auto score = [&](const std::vector<double>& values) {
    std::vector<std::string> overrides = base_overrides;
    for (std::size_t i = 0; i < k; ++i)
      for (const auto& key : free[i].keys)
        overrides.push_back(override_text(key, values[i]));
    const Scenario s = load(overrides);
    return evaluate(s, TargetStatistic::resolve(targets, s), options.replicates, options.seed,
                    options.threads);
  };
  double best_loss = std::numeric_limits<double>::infinity();
  int count = 0;
  auto objective = [&](const std::vector<double>& u) {
    double outside = 0;  // a point outside the cube scores as its projection plus a penalty
    for (double x : u)
      outside += std::pow(std::max({0.0, -x, x - 1.0}), 2);
    const double loss = score(to_values(u)).loss + 100 * outside;
    best_loss = std::min(best_loss, loss);
    ++count;
    if (options.progress) options.progress(count, loss, best_loss);
    return loss;
  };

  CalibrationResult result;
  result.start = start;
  std::vector<double> u(k);
  for (std::size_t i = 0; i < k; ++i)
    u[i] = std::clamp((start[i] - free[i].low) / (free[i].high - free[i].low), 0.0, 1.0);
  int evaluations = 0;
  double best = 0;
  const int first_budget = std::max(1, options.max_evaluations * 2 / 3);
  u = nelder_mead(objective, u, 0.2, first_budget, 1e-6, 1e-4, best, evaluations);
  // One restart from the best point with a fresh, smaller simplex (Nelder-Mead can stall
  // on a degenerate simplex).
  u = nelder_mead(objective, u, 0.05, options.max_evaluations, 1e-6, 1e-4, best, evaluations);

  auto values = to_values(u);
  for (double& v : values) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", options.significant_digits, v);
    v = std::strtod(buf, nullptr);
  }
  result.values = values;
  result.evaluation = score(values);
  result.evaluations = evaluations + 1;
  return result;
}

}  // namespace chipsim
