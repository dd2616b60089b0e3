#include "scenario/calendar.hpp"

#include <charconv>
#include <cstdio>

namespace chipsim {

namespace {
bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

int floor_div(int a, int b) {
  return (a >= 0) ? a / b : -((-a + b - 1) / b);
}
}  // namespace

bool valid_date(int year, int month, int day) {
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

std::optional<Date> parse_date(std::string_view text, std::string& why) {
  const char* expected =
      "expected a date as \"YYYYQn\", \"YYYY-MM\" or \"YYYY-MM-DD\" between 1900 and 2200";
  Date d;
  if (text.size() == 6 && (text[4] == 'Q' || text[4] == 'q')) {
    int q = 0;
    if (!parse_int(text.substr(0, 4), d.year) || !parse_int(text.substr(5, 1), q) || q < 1 ||
        q > 4) {
      why = std::string(expected) + ", got \"" + std::string(text) + "\"";
      return std::nullopt;
    }
    d.month = 3 * (q - 1) + 1;
  } else if ((text.size() == 7 || text.size() == 10) && text[4] == '-') {
    if (!parse_int(text.substr(0, 4), d.year) || !parse_int(text.substr(5, 2), d.month) ||
        (text.size() == 10 && (text[7] != '-' || !parse_int(text.substr(8, 2), d.day)))) {
      why = std::string(expected) + ", got \"" + std::string(text) + "\"";
      return std::nullopt;
    }
  } else {
    why = std::string(expected) + ", got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  if (d.year < 1900 || d.year > 2200) {
    why = "\"" + std::string(text) + "\" lies outside the years chipsim supports, 1900 to 2200";
    return std::nullopt;
  }
  if (!valid_date(d.year, d.month, d.day)) {
    why = "\"" + std::string(text) + "\" is not a real calendar date";
    return std::nullopt;
  }
  return d;
}

int Calendar::index_of(const Date& d) const {
  const int months = (d.year - start_year) * 12 + (d.month - start_month);
  return floor_div(months, months_per_period());
}

int Calendar::year(int period) const {
  const int month0 = (start_year * 12 + start_month - 1) + period * months_per_period();
  return floor_div(month0, 12);
}

std::string Calendar::label(int period) const {
  const int month0 = (start_year * 12 + start_month - 1) + period * months_per_period();
  const int y = floor_div(month0, 12);
  const int m = month0 - 12 * y + 1;
  char buf[32];
  if (length == PeriodLength::quarter)
    std::snprintf(buf, sizeof buf, "%04dQ%d", y, (m - 1) / 3 + 1);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d", y, m);
  return buf;
}

double Calendar::decimal_year(int period) const {
  const int month0 = (start_year * 12 + start_month - 1) + period * months_per_period();
  return static_cast<double>(month0) / 12.0 + months_per_period() / 24.0;
}

Date Calendar::start(int period) const {
  const int m0 = (start_year * 12 + start_month - 1) + period * months_per_period();
  return {m0 / 12, m0 % 12 + 1, 1};
}

double Calendar::share_from(const Date& d) const {
  const int i = index_of(d);
  const double first = static_cast<double>(days_since_epoch(start(i)));
  const double next = static_cast<double>(days_since_epoch(start(i + 1)));
  return (next - static_cast<double>(days_since_epoch(d))) / (next - first);
}

long days_since_epoch(const Date& d) {
  // H. Hinnant's days_from_civil.
  const long y = d.year - (d.month <= 2 ? 1 : 0);
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long mp = (d.month + 9) % 12;
  const long doy = (153 * mp + 2) / 5 + d.day - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace chipsim
