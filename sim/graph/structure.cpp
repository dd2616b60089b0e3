#include "graph/structure.hpp"

#include <algorithm>

#include "graph/supply_graph.hpp"

namespace chipsim {

void check_structure(const Scenario& s, Diagnostics& diags) {
  const SupplyGraph graph(s);

  const std::vector<int> cycle = graph.component_cycle();
  if (!cycle.empty()) {
    std::string path;
    for (int p : cycle)
      path += (path.empty() ? "" : " -> ") + s.products[p].name;
    const Product& first = s.products[cycle.front()];
    diags.error(first.inputs.loc, "product." + first.name + ".inputs.components",
                "cycle in the supply graph: " + path +
                    " (a product cannot consume itself, directly or through its components)");
  }

  const std::vector<char> reached = graph.reached_buyers();
  for (std::size_t b = 0; b < s.buyers.size(); ++b) {
    if (reached[b]) continue;
    const Buyer& buyer = s.buyers[b];
    diags.error(buyer.loc, "buyer." + buyer.name,
                "no product can reach this buyer: no channel serves region '" +
                    s.regions[buyer.region].name + "'; add it to a channel's destinations");
  }

  // A choice set is checked against the products' markets only: whether a listed product
  // reaches the buyer through some channel at some date is the model's business.
  for (const Buyer& buyer : s.buyers) {
    if (buyer.products.empty()) continue;
    const bool any = std::any_of(buyer.products.begin(), buyer.products.end(), [&](int p) {
      const auto& mk = s.products[p].markets;
      return mk.empty() || std::find(mk.begin(), mk.end(), buyer.region) != mk.end();
    });
    if (!any)
      diags.error(buyer.loc, "buyer." + buyer.name + ".products",
                  "none of the products this buyer lists is sold in its region '" +
                      s.regions[buyer.region].name + "' (see each product's markets)");
  }

  for (const Product& p : s.products) {
    if (p.inputs.hbm_stacks == 0) continue;
    for (const auto& gen : p.inputs.hbm_generations) {
      const bool supplied =
          std::any_of(s.memory.begin(), s.memory.end(),
                      [&](const MemorySupplier& m) { return m.generation == gen; }) ||
          std::any_of(s.inventories.begin(), s.inventories.end(), [&](const Inventory& i) {
            return i.kind == InventoryKind::hbm && i.generation == gen;
          });
      if (!supplied) {
        std::vector<std::string> known;
        for (const auto& m : s.memory)
          known.push_back(m.generation);
        diags.error(p.inputs.loc, "product." + p.name + ".inputs.hbm.generations",
                    "no memory supplier or HBM stockpile provides generation '" + gen + "'" +
                        did_you_mean(gen, known));
      }
    }
  }

  for (const Inventory& inv : s.inventories) {
    if (inv.kind == InventoryKind::die_bank && inv.product != kNone &&
        s.products[inv.product].inputs.node == kNone)
      diags.error(inv.loc, "inventory." + inv.name + ".product",
                  "a die bank needs a product made from foundry dies; '" +
                      s.products[inv.product].name + "' has no `node` input");
  }
}

}  // namespace chipsim
