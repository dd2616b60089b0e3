// `chipsim generate`: a synthetic world of any size, written as a scenario file (docs/
// SCENARIOS.md, "Synthetic worlds"). Every entity gets a neutral name (R0, V3, P17, F1.N0,
// M2, K1, B40) and parameters drawn from the ranges the baseline's own values span, from a
// seeded generator, so the same arguments always write the same file. The world is valid
// by construction: every product has a node, HBM of a generation some supplier makes and a
// packager; every region has buyers and a policy; rules name entities that exist.
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "io/output_file.hpp"

namespace chipsim {

namespace {

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : engine_(static_cast<std::uint32_t>(seed ^ (seed >> 32))) {}
  double real(double low, double high) {
    return boost::random::uniform_real_distribution<double>(low, high)(engine_);
  }
  // Log-uniform: sizes that span orders of magnitude.
  double scale(double low, double high) { return std::exp(real(std::log(low), std::log(high))); }
  int integer(int low, int high) {
    return boost::random::uniform_int_distribution<int>(low, high)(engine_);
  }

 private:
  boost::random::mt19937 engine_;
};

std::string num(double v) {
  std::ostringstream s;
  s << std::setprecision(6) << v;
  std::string t = s.str();
  if (t.find_first_of(".e") == std::string::npos) t += ".0";
  return t;
}

std::string quarter(int year, int q) {
  return std::to_string(year) + "Q" + std::to_string(q);
}

}  // namespace

long graph_nodes(const GenerateArgs& a) {
  return static_cast<long>(a.foundries) * a.nodes_per_foundry + a.memory + a.packagers +
         a.products + 4 + a.buyers;
}

GenerateArgs scaled_to_nodes(GenerateArgs a, long nodes) {
  // Shares of the supply graph's nodes (foundry nodes, HBM suppliers, packagers, products,
  // channels, buyers): half buyers, a third products, the rest inputs; 4 channels.
  const auto share = [&](double f, int least) {
    return std::max(least, static_cast<int>(std::lround(static_cast<double>(nodes - 4) * f)));
  };
  a.buyers = share(0.5, a.regions);
  a.products = share(0.3, 1);
  a.vendors = std::max(1, a.products / 4);
  a.memory = share(0.06, 1);
  a.packagers = share(0.06, 1);
  const int node_count = share(0.08, 1);
  a.nodes_per_foundry = std::min(node_count, 4);
  a.foundries = std::max(1, (node_count + a.nodes_per_foundry - 1) / a.nodes_per_foundry);
  return a;
}

std::string generate_world(const GenerateArgs& a) {
  auto need = [](int v, int least, const char* option) {
    if (v < least)
      throw io::BadRequest(std::string("generate: ") + option + " must be at least " +
                           std::to_string(least) + ", got " + std::to_string(v));
  };
  need(a.regions, 2, "--regions");
  need(a.vendors, 1, "--vendors");
  need(a.products, 1, "--products");
  need(a.foundries, 1, "--foundries");
  need(a.nodes_per_foundry, 1, "--nodes-per-foundry");
  need(a.memory, 1, "--memory");
  need(a.packagers, 1, "--packagers");
  need(a.buyers, a.regions, "--buyers (one per region)");
  need(a.rules, 0, "--rules");
  need(a.years, 1, "--years");
  Draw d(a.seed);
  std::ostringstream o;
  const int first_year = 2024;
  o << "# Synthetic world written by chipsim generate (docs/SCENARIOS.md, \"Synthetic worlds\"):\n"
    << "# " << a.regions << " regions, " << a.vendors << " vendors, " << a.products << " products, "
    << a.foundries << " x " << a.nodes_per_foundry << " foundry nodes, " << a.memory
    << " HBM suppliers, " << a.packagers << " packagers, " << a.buyers << " buyers, " << a.rules
    << " rules; seed " << a.seed << ".\n"
    << "# Values are drawn from the ranges of scenarios/baseline.toml; they describe no real\n"
    << "# market and carry no sources.\n"
    << "name = \"synthetic\"\n"
    << "description = \"chipsim generate --seed " << a.seed << "\"\n\n"
    << "[simulation]\nstart = \"" << quarter(first_year, 1) << "\"\nend = \""
    << quarter(first_year + a.years - 1, 4) << "\"\nperiod = \"quarter\"\nreplicates = 100\n"
    << "seed = " << a.seed << "\n\n"
    << "[output]\ncompression = 1  # chunk_replicates unset: chosen by the world's size\n\n"
    << "[market]\npue = 1.3\nutilisation_hours = 7000\nservice_life = 5\n"
    << "price_adjustment = 0.3\nexpectation_weight = 1.0\nlogit_noise = 1.0\n"
    << "fee_passthrough = 1.0\ninference_intensity = 30\ntraining_ecosystem_factor = 2.0\n"
    << "utilisation_floor = 0.5\nstockpile_boost = 3\nstockpile_periods = 4\n"
    << "efficiency_feedback = 0.5\necosystem_base_units = 1.0e5\nreference_product = \"P0\"\n\n";

  std::vector<std::string> regions;
  for (int r = 0; r < a.regions; ++r) {
    regions.push_back("R" + std::to_string(r));
    o << "[region.R" << r << "]\nelectricity_price = " << num(d.real(0.05, 0.15)) << "\n\n";
  }
  const auto region_of = [&](int i, int n) {
    return regions[static_cast<std::size_t>(static_cast<long>(i) * a.regions / n)];
  };
  for (int v = 0; v < a.vendors; ++v)
    o << "[ecosystem.E" << v << "]\nmaturity = " << num(v == 0 ? 1.0 : d.real(0.3, 0.6))
      << "\nlearning = " << num(v == 0 ? 0.0 : d.real(0.0, 0.04)) << "\n\n";
  std::vector<std::string> nodes;
  for (int f = 0; f < a.foundries; ++f) {
    o << "[foundry.F" << f << "]\nregion = \"" << region_of(f, a.foundries)
      << "\"\nequipment_dependence = " << num(d.real(0.0, 0.6)) << "\n\n";
    for (int n = 0; n < a.nodes_per_foundry; ++n) {
      nodes.push_back("F" + std::to_string(f) + ".N" + std::to_string(n));
      o << "[foundry.F" << f << ".node.N" << n << "]\ncapacity = "
        << num(std::round(d.scale(2e4, 1.2e5) * 30 / a.foundries / a.nodes_per_foundry + 1000))
        << "\ngrowth = " << num(d.real(0.1, 0.33))
        << "\nwafer_cost = " << num(std::round(d.real(12000, 17000)))
        << "\nyield = " << num(d.real(0.2, 0.45)) << "\nyield_ceiling = " << num(d.real(0.6, 0.65))
        << "\nlearning_rate = " << num(d.real(0.05, 0.28))
        << "\ncumulative_wafers = " << num(std::round(d.scale(5e4, 2e6))) << "\n\n";
    }
  }
  // Three HBM generations, more in big worlds, so a product has about four suppliers.
  const int generations = std::max(std::min(a.memory, 3), a.memory / 4);
  for (int m = 0; m < a.memory; ++m)
    o << "[memory.M" << m << "]\nregion = \"" << region_of(m, a.memory) << "\"\ngeneration = \"G"
      << m % generations
      << "\"\ncapacity = " << num(std::round(d.scale(5e4, 6e6) * 20 / a.memory + 1e4))
      << "\ngrowth = " << num(d.real(0.0, 0.8)) << "\nprice = " << num(std::round(d.real(250, 500)))
      << "\n\n";
  for (int k = 0; k < a.packagers; ++k)
    o << "[packager.K" << k << "]\nregion = \"" << region_of(k, a.packagers)
      << "\"\ncapacity = " << num(std::round(d.scale(1.5e4, 6e4) * 6 / a.packagers + 500))
      << "\ngrowth = " << num(d.real(0.5, 0.8))
      << "\ncost = " << num(std::round(d.real(3000, 4000))) << "\n\n";
  for (int v = 0; v < a.vendors; ++v)
    o << "[vendor.V" << v << "]\nregion = \"" << region_of(v, a.vendors) << "\"\necosystem = \"E"
      << v << "\"\n\n";
  for (int p = 0; p < a.products; ++p) {
    const int v = p % a.vendors;
    const double tflops = d.scale(150, 2250);
    o << "[product.P" << p << "]\nvendor = \"V" << v << "\"\nlaunch = \""
      << quarter(first_year - d.integer(0, 1), d.integer(1, 4))
      << "\"\ntflops_bf16 = " << num(tflops) << "\nmemory_gb = " << num(std::round(d.real(64, 192)))
      << "\nbandwidth_tbs = " << num(d.real(1.0, 8.0))
      << "\ninterconnect_gbs = " << num(std::round(d.real(200, 1800)))
      << "\npower_w = " << num(std::round(d.real(350, 1000)))
      << "\ndie_area_mm2 = " << num(std::round(d.real(500, 814)))
      << "\nprice = " << num(std::round(tflops * d.real(10, 40))) << "\ninputs = { node = \""
      << nodes[static_cast<std::size_t>(d.integer(0, static_cast<int>(nodes.size()) - 1))]
      << "\", hbm = { generations = [\"G" << d.integer(0, generations - 1)
      << "\"], stacks = " << d.integer(4, 8) << " }, packaging = { packagers = [\"K"
      << d.integer(0, a.packagers - 1) << "\"], per_wafer = " << d.integer(14, 30) << " } }\n\n";
  }
  for (int b = 0; b < a.buyers; ++b) {
    // Every region gets buyers: the first `regions` buyers are one per region.
    const std::string region = b < a.regions ? regions[static_cast<std::size_t>(b)]
                                             : region_of(b - a.regions, a.buyers - a.regions);
    o << "[buyer.B" << b << "]\nregion = \"" << region
      << "\"\ncapex = " << num(d.scale(8e8, 1.9e11) * 8 / a.buyers)
      << "\ncapex_growth = " << num(d.real(0.3, 1.4)) << "\ngrowth_until = \""
      << quarter(first_year + 1, 1) << "\"\nlater_growth = " << num(d.real(0.07, 0.2))
      << "\ncapex_noise = " << num(d.real(0.05, 0.1))
      << "\ncapex_persistence = 0.6\naccelerator_share = " << num(d.real(0.3, 0.5))
      << "\ntraining_share = " << num(d.real(0.2, 0.5))
      << "\nprice_sensitivity = " << num(d.real(1.0, 2.7))
      << "\necosystem_weight = " << num(d.real(1.0, 4.1))
      << "\nefficiency_growth = " << num(d.real(0.4, 0.5)) << "\n";
    if (a.choice_set > 0 && a.choice_set < a.products) {
      // A uniform draw of choice_set distinct products (partial Fisher-Yates), listed sorted.
      std::vector<int> pick(static_cast<std::size_t>(a.products));
      std::iota(pick.begin(), pick.end(), 0);
      for (int i = 0; i < a.choice_set; ++i)
        std::swap(pick[static_cast<std::size_t>(i)],
                  pick[static_cast<std::size_t>(d.integer(i, a.products - 1))]);
      pick.resize(static_cast<std::size_t>(a.choice_set));
      std::ranges::sort(pick);
      o << "products = [";
      for (std::size_t i = 0; i < pick.size(); ++i)
        o << (i > 0 ? ", " : "") << "\"P" << pick[i] << "\"";
      o << "]\n";
    }
    o << "\n";
  }
  const std::string target = regions[1];
  o << "[channel.direct]\nkind = \"direct\"\n\n"
    << "[channel.licensed]\nkind = \"licensed\"\ndestinations = [\"" << target << "\"]\n\n"
    << "[channel.smuggling]\nkind = \"smuggling\"\ndestinations = [\"" << target << "\"]\n"
    << "supply = { dist = \"lognormal\", median = 2.5e5, sigma = 0.8 }\n"
    << "supply_elasticity = { dist = \"uniform\", low = 0.5, high = 2.0 }\nmarkup = 1.5\n"
    << "enforcement_elasticity = 1.5\n\n"
    << "[channel.cloud]\nkind = \"remote\"\ndestinations = [\"" << target << "\"]\n"
    << "supply = { dist = \"lognormal\", median = 3.0e4, sigma = 0.7 }\nsupply_elasticity = 1.0\n"
    << "markup = 1.4\n\n";
  for (int r = 0; r < a.regions; ++r)
    o << "[policy.R" << r << "]\nregion = \"R" << r
      << "\"\nenforcement = " << num(r == 0 ? 0.5 : 0.0) << "\n\n";
  // Rules cycle through the kinds the baseline uses, issued by the first region against the
  // second, or by the second for itself.
  for (int k = 0; k < a.rules; ++k) {
    const int year = first_year + k % a.years;
    switch (k % 5) {
      case 0:
        o << "[policy.R0.rule.control-" << k << "]\ntype = \"export_control\"\neffective = \""
          << quarter(year, 1) << "\"\ndestinations = [\"" << target
          << "\"]\ncriteria = [{ tpp_min = " << num(std::round(d.real(1600, 8000)))
          << " }]\nstatus = \"denied\"\n\n";
        break;
      case 1:
        o << "[policy.R0.rule.entity-" << k << "]\ntype = \"entity_list\"\neffective = \""
          << quarter(year, 2) << "\"\nvendors = [\"V" << d.integer(0, a.vendors - 1) << "\"]\n\n";
        break;
      case 2:
        o << "[policy.R1.rule.subsidy-" << k << "]\ntype = \"production_subsidy\"\neffective = \""
          << quarter(year, 1) << "\"\nrate = " << num(d.real(0.1, 0.3)) << "\n\n";
        break;
      case 3:
        o << "[policy.R0.rule.licence-" << k << "]\ntype = \"export_control\"\neffective = \""
          << quarter(year, 3) << "\"\ndestinations = [\"" << target << "\"]\nproducts = [\"P"
          << a.vendors * d.integer(0, (a.products - 1) / a.vendors)  // V0's, in R0
          << "\"]\nstatus = \"licensed\"\napproval_probability = " << num(d.real(0.5, 1.0))
          << "\nrevenue_share = 0.25\n\n";
        break;
      default:
        o << "[policy.R1.rule.energy-" << k << "]\ntype = \"energy_subsidy\"\neffective = \""
          << quarter(year, 4) << "\"\nrate = " << num(d.real(0.2, 0.5)) << "\n\n";
        break;
    }
  }
  return o.str();
}

int generate_command(const GenerateArgs& args, std::ostream& out) {
  GenerateArgs a = args;
  if (a.nodes > 0) a = scaled_to_nodes(a, a.nodes);
  const std::string text = generate_world(a);
  if (a.output.empty()) {
    out << text;
  } else {
    write_atomically(a.output, text);
    out << "chipsim generate: " << a.products << " products, " << a.buyers << " buyers, "
        << a.foundries * a.nodes_per_foundry << " foundry nodes, " << a.memory << " HBM suppliers, "
        << a.packagers << " packagers (" << graph_nodes(a) << " supply-graph nodes); wrote "
        << a.output << "\n";
  }
  return 0;
}

}  // namespace chipsim
