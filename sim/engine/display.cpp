#include "engine/display.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace chipsim {

const char* display_unit(DisplayKind kind) {
  switch (kind) {
    case DisplayKind::money:
      return "USD";
    case DisplayKind::share:
      return "%";
    case DisplayKind::compute:
      return "EFLOP/s";
    case DisplayKind::count:
    case DisplayKind::index:
    case DisplayKind::category:
      return "";
  }
  return "";
}

namespace {
std::string suffixed(double v, bool thousands) {
  char buf[64];
  const double a = std::fabs(v);
  if (!std::isfinite(v))
    std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "n/a" : (v > 0 ? "inf" : "-inf"));
  else if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f B", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  else if (a >= 1e3 && thousands)
    std::snprintf(buf, sizeof buf, "%.1f k", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}
}  // namespace

std::string format_display(DisplayKind kind, double v) {
  char buf[64];
  switch (kind) {
    case DisplayKind::money:
    case DisplayKind::count:
      // Below a millionth of a dollar or of a unit, a value is floating-point residue of
      // stocks drawn down to nothing (say 1.5e-11 units), not a quantity: shown as 0.
      if (std::fabs(v) < kResidue) return "0";
      return suffixed(v, true);
    case DisplayKind::share:
      if (!std::isfinite(v)) return suffixed(v, false);
      std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
      return buf;
    case DisplayKind::compute:
      if (!std::isfinite(v)) return suffixed(v, false);
      std::snprintf(buf, sizeof buf, "%.2f", v / 1000);
      return buf;
    case DisplayKind::index:
    case DisplayKind::category:
      return suffixed(v, false);
  }
  return suffixed(v, false);
}

std::string format_difference(DisplayKind kind, double v) {
  if (kind != DisplayKind::share || !std::isfinite(v)) return format_display(kind, v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f pp", 100 * v);
  return buf;
}

std::string unit_label(const VariableInfo& v, const std::string& per) {
  std::string unit = v.display == DisplayKind::count ? "units" : display_unit(v.display);
  if (v.time == TimeRule::sum && v.cells == CellRule::sum)
    unit += (unit.empty() ? "per " : " per ") + per;
  return unit;
}

std::string exact_decimal(double value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return {buf, ec == std::errc() ? end : buf};
}

}  // namespace chipsim
