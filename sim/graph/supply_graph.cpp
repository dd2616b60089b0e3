#include "graph/supply_graph.hpp"

#include <algorithm>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/topological_sort.hpp>
#include <cmath>
#include <iterator>
#include <ostream>
#include <sstream>

namespace chipsim {

const char* to_string(NodeKind k) {
  switch (k) {
    case NodeKind::foundry_node:
      return "node";
    case NodeKind::memory:
      return "memory";
    case NodeKind::packager:
      return "packager";
    case NodeKind::product:
      return "product";
    case NodeKind::channel:
      return "channel";
    case NodeKind::buyer:
      return "buyer";
  }
  return "?";
}

const char* to_string(EdgeKind k) {
  switch (k) {
    case EdgeKind::wafers:
      return "wafers";
    case EdgeKind::memory:
      return "memory";
    case EdgeKind::packaging:
      return "packaging";
    case EdgeKind::component:
      return "component";
    case EdgeKind::sale:
      return "sale";
    case EdgeKind::delivery:
      return "delivery";
  }
  return "?";
}

const char* to_string(Gate g) {
  switch (g) {
    case Gate::none:
      return "none";
    case Gate::foreign_foundry:
      return "foreign_foundry";
    case Gate::foreign_memory:
      return "foreign_memory";
    case Gate::foreign_packaging:
      return "foreign_packaging";
    case Gate::export_control:
      return "export_control";
    case Gate::import_control:
      return "import_control";
    case Gate::leakage:
      return "leakage";
  }
  return "?";
}

namespace {
bool serves(const Channel& c, int region) {
  return c.destinations.empty() ||
         std::find(c.destinations.begin(), c.destinations.end(), region) != c.destinations.end();
}
}  // namespace

SupplyGraph::SupplyGraph(const Scenario& s) : scenario_(s) {
  const std::size_t counts[] = {s.nodes.size(),    s.memory.size(),   s.packagers.size(),
                                s.products.size(), s.channels.size(), s.buyers.size()};
  std::size_t offset = 0;
  for (std::size_t k = 0; k < std::size(counts); ++k) {
    first_of_kind_.push_back(offset);
    for (std::size_t i = 0; i < counts[k]; ++i)
      boost::add_vertex(GraphVertex{static_cast<NodeKind>(k), static_cast<int>(i)}, graph_);
    offset += counts[k];
  }
  first_of_kind_.push_back(offset);

  auto add = [&](Vertex from, Vertex to, EdgeKind kind, Gate gate, double capacity) {
    boost::add_edge(from, to, GraphEdge{kind, gate, capacity}, graph_);
  };
  for (std::size_t p = 0; p < s.products.size(); ++p) {
    const Product& prod = s.products[p];
    const int pi = static_cast<int>(p);
    const int home = prod.vendor == kNone ? kNone : s.vendors[prod.vendor].region;
    const Vertex pv = vertex(NodeKind::product, pi);
    if (prod.inputs.node != kNone) {
      const ProcessNode& node = s.nodes[prod.inputs.node];
      const bool foreign = s.foundries[node.foundry].region != home;
      add(vertex(NodeKind::foundry_node, prod.inputs.node), pv, EdgeKind::wafers,
          foreign ? Gate::foreign_foundry : Gate::none, node.capacity.central());
    }
    if (prod.inputs.hbm_stacks > 0) {
      const auto& gens = prod.inputs.hbm_generations;
      for (std::size_t m = 0; m < s.memory.size(); ++m) {
        if (std::find(gens.begin(), gens.end(), s.memory[m].generation) == gens.end()) continue;
        add(vertex(NodeKind::memory, static_cast<int>(m)), pv, EdgeKind::memory,
            s.memory[m].region != home ? Gate::foreign_memory : Gate::none,
            s.memory[m].capacity.central());
      }
    }
    for (int k : prod.inputs.packagers)
      add(vertex(NodeKind::packager, k), pv, EdgeKind::packaging,
          s.packagers[k].region != home ? Gate::foreign_packaging : Gate::none,
          s.packagers[k].capacity.central());
    for (const auto& c : prod.inputs.components)
      if (c.product != kNone)
        add(vertex(NodeKind::product, c.product), pv, EdgeKind::component, Gate::none,
            std::numeric_limits<double>::infinity());
    for (std::size_t c = 0; c < s.channels.size(); ++c)
      add(pv, vertex(NodeKind::channel, static_cast<int>(c)), EdgeKind::sale,
          s.channels[c].legal() ? Gate::export_control : Gate::leakage,
          s.channels[c].capacity.central());
  }
  for (std::size_t c = 0; c < s.channels.size(); ++c)
    for (std::size_t b = 0; b < s.buyers.size(); ++b)
      if (serves(s.channels[c], s.buyers[b].region))
        add(vertex(NodeKind::channel, static_cast<int>(c)),
            vertex(NodeKind::buyer, static_cast<int>(b)), EdgeKind::delivery,
            s.channels[c].legal() ? Gate::import_control : Gate::leakage,
            std::numeric_limits<double>::infinity());
}

SupplyGraph::Vertex SupplyGraph::vertex(NodeKind kind, int entity) const {
  return first_of_kind_[static_cast<std::size_t>(kind)] + static_cast<std::size_t>(entity);
}

std::string SupplyGraph::name(Vertex v) const {
  const GraphVertex& gv = graph_[v];
  switch (gv.kind) {
    case NodeKind::foundry_node:
      return scenario_.node_label(gv.entity);
    case NodeKind::memory:
      return scenario_.memory[gv.entity].name;
    case NodeKind::packager:
      return scenario_.packagers[gv.entity].name;
    case NodeKind::product:
      return scenario_.products[gv.entity].name;
    case NodeKind::channel:
      return scenario_.channels[gv.entity].name;
    case NodeKind::buyer:
      return scenario_.buyers[gv.entity].name;
  }
  return "?";
}

std::string SupplyGraph::id(Vertex v) const {
  return std::string(to_string(graph_[v].kind)) + ":" + name(v);
}

namespace {
// Component edges only: the product-to-product subgraph that must be acyclic.
struct ComponentEdges {
  const SupplyGraph::Graph* g = nullptr;
  bool operator()(SupplyGraph::Edge e) const { return (*g)[e].kind == EdgeKind::component; }
};

struct CycleFinder : boost::default_dfs_visitor {
  std::vector<std::size_t>* parent;
  std::vector<std::size_t>* cycle;
  CycleFinder(std::vector<std::size_t>* p, std::vector<std::size_t>* c) : parent(p), cycle(c) {}
  template <class E, class G>
  void tree_edge(E e, const G& g) const {
    (*parent)[boost::target(e, g)] = boost::source(e, g);
  }
  template <class E, class G>
  void back_edge(E e, const G& g) const {
    if (!cycle->empty()) return;
    const auto from = boost::source(e, g), to = boost::target(e, g);
    for (auto v = from; v != to; v = (*parent)[v])
      cycle->push_back(v);
    cycle->push_back(to);
    std::reverse(cycle->begin(), cycle->end());
    cycle->push_back(to);
  }
};
}  // namespace

std::vector<int> SupplyGraph::component_cycle() const {
  const boost::filtered_graph<Graph, ComponentEdges> sub(graph_, ComponentEdges{&graph_});
  std::vector<std::size_t> parent(vertex_count()), cycle;
  std::vector<boost::default_color_type> color(vertex_count());
  boost::depth_first_search(
      sub, CycleFinder(&parent, &cycle),
      boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, sub)));
  std::vector<int> out;
  for (auto v : cycle)
    out.push_back(graph_[v].entity);
  return out;
}

std::vector<int> SupplyGraph::production_order() const {
  std::vector<Vertex> reversed;
  boost::topological_sort(graph_, std::back_inserter(reversed));
  std::vector<int> order;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    if (graph_[*it].kind == NodeKind::product) order.push_back(graph_[*it].entity);
  return order;
}

bool SupplyGraph::reachable(int buyer) const {
  return reached_buyers().at(static_cast<std::size_t>(buyer)) != 0;
}

std::vector<char> SupplyGraph::reached_buyers() const {
  std::vector<boost::default_color_type> color(vertex_count(), boost::white_color);
  auto color_map =
      boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, graph_));
  std::vector<Vertex> products;
  for (int p = 0; p < static_cast<int>(scenario_.products.size()); ++p)
    products.push_back(vertex(NodeKind::product, p));
  boost::queue<Vertex> queue;
  boost::breadth_first_search(graph_, products.begin(), products.end(), queue,
                              boost::default_bfs_visitor(), color_map);
  std::vector<char> reached(scenario_.buyers.size(), 0);
  for (std::size_t b = 0; b < reached.size(); ++b)
    reached[b] = color[vertex(NodeKind::buyer, static_cast<int>(b))] != boost::white_color;
  return reached;
}

namespace {
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no infinity: null means unbounded
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}
}  // namespace

void SupplyGraph::write_dot(std::ostream& os) const {
  static const char* shapes[] = {"box", "cylinder", "box3d", "ellipse", "diamond", "house"};
  static const char* colors[] = {"#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#72b7b2"};
  os << "digraph supply {\n  rankdir=LR;\n  node [style=filled, fontcolor=white];\n";
  for (auto v : boost::make_iterator_range(boost::vertices(graph_))) {
    const auto k = static_cast<std::size_t>(graph_[v].kind);
    os << "  " << json_string(id(v)) << " [label=" << json_string(name(v))
       << ", shape=" << shapes[k] << ", fillcolor=\"" << colors[k] << "\"];\n";
  }
  for (auto e : boost::make_iterator_range(boost::edges(graph_))) {
    const GraphEdge& ge = graph_[e];
    os << "  " << json_string(id(boost::source(e, graph_))) << " -> "
       << json_string(id(boost::target(e, graph_))) << " [label=" << json_string(to_string(ge.kind))
       << (ge.gate == Gate::leakage ? ", style=dashed, color=red" : "")
       << (ge.gate == Gate::export_control || ge.gate == Gate::import_control ? ", color=gray40"
                                                                              : "")
       << "];\n";
  }
  os << "}\n";
}

void SupplyGraph::write_json(std::ostream& os) const {
  os << "{\n  \"nodes\": [\n";
  bool first = true;
  for (auto v : boost::make_iterator_range(boost::vertices(graph_))) {
    os << (first ? "" : ",\n") << "    {\"id\": " << json_string(id(v))
       << ", \"kind\": " << json_string(to_string(graph_[v].kind))
       << ", \"name\": " << json_string(name(v)) << "}";
    first = false;
  }
  os << "\n  ],\n  \"edges\": [\n";
  first = true;
  for (auto e : boost::make_iterator_range(boost::edges(graph_))) {
    const GraphEdge& ge = graph_[e];
    os << (first ? "" : ",\n") << "    {\"from\": " << json_string(id(boost::source(e, graph_)))
       << ", \"to\": " << json_string(id(boost::target(e, graph_)))
       << ", \"kind\": " << json_string(to_string(ge.kind))
       << ", \"gate\": " << json_string(to_string(ge.gate))
       << ", \"capacity\": " << json_number(ge.capacity) << "}";
    first = false;
  }
  os << "\n  ]\n}\n";
}

}  // namespace chipsim
