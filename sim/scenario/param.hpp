// A numeric scenario parameter: a constant or a distribution drawn once per replicate.
#pragma once

#include <limits>
#include <string>

#include "scenario/diagnostics.hpp"

namespace chipsim {

enum class DistKind { constant, normal, lognormal, uniform, triangular, beta };

struct Param {
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  DistKind kind = DistKind::constant;
  // constant: a = value
  // normal: a = mean, b = sd                      (truncated to [low, high])
  // lognormal: a = median, b = sigma of ln        (truncated to [low, high])
  // uniform: on [low, high]
  // triangular: on [low, high] with mode a
  // beta: alpha = a, beta = b, rescaled from [0, 1] to [low, high]
  double a = 0, b = 0;
  double low = -kInf, high = kInf;
  SourceLoc loc;

  static Param constant(double v) {
    Param p;
    p.a = v;
    return p;
  }
  [[nodiscard]] bool is_constant() const { return kind == DistKind::constant; }
  // The value used when all uncertainty is switched off: the constant, or the distribution's
  // median for normal/lognormal, the mode for triangular, the mean for uniform and beta.
  [[nodiscard]] double central() const;
  [[nodiscard]] std::string describe() const;  // e.g. "lognormal(median=2, sigma=0.3)"
};

[[nodiscard]] const char* to_string(DistKind k);

// The value at cumulative probability u in [0, 1] of p's law (truncated to [low, high] for
// normal and lognormal): how a sweep design maps a unit coordinate to a parameter value.
[[nodiscard]] double quantile(const Param& p, double u);

}  // namespace chipsim
