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
#include "cli/version.hpp"
#include "engine/ensemble.hpp"
#include "engine/summary.hpp"
#include "engine/year_table.hpp"
#include "io/output_file.hpp"

namespace chipsim {

namespace {

// Turns SIGINT and SIGTERM into a stop request without a global flag: the signals are
// blocked in every thread (worker threads inherit the mask) and a watcher thread receives
// them with sigtimedwait and sets the run's own flag.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::atomic<bool>& stop) : stop_(stop) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    thread_ = std::thread([this] {
      const timespec tick{0, 100'000'000};
      while (!done_.load()) {
        const int sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
          signal_ = sig;
          stop_.store(true);
        }
      }
    });
  }
  ~SignalWatcher() {
    done_.store(true);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  [[nodiscard]] int signal() const { return signal_.load(); }

 private:
  std::atomic<bool>& stop_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  sigset_t set_{}, previous_{};
  std::thread thread_;
};

// A one-line progress bar with rate and ETA, redrawn at most ten times a second; silent
// unless standard error is a terminal.
class Progress {
 public:
  Progress(int total, int already, bool enabled)
      : total_(total),
        start_count_(already),
        enabled_(enabled && isatty(STDERR_FILENO)),
        start_(std::chrono::steady_clock::now()) {}
  void update(int done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? (done - start_count_) / seconds : 0;
    const double eta = rate > 0 ? (total_ - done) / rate : 0;
    const int width = 30, filled = total_ > 0 ? width * done / total_ : width;
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %d/%d  %.0f rep/s  ETA %.0fs ", filled,
                 "##############################", width - filled, "",
                 total_ > 0 ? 100 * done / total_ : 100, done, total_, rate, eta);
    if (done >= total_) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  int total_, start_count_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_{};
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

int run_command(const Scenario& scenario, const RunArgs& args, std::ostream& out,
                std::ostream& err) {
  // First, before any worker thread exists, so that every thread inherits the signal mask.
  std::atomic<bool> stop{false};
  const SignalWatcher watcher(stop);
  const int n = args.replicates > 0 ? args.replicates : scenario.replicates;
  const std::uint64_t seed = args.seed.value_or(scenario.seed);
  // "-o none" asks for no file (the per-year table only).
  const std::string path = args.output == "none"  ? std::string()
                           : !args.output.empty() ? args.output
                                                  : scenario.output.path;
  const std::string partial = path + ".partial";

  io::OutputOptions options;
  options.variables = !args.variables.empty() ? args.variables : scenario.output.variables;
  options.summary_only = args.summary_only;
  options.compression = args.compression.value_or(scenario.output.compression);
  options.float32 = args.float32 || scenario.output.precision == Precision::float32;
  options.chunk_replicates = scenario.output.chunk_replicates;
  const std::vector<int> vars = io::select_variables(options.variables);  // fails early

  io::OutputInfo info;
  info.command_line = args.command_line;
  info.created = utc_now();
  info.version = CHIPSIM_VERSION;
  info.commit = CHIPSIM_GIT_COMMIT;
  info.seed = seed;
  info.replicates = n;

  std::unique_ptr<io::OutputWriter> writer;
  if (!path.empty()) {
    if (args.resume) {
      if (!std::filesystem::exists(partial))
        throw io::IoError("nothing to resume: '" + partial + "' does not exist");
      writer = io::OutputWriter::resume(partial, scenario, info, options);
    } else {
      writer = io::OutputWriter::create(partial, scenario, info, options);
    }
  } else if (args.resume) {
    throw io::IoError("--resume needs an output file (-o)");
  }

  SummaryAccumulator summary(vars);
  YearTable table(scenario);
  EnsembleOptions ens;
  ens.threads = args.threads;
  ens.chunk = scenario.output.chunk_replicates;
  ens.run = RunOptions{!args.no_noise};
  ens.stop = &stop;

  const int start = writer ? writer->replicates_written() : 0;
  if (start > 0) {
    // Resuming: replicates already on disk are recomputed (they are deterministic) to rebuild
    // the streaming summaries; nothing is rewritten.
    EnsembleOptions again = ens;
    again.stop = nullptr;
    run_ensemble(scenario, 0, seed, 0, start, again, [&](const std::vector<Trajectory>& c, int) {
      summary.add(c);
      for (const auto& t : c)
        table.add(t);
    });
  }

  Progress progress(n, start, !args.quiet);
  int done = start;
  int delivered = 0;
  {
    delivered = run_ensemble(scenario, 0, seed, start, n - start, ens,
                             [&](const std::vector<Trajectory>& c, int first) {
                               if (writer) writer->write(c, first);
                               summary.add(c);
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
    std::filesystem::rename(partial, path);
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
