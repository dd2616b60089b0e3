#include "model/sampling.hpp"

#include <algorithm>
#include <boost/random/beta_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>

namespace chipsim {

double draw(const Param& p, rng::Engine& engine) {
  switch (p.kind) {
    case DistKind::constant:
      return p.a;
    case DistKind::uniform:
      return boost::random::uniform_real_distribution<double>(p.low, p.high)(engine);
    case DistKind::triangular:
      return boost::random::triangle_distribution<double>(p.low, p.a, p.high)(engine);
    case DistKind::beta: {
      // Beta as X / (X + Y) of two gamma draws: with tiny shapes (alpha = 1e-5) both
      // underflow to 0 and the ratio is NaN. The limit then puts all the mass at the ends,
      // 1 with probability alpha / (alpha + beta), so that is what is drawn.
      double x = boost::random::beta_distribution<double>(p.a, p.b)(engine);
      if (!std::isfinite(x))
        x = boost::random::uniform_real_distribution<double>(0, 1)(engine) < p.a / (p.a + p.b)
                ? 1.0
                : 0.0;
      return p.low + (p.high - p.low) * std::clamp(x, 0.0, 1.0);
    }
    case DistKind::normal:
    case DistKind::lognormal: {
      // Truncation by rejection; the loader guarantees the central value lies inside, so the
      // acceptance rate is at least a few per cent in any sensible scenario. After 1000
      // rejections the draw is clamped rather than looping forever.
      for (int attempt = 0; attempt < 1000; ++attempt) {
        const double x =
            p.kind == DistKind::normal
                ? boost::random::normal_distribution<double>(p.a, p.b)(engine)
                : boost::random::lognormal_distribution<double>(std::log(p.a), p.b)(engine);
        if (x >= p.low && x <= p.high) return x;
      }
      return std::clamp(p.a, p.low, p.high);
    }
  }
  return p.a;
}

double ParamSampler::operator()(const Param& p, std::uint64_t entity, std::string_view field) {
  if (!noise_ || p.is_constant()) return p.central();
  engine_.seed(rng::stream_seed(root_, replicate_, rng::mix(entity, rng::hash_name(field)),
                                rng::Purpose::parameter));
  return draw(p, engine_);
}

}  // namespace chipsim
