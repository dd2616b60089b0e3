// `chipsim sweep` and `chipsim merge` (docs/SWEEPS.md, docs/CLUSTER.md).
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

#include "cli/cli.hpp"
#include "cli/cluster.hpp"
#include "cli/commands.hpp"
#include "cli/output_claim.hpp"
#include "cli/run_support.hpp"
#include "cli/version.hpp"
#include "engine/design.hpp"
#include "engine/display.hpp"
#include "engine/ensemble.hpp"
#include "engine/finite.hpp"
#include "io/output_file.hpp"
#include "io/sha256.hpp"
#include "scenario/loader.hpp"

namespace chipsim {

namespace {

// Everything that determines the data: parts of one sweep must agree on it.
std::string identity(const SweepSpec& spec, const Scenario& base, const Design& d,
                     const io::OutputOptions& o, int replicates, bool no_noise) {
  std::ostringstream os;
  os << "sweep\n" << spec.text << "\nscenario\n" << base.resolved_text << "\ndesign\n";
  for (const auto& k : d.keys)
    os << k << ",";
  os << "\n";
  for (const auto& row : d.values) {
    for (double v : row)
      os << exact_decimal(v) << ",";
    os << "\n";
  }
  os << "seed " << spec.seed << "\nreplicates " << replicates << "\nvariables ";
  for (const auto& v : o.variables)
    os << v << ",";
  os << "\ndesign " << d.settings.front().second << "\nfloat32 " << o.float32 << "\ncompression "
     << o.compression << "\nnoise " << !no_noise << "\nversion " << CHIPSIM_VERSION << " "
     << CHIPSIM_GIT_COMMIT << "\n";
  return sha256_hex(os.str());
}

// Whether a point's scenario has the base's dimensions (a swept key must not add or remove
// products, buyers, events ...), so its data fit the file.
std::string structure_mismatch(const Scenario& base, const Scenario& s) {
  for (const char* dim : {"product", "vendor", "region", "channel", "buyer", "ecosystem"})
    if (dimension_labels(base, dim) != dimension_labels(s, dim))
      return std::string("the point changes the scenario's ") + dim + " labels";
  if (event_labels(base) != event_labels(s)) return "the point changes the scenario's events";
  if (base.calendar.periods != s.calendar.periods) return "the point changes the horizon";
  return {};
}

std::string diagnostics_text(const ScenarioError& e) {
  std::string out;
  for (const auto& d : e.diagnostics())
    out += (out.empty() ? "" : "\n") + d.str();
  return out;
}

void write_design_csv(const Design& d, const std::string& path) {
  std::ostringstream os;
  os << "point,group,role";
  for (const auto& k : d.keys)
    os << "," << k;
  for (const auto& k : d.keys)
    os << ",unit:" << k;
  os << "\n";
  for (int p = 0; p < d.points(); ++p) {
    const auto i = static_cast<std::size_t>(p);
    os << p << "," << d.group[i] << "," << d.role[i];
    for (double v : d.values[i])
      os << "," << exact_decimal(v);
    for (double u : d.unit[i])
      os << "," << exact_decimal(u);
    os << "\n";
  }
  write_atomically(path, os.str());
}

}  // namespace

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  int k = -1, n = -1;
  try {
    if (slash != std::string::npos) {
      std::size_t a = 0, b = 0;
      k = std::stoi(text.substr(0, slash), &a);
      n = std::stoi(text.substr(slash + 1), &b);
      if (a != slash || b != text.size() - slash - 1) k = -1;
    }
  } catch (const std::exception&) {
    k = -1;
  }
  if (k < 0 || n < 1 || k >= n)
    throw io::BadRequest(
        "--shard: expected K/N with 0 <= K < N (e.g. 0/4 for the first of four "
        "shards), got '" +
        text + "'");
  return {k, n};
}

namespace {

// Runs shard `shard` of `shards` of the sweep into `path` (the whole sweep for 0/1).
int run_part(const SweepArgs& args, const SweepSpec& spec, const Design& design, int shard,
             int shards, const std::string& path, bool quiet, std::ostream& out,
             std::ostream& err) {
  std::atomic<bool> stop{false};
  const SignalWatcher watcher(stop);
  // Before any work: the output can be written, and it belongs to this process alone.
  const OutputClaim claim("-o", path, {spec.scenario_path, args.sweep});
  const Scenario base = load_scenario(spec.scenario_path, spec.overrides);
  const int replicates = args.replicates > 0 ? args.replicates : spec.replicates;
  if (design.points() == 0) throw io::BadRequest("sweep: the design has no points");
  {  // A key that is no scenario key fails at every point: report it now, located. A value
     // the scenario refuses is the point's own error, recorded when its turn comes.
    std::vector<std::string> o = spec.overrides;
    const auto first = design.overrides(0);
    o.insert(o.end(), first.begin(), first.end());
    try {
      (void)load_scenario(spec.scenario_path, o);
    } catch (const ScenarioError& e) {
      for (const auto& d : e.diagnostics())
        if (d.message.rfind("unknown key", 0) == 0) throw;
    }
  }

  io::OutputOptions options;
  options.variables = !args.variables.empty() ? args.variables : base.output.variables;
  options.compression = args.compression.value_or(base.output.compression);
  options.float32 = args.float32 || base.output.precision == Precision::float32;
  const std::vector<int> vars = io::select_variables(options.variables, base);  // early
  options.chunk_replicates = io::chunk_replicates(base, vars, options.float32, replicates);

  io::OutputInfo info;
  info.command_line = args.command_line;
  info.created = utc_now();
  info.version = CHIPSIM_VERSION;
  info.commit = CHIPSIM_GIT_COMMIT;
  info.seed = spec.seed;
  info.replicates = replicates;
  info.noise = !args.no_noise;
  io::SweepLayout layout;
  layout.keys = design.keys;
  layout.values = design.values;
  layout.unit = design.unit;
  layout.group = design.group;
  layout.role = design.role;
  layout.settings = design.settings;
  layout.sweep_text = spec.text;
  layout.identity = identity(spec, base, design, options, replicates, args.no_noise);
  layout.shard = shard;
  layout.shards = shards;
  // Work units are (point, chunk of replicates) in point-major order, a chunk being the
  // file's chunk along replicates; shard K of N takes the K-th of N contiguous, nearly equal
  // ranges. Every chunk is then written whole by one shard, so merging copies chunks as
  // stored (docs/CLUSTER.md).
  const long long chunk = std::clamp(options.chunk_replicates, 1, replicates);
  const long long per_point = (replicates + chunk - 1) / chunk;
  const long long units = static_cast<long long>(design.points()) * per_point;
  const long long lo = units * shard / shards, hi = units * (shard + 1) / shards;
  for (int p = 0; p < design.points(); ++p) {
    const long long a = std::clamp(lo - p * per_point, 0LL, per_point) * chunk;
    const long long b = std::min(std::clamp(hi - p * per_point, 0LL, per_point) * chunk,
                                 static_cast<long long>(replicates));
    layout.work_first.push_back(static_cast<int>(std::min(a, b)));
    layout.work_count.push_back(static_cast<int>(std::max(0LL, b - a)));
  }
  info.sweep = layout;

  namespace fs = std::filesystem;
  const std::string partial = path + ".partial";
  std::unique_ptr<io::OutputWriter> writer;
  if (args.resume && fs::exists(partial)) {
    writer = io::OutputWriter::resume(partial, base, info, options);
    if (writer->complete()) return finish_rename(partial, path, "sweep", out);
  } else if (args.resume && fs::exists(path)) {
    out << "chipsim sweep: '" << path << "' is already complete; nothing to resume\n";
    return kExitOk;
  } else {
    if (!args.force && fs::exists(path))
      throw io::BadRequest("'" + path +
                           "' already exists; pass --force to overwrite it, or choose another "
                           "file with -o");
    if (!args.force && fs::exists(partial))
      throw io::BadRequest("'" + partial +
                           "' holds an interrupted sweep; continue it with --resume, or pass "
                           "--force to start again");
    writer = io::OutputWriter::create(partial, base, info, options);
  }

  EnsembleOptions ens;
  ens.threads = args.threads;
  ens.chunk = options.chunk_replicates;
  ens.run = RunOptions{.noise = !args.no_noise};
  ens.stop = &stop;
  long long mine = 0, done_before = 0;
  for (int p = 0; p < design.points(); ++p) {
    mine += layout.work_count[static_cast<std::size_t>(p)];
    done_before += writer->done(p);
  }
  Progress progress(static_cast<int>(mine), static_cast<int>(done_before), !quiet, stderr, "sweep",
                    "replicates");
  long long done = done_before;
  int failures = 0;
  for (int p = 0; p < design.points(); ++p)
    failures += writer->failed(p) ? 1 : 0;
  // Points run in one pipeline: a point's scenario is loaded when its turn comes, and the
  // chunks of neighbouring points are computed at the same time (engine/ensemble.hpp).
  int next_point = 0;
  const JobSource jobs = [&]() -> std::optional<EnsembleJob> {
    for (; next_point < design.points(); ++next_point) {
      const int p = next_point;
      const auto i = static_cast<std::size_t>(p);
      EnsembleJob job;
      job.point = p;
      job.first = layout.work_first[i] + writer->done(p);
      job.count = layout.work_count[i] - writer->done(p);
      if (job.count <= 0) continue;
      std::vector<std::string> o = spec.overrides;
      const auto point = design.overrides(p);
      o.insert(o.end(), point.begin(), point.end());
      try {
        auto scenario = std::make_shared<const Scenario>(load_scenario(spec.scenario_path, o));
        job.error = structure_mismatch(base, *scenario);
        if (job.error.empty()) job.scenario = std::move(scenario);
      } catch (const ScenarioError& e) {
        job.error = diagnostics_text(e);
      }
      ++next_point;
      return job;
    }
    return std::nullopt;
  };
  ens.prepare = encode_on_workers(*writer);
  const bool complete = run_jobs(
      jobs, spec.seed, ens,
      [&](const EnsembleJob& job, const std::vector<Trajectory>& c, int at, ChunkWork* work) {
        if (!job.error.empty()) {
          writer->record_error(job.point, job.error);
          ++failures;
          done += job.count;
        } else {
          for (std::size_t i = 0; i < c.size(); ++i)
            check_finite(*job.scenario, c[i], at + static_cast<int>(i), job.point);
          writer->write_point(job.point, c, at, encoded(work));
          done += static_cast<long long>(c.size());
        }
        progress.update(static_cast<int>(done));
      });
  if (!complete) {
    writer->close();
    err << "\nchipsim sweep: interrupted by signal " << watcher.signal() << " after " << done
        << " of " << mine << " replicates; '" << partial
        << "' holds them. Continue with the same command plus --resume\n";
    return kExitInterrupted;
  }
  writer->finish_sweep();
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) throw io::IoError("cannot rename '" + partial + "' to '" + path + "': " + ec.message());
  out << "chipsim " << (design.settings.front().second == "run" ? "run" : "sweep") << ": "
      << base.name << ", " << design.points() << " points (" << design.settings.front().second
      << ") x " << replicates << " replicates, seed " << spec.seed;
  if (shards > 1) out << ", shard " << shard << "/" << shards;
  out << "\n";
  if (failures > 0)
    out << failures << (failures == 1 ? " point" : " points")
        << " could not run; their errors are in point_error\n";
  out << "wrote " << path << "\n";
  return kExitOk;
}

int run_sweep(const SweepArgs& args, const SweepSpec& spec, const Design& design, std::ostream& out,
              std::ostream& err);

}  // namespace

int sweep_command(const SweepArgs& args, std::ostream& out, std::ostream& err) {
  if (args.output.empty() && args.design_csv.empty())
    throw io::BadRequest("sweep: an output file is required (-o OUT.h5)");
  const SweepSpec spec = load_sweep(args.sweep);
  const Design design = build_design(spec);
  if (!args.design_csv.empty()) {
    write_design_csv(design, args.design_csv);
    out << "chipsim sweep: " << design.points() << " points (" << to_string(design.kind)
        << "); wrote " << args.design_csv << "\n";
    return kExitOk;
  }
  return run_sweep(args, spec, design, out, err);
}

int run_shard_command(const std::string& scenario_path, const std::vector<std::string>& overrides,
                      const RunArgs& run, std::ostream& out, std::ostream& err) {
  // One point, no swept key: the ensemble split like a sweep; merge writes a run's file.
  SweepSpec spec;
  spec.scenario_path = scenario_path;
  spec.overrides = overrides;
  const Scenario base = load_scenario(scenario_path, overrides);
  spec.seed = run.seed.value_or(base.seed);
  spec.replicates = run.replicates > 0 ? run.replicates : base.replicates;
  Design design;
  design.unit = {{}};
  design.values = {{}};
  design.group = {0};
  design.role = {-1};
  design.settings = {{"type", "run"}};
  SweepArgs args;
  args.output = run.output;
  args.shard = run.shard;
  args.threads = run.threads;
  args.variables = run.variables;
  args.float32 = run.float32;
  args.compression = run.compression;
  args.no_noise = run.no_noise;
  args.resume = run.resume;
  args.force = run.force;
  args.quiet = run.quiet;
  args.command_line = run.command_line;
  if (args.output.empty() || args.output == "none")
    throw io::BadRequest("--shard needs an output file (-o PART.h5)");
  if (run.summary_only)
    throw io::BadRequest(
        "--shard cannot be combined with --summary-only: merging needs the "
        "per-replicate data");
  return run_sweep(args, spec, design, out, err);
}

namespace {

int run_sweep(const SweepArgs& args, const SweepSpec& spec, const Design& design, std::ostream& out,
              std::ostream& err) {
  const ClusterSession cluster;
  if (cluster.size() == 1) {
    const auto [shard, shards] = args.shard.empty() ? std::pair{0, 1} : parse_shard(args.shard);
    return run_part(args, spec, design, shard, shards, args.output, args.quiet, out, err);
  }
  // Under mpirun: rank K runs shard K/N into its own part file, then rank 0 merges.
  if (std::filesystem::exists(args.output)) {
    if (args.resume) {
      if (cluster.rank() == 0)
        out << "chipsim sweep: '" << args.output << "' is already complete; nothing to resume\n";
      return kExitOk;
    }
    if (!args.force)
      throw io::BadRequest("'" + args.output +
                           "' already exists; pass --force to overwrite it, or choose another "
                           "file with -o");
  }
  if (!args.shard.empty())
    throw io::BadRequest(
        "--shard cannot be combined with mpirun: each rank already runs one "
        "shard of the sweep");
  SweepArgs mine = args;
  if (mine.threads == 0)  // share the node's cores between its ranks
    mine.threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / cluster.local_size());
  auto part = [&](int k) {
    return args.output + ".rank-" + std::to_string(k) + "-of-" + std::to_string(cluster.size());
  };
  int rc = kExitFailure;
  std::ostringstream rank_out;
  try {
    rc = run_part(mine, spec, design, cluster.rank(), cluster.size(), part(cluster.rank()),
                  args.quiet || cluster.rank() > 0, rank_out, err);
  } catch (const std::exception& e) {
    err << "chipsim sweep: rank " << cluster.rank() << ": " << e.what() << "\n";
  }
  if (!cluster.all(rc == kExitOk)) {
    if (cluster.rank() == 0)
      err << "chipsim sweep: a rank failed; the finished parts (" << part(0)
          << " ...) are kept: run the same command again with --resume\n";
    return rc == kExitOk ? kExitFailure : rc;
  }
  int merged = kExitOk;
  if (cluster.rank() == 0) {
    const OutputClaim claim("-o", args.output, {spec.scenario_path, args.sweep});
    std::vector<std::string> parts;
    for (int k = 0; k < cluster.size(); ++k)
      parts.push_back(part(k));
    if (args.force) std::filesystem::remove(args.output);
    io::merge_sweep(parts, args.output, args.command_line, utc_now());
    for (const auto& p : parts)
      std::filesystem::remove(p);
    out << "chipsim sweep: " << cluster.size() << " MPI ranks; wrote " << args.output << "\n";
  }
  cluster.barrier();
  return merged;
}

}  // namespace

int merge_command(const MergeArgs& args, std::ostream& out, std::ostream& /*err*/) {
  namespace fs = std::filesystem;
  const OutputClaim claim("-o", args.output, args.parts);
  if (!args.force && fs::exists(args.output))
    throw io::BadRequest("'" + args.output +
                         "' already exists; pass --force to overwrite it, or choose another file "
                         "with -o");
  io::merge_sweep(args.parts, args.output, args.command_line, utc_now());
  out << "chipsim merge: " << args.parts.size() << (args.parts.size() == 1 ? " part" : " parts")
      << "; wrote " << args.output << "\n";
  return kExitOk;
}

}  // namespace chipsim
