// The HDF5 output file (layout in docs/OUTPUT.md): one dataset per recorded variable with
// dimensions (replicate, period, ...) as netCDF-4 dimension scales with label coordinates,
// chunked along replicates; a /summary group with mean and quantiles; the run's provenance on
// the root. Written as it streams: memory does not grow with the replicate count.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/summary.hpp"
#include "model/trajectory.hpp"
#include "scenario/scenario.hpp"

namespace chipsim::io {

// Any failure to read or write a file: names the operation, the file and the cause.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A sweep's points (docs/SWEEPS.md): every variable gains a leading `point` dimension, with
// one coordinate per swept key, the design's unit coordinates and structure, and the
// replicates of each point this file is responsible for (all of them, or a shard's share).
struct SweepLayout {
  std::vector<std::string> keys;
  std::vector<std::vector<double>> values, unit;              // [point][parameter]
  std::vector<int> group, role;                               // engine/design.hpp
  std::vector<std::pair<std::string, std::string>> settings;  // root attributes design_<name>
  std::string sweep_text;                                     // the sweep file as read
  std::string identity;  // SHA-256 of everything that determines the data
  int shard = 0, shards = 1;
  std::vector<int> work_first, work_count;  // per point
  [[nodiscard]] int points() const { return static_cast<int>(values.size()); }
};

struct OutputInfo {
  std::string command_line;
  std::string created;  // ISO 8601 UTC
  std::string version, commit;
  std::uint64_t seed = 0;
  int replicates = 0;
  int point = 0;
  bool noise = true;                 // false: --no-noise (central values, no shocks or events)
  std::optional<SweepLayout> sweep;  // set for `chipsim sweep`
};

struct OutputOptions {
  std::vector<std::string> variables;  // empty: all
  bool summary_only = false;
  int compression = 1;  // deflate level, 0 = none
  bool float32 = false;
  int chunk_replicates = 64;
};

// A request the user can fix (an unknown variable name): exit code 2, not 1.
class BadRequest : public IoError {
 public:
  using IoError::IoError;
};

// Indices into variables() of the names asked for (empty: every variable the scenario can
// record); throws BadRequest naming an unknown one.
std::vector<int> select_variables(const std::vector<std::string>& names, const Scenario& scenario);

// Bytes of one replicate's trajectory: every variable the model records, as float64 (what a
// worker holds in memory per replicate, whatever is selected for the file).
std::size_t trajectory_bytes(const Scenario& scenario);

// Replicates per HDF5 chunk, which is also the unit of work a worker holds whole in memory
// (docs/OUTPUT.md, "Chunks"). output.chunk_replicates when the scenario sets it; otherwise as
// many as keep a chunk of whole trajectories within kChunkBudgetBytes, from 1 to
// kDefaultChunkReplicates. It depends on the scenario alone, never on the machine, so every
// shard and every resume of a run chooses the same. A set value that would make one chunk of
// a selected variable (`vars`, stored as float32 or not) larger than HDF5 allows, for a run
// of `replicates`, is a BadRequest located at the key, naming the largest value that fits.
inline constexpr int kDefaultChunkReplicates = 64;
inline constexpr std::size_t kChunkBudgetBytes = std::size_t{64} << 20;
inline constexpr std::uint64_t kMaxChunkBytes = (std::uint64_t{1} << 32) - 1;  // HDF5's limit
int chunk_replicates(const Scenario& scenario, const std::vector<int>& vars, bool float32,
                     long long replicates);

// A chunk of replicates as the file stores it: each selected variable converted to its file
// type, shuffled, deflated and checksummed exactly as HDF5's filters would, ready for a
// direct chunk write. Made by OutputWriter::encode on any thread.
struct EncodedChunk {
  int point = 0, first = 0;
  std::size_t count = 0;
  std::vector<std::vector<unsigned char>> variables;  // per selected variable; empty: none
};

// Streams replicates into the file. Implemented on HDF5 in output_file.cpp; this header
// stays free of HDF5 so that only sim/io includes it.
class OutputWriter {
 public:
  // Creates `path` (truncating it) with every dataset sized for info.replicates.
  static std::unique_ptr<OutputWriter> create(const std::string& path, const Scenario& scenario,
                                              const OutputInfo& info, const OutputOptions& options);
  // Continues the partial file `path` written by an identical run: replaces it by a new file
  // holding the replicates its checkpoint counts (the partial file itself is only read).
  // Throws BadRequest if it was written with a different scenario, seed, replicate count or
  // option that changes the data. If it was already finished (killed before the rename),
  // complete() is true and the writer holds nothing open: only the rename is left to do.
  static std::unique_ptr<OutputWriter> resume(const std::string& path, const Scenario& scenario,
                                              const OutputInfo& info, const OutputOptions& options);
  virtual ~OutputWriter() = default;

  // Replicates [0, n) are on disk (a checkpoint).
  [[nodiscard]] virtual int replicates_written() const = 0;
  // A resumed file that was already complete (see resume()).
  [[nodiscard]] virtual bool complete() const = 0;
  [[nodiscard]] virtual const std::vector<int>& variable_indices() const = 0;
  // Filters the chunk of `point` starting at replicate `first` into `out`, calling no HDF5
  // function, so worker threads may run it in parallel. Leaves `out` empty when the chunk
  // is not exactly one of the file's chunks (a resumed sweep's first chunk may not be) or
  // the file keeps no data (--summary-only); write() then has HDF5 filter it.
  virtual void encode(const std::vector<Trajectory>& chunk, int point, int first,
                      EncodedChunk& out) const = 0;
  // Writes a chunk of consecutive replicates starting at `first` (== replicates_written())
  // and records the checkpoint on disk. `encoded`, if not null, is encode()'s result for it.
  virtual void write(const std::vector<Trajectory>& chunk, int first,
                     const EncodedChunk* encoded) = 0;
  // Writes /summary, marks the file complete and closes it.
  virtual void finish(const SummaryAccumulator& summary) = 0;

  // Sweeps. Replicates of `point` on disk, counted from its work_first (a checkpoint).
  [[nodiscard]] virtual int done(int point) const = 0;
  [[nodiscard]] virtual bool failed(int point) const = 0;
  // Writes consecutive replicates of `point` starting at `first` (== work_first + done).
  virtual void write_point(int point, const std::vector<Trajectory>& chunk, int first,
                           const EncodedChunk* encoded) = 0;
  // Records why a point could not run (its scenario was invalid); its data stay NaN.
  virtual void record_error(int point, const std::string& message) = 0;
  // Computes /summary per point from the data as stored, marks the file complete, closes
  // it. The same whether the data came from one process, ranks or merged shards.
  virtual void finish_sweep() = 0;
  // Flushes and closes without marking the file complete (an interrupted run).
  virtual void close() = 0;
};

// Combines shard files of one sweep into `path` (written as `path`.partial, renamed when
// complete). Refuses parts of different sweeps, seeds or chipsim versions, and names any
// missing or incomplete shard (BadRequest).
void merge_sweep(const std::vector<std::string>& parts, const std::string& path,
                 const std::string& command_line, const std::string& created);

// What a file says about itself, for `chipsim inspect` and for resuming.
struct FileDescription {
  std::string scenario_name, scenario_sha256, scenario_text, version, commit, command_line, created;
  std::uint64_t seed = 0;
  long replicates = 0, replicates_written = 0;
  bool complete = false, summary_only = false;
  std::vector<std::pair<std::string, std::uint64_t>> dimensions;
  std::vector<std::string> variables;
  std::vector<std::string> period_labels;
  // Sweeps (docs/SWEEPS.md): 0 points for a run.
  long points = 0;
  std::string design_type;
  std::vector<std::string> design_keys;
  long shard = 0, shards = 1, work_count = 0, work_done = 0, point_errors = 0;
  // Labels of string dimensions and auxiliary coordinates (product_vendor, buyer_region, ...).
  std::vector<std::pair<std::string, std::vector<std::string>>> labels;
  [[nodiscard]] std::vector<std::string> labels_of(const std::string& name) const {
    for (const auto& [n, l] : labels)
      if (n == name) return l;
    return {};
  }
};

// Reads the description; throws IoError with a clear message for a missing, foreign or
// broken file.
FileDescription describe_file(const std::string& path);

// Reads a dataset (e.g. "market_revenue" or "summary/price") as doubles, flattened, with its
// shape; throws IoError if absent.
std::vector<double> read_dataset(const std::string& path, const std::string& name,
                                 std::vector<std::uint64_t>& shape);

// Reads summary/<variable> as (stat, period, cells) flattened; throws IoError if absent.
std::vector<double> read_summary(const std::string& path, const std::string& variable,
                                 std::vector<std::uint64_t>& shape);

}  // namespace chipsim::io
