// Draws a scenario Param for one replicate from its own keyed stream.
#pragma once

#include <cstdint>
#include <string_view>

#include "rng/streams.hpp"
#include "scenario/param.hpp"

namespace chipsim {

class ParamSampler {
 public:
  // With `noise` false every parameter takes its central value (Param::central()).
  ParamSampler(std::uint64_t root_seed, std::uint64_t replicate, bool noise)
      : root_(root_seed), replicate_(replicate), noise_(noise) {}

  // The value of `p` for this replicate; `entity` is the owner's key (rng::hash_name of e.g.
  // "buyer:NAME") and `field` the key's name, so the draw does not depend on the order in
  // which parameters are read or on which other entities exist.
  double operator()(const Param& p, std::uint64_t entity, std::string_view field);

 private:
  std::uint64_t root_, replicate_;
  bool noise_;
  rng::Engine engine_;
};

// One draw of `p` from `engine` (truncated distributions by rejection).
double draw(const Param& p, rng::Engine& engine);

}  // namespace chipsim
