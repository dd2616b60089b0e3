#include "cli/file_data.hpp"

#include <algorithm>
#include <cmath>

namespace chipsim {

FileData::FileData(std::string path) : path_(std::move(path)), d_(io::describe_file(path_)) {
  years_ = year_spans(d_.period_labels);
  if (!d_.summary_only && !d_.labels_of("event").empty()) {
    std::vector<std::uint64_t> shape;
    for (double x : io::read_dataset(path_, "event_period", shape))
      events_.push_back(static_cast<int>(x));
  }
}

bool FileData::has(const std::string& variable) const {
  return std::find(d_.variables.begin(), d_.variables.end(), variable) != d_.variables.end();
}

const std::vector<double>& FileData::data(const std::string& variable) const {
  auto it = cache_.find(variable);
  if (it == cache_.end()) {
    std::vector<std::uint64_t> shape;
    auto v = io::read_dataset(path_, variable, shape);
    std::size_t stride = 1;
    for (std::size_t k = d_.points > 0 ? 2 : 1; k < shape.size(); ++k)
      stride *= shape[k];
    it = cache_.emplace(variable, std::make_pair(std::move(v), stride)).first;
  }
  return it->second.first;
}

std::vector<double> FileData::values(const std::string& variable, const Selection& select,
                                     int first, int last) const {
  const Aggregate a = Aggregate::resolve(
      variable, select, [this](const std::string& name) { return d_.labels_of(name); }, first,
      last);
  std::vector<double> out(static_cast<std::size_t>(rows()));
  for (std::size_t r = 0; r < out.size(); ++r)
    out[r] = a.of([&](const VariableInfo& v) {
      const auto& x = data(v.name);
      return x.data() + r * cache_.at(v.name).second;
    });
  return out;
}

double percentile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Regimes regimes(const std::vector<double>& values, const std::vector<char>& fired) {
  Regimes r;
  std::vector<double> yes, no;
  for (std::size_t i = 0; i < values.size(); ++i)
    (fired[i] ? yes : no).push_back(values[i]);
  const double n = static_cast<double>(values.size());
  r.probability = n > 0 ? static_cast<double>(yes.size()) / n : 0;
  if (yes.size() < 2 || no.size() < 2 || r.probability < 0.05 || r.probability > 0.95) return r;
  r.median_fired = percentile(yes, 0.5);
  r.median_not = percentile(no, 0.5);
  const double range = percentile(values, 0.95) - percentile(values, 0.05);
  r.shown = range > 0 && std::fabs(r.median_fired - r.median_not) >= 0.25 * range;
  return r;
}

}  // namespace chipsim
