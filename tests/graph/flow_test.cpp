// Max-flow and min-cut on small networks whose answers were worked out by hand, and on random
// ones checked by enumerating their cuts.
#include "graph/flow.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

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

// 3,000 random networks of up to 8 vertices (parallel and opposite edges, zero and binary-fraction
// capacities), each checked against the max-flow min-cut theorem by brute force: the flow
// equals the smallest capacity over every source-sink cut, the cut the network reports has
// that capacity, every edge carries between 0 and its capacity, and flow is conserved at
// every vertex but the source and the sink.
TEST(FlowNetwork, RandomNetworksMeetTheMinCutFoundByEnumeration) {
  std::uint64_t state = 12345;
  const auto next = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t n = 2 + next(7);
    FlowNetwork net(n);
    struct Edge {
      std::size_t from, to;
      double capacity;
      FlowNetwork::EdgeId id;
    };
    std::vector<Edge> edges;
    const std::size_t m = next(4 * n);
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t a = next(n), b = next(n);
      if (a == b) continue;
      const double c = static_cast<double>(next(9)) / 4;  // 0 to 2, exact in binary
      edges.push_back({a, b, c, net.add_edge(a, b, c)});
    }
    const std::size_t s = 0, t = n - 1;
    const double flow = net.max_flow(s, t);
    double best = std::numeric_limits<double>::infinity();
    for (std::uint64_t set = 0; set < (std::uint64_t{1} << n); ++set) {
      if (!(set >> s & 1) || (set >> t & 1)) continue;
      double cut = 0;
      for (const Edge& e : edges)
        if ((set >> e.from & 1) && !(set >> e.to & 1)) cut += e.capacity;
      best = std::min(best, cut);
    }
    EXPECT_DOUBLE_EQ(flow, best) << "trial " << trial;
    EXPECT_DOUBLE_EQ(cut_capacity(net), flow) << "trial " << trial;
    EXPECT_TRUE(net.on_source_side(s));
    EXPECT_FALSE(net.on_source_side(t)) << "trial " << trial;
    std::vector<double> net_out(n, 0.0);
    for (const Edge& e : edges) {
      EXPECT_GE(net.flow(e.id), 0.0);
      EXPECT_LE(net.flow(e.id), e.capacity);
      net_out[e.from] += net.flow(e.id);
      net_out[e.to] -= net.flow(e.id);
    }
    for (std::size_t v = 0; v < n; ++v) {
      if (v != s && v != t) {
        EXPECT_NEAR(net_out[v], 0.0, 1e-12) << "trial " << trial;
      }
    }
    EXPECT_NEAR(net_out[s], flow, 1e-12);
  }
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
