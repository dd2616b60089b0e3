#include "scenario/calendar.hpp"

#include <gtest/gtest.h>

namespace chipsim {
namespace {

TEST(ParseDate, AcceptsQuarterMonthAndDayForms) {
  std::string why;
  auto q = parse_date("2025Q3", why);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->year, 2025);
  EXPECT_EQ(q->month, 7);
  auto m = parse_date("2025-08", why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->month, 8);
  auto d = parse_date("2024-02-29", why);  // leap day
  ASSERT_TRUE(d);
  EXPECT_EQ(d->day, 29);
}

TEST(ParseDate, RejectsImpossibleDatesWithReason) {
  std::string why;
  EXPECT_FALSE(parse_date("2025-02-29", why));  // not a leap year
  EXPECT_EQ(why, "\"2025-02-29\" is not a real calendar date");
  EXPECT_FALSE(parse_date("2025-13", why));
  EXPECT_EQ(why, "\"2025-13\" is not a real calendar date");
  EXPECT_FALSE(parse_date("2025Q5", why));
  EXPECT_NE(why.find("expected a date as \"YYYYQn\""), std::string::npos);
  EXPECT_FALSE(parse_date("soon", why));
  EXPECT_NE(why.find("got \"soon\""), std::string::npos);
  EXPECT_FALSE(parse_date("2025-1-1", why));
}

TEST(Calendar, QuarterIndexLabelAndDecimalYear) {
  Calendar c{PeriodLength::quarter, 2024, 1, 28};
  EXPECT_EQ(c.index_of({2024, 1, 1}), 0);
  EXPECT_EQ(c.index_of({2024, 3, 31}), 0);
  EXPECT_EQ(c.index_of({2025, 8, 11}), 6);  // 2025Q3
  EXPECT_EQ(c.index_of({2023, 12, 31}), -1);
  EXPECT_EQ(c.index_of({2022, 10, 7}), -5);  // 2022Q4
  EXPECT_EQ(c.label(6), "2025Q3");
  EXPECT_EQ(c.label(-5), "2022Q4");
  EXPECT_EQ(c.year(27), 2030);
  EXPECT_DOUBLE_EQ(c.decimal_year(6), 2025.625);  // middle of Jul-Sep
  EXPECT_DOUBLE_EQ(c.periods_per_year(), 4.0);
}

TEST(Calendar, MonthlyPeriods) {
  Calendar c{PeriodLength::month, 2024, 1, 84};
  EXPECT_EQ(c.index_of({2025, 8, 11}), 19);
  EXPECT_EQ(c.label(19), "2025-08");
  EXPECT_DOUBLE_EQ(c.decimal_year(0), 2024.0 + 1.0 / 24.0);
  EXPECT_EQ(c.year(12), 2025);
}

}  // namespace
}  // namespace chipsim
