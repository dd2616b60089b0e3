// Sharing one scarce input (wafers, HBM stacks or packaging slots) among the products that
// request it, through a max-flow network: source -> supplier (capacity) -> consumer (open
// links only) -> sink (request). Built once per run; every period sets capacities, requests
// and gates in place and solves.
//
// Rule (docs/MODEL.md, "Sharing scarce inputs"): max-min fairness in fractions of requests.
// If all requests can be met they are. If not, every consumer gets the same fraction lambda
// of its request, the largest the network can carry; consumers that the minimum cut shows to
// be bottlenecked keep that fraction, and the others are filled further in the same way
// (progressive filling), so no capacity that someone could use is left idle.
//
// Max-min fairness decomposes over the connected parts of the links (suppliers and
// consumers no link joins share nothing), so each part has its own network and is filled on
// its own: the work of a solve grows with the parts' sizes, not with the whole world's.
#pragma once

#include <utility>
#include <vector>

#include "graph/flow.hpp"

namespace chipsim {

class InputAllocator {
 public:
  // `links` are (supplier, consumer) pairs.
  InputAllocator(int suppliers, int consumers, const std::vector<std::pair<int, int>>& links);

  void set_supply(int supplier, double capacity) { supply_[supplier] = capacity; }
  void set_request(int consumer, double request) { request_[consumer] = request; }
  void set_open(int link, bool open) { open_[link] = open; }

  // shared = false: no competition; each consumer may take up to the full capacity of its
  // open suppliers, as if it were alone (the "shared_capacity" mechanism switched off).
  void solve(bool shared);

  // Where every consumer has at most one open supplier, the allocation has a closed form
  // (each supplier gives all its consumers the fraction min(1, capacity / requests)) and
  // solve() uses it instead of max-flow. Setting this forces the max-flow path; the tests use
  // it to check that both paths agree.
  void force_max_flow(bool force) { force_flow_ = force; }

  [[nodiscard]] double allocated(int link) const { return allocated_[link]; }
  [[nodiscard]] double received(int consumer) const { return received_[consumer]; }
  // A supplier's capacity, and what the last solve allocated from it to all its consumers.
  [[nodiscard]] double supply(int supplier) const { return supply_[supplier]; }
  [[nodiscard]] double supplied(int supplier) const { return supplied_[supplier]; }
  // The links into a consumer, in link order.
  [[nodiscard]] const std::vector<int>& links_of(int consumer) const { return links_of_[consumer]; }
  [[nodiscard]] int link_count() const { return static_cast<int>(links_.size()); }
  [[nodiscard]] const std::pair<int, int>& link(int i) const { return links_[i]; }
  // The smallest fraction a consumer got in the fair phase of the last solve, over the
  // connected parts that were short (1 when nothing was short).
  [[nodiscard]] double fair_fraction() const { return lambda_; }
  // The connected parts of the links, each with its own max-flow network.
  [[nodiscard]] int parts() const { return static_cast<int>(parts_.size()); }

 private:
  // A connected part of the links: its suppliers, consumers and links (global indices,
  // ascending) and its network: source 0, sink 1, then its suppliers and its consumers.
  struct Part {
    std::vector<int> suppliers, consumers, links;
    FlowNetwork net;
    std::vector<FlowNetwork::EdgeId> supply_edge, link_edge, sink_edge;  // [local index]
    std::vector<double> sink, solved_sink;  // [local consumer]: asked, and of the last solve
  };

  void share(bool shared);
  // Progressive filling of one part; returns the fraction of its first level (1 if nothing
  // in it was short).
  double fill(Part& part);
  // Solves the part's network with part.sink as the consumers' capacities (the supply and
  // link capacities stay set through a fill); returns the flow.
  double solve_network(Part& part);

  int suppliers_, consumers_;
  std::vector<std::pair<int, int>> links_;
  std::vector<Part> parts_;
  std::vector<double> supply_, request_, allocated_, received_, used_, fixed_;
  std::vector<char> open_;       // char, not bool: read in every solve, a bit vector is slow
  std::vector<int> links_open_;  // per consumer, during solve()
  std::vector<char> frozen_, cut_sink_side_;
  std::vector<double> supplied_;            // [supplier]: allocated by the last solve
  std::vector<std::vector<int>> links_of_;  // [consumer]
  double lambda_ = 1;
  bool force_flow_ = false;
};

}  // namespace chipsim
