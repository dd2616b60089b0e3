// Max-flow / min-cut on a reusable network: a Boost.Graph adjacency list solved by
// Dinic's algorithm (shortest augmenting paths, a blocking flow per level) with work arrays kept
// between solves. The model builds one network per run (inputs -> products -> sink), changes
// capacities in place every period, solves it to share scarce capacity, and reads the minimum
// cut to name the binding input (the chokepoint). Neither set_capacity() nor max_flow()
// allocates once the network has been solved once (Boost.Graph's own max-flow algorithms
// allocate their work queues on every call, and the model solves hundreds of times a replicate).
//
// The Boost.Graph types stay in flow.cpp (every model file includes this header through the
// state, and Boost.Graph's headers take about 2 s to compile in each).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace chipsim {

class FlowNetwork {
 public:
  using EdgeId = std::size_t;

  explicit FlowNetwork(std::size_t vertices = 0);
  ~FlowNetwork();
  FlowNetwork(FlowNetwork&&) noexcept;
  FlowNetwork& operator=(FlowNetwork&&) noexcept;

  std::size_t add_vertex();
  // Adds a directed edge (and its zero-capacity reverse twin, which the algorithm needs).
  EdgeId add_edge(std::size_t from, std::size_t to, double capacity);
  void set_capacity(EdgeId edge, double capacity);
  [[nodiscard]] double capacity(EdgeId edge) const;

  // Maximum flow from source to sink; fills flow() and the cut queries below.
  double max_flow(std::size_t source, std::size_t sink);
  // Flow on an edge after max_flow().
  [[nodiscard]] double flow(EdgeId edge) const;
  // After max_flow(): true if `v` lies on the source side of a minimum cut (it is reachable
  // from the source in the residual network).
  [[nodiscard]] bool on_source_side(std::size_t v) const;
  // After max_flow(): true if `edge` crosses that minimum cut (source side -> sink side);
  // such edges are saturated, and their capacities sum to the max flow.
  [[nodiscard]] bool in_min_cut(EdgeId edge) const;
  [[nodiscard]] std::vector<EdgeId> min_cut() const;

  [[nodiscard]] std::size_t vertex_count() const;
  [[nodiscard]] std::size_t edge_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chipsim
