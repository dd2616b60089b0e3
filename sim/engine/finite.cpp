#include "engine/finite.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

namespace chipsim {

namespace {
// Whether every value is finite: a value is not when its exponent bits are all ones. An
// integer reduction without early exit, which the compiler vectorises; the first bad value
// is looked for only when there is one (every replicate is checked in the writer's stage).
bool all_finite(const std::vector<double>& data) {
  constexpr std::uint64_t kExponent = std::uint64_t{0x7ff} << 52;
  std::uint64_t any = 0;
  for (const double x : data)
    any |= static_cast<std::uint64_t>((std::bit_cast<std::uint64_t>(x) & kExponent) == kExponent);
  return any == 0;
}
}  // namespace

void check_finite(const Scenario& s, const Trajectory& t, int replicate, int point) {
  for (const VariableInfo& v : variables()) {
    const auto& data = (t.*(v.series)).data();
    if (all_finite(data)) continue;
    std::size_t bad = data.size();
    for (std::size_t i = 0; i < data.size(); ++i)
      if (!std::isfinite(data[i])) {
        bad = i;
        break;
      }
    if (bad == data.size()) continue;
    // Row-major (period, dims...): peel the coordinates off from the last dimension.
    std::vector<std::string> labels(v.dims.size());
    std::size_t rest = bad;
    for (std::size_t d = v.dims.size(); d-- > 0;) {
      const auto names = dimension_labels(s, v.dims[d]);
      const std::size_t n = names.empty() ? 1 : names.size();
      labels[d] = std::string(v.dims[d]) + " " + (names.empty() ? "-" : names[rest % n]);
      rest /= n;
    }
    const int period = static_cast<int>(rest);
    std::ostringstream msg;
    msg << "the model produced " << data[bad] << " for " << v.name << " at period "
        << (period < s.calendar.periods ? s.calendar.label(period) : std::to_string(period));
    for (const auto& l : labels)
      msg << ", " << l;
    msg << ", replicate " << replicate;
    if (point >= 0) msg << ", point " << point;
    msg << "; nothing non-finite is written. An input outside the range the model's equations "
           "hold in usually causes this (a price or capacity near zero, a growth rate or "
           "distribution parameter near the limits of a double): check the values given for "
           "the entities named here (docs/MODEL.md)";
    throw NonFiniteOutput(msg.str());
  }
}

}  // namespace chipsim
