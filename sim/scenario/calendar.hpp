// Simulation time: a run is a sequence of equal periods (quarters or months) starting at a
// given period. Dates in scenarios ("2025Q3", "2025-08", "2025-08-12") map to the period that
// contains them; a date before the start maps to a negative index.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chipsim {

enum class PeriodLength { quarter, month };

struct Date {
  int year = 0;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Parses "YYYYQn", "YYYY-MM" or "YYYY-MM-DD"; rejects impossible dates such as 2025-02-30.
// On failure returns nullopt and sets `why` to what was expected.
[[nodiscard]] std::optional<Date> parse_date(std::string_view text, std::string& why);
// True if (year, month, day) names a real calendar day.
[[nodiscard]] bool valid_date(int year, int month, int day);

struct Calendar {
  PeriodLength length = PeriodLength::quarter;
  int start_year = 2024;
  int start_month = 1;  // first month of the first period
  int periods = 0;

  [[nodiscard]] int months_per_period() const { return length == PeriodLength::quarter ? 3 : 1; }
  [[nodiscard]] double periods_per_year() const { return 12.0 / months_per_period(); }
  // Index of the period containing `d` (negative before the start, >= periods after the end).
  [[nodiscard]] int index_of(const Date& d) const;
  // "2025Q3" for quarters, "2025-08" for months.
  [[nodiscard]] std::string label(int period) const;
  // Calendar year of a period.
  [[nodiscard]] int year(int period) const;
  // Decimal year at the middle of the period, e.g. 2025.625 for 2025Q3.
  [[nodiscard]] double decimal_year(int period) const;
  // First day of the period.
  [[nodiscard]] Date start(int period) const;
  // Share of the period containing `d` that lies on or after `d`, by days: 1 for the
  // period's first day, e.g. 83/91 for 2025-04-09 in 2025Q2.
  [[nodiscard]] double share_from(const Date& d) const;
};

// Days from 1970-01-01 to `d` in the proleptic Gregorian calendar (negative before).
[[nodiscard]] long days_since_epoch(const Date& d);

}  // namespace chipsim
