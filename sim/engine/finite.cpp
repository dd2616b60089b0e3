#include "engine/finite.hpp"

#include <cmath>
#include <sstream>
#include <vector>

namespace chipsim {

void check_finite(const Scenario& s, const Trajectory& t, int replicate, int point) {
  for (const VariableInfo& v : variables()) {
    const auto& data = (t.*(v.series)).data();
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
