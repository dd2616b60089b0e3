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
      supply_(suppliers, 0.0),
      request_(consumers, 0.0),
      allocated_(links.size(), 0.0),
      received_(consumers, 0.0),
      used_(suppliers, 0.0),
      fixed_(consumers, 0.0),
      open_(links.size(), true),
      links_open_(consumers, 0),
      frozen_(consumers, 0),
      cut_sink_side_(consumers, 0),
      supplied_(suppliers, 0.0),
      links_of_(consumers) {
  for (std::size_t l = 0; l < links_.size(); ++l)
    links_of_[links_[l].second].push_back(static_cast<int>(l));
  // The connected parts: union-find over suppliers [0, S) and consumers [S, S + C).
  std::vector<int> root(static_cast<std::size_t>(suppliers + consumers));
  std::iota(root.begin(), root.end(), 0);
  auto find = [&root](int v) {
    while (root[v] != v)
      v = root[v] = root[root[v]];
    return v;
  };
  for (const auto& [s, c] : links_)
    root[find(s)] = find(suppliers + c);
  std::vector<int> part_of(root.size(), -1);
  auto part = [&](int v) -> Part& {
    int& k = part_of[find(v)];
    if (k < 0) {
      k = static_cast<int>(parts_.size());
      parts_.emplace_back();
    }
    return parts_[k];
  };
  // Only what some link joins belongs to a part (a supplier or consumer with no link gives
  // or gets nothing); indices are listed in ascending order.
  std::vector<char> linked(root.size(), 0);
  for (const auto& [s, c] : links_)
    linked[s] = linked[suppliers + c] = 1;
  for (int s = 0; s < suppliers; ++s)
    if (linked[s]) part(s).suppliers.push_back(s);
  for (int c = 0; c < consumers; ++c)
    if (linked[suppliers + c]) part(suppliers + c).consumers.push_back(c);
  for (std::size_t l = 0; l < links_.size(); ++l)
    part(links_[l].first).links.push_back(static_cast<int>(l));
  // Each part's network, its edges added in the same order as one network of the whole.
  std::vector<int> local(root.size(), 0);
  for (Part& p : parts_) {
    const int ns = static_cast<int>(p.suppliers.size()), nc = static_cast<int>(p.consumers.size());
    for (int i = 0; i < ns; ++i)
      local[p.suppliers[i]] = i;
    for (int i = 0; i < nc; ++i)
      local[suppliers + p.consumers[i]] = i;
    p.net = FlowNetwork(static_cast<std::size_t>(2 + ns + nc));
    for (int i = 0; i < ns; ++i)
      p.supply_edge.push_back(p.net.add_edge(0, 2 + i, 0.0));
    for (int l : p.links)
      p.link_edge.push_back(p.net.add_edge(
          2 + local[links_[l].first], 2 + ns + local[suppliers + links_[l].second], kUnbounded));
    for (int i = 0; i < nc; ++i)
      p.sink_edge.push_back(p.net.add_edge(2 + ns + i, 1, 0.0));
    p.sink.assign(nc, 0.0);
  }
}

double InputAllocator::solve_network(Part& part) {
  for (std::size_t i = 0; i < part.consumers.size(); ++i)
    part.net.set_capacity(part.sink_edge[i], std::max(0.0, part.sink[i]));
  part.solved_sink = part.sink;
  return part.net.max_flow(0, 1);
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

  // Progressive filling (max-min fairness), part by part.
  for (Part& part : parts_)
    lambda_ = std::min(lambda_, fill(part));
  for (std::size_t l = 0; l < links_.size(); ++l)
    received_[links_[l].second] += allocated_[l];
}

double InputAllocator::fill(Part& part) {
  // Each level finds the largest common fraction lambda of their requests that the
  // consumers not yet fixed can all get, by cut iteration: when the network cannot carry
  // lambda, its minimum cut (S, T) has capacity A + lambda B below the demand lambda R + F,
  // and the lambda at which that cut is exactly tight, (A - F) / (R - B), is the next guess.
  // The cut that ends the iteration names the bottlenecked consumers (those on its sink
  // side): they keep lambda x request, and the next level fills the others.
  const std::vector<int>& consumers = part.consumers;
  const int ns = static_cast<int>(part.suppliers.size());
  const auto vertex = [ns](std::size_t i) { return static_cast<std::size_t>(2 + ns) + i; };
  for (int c : consumers) {
    fixed_[c] = 0;
    frozen_[c] = request_[c] <= 0;
  }
  for (int i = 0; i < ns; ++i)
    part.net.set_capacity(part.supply_edge[i], std::max(0.0, supply_[part.suppliers[i]]));
  for (std::size_t i = 0; i < part.links.size(); ++i)
    part.net.set_capacity(part.link_edge[i], open_[part.links[i]] ? kUnbounded : 0.0);
  part.solved_sink.clear();
  double first_lambda = 1;
  for (std::size_t level = 0; level <= consumers.size(); ++level) {
    double open_request = 0, fixed_total = 0;
    for (int c : consumers) {
      if (frozen_[c])
        fixed_total += fixed_[c];
      else
        open_request += request_[c];
    }
    if (open_request <= 0) break;
    double lambda = 1;
    bool cut_found = false;
    for (int iteration = 0; iteration < kMaxCutIterations; ++iteration) {
      for (std::size_t i = 0; i < consumers.size(); ++i) {
        const int c = consumers[i];
        part.sink[i] = frozen_[c] ? fixed_[c] : lambda * request_[c];
      }
      const double demand = lambda * open_request + fixed_total;
      if (demand <= 0 || solve_network(part) >= demand * (1 - kTolerance)) break;
      double a = 0, b = 0;
      for (int i = 0; i < ns; ++i)
        if (!part.net.on_source_side(2 + static_cast<std::size_t>(i)))
          a += std::max(0.0, supply_[part.suppliers[i]]);
      for (std::size_t i = 0; i < consumers.size(); ++i) {
        const int c = consumers[i];
        const bool source_side = part.net.on_source_side(vertex(i));
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
    if (level == 0) first_lambda = lambda;
    if (!cut_found) {  // everyone still open gets the full request
      for (int c : consumers)
        if (!frozen_[c]) fixed_[c] = request_[c], frozen_[c] = 1;
      break;
    }
    bool froze = false;
    for (int c : consumers)
      if (!frozen_[c] && cut_sink_side_[c]) {
        fixed_[c] = lambda * request_[c];
        frozen_[c] = 1;
        froze = true;
      }
    if (!froze)  // numerical corner: fix everyone at the common fraction
      for (int c : consumers)
        if (!frozen_[c]) fixed_[c] = lambda * request_[c], frozen_[c] = 1;
  }
  // The network is solved for the final requests unless the last solve of the filling asked
  // for exactly these (as when every consumer got its full request): the same capacities give
  // the same flows, since the solver starts afresh from the capacities each time.
  for (std::size_t i = 0; i < consumers.size(); ++i)
    part.sink[i] = fixed_[consumers[i]];
  if (part.solved_sink != part.sink) solve_network(part);
  for (std::size_t i = 0; i < part.links.size(); ++i)
    allocated_[part.links[i]] = part.net.flow(part.link_edge[i]);
  return first_lambda;
}

}  // namespace chipsim
