#include "graph/flow.hpp"

// GCC 12 reports -Wmaybe-uninitialized inside Boost's edge iterators when it inlines the
// solver; the warning is in Boost's code, so it is silenced for that header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#pragma GCC diagnostic pop
#include <stdexcept>
#include <string>

namespace chipsim {

FlowNetwork::FlowNetwork(std::size_t vertices) : graph_(vertices) {}

std::size_t FlowNetwork::add_vertex() {
  solved_ = false;
  return boost::add_vertex(graph_);
}

FlowNetwork::EdgeId FlowNetwork::add_edge(std::size_t from, std::size_t to, double capacity) {
  if (from >= vertex_count() || to >= vertex_count())
    throw std::out_of_range("FlowNetwork::add_edge: vertex " + std::to_string(std::max(from, to)) +
                            " does not exist");
  if (!(capacity >= 0)) throw std::invalid_argument("FlowNetwork: capacity must be >= 0");
  solved_ = false;
  const auto e = boost::add_edge(from, to, EdgeProps{capacity, capacity, {}}, graph_).first;
  const auto r = boost::add_edge(to, from, EdgeProps{0, 0, {}}, graph_).first;
  graph_[e].reverse = r;
  graph_[r].reverse = e;
  forward_.push_back(e);
  return forward_.size() - 1;
}

void FlowNetwork::set_capacity(EdgeId edge, double capacity) {
  if (!(capacity >= 0)) throw std::invalid_argument("FlowNetwork: capacity must be >= 0");
  graph_[forward_.at(edge)].capacity = capacity;
  solved_ = false;
}

double FlowNetwork::capacity(EdgeId edge) const {
  return graph_[forward_.at(edge)].capacity;
}

double FlowNetwork::max_flow(std::size_t source, std::size_t sink) {
  if (source >= vertex_count() || sink >= vertex_count() || source == sink)
    throw std::invalid_argument("FlowNetwork::max_flow: bad source or sink");
  const std::size_t n = vertex_count();
  predecessor_.resize(n);
  color_.resize(n);
  distance_.resize(n);
  const auto index = boost::get(boost::vertex_index, graph_);
  const double value = boost::boykov_kolmogorov_max_flow(
      graph_, boost::get(&EdgeProps::capacity, graph_), boost::get(&EdgeProps::residual, graph_),
      boost::get(&EdgeProps::reverse, graph_),
      boost::make_iterator_property_map(predecessor_.begin(), index),
      boost::make_iterator_property_map(color_.begin(), index),
      boost::make_iterator_property_map(distance_.begin(), index), index, source, sink);
  source_ = source;
  solved_ = true;
  return value;
}

double FlowNetwork::flow(EdgeId edge) const {
  // The twin reverse edge starts with zero residual and gains exactly what is pushed forward;
  // reading it stays exact for edges of infinite capacity (where capacity - residual is NaN).
  return graph_[graph_[forward_.at(edge)].reverse].residual;
}

bool FlowNetwork::on_source_side(std::size_t v) const {
  if (!solved_) throw std::logic_error("FlowNetwork: call max_flow() before reading the cut");
  // Boykov-Kolmogorov colours the source search tree black; at termination that tree is
  // exactly the set of vertices reachable from the source in the residual network.
  return color_.at(v) == boost::black_color;
}

bool FlowNetwork::in_min_cut(EdgeId edge) const {
  const auto e = forward_.at(edge);
  return on_source_side(boost::source(e, graph_)) && !on_source_side(boost::target(e, graph_));
}

std::vector<FlowNetwork::EdgeId> FlowNetwork::min_cut() const {
  std::vector<EdgeId> cut;
  for (EdgeId i = 0; i < forward_.size(); ++i)
    if (in_min_cut(i)) cut.push_back(i);
  return cut;
}

}  // namespace chipsim
