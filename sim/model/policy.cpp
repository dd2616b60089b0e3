// 1. Policy (docs/MODEL.md, section 1): which rules are in force, and what they do.
#include <algorithm>
#include <boost/random/uniform_real_distribution.hpp>
#include <limits>

#include "model/stages.hpp"

namespace chipsim::model {

namespace {
double trigger_value(const Structure& st, const Trajectory& tr, const Trigger& g, int t) {
  const int r = g.region;
  switch (g.variable) {
    case TriggerVariable::domestic_share_revenue:
      return tr.domestic_share_revenue.at(t, r);
    case TriggerVariable::domestic_share_units:
      return tr.domestic_share_units.at(t, r);
    case TriggerVariable::domestic_share_compute:
      return tr.domestic_share_compute.at(t, r);
    case TriggerVariable::market_revenue:
      return tr.market_revenue.at(t, r);
    case TriggerVariable::smuggled_units: {
      double sum = 0;
      for (int p = 0; p < st.P; ++p)
        sum += tr.smuggled_units.at(t, p, r);
      return sum;
    }
  }
  return 0;
}

bool importer_rule(RuleType type) {
  return type == RuleType::import_ban || type == RuleType::import_penalty ||
         type == RuleType::domestic_mandate || type == RuleType::production_subsidy ||
         type == RuleType::energy_subsidy;
}
}  // namespace

void update_rules(const Structure& st, const Params& par, State& x, int t, const Trajectory& tr,
                  bool noise) {
  const Scenario& s = st.s;
  const bool shocks = s.mechanisms.policy_shocks;
  x.cuts_at.clear();
  for (std::size_t i = 0; i < st.rules.size(); ++i) {
    const RuleDef& def = st.rules[i];
    RuleState& r = x.rules[i];
    if (def.scheduled) {
      r.active = r.effective <= t && t < r.expires && (shocks || r.effective <= 0);
      r.pending = shocks && r.announced <= t && t < r.effective;
      // A rule dated part-way through its first period is in force from that day on.
      r.weight = !r.active ? 0 : t == r.effective ? def.effective_share : 1;
    } else {
      // Each event draws one uniform every period from its own stream, fired or not, so its
      // draws do not depend on anything else in the scenario (common random numbers).
      const double u = def.event && noise ? boost::random::uniform_real_distribution<double>(
                                                0, 1)(x.event_engines[i])
                                          : 1.0;
      if (r.fired_at < 0 && shocks) {
        if (def.event && t >= def.event->window_start && t < def.event->window_end &&
            u < par.rules[i].hazard)
          r.fired_at = t;
        if (def.trigger && t > 0) {
          const double v = trigger_value(st, tr, *def.trigger, t - 1);
          if (def.trigger->above ? v > par.rules[i].threshold : v < par.rules[i].threshold)
            r.fired_at = t;
        }
        if (r.fired_at >= 0) {
          r.announced = r.fired_at;
          r.effective = r.fired_at + (def.event ? def.event->lag : def.trigger->lag);
          r.expires = std::numeric_limits<int>::max();
        }
      }
      r.active = r.fired_at >= 0 && r.effective <= t;
      r.pending = r.fired_at >= 0 && t < r.effective;
      r.weight = r.active ? 1 : 0;  // events take effect at a period's start
    }
    r.from = r.active ? 1 - r.weight : 1;
    if (r.active && r.from > 1e-12) x.cuts_at.push_back(r.from);
  }
  std::sort(x.cuts_at.begin(), x.cuts_at.end());
  x.cuts_at.erase(std::unique(x.cuts_at.begin(), x.cuts_at.end()), x.cuts_at.end());

  // What holds for the whole period: supply links are open or shut for a whole period, so an
  // input cut-off acts from the period in which it is in force for at least half the days;
  // an equipment control and a production subsidy are weighted by their share of the days.
  std::fill(x.cut_foundry.begin(), x.cut_foundry.end(), 0);
  std::fill(x.cut_memory.begin(), x.cut_memory.end(), 0);
  std::fill(x.cut_packaging.begin(), x.cut_packaging.end(), 0);
  std::fill(x.pending_memory_cut.begin(), x.pending_memory_cut.end(), 0);
  std::fill(x.equipment_cut.begin(), x.equipment_cut.end(), 0.0);
  std::fill(x.prod_subsidy.begin(), x.prod_subsidy.end(), 0.0);
  for (std::size_t i = 0; i < st.rules.size(); ++i) {
    const RuleDef& def = st.rules[i];
    const RuleState& r = x.rules[i];
    const RuleBody& b = *def.body;
    if (!r.active && !r.pending) continue;
    if (importer_rule(b.type) && !s.mechanisms.importer_policy) continue;
    const bool cut = r.active && r.weight >= 0.5;
    const double rate = par.rules[i].rate * r.weight;
    switch (b.type) {
      case RuleType::entity_list:
        // A listed vendor loses foreign foundries, HBM and packaging.
        if (cut)
          for (int v : b.vendors)
            x.cut_foundry[v] = x.cut_memory[v] = x.cut_packaging[v] = 1;
        break;
      case RuleType::input_control:
        if (b.input == InputKind::equipment) {
          if (r.active)
            for (int f = 0; f < st.F; ++f)
              if (targets(b, def.issuer, s.foundries[f].region))
                x.equipment_cut[f] = std::max(x.equipment_cut[f], rate);
          break;
        }
        for (int v = 0; v < st.V; ++v) {
          if (!targets(b, def.issuer, s.vendors[v].region)) continue;
          if (b.input == InputKind::memory && (r.pending || (r.active && !cut)))
            x.pending_memory_cut[v] = 1;
          if (!cut) continue;
          if (b.input == InputKind::memory) x.cut_memory[v] = 1;
          if (b.input == InputKind::foundry) x.cut_foundry[v] = 1;
          if (b.input == InputKind::packaging) x.cut_packaging[v] = 1;
        }
        break;
      case RuleType::production_subsidy:
        if (r.active) x.prod_subsidy[def.issuer] = std::max(x.prod_subsidy[def.issuer], rate);
        break;
      default:
        break;
    }
  }
}

void apply_rules(const Structure& st, const Params& par, State& x, double tau) {
  PartSetup& u = x.part();
  const Scenario& s = st.s;
  u.status.fill(PartSetup::kFree);
  u.banned.fill(0);
  u.pending_restrict.fill(0);
  u.penalty.fill(0.0);
  u.fee.fill(0.0);
  u.approval.fill(1.0);
  u.cap_share.fill(kInf);
  u.fee_issuer.fill(kNone);
  std::fill(u.mandate.begin(), u.mandate.end(), 0.0);
  std::fill(u.energy_subsidy.begin(), u.energy_subsidy.end(), 0.0);

  // Export status: among export_control rules in force for (product, region), the most
  // recently effective wins (ties: the later one in the scenario file).
  for (int p = 0; p < st.P; ++p)
    for (int r = 0; r < st.R; ++r) {
      if (st.product_region[p] == r) continue;  // domestic sales are never export-controlled
      int best = -1, best_eff = std::numeric_limits<int>::min();
      for (int i : st.export_rules[p * st.R + r]) {
        const RuleState& rs = x.rules[i];
        if (rs.in_force(tau) && rs.effective >= best_eff) best = i, best_eff = rs.effective;
        if (rs.pending && st.rules[i].body->status != ExportStatus::free)
          u.pending_restrict(p, r) = 1;
      }
      if (best < 0) continue;
      const RuleDef& def = st.rules[best];
      switch (def.body->status) {
        case ExportStatus::free:
          break;
        case ExportStatus::licensed:
          u.status(p, r) = PartSetup::kLicensed;
          u.approval(p, r) = par.rules[best].approval;
          u.fee(p, r) = par.rules[best].fee;
          u.cap_share(p, r) = par.rules[best].cap;
          u.fee_issuer(p, r) = def.issuer;
          break;
        case ExportStatus::denied:
          u.status(p, r) = PartSetup::kDenied;
          break;
      }
    }

  // Enforcement against leakage: each policy's own `enforcement`, or the level of its most
  // recently effective enforcement rule in force; against a channel, the strongest effort of
  // the governments whose regions it does not deliver to (the exporters it evades).
  std::copy(par.pol_enforcement.begin(), par.pol_enforcement.end(), u.enforcement.begin());
  std::fill(u.enforcement_rule.begin(), u.enforcement_rule.end(), -1);
  for (std::size_t i = 0; i < st.rules.size(); ++i) {
    const RuleDef& def = st.rules[i];
    if (def.body->type != RuleType::enforcement || !x.rules[i].in_force(tau)) continue;
    int& latest = u.enforcement_rule[static_cast<std::size_t>(def.policy)];
    if (latest < 0 || x.rules[i].effective >= x.rules[static_cast<std::size_t>(latest)].effective) {
      latest = static_cast<int>(i);
      u.enforcement[static_cast<std::size_t>(def.policy)] = par.rules[i].level;
    }
  }
  for (int c = 0; c < st.C; ++c) {
    u.c_enforcement[c] = 0;
    for (std::size_t p = 0; p < s.policies.size(); ++p)
      if (!st.serves(c, s.policies[p].region) || s.channels[c].destinations.empty())
        u.c_enforcement[c] = std::max(u.c_enforcement[c], u.enforcement[p]);
  }

  if (!s.mechanisms.importer_policy) return;
  for (std::size_t i = 0; i < st.rules.size(); ++i) {
    const RuleDef& def = st.rules[i];
    if (!x.rules[i].in_force(tau)) continue;
    const RuleDraw& d = par.rules[i];
    const int issuer = def.issuer;
    switch (def.body->type) {
      case RuleType::import_ban:
      case RuleType::import_penalty:
        for (int p = 0; p < st.P; ++p) {
          if (!def.matches[p]) continue;
          if (def.body->type == RuleType::import_ban)
            u.banned(p, issuer) = 1;
          else
            u.penalty(p, issuer) += d.penalty;
        }
        break;
      case RuleType::domestic_mandate:
        u.mandate[issuer] = std::max(u.mandate[issuer], d.share);
        break;
      case RuleType::energy_subsidy:
        u.energy_subsidy[issuer] = std::max(u.energy_subsidy[issuer], d.rate);
        break;
      default:
        break;
    }
  }
}

}  // namespace chipsim::model
