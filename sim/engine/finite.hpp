// Every value written is finite (docs/OUTPUT.md, "Durability"). A NaN or infinity in a
// trajectory means an input drove the model outside the range its equations hold in (a
// price near zero, a growth rate near the largest double); the run stops with the variable,
// its coordinates and the replicate, instead of writing the value with exit status 0.
#pragma once

#include <stdexcept>
#include <string>

#include "model/trajectory.hpp"
#include "scenario/scenario.hpp"

namespace chipsim {

class NonFiniteOutput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws NonFiniteOutput describing the first non-finite value of `t` (replicate
// `replicate`, and `point` of a sweep when point >= 0).
void check_finite(const Scenario& s, const Trajectory& t, int replicate, int point = -1);

}  // namespace chipsim
