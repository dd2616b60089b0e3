#include "graph/supply_graph.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "support/fixture.hpp"

namespace chipsim {
namespace {

struct Edge {
  std::string from, to;
  EdgeKind kind;
  Gate gate;
  double capacity;
};

std::vector<Edge> edges_of(const SupplyGraph& g) {
  std::vector<Edge> out;
  for (auto e : boost::make_iterator_range(boost::edges(g.graph()))) {
    const auto& ge = g.graph()[e];
    out.push_back({g.id(boost::source(e, g.graph())), g.id(boost::target(e, g.graph())), ge.kind,
                   ge.gate, ge.capacity});
  }
  return out;
}

const Edge* find(const std::vector<Edge>& es, const std::string& from, const std::string& to) {
  for (const auto& e : es)
    if (e.from == from && e.to == to) return &e;
  return nullptr;
}

class SupplyGraphTest : public ::testing::Test {
 protected:
  Scenario scenario = load_scenario_text(test::kMiniScenario, "mini.toml");
};

TEST_F(SupplyGraphTest, VertexPerEntity) {
  const SupplyGraph g(scenario);
  // 1 node + 1 memory + 1 packager + 3 products + 2 channels + 2 buyers
  EXPECT_EQ(g.vertex_count(), 10u);
  EXPECT_EQ(g.id(g.vertex(NodeKind::foundry_node, 0)), "node:F.N1");
  EXPECT_EQ(g.id(g.vertex(NodeKind::product, 2)), "product:XB2");
  EXPECT_EQ(g.id(g.vertex(NodeKind::buyer, 1)), "buyer:BB");
}

TEST_F(SupplyGraphTest, EdgesWorkedOutByHand) {
  const SupplyGraph g(scenario);
  const auto es = edges_of(g);
  // inputs: XA <- node, memory, packager (3); XB <- node (1); XB2 <- XB (1)
  // sales: 3 products x 2 channels (6); deliveries: direct -> BA, BB; smuggle -> BB (3)
  EXPECT_EQ(g.edge_count(), 14u);
  ASSERT_EQ(es.size(), 14u);

  const Edge* wafers = find(es, "node:F.N1", "product:XA");
  ASSERT_TRUE(wafers);
  EXPECT_EQ(wafers->kind, EdgeKind::wafers);
  EXPECT_EQ(wafers->gate, Gate::none);  // foundry and vendor both in region A
  EXPECT_DOUBLE_EQ(wafers->capacity, 1000);

  const Edge* foreign = find(es, "node:F.N1", "product:XB");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->gate, Gate::foreign_foundry);  // vendor VB is in region B

  const Edge* pack = find(es, "packager:P", "product:XA");
  ASSERT_TRUE(pack);
  EXPECT_EQ(pack->gate, Gate::foreign_packaging);
  EXPECT_DOUBLE_EQ(pack->capacity, 400);

  const Edge* mem = find(es, "memory:M", "product:XA");
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem->gate, Gate::none);
  EXPECT_FALSE(find(es, "memory:M", "product:XB"));  // XB uses no HBM

  const Edge* comp = find(es, "product:XB", "product:XB2");
  ASSERT_TRUE(comp);
  EXPECT_EQ(comp->kind, EdgeKind::component);

  const Edge* smuggle = find(es, "product:XA", "channel:smuggle");
  ASSERT_TRUE(smuggle);
  EXPECT_EQ(smuggle->gate, Gate::leakage);
  EXPECT_DOUBLE_EQ(smuggle->capacity, 1000);
  EXPECT_EQ(find(es, "product:XA", "channel:direct")->gate, Gate::export_control);

  EXPECT_TRUE(find(es, "channel:smuggle", "buyer:BB"));
  EXPECT_FALSE(find(es, "channel:smuggle", "buyer:BA"));  // destinations = ["B"]
  EXPECT_EQ(find(es, "channel:direct", "buyer:BA")->gate, Gate::import_control);
}

TEST_F(SupplyGraphTest, ProductionOrderPutsComponentsFirst) {
  const SupplyGraph g(scenario);
  EXPECT_TRUE(g.component_cycle().empty());
  const auto order = g.production_order();
  ASSERT_EQ(order.size(), 3u);
  const auto pos = [&](int p) { return std::find(order.begin(), order.end(), p) - order.begin(); };
  EXPECT_LT(pos(1), pos(2));  // XB before XB2
}

TEST_F(SupplyGraphTest, Reachability) {
  const SupplyGraph g(scenario);
  EXPECT_TRUE(g.reachable(0));
  EXPECT_TRUE(g.reachable(1));
  EXPECT_EQ(g.reached_buyers(), (std::vector<char>{1, 1}));  // one search for all buyers
}

TEST_F(SupplyGraphTest, CapacityChangesInPlace) {
  SupplyGraph g(scenario);
  const auto e = *boost::out_edges(g.vertex(NodeKind::foundry_node, 0), g.graph()).first;
  g.set_capacity(e, 1234);
  EXPECT_DOUBLE_EQ(g.graph()[e].capacity, 1234);
  EXPECT_EQ(g.edge_count(), 14u);
}

TEST_F(SupplyGraphTest, DotOutputNamesEveryVertexAndEdge) {
  const SupplyGraph g(scenario);
  std::ostringstream os;
  g.write_dot(os);
  const std::string dot = os.str();
  EXPECT_EQ(dot.rfind("digraph supply {", 0), 0u);
  EXPECT_NE(dot.find("\"node:F.N1\" -> \"product:XA\" [label=\"wafers\"]"), std::string::npos);
  EXPECT_NE(dot.find("\"product:XA\" -> \"channel:smuggle\" [label=\"sale\", style=dashed"),
            std::string::npos);
  EXPECT_EQ(std::count(dot.begin(), dot.end(), '\n'), 3 + 10 + 14 + 1);
}

TEST_F(SupplyGraphTest, JsonOutput) {
  const SupplyGraph g(scenario);
  std::ostringstream os;
  g.write_json(os);
  const std::string json = os.str();
  EXPECT_NE(json.find("{\"id\": \"product:XB2\", \"kind\": \"product\", \"name\": \"XB2\"}"),
            std::string::npos);
  EXPECT_NE(json.find("{\"from\": \"product:XB\", \"to\": \"product:XB2\", \"kind\": "
                      "\"component\", \"gate\": \"none\", \"capacity\": null}"),
            std::string::npos);
}

}  // namespace
}  // namespace chipsim
