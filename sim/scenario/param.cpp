#include "scenario/param.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace chipsim {

const char* to_string(DistKind k) {
  switch (k) {
    case DistKind::constant:
      return "constant";
    case DistKind::normal:
      return "normal";
    case DistKind::lognormal:
      return "lognormal";
    case DistKind::uniform:
      return "uniform";
    case DistKind::triangular:
      return "triangular";
    case DistKind::beta:
      return "beta";
  }
  return "?";
}

double Param::central() const {
  switch (kind) {
    case DistKind::constant:
    case DistKind::normal:
    case DistKind::lognormal:
    case DistKind::triangular:
      return std::clamp(a, low, high);
    case DistKind::uniform:
      return 0.5 * (low + high);
    case DistKind::beta:
      return low + (high - low) * a / (a + b);
  }
  return a;
}

std::string Param::describe() const {
  std::ostringstream os;
  os.precision(6);
  switch (kind) {
    case DistKind::constant:
      os << a;
      break;
    case DistKind::normal:
      os << "normal(mean=" << a << ", sd=" << b;
      break;
    case DistKind::lognormal:
      os << "lognormal(median=" << a << ", sigma=" << b;
      break;
    case DistKind::uniform:
      os << "uniform(low=" << low << ", high=" << high << ")";
      break;
    case DistKind::triangular:
      os << "triangular(low=" << low << ", mode=" << a << ", high=" << high << ")";
      break;
    case DistKind::beta:
      os << "beta(alpha=" << a << ", beta=" << b << ", low=" << low << ", high=" << high << ")";
      break;
  }
  if (kind == DistKind::normal || kind == DistKind::lognormal) {
    if (std::isfinite(low)) os << ", low=" << low;
    if (std::isfinite(high)) os << ", high=" << high;
    os << ")";
  }
  return os.str();
}

}  // namespace chipsim
