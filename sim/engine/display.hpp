// Display units: how every number is shown to a reader, one table for the CLI tables, the
// report and the Python package (analysis/chipsim/units.py follows the same table; a test
// checks that the two agree). The file itself keeps SI base amounts: USD, units, PFLOP/s,
// fractions (docs/OUTPUT.md, "Units" and "Display units").
//
//   kind      file unit   shown as
//   money     USD         USD with a suffix: 6.27 B, 350.0 M, 12.5 k
//   count     1           12.5 k, 1.20 M, 3.40 B
//   share     1           percent: 42.0%
//   compute   PFLOP/s     EFLOP/s, always (1 EFLOP/s = 1,000 PFLOP/s)
//   index     1           three significant digits
// Money and counts smaller than kResidue in magnitude are shown as 0 (floating-point residue
// of stocks drawn down to nothing; the file keeps the exact value).
#pragma once

#include <string>

#include "model/trajectory.hpp"

namespace chipsim {

inline constexpr double kResidue = 1e-6;

// The unit a displayed value is in ("USD", "%", "EFLOP/s", "" for plain counts and indices).
[[nodiscard]] const char* display_unit(DisplayKind kind);
// A value in file units as a reader sees it, with its suffix (no unit).
[[nodiscard]] std::string format_display(DisplayKind kind, double value);
// A difference of two values of `kind`: as format_display, except that a difference of
// shares is in percentage points ("-4.9 pp"), not a percentage.
[[nodiscard]] std::string format_difference(DisplayKind kind, double difference);
// The unit column of a table: the display unit ("units" for counts), then "per year" (or
// `per` another period) for flows, e.g. "USD per year", "units", "EFLOP/s", "%".
[[nodiscard]] std::string unit_label(const VariableInfo& v, const std::string& per);

// The shortest decimal that reads back as exactly `value` ("0.1", "1e-05", "30000"): for
// values written as text that must round-trip (overrides, design settings, identities).
[[nodiscard]] std::string exact_decimal(double value);

}  // namespace chipsim
