// The market model (DESIGN.md §2; every equation in docs/MODEL.md): the agents' state and
// step(), which runs the seven stages of a period in order. Knows nothing of threads, files
// or the command line.
//
// Determinism contract: a replicate is a pure function of (scenario, design point, replicate
// index, root seed, chipsim version). Model holds only work buffers; run() resets all state,
// so one Model may run any sequence of replicates and each result is the same as on a fresh
// Model. Random streams are keyed (rng/streams.hpp), never shared across replicates.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "model/trajectory.hpp"
#include "scenario/scenario.hpp"

namespace chipsim {

struct RunOptions {
  // false: every parameter takes its central value, and capex shocks and stochastic policy
  // events are off; the trajectory is then the same for every seed (used by unit tests
  // with expected values worked out by hand).
  bool noise = true;
  // Asked at the start of every period, if set: once it answers true, run() returns false
  // without finishing the replicate, whose trajectory is then incomplete and must not be
  // used. The ensemble's stop (SIGINT, SIGTERM) uses it, so that a stop waits for one
  // period per worker, not for a whole replicate (seconds in a large synthetic world).
  std::function<bool()> stop_requested = {};
};

class Model {
 public:
  explicit Model(const Scenario& scenario);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Runs one replicate into `out` (resized on first use; no allocation after that, except
  // inside Boost's max-flow solver, see docs/MODEL.md). Returns true, or false if
  // options.stop_requested cut it short.
  bool run(Trajectory& out, int point, int replicate, std::uint64_t seed,
           const RunOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience: builds a Model and runs one replicate.
[[nodiscard]] Trajectory run_replicate(const Scenario& scenario, int point, int replicate,
                                       std::uint64_t seed, const RunOptions& options = {});

}  // namespace chipsim
