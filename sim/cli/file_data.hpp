// A complete per-replicate output file opened for tables: its description, its labels, and
// any variable aggregated per replicate by the shared rules (engine/aggregate.hpp). Used by
// `compare` and `inspect`, so both aggregate exactly as `run`'s table and `calibrate` do.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/aggregate.hpp"
#include "engine/year_table.hpp"
#include "io/output_file.hpp"

namespace chipsim {

class FileData {
 public:
  explicit FileData(std::string path);
  [[nodiscard]] const io::FileDescription& description() const { return d_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::vector<YearSpan>& years() const { return years_; }
  [[nodiscard]] bool has(const std::string& variable) const;
  [[nodiscard]] long replicates() const { return d_.replicates_written; }
  // Rows of per-replicate data: replicates, or points x replicates for a sweep (point-major).
  [[nodiscard]] long rows() const { return std::max(d_.points, 1L) * d_.replicates_written; }
  // Per-replicate values of `variable` at `select` over periods [first, last], one per row.
  [[nodiscard]] std::vector<double> values(const std::string& variable, const Selection& select,
                                           int first, int last) const;
  // Per replicate and event (event labels: labels_of("event")), the period it fired in, or
  // Trajectory::kNeverFired; empty if the file records no events.
  [[nodiscard]] const std::vector<int>& event_periods() const { return events_; }
  [[nodiscard]] std::vector<std::string> event_labels() const { return d_.labels_of("event"); }

 private:
  const std::vector<double>& data(const std::string& variable) const;
  std::string path_;
  io::FileDescription d_;
  std::vector<YearSpan> years_;
  std::vector<int> events_;
  mutable std::map<std::string, std::pair<std::vector<double>, std::size_t>>
      cache_;  // data, stride
};

// Percentile by linear interpolation between order statistics (numpy's default).
[[nodiscard]] double percentile(std::vector<double> values, double q);

// Where an event splits an outcome into two regimes: the replicates in which it fired by
// the end of a span, and the others. Shown only where both regimes hold at least 5% of the
// replicates (and two replicates each) and their medians differ by at least a quarter of the
// 5-95% range of all replicates: then the outcome is bimodal because of the event, and a
// p05-p95 band alone would hide it (docs/OUTPUT.md, "Events").
struct Regimes {
  double probability = 0;  // share of replicates in which the event fired by the span's end
  double median_fired = 0, median_not = 0;
  bool shown = false;
};
[[nodiscard]] Regimes regimes(const std::vector<double>& values, const std::vector<char>& fired);

}  // namespace chipsim
