// Running many replicates of one scenario and design point, in parallel with TBB or serially.
// Replicate trajectories reach the sink in replicate order, whatever the thread count, so
// everything downstream (the HDF5 writer, summaries) is bitwise identical for any number of
// threads. Workers and the sink are joined by a bounded pipeline: at most a few chunks of
// replicates are in memory at once, however many replicates are run.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/model.hpp"

namespace chipsim {

// What `prepare` made of a chunk on a worker thread; opaque to the engine.
struct ChunkWork {
  virtual ~ChunkWork() = default;
};
// Work on a finished chunk of design point `point` that may run on a worker thread, right
// after the model and in parallel with other chunks (the HDF5 writer filters and compresses
// the chunk here). It must not touch shared state.
using ChunkPrepare = std::function<std::unique_ptr<ChunkWork>(const std::vector<Trajectory>& chunk,
                                                              int point, int first_replicate)>;

struct EnsembleOptions {
  int threads = 0;  // 0: all cores; 1: serial path (no TBB)
  int chunk = 64;   // replicates per pipeline token
  RunOptions run;   // passed to every replicate (its stop_requested asked as well as `stop`)
  // Set to stop: every worker abandons the replicate it is running at its next period
  // and starts no other; a chunk left incomplete is abandoned, and so is every chunk after
  // it (delivered replicates stay contiguous from `first`). The complete chunks before it
  // are delivered.
  const std::atomic<bool>* stop = nullptr;
  // Optional, called on every chunk on both paths (the serial one calls it before the
  // sink), so that one and two threads store the same bytes; a sink must still accept a
  // null `work` (no prepare, or a chunk of a job with an error).
  ChunkPrepare prepare;
};

// Receives the trajectories of one chunk of consecutive replicates, in replicate order.
using ChunkSink = std::function<void(const std::vector<Trajectory>& chunk, int first_replicate)>;
// The same, with what options.prepare made of the chunk (null if it did not run).
using PreparedChunkSink =
    std::function<void(const std::vector<Trajectory>& chunk, int first_replicate, ChunkWork* work)>;

// Runs replicates [first, first + count) of design point `point` with root seed `seed`.
// Returns the number of replicates delivered (count, unless stopped early; always a
// multiple of the chunk size or the full count, delivered contiguously from `first`).
int run_ensemble(const Scenario& scenario, int point, std::uint64_t seed, int first, int count,
                 const EnsembleOptions& options, const PreparedChunkSink& sink);
int run_ensemble(const Scenario& scenario, int point, std::uint64_t seed, int first, int count,
                 const EnsembleOptions& options, const ChunkSink& sink);

// Several ensembles in one pipeline (a sweep's points): jobs come from `next` in order, each
// a scenario (or the error that stopped its scenario loading), its design point and the
// replicates [first, first + count) to run. Chunks of every job are computed in parallel,
// across jobs, and reach `sink` in job order, then replicate order - so the output is the
// same as one run_ensemble per job, one after the other. A job with an error reaches the
// sink once, with no trajectories. `next` and `sink` are called from one thread at a time.
struct EnsembleJob {
  std::shared_ptr<const Scenario> scenario;  // null when `error` is set
  std::string error;
  int point = 0, first = 0, count = 0;
};
using JobSource = std::function<std::optional<EnsembleJob>()>;
using JobSink = std::function<void(const EnsembleJob& job, const std::vector<Trajectory>& chunk,
                                   int first_replicate)>;
using PreparedJobSink =
    std::function<void(const EnsembleJob& job, const std::vector<Trajectory>& chunk,
                       int first_replicate, ChunkWork* work)>;
// Returns false if stopped before every job was delivered.
bool run_jobs(const JobSource& next, std::uint64_t seed, const EnsembleOptions& options,
              const PreparedJobSink& sink);
bool run_jobs(const JobSource& next, std::uint64_t seed, const EnsembleOptions& options,
              const JobSink& sink);

// The yardstick: the same contract with a plain loop on one thread.
int run_ensemble_serial(const Scenario& scenario, int point, std::uint64_t seed, int first,
                        int count, const EnsembleOptions& options, const PreparedChunkSink& sink);
int run_ensemble_serial(const Scenario& scenario, int point, std::uint64_t seed, int first,
                        int count, const EnsembleOptions& options, const ChunkSink& sink);

}  // namespace chipsim
