#include "model/allocation.hpp"

#include <algorithm>
#include <numeric>

namespace chipsim {

namespace {
// Links are "unbounded"; a finite stand-in keeps the solver's arithmetic free of inf - inf.
constexpr double kUnbounded = 1e300;
// Relative tolerance for "the network carried everything asked of it".
constexpr double kTolerance = 1e-9;
// Cut iterations per level; each strictly lowers lambda through a finite set of cuts, so a
// handful suffice (the bound only guards against floating-point cycling).
constexpr int kMaxCutIterations = 64;
}  // namespace

InputAllocator::InputAllocator(int suppliers, int consumers,
                               const std::vector<std::pair<int, int>>& links)
    : suppliers_(suppliers),
      consumers_(consumers),
      links_(links),
      net_(static_cast<std::size_t>(2 + suppliers + consumers)),
      source_(0),
      sink_(1),
      supply_(suppliers, 0.0),
      request_(consumers, 0.0),
      allocated_(links.size(), 0.0),
      received_(consumers, 0.0),
      used_(suppliers, 0.0),
      scaled_(consumers, 0.0),
      fixed_(consumers, 0.0),
      open_(links.size(), true),
      links_open_(consumers, 0),
      frozen_(consumers, 0),
      cut_sink_side_(consumers, 0),
      supplied_(suppliers, 0.0),
      links_of_(consumers) {
  for (std::size_t l = 0; l < links_.size(); ++l)
    links_of_[links_[l].second].push_back(static_cast<int>(l));
  for (int s = 0; s < suppliers; ++s)
    supply_edge_.push_back(net_.add_edge(source_, 2 + s, 0.0));
  for (const auto& [s, c] : links_)
    link_edge_.push_back(net_.add_edge(2 + s, 2 + suppliers + c, kUnbounded));
  for (int c = 0; c < consumers; ++c)
    sink_edge_.push_back(net_.add_edge(2 + suppliers + c, sink_, 0.0));
}

void InputAllocator::set_supply_and_links() {
  for (int s = 0; s < suppliers_; ++s)
    net_.set_capacity(supply_edge_[s], std::max(0.0, supply_[s]));
  for (std::size_t l = 0; l < links_.size(); ++l)
    net_.set_capacity(link_edge_[l], open_[l] ? kUnbounded : 0.0);
}

double InputAllocator::solve_network(const std::vector<double>& sink) {
  for (int c = 0; c < consumers_; ++c)
    net_.set_capacity(sink_edge_[c], std::max(0.0, sink[c]));
  solved_sink_ = sink;
  return net_.max_flow(source_, sink_);
}

void InputAllocator::solve(bool shared) {
  share(shared);
  // What each supplier gave, summed in link order.
  std::fill(supplied_.begin(), supplied_.end(), 0.0);
  for (std::size_t l = 0; l < links_.size(); ++l)
    supplied_[links_[l].first] += allocated_[l];
}

void InputAllocator::share(bool shared) {
  std::fill(allocated_.begin(), allocated_.end(), 0.0);
  std::fill(received_.begin(), received_.end(), 0.0);
  lambda_ = 1;
  const double total = std::accumulate(request_.begin(), request_.end(), 0.0);
  if (total <= 0) return;

  if (!shared) {
    // Each consumer alone: it receives min(request, open supply), split over its suppliers in
    // proportion to their capacity.
    for (int c = 0; c < consumers_; ++c) {
      double open_supply = 0;
      for (int l : links_of_[c])
        if (open_[l]) open_supply += supply_[links_[l].first];
      if (open_supply <= 0) continue;
      const double take = std::min(request_[c], open_supply);
      for (int l : links_of_[c])
        if (open_[l]) allocated_[l] = take * supply_[links_[l].first] / open_supply;
      received_[c] = take;
    }
    return;
  }

  // Closed form when no consumer can choose between suppliers (a forest of stars): each
  // supplier gives its consumers the fraction min(1, capacity / requests).
  std::fill(links_open_.begin(), links_open_.end(), 0);
  for (std::size_t l = 0; l < links_.size(); ++l)
    if (open_[l] && request_[links_[l].second] > 0) ++links_open_[links_[l].second];
  if (!force_flow_ &&
      std::all_of(links_open_.begin(), links_open_.end(), [](int n) { return n <= 1; })) {
    std::fill(used_.begin(), used_.end(), 0.0);  // requests per supplier
    for (std::size_t l = 0; l < links_.size(); ++l)
      if (open_[l]) used_[links_[l].first] += request_[links_[l].second];
    for (std::size_t l = 0; l < links_.size(); ++l) {
      if (!open_[l]) continue;
      const int s = links_[l].first;
      const double fraction = used_[s] > supply_[s] ? std::max(0.0, supply_[s]) / used_[s] : 1.0;
      allocated_[l] = fraction * request_[links_[l].second];
      if (used_[s] > 0) lambda_ = std::min(lambda_, fraction);
    }
    for (std::size_t l = 0; l < links_.size(); ++l)
      received_[links_[l].second] += allocated_[l];
    return;
  }

  // Progressive filling (max-min fairness) with the flow network. Each level finds the
  // largest common fraction lambda of their requests that the consumers not yet fixed can
  // all get, by cut iteration: when the network cannot carry lambda, its minimum cut (S, T)
  // has capacity A + lambda B below the demand lambda R + F, and the lambda at which that cut
  // is exactly tight, (A - F) / (R - B), is the next guess. The cut that ends the iteration
  // names the bottlenecked consumers (those on its sink side): they keep lambda x request,
  // and the next level fills the others.
  for (int c = 0; c < consumers_; ++c) {
    fixed_[c] = 0;
    frozen_[c] = request_[c] <= 0;
  }
  solved_sink_.clear();
  set_supply_and_links();
  bool first_level = true;
  for (int level = 0; level <= consumers_; ++level) {
    double open_request = 0, fixed_total = 0;
    for (int c = 0; c < consumers_; ++c) {
      if (frozen_[c])
        fixed_total += fixed_[c];
      else
        open_request += request_[c];
    }
    if (open_request <= 0) break;
    double lambda = 1;
    bool cut_found = false;
    for (int iteration = 0; iteration < kMaxCutIterations; ++iteration) {
      for (int c = 0; c < consumers_; ++c)
        scaled_[c] = frozen_[c] ? fixed_[c] : lambda * request_[c];
      const double demand = lambda * open_request + fixed_total;
      if (demand <= 0 || solve_network(scaled_) >= demand * (1 - kTolerance)) break;
      double a = 0, b = 0;
      for (int s = 0; s < suppliers_; ++s)
        if (!net_.on_source_side(2 + s)) a += std::max(0.0, supply_[s]);
      for (int c = 0; c < consumers_; ++c) {
        const bool source_side = net_.on_source_side(2 + suppliers_ + c);
        cut_sink_side_[c] = !source_side;
        if (!source_side) continue;
        if (frozen_[c])
          a += fixed_[c];
        else
          b += request_[c];
      }
      cut_found = true;
      const double tight = open_request > b ? (a - fixed_total) / (open_request - b) : 0.0;
      lambda = std::clamp(tight, 0.0, lambda * (1 - kTolerance));
    }
    if (first_level) lambda_ = lambda;
    first_level = false;
    if (!cut_found) {  // everyone still open gets the full request
      for (int c = 0; c < consumers_; ++c)
        if (!frozen_[c]) fixed_[c] = request_[c], frozen_[c] = 1;
      break;
    }
    bool froze = false;
    for (int c = 0; c < consumers_; ++c)
      if (!frozen_[c] && cut_sink_side_[c]) {
        fixed_[c] = lambda * request_[c];
        frozen_[c] = 1;
        froze = true;
      }
    if (!froze)  // numerical corner: fix everyone at the common fraction
      for (int c = 0; c < consumers_; ++c)
        if (!frozen_[c]) fixed_[c] = lambda * request_[c], frozen_[c] = 1;
  }
  // The network is solved for the final requests unless the last solve of the filling asked
  // for exactly these (as when every consumer got its full request): the same capacities give
  // the same flows, since the solver starts afresh from the capacities each time.
  if (solved_sink_ != fixed_) solve_network(fixed_);
  for (std::size_t l = 0; l < links_.size(); ++l)
    allocated_[l] = net_.flow(link_edge_[l]);
  for (std::size_t l = 0; l < links_.size(); ++l)
    received_[links_[l].second] += allocated_[l];
}

}  // namespace chipsim
