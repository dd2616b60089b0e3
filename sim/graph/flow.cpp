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
  // Work arrays for the solver, sized with the graph and reused between solves: the edge by
  // which the search reached each vertex, whether it did, and the search's queue.
  std::vector<Graph::edge_descriptor> predecessor;
  std::vector<char> reached;
  std::vector<std::size_t> queue;
  bool solved = false;

  // Breadth-first search from `source` over edges with residual capacity left, until `sink`
  // is reached (true) or every vertex reachable is (false).
  bool search(std::size_t source, std::size_t sink) {
    std::fill(reached.begin(), reached.end(), 0);
    std::size_t head = 0, tail = 0;
    queue[tail++] = source;
    reached[source] = 1;
    while (head < tail) {
      const std::size_t v = queue[head++];
      Graph::out_edge_iterator e, end;
      for (boost::tie(e, end) = boost::out_edges(v, graph); e != end; ++e) {
        const std::size_t w = boost::target(*e, graph);
        if (reached[w] || !(graph[*e].residual > 0)) continue;
        reached[w] = 1;
        predecessor[w] = *e;
        if (w == sink) return true;
        queue[tail++] = w;
      }
    }
    return false;
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
  // Edmonds-Karp: push flow along a shortest path with residual capacity left until there is
  // none. Each push saturates an edge of the path, so the number of pushes is bounded by the
  // graph's size whatever the capacities; the vertices the last search reached are the
  // source side of a minimum cut. Boost.Graph's own solvers allocate their work queues on
  // every call, and this one runs up to hundreds of times a replicate (docs/PERFORMANCE.md).
  Impl& m = *impl_;
  Impl::Graph& g = m.graph;
  const std::size_t n = vertex_count();
  m.predecessor.resize(n);
  m.reached.resize(n);
  m.queue.resize(n);
  for (std::size_t v = 0; v < n; ++v) {
    Impl::Graph::out_edge_iterator e, end;
    for (boost::tie(e, end) = boost::out_edges(v, g); e != end; ++e)
      g[*e].residual = g[*e].capacity;
  }
  double total = 0;
  while (m.search(source, sink)) {
    double push = std::numeric_limits<double>::infinity();
    for (std::size_t v = sink; v != source; v = boost::source(m.predecessor[v], g))
      push = std::min(push, g[m.predecessor[v]].residual);
    for (std::size_t v = sink; v != source; v = boost::source(m.predecessor[v], g)) {
      Impl::EdgeProps& e = g[m.predecessor[v]];
      e.residual -= push;
      g[e.reverse].residual += push;
    }
    total += push;
  }
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
