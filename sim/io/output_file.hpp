// The HDF5 output file (layout in docs/OUTPUT.md): one dataset per recorded variable with
// dimensions (replicate, period, ...) as netCDF-4 dimension scales with label coordinates,
// chunked along replicates; a /summary group with mean and quantiles; the run's provenance on
// the root. Written as it streams: memory does not grow with the replicate count.
#pragma once

#include <cstdint>
#include <memory>
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

struct OutputInfo {
  std::string command_line;
  std::string created;  // ISO 8601 UTC
  std::string version, commit;
  std::uint64_t seed = 0;
  int replicates = 0;
  int point = 0;
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

// Streams replicates into the file. Implemented on HDF5 in output_file.cpp; this header
// stays free of HDF5 so that only sim/io includes it.
class OutputWriter {
 public:
  // Creates `path` (truncating it) with every dataset sized for info.replicates.
  static std::unique_ptr<OutputWriter> create(const std::string& path, const Scenario& scenario,
                                              const OutputInfo& info, const OutputOptions& options);
  // Opens the partial file `path` written by an identical run to continue it; throws IoError
  // if it was written by a different scenario, seed, replicate count or variable selection.
  static std::unique_ptr<OutputWriter> resume(const std::string& path, const Scenario& scenario,
                                              const OutputInfo& info, const OutputOptions& options);
  virtual ~OutputWriter() = default;

  // Replicates [0, n) are on disk (a checkpoint).
  [[nodiscard]] virtual int replicates_written() const = 0;
  [[nodiscard]] virtual const std::vector<int>& variable_indices() const = 0;
  // Writes a chunk of consecutive replicates starting at `first` (== replicates_written())
  // and records the checkpoint on disk.
  virtual void write(const std::vector<Trajectory>& chunk, int first) = 0;
  // Writes /summary, marks the file complete and closes it.
  virtual void finish(const SummaryAccumulator& summary) = 0;
  // Flushes and closes without marking the file complete (an interrupted run).
  virtual void close() = 0;
};

// What a file says about itself, for `chipsim inspect` and for resuming.
struct FileDescription {
  std::string scenario_name, scenario_sha256, scenario_text, version, commit, command_line, created;
  std::uint64_t seed = 0;
  long replicates = 0, replicates_written = 0;
  bool complete = false, summary_only = false;
  std::vector<std::pair<std::string, std::uint64_t>> dimensions;
  std::vector<std::string> variables;
  std::vector<std::string> period_labels;
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
