// The buyer-side economics of DESIGN.md §2 stage 5 as pure functions, shared by the model
// and its tests (docs/MODEL.md, "Demand and choice").
#pragma once

#include <algorithm>
#include <cmath>

namespace chipsim::economics {

// Electricity cost of one accelerator over its service life, USD:
// power [W] / 1000 x PUE x hours/year x life [years] x price [USD/kWh] x (1 - subsidy).
inline double energy_cost(double power_w, double pue, double hours_per_year, double life_years,
                          double price_per_kwh, double subsidy_rate) {
  return power_w / 1000.0 * pue * hours_per_year * life_years * price_per_kwh *
         (1.0 - subsidy_rate);
}

// Total cost of ownership of one unit: what the buyer pays plus lifetime electricity.
inline double tco(double price_paid, double energy) {
  return price_paid + energy;
}

// Achieved utilisation at ecosystem maturity m: floor + (1 - floor) x m.
inline double utilisation(double floor, double maturity) {
  return floor + (1.0 - floor) * maturity;
}

// Effective dense TFLOPS of a unit in a segment: training uses peak BF16 TFLOPS; inference
// is bounded by memory bandwidth (roofline): min(TFLOPS, intensity [FLOP/B] x TB/s).
inline double segment_tflops(bool training, double tflops, double bandwidth_tbs, double intensity) {
  return training ? tflops : std::min(tflops, intensity * bandwidth_tbs);
}

// Effective PFLOP-years a unit delivers over its life.
inline double pflop_years(double tflops, double utilisation, double life_years) {
  return tflops / 1000.0 * utilisation * life_years;
}

// Deterministic part of a buyer's utility for one option:
// -alpha ln(TCO / PFLOP-years) - gamma (1 - maturity) + delta [domestic] - penalty.
inline double utility(double alpha, double tco_usd, double pf_years, double gamma, double maturity,
                      double delta_if_domestic, double penalty) {
  return -alpha * std::log(tco_usd / pf_years) - gamma * (1.0 - maturity) + delta_if_domestic -
         penalty;
}

}  // namespace chipsim::economics
