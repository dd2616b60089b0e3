// Max-flow and min-cut on small networks whose answers were worked out by hand.
#include "graph/flow.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace chipsim {
namespace {

double cut_capacity(const FlowNetwork& net) {
  double sum = 0;
  for (auto e : net.min_cut())
    sum += net.capacity(e);
  return sum;
}

// Cormen et al., Introduction to Algorithms, Fig. 26.1: max flow 23; the minimum cut
// separates {s, v1, v2, v4} from {v3, t} through v1->v3 (12), v4->v3 (7), v4->t (4).
TEST(FlowNetwork, TextbookNetwork) {
  FlowNetwork net(6);
  enum { s, v1, v2, v3, v4, t };
  const auto s_v1 = net.add_edge(s, v1, 16);
  const auto s_v2 = net.add_edge(s, v2, 13);
  const auto v1_v3 = net.add_edge(v1, v3, 12);
  net.add_edge(v2, v1, 4);
  net.add_edge(v2, v4, 14);
  net.add_edge(v3, v2, 9);
  const auto v3_t = net.add_edge(v3, t, 20);
  const auto v4_v3 = net.add_edge(v4, v3, 7);
  const auto v4_t = net.add_edge(v4, t, 4);

  EXPECT_DOUBLE_EQ(net.max_flow(s, t), 23.0);
  EXPECT_DOUBLE_EQ(net.flow(s_v1) + net.flow(s_v2), 23.0);  // conservation at the source
  EXPECT_DOUBLE_EQ(net.flow(v3_t) + net.flow(v4_t), 23.0);  // and at the sink
  EXPECT_TRUE(net.on_source_side(s));
  EXPECT_TRUE(net.on_source_side(v1));
  EXPECT_TRUE(net.on_source_side(v2));
  EXPECT_TRUE(net.on_source_side(v4));
  EXPECT_FALSE(net.on_source_side(v3));
  EXPECT_FALSE(net.on_source_side(t));
  const auto cut = net.min_cut();
  EXPECT_EQ(cut, (std::vector<FlowNetwork::EdgeId>{v1_v3, v4_v3, v4_t}));
  EXPECT_DOUBLE_EQ(cut_capacity(net), 23.0);
}

// A supply chain in series: wafers 100 -> HBM 60 -> packaging 80. Output is 60 and the
// binding input (the chokepoint) is the HBM edge.
TEST(FlowNetwork, SeriesChainNamesTheBindingInput) {
  FlowNetwork net(4);
  const auto wafers = net.add_edge(0, 1, 100);
  const auto hbm = net.add_edge(1, 2, 60);
  const auto pack = net.add_edge(2, 3, 80);
  EXPECT_DOUBLE_EQ(net.max_flow(0, 3), 60.0);
  EXPECT_EQ(net.min_cut(), std::vector<FlowNetwork::EdgeId>{hbm});
  EXPECT_FALSE(net.in_min_cut(wafers));
  EXPECT_FALSE(net.in_min_cut(pack));
  EXPECT_DOUBLE_EQ(net.flow(wafers), 60.0);
}

// Two products share one foundry node of 100 wafers; they want 70 and 50. The foundry is
// the chokepoint. Doubling the foundry moves the cut to the two demand edges (120).
TEST(FlowNetwork, SharedCapacityAndReuseAfterCapacityChange) {
  FlowNetwork net;
  const auto s = net.add_vertex(), foundry = net.add_vertex(), p1 = net.add_vertex(),
             p2 = net.add_vertex(), t = net.add_vertex();
  const double inf = std::numeric_limits<double>::infinity();
  const auto supply = net.add_edge(s, foundry, 100);
  const auto f1 = net.add_edge(foundry, p1, inf);
  const auto f2 = net.add_edge(foundry, p2, inf);
  const auto d1 = net.add_edge(p1, t, 70);
  const auto d2 = net.add_edge(p2, t, 50);

  EXPECT_DOUBLE_EQ(net.max_flow(s, t), 100.0);
  EXPECT_EQ(net.min_cut(), std::vector<FlowNetwork::EdgeId>{supply});
  EXPECT_DOUBLE_EQ(net.flow(f1) + net.flow(f2), 100.0);
  EXPECT_LE(net.flow(d1), 70.0);
  EXPECT_LE(net.flow(d2), 50.0);

  net.set_capacity(supply, 200);
  EXPECT_DOUBLE_EQ(net.max_flow(s, t), 120.0);
  EXPECT_EQ(net.min_cut(), (std::vector<FlowNetwork::EdgeId>{d1, d2}));
  EXPECT_DOUBLE_EQ(net.flow(d1), 70.0);
  EXPECT_DOUBLE_EQ(net.flow(d2), 50.0);

  net.set_capacity(supply, 0);
  EXPECT_DOUBLE_EQ(net.max_flow(s, t), 0.0);
  EXPECT_DOUBLE_EQ(net.flow(d1), 0.0);
}

// Fractional capacities (HBM stacks per unit, yields) are exact where binary fractions are.
TEST(FlowNetwork, FractionalCapacities) {
  FlowNetwork net(3);
  net.add_edge(0, 1, 2.5);
  net.add_edge(0, 1, 0.25);  // parallel edges add up
  net.add_edge(1, 2, 10);
  EXPECT_DOUBLE_EQ(net.max_flow(0, 2), 2.75);
  EXPECT_DOUBLE_EQ(cut_capacity(net), 2.75);
}

TEST(FlowNetwork, DisconnectedSinkHasZeroFlowAndEmptyCut) {
  FlowNetwork net(4);
  net.add_edge(0, 1, 5);
  net.add_edge(2, 3, 5);
  EXPECT_DOUBLE_EQ(net.max_flow(0, 3), 0.0);
  EXPECT_TRUE(net.min_cut().empty());
  EXPECT_TRUE(net.on_source_side(1));
  EXPECT_FALSE(net.on_source_side(2));
}

TEST(FlowNetwork, RejectsBadArguments) {
  FlowNetwork net(2);
  EXPECT_THROW(
      {
        try {
          net.add_edge(0, 5, 1);
        } catch (const std::out_of_range& e) {
          EXPECT_STREQ(e.what(), "FlowNetwork::add_edge: vertex 5 does not exist");
          throw;
        }
      },
      std::out_of_range);
  EXPECT_THROW(net.add_edge(0, 1, -1), std::invalid_argument);
  const auto e = net.add_edge(0, 1, 1);
  EXPECT_THROW(net.set_capacity(e, std::nan("")), std::invalid_argument);
  EXPECT_THROW(net.max_flow(0, 0), std::invalid_argument);
  EXPECT_THROW((void)net.on_source_side(0), std::logic_error);  // before max_flow
}

}  // namespace
}  // namespace chipsim
