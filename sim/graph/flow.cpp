#include "graph/flow.hpp"

// GCC 12 reports -Wmaybe-uninitialized inside Boost's edge iterators when it inlines the
// solver; the warning is in Boost's code, so it is silenced for that header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#pragma GCC diagnostic pop
#include <boost/graph/adjacency_list.hpp>
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
  // Work arrays for the solver, sized with the graph and reused between solves.
  std::vector<Graph::edge_descriptor> predecessor;
  std::vector<boost::default_color_type> color;
  std::vector<long> distance;
  bool solved = false;
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
  Impl& m = *impl_;
  const std::size_t n = vertex_count();
  m.predecessor.resize(n);
  m.color.resize(n);
  m.distance.resize(n);
  const auto index = boost::get(boost::vertex_index, m.graph);
  const double value = boost::boykov_kolmogorov_max_flow(
      m.graph, boost::get(&Impl::EdgeProps::capacity, m.graph),
      boost::get(&Impl::EdgeProps::residual, m.graph),
      boost::get(&Impl::EdgeProps::reverse, m.graph),
      boost::make_iterator_property_map(m.predecessor.begin(), index),
      boost::make_iterator_property_map(m.color.begin(), index),
      boost::make_iterator_property_map(m.distance.begin(), index), index, source, sink);
  m.solved = true;
  return value;
}

double FlowNetwork::flow(EdgeId edge) const {
  // The twin reverse edge starts with zero residual and gains exactly what is pushed forward;
  // reading it stays exact for edges of infinite capacity (where capacity - residual is NaN).
  const Impl& m = *impl_;
  return m.graph[m.graph[m.forward.at(edge)].reverse].residual;
}

bool FlowNetwork::on_source_side(std::size_t v) const {
  if (!impl_->solved) throw std::logic_error("FlowNetwork: call max_flow() before reading the cut");
  // Boykov-Kolmogorov colours the source search tree black; at termination that tree is
  // exactly the set of vertices reachable from the source in the residual network.
  return impl_->color.at(v) == boost::black_color;
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
