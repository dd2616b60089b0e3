#include "scenario/scenario.hpp"

#include <algorithm>

#include "scenario/targets.hpp"

namespace chipsim {

std::vector<std::string> event_labels(const Scenario& s) {
  std::vector<std::string> out;
  std::vector<std::string> qualified;
  for (const auto& e : s.events) {
    out.push_back(e.name);
    qualified.push_back(s.policies[e.policy].name + "." + e.name);
  }
  for (const auto& t : s.triggers) {
    out.push_back(t.name);
    qualified.push_back(s.policies[t.policy].name + "." + t.name);
  }
  // A name two policies share is qualified by its policy ("us.tightening").
  for (std::size_t i = 0; i < out.size(); ++i)
    if (std::count(out.begin(), out.end(), out[i]) > 1) out[i] = qualified[i];
  return out;
}

std::vector<std::string> dimension_labels(const Scenario& s, std::string_view dim) {
  if (dim == "product") return names_of(s.products);
  if (dim == "vendor") return names_of(s.vendors);
  if (dim == "region") return names_of(s.regions);
  if (dim == "channel") return names_of(s.channels);
  if (dim == "buyer") return names_of(s.buyers);
  if (dim == "ecosystem") return names_of(s.ecosystems);
  if (dim == "event") return event_labels(s);
  return {};
}

const char* to_string(RuleType t) {
  switch (t) {
    case RuleType::export_control:
      return "export_control";
    case RuleType::entity_list:
      return "entity_list";
    case RuleType::input_control:
      return "input_control";
    case RuleType::import_ban:
      return "import_ban";
    case RuleType::import_penalty:
      return "import_penalty";
    case RuleType::domestic_mandate:
      return "domestic_mandate";
    case RuleType::production_subsidy:
      return "production_subsidy";
    case RuleType::energy_subsidy:
      return "energy_subsidy";
    case RuleType::enforcement:
      return "enforcement";
  }
  return "?";
}

const char* to_string(ChannelKind k) {
  switch (k) {
    case ChannelKind::direct:
      return "direct";
    case ChannelKind::licensed:
      return "licensed";
    case ChannelKind::smuggling:
      return "smuggling";
    case ChannelKind::proxy_fabrication:
      return "proxy_fabrication";
    case ChannelKind::remote:
      return "remote";
  }
  return "?";
}

const char* to_string(InventoryKind k) {
  switch (k) {
    case InventoryKind::die_bank:
      return "die_bank";
    case InventoryKind::hbm:
      return "hbm";
    case InventoryKind::finished:
      return "finished";
  }
  return "?";
}

const char* to_string(ExportStatus s) {
  switch (s) {
    case ExportStatus::free:
      return "free";
    case ExportStatus::licensed:
      return "licensed";
    case ExportStatus::denied:
      return "denied";
  }
  return "?";
}

const char* to_string(InputKind k) {
  switch (k) {
    case InputKind::memory:
      return "memory";
    case InputKind::foundry:
      return "foundry";
    case InputKind::packaging:
      return "packaging";
    case InputKind::equipment:
      return "equipment";
  }
  return "?";
}

const char* to_string(TriggerVariable v) {
  switch (v) {
    case TriggerVariable::domestic_share_revenue:
      return "domestic_share_revenue";
    case TriggerVariable::domestic_share_units:
      return "domestic_share_units";
    case TriggerVariable::domestic_share_compute:
      return "domestic_share_compute";
    case TriggerVariable::market_revenue:
      return "market_revenue";
    case TriggerVariable::smuggled_units:
      return "smuggled_units";
  }
  return "?";
}

std::string TargetWindow::text() const {
  switch (kind) {
    case year:
      return std::to_string(first_year);
    case years:
      return std::to_string(first_year) + "-" + std::to_string(last_year);
    case periods:
      return first_period + "-" + last_period;
  }
  return "";
}

TargetSide Target::first_side() const {
  if (ratio()) return numerator_side;
  return {variable, select, variable_loc, select_locs, key};
}

TargetSide Target::second_side() const {
  return denominator_side;
}

std::vector<Diagnostic> scenario_warnings(const Scenario& s) {
  std::vector<Diagnostic> out;
  auto check = [&](const RuleBody& b, int policy, const std::string& kind, const std::string& name,
                   const SourceLoc& loc) {
    if (policy == kNone) return;
    const int issuer = s.policies[static_cast<std::size_t>(policy)].region;
    const bool exporter = b.type == RuleType::export_control;
    const bool importer = b.type == RuleType::import_ban || b.type == RuleType::import_penalty;
    if (!exporter && !importer) return;
    const bool open = b.products.empty() && b.vendors.empty() && b.criteria.empty();
    for (std::size_t p = 0; p < s.products.size(); ++p) {
      const Product& prod = s.products[p];
      const int region = prod.vendor == kNone ? kNone : s.vendors[prod.vendor].region;
      const bool listed =
          std::find(b.products.begin(), b.products.end(), static_cast<int>(p)) != b.products.end();
      const bool by_vendor =
          std::find(b.vendors.begin(), b.vendors.end(), prod.vendor) != b.vendors.end();
      const bool by_criteria =
          std::any_of(b.criteria.begin(), b.criteria.end(),
                      [&](const SpecCriterion& c) { return c.matches(prod.specs); });
      if (exporter && region == issuer && (listed || by_criteria)) return;
      if (importer && region != issuer && (open || listed || by_vendor || by_criteria)) return;
    }
    const std::string& region = s.regions[static_cast<std::size_t>(issuer)].name;
    out.push_back(
        {loc,
         "policy." + s.policies[static_cast<std::size_t>(policy)].name + "." + kind + "." + name,
         exporter ? "this export control can never apply: no product of a vendor in " + region +
                        ", which issues it, matches it (export controls reach only the issuer's "
                        "own vendors' products)"
                  : "this import rule can never apply: no product from outside " + region +
                        ", which issues it, matches it"});
  };
  for (const Rule& r : s.rules)
    check(r.body, r.policy, "rule", r.name, r.loc);
  for (const Event& e : s.events)
    check(e.body, e.policy, "event", e.name, e.loc);
  for (const Trigger& t : s.triggers)
    check(t.body, t.policy, "trigger", t.name, t.loc);
  return out;
}

}  // namespace chipsim
