#include "scenario/param.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
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

double quantile(const Param& p, double u) {
  u = std::clamp(u, 0.0, 1.0);
  // Truncation to [low, high]: u is mapped into [F(low), F(high)] of the untruncated law.
  auto truncated = [&](const auto& law) {
    const double flo = std::isfinite(p.low) ? boost::math::cdf(law, p.low) : 0.0;
    const double fhi = std::isfinite(p.high) ? boost::math::cdf(law, p.high) : 1.0;
    const double v = flo + u * (fhi - flo);
    if (v <= 0) return std::isfinite(p.low) ? p.low : boost::math::quantile(law, 1e-300);
    if (v >= 1) return std::isfinite(p.high) ? p.high : boost::math::quantile(law, 1 - 1e-16);
    return std::clamp(boost::math::quantile(law, v), p.low, p.high);
  };
  switch (p.kind) {
    case DistKind::constant:
      return p.a;
    case DistKind::normal:
      return truncated(boost::math::normal_distribution<double>(p.a, p.b));
    case DistKind::lognormal: {
      const double lo = std::max(p.low, 0.0);
      const boost::math::lognormal_distribution<double> law(std::log(p.a), p.b);
      const double flo = lo > 0 ? boost::math::cdf(law, lo) : 0.0;
      const double fhi = std::isfinite(p.high) ? boost::math::cdf(law, p.high) : 1.0;
      const double v = flo + u * (fhi - flo);
      if (v <= 0) return lo;
      if (v >= 1) return std::isfinite(p.high) ? p.high : boost::math::quantile(law, 1 - 1e-16);
      return std::clamp(boost::math::quantile(law, v), lo, p.high);
    }
    case DistKind::uniform:
      return p.low + u * (p.high - p.low);
    case DistKind::triangular: {
      const double lo = p.low, hi = p.high, c = p.a;
      const double fc = (c - lo) / (hi - lo);
      return u < fc ? lo + std::sqrt(u * (hi - lo) * (c - lo))
                    : hi - std::sqrt((1 - u) * (hi - lo) * (hi - c));
    }
    case DistKind::beta:
      return p.low + (p.high - p.low) *
                         boost::math::quantile(boost::math::beta_distribution<double>(p.a, p.b), u);
  }
  return p.a;
}

}  // namespace chipsim
