// `chipsim calibrate`: score a scenario against calibration targets and, with --free, fit
// the named parameters (engine/calibration.hpp; docs/CALIBRATION.md).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "engine/calibration.hpp"
#include "scenario/loader.hpp"

namespace chipsim {

namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string report_table(const std::vector<Target>& targets, const Evaluation& e,
                         const std::vector<std::string>& known_misses) {
  std::ostringstream os;
  os << "| target | year | published | band | simulated | 90% interval | in band |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (std::size_t k = 0; k < targets.size(); ++k) {
    const Target& t = targets[k];
    const TargetOutcome& o = e.outcomes[k];
    os << "| " << t.name << " | " << t.window.text() << " | " << format_number(t.value) << " | "
       << format_number(t.low) << " - " << format_number(t.high) << " | "
       << format_number(o.statistic) << " (" << t.stat << ") | " << format_number(o.p05) << " - "
       << format_number(o.p95) << " | "
       << (o.in_band                      ? "yes"
           : listed(known_misses, t.name) ? "**no** (known miss)"
                                          : "**no**")
       << " |\n";
  }
  return os.str();
}

std::string overlay_text(const CalibrateArgs& args, const std::vector<FreeParameter>& free,
                         const CalibrationResult& r, const std::string& output) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(output).parent_path();
  const fs::path rel = fs::relative(fs::absolute(args.scenario), dir);
  std::ostringstream os;
  os << "# Calibrated overlay written by chipsim calibrate (docs/CALIBRATION.md).\n"
     << "# Command: " << args.command_line << "\n"
     << "# " << r.evaluations << " evaluations of " << args.replicates
     << " replicates each (common random numbers, seed " << args.seed_used << "); loss "
     << r.evaluation.loss << "; "
     << (r.evaluation.all_in_band() ? "every target in band" : "NOT every target in band")
     << ".\n\n"
     << "extends = \"" << rel.generic_string() << "\"\n\n";
  for (std::size_t i = 0; i < free.size(); ++i)
    for (const auto& key : free[i].keys) {
      const std::string line = override_text(key, r.values[i]);
      const auto eq = line.find('=');
      os << line.substr(0, eq) << " = " << line.substr(eq + 1) << "  # fitted in [" << free[i].low
         << ", " << free[i].high << "], started at " << r.start[i]
         << (free[i].keys.size() > 1 ? " (tied)" : "") << "\n";
    }
  return os.str();
}

}  // namespace

int calibrate_command(const CalibrateArgs& args, std::ostream& out, std::ostream& err) {
  const std::vector<Target> targets = load_targets(args.targets);
  for (const auto& name : args.known_misses)
    if (std::none_of(targets.begin(), targets.end(),
                     [&](const Target& t) { return t.name == name; })) {
      err << "chipsim calibrate: --known-miss " << name << ": no target of that name in "
          << args.targets << "\n";
      return kExitBadInput;
    }
  std::vector<FreeParameter> free;
  for (const auto& f : args.free) {
    try {
      free.push_back(parse_free_parameter(f));
    } catch (const std::invalid_argument& e) {
      err << "chipsim calibrate: " << e.what() << "\n";
      return kExitBadInput;
    }
  }
  auto load = [&](const std::vector<std::string>& overrides) {
    return load_scenario(args.scenario, overrides);
  };
  const Scenario base = load(args.overrides);
  // Unknown variables, labels or years fail here, before any simulation.
  const auto statistics = TargetStatistic::resolve(targets, base);
  CalibrateArgs resolved = args;
  resolved.seed_used = args.seed.value_or(base.seed);

  Evaluation evaluation;
  if (free.empty()) {
    evaluation = evaluate(base, statistics, args.replicates, resolved.seed_used, args.threads);
  } else {
    std::vector<double> start;
    for (const auto& f : free) {
      const auto v = scenario_number(base, f.keys.front());
      if (!v) {
        err << "chipsim calibrate: --free " << f.keys.front()
            << ": the scenario has no number at this key (a distribution or a missing key); "
               "set it with --set first, or name a numeric key\n";
        return kExitBadInput;
      }
      start.push_back(*v);
    }
    CalibrationOptions options;
    options.replicates = args.replicates;
    options.seed = resolved.seed_used;
    options.threads = args.threads;
    options.max_evaluations = args.max_evaluations;
    const bool tty = !args.quiet && isatty(STDERR_FILENO);
    if (tty)
      options.progress = [&](int n, double loss, double best) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "\r  evaluation %d/%d  loss %.4g  best %.4g   ", n,
                      args.max_evaluations, loss, best);
        err << buf << std::flush;
      };
    // A known miss is left out of the loss, so that no free parameter strains towards a
    // target the model cannot meet (docs/CALIBRATION.md); it is scored with the rest below.
    std::vector<Target> fitted_targets;
    for (const Target& t : targets)
      if (!listed(args.known_misses, t.name)) fitted_targets.push_back(t);
    const CalibrationResult r =
        calibrate(load, args.overrides, fitted_targets, free, start, options);
    if (tty) err << "\n";
    evaluation = r.evaluation;
    if (fitted_targets.size() != targets.size()) {
      std::vector<std::string> fitted = args.overrides;
      for (std::size_t i = 0; i < free.size(); ++i)
        for (const auto& key : free[i].keys)
          fitted.push_back(override_text(key, r.values[i]));
      evaluation =
          evaluate(load(fitted), statistics, args.replicates, resolved.seed_used, args.threads);
    }
    out << "Fitted " << free.size() << " parameters in " << r.evaluations << " evaluations of "
        << args.replicates << " replicates (seed " << resolved.seed_used << "), loss "
        << evaluation.loss << ":\n\n"
        << "| parameter | range | start | fitted |\n|---|---|---|---|\n";
    for (std::size_t i = 0; i < free.size(); ++i)
      out << "| " << free[i].key << " | " << free[i].low << " - " << free[i].high << " | "
          << r.start[i] << " | " << r.values[i] << " |\n";
    out << "\n";
    if (!args.output.empty()) {
      write_atomically(args.output, overlay_text(resolved, free, r, args.output));
      out << "wrote " << args.output << "\n\n";
    }
  }
  const std::string table = report_table(targets, evaluation, args.known_misses);
  out << "Targets: " << args.replicates << " replicates of '" << base.name << "', seed "
      << resolved.seed_used << "; simulated = the target's statistic over replicates.\n\n"
      << table;
  if (!args.report.empty()) write_atomically(args.report, table);
  const bool ok = evaluation.all_in_band();
  bool ok_but_known = true;
  for (std::size_t k = 0; k < targets.size(); ++k)
    if (!evaluation.outcomes[k].in_band && !listed(args.known_misses, targets[k].name))
      ok_but_known = false;
  out << "\n"
      << (ok             ? "Every target is in its band."
          : ok_but_known ? "Every target is in its band except the known misses."
                         : "Some targets are outside their band.")
      << "\n";
  return args.check && !ok_but_known ? kExitTargetsMissed : kExitOk;
}

}  // namespace chipsim
