#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/output_claim.hpp"
#include "cli/version.hpp"
#include "engine/aggregate.hpp"
#include "engine/display.hpp"
#include "graph/supply_graph.hpp"
#include "io/output_file.hpp"
#include "scenario/loader.hpp"

namespace chipsim {
namespace {

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(5);
  os << v;
  return os.str();
}

std::string region_list(const Scenario& s, const std::vector<int>& regions, bool all_but,
                        int issuer) {
  if (regions.empty())
    return all_but && issuer != kNone ? "all but " + s.regions[issuer].name : "all";
  std::string out;
  for (int r : regions)
    out += (out.empty() ? "" : ",") + s.regions[r].name;
  return out;
}

std::string criteria_text(const std::vector<SpecCriterion>& cs) {
  std::string out;
  for (const auto& c : cs) {
    std::string clause;
    auto bound = [&](const char* name, double lo, double hi) {
      if (std::isfinite(lo))
        clause += (clause.empty() ? "" : "&") + std::string(name) + ">=" + fmt(lo);
      if (std::isfinite(hi))
        clause += (clause.empty() ? "" : "&") + std::string(name) + "<" + fmt(hi);
    };
    bound("TPP", c.tpp_min, c.tpp_max);
    bound("PD", c.density_min, c.density_max);
    bound("BW", c.bandwidth_min, c.bandwidth_max);
    bound("IC", c.interconnect_min, c.interconnect_max);
    out += (out.empty() ? "" : " | ") + (clause.empty() ? "any" : clause);
  }
  return out;
}

std::string names(const std::vector<int>& idx, const auto& list) {
  std::string out;
  for (int i : idx)
    out += (out.empty() ? "" : ",") + list[i].name;
  return out;
}

// One line describing what a rule does, for the policy timeline.
std::string describe(const Scenario& s, const RuleBody& b, int issuer) {
  std::string out;
  const std::string to = " -> " + region_list(s, b.destinations, true, issuer);
  switch (b.type) {
    case RuleType::export_control:
      out = std::string(to_string(b.status)) + to;
      if (!b.criteria.empty()) out += " where " + criteria_text(b.criteria);
      if (!b.products.empty()) out += " products " + names(b.products, s.products);
      if (b.status == ExportStatus::licensed)
        out += "; approval " + b.approval_probability.describe() + ", fee " +
               b.revenue_share.describe() + ", cap " + b.volume_cap.describe();
      break;
    case RuleType::entity_list:
      out = "vendors " + names(b.vendors, s.vendors);
      break;
    case RuleType::input_control:
      out = std::string("foreign ") + to_string(b.input) + " cut" + to;
      if (b.input == InputKind::equipment) out += "; growth cut " + b.rate.describe();
      break;
    case RuleType::import_ban:
    case RuleType::import_penalty:
      out = b.criteria.empty() && b.products.empty() && b.vendors.empty() ? "all foreign products"
                                                                          : "foreign products";
      if (!b.criteria.empty()) out += " where " + criteria_text(b.criteria);
      if (!b.products.empty()) out += " " + names(b.products, s.products);
      if (!b.vendors.empty()) out += " of " + names(b.vendors, s.vendors);
      if (b.type == RuleType::import_penalty) out += "; penalty " + b.penalty.describe();
      break;
    case RuleType::domestic_mandate:
      out = "state-funded buyers: domestic share " + b.share.describe();
      break;
    case RuleType::production_subsidy:
    case RuleType::energy_subsidy:
      out = "rate " + b.rate.describe();
      break;
    case RuleType::enforcement:
      out = "enforcement against leakage channels " + b.level.describe();
      break;
  }
  return out;
}

void print_timeline(const Scenario& s, std::ostream& out) {
  struct Line {
    int period;
    std::string text;
  };
  std::vector<Line> lines;
  const auto& cal = s.calendar;
  for (const Rule& r : s.rules) {
    const Policy& p = s.policies[r.policy];
    std::string when = cal.label(r.effective);
    if (r.announced < r.effective) when += " (announced " + cal.label(r.announced) + ")";
    lines.push_back({r.effective, "  " + when + "  " + p.name + "." + r.name + "  " +
                                      to_string(r.body.type) + ": " +
                                      describe(s, r.body, p.region)});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.period < b.period; });
  out << "policy timeline (" << s.rules.size() << " scheduled rules)\n";
  for (const auto& l : lines)
    out << l.text << "\n";
  for (const Event& e : s.events) {
    const Policy& p = s.policies[e.policy];
    out << "  event " << p.name << "." << e.name << ": hazard " << e.hazard.describe()
        << "/period in " << cal.label(e.window_start) << ".." << cal.label(e.window_end - 1)
        << ", lag " << e.lag << "  " << to_string(e.body.type) << ": "
        << describe(s, e.body, p.region) << "\n";
  }
  for (const Trigger& t : s.triggers) {
    const Policy& p = s.policies[t.policy];
    out << "  trigger " << p.name << "." << t.name << ": when " << to_string(t.variable) << "["
        << s.regions[t.region].name << "] " << (t.above ? ">" : "<") << " "
        << t.threshold.describe() << ", lag " << t.lag << "  " << to_string(t.body.type) << ": "
        << describe(s, t.body, p.region) << "\n";
  }
}

void print_summary(const Scenario& s, const SupplyGraph& g, std::ostream& out) {
  const auto& cal = s.calendar;
  out << "scenario  " << s.name << " (" << s.source_path << ")\n";
  if (!s.description.empty()) out << "          " << s.description << "\n";
  out << "horizon   " << cal.label(0) << " .. " << cal.label(cal.periods - 1) << ", " << cal.periods
      << (cal.length == PeriodLength::quarter ? " quarters" : " months") << "; " << s.replicates
      << " replicates, seed " << s.seed << "\n";
  out << "entities  " << s.regions.size() << " regions, " << s.foundries.size() << " foundries ("
      << s.nodes.size() << " process nodes), " << s.memory.size() << " memory suppliers, "
      << s.packagers.size() << " packagers, " << s.ecosystems.size() << " ecosystems,\n          "
      << s.vendors.size() << " vendors, " << s.products.size() << " products, "
      << s.inventories.size() << " inventories, " << s.buyers.size() << " buyers, "
      << s.channels.size() << " channels, " << s.policies.size() << " policies (" << s.rules.size()
      << " rules, " << s.events.size() << " events, " << s.triggers.size() << " triggers)\n";
  out << "graph     " << g.vertex_count() << " vertices, " << g.edge_count() << " edges\n";
  print_timeline(s, out);
}

int report(const ScenarioError& e, std::ostream& err) {
  for (const auto& d : e.diagnostics())
    err << d.str() << "\n";
  const auto n = e.diagnostics().size();
  err << "chipsim: " << n << (n == 1 ? " error" : " errors") << "; nothing was written\n";
  return kExitBadInput;
}

}  // namespace

std::string format_number(double v) {
  return format_display(DisplayKind::count, v);
}

std::uint64_t parse_seed(const std::string& text) {
  // Digits only: strtoull would turn "-1" into 18446744073709551615 without a word.
  const bool digits = !text.empty() && text.size() <= 20 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  errno = 0;
  const unsigned long long value = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
  if (!digits || errno == ERANGE)
    throw io::BadRequest("--seed: expected an integer from 0 to 18446744073709551615, got '" +
                         text + "'");
  return value;
}

void write_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".partial";
  {
    errno = 0;
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw io::IoError("cannot open '" + tmp + "' for writing: " + std::strerror(errno));
    f << content;
    f.flush();
    if (!f) {
      const int why = errno;
      std::filesystem::remove(tmp);
      throw io::IoError("cannot write '" + tmp + "': " + std::strerror(why));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw io::IoError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
}

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "chipsim: Monte Carlo simulator of the AI-accelerator supply chain under export "
      "controls"};
  app.set_version_flag("--version", std::string("chipsim ") + CHIPSIM_VERSION + " (commit " +
                                        CHIPSIM_GIT_COMMIT + ")");
  app.require_subcommand(1);

  std::string scenario_path;
  std::vector<std::string> overrides;
  auto add_scenario_args = [&](CLI::App* cmd) {
    cmd->add_option("scenario", scenario_path, "Scenario TOML file")->required();
    cmd->add_option("--set", overrides,
                    "Override a scenario value, e.g. --set policy.us.enforcement=0.8 "
                    "(repeatable)")
        ->allow_extra_args(false);
  };

  CLI::App* validate = app.add_subcommand("validate", "Check a scenario and print its summary");
  add_scenario_args(validate);

  std::string format = "dot", graph_out;
  CLI::App* graph = app.add_subcommand("graph", "Write the supply graph (Graphviz dot or JSON)");
  add_scenario_args(graph);
  graph->add_option("--format", format, "Output format")->check(CLI::IsMember({"dot", "json"}));
  graph->add_option("-o,--output", graph_out, "Output file (default: standard output)");

  long replicates = 0;
  std::string seed;
  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Run the Monte Carlo ensemble of a scenario");
  add_scenario_args(run);
  run->add_option("-n,--replicates", replicates, "Number of replicates (default: the scenario's)")
      ->check(CLI::Range(1L, 100'000'000L));
  run->add_option("--seed", seed, "Root seed (default: the scenario's)");
  run->add_option("-o,--output", run_args.output,
                  "Output HDF5 file (default: the scenario's output.path; none: no file)");
  run->add_option("--threads", run_args.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  run->add_option("--variables", run_args.variables,
                  "Variables to write, comma-separated (default: all)")
      ->delimiter(',');
  run->add_flag("--summary-only", run_args.summary_only,
                "Write only the /summary group (mean and quantiles), no per-replicate data");
  run->add_flag("--float32", run_args.float32, "Store real variables as float32");
  run->add_option("--compression", run_args.compression, "Deflate level 0-9")
      ->check(CLI::Range(0, 9));
  run->add_flag("--resume", run_args.resume,
                "Continue an interrupted run from OUT.partial (a complete OUT is left as it is; "
                "with neither, the run starts)");
  run->add_flag("--force", run_args.force,
                "Overwrite an existing output file, or discard an interrupted run's partial file");
  run->add_flag("-q,--quiet", run_args.quiet, "No progress bar");
  run->add_flag("--no-noise", run_args.no_noise,
                "Central parameter values; no capex shocks or stochastic policy events");
  run->add_option("--csv", run_args.csv, "Write the per-year table (means over replicates) as CSV");
  run->add_option("--shard", run_args.shard,
                  "Run only shard K of N (K from 0) of the replicates into a part file; combine "
                  "the parts with chipsim merge (docs/CLUSTER.md)");

  CalibrateArgs cal;
  std::string cal_seed;
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "Score a scenario against calibration targets; with --free, fit parameters");
  calibrate->add_option("scenario", cal.scenario, "Scenario TOML file")->required();
  calibrate->add_option("--set", cal.overrides, "Override a scenario value (repeatable)")
      ->allow_extra_args(false);
  calibrate->add_option("--targets", cal.targets, "Targets TOML (format: docs/CALIBRATION.md)")
      ->required();
  calibrate
      ->add_option("--free", cal.free,
                   "Free parameter KEY=LOW:HIGH, e.g. buyer.X.accelerator_share=0.3:0.9 "
                   "(repeatable)")
      ->allow_extra_args(false);
  calibrate->add_option("-n,--replicates", cal.replicates, "Replicates per evaluation")
      ->check(CLI::Range(1, 1'000'000));
  calibrate->add_option("--seed", cal_seed, "Root seed (default: the scenario's)");
  calibrate->add_option("--threads", cal.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  calibrate->add_option("--max-evals", cal.max_evaluations, "Evaluation budget of the fit")
      ->check(CLI::Range(2, 100'000));
  calibrate->add_option("-o,--output", cal.output,
                        "Write the fitted values as a scenario overlay (extends + keys)");
  calibrate->add_option("--report", cal.report, "Write the target table (Markdown)");
  calibrate->add_flag("--check", cal.check,
                      "Exit with status 3 if any target falls outside its band");
  calibrate->add_option("--known-miss", cal.known_misses,
                        "Target whose miss is documented: printed, but not counted by --check "
                        "nor by a fit's loss (repeatable)");
  calibrate->add_flag("-q,--quiet", cal.quiet, "No progress line");

  CompareArgs cmp;
  CLI::App* compare = app.add_subcommand(
      "compare", "Paired differences of headline outcomes between two runs (B - A)");
  compare->add_option("a", cmp.a, "Output file A (e.g. the baseline)")->required();
  compare->add_option("b", cmp.b, "Output file B (e.g. a what-if), same seed and -n")->required();
  compare->add_option("--year", cmp.years, "Calendar year to show (repeatable; default all)");
  compare->add_option("--region", cmp.regions, "Region to show (repeatable; default all)");
  compare->add_option("--vendor", cmp.vendors,
                      "Vendor whose revenue to show (repeatable; default all)");
  compare->add_option("--csv", cmp.csv, "Also write the table as CSV");

  SweepArgs sweep_args;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a parameter sweep: a design of points, each a Monte Carlo ensemble");
  sweep->add_option("sweep", sweep_args.sweep, "Sweep TOML file (docs/SWEEPS.md)")->required();
  sweep->add_option("-o,--output", sweep_args.output, "Output HDF5 file (point dimension)");
  sweep
      ->add_option("-n,--replicates", sweep_args.replicates,
                   "Replicates per point (default: the sweep file's)")
      ->check(CLI::Range(1, 100'000'000));
  sweep->add_option("--shard", sweep_args.shard,
                    "Run only shard K of N (K from 0) of the (point, replicate) work; combine "
                    "the parts with chipsim merge");
  sweep->add_option("--threads", sweep_args.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  sweep
      ->add_option("--variables", sweep_args.variables,
                   "Variables to write, comma-separated (default: all)")
      ->delimiter(',');
  sweep->add_flag("--float32", sweep_args.float32, "Store real variables as float32");
  sweep->add_option("--compression", sweep_args.compression, "Deflate level 0-9")
      ->check(CLI::Range(0, 9));
  sweep->add_flag("--no-noise", sweep_args.no_noise,
                  "Central parameter values; no capex shocks or stochastic policy events");
  sweep->add_flag("--resume", sweep_args.resume,
                  "Continue an interrupted sweep (or shard) from OUT.partial, skipping work done");
  sweep->add_flag("--force", sweep_args.force,
                  "Overwrite an existing output file, or discard an interrupted sweep's partial");
  sweep->add_flag("-q,--quiet", sweep_args.quiet, "No progress bar");
  sweep->add_option("--design-csv", sweep_args.design_csv,
                    "Write the design's points (values and unit coordinates) as CSV and stop");

  MergeArgs merge_args;
  CLI::App* merge =
      app.add_subcommand("merge", "Combine the shard files of one sweep into one file");
  merge->add_option("parts", merge_args.parts, "Shard files (chipsim sweep --shard K/N)")
      ->required();
  merge->add_option("-o,--output", merge_args.output, "Merged HDF5 file")->required();
  merge->add_flag("--force", merge_args.force, "Overwrite an existing output file");

  GenerateArgs gen;
  std::string gen_seed;
  CLI::App* generate = app.add_subcommand(
      "generate", "Write a synthetic world of any size as a scenario file (for scaling tests)");
  generate->add_option("--regions", gen.regions, "Regions (at least 2)");
  generate->add_option("--vendors", gen.vendors, "Vendors");
  generate->add_option("--products", gen.products, "Products");
  generate->add_option("--foundries", gen.foundries, "Foundries");
  generate->add_option("--nodes-per-foundry", gen.nodes_per_foundry, "Process nodes per foundry");
  generate->add_option("--memory", gen.memory, "HBM suppliers");
  generate->add_option("--packagers", gen.packagers, "Packagers");
  generate->add_option("--buyers", gen.buyers, "Buyers (at least one per region)");
  generate->add_option("--rules", gen.rules, "Policy rules");
  generate->add_option("--years", gen.years, "Years simulated, from 2024")
      ->check(CLI::Range(1, 170));
  generate
      ->add_option("--nodes", gen.nodes, "Set the counts for about this many supply-graph nodes")
      ->check(CLI::Range(10L, 10'000'000L));
  generate
      ->add_option("--choice-set", gen.choice_set,
                   "Products each buyer lists and weighs, drawn at random (default 0: all)")
      ->check(CLI::Range(0, 1'000'000));
  generate->add_option("--seed", gen_seed, "Seed of the generator (default 1)");
  generate->add_option("-o,--output", gen.output,
                       "Scenario file to write (default: standard output)");

  std::string inspect_path;
  CLI::App* inspect = app.add_subcommand("inspect", "Describe an output file and tabulate it");
  inspect->add_option("file", inspect_path, "chipsim HDF5 output file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // Subcommand help requests arrive here too (CLI11 reports them via the same path).
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      out << app.help();
      return kExitOk;
    }
    err << "chipsim: " << e.what() << "\n";
    err << "Run 'chipsim --help' for usage.\n";
    return kExitBadInput;
  }

  try {
    std::string command_line;
    for (int i = 0; i < argc; ++i)
      command_line += (i ? " " : "") + std::string(argv[i]);
    if (inspect->parsed()) return inspect_command(inspect_path, out, err);
    if (generate->parsed()) {
      if (generate->count("--seed")) gen.seed = parse_seed(gen_seed);
      if (!gen.output.empty()) check_output_path("-o", gen.output, {});
      return generate_command(gen, out);
    }
    if (sweep->parsed()) {
      sweep_args.command_line = command_line;
      return sweep_command(sweep_args, out, err);
    }
    if (merge->parsed()) {
      merge_args.command_line = command_line;
      return merge_command(merge_args, out, err);
    }
    if (compare->parsed()) return compare_command(cmp, out, err);
    if (calibrate->parsed()) {
      if (calibrate->count("--seed")) cal.seed = parse_seed(cal_seed);
      for (int i = 0; i < argc; ++i)
        cal.command_line += (i ? " " : "") + std::string(argv[i]);
      return calibrate_command(cal, out, err);
    }
    const Scenario scenario = load_scenario(scenario_path, overrides);
    for (const auto& w : scenario_warnings(scenario))
      err << w.loc.str() << ": warning: " << w.key << ": " << w.message << "\n";
    const SupplyGraph supply(scenario);
    if (validate->parsed()) {
      print_summary(scenario, supply, out);
      out << "OK: " << scenario_path << " is valid\n";
      return kExitOk;
    }
    if (graph->parsed()) {
      std::ostringstream text;
      if (format == "json")
        supply.write_json(text);
      else
        supply.write_dot(text);
      if (graph_out.empty())
        out << text.str();
      else
        write_atomically(graph_out, text.str());
      return kExitOk;
    }
    run_args.replicates = static_cast<int>(replicates);
    if (run->count("--seed")) run_args.seed = parse_seed(seed);
    for (int i = 0; i < argc; ++i)
      run_args.command_line += (i ? " " : "") + std::string(argv[i]);
    if (!run_args.shard.empty())
      return run_shard_command(scenario_path, overrides, run_args, out, err);
    return run_command(scenario, run_args, out, err);
  } catch (const ScenarioError& e) {
    return report(e, err);
  } catch (const io::BadRequest& e) {
    err << "chipsim: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const AggregationError& e) {
    err << "chipsim: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const io::IoError& e) {
    err << "chipsim: error: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    err << "chipsim: error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace chipsim
