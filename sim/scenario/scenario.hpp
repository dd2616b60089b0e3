// The typed, immutable description of a scenario: every entity of DESIGN.md §2 with its
// parameters resolved, every cross-reference turned into an index, every date turned into a
// period index. Produced by load_scenario() (loader.hpp); nothing here knows about TOML.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/calendar.hpp"
#include "scenario/diagnostics.hpp"
#include "scenario/param.hpp"

namespace chipsim {

inline constexpr int kNone = -1;  // index value of an absent reference

struct Region {
  std::string name;
  std::string long_name;
  Param electricity_price;  // USD/kWh paid by data centres
  SourceLoc loc;
};

struct ProcessNode {
  std::string name;  // e.g. "N5"; full name is "<foundry>.<node>"
  int foundry = kNone;
  Param capacity;           // wafer starts per period at the simulation start
  Param growth;             // planned capacity growth, fraction per year
  Param wafer_cost;         // USD per wafer
  Param yield_initial;      // die yield at `cumulative_wafers`, fraction
  Param yield_ceiling;      // asymptotic yield, fraction
  Param learning_rate;      // fractional cut in (ceiling - yield) per doubling of wafers
  Param cumulative_wafers;  // wafers processed before the start (learning-curve origin)
  int online = std::numeric_limits<int>::min();  // first period with capacity
  SourceLoc loc;
};

struct Foundry {
  std::string name;
  int region = kNone;
  Param equipment_dependence;  // share of capacity growth that needs controlled tools
  std::vector<int> nodes;      // indices into Scenario::nodes
  SourceLoc loc;
};

struct MemorySupplier {
  std::string name;
  int region = kNone;
  std::string generation;  // e.g. "HBM3E"; matched against product inputs
  Param capacity;          // stacks per period available to accelerator vendors
  Param growth;            // fraction per year
  Param price;             // USD per stack
  int online = std::numeric_limits<int>::min();  // first period with capacity
  SourceLoc loc;
};

struct Packager {
  std::string name;
  int region = kNone;
  Param capacity;                                // interposer wafers per period
  Param growth;                                  // fraction per year
  Param cost;                                    // USD per interposer wafer
  int online = std::numeric_limits<int>::min();  // first period with capacity
  SourceLoc loc;
};

struct Vendor {
  std::string name;
  int region = kNone;
  int ecosystem = kNone;
  SourceLoc loc;
};

// Published specifications; facts, so plain numbers rather than distributions.
struct ProductSpecs {
  double tflops_bf16 = 0;  // dense BF16 TFLOPS
  double memory_gb = 0;
  double bandwidth_tbs = 0;     // DRAM bandwidth, TB/s
  double interconnect_gbs = 0;  // chip-to-chip bandwidth, GB/s
  double power_w = 0;
  double die_area_mm2 = 0;  // area of one compute die
  int dies_per_package = 1;

  // Total processing performance as the export rules define it: TOPS x bit length, where
  // dense BF16 TFLOPS counts multiply and add separately (so TPP = 16 x TFLOPS).
  [[nodiscard]] double tpp() const { return 16.0 * tflops_bf16; }
  // Performance density: TPP per mm^2 of applicable die area (all dies of the package).
  [[nodiscard]] double performance_density() const {
    return tpp() / (die_area_mm2 * dies_per_package);
  }
};

struct ComponentInput {
  int product = kNone;  // another product consumed whole, e.g. a die product
  int count = 1;
  SourceLoc loc;
};

struct ProductInputs {
  int node = kNone;      // index into Scenario::nodes; kNone if only components
  Param dies_per_wafer;  // gross candidate dies per wafer; derived from die area if absent
  std::vector<std::string> hbm_generations;  // accepted HBM generations
  int hbm_stacks = 0;                        // stacks per package
  std::vector<int> packagers;                // qualified packagers
  Param packages_per_wafer;                  // packages per interposer wafer
  std::vector<ComponentInput> components;
  SourceLoc loc;
};

struct Product {
  std::string name;
  int vendor = kNone;
  int launch = 0;  // first period on sale (may be < 0: launched before start)
  int retire = std::numeric_limits<int>::max();  // first period no longer made
  ProductSpecs specs;
  ProductInputs inputs;
  Param price;               // list price at launch, USD
  std::vector<int> markets;  // buyer regions it is sold to; empty = every region
  SourceLoc loc;
};

enum class InventoryKind { die_bank, hbm, finished };

struct Inventory {
  std::string name;
  InventoryKind kind = InventoryKind::die_bank;
  int product = kNone;     // die_bank and finished: the product the stock serves
  int vendor = kNone;      // hbm: the vendor holding the stacks
  std::string generation;  // hbm: generation of the stacks
  Param quantity;          // dies, stacks or units at the start
  SourceLoc loc;
};

struct Buyer {
  std::string name;
  int region = kNone;
  Param capex;         // USD per year in the first simulated year
  Param capex_growth;  // fraction per year, until growth_until
  // From period growth_until on, capex grows at later_growth instead (a boom that settles).
  int growth_until = std::numeric_limits<int>::max();
  Param later_growth;             // fraction per year
  bool has_later_growth = false;  // without it, capex_growth (the same draw) continues
  Param capex_noise;              // s.d. of the AR(1) log-capex shock per period
  Param capex_persistence;        // AR(1) coefficient of that shock
  Param accelerator_share;        // fraction of capex spent on accelerators
  Param training_share;           // fraction of accelerator spend for training
  Param price_sensitivity;        // alpha: weight on ln(TCO per effective PFLOP-year)
  Param ecosystem_weight;         // gamma: weight on (1 - ecosystem maturity)
  Param domestic_preference;      // delta: utility bonus for domestic vendors
  Param efficiency_growth;        // algorithmic efficiency gain, fraction per year
  bool state_funded = false;
  // The products this buyer considers (its choice set), as indices into Scenario::products,
  // in the order listed; empty = every product sold in its region.
  std::vector<int> products;
  SourceLoc loc;
};

enum class ChannelKind { direct, licensed, smuggling, proxy_fabrication, remote };

struct Channel {
  std::string name;
  ChannelKind kind = ChannelKind::direct;
  std::vector<int> destinations;  // buyer regions served; empty = every region
  Param capacity;                 // hard ceiling, units per period; +inf when unlimited
  // Supply curve of a leakage channel (smuggling, proxy fabrication, remote rental):
  // S = supply * dt * exp(-enforcement_elasticity * E) * (m / markup)^supply_elasticity
  // units per period, where m is the channel's current price multiple over list
  // (docs/MODEL.md, "Leakage").
  Param markup;                  // reference price multiple over list (the carriers' cost)
  Param supply;                  // units per year offered at m = markup without enforcement
  Param supply_elasticity;       // d ln(supply) / d ln(m)
  Param enforcement_elasticity;  // d ln(supply) / d enforcement
  [[nodiscard]] bool legal() const {
    return kind == ChannelKind::direct || kind == ChannelKind::licensed ||
           kind == ChannelKind::remote;
  }
  SourceLoc loc;
};

struct Ecosystem {
  std::string name;
  Param maturity;  // initial maturity in [0, 1]
  Param learning;  // maturity gain per doubling of installed base
  SourceLoc loc;
};

enum class RuleType {
  export_control,      // exporter: products matching spec criteria become denied or licensed
  entity_list,         // exporter: listed vendors lose foreign foundries and HBM
  input_control,       // exporter: foreign inputs (memory, foundry, packaging, equipment) cut
  import_ban,          // importer: buyers may not buy the matching foreign products
  import_penalty,      // importer: utility penalty ("discouraged") on matching foreign products
  domestic_mandate,    // importer: state-funded buyers must buy domestic
  production_subsidy,  // importer: government pays a share of domestic unit cost
  energy_subsidy,      // importer: electricity discount for domestic chips
  enforcement,         // either: the issuer's effort against leakage channels while in force
};

enum class ExportStatus { free, licensed, denied };
enum class InputKind { memory, foundry, packaging, equipment };

// One clause of an export-control test; all bounds in a clause must hold (AND).
struct SpecCriterion {
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  double tpp_min = -kInf, tpp_max = kInf;
  double density_min = -kInf, density_max = kInf;
  double bandwidth_min = -kInf, bandwidth_max = kInf;        // TB/s
  double interconnect_min = -kInf, interconnect_max = kInf;  // GB/s
  [[nodiscard]] bool matches(const ProductSpecs& s) const {
    const double tpp = s.tpp(), pd = s.performance_density();
    return tpp >= tpp_min && tpp < tpp_max && pd >= density_min && pd < density_max &&
           s.bandwidth_tbs >= bandwidth_min && s.bandwidth_tbs < bandwidth_max &&
           s.interconnect_gbs >= interconnect_min && s.interconnect_gbs < interconnect_max;
  }
};

// The body of a rule, shared by scheduled rules, stochastic events and triggers. Which
// fields apply depends on `type`; the loader rejects fields that do not.
struct RuleBody {
  RuleType type = RuleType::export_control;
  std::vector<int> destinations;        // regions the rule targets; empty = all but the issuer's
  std::vector<SpecCriterion> criteria;  // export_control/import_*: OR of clauses
  std::vector<int> products;            // explicit products matched in addition to criteria
  std::vector<int> vendors;             // entity_list; also matched by import rules
  ExportStatus status = ExportStatus::denied;
  InputKind input = InputKind::memory;
  Param approval_probability;  // licensed: chance a licence request is granted
  Param revenue_share;         // licensed: share of revenue paid to the exporter
  Param volume_cap;            // licensed: max exports as a share of domestic shipments
  Param penalty;               // import_penalty: utility penalty
  Param share;                 // domestic_mandate: share of state spend that must be domestic
  Param rate;                  // subsidies: rate; input_control(equipment): growth cut
  Param level;                 // enforcement: the issuer's enforcement (0..1) while in force
};

struct Rule {
  std::string name;
  int policy = kNone;
  int announced = 0;  // period the rule becomes known (stockpiling starts)
  int effective = 0;  // period it applies from
  // Share of period `effective` during which the rule is in force (pro rata by days: 1 when
  // it takes effect on the period's first day or before the run starts).
  double effective_share = 1.0;
  int expires = std::numeric_limits<int>::max();  // first period it no longer applies
  RuleBody body;
  SourceLoc loc;
};

// A rule that may happen: each period inside the window it fires with `hazard`; it is then
// announced at once and effective `lag` periods later.
struct Event {
  std::string name;
  int policy = kNone;
  Param hazard;                          // probability per period
  int window_start = 0, window_end = 0;  // periods, inclusive start, exclusive end
  int lag = 0;                           // periods from announcement to effect
  RuleBody body;
  SourceLoc loc;
};

enum class TriggerVariable {
  domestic_share_revenue,
  domestic_share_units,
  domestic_share_compute,
  market_revenue,
  smuggled_units,
};

// A rule that takes effect when an outcome of the previous period crosses a threshold.
struct Trigger {
  std::string name;
  int policy = kNone;
  TriggerVariable variable = TriggerVariable::domestic_share_revenue;
  int region = kNone;  // the region whose outcome is watched
  bool above = true;   // fire when value > threshold (else when value < threshold)
  Param threshold;
  int lag = 0;
  RuleBody body;
  SourceLoc loc;
};

struct Policy {
  std::string name;
  int region = kNone;                        // the issuing government
  Param enforcement;                         // 0..1: effort against illegal channels
  std::vector<int> rules, events, triggers;  // indices into Scenario's lists
  SourceLoc loc;
};

// Switches for the mechanisms of DESIGN.md §2 (all on by default).
struct Mechanisms {
  bool bottlenecks = true;      // multi-input production with stocks
  bool learning = true;         // yield learning and capacity growth
  bool policy_shocks = true;    // scheduled rules, events, announcement lags
  bool importer_policy = true;  // bans, mandates, subsidies
  bool substitution = true;     // logit choice on TCO and ecosystem
  bool leakage = true;          // illegal channels
  bool rationing = true;        // unspent capex when short
  bool shared_capacity = true;  // vendors compete for foundry, HBM and packaging
};

// Market-wide behavioural and technical constants.
struct Market {
  Param pue;                        // data-centre power usage effectiveness
  Param utilisation_hours;          // powered hours per year
  Param service_life;               // years an accelerator is used
  Param price_adjustment;           // elasticity of price to last period's scarcity
  Param expectation_weight;         // weight on the newest observation in adaptive expectations
  Param logit_noise;                // scale of the Gumbel taste shock
  Param fee_passthrough;            // share of a licence fee passed on in the buyer's price
  Param inference_intensity;        // FLOP per byte of DRAM traffic in inference (roofline)
  Param training_ecosystem_factor;  // multiplier on the ecosystem weight for training
  Param utilisation_floor;          // achieved utilisation at ecosystem maturity 0
  Param stockpile_boost;            // extra demand weight on products about to be restricted
  Param stockpile_periods;          // periods of foreign-HBM need bought ahead of a cut-off
  Param efficiency_feedback;        // extra efficiency growth per unit of unmet-budget share
  Param ecosystem_base_units;       // installed units an ecosystem's learning starts from
  // The product whose dense BF16 compute is the unit of `installed_equivalents` (e.g. the
  // accelerator most readers count in); kNone: the variable is not recorded.
  int reference_product = kNone;
};

enum class Precision { float64, float32 };

struct OutputSettings {
  std::string path;                    // default output file; the CLI may override
  std::vector<std::string> variables;  // empty = all
  int compression = 1;                 // deflate level 0..9
  Precision precision = Precision::float64;
  // Replicates per HDF5 chunk; 0 (unset): chosen from the size of a replicate's trajectory
  // (io::chunk_replicates, docs/OUTPUT.md "Chunks").
  int chunk_replicates = 0;
  SourceLoc chunk_replicates_loc;  // where it is set, if it is
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source_path;    // the top-level file
  std::string resolved_text;  // the merged TOML after extends and --set, as text
  Calendar calendar;
  int replicates = 1;
  std::uint64_t seed = 0;
  Mechanisms mechanisms;
  Market market;
  OutputSettings output;

  std::vector<Region> regions;
  std::vector<Foundry> foundries;
  std::vector<ProcessNode> nodes;
  std::vector<MemorySupplier> memory;
  std::vector<Packager> packagers;
  std::vector<Ecosystem> ecosystems;
  std::vector<Vendor> vendors;
  std::vector<Product> products;
  std::vector<Inventory> inventories;
  std::vector<Buyer> buyers;
  std::vector<Channel> channels;
  std::vector<Policy> policies;
  std::vector<Rule> rules;
  std::vector<Event> events;
  std::vector<Trigger> triggers;

  [[nodiscard]] std::string node_label(int node) const {
    return foundries[nodes[node].foundry].name + "." + nodes[node].name;
  }
};

// The names of a list of entities, in order.
template <class T>
[[nodiscard]] std::vector<std::string> names_of(const std::vector<T>& list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (const auto& x : list)
    out.push_back(x.name);
  return out;
}

// Labels along an output dimension ("product", "vendor", "region", "channel", "buyer",
// "ecosystem", "event"): entity names in scenario order; empty for any other name.
[[nodiscard]] std::vector<std::string> dimension_labels(const Scenario& s, std::string_view dim);
// The `event` dimension: stochastic events, then triggers, each by its name, or as
// "policy.name" where two policies use the same name.
[[nodiscard]] std::vector<std::string> event_labels(const Scenario& s);

[[nodiscard]] const char* to_string(RuleType t);
[[nodiscard]] const char* to_string(ChannelKind k);
[[nodiscard]] const char* to_string(InventoryKind k);
[[nodiscard]] const char* to_string(ExportStatus s);
[[nodiscard]] const char* to_string(InputKind k);
[[nodiscard]] const char* to_string(TriggerVariable v);

// Rules that are valid but can never apply: an export control (scheduled, event or trigger)
// that matches no product of its issuer's own vendors (an issuer with no vendors, or
// criteria no product meets), or an import rule that matches no foreign product. The
// scenario still runs; `validate` and `run` print these as warnings at the rule.
[[nodiscard]] std::vector<Diagnostic> scenario_warnings(const Scenario& s);

}  // namespace chipsim
