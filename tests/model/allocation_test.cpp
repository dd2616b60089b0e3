// The rule for sharing a scarce input, on networks worked out by hand.
#include "model/allocation.hpp"

#include <gtest/gtest.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>

namespace chipsim {
namespace {

TEST(InputAllocator, EverythingServedWhenCapacitySuffices) {
  InputAllocator a(1, 2, {{0, 0}, {0, 1}});
  a.set_supply(0, 200);
  a.set_request(0, 70);
  a.set_request(1, 50);
  a.solve(true);
  EXPECT_DOUBLE_EQ(a.received(0), 70);
  EXPECT_DOUBLE_EQ(a.received(1), 50);
  EXPECT_DOUBLE_EQ(a.fair_fraction(), 1.0);
}

TEST(InputAllocator, OneScarceSupplierGivesEveryoneTheSameFraction) {
  // 100 for requests of 70 and 50: lambda = 100/120.
  InputAllocator a(1, 2, {{0, 0}, {0, 1}});
  a.set_supply(0, 100);
  a.set_request(0, 70);
  a.set_request(1, 50);
  a.solve(true);
  EXPECT_NEAR(a.received(0), 70.0 * 100 / 120, 1e-9);
  EXPECT_NEAR(a.received(1), 50.0 * 100 / 120, 1e-9);
  EXPECT_NEAR(a.fair_fraction(), 100.0 / 120, 1e-9);
}

TEST(InputAllocator, MaxFlowRoutesAroundASharedSupplier) {
  // S0 serves A only, S1 serves A and B; 100 each; A and B want 150. The common fraction is
  // 2/3 (B can only get S1's 100): A = 100 (all of S0), B = 100 (all of S1).
  InputAllocator a(2, 2, {{0, 0}, {1, 0}, {1, 1}});
  a.set_supply(0, 100);
  a.set_supply(1, 100);
  a.set_request(0, 150);
  a.set_request(1, 150);
  a.solve(true);
  EXPECT_NEAR(a.received(0), 100, 1e-4);
  EXPECT_NEAR(a.received(1), 100, 1e-4);
  EXPECT_NEAR(a.allocated(0), 100, 1e-4);  // S0 -> A
  EXPECT_NEAR(a.allocated(2), 100, 1e-4);  // S1 -> B
}

TEST(InputAllocator, LeftoverCapacityGoesToWhoeverCanUseIt) {
  // S0 (100) -> A, S1 (10) -> B; both want 50. Fair phase: lambda = 10/50 = 0.2, so 10 each;
  // then A takes 40 more of S0's leftover 90.
  InputAllocator a(2, 2, {{0, 0}, {1, 1}});
  a.set_supply(0, 100);
  a.set_supply(1, 10);
  a.set_request(0, 50);
  a.set_request(1, 50);
  a.solve(true);
  EXPECT_NEAR(a.fair_fraction(), 0.2, 1e-6);
  EXPECT_NEAR(a.received(0), 50, 1e-4);
  EXPECT_NEAR(a.received(1), 10, 1e-4);
}

TEST(InputAllocator, ClosedGateCarriesNothing) {
  InputAllocator a(1, 2, {{0, 0}, {0, 1}});
  a.set_supply(0, 100);
  a.set_request(0, 70);
  a.set_request(1, 50);
  a.set_open(1, false);
  a.solve(true);
  EXPECT_DOUBLE_EQ(a.received(1), 0);
  EXPECT_NEAR(a.received(0), 70, 1e-9);
}

TEST(InputAllocator, WithoutSharingEachConsumerActsAlone) {
  InputAllocator a(1, 2, {{0, 0}, {0, 1}});
  a.set_supply(0, 100);
  a.set_request(0, 70);
  a.set_request(1, 50);
  a.solve(false);
  EXPECT_DOUBLE_EQ(a.received(0), 70);
  EXPECT_DOUBLE_EQ(a.received(1), 50);
}

// The closed form for stars must agree with the max-flow path (the yardstick) on random
// instances: same received amounts to within the bisection's precision.
TEST(InputAllocator, ClosedFormAgreesWithMaxFlowOnStars) {
  boost::random::mt19937 rng(7);
  boost::random::uniform_real_distribution<double> u(0.0, 100.0);
  for (int trial = 0; trial < 200; ++trial) {
    const int suppliers = 1 + trial % 4, consumers = 1 + trial % 7;
    std::vector<std::pair<int, int>> links;
    for (int c = 0; c < consumers; ++c)
      links.emplace_back((c * 3 + trial) % suppliers, c);
    InputAllocator fast(suppliers, consumers, links), slow(suppliers, consumers, links);
    slow.force_max_flow(true);
    for (int s = 0; s < suppliers; ++s) {
      const double cap = u(rng);
      fast.set_supply(s, cap);
      slow.set_supply(s, cap);
    }
    for (int c = 0; c < consumers; ++c) {
      const double req = u(rng);
      fast.set_request(c, req);
      slow.set_request(c, req);
    }
    fast.solve(true);
    slow.solve(true);
    for (int c = 0; c < consumers; ++c)
      ASSERT_NEAR(fast.received(c), slow.received(c), 1e-4) << "trial " << trial << " c " << c;
  }
}

// supplied() and links_of() are kept by the allocator (issue 13's profile pass: they used to
// be found by scanning every link); they must agree with the links and allocations, after
// every kind of solve: max-flow, closed form, no sharing, nothing requested.
TEST(InputAllocator, SuppliedAndLinksOfAgreeWithTheLinks) {
  boost::random::mt19937 rng(11);
  boost::random::uniform_real_distribution<double> u(0.0, 100.0);
  const std::vector<std::pair<int, int>> links = {{0, 0}, {1, 0}, {1, 1}, {2, 1}, {0, 2}, {2, 3}};
  InputAllocator a(3, 4, links);
  EXPECT_EQ(a.links_of(0), (std::vector<int>{0, 1}));
  EXPECT_EQ(a.links_of(1), (std::vector<int>{2, 3}));
  EXPECT_EQ(a.links_of(2), (std::vector<int>{4}));
  EXPECT_EQ(a.links_of(3), (std::vector<int>{5}));
  for (int trial = 0; trial < 100; ++trial) {
    for (int s = 0; s < 3; ++s)
      a.set_supply(s, u(rng));
    for (int c = 0; c < 4; ++c)
      a.set_request(c, trial % 10 == 0 ? 0.0 : u(rng));
    a.set_open(1, trial % 3 != 0);  // closed: consumer 0 has one supplier (closed form)
    a.set_open(3, trial % 3 != 0);
    const bool shared = trial % 7 != 0;  // unshared: each consumer as if alone
    a.solve(shared);
    for (int s = 0; s < 3; ++s) {
      double sum = 0;
      for (std::size_t l = 0; l < links.size(); ++l)
        if (links[l].first == s) sum += a.allocated(static_cast<int>(l));
      ASSERT_EQ(a.supplied(s), sum) << "trial " << trial << " supplier " << s;
      if (shared) {
        ASSERT_LE(a.supplied(s), a.supply(s) * (1 + 1e-9) + 1e-9) << "trial " << trial;
      }
    }
  }
}

// The last max-flow solve is skipped when the filling's last solve asked for the same
// capacities: the flows must be those of a fresh allocator solving the same problem once
// (a supplier shared by two consumers, enough for everyone).
TEST(InputAllocator, FlowsAreThoseOfAFreshSolve) {
  const std::vector<std::pair<int, int>> links = {{0, 0}, {1, 0}, {1, 1}};
  InputAllocator reused(2, 2, links);
  reused.set_supply(0, 10);
  reused.set_supply(1, 10);
  reused.set_request(0, 50);
  reused.set_request(1, 50);
  reused.solve(true);  // short: progressive filling
  for (double request : {5.0, 8.0}) {
    InputAllocator fresh(2, 2, links);
    for (auto* a : {&reused, &fresh}) {
      a->set_supply(0, 10);
      a->set_supply(1, 10);
      a->set_request(0, request);
      a->set_request(1, request);
      a->solve(true);
    }
    for (int l = 0; l < 3; ++l)
      EXPECT_EQ(reused.allocated(l), fresh.allocated(l)) << "request " << request << " link " << l;
    EXPECT_DOUBLE_EQ(reused.received(0), request);
    EXPECT_DOUBLE_EQ(reused.received(1), request);
  }
}

// One allocator serves a whole run: supplies, requests and gates change between solves,
// and the network's capacities are set once per solve, not once per max-flow. Each solve
// must be bit for bit that of a fresh allocator given the same problem (random networks
// where consumers choose between suppliers, so the max-flow path runs).
TEST(InputAllocator, AReusedAllocatorSolvesAsAFreshOne) {
  const std::vector<std::pair<int, int>> links = {{0, 0}, {1, 0}, {1, 1}, {2, 1},
                                                  {2, 2}, {0, 2}, {3, 3}, {1, 3}};
  boost::random::mt19937_64 rng(11);
  boost::random::uniform_real_distribution<double> u(0.0, 100.0);
  InputAllocator reused(4, 4, links);
  int flows = 0;
  for (int trial = 0; trial < 200; ++trial) {
    InputAllocator fresh(4, 4, links);
    std::vector<double> supply(4), request(4);
    std::vector<bool> open(links.size());
    for (auto& v : supply)
      v = u(rng);
    for (auto& v : request)
      v = u(rng);
    for (std::size_t l = 0; l < links.size(); ++l)
      open[l] = u(rng) > 20;
    for (auto* a : {&reused, &fresh}) {
      for (int s = 0; s < 4; ++s)
        a->set_supply(s, supply[s]);
      for (int c = 0; c < 4; ++c)
        a->set_request(c, request[c]);
      for (std::size_t l = 0; l < links.size(); ++l)
        a->set_open(static_cast<int>(l), open[l]);
      a->solve(true);
    }
    for (std::size_t l = 0; l < links.size(); ++l)
      ASSERT_EQ(reused.allocated(static_cast<int>(l)), fresh.allocated(static_cast<int>(l)))
          << "trial " << trial << " link " << l;
    ASSERT_EQ(reused.fair_fraction(), fresh.fair_fraction()) << "trial " << trial;
    flows += reused.fair_fraction() < 1;
  }
  EXPECT_GT(flows, 50);  // most trials are short, so the filling ran
}

// Each connected part of the links is filled on its own network: two parts in one allocator
// give, bit for bit, what two allocators of one part each give; a consumer no link reaches
// belongs to no part and gets nothing.
TEST(InputAllocator, ConnectedPartsAreFilledOnTheirOwn) {
  // Part A: suppliers 0, 1 and consumers 0, 1; part B: suppliers 2, 3 and consumers 2, 3;
  // consumer 4 has no link. Link order mixes the parts.
  const std::vector<std::pair<int, int>> links = {{0, 0}, {2, 2}, {1, 0}, {3, 2},
                                                  {1, 1}, {3, 3}, {2, 3}};
  InputAllocator both(4, 5, links);
  EXPECT_EQ(both.parts(), 2);
  InputAllocator a(2, 2, {{0, 0}, {1, 0}, {1, 1}}), b(2, 2, {{0, 0}, {1, 0}, {1, 1}, {0, 1}});
  const double supply[] = {30, 50, 20, 70}, request[] = {60, 45, 80, 25, 10};
  for (int s = 0; s < 4; ++s)
    both.set_supply(s, supply[s]);
  for (int c = 0; c < 5; ++c)
    both.set_request(c, request[c]);
  for (int s = 0; s < 2; ++s)
    a.set_supply(s, supply[s]), b.set_supply(s, supply[2 + s]);
  for (int c = 0; c < 2; ++c)
    a.set_request(c, request[c]), b.set_request(c, request[2 + c]);
  both.solve(true);
  a.solve(true);
  b.solve(true);
  // links of `both` -> the same link in a or b
  const int in_a[] = {0, -1, 1, -1, 2, -1, -1}, in_b[] = {-1, 0, -1, 1, -1, 2, 3};
  for (int l = 0; l < 7; ++l)
    EXPECT_EQ(both.allocated(l), in_a[l] >= 0 ? a.allocated(in_a[l]) : b.allocated(in_b[l]))
        << "link " << l;
  EXPECT_EQ(both.received(4), 0.0);
  // Both parts are short and each shares its whole capacity at one fraction: part A 80 for
  // 105 asked, part B 90 for 105.
  EXPECT_NEAR(both.received(0), 60.0 * 80 / 105, 1e-9);
  EXPECT_NEAR(both.received(1), 45.0 * 80 / 105, 1e-9);
  EXPECT_NEAR(both.received(2), 80.0 * 90 / 105, 1e-9);
  EXPECT_NEAR(both.received(3), 25.0 * 90 / 105, 1e-9);
  EXPECT_NEAR(both.fair_fraction(), 80.0 / 105, 1e-9);
  EXPECT_EQ(both.fair_fraction(), std::min(a.fair_fraction(), b.fair_fraction()));
}

}  // namespace
}  // namespace chipsim
