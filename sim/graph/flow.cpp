#include "graph/flow.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <limits>
#include <stdexcept>
#include <string>

namespace chipsim {

struct FlowNetwork::Impl {
  using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
  struct EdgeProps {
    double capacity = 0;
    double residual = 0;
    Traits::edge_descriptor reverse;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                      boost::no_property, EdgeProps>;

  explicit Impl(std::size_t vertices) : graph(vertices) {}

  Graph graph;
  std::vector<Graph::edge_descriptor> forward;
  // Work arrays for the solver, sized with the graph and reused between solves: each
  // vertex's distance from the source in the residual network (-1: not reached, or a dead
  // end of the current phase), whether the last search reached it, the search's queue, each
  // vertex's current edge, and the path being built.
  std::vector<int> level;
  std::vector<char> reached;
  std::vector<std::size_t> queue;
  std::vector<Graph::out_edge_iterator> current;
  std::vector<Graph::edge_descriptor> path;
  bool solved = false;

  // Breadth-first search from `source` over edges with residual capacity left: levels, and
  // whether `sink` is reached. The vertices reached are marked in `reached`.
  bool search(std::size_t source, std::size_t sink) {
    std::fill(level.begin(), level.end(), -1);
    std::fill(reached.begin(), reached.end(), 0);
    std::size_t head = 0, tail = 0;
    queue[tail++] = source;
    level[source] = 0;
    reached[source] = 1;
    while (head < tail) {
      const std::size_t v = queue[head++];
      Graph::out_edge_iterator e, end;
      for (boost::tie(e, end) = boost::out_edges(v, graph); e != end; ++e) {
        const std::size_t w = boost::target(*e, graph);
        if (reached[w] || !(graph[*e].residual > 0)) continue;
        reached[w] = 1;
        level[w] = level[v] + 1;
        queue[tail++] = w;
      }
    }
    return reached[sink] != 0;
  }

  // Pushes flow along shortest paths of the levels `search` set until none is left (a
  // blocking flow): depth first from the source, each vertex's edges in the order they were
  // added, resuming at each vertex's current edge; a vertex with no way on is a dead end for
  // the rest of the phase. Adds each push to `total`, path by path.
  void block(std::size_t source, std::size_t sink, double& total) {
    const std::size_t n = boost::num_vertices(graph);
    for (std::size_t v = 0; v < n; ++v)
      current[v] = boost::out_edges(v, graph).first;
    path.clear();
    std::size_t v = source;
    for (;;) {
      if (v == sink) {
        double push = std::numeric_limits<double>::infinity();
        for (const auto& e : path)
          push = std::min(push, graph[e].residual);
        for (const auto& e : path) {
          EdgeProps& p = graph[e];
          p.residual -= push;
          graph[p.reverse].residual += push;
        }
        total += push;
        path.clear();
        v = source;
        continue;
      }
      const auto end = boost::out_edges(v, graph).second;
      auto& e = current[v];
      while (e != end &&
             !(graph[*e].residual > 0 && level[boost::target(*e, graph)] == level[v] + 1))
        ++e;
      if (e != end) {
        path.push_back(*e);
        v = boost::target(*e, graph);
        continue;
      }
      if (v == source) return;
      level[v] = -1;  // a dead end: no edge from it leads on to the sink in this phase
      v = boost::source(path.back(), graph);
      path.pop_back();
      ++current[v];
    }
  }
};

FlowNetwork::FlowNetwork(std::size_t vertices) : impl_(std::make_unique<Impl>(vertices)) {}
FlowNetwork::~FlowNetwork() = default;
FlowNetwork::FlowNetwork(FlowNetwork&&) noexcept = default;
FlowNetwork& FlowNetwork::operator=(FlowNetwork&&) noexcept = default;

std::size_t FlowNetwork::vertex_count() const {
  return boost::num_vertices(impl_->graph);
}
std::size_t FlowNetwork::edge_count() const {
  return impl_->forward.size();
}

std::size_t FlowNetwork::add_vertex() {
  impl_->solved = false;
  return boost::add_vertex(impl_->graph);
}

FlowNetwork::EdgeId FlowNetwork::add_edge(std::size_t from, std::size_t to, double capacity) {
  if (from >= vertex_count() || to >= vertex_count())
    throw std::out_of_range("FlowNetwork::add_edge: vertex " + std::to_string(std::max(from, to)) +
                            " does not exist");
  if (!(capacity >= 0)) throw std::invalid_argument("FlowNetwork: capacity must be >= 0");
  Impl& m = *impl_;
  m.solved = false;
  const auto e = boost::add_edge(from, to, Impl::EdgeProps{capacity, capacity, {}}, m.graph).first;
  const auto r = boost::add_edge(to, from, Impl::EdgeProps{0, 0, {}}, m.graph).first;
  m.graph[e].reverse = r;
  m.graph[r].reverse = e;
  m.forward.push_back(e);
  return m.forward.size() - 1;
}

void FlowNetwork::set_capacity(EdgeId edge, double capacity) {
  if (!(capacity >= 0)) throw std::invalid_argument("FlowNetwork: capacity must be >= 0");
  impl_->graph[impl_->forward.at(edge)].capacity = capacity;
  impl_->solved = false;
}

double FlowNetwork::capacity(EdgeId edge) const {
  return impl_->graph[impl_->forward.at(edge)].capacity;
}

double FlowNetwork::max_flow(std::size_t source, std::size_t sink) {
  if (source >= vertex_count() || sink >= vertex_count() || source == sink)
    throw std::invalid_argument("FlowNetwork::max_flow: bad source or sink");
  // Dinic's algorithm: a breadth-first search levels the residual network, then flow is
  // pushed along shortest paths until none is left, and again until the sink cannot be
  // reached. Edmonds-Karp (one breadth-first search per path, part 8) cost the number of
  // paths times the network's size: 55 % of a 1,000-product world's time, where an HBM
  // network has hundreds of consumers. The vertices the last search reached are the source
  // side of a minimum cut. Boost.Graph's own solvers allocate their work queues on every
  // call, and this one runs hundreds of times a replicate (docs/PERFORMANCE.md).
  Impl& m = *impl_;
  Impl::Graph& g = m.graph;
  const std::size_t n = vertex_count();
  m.level.resize(n);
  m.reached.resize(n);
  m.queue.resize(n);
  m.current.resize(n);
  for (std::size_t v = 0; v < n; ++v) {
    Impl::Graph::out_edge_iterator e, end;
    for (boost::tie(e, end) = boost::out_edges(v, g); e != end; ++e)
      g[*e].residual = g[*e].capacity;
  }
  double total = 0;
  while (m.search(source, sink))
    m.block(source, sink, total);
  m.solved = true;
  return total;
}

double FlowNetwork::flow(EdgeId edge) const {
  // The twin reverse edge starts with zero residual and gains exactly what is pushed forward;
  // reading it stays exact for edges of infinite capacity (where capacity - residual is NaN).
  const Impl& m = *impl_;
  return m.graph[m.graph[m.forward.at(edge)].reverse].residual;
}

bool FlowNetwork::on_source_side(std::size_t v) const {
  if (!impl_->solved) throw std::logic_error("FlowNetwork: call max_flow() before reading the cut");
  // The last search, which did not reach the sink, reached exactly the vertices reachable
  // from the source in the residual network.
  return impl_->reached.at(v) != 0;
}

bool FlowNetwork::in_min_cut(EdgeId edge) const {
  const auto e = impl_->forward.at(edge);
  return on_source_side(boost::source(e, impl_->graph)) &&
         !on_source_side(boost::target(e, impl_->graph));
}

std::vector<FlowNetwork::EdgeId> FlowNetwork::min_cut() const {
  std::vector<EdgeId> cut;
  for (EdgeId i = 0; i < edge_count(); ++i)
    if (in_min_cut(i)) cut.push_back(i);
  return cut;
}

}  // namespace chipsim
