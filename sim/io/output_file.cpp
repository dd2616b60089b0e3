#include "io/output_file.hpp"

#include "io/hdf5_handle.hpp"

#include <H5DSpublic.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "io/sha256.hpp"
#include "scenario/diagnostics.hpp"

namespace chipsim::io {

namespace {

constexpr const char* kFormat = "chipsim-output-1";

// ---- attributes -------------------------------------------------------------------------

void attr_string(hid_t obj, const char* name, const std::string& value) {
  if (H5Aexists(obj, name) > 0) check(H5Adelete(obj, name), std::string("attribute ") + name);
  Handle type = vlen_string_type();
  Handle space = space_handle(H5Screate(H5S_SCALAR), "scalar space");
  Handle a = attr_handle(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT),
                         std::string("create attribute ") + name);
  const char* p = value.c_str();
  check(H5Awrite(a, type, &p), std::string("write attribute ") + name);
}

template <class T>
void attr_number(hid_t obj, const char* name, T value, hid_t file_type, hid_t mem_type) {
  if (H5Aexists(obj, name) > 0) {
    Handle a = attr_handle(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name);
    check(H5Awrite(a, mem_type, &value), std::string("write attribute ") + name);
    return;
  }
  Handle space = space_handle(H5Screate(H5S_SCALAR), "scalar space");
  Handle a = attr_handle(H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                         std::string("create attribute ") + name);
  check(H5Awrite(a, mem_type, &value), std::string("write attribute ") + name);
}
void attr_i64(hid_t obj, const char* name, long long v) {
  attr_number(obj, name, v, H5T_STD_I64LE, H5T_NATIVE_LLONG);
}
void attr_u64(hid_t obj, const char* name, unsigned long long v) {
  attr_number(obj, name, v, H5T_STD_U64LE, H5T_NATIVE_ULLONG);
}
void attr_f64(hid_t obj, const char* name, double v) {
  attr_number(obj, name, v, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

std::string read_attr_string(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle a = attr_handle(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name);
  Handle ftype = type_handle(H5Aget_type(a), "attribute type");
  if (H5Tget_class(ftype) != H5T_STRING) return {};
  Handle type = vlen_string_type();
  if (H5Tis_variable_str(ftype) > 0) {
    char* p = nullptr;
    check(H5Aread(a, type, &p), std::string("read attribute ") + name);
    std::string out = p ? p : "";
    Handle space = space_handle(H5Aget_space(a), "attribute space");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, &p);
    return out;
  }
  std::string out(H5Tget_size(ftype), '\0');
  check(H5Aread(a, ftype, out.data()), std::string("read attribute ") + name);
  return out.substr(0, out.find('\0'));
}

long long read_attr_i64(hid_t obj, const char* name, long long fallback) {
  if (H5Aexists(obj, name) <= 0) return fallback;
  Handle a = attr_handle(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name);
  long long v = fallback;
  check(H5Aread(a, H5T_NATIVE_LLONG, &v), std::string("read attribute ") + name);
  return v;
}

// ---- coordinate datasets ----------------------------------------------------------------

Handle string_dataset(hid_t where, const char* name, const std::vector<std::string>& values) {
  const hsize_t n = values.size();
  Handle type = vlen_string_type();
  Handle space = space_handle(H5Screate_simple(1, &n, nullptr), "space");
  Handle d =
      dataset_handle(H5Dcreate2(where, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     std::string("create dataset ") + name);
  std::vector<const char*> p;
  for (const auto& v : values)
    p.push_back(v.c_str());
  if (n > 0) check(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), name);
  return d;
}

template <class T>
Handle number_dataset(hid_t where, const char* name, const std::vector<T>& values, hid_t file_type,
                      hid_t mem_type) {
  const hsize_t n = values.size();
  Handle space = space_handle(H5Screate_simple(1, &n, nullptr), "space");
  Handle d = dataset_handle(
      H5Dcreate2(where, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      std::string("create dataset ") + name);
  if (n > 0) check(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), name);
  return d;
}

// Auxiliary coordinates along a dimension (CF `coordinates`).
std::vector<const char*> aux_for(const std::string& dim) {
  if (dim == "period") return {"time", "decimal_year"};
  if (dim == "product") return {"product_vendor"};
  if (dim == "vendor") return {"vendor_region"};
  if (dim == "buyer") return {"buyer_region"};
  if (dim == "channel") return {"channel_legal"};
  if (dim == "event") return {"event_policy", "event_kind"};
  return {};
}

// Creates the dimension scales (and auxiliary coordinates) that `dims` need in `where`.
void create_dimensions(hid_t where, const Scenario& s, const std::vector<std::string>& dims,
                       int replicates) {
  const Calendar& cal = s.calendar;
  for (const auto& dim : dims) {
    Handle d;
    if (dim == "replicate") {
      std::vector<int> idx(static_cast<std::size_t>(replicates));
      for (int i = 0; i < replicates; ++i)
        idx[i] = i;
      d = number_dataset(where, "replicate", idx, H5T_STD_I32LE, H5T_NATIVE_INT);
      attr_string(d, "long_name", "replicate index");
    } else if (dim == "stat") {
      std::vector<std::string> stats(kSummaryStats.begin(), kSummaryStats.end());
      d = string_dataset(where, "stat", stats);
      attr_string(d, "long_name", "statistic over replicates");
    } else if (dim == "period") {
      std::vector<std::string> labels;
      std::vector<double> years;
      for (int t = 0; t < cal.periods; ++t) {
        labels.push_back(cal.label(t));
        years.push_back(cal.decimal_year(t));
      }
      d = string_dataset(where, "period", labels);
      attr_string(d, "long_name", "simulation period");
      Handle y = number_dataset(where, "decimal_year", years, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
      attr_string(y, "units", "year");
      attr_string(y, "long_name", "middle of the period as a decimal year");
      // CF time: the start of each period, so xarray decodes datetimes
      // (ds.groupby("time.year"); ds.sel(time="2027") once time is indexed).
      std::vector<double> days;
      for (int t = 0; t < cal.periods; ++t)
        days.push_back(
            static_cast<double>(days_since_epoch(cal.start(t)) - days_since_epoch(cal.start(0))));
      Handle tm = number_dataset(where, "time", days, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
      const Date t0 = cal.start(0);
      char since[64];
      std::snprintf(since, sizeof since, "days since %04d-%02d-01 00:00:00", t0.year, t0.month);
      attr_string(tm, "units", since);
      attr_string(tm, "calendar", "proleptic_gregorian");
      attr_string(tm, "standard_name", "time");
      attr_string(tm, "long_name", "start of the period");
      check(H5DSset_scale(d, "period"), "dimension scale period");
      check(H5DSattach_scale(y, d, 0), "attach period to decimal_year");
      check(H5DSattach_scale(tm, d, 0), "attach period to time");
      continue;
    } else if (dim == "event") {
      d = string_dataset(where, "event", event_labels(s));
      attr_string(d, "long_name", "stochastic policy event or trigger");
    } else {
      d = string_dataset(where, dim.c_str(), dimension_labels(s, dim));
      attr_string(d, "long_name", dim);
    }
    check(H5DSset_scale(d, dim.c_str()), "dimension scale " + dim);
  }
  // Auxiliary coordinates, attached to their dimension.
  auto attach = [&](Handle aux, const char* dim, const char* long_name) {
    attr_string(aux, "long_name", long_name);
    Handle scale = dataset_handle(H5Dopen2(where, dim, H5P_DEFAULT), std::string("open ") + dim);
    check(H5DSattach_scale(aux, scale, 0), std::string("attach ") + dim);
  };
  auto has = [&](const char* d) { return std::find(dims.begin(), dims.end(), d) != dims.end(); };
  if (has("product")) {
    std::vector<std::string> v;
    for (const auto& p : s.products)
      v.push_back(s.vendors[p.vendor].name);
    attach(string_dataset(where, "product_vendor", v), "product", "vendor of the product");
  }
  if (has("vendor")) {
    std::vector<std::string> v;
    for (const auto& x : s.vendors)
      v.push_back(s.regions[x.region].name);
    attach(string_dataset(where, "vendor_region", v), "vendor", "headquarters region");
  }
  if (has("buyer")) {
    std::vector<std::string> v;
    for (const auto& x : s.buyers)
      v.push_back(s.regions[x.region].name);
    attach(string_dataset(where, "buyer_region", v), "buyer", "region of the buyer");
  }
  if (has("event")) {
    std::vector<std::string> policy, kind;
    for (const auto& e : s.events) {
      policy.push_back(s.policies[e.policy].name);
      kind.emplace_back("event");
    }
    for (const auto& t : s.triggers) {
      policy.push_back(s.policies[t.policy].name);
      kind.emplace_back("trigger");
    }
    attach(string_dataset(where, "event_policy", policy), "event", "policy that issues the rule");
    attach(string_dataset(where, "event_kind", kind), "event",
           "event (hazard per period) or trigger (threshold on an outcome)");
  }
  if (has("channel")) {
    std::vector<signed char> v;
    for (const auto& x : s.channels)
      v.push_back(x.legal() ? 1 : 0);
    Handle legal = number_dataset(where, "channel_legal", v, H5T_STD_I8LE, H5T_NATIVE_SCHAR);
    attr_string(legal, "units", "1");
    attach(std::move(legal), "channel", "1 if the channel is legal");
  }
}

std::string coordinates_attr(const std::vector<std::string>& dims) {
  std::string out;
  for (const auto& d : dims)
    for (const char* aux : aux_for(d))
      out += (out.empty() ? "" : " ") + std::string(aux);
  return out;
}

// The aggregation declaration every consumer reads (engine/aggregate.hpp, docs/OUTPUT.md):
// CF cell_methods for time, and how cells combine.
void write_rules(hid_t d, const VariableInfo& v) {
  attr_string(d, "cell_methods", cell_methods(v));
  attr_string(d, "aggregation", to_string(v.cells));
  if (v.numerator) attr_string(d, "numerator", v.numerator);
  if (v.denominator) attr_string(d, "denominator", v.denominator);
  if (v.weight) attr_string(d, "weight", v.weight);
  attr_string(d, "display", to_string(v.display));
}

// CF flag_values and flag_meanings of a category variable: binding_input's inputs (int8), or
// binding_supplier's suppliers (int16, -1 for none).
void write_flags(hid_t d, const std::string& name, const Scenario& s) {
  std::vector<short> flags;
  std::string meanings;
  auto add = [&](int value, const std::string& meaning) {
    flags.push_back(static_cast<short>(value));
    meanings += (meanings.empty() ? "" : " ") + meaning;
  };
  const bool inputs = name == "binding_input";
  if (inputs) {
    for (int i = 0; i < kBindingInputCount; ++i)
      add(i, to_string(static_cast<BindingInput>(i)));
  } else {
    add(kNoSupplier, "none");
    const auto labels = supplier_labels(s);
    for (std::size_t i = 0; i < labels.size(); ++i)
      add(static_cast<int>(i), labels[i]);
  }
  const hsize_t n = flags.size();
  Handle fs = space_handle(H5Screate_simple(1, &n, nullptr), "space");
  Handle a = attr_handle(H5Acreate2(d, "flag_values", inputs ? H5T_STD_I8LE : H5T_STD_I16LE, fs,
                                    H5P_DEFAULT, H5P_DEFAULT),
                         "flag_values");
  check(H5Awrite(a, H5T_NATIVE_SHORT, flags.data()), "flag_values");
  attr_string(d, "flag_meanings", meanings);
}

// The run's identity and provenance, on the root and again on /summary so that the group
// alone identifies the run (open_dataset(group="summary")).
void write_provenance(hid_t obj, const Scenario& s, const OutputInfo& info) {
  attr_string(obj, "scenario", s.name);
  attr_string(obj, "scenario_sha256", sha256_hex(s.resolved_text));
  attr_u64(obj, "seed", info.seed);
  attr_i64(obj, "point", info.point);
  attr_string(obj, "chipsim_version", info.version);
  attr_string(obj, "git_commit", info.commit);
  attr_string(obj, "command_line", info.command_line);
  attr_string(obj, "created", info.created);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v)
    out += (out.empty() ? "" : ",") + x;
  return out;
}

std::vector<std::string> selected_names(const std::vector<int>& vars) {
  std::vector<std::string> out;
  for (int v : vars)
    out.emplace_back(variables()[v].name);
  return out;
}

// Bits of a category variable's integer type, 0 for a real-valued one.
int enum_bits(int v) {
  const std::string name = variables()[v].name;
  return name == "binding_input" ? 8 : name == "binding_supplier" ? 16 : 0;
}

// Dataset access without a chunk cache: every chunk is written once, in order, so caching
// only costs memory (it made peak RSS grow with the replicate count).
Handle no_chunk_cache() {
  Handle dapl = plist_handle(H5Pcreate(H5P_DATASET_ACCESS), "dataset access properties");
  check(H5Pset_chunk_cache(dapl, 0, 0, 1.0), "chunk cache");
  return dapl;
}

}  // namespace

std::vector<int> select_variables(const std::vector<std::string>& requested,
                                  const Scenario& scenario) {
  const auto& all = variables();
  // installed_equivalents needs a reference accelerator (market.reference_product).
  const bool has_reference = scenario.market.reference_product != kNone;
  auto available = [&](const VariableInfo& v) {
    return has_reference || std::string_view(v.name) != "installed_equivalents";
  };
  std::vector<int> out;
  if (requested.empty()) {
    for (std::size_t i = 0; i < all.size(); ++i)
      if (available(all[i])) out.push_back(static_cast<int>(i));
    return out;
  }
  std::vector<std::string> known;
  for (const auto& v : all)
    known.emplace_back(v.name);
  for (const auto& name : requested) {
    const auto it = std::find(known.begin(), known.end(), name);
    if (it == known.end())
      throw BadRequest("--variables: unknown variable '" + name + "'" + did_you_mean(name, known) +
                       "; expected names from docs/OUTPUT.md: " + join(known));
    if (!available(all[static_cast<std::size_t>(it - known.begin())]))
      throw BadRequest(
          "--variables: installed_equivalents needs market.reference_product in the "
          "scenario (the accelerator whose compute is the unit)");
    const int index = static_cast<int>(it - known.begin());
    if (std::find(out.begin(), out.end(), index) == out.end()) out.push_back(index);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Hdf5Writer final : public OutputWriter {
 public:
  Hdf5Writer(const std::string& path, const Scenario& scenario, const OutputInfo& info,
             const OutputOptions& options, bool resume);
  ~Hdf5Writer() override;
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  [[nodiscard]] int replicates_written() const override { return written_; }
  [[nodiscard]] const std::vector<int>& variable_indices() const override { return vars_; }
  void write(const std::vector<Trajectory>& chunk, int first) override;
  void finish(const SummaryAccumulator& summary) override;
  void close() override;

 private:
  void create_layout();
  void open_datasets();
  void check_resume();
  std::vector<hsize_t> shape_of(int variable) const;
  // units, long_name, coordinates and the aggregation rules of a variable's dataset.
  void describe_variable(hid_t d, const VariableInfo& info,
                         std::vector<std::string> leading_dims) const;
  int size_of(const char* dim) const;

  const Scenario& s_;
  OutputInfo info_;
  OutputOptions options_;
  std::vector<int> vars_;
  std::string path_;
  Handle file_;
  std::vector<Handle> datasets_;  // per selected variable (empty when summary-only)
  Handle event_dataset_;          // event_period, if the scenario has events or triggers
  int events_ = 0;
  int written_ = 0;
  int periods_ = 0;
  std::vector<double> buffer_;
  std::vector<float> buffer32_;
  std::vector<signed char> buffer8_;
  std::vector<short> buffer16_;
};

void Hdf5Writer::describe_variable(hid_t d, const VariableInfo& info,
                                   std::vector<std::string> dims) const {
  attr_string(d, "units", info.units);
  attr_string(d, "long_name", info.long_name);
  for (const char* x : info.dims)
    dims.emplace_back(x);
  const std::string coords = coordinates_attr(dims);
  if (!coords.empty()) attr_string(d, "coordinates", coords);
  write_rules(d, info);
  if (std::string_view(info.name) == "installed_equivalents" &&
      s_.market.reference_product != kNone)
    attr_string(d, "reference_product", s_.products[s_.market.reference_product].name);
}

int Hdf5Writer::size_of(const char* dim) const {
  const auto labels = dimension_labels(s_, dim);
  return labels.empty() ? 1 : static_cast<int>(labels.size());
}

std::vector<hsize_t> Hdf5Writer::shape_of(int v) const {
  std::vector<hsize_t> shape = {static_cast<hsize_t>(info_.replicates),
                                static_cast<hsize_t>(periods_)};
  for (const char* d : variables()[v].dims)
    shape.push_back(static_cast<hsize_t>(size_of(d)));
  return shape;
}

std::unique_ptr<OutputWriter> OutputWriter::create(const std::string& path,
                                                   const Scenario& scenario, const OutputInfo& info,
                                                   const OutputOptions& options) {
  return std::make_unique<Hdf5Writer>(path, scenario, info, options, false);
}

std::unique_ptr<OutputWriter> OutputWriter::resume(const std::string& path,
                                                   const Scenario& scenario, const OutputInfo& info,
                                                   const OutputOptions& options) {
  return std::make_unique<Hdf5Writer>(path, scenario, info, options, true);
}

Hdf5Writer::Hdf5Writer(const std::string& path, const Scenario& scenario, const OutputInfo& info,
                       const OutputOptions& options, bool resume)
    : s_(scenario),
      info_(info),
      options_(options),
      vars_(select_variables(options.variables, scenario)),
      path_(path),
      events_(static_cast<int>(scenario.events.size() + scenario.triggers.size())),
      periods_(scenario.calendar.periods) {
  silence_hdf5();
  if (resume) {
    file_ = file_handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT),
                        "cannot open '" + path + "' to resume");
    check_resume();
    written_ = static_cast<int>(read_attr_i64(file_, "replicates_written", 0));
    open_datasets();
    return;
  }
  // The skeleton (every attribute, coordinate and empty dataset) is built under a temporary
  // name and renamed to the partial file only once flushed and closed: a kill during its
  // creation leaves no partial file that cannot be opened, only a stray skeleton that the
  // next run truncates.
  const std::string skeleton = path + ".creating";
  file_ = file_handle(H5Fcreate(skeleton.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                      "cannot create '" + path + "'");
  create_layout();
  close();
  std::error_code ec;
  std::filesystem::rename(skeleton, path, ec);
  if (ec) throw IoError("cannot create '" + path + "': " + ec.message());
  file_ =
      file_handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "cannot open '" + path + "'");
  open_datasets();
}

void Hdf5Writer::open_datasets() {
  if (options_.summary_only) return;
  for (int v : vars_)
    datasets_.push_back(dataset_handle(H5Dopen2(file_, variables()[v].name, no_chunk_cache()),
                                       std::string("open ") + variables()[v].name));
  if (events_ > 0)
    event_dataset_ =
        dataset_handle(H5Dopen2(file_, "event_period", H5P_DEFAULT), "open event_period");
}

Hdf5Writer::~Hdf5Writer() {
  try {
    close();
  } catch (...) {  // destructors do not throw; close() reports errors when called directly
  }
}

void Hdf5Writer::create_layout() {
  // Provenance on the root.
  attr_string(file_, "title", "chipsim output: " + s_.name);
  attr_string(file_, "Conventions", "CF-1.8");
  attr_string(file_, "format", kFormat);
  write_provenance(file_, s_, info_);
  attr_string(file_, "scenario_text", s_.resolved_text);
  attr_i64(file_, "replicates", info_.replicates);
  attr_i64(file_, "replicates_written", 0);
  attr_i64(file_, "complete", 0);
  attr_i64(file_, "summary_only", options_.summary_only ? 1 : 0);
  attr_string(file_, "variables", join(selected_names(vars_)));
  attr_f64(file_, "summary_quantile_relative_accuracy", QuantileSketch::kRelativeAccuracy);

  std::vector<std::string> dims = {"period"};
  if (!options_.summary_only) dims.insert(dims.begin(), "replicate");
  for (int v : vars_)
    for (const char* d : variables()[v].dims)
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.emplace_back(d);
  if (events_ > 0 && !options_.summary_only) dims.emplace_back("event");
  create_dimensions(file_, s_, dims, info_.replicates);
  if (options_.summary_only) return;

  if (events_ > 0) {  // the structural-uncertainty record (docs/OUTPUT.md, "Events")
    const hsize_t shape[2] = {static_cast<hsize_t>(info_.replicates),
                              static_cast<hsize_t>(events_)};
    const hsize_t chunk[2] = {
        static_cast<hsize_t>(std::clamp(options_.chunk_replicates, 1, info_.replicates)), shape[1]};
    Handle space = space_handle(H5Screate_simple(2, shape, nullptr), "space");
    Handle dcpl = plist_handle(H5Pcreate(H5P_DATASET_CREATE), "dataset properties");
    check(H5Pset_chunk(dcpl, 2, chunk), "chunking");
    const int never = Trajectory::kNeverFired;
    check(H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &never), "fill value");
    Handle d = dataset_handle(
        H5Dcreate2(file_, "event_period", H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
        "create dataset event_period");
    attr_number(d, "_FillValue", never, H5T_STD_I32LE, H5T_NATIVE_INT);
    attr_string(d, "units", "1");
    attr_string(d, "long_name",
                "index of the period in which the event fired (fill value: never fired)");
    attr_string(d, "coordinates", coordinates_attr({"event"}));
    const char* dim_names[2] = {"replicate", "event"};
    for (unsigned i = 0; i < 2; ++i) {
      Handle scale = dataset_handle(H5Dopen2(file_, dim_names[i], H5P_DEFAULT),
                                    std::string("open ") + dim_names[i]);
      check(H5DSattach_scale(d, scale, i), std::string("attach ") + dim_names[i]);
    }
  }

  for (int v : vars_) {
    const VariableInfo& info = variables()[v];
    const std::vector<hsize_t> shape = shape_of(v);
    std::vector<hsize_t> chunk = shape;
    chunk[0] = static_cast<hsize_t>(std::clamp(options_.chunk_replicates, 1, info_.replicates));
    Handle space = space_handle(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), "space");
    Handle dcpl = plist_handle(H5Pcreate(H5P_DATASET_CREATE), "dataset properties");
    check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "chunking");
    if (options_.compression > 0) {
      check(H5Pset_shuffle(dcpl), "shuffle filter");
      check(H5Pset_deflate(dcpl, static_cast<unsigned>(options_.compression)), "deflate");
    }
    const int bits = enum_bits(v);
    const bool enum_var = bits > 0;
    hid_t file_type = bits == 8          ? H5T_STD_I8LE
                      : bits == 16       ? H5T_STD_I16LE
                      : options_.float32 ? H5T_IEEE_F32LE
                                         : H5T_IEEE_F64LE;
    if (!enum_var) {  // unwritten replicates read as NaN, never as plausible zeros
      const double nan = std::numeric_limits<double>::quiet_NaN();
      check(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan), "fill value");
    }
    Handle d = dataset_handle(
        H5Dcreate2(file_, info.name, file_type, space, H5P_DEFAULT, dcpl, no_chunk_cache()),
        std::string("create dataset ") + info.name);
    describe_variable(d, info, {"replicate", "period"});
    if (enum_var) write_flags(d, info.name, s_);
    std::vector<std::string> var_dims = {"replicate", "period"};
    for (const char* x : info.dims)
      var_dims.emplace_back(x);
    for (std::size_t i = 0; i < var_dims.size(); ++i) {
      Handle scale =
          dataset_handle(H5Dopen2(file_, var_dims[i].c_str(), H5P_DEFAULT), "open " + var_dims[i]);
      check(H5DSattach_scale(d, scale, static_cast<unsigned>(i)),
            std::string("attach ") + var_dims[i] + " to " + info.name);
    }
  }
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

void Hdf5Writer::check_resume() {
  auto mismatch = [&](const std::string& what, const std::string& file, const std::string& now) {
    throw IoError("cannot resume '" + path_ + "': it was written with " + what + " " + file +
                  ", this run has " + now);
  };
  if (read_attr_string(file_, "format") != kFormat)
    throw IoError("cannot resume '" + path_ + "': not a chipsim output file");
  if (read_attr_i64(file_, "complete", 0) == 1)
    throw IoError("cannot resume '" + path_ + "': the run is already complete");
  const std::string sha = sha256_hex(s_.resolved_text);
  if (read_attr_string(file_, "scenario_sha256") != sha)
    mismatch("scenario sha256", read_attr_string(file_, "scenario_sha256"), sha);
  const auto seed = static_cast<unsigned long long>(read_attr_i64(file_, "seed", -1));
  if (seed != info_.seed) mismatch("seed", std::to_string(seed), std::to_string(info_.seed));
  const long long reps = read_attr_i64(file_, "replicates", -1);
  if (reps != info_.replicates)
    mismatch("replicates", std::to_string(reps), std::to_string(info_.replicates));
  const std::string vars = read_attr_string(file_, "variables");
  if (vars != join(selected_names(vars_))) mismatch("variables", vars, join(selected_names(vars_)));
  const bool summary_only = read_attr_i64(file_, "summary_only", 0) == 1;
  if (summary_only != options_.summary_only)
    mismatch("summary_only", summary_only ? "on" : "off", options_.summary_only ? "on" : "off");
}

void Hdf5Writer::write(const std::vector<Trajectory>& chunk, int first) {
  if (first != written_)
    throw IoError("internal: chunk starts at replicate " + std::to_string(first) +
                  " but the file has " + std::to_string(written_));
  const auto n = static_cast<hsize_t>(chunk.size());
  if (!options_.summary_only) {
    for (std::size_t k = 0; k < vars_.size(); ++k) {
      const int v = vars_[k];
      const VariableInfo& info = variables()[v];
      std::vector<hsize_t> shape = shape_of(v), start(shape.size(), 0), count = shape;
      start[0] = static_cast<hsize_t>(first);
      count[0] = n;
      const std::size_t cells = (chunk.front().*(info.series)).data().size();
      Handle file_space = space_handle(H5Dget_space(datasets_[k]), "dataspace");
      check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(),
                                nullptr),
            "select replicates");
      Handle mem = space_handle(
          H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), "memory space");
      herr_t status;
      if (enum_bits(v) == 16) {
        buffer16_.resize(n * cells);
        for (std::size_t r = 0; r < n; ++r) {
          const auto& d = (chunk[r].*(info.series)).data();
          for (std::size_t i = 0; i < cells; ++i)
            buffer16_[r * cells + i] = static_cast<short>(d[i]);
        }
        status = H5Dwrite(datasets_[k], H5T_NATIVE_SHORT, mem, file_space, H5P_DEFAULT,
                          buffer16_.data());
      } else if (enum_bits(v) == 8) {
        buffer8_.resize(n * cells);
        for (std::size_t r = 0; r < n; ++r) {
          const auto& d = (chunk[r].*(info.series)).data();
          for (std::size_t i = 0; i < cells; ++i)
            buffer8_[r * cells + i] = static_cast<signed char>(d[i]);
        }
        status =
            H5Dwrite(datasets_[k], H5T_NATIVE_SCHAR, mem, file_space, H5P_DEFAULT, buffer8_.data());
      } else if (options_.float32) {
        buffer32_.resize(n * cells);
        for (std::size_t r = 0; r < n; ++r) {
          const auto& d = (chunk[r].*(info.series)).data();
          for (std::size_t i = 0; i < cells; ++i)
            buffer32_[r * cells + i] = static_cast<float>(d[i]);
        }
        status = H5Dwrite(datasets_[k], H5T_NATIVE_FLOAT, mem, file_space, H5P_DEFAULT,
                          buffer32_.data());
      } else {
        buffer_.resize(n * cells);
        for (std::size_t r = 0; r < n; ++r) {
          const auto& d = (chunk[r].*(info.series)).data();
          std::copy(d.begin(), d.end(), buffer_.begin() + static_cast<long>(r * cells));
        }
        status =
            H5Dwrite(datasets_[k], H5T_NATIVE_DOUBLE, mem, file_space, H5P_DEFAULT, buffer_.data());
      }
      check(status, std::string("write ") + info.name + " to '" + path_ + "'");
    }
  }
  if (!options_.summary_only && events_ > 0) {
    std::vector<int> rows(n * static_cast<std::size_t>(events_));
    for (std::size_t r = 0; r < n; ++r)
      std::copy(chunk[r].event_period.begin(), chunk[r].event_period.end(),
                rows.begin() + static_cast<long>(r * static_cast<std::size_t>(events_)));
    const hsize_t start[2] = {static_cast<hsize_t>(first), 0};
    const hsize_t count[2] = {n, static_cast<hsize_t>(events_)};
    Handle file_space = space_handle(H5Dget_space(event_dataset_), "dataspace");
    check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
          "select replicates");
    Handle mem = space_handle(H5Screate_simple(2, count, nullptr), "memory space");
    check(H5Dwrite(event_dataset_, H5T_NATIVE_INT, mem, file_space, H5P_DEFAULT, rows.data()),
          "write event_period to '" + path_ + "'");
  }
  written_ = first + static_cast<int>(n);
  // Checkpoint: data first, then the count that says it is there.
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush '" + path_ + "'");
  attr_i64(file_, "replicates_written", written_);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush '" + path_ + "'");
}

void Hdf5Writer::finish(const SummaryAccumulator& summary) {
  Handle g = group_handle(H5Gcreate2(file_, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                          "create group summary");
  attr_string(g, "long_name", "mean and quantiles over replicates");
  attr_f64(g, "quantile_relative_accuracy", QuantileSketch::kRelativeAccuracy);
  attr_i64(g, "replicates", summary.count());
  write_provenance(g, s_, info_);
  attr_string(g, "title", "chipsim output: " + s_.name + " (statistics over replicates)");
  attr_string(g, "Conventions", "CF-1.8");
  std::vector<std::string> dims = {"stat", "period"};
  for (int v : vars_)
    for (const char* d : variables()[v].dims)
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.emplace_back(d);
  if (events_ > 0) dims.emplace_back("event");
  create_dimensions(g, s_, dims, 0);
  if (events_ > 0) {  // share of replicates in which each event fired within the horizon
    const auto fired = summary.events_fired();
    std::vector<double> p;
    for (long f : fired)
      p.push_back(summary.count() > 0
                      ? static_cast<double>(f) / static_cast<double>(summary.count())
                      : 0.0);
    Handle d = number_dataset(g, "event_probability", p, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    attr_string(d, "units", "1");
    attr_string(d, "long_name", "share of replicates in which the event fired within the horizon");
    attr_string(d, "coordinates", coordinates_attr({"event"}));
    Handle scale = dataset_handle(H5Dopen2(g, "event", H5P_DEFAULT), "open event");
    check(H5DSattach_scale(d, scale, 0), "attach event to event_probability");
  }
  for (std::size_t k = 0; k < vars_.size(); ++k) {
    const int v = vars_[k];
    const VariableInfo& info = variables()[v];
    std::vector<hsize_t> shape = shape_of(v);
    shape[0] = kSummaryStats.size();
    std::vector<double> data;
    for (std::size_t st = 0; st < kSummaryStats.size(); ++st) {
      const auto part = summary.stat(k, st);
      data.insert(data.end(), part.begin(), part.end());
    }
    Handle space = space_handle(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), "space");
    const hid_t file_type = options_.float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    Handle d = dataset_handle(
        H5Dcreate2(g, info.name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        std::string("create summary/") + info.name);
    check(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
          std::string("write summary/") + info.name);
    describe_variable(d, info, {"stat", "period"});
    attr_string(d, "long_name", std::string(info.long_name) + " (statistics over replicates)");
    std::vector<std::string> var_dims = {"stat", "period"};
    for (const char* x : info.dims)
      var_dims.emplace_back(x);
    for (std::size_t i = 0; i < var_dims.size(); ++i) {
      Handle scale =
          dataset_handle(H5Dopen2(g, var_dims[i].c_str(), H5P_DEFAULT), "open " + var_dims[i]);
      check(H5DSattach_scale(d, scale, static_cast<unsigned>(i)),
            "attach " + var_dims[i] + " to summary/" + info.name);
    }
  }
  attr_i64(file_, "complete", 1);
  close();
}

void Hdf5Writer::close() {
  if (file_.id() < 0) return;
  datasets_.clear();
  event_dataset_.reset();
  const herr_t flushed = H5Fflush(file_, H5F_SCOPE_GLOBAL);
  file_.reset();
  check(flushed, "flush '" + path_ + "'");
}

FileDescription describe_file(const std::string& path) {
  silence_hdf5();
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw IoError("'" + path + "' is not an HDF5 file (or cannot be read)");
  Handle f =
      file_handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open '" + path + "'");
  FileDescription d;
  if (read_attr_string(f, "format") != kFormat)
    throw IoError("'" + path + "' is an HDF5 file but not a chipsim output file (no format=" +
                  kFormat + " attribute on its root)");
  d.scenario_name = read_attr_string(f, "scenario");
  d.scenario_sha256 = read_attr_string(f, "scenario_sha256");
  d.scenario_text = read_attr_string(f, "scenario_text");
  d.version = read_attr_string(f, "chipsim_version");
  d.commit = read_attr_string(f, "git_commit");
  d.command_line = read_attr_string(f, "command_line");
  d.created = read_attr_string(f, "created");
  d.seed = static_cast<std::uint64_t>(read_attr_i64(f, "seed", 0));
  d.replicates = read_attr_i64(f, "replicates", 0);
  d.replicates_written = read_attr_i64(f, "replicates_written", 0);
  d.complete = read_attr_i64(f, "complete", 0) == 1;
  d.summary_only = read_attr_i64(f, "summary_only", 0) == 1;
  const std::string vars = read_attr_string(f, "variables");
  for (std::size_t a = 0, b; a <= vars.size(); a = b + 1) {
    b = vars.find(',', a);
    if (b == std::string::npos) b = vars.size();
    if (b > a) d.variables.push_back(vars.substr(a, b - a));
  }
  for (const char* dim :
       {"replicate", "period", "product", "vendor", "region", "channel", "buyer", "ecosystem",
        "event", "product_vendor", "vendor_region", "buyer_region", "event_policy", "event_kind"}) {
    if (H5Lexists(f, dim, H5P_DEFAULT) <= 0) continue;
    const bool auxiliary = std::string_view(dim).find('_') != std::string_view::npos;
    Handle ds = dataset_handle(H5Dopen2(f, dim, H5P_DEFAULT), std::string("open ") + dim);
    Handle sp = space_handle(H5Dget_space(ds), "space");
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, nullptr);
    if (!auxiliary) d.dimensions.emplace_back(dim, n);
    Handle ftype = type_handle(H5Dget_type(ds), "type");
    if (H5Tget_class(ftype) == H5T_STRING && n > 0) {
      Handle type = vlen_string_type();
      std::vector<char*> p(n, nullptr);
      check(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), std::string("read ") + dim);
      std::vector<std::string> labels;
      for (auto* x : p)
        labels.emplace_back(x ? x : "");
      H5Dvlen_reclaim(type, sp, H5P_DEFAULT, p.data());
      if (std::string(dim) == "period") d.period_labels = labels;
      d.labels.emplace_back(dim, std::move(labels));
    }
  }
  return d;
}

std::vector<double> read_summary(const std::string& path, const std::string& variable,
                                 std::vector<std::uint64_t>& shape) {
  return read_dataset(path, "summary/" + variable, shape);
}

std::vector<double> read_dataset(const std::string& path, const std::string& name,
                                 std::vector<std::uint64_t>& shape) {
  silence_hdf5();
  Handle f =
      file_handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open '" + path + "'");
  const auto slash = name.find('/');
  if ((slash != std::string::npos &&
       H5Lexists(f, name.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) ||
      H5Lexists(f, name.c_str(), H5P_DEFAULT) <= 0)
    throw IoError("'" + path + "' has no dataset " + name);
  Handle ds = dataset_handle(H5Dopen2(f, name.c_str(), H5P_DEFAULT), "open " + name);
  Handle sp = space_handle(H5Dget_space(ds), "space");
  const int rank = H5Sget_simple_extent_ndims(sp);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)), 0);
  H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
  shape.assign(dims.begin(), dims.end());
  hsize_t n = 1;
  for (auto x : shape)
    n *= x;
  std::vector<double> out(n);
  check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
  return out;
}

}  // namespace chipsim::io
