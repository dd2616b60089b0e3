// The supply graph of a scenario on Boost.Graph: who can feed whom. Vertices are foundry
// process nodes, memory suppliers, packagers, products, channels and buyers; edges carry the
// capacity of their source (in the source's own unit; docs/SCENARIOS.md, "Supply graph")
// and the policy gate that can close them. Built once per run; capacities change in place.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace chipsim {

enum class NodeKind { foundry_node, memory, packager, product, channel, buyer };

enum class EdgeKind {
  wafers,     // foundry node -> product: wafer starts (wafers/period)
  memory,     // memory supplier -> product: HBM stacks (stacks/period)
  packaging,  // packager -> product: interposer wafers (wafers/period)
  component,  // product -> product: whole units consumed as components (units/period)
  sale,       // product -> channel: units the channel can carry (units/period)
  delivery,   // channel -> buyer: units (unbounded; the channel edge carries the limit)
};

// The policy mechanism that can close an edge.
enum class Gate {
  none,
  foreign_foundry,    // entity listing / foundry controls: supplier in another region
  foreign_memory,     // HBM controls: supplier in another region
  foreign_packaging,  // packaging controls: supplier in another region
  export_control,     // legal sale: the product's export status toward the destination
  import_control,     // legal delivery: importer bans, penalties and mandates
  leakage,            // illegal channel: enforcement
};

struct GraphVertex {
  NodeKind kind = NodeKind::product;
  int entity = kNone;  // index into the Scenario list of that kind
};

struct GraphEdge {
  EdgeKind kind = EdgeKind::wafers;
  Gate gate = Gate::none;
  double capacity = 0;
};

class SupplyGraph {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, GraphVertex,
                                      GraphEdge>;
  using Vertex = Graph::vertex_descriptor;
  using Edge = Graph::edge_descriptor;

  explicit SupplyGraph(const Scenario& scenario);

  [[nodiscard]] const Graph& graph() const { return graph_; }
  [[nodiscard]] std::size_t vertex_count() const { return boost::num_vertices(graph_); }
  [[nodiscard]] std::size_t edge_count() const { return boost::num_edges(graph_); }
  [[nodiscard]] Vertex vertex(NodeKind kind, int entity) const;
  // "kind:name", unique across the graph, e.g. "product:X", "node:F.N5".
  [[nodiscard]] std::string id(Vertex v) const;
  [[nodiscard]] std::string name(Vertex v) const;

  // Changes an edge's capacity in place (no allocation).
  void set_capacity(Edge e, double capacity) { graph_[e].capacity = capacity; }

  // Cycle among product components, as product indices along the cycle (first repeated at
  // the end), or empty if there is none.
  [[nodiscard]] std::vector<int> component_cycle() const;
  // Products in production order: every product after the products it consumes.
  // Precondition: component_cycle() is empty.
  [[nodiscard]] std::vector<int> production_order() const;
  // True if some product can reach the buyer through a channel.
  [[nodiscard]] bool reachable(int buyer) const;
  // The same for every buyer at once, in one search from all the products: [buyer].
  [[nodiscard]] std::vector<char> reached_buyers() const;

  void write_dot(std::ostream& os) const;
  void write_json(std::ostream& os) const;

 private:
  const Scenario& scenario_;
  Graph graph_;
  std::vector<std::size_t> first_of_kind_;  // vertex index of entity 0 of each NodeKind
};

[[nodiscard]] const char* to_string(NodeKind k);
[[nodiscard]] const char* to_string(EdgeKind k);
[[nodiscard]] const char* to_string(Gate g);

}  // namespace chipsim
