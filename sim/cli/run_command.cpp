#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/output_claim.hpp"
#include "cli/run_support.hpp"
#include "cli/version.hpp"
#include "engine/ensemble.hpp"
#include "engine/finite.hpp"
#include "engine/summary.hpp"
#include "engine/year_table.hpp"
#include "io/output_file.hpp"

namespace chipsim {

int run_command(const Scenario& scenario, const RunArgs& args, std::ostream& out,
                std::ostream& err) {
  // First, before any worker thread exists, so that every thread inherits the signal mask.
  std::atomic<bool> stop{false};
  const SignalWatcher watcher(stop);
  const int n = args.replicates > 0 ? args.replicates : scenario.replicates;
  const std::uint64_t seed = args.seed.value_or(scenario.seed);
  // "-o none" asks for no file (the per-year table only). Without -o, the scenario's
  // output.path (never inherited through extends), else "<scenario name>.h5".
  const std::string path = args.output == "none"           ? std::string()
                           : !args.output.empty()          ? args.output
                           : !scenario.output.path.empty() ? scenario.output.path
                                                           : scenario.name + ".h5";
  const std::string partial = path + ".partial";
  // Before any work: the output paths can be written, and OUT belongs to this run alone.
  OutputClaim claim;
  if (!path.empty()) claim = OutputClaim("-o", path, {scenario.source_path});
  if (!args.csv.empty()) check_output_path("--csv", args.csv, {scenario.source_path, path});

  io::OutputOptions options;
  options.variables = !args.variables.empty() ? args.variables : scenario.output.variables;
  options.summary_only = args.summary_only;
  options.compression = args.compression.value_or(scenario.output.compression);
  options.float32 = args.float32 || scenario.output.precision == Precision::float32;
  const std::vector<int> vars = io::select_variables(options.variables, scenario);  // early
  options.chunk_replicates = io::chunk_replicates(
      scenario, options.summary_only || path.empty() ? std::vector<int>{} : vars, options.float32,
      n);

  io::OutputInfo info;
  info.command_line = args.command_line;
  info.created = utc_now();
  info.version = CHIPSIM_VERSION;
  info.commit = CHIPSIM_GIT_COMMIT;
  info.seed = seed;
  info.replicates = n;
  info.noise = !args.no_noise;

  std::unique_ptr<io::OutputWriter> writer;
  if (!path.empty()) {
    namespace fs = std::filesystem;
    const bool has_partial = fs::exists(partial), has_final = fs::exists(path);
    if (args.resume && has_partial) {
      writer = io::OutputWriter::resume(partial, scenario, info, options);
      if (writer->complete()) return finish_rename(partial, path, "run", out);
    } else if (args.resume && has_final) {
      // A requeued job may always pass --resume: a finished run is left as it is.
      out << "chipsim run: '" << path << "' is already complete; nothing to resume\n";
      return kExitOk;
    } else {
      // --resume with nothing on disk starts the run.
      if (!args.force && has_final)
        throw io::BadRequest("'" + path +
                             "' already exists; pass --force to overwrite it, or choose another "
                             "file with -o");
      if (!args.force && has_partial)
        throw io::BadRequest("'" + partial +
                             "' holds an interrupted run; continue it with --resume, or pass "
                             "--force to start again");
      writer = io::OutputWriter::create(partial, scenario, info, options);
    }
  } else if (args.resume) {
    throw io::BadRequest("--resume needs an output file (-o)");
  }

  SummaryAccumulator summary(vars, options.float32);
  YearTable table(scenario);
  EnsembleOptions ens;
  ens.threads = args.threads;
  ens.chunk = options.chunk_replicates;
  ens.run = RunOptions{.noise = !args.no_noise};
  ens.stop = &stop;
  if (writer) ens.prepare = encode_on_workers(*writer);

  const int start = writer ? writer->replicates_written() : 0;
  if (start > 0) {
    // Resuming: replicates already on disk are recomputed (they are deterministic) to rebuild
    // the streaming summaries; nothing is rewritten. This can take as long as the run so far,
    // so a signal stops it too, leaving the partial file as it was.
    if (!args.quiet)
      err << "chipsim run: resuming after " << start
          << " replicates on disk; recomputing their summaries first\n";
    EnsembleOptions again = ens;
    again.prepare = nullptr;
    const int redone = run_ensemble(scenario, 0, seed, 0, start, again,
                                    [&](const std::vector<Trajectory>& c, int) {
                                      summary.add(c);
                                      for (const auto& t : c)
                                        table.add(t);
                                    });
    if (redone < start) {
      writer->close();
      err << "chipsim run: interrupted by signal " << watcher.signal()
          << " while recomputing the summaries of the " << start << " replicates on disk; '"
          << partial << "' holds them as before. Continue with the same command plus --resume\n";
      return kExitInterrupted;
    }
  }

  Progress progress(n, start, !args.quiet, stderr);
  int done = start;
  int delivered = 0;
  {
    delivered = run_ensemble(scenario, 0, seed, start, n - start, ens,
                             [&](const std::vector<Trajectory>& c, int first, ChunkWork* work) {
                               for (std::size_t i = 0; i < c.size(); ++i)
                                 check_finite(scenario, c[i], first + static_cast<int>(i));
                               if (writer) {  // -o none: the summaries have no file
                                 writer->write(c, first, encoded(work));
                                 summary.add(c);
                               }
                               for (const auto& t : c)
                                 table.add(t);
                               done = first + static_cast<int>(c.size());
                               progress.update(done);
                             });
    if (start + delivered < n) {
      if (writer) writer->close();
      err << "\nchipsim run: interrupted by signal " << watcher.signal() << " after " << done
          << " of " << n << " replicates";
      if (writer)
        err << "; '" << partial << "' holds them. Continue with the same command plus --resume";
      err << "\n";
      return kExitInterrupted;
    }
  }
  if (writer) {
    writer->finish(summary);
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) throw io::IoError("cannot rename '" + partial + "' to '" + path + "': " + ec.message());
  }
  out << "chipsim run: " << scenario.name << ", " << n << (n == 1 ? " replicate" : " replicates")
      << ", seed " << seed << (args.no_noise ? ", no noise" : "")
      << "; per-year means over replicates\n";
  table.print(out);
  if (!path.empty()) out << "\nwrote " << path << "\n";
  if (!args.csv.empty()) {
    std::ostringstream csv;
    table.write_csv(csv);
    write_atomically(args.csv, csv.str());
  }
  return kExitOk;
}

}  // namespace chipsim
