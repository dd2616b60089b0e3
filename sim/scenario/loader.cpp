// TOML -> Scenario. The only translation unit that includes toml++ (it is slow to compile).
//
// Flow: parse the file; if it has `extends`, load the parent first and move this file's
// values over it (moving keeps each value's source position, so errors point at the file
// that set the value); apply --set overrides the same way; then convert the merged table
// into the typed Scenario, collecting every problem; then check the supply-graph structure.
#include "scenario/loader.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include "graph/structure.hpp"
#include "scenario/sweep.hpp"
#include "scenario/targets.hpp"

namespace chipsim {
namespace {

namespace fs = std::filesystem;
constexpr double kInf = std::numeric_limits<double>::infinity();

SourceLoc loc_of(const toml::source_region& r) {
  SourceLoc l;
  if (r.path) {
    l.file = r.path;
    l.line = r.begin.line;
    l.column = r.begin.column;
  }
  return l;
}
SourceLoc loc_of(const toml::node& n) {
  return loc_of(n.source());
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string show(const toml::node& n) {
  std::ostringstream os;
  if (n.is_string())
    os << '"' << n.as_string()->get() << '"';
  else if (n.is_table())
    os << "{ ... }";
  else if (n.is_array())
    os << *n.as_array();  // its values, e.g. [1, "a"], never "an array" after type_name()
  else
    n.visit([&](auto&& v) { os << v; });
  std::string s = os.str();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

// Accepted range of a numeric value.
struct Range {
  double min = -kInf;
  double max = kInf;
  bool min_open = false;  // value must be > min rather than >= min
  [[nodiscard]] bool contains(double v) const {
    return (min_open ? v > min : v >= min) && v <= max;
  }
  [[nodiscard]] std::string describe() const {
    if (min == -kInf && max == kInf) return "a finite number";
    if (max == kInf) return std::string("a number ") + (min_open ? "> " : ">= ") + fmt(min);
    if (min == -kInf) return "a number <= " + fmt(max);
    return "a number " + std::string(min_open ? "in (" : "in [") + fmt(min) + ", " + fmt(max) + "]";
  }
};
constexpr Range kAny{};
constexpr Range kNonNegative{0, kInf};
constexpr Range kPositive{0, kInf, true};
constexpr Range kFraction{0, 1};
constexpr Range kGrowth{-1, kInf, true};  // growth rates: > -100% a year

// Reads one TOML table against a schema: every accessor records its key as known, and
// finish() reports every key that no accessor asked for.
class Reader {
 public:
  Reader(const toml::table& table, std::string path, Diagnostics& diags)
      : table_(table), path_(std::move(path)), diags_(diags) {}

  [[nodiscard]] std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] SourceLoc loc() const { return loc_of(table_); }
  [[nodiscard]] SourceLoc loc(std::string_view key) const {
    const toml::node* n = table_.get(key);
    return n ? loc_of(*n) : loc();
  }
  Diagnostics& diags() { return diags_; }

  const toml::node* node(std::string_view key) {
    known_.emplace(key);
    return table_.get(key);
  }
  void error(std::string_view key, std::string message) {
    diags_.error(loc(key), key_path(key), std::move(message));
  }
  void missing(std::string_view key, std::string_view expected) {
    diags_.error(loc(), key_path(key),
                 "required key is missing; expected " + std::string(expected));
  }

  std::optional<double> number(std::string_view key, Range range, bool required) {
    const toml::node* n = node(key);
    if (!n) {
      if (required) missing(key, range.describe());
      return std::nullopt;
    }
    return to_number(*n, key_path(key), range);
  }
  double number(std::string_view key, Range range, double fallback) {
    return number(key, range, false).value_or(fallback);
  }

  // A constant or a distribution table; `fallback` nullopt makes the key required.
  Param param(std::string_view key, Range range, std::optional<double> fallback) {
    const toml::node* n = node(key);
    if (!n) {
      if (!fallback) {
        missing(key, range.describe() + " or a distribution table");
        return Param::constant(std::isfinite(range.min) ? range.min : 0.0);
      }
      return Param::constant(*fallback);
    }
    if (const auto* t = n->as_table()) return distribution(*t, key_path(key), range);
    Param p = Param::constant(to_number(*n, key_path(key), range).value_or(0.0));
    p.loc = loc_of(*n);
    return p;
  }

  std::optional<std::string> string(std::string_view key, bool required) {
    const toml::node* n = node(key);
    if (!n) {
      if (required) missing(key, "a string");
      return std::nullopt;
    }
    if (!n->is_string()) {
      error(key, "expected a string, got " + type_name(*n) + " " + show(*n));
      return std::nullopt;
    }
    return n->as_string()->get();
  }

  bool boolean(std::string_view key, bool fallback) {
    const toml::node* n = node(key);
    if (!n) return fallback;
    if (!n->is_boolean()) {
      error(key, "expected true or false, got " + type_name(*n) + " " + show(*n));
      return fallback;
    }
    return n->as_boolean()->get();
  }

  std::int64_t integer(std::string_view key, std::int64_t lo, std::int64_t hi,
                       std::int64_t fallback) {
    const toml::node* n = node(key);
    if (!n) return fallback;
    const auto* v = n->as_integer();
    if (!v || v->get() < lo || v->get() > hi) {
      error(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "], got " + type_name(*n) + " " + show(*n));
      return fallback;
    }
    return v->get();
  }

  // One of `choices`; reports a did-you-mean otherwise.
  std::optional<std::string> choice(std::string_view key, const std::vector<std::string>& choices,
                                    std::optional<std::string> fallback) {
    auto s = string(key, !fallback);
    if (!s) return table_.get(key) ? std::nullopt : fallback;
    if (std::find(choices.begin(), choices.end(), *s) == choices.end()) {
      error(key, "expected one of " + join(choices) + ", got \"" + *s + "\"" +
                     did_you_mean(*s, choices));
      return std::nullopt;
    }
    return s;
  }

  // One enumerator of E, named as to_string(E) names it; `last` is E's last enumerator.
  template <class E>
  std::optional<E> enumeration(std::string_view key, E last,
                               std::type_identity_t<std::optional<E>> fallback) {
    std::vector<std::string> names;
    for (int i = 0; i <= static_cast<int>(last); ++i)
      names.emplace_back(to_string(static_cast<E>(i)));
    const auto name = choice(
        key, names, fallback ? std::optional<std::string>(to_string(*fallback)) : std::nullopt);
    if (!name) return std::nullopt;
    return static_cast<E>(std::find(names.begin(), names.end(), *name) - names.begin());
  }

  // A string or an array of strings; duplicates are errors.
  std::vector<std::string> strings(std::string_view key, bool required) {
    std::vector<std::string> out;
    const toml::node* n = node(key);
    if (!n) {
      if (required) missing(key, "a string or an array of strings");
      return out;
    }
    if (n->is_string()) return {n->as_string()->get()};
    const auto* arr = n->as_array();
    if (!arr) {
      error(key, "expected a string or an array of strings, got " + type_name(*n));
      return out;
    }
    for (const auto& item : *arr) {
      if (!item.is_string()) {
        diags_.error(loc_of(item), key_path(key),
                     "expected an array of strings, found " + type_name(item) + " " + show(item));
        continue;
      }
      const std::string& s = item.as_string()->get();
      if (std::find(out.begin(), out.end(), s) != out.end()) {
        diags_.error(loc_of(item), key_path(key), "\"" + s + "\" is listed twice");
        continue;
      }
      out.push_back(s);
    }
    return out;
  }

  const toml::table* table(std::string_view key, bool required) {
    const toml::node* n = node(key);
    if (!n) {
      if (required) missing(key, "a table");
      return nullptr;
    }
    if (!n->is_table()) {
      error(key, "expected a table, got " + type_name(*n) + " " + show(*n));
      return nullptr;
    }
    return n->as_table();
  }

  // Reports every key not read; `context` follows "unknown key 'x'" (e.g. " for a rule of
  // type 'entity_list'").
  void finish(std::string_view context = {}) {
    std::vector<std::string> known(known_.begin(), known_.end());
    for (const auto& [k, v] : table_) {
      const std::string key(k.str());
      if (known_.count(key)) continue;
      diags_.error(loc_of(k.source()), key_path(key),
                   "unknown key '" + key + "'" + std::string(context) + did_you_mean(key, known) +
                       "; expected one of " + join(known));
    }
  }

  static std::string join(const std::vector<std::string>& v) {
    return v.empty() ? "nothing" : join_names(v);
  }

  std::optional<double> to_number(const toml::node& n, const std::string& key, Range range) {
    double v = 0;
    if (const auto* i = n.as_integer())
      v = static_cast<double>(i->get());
    else if (const auto* f = n.as_floating_point())
      v = f->get();
    else {
      diags_.error(loc_of(n), key,
                   "expected " + range.describe() + ", got " + type_name(n) + " " + show(n));
      return std::nullopt;
    }
    if (!std::isfinite(v) || !range.contains(v)) {
      diags_.error(loc_of(n), key, "expected " + range.describe() + ", got " + show(n));
      return std::nullopt;
    }
    return v;
  }

 private:
  Param distribution(const toml::table& t, const std::string& key, Range range) {
    Reader r(t, key, diags_);
    Param p;
    p.loc = loc_of(t);
    static const std::vector<std::string> kinds = {"normal", "lognormal", "uniform", "triangular",
                                                   "beta"};
    const auto kind = r.choice("dist", kinds, std::nullopt);
    if (!kind) {
      r.finish();
      return Param::constant(range.contains(0) ? 0.0 : range.min);
    }
    const std::size_t before = diags_.items().size();
    auto bad = [&](const std::string& msg) { diags_.error(p.loc, key, msg); };
    if (*kind == "normal") {
      p.kind = DistKind::normal;
      p.a = r.number("mean", kAny, true).value_or(0);
      p.b = r.number("sd", kPositive, true).value_or(1);
      p.low = r.number("low", kAny, -kInf);
      p.high = r.number("high", kAny, kInf);
    } else if (*kind == "lognormal") {
      p.kind = DistKind::lognormal;
      p.a = r.number("median", kPositive, true).value_or(1);
      p.b = r.number("sigma", kPositive, true).value_or(1);
      p.low = r.number("low", kNonNegative, 0.0);
      p.high = r.number("high", kAny, kInf);
    } else if (*kind == "uniform") {
      p.kind = DistKind::uniform;
      p.low = r.number("low", kAny, true).value_or(0);
      p.high = r.number("high", kAny, true).value_or(1);
    } else if (*kind == "triangular") {
      p.kind = DistKind::triangular;
      p.low = r.number("low", kAny, true).value_or(0);
      p.a = r.number("mode", kAny, true).value_or(0);
      p.high = r.number("high", kAny, true).value_or(1);
      if (diags_.items().size() == before && (p.a < p.low || p.a > p.high))
        bad("triangular mode " + fmt(p.a) + " must lie in [low, high] = [" + fmt(p.low) + ", " +
            fmt(p.high) + "]");
    } else {
      p.kind = DistKind::beta;
      p.a = r.number("alpha", kPositive, true).value_or(1);
      p.b = r.number("beta", kPositive, true).value_or(1);
      p.low = r.number("low", kAny, 0.0);
      p.high = r.number("high", kAny, 1.0);
    }
    r.finish(" in a " + *kind + " distribution");
    if (diags_.items().size() != before) return Param::constant(p.central());
    if (!(p.low < p.high)) {
      bad(*kind + " distribution needs low < high, got low=" + fmt(p.low) +
          ", high=" + fmt(p.high));
      return Param::constant(p.central());
    }
    if ((p.kind == DistKind::normal || p.kind == DistKind::lognormal) &&
        !(p.a >= p.low && p.a <= p.high)) {
      bad(std::string(*kind == "normal" ? "mean " : "median ") + fmt(p.a) +
          " lies outside the truncation interval [" + fmt(p.low) + ", " + fmt(p.high) + "]");
      return Param::constant(p.central());
    }
    // The whole support must be admissible for the parameter.
    const bool low_ok =
        range.min_open ? p.low > range.min || (p.kind == DistKind::lognormal && p.low >= range.min)
                       : p.low >= range.min;
    if (!low_ok || p.high > range.max) {
      bad(*kind + " distribution can take values outside the admissible range (" +
          range.describe() + "); set low/high to truncate it inside that range");
      return Param::constant(p.central());
    }
    return p;
  }

  const toml::table& table_;
  std::string path_;
  Diagnostics& diags_;
  std::set<std::string, std::less<>> known_;
};

// ---------------------------------------------------------------------------------------
// extends and --set

void merge_into(toml::table& base, toml::table&& overlay) {
  for (auto&& [key, value] : overlay) {
    toml::node* existing = base.get(key.str());
    if (existing && existing->is_table() && value.is_table()) {
      merge_into(*existing->as_table(), std::move(*value.as_table()));
      continue;
    }
    const toml::key& name = key;  // clang 14 cannot capture a structured binding
    value.visit([&](auto&& v) { base.insert_or_assign(name, std::move(v)); });
  }
}

std::optional<toml::table> parse_toml(std::string_view text, const std::string& name,
                                      Diagnostics& diags) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    SourceLoc l = loc_of(e.source());
    if (!l.known()) l.file = std::make_shared<const std::string>(name);
    diags.error(l, "", "TOML syntax error: " + std::string(e.description()));
    return std::nullopt;
  }
}

std::optional<toml::table> load_chain(const std::string& path, const std::string* text,
                                      std::vector<std::string>& chain, Diagnostics& diags,
                                      const SourceLoc& from) {
  std::string content;
  if (text) {
    content = *text;
  } else {
    // A directory opens as an empty stream on Linux: refuse it before reading.
    std::error_code dir_ec;
    const bool directory = fs::is_directory(path, dir_ec);
    errno = 0;
    std::ifstream in;
    if (!directory) in.open(path, std::ios::binary);
    if (directory || !in) {
      const std::string why = directory ? "it is a directory; expected a scenario file (.toml)"
                                        : std::string(std::strerror(errno ? errno : ENOENT));
      if (from.known())
        diags.error(from, "extends", "cannot read parent scenario '" + path + "': " + why);
      else
        diags.error({std::make_shared<const std::string>(path), 0, 0}, "",
                    "cannot read scenario file: " + why);
      return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    content = ss.str();
  }
  auto table = parse_toml(content, path, diags);
  if (!table) return std::nullopt;
  const toml::node* ext = table->get("extends");
  if (!ext) return table;
  if (!ext->is_string()) {
    diags.error(loc_of(*ext), "extends",
                "expected the path of a parent scenario as a string, got " + type_name(*ext));
    return std::nullopt;
  }
  fs::path parent = ext->as_string()->get();
  if (parent.is_relative() && !text) parent = fs::path(path).parent_path() / parent;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(parent, ec);
  const std::string key = ec ? parent.string() : canonical.string();
  if (std::find(chain.begin(), chain.end(), key) != chain.end()) {
    std::string cycle;
    for (const auto& c : chain)
      cycle += c + " -> ";
    diags.error(loc_of(*ext), "extends", "extends loop: " + cycle + key);
    return std::nullopt;
  }
  chain.push_back(key);
  auto base = load_chain(parent.string(), nullptr, chain, diags, loc_of(*ext));
  if (!base) return std::nullopt;
  table->erase("extends");
  // output.path is not inherited: a what-if that names no file of its own must not write
  // over its parent's output (it writes <scenario name>.h5 instead; docs/SCENARIOS.md).
  const toml::table* own_output = table->get_as<toml::table>("output");
  if (!own_output || !own_output->contains("path"))
    if (auto* parent_output = base->get_as<toml::table>("output")) parent_output->erase("path");
  merge_into(*base, std::move(*table));
  return base;
}

// True for a table of named tables (products, buyers, a policy's rules, ...).
bool is_collection(const toml::table& t) {
  return !t.empty() &&
         std::all_of(t.begin(), t.end(), [](const auto& kv) { return kv.second.is_table(); });
}

// Reports a --set key that descends into a named entity the scenario does not have but whose
// name is close to one it has, e.g. `inventory.stock_a.quantity` when the inventory is
// `stock-a`: merged, it would create a new, incomplete entity and a confusing "missing key"
// error. A name close to none is a new entity (its missing keys are reported as usual), and
// a whole new entity can always be given inline (`buyer.NEW={ ... }`). Returns false if it
// reported anything.
bool check_override_keys(const toml::table& base, const toml::table& overlay,
                         const std::string& prefix, Diagnostics& diags) {
  bool ok = true;
  for (auto&& [k, v] : overlay) {
    const auto* sub = v.as_table();
    if (!sub || sub->is_inline()) continue;
    const std::string name(k.str());
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (const toml::node* existing = base.get(name)) {
      if (const auto* t = existing->as_table())
        ok = check_override_keys(*t, *sub, path, diags) && ok;
      continue;
    }
    if (!is_collection(base)) continue;
    std::vector<std::string> names;
    for (const auto& kv : base)
      names.emplace_back(kv.first.str());
    const std::string hint = did_you_mean(name, names);
    if (hint.empty()) continue;  // a new entity, not a misspelt one
    diags.error(loc_of(k.source()), path,
                "no entry named '" + name + "' under '" + prefix + "'" + hint +
                    "; to add a new one, give the whole table inline (" + path + "={ ... })");
    ok = false;
  }
  return ok;
}

void apply_override(toml::table& root, const std::string& text, int index, Diagnostics& diags) {
  const std::string name = "--set#" + std::to_string(index);
  const auto eq = text.find('=');
  auto source = std::make_shared<const std::string>(name);
  if (eq == std::string::npos || eq == 0) {
    diags.error({source, 1, 1}, "", "expected --set KEY.PATH=VALUE, got '" + text + "'");
    return;
  }
  // One key per --set: a line break would let one argument set several keys.
  if (const auto nl = text.find_first_of("\r\n"); nl != std::string::npos) {
    diags.error({source, 1, static_cast<std::uint32_t>(nl + 1)}, text.substr(0, eq),
                "expected one line, KEY.PATH=VALUE, but the value contains a line break; pass "
                "one key per --set");
    return;
  }
  // Parsed as a one-line TOML document, so dotted keys and every TOML value type work and
  // columns in messages match the argument. A value that is not TOML is taken as a string.
  Diagnostics attempt;
  auto table = parse_toml(text, name, attempt);
  if (!table) {
    std::string key = text.substr(0, eq), value = text.substr(eq + 1);
    std::string quoted;
    for (char c : value) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    table = parse_toml(key + "=\"" + quoted + "\"", name, diags);
    if (!table) return;
  }
  if (!check_override_keys(root, *table, "", diags)) return;
  merge_into(root, std::move(*table));
}

// ---------------------------------------------------------------------------------------
// Conversion

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

class Converter {
 public:
  Converter(const toml::table& root, Diagnostics& diags) : root_(root), diags_(diags) {}

  Scenario run() {
    Reader top(root_, "", diags_);
    s_.name = top.string("name", true).value_or("");
    s_.description = top.string("description", false).value_or("");
    simulation(top);
    mechanisms(top);
    market(top);
    output(top);
    each(top, "region", [&](Reader& r, const std::string& n) { region(r, n); });
    each(top, "ecosystem", [&](Reader& r, const std::string& n) { ecosystem(r, n); });
    each(top, "foundry", [&](Reader& r, const std::string& n) { foundry(r, n); });
    each(top, "memory", [&](Reader& r, const std::string& n) { memory(r, n); });
    each(top, "packager", [&](Reader& r, const std::string& n) { packager(r, n); });
    each(top, "vendor", [&](Reader& r, const std::string& n) { vendor(r, n); });
    // Products reference each other (components), so all names are known first.
    if (const auto* t = as_table_or_null(root_.get("product")))
      for (const auto& [k, v] : *t)
        product_names_.emplace_back(k.str());
    each(top, "product", [&](Reader& r, const std::string& n) { product(r, n); });
    resolve_reference_product();
    each(top, "inventory", [&](Reader& r, const std::string& n) { inventory(r, n); });
    each(top, "buyer", [&](Reader& r, const std::string& n) { buyer(r, n); });
    each(top, "channel", [&](Reader& r, const std::string& n) { channel(r, n); });
    each(top, "policy", [&](Reader& r, const std::string& n) { policy(r, n); });
    top.finish();
    require_nonempty(top);
    return std::move(s_);
  }

 private:
  static const toml::table* as_table_or_null(const toml::node* n) {
    return n ? n->as_table() : nullptr;
  }

  // Calls fn for each entry of the table-of-tables `section`, in key order, or with
  // `file_order` in the order the entries appear in their file (entries from different
  // files, e.g. an overlay and the file it extends, grouped by file path): rules use file
  // order, because ties between rules are broken by it (docs/MODEL.md, section 1).
  template <class Fn>
  void each(Reader& parent, const std::string& section, Fn fn, bool file_order = false) {
    const toml::table* t = parent.table(section, false);
    if (!t) return;
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (const auto& [k, v] : *t)
      entries.emplace_back(&k, &v);
    if (file_order)
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& sa = a.first->source();
        const auto& sb = b.first->source();
        const std::string pa = sa.path ? *sa.path : std::string();
        const std::string pb = sb.path ? *sb.path : std::string();
        if (pa != pb) return pa < pb;
        return std::pair(sa.begin.line, sa.begin.column) <
               std::pair(sb.begin.line, sb.begin.column);
      });
    for (const auto& [kp, vp] : entries) {
      const toml::key& k = *kp;
      const toml::node& v = *vp;
      const std::string name(k.str());
      const std::string path = parent.key_path(section) + "." + name;
      if (!valid_name(name)) {
        diags_.error(
            loc_of(k.source()), path,
            "invalid name '" + name + "'; expected 1-64 characters from A-Z a-z 0-9 _ - +");
        continue;
      }
      if (!v.is_table()) {
        diags_.error(
            loc_of(v), path,
            "expected a table describing " + section + " '" + name + "', got " + type_name(v));
        continue;
      }
      Reader r(*v.as_table(), path, diags_);
      fn(r, name);
      r.finish();
    }
  }

  // Resolves a name against a list, with did-you-mean.
  template <class T>
  int ref(Reader& r, std::string_view key, const std::string& name, const std::vector<T>& list,
          const char* what) {
    const int i = lookup(
        &list, list.size(), [&list](std::size_t k) { return list[k].name; }, name);
    if (i != kNone) return i;
    r.error(key, "no " + std::string(what) + " named '" + name + "'" +
                     did_you_mean(name, names_of(list)));
    return kNone;
  }
  // Name -> index of each list that references resolve against, kept up to date as the
  // list grows (the lists only grow while loading), so that a reference costs a hash lookup
  // instead of a scan: a world of 10^5 nodes makes millions of references.
  struct NameIndex {
    std::size_t indexed = 0;
    std::unordered_map<std::string, int> at;
  };
  std::unordered_map<const void*, NameIndex> name_index_;
  template <class NameOf>
  int lookup(const void* list, std::size_t size, NameOf&& name_of, const std::string& name) {
    NameIndex& index = name_index_[list];
    for (; index.indexed < size; ++index.indexed)  // the first of equal names wins, as in a scan
      index.at.emplace(name_of(index.indexed), static_cast<int>(index.indexed));
    const auto it = index.at.find(name);
    return it == index.at.end() ? kNone : it->second;
  }

  template <class T>
  int ref_key(Reader& r, std::string_view key, const std::vector<T>& list, const char* what,
              bool required = true) {
    auto name = r.string(key, required);
    return name ? ref(r, key, *name, list, what) : kNone;
  }
  template <class T>
  std::vector<int> refs(Reader& r, std::string_view key, const std::vector<T>& list,
                        const char* what) {
    std::vector<int> out;
    for (const auto& n : r.strings(key, false)) {
      const int i = ref(r, key, n, list, what);
      if (i != kNone) out.push_back(i);
    }
    return out;
  }

  // A date as a period index. `max_index` bounds it (inclusive).
  // The period containing the date at `key`; `share`, if given, receives the share of that
  // period from the date on (Calendar::share_from).
  std::optional<int> date(Reader& r, std::string_view key, bool required, int max_index,
                          double* share = nullptr) {
    const toml::node* n = r.node(key);
    if (!n) {
      if (required) r.missing(key, "a date such as \"2025Q3\" or \"2025-08-12\"");
      return std::nullopt;
    }
    Date d;
    if (const auto* dv = n->as_date()) {
      d = {dv->get().year, dv->get().month, dv->get().day};
      if (d.year < 1900 || d.year > 2200) {
        r.error(key, "lies outside the years chipsim supports, 1900 to 2200");
        return std::nullopt;
      }
      if (!valid_date(d.year, d.month, d.day)) {
        r.error(key, "not a real calendar date");
        return std::nullopt;
      }
    } else if (n->is_string()) {
      std::string why;
      auto parsed = parse_date(n->as_string()->get(), why);
      if (!parsed) {
        r.error(key, why);
        return std::nullopt;
      }
      d = *parsed;
    } else {
      r.error(key, "expected a date such as \"2025Q3\", \"2025-08\" or \"2025-08-12\", got " +
                       type_name(*n) + " " + show(*n));
      return std::nullopt;
    }
    const int index = s_.calendar.index_of(d);
    if (share) *share = index < 0 ? 1.0 : s_.calendar.share_from(d);
    if (horizon_known_ && index > max_index) {
      r.error(key, "date " + show(*n) + " lies after the end of the simulation (" +
                       s_.calendar.label(s_.calendar.periods - 1) + ")");
      return std::nullopt;
    }
    return index;
  }
  int last_period() const { return s_.calendar.periods - 1; }

  void simulation(Reader& top) {
    const toml::table* t = top.table("simulation", true);
    if (!t) {
      s_.calendar.periods = 1;
      return;
    }
    Reader r(*t, "simulation", diags_);
    const auto length = r.choice("period", {"quarter", "month"}, "quarter");
    s_.calendar.length = length == "month" ? PeriodLength::month : PeriodLength::quarter;
    s_.calendar.periods = 1;
    std::optional<Date> start, end;
    for (auto [key, slot] : {std::pair{"start", &start}, std::pair{"end", &end}}) {
      auto text = r.string(key, true);
      if (!text) continue;
      std::string why;
      *slot = parse_date(*text, why);
      if (!*slot) r.error(key, why);
      // An end given as a quarter runs to the last month of that quarter.
      if (*slot && slot == &end && text->find_first_of("Qq") != std::string::npos)
        (*slot)->month += 2;
    }
    if (start && end) {
      if (s_.calendar.length == PeriodLength::quarter && (start->month - 1) % 3 != 0) {
        r.error("start", "a quarterly simulation must start at the first month of a quarter");
      }
      s_.calendar.start_year = start->year;
      s_.calendar.start_month = start->month;
      const int end_index = s_.calendar.index_of(*end);
      if (end_index < 0) {
        r.error("end", "the end (" + s_.calendar.label(end_index) + ") lies before the start (" +
                           s_.calendar.label(0) + ")");
      } else if (end_index >= 1200) {
        r.error("end", "the horizon is " + std::to_string(end_index + 1) +
                           " periods; at most 1200 are supported");
      } else {
        s_.calendar.periods = end_index + 1;
        horizon_known_ = true;
      }
    }
    s_.replicates = static_cast<int>(r.integer("replicates", 1, 100'000'000, 1000));
    s_.seed = static_cast<std::uint64_t>(r.integer("seed", 0, INT64_MAX, 1));
    r.finish();
  }

  void mechanisms(Reader& top) {
    const toml::table* t = top.table("mechanisms", false);
    if (!t) return;
    Reader r(*t, "mechanisms", diags_);
    auto& m = s_.mechanisms;
    m.bottlenecks = r.boolean("bottlenecks", true);
    m.learning = r.boolean("learning", true);
    m.policy_shocks = r.boolean("policy_shocks", true);
    m.importer_policy = r.boolean("importer_policy", true);
    m.substitution = r.boolean("substitution", true);
    m.leakage = r.boolean("leakage", true);
    m.rationing = r.boolean("rationing", true);
    m.shared_capacity = r.boolean("shared_capacity", true);
    r.finish();
  }

  void market(Reader& top) {
    static const toml::table empty;
    const toml::table* t = top.table("market", false);
    Reader r(t ? *t : empty, "market", diags_);
    auto& m = s_.market;
    m.pue = r.param("pue", {1, 3}, 1.3);
    m.utilisation_hours = r.param("utilisation_hours", {0, 8784}, 7000);
    m.service_life = r.param("service_life", kPositive, 5);
    m.price_adjustment = r.param("price_adjustment", kNonNegative, 0.3);
    m.expectation_weight = r.param("expectation_weight", {0, 1, true}, 0.5);
    m.logit_noise = r.param("logit_noise", kPositive, 1.0);
    m.fee_passthrough = r.param("fee_passthrough", kFraction, 1.0);
    m.inference_intensity = r.param("inference_intensity", kPositive, 100.0);
    m.training_ecosystem_factor = r.param("training_ecosystem_factor", kNonNegative, 2.0);
    m.utilisation_floor = r.param("utilisation_floor", kFraction, 0.5);
    m.stockpile_boost = r.param("stockpile_boost", kNonNegative, 1.0);
    m.stockpile_periods = r.param("stockpile_periods", kNonNegative, 4.0);
    m.efficiency_feedback = r.param("efficiency_feedback", kNonNegative, 0.5);
    m.ecosystem_base_units = r.param("ecosystem_base_units", kPositive, 1.0e5);
    // Resolved once the products are known (resolve_reference_product).
    reference_name_ = r.string("reference_product", false);
    if (const toml::node* n = r.node("reference_product")) reference_loc_ = loc_of(*n);
    r.finish();
  }

  void resolve_reference_product() {
    if (!reference_name_) return;
    for (std::size_t i = 0; i < s_.products.size(); ++i)
      if (s_.products[i].name == *reference_name_) {
        s_.market.reference_product = static_cast<int>(i);
        return;
      }
    diags_.error(reference_loc_, "market.reference_product",
                 "no product named '" + *reference_name_ + "'" +
                     did_you_mean(*reference_name_, names_of(s_.products)) +
                     "; expected the product whose compute is the unit of "
                     "installed_equivalents");
  }

  void output(Reader& top) {
    const toml::table* t = top.table("output", false);
    if (!t) return;
    Reader r(*t, "output", diags_);
    auto& o = s_.output;
    o.path = r.string("path", false).value_or("");
    o.variables = r.strings("variables", false);
    o.compression = static_cast<int>(r.integer("compression", 0, 9, 1));
    o.precision = r.choice("precision", {"float64", "float32"}, "float64") == "float32"
                      ? Precision::float32
                      : Precision::float64;
    o.chunk_replicates = static_cast<int>(r.integer("chunk_replicates", 1, 1'000'000, 0));
    if (const toml::node* n = r.node("chunk_replicates")) o.chunk_replicates_loc = loc_of(*n);
    r.finish();
  }

  void region(Reader& r, const std::string& name) {
    Region x;
    x.name = name;
    x.loc = r.loc();
    x.long_name = r.string("long_name", false).value_or(name);
    x.electricity_price = r.param("electricity_price", kNonNegative, std::nullopt);
    s_.regions.push_back(std::move(x));
  }

  void ecosystem(Reader& r, const std::string& name) {
    Ecosystem x;
    x.name = name;
    x.loc = r.loc();
    x.maturity = r.param("maturity", kFraction, std::nullopt);
    x.learning = r.param("learning", kNonNegative, 0.0);
    s_.ecosystems.push_back(std::move(x));
  }

  void foundry(Reader& r, const std::string& name) {
    Foundry f;
    f.name = name;
    f.loc = r.loc();
    f.region = ref_key(r, "region", s_.regions, "region");
    f.equipment_dependence = r.param("equipment_dependence", kFraction, 0.0);
    const int index = static_cast<int>(s_.foundries.size());
    s_.foundries.push_back(f);
    each(r, "node", [&](Reader& nr, const std::string& node_name) {
      ProcessNode n;
      n.name = node_name;
      n.foundry = index;
      n.loc = nr.loc();
      n.capacity = nr.param("capacity", kNonNegative, std::nullopt);
      n.growth = nr.param("growth", kGrowth, 0.0);
      n.wafer_cost = nr.param("wafer_cost", kNonNegative, std::nullopt);
      n.yield_initial = nr.param("yield", kFraction, std::nullopt);
      n.yield_ceiling = nr.param("yield_ceiling", kFraction, std::nullopt);
      n.learning_rate = nr.param("learning_rate", {0, 1, false}, 0.0);
      n.cumulative_wafers = nr.param("cumulative_wafers", kPositive, 1.0);
      n.online = date(nr, "online", false, last_period()).value_or(n.online);
      if (n.yield_initial.is_constant() && n.yield_ceiling.is_constant() &&
          n.yield_initial.a > n.yield_ceiling.a)
        nr.error("yield", "initial yield " + fmt(n.yield_initial.a) + " exceeds yield_ceiling " +
                              fmt(n.yield_ceiling.a));
      s_.foundries[index].nodes.push_back(static_cast<int>(s_.nodes.size()));
      s_.nodes.push_back(std::move(n));
    });
    if (s_.foundries[index].nodes.empty())
      r.error("node",
              "a foundry needs at least one process node ([foundry." + name + ".node.NAME])");
  }

  void memory(Reader& r, const std::string& name) {
    MemorySupplier m;
    m.name = name;
    m.loc = r.loc();
    m.region = ref_key(r, "region", s_.regions, "region");
    m.generation = r.string("generation", true).value_or("");
    m.capacity = r.param("capacity", kNonNegative, std::nullopt);
    m.growth = r.param("growth", kGrowth, 0.0);
    m.price = r.param("price", kNonNegative, std::nullopt);
    m.online = date(r, "online", false, last_period()).value_or(m.online);
    s_.memory.push_back(std::move(m));
  }

  void packager(Reader& r, const std::string& name) {
    Packager p;
    p.name = name;
    p.loc = r.loc();
    p.region = ref_key(r, "region", s_.regions, "region");
    p.capacity = r.param("capacity", kNonNegative, std::nullopt);
    p.growth = r.param("growth", kGrowth, 0.0);
    p.cost = r.param("cost", kNonNegative, 0.0);
    p.online = date(r, "online", false, last_period()).value_or(p.online);
    s_.packagers.push_back(std::move(p));
  }

  void vendor(Reader& r, const std::string& name) {
    Vendor v;
    v.name = name;
    v.loc = r.loc();
    v.region = ref_key(r, "region", s_.regions, "region");
    v.ecosystem = ref_key(r, "ecosystem", s_.ecosystems, "ecosystem");
    s_.vendors.push_back(std::move(v));
  }

  void product(Reader& r, const std::string& name) {
    Product p;
    p.name = name;
    p.loc = r.loc();
    p.vendor = ref_key(r, "vendor", s_.vendors, "vendor");
    p.launch = date(r, "launch", true, last_period()).value_or(0);
    if (auto retire = date(r, "retire", false, std::numeric_limits<int>::max())) {
      p.retire = *retire;
      if (p.retire <= p.launch) r.error("retire", "retire date must come after launch");
    }
    auto& sp = p.specs;
    sp.tflops_bf16 = r.number("tflops_bf16", kPositive, true).value_or(1);
    sp.memory_gb = r.number("memory_gb", kNonNegative, true).value_or(0);
    sp.bandwidth_tbs = r.number("bandwidth_tbs", kNonNegative, true).value_or(0);
    sp.interconnect_gbs = r.number("interconnect_gbs", kNonNegative, 0.0);
    sp.power_w = r.number("power_w", kPositive, true).value_or(1);
    sp.die_area_mm2 = r.number("die_area_mm2", {0, 2500, true}, true).value_or(1);
    sp.dies_per_package = static_cast<int>(r.integer("dies_per_package", 1, 64, 1));
    p.price = r.param("price", kPositive, std::nullopt);
    p.markets = refs(r, "markets", s_.regions, "region");

    const toml::table* in = r.table("inputs", true);
    if (in) {
      Reader ir(*in, r.key_path("inputs"), diags_);
      auto& x = p.inputs;
      x.loc = ir.loc();
      if (auto node = ir.string("node", false)) x.node = node_ref(ir, "node", *node);
      x.dies_per_wafer = ir.param("dies_per_wafer", kPositive, 0.0);
      if (const toml::table* hbm = ir.table("hbm", false)) {
        Reader hr(*hbm, ir.key_path("hbm"), diags_);
        x.hbm_generations = hr.strings("generations", true);
        x.hbm_stacks = static_cast<int>(hr.integer("stacks", 1, 64, 1));
        if (!hbm->get("stacks")) hr.missing("stacks", "an integer in [1, 64]");
        hr.finish();
      }
      if (const toml::table* pk = ir.table("packaging", false)) {
        Reader pr(*pk, ir.key_path("packaging"), diags_);
        x.packagers = refs(pr, "packagers", s_.packagers, "packager");
        if (!pk->get("packagers")) pr.missing("packagers", "an array of packager names");
        x.packages_per_wafer = pr.param("per_wafer", kPositive, std::nullopt);
        pr.finish();
      }
      if (const toml::table* comp = ir.table("components", false)) {
        for (const auto& [k, v] : *comp) {
          ComponentInput c;
          c.loc = loc_of(k.source());
          const std::string cname(k.str());
          const std::string key = ir.key_path("components") + "." + cname;
          c.product = lookup(
              &product_names_, product_names_.size(),
              [this](std::size_t i) { return product_names_[i]; }, cname);
          if (c.product == kNone) {
            diags_.error(c.loc, key,
                         "no product named '" + cname + "'" + did_you_mean(cname, product_names_));
            continue;
          }
          const auto* count = v.as_integer();
          if (!count || count->get() < 1 || count->get() > 64) {
            diags_.error(loc_of(v), key,
                         "expected a component count, an integer in [1, 64], got " + show(v));
            continue;
          }
          c.count = static_cast<int>(count->get());
          x.components.push_back(c);
        }
      }
      ir.finish();
      if (x.node == kNone && x.components.empty() && !in->get("node") && !in->get("components"))
        diags_.error(
            x.loc, r.key_path("inputs"),
            "product '" + name + "' has no inputs; expected a foundry `node` or `components`");
    }
    s_.products.push_back(std::move(p));
  }

  int node_ref(Reader& r, std::string_view key, const std::string& label) {
    const int i = lookup(
        &s_.nodes, s_.nodes.size(),
        [this](std::size_t k) { return s_.node_label(static_cast<int>(k)); }, label);
    if (i != kNone) return i;
    std::vector<std::string> labels;
    for (std::size_t k = 0; k < s_.nodes.size(); ++k)
      labels.push_back(s_.node_label(static_cast<int>(k)));
    r.error(key, "no foundry node named '" + label + "' (expected FOUNDRY.NODE)" +
                     did_you_mean(label, labels));
    return kNone;
  }

  void inventory(Reader& r, const std::string& name) {
    Inventory v;
    v.name = name;
    v.loc = r.loc();
    v.kind = r.enumeration("kind", InventoryKind::finished, std::nullopt)
                 .value_or(InventoryKind::die_bank);
    if (v.kind == InventoryKind::hbm) {
      v.vendor = ref_key(r, "vendor", s_.vendors, "vendor");
      v.generation = r.string("generation", true).value_or("");
    } else {
      v.product = ref_key(r, "product", s_.products, "product");
    }
    v.quantity = r.param("quantity", kNonNegative, std::nullopt);
    s_.inventories.push_back(std::move(v));
  }

  void buyer(Reader& r, const std::string& name) {
    Buyer b;
    b.name = name;
    b.loc = r.loc();
    b.region = ref_key(r, "region", s_.regions, "region");
    b.capex = r.param("capex", kNonNegative, std::nullopt);
    b.capex_growth = r.param("capex_growth", kGrowth, 0.0);
    if (auto until = date(r, "growth_until", false, std::numeric_limits<int>::max()))
      b.growth_until = *until;
    b.has_later_growth = r.node("later_growth") != nullptr;
    if (b.has_later_growth) b.later_growth = r.param("later_growth", kGrowth, 0.0);
    if (b.has_later_growth && b.growth_until == std::numeric_limits<int>::max())
      r.error("later_growth", "needs growth_until, the date from which it applies");
    b.capex_noise = r.param("capex_noise", kNonNegative, 0.0);
    b.capex_persistence = r.param("capex_persistence", {0, 1, false}, 0.0);
    if (b.capex_persistence.central() >= 1.0)
      r.error("capex_persistence", "expected a number in [0, 1) (an AR(1) coefficient < 1)");
    b.accelerator_share = r.param("accelerator_share", kFraction, std::nullopt);
    b.training_share = r.param("training_share", kFraction, 0.5);
    b.price_sensitivity = r.param("price_sensitivity", kNonNegative, 1.0);
    b.ecosystem_weight = r.param("ecosystem_weight", kNonNegative, 1.0);
    b.domestic_preference = r.param("domestic_preference", kAny, 0.0);
    b.efficiency_growth = r.param("efficiency_growth", kGrowth, 0.0);
    b.state_funded = r.boolean("state_funded", false);
    b.products = refs(r, "products", s_.products, "product");
    if (const toml::node* n = r.node("products"); n && n->is_array() && n->as_array()->empty())
      r.error("products", "expected at least one product name, got an empty array");
    s_.buyers.push_back(std::move(b));
  }

  void channel(Reader& r, const std::string& name) {
    Channel c;
    c.name = name;
    c.loc = r.loc();
    c.kind = r.enumeration("kind", ChannelKind::remote, std::nullopt).value_or(ChannelKind::direct);
    c.destinations = refs(r, "destinations", s_.regions, "region");
    c.capacity = r.param("capacity", kNonNegative, kInf);
    c.markup = r.param("markup", {1, kInf}, 1.0);
    c.supply = r.param("supply", kNonNegative, kInf);
    c.supply_elasticity = r.param("supply_elasticity", kNonNegative, 1.0);
    c.enforcement_elasticity = r.param("enforcement_elasticity", kNonNegative, 0.0);
    s_.channels.push_back(std::move(c));
  }

  void policy(Reader& r, const std::string& name) {
    Policy p;
    p.name = name;
    p.loc = r.loc();
    p.region = ref_key(r, "region", s_.regions, "region");
    p.enforcement = r.param("enforcement", kFraction, 0.0);
    const int index = static_cast<int>(s_.policies.size());
    s_.policies.push_back(p);
    each(
        r, "rule",
        [&](Reader& rr, const std::string& n) {
          Rule x;
          x.name = n;
          x.policy = index;
          x.loc = rr.loc();
          const bool enabled = rr.boolean("enabled", true);  // false: checked, then left out
          const auto effective = date(rr, "effective", true, last_period(), &x.effective_share);
          x.effective = effective.value_or(0);
          x.announced = date(rr, "announced", false, last_period()).value_or(x.effective);
          if (effective && x.announced > x.effective)
            rr.error("announced", "a rule cannot be announced after it takes effect");
          if (auto e = date(rr, "expires", false, std::numeric_limits<int>::max())) {
            x.expires = *e;
            if (effective && x.expires <= x.effective)
              rr.error("expires", "a rule must expire after it takes effect");
          }
          x.body = rule_body(rr, p.region);
          if (!enabled) return;
          s_.policies[index].rules.push_back(static_cast<int>(s_.rules.size()));
          s_.rules.push_back(std::move(x));
        },
        /*file_order=*/true);
    each(r, "event", [&](Reader& er, const std::string& n) {
      Event x;
      x.name = n;
      x.policy = index;
      x.loc = er.loc();
      const bool enabled = er.boolean("enabled", true);
      x.hazard = er.param("hazard", kFraction, std::nullopt);
      x.window_start = std::max(0, date(er, "from", false, last_period()).value_or(0));
      x.window_end = s_.calendar.periods;
      if (auto until = date(er, "until", false, last_period())) {
        x.window_end = *until + 1;
        if (x.window_end <= x.window_start) er.error("until", "`until` must not precede `from`");
      }
      x.lag = static_cast<int>(er.integer("lag", 0, 1200, 0));
      x.body = rule_body(er, p.region);
      if (!enabled) return;
      s_.policies[index].events.push_back(static_cast<int>(s_.events.size()));
      s_.events.push_back(std::move(x));
    });
    each(r, "trigger", [&](Reader& tr, const std::string& n) {
      Trigger x;
      x.name = n;
      x.policy = index;
      x.loc = tr.loc();
      const bool enabled = tr.boolean("enabled", true);
      x.variable = tr.enumeration("variable", TriggerVariable::smuggled_units, std::nullopt)
                       .value_or(x.variable);
      x.region = ref_key(tr, "region", s_.regions, "region");
      const bool has_above = tr.node("above") != nullptr, has_below = tr.node("below");
      if (has_above == has_below) {
        tr.error(has_above ? "below" : "above",
                 "a trigger needs exactly one of `above` or `below` (the threshold)");
      } else {
        x.above = has_above;
        x.threshold = tr.param(has_above ? "above" : "below", kNonNegative, std::nullopt);
      }
      x.lag = static_cast<int>(tr.integer("lag", 0, 1200, 0));
      x.body = rule_body(tr, p.region);
      if (!enabled) return;
      s_.policies[index].triggers.push_back(static_cast<int>(s_.triggers.size()));
      s_.triggers.push_back(std::move(x));
    });
  }

  // The type-specific part of a rule; `issuer` is the policy's region.
  RuleBody rule_body(Reader& r, int issuer) {
    RuleBody b;
    const auto type = r.enumeration("type", RuleType::enforcement, std::nullopt);
    if (!type) return b;
    b.type = *type;
    const bool exporter_side = b.type == RuleType::export_control ||
                               b.type == RuleType::entity_list || b.type == RuleType::input_control;
    if (exporter_side) b.destinations = refs(r, "destinations", s_.regions, "region");
    auto criteria = [&] {
      const toml::node* n = r.node("criteria");
      if (!n) return;
      const toml::array* arr = n->as_array();
      if (!arr) {
        r.error("criteria", "expected an array of tables such as [{ tpp_min = 4800 }]");
        return;
      }
      for (const auto& item : *arr) {
        if (!item.is_table()) {
          diags_.error(
              loc_of(item), r.key_path("criteria"),
              "expected a table of bounds such as { tpp_min = 4800 }, got " + type_name(item));
          continue;
        }
        Reader cr(*item.as_table(), r.key_path("criteria"), diags_);
        SpecCriterion c;
        c.tpp_min = cr.number("tpp_min", kNonNegative, -kInf);
        c.tpp_max = cr.number("tpp_max", kNonNegative, kInf);
        c.density_min = cr.number("density_min", kNonNegative, -kInf);
        c.density_max = cr.number("density_max", kNonNegative, kInf);
        c.bandwidth_min = cr.number("bandwidth_min", kNonNegative, -kInf);
        c.bandwidth_max = cr.number("bandwidth_max", kNonNegative, kInf);
        c.interconnect_min = cr.number("interconnect_min", kNonNegative, -kInf);
        c.interconnect_max = cr.number("interconnect_max", kNonNegative, kInf);
        cr.finish(" in an export criterion");
        b.criteria.push_back(c);
      }
    };
    switch (b.type) {
      case RuleType::export_control: {
        criteria();
        b.products = refs(r, "products", s_.products, "product");
        if (b.criteria.empty() && b.products.empty())
          r.error("criteria", "an export_control rule needs `criteria` or `products`");
        b.status = r.enumeration("status", ExportStatus::denied, ExportStatus::denied)
                       .value_or(ExportStatus::denied);
        if (b.status == ExportStatus::licensed) {
          b.approval_probability = r.param("approval_probability", kFraction, 1.0);
          b.revenue_share = r.param("revenue_share", kFraction, 0.0);
          b.volume_cap = r.param("volume_cap", kNonNegative, kInf);
        }
        break;
      }
      case RuleType::entity_list:
        b.vendors = refs(r, "vendors", s_.vendors, "vendor");
        if (!r.node("vendors"))
          r.missing("vendors", "an array of vendor names");
        else if (r.node("vendors")->is_array() && r.node("vendors")->as_array()->empty())
          r.error("vendors", "expected at least one vendor name, got an empty array");
        break;
      case RuleType::input_control: {
        b.input = r.enumeration("input", InputKind::equipment, std::nullopt).value_or(b.input);
        if (b.input == InputKind::equipment) b.rate = r.param("rate", kFraction, 1.0);
        break;
      }
      case RuleType::import_ban:
      case RuleType::import_penalty:
        criteria();
        b.products = refs(r, "products", s_.products, "product");
        b.vendors = refs(r, "vendors", s_.vendors, "vendor");
        if (b.type == RuleType::import_penalty)
          b.penalty = r.param("penalty", kNonNegative, std::nullopt);
        for (int pi : b.products) {
          const int vendor = s_.products[pi].vendor;
          if (vendor != kNone && s_.vendors[vendor].region == issuer)
            r.error("products", "product '" + s_.products[pi].name +
                                    "' is made by a domestic vendor; import rules apply only "
                                    "to foreign products");
        }
        break;
      case RuleType::domestic_mandate:
        b.share = r.param("share", kFraction, 1.0);
        break;
      case RuleType::production_subsidy:
      case RuleType::energy_subsidy:
        b.rate = r.param("rate", kFraction, std::nullopt);
        break;
      case RuleType::enforcement:
        b.level = r.param("level", kFraction, std::nullopt);
        break;
    }
    return b;
  }

  void require_nonempty(Reader& top) {
    const std::pair<const char*, std::size_t> required[] = {
        {"region", s_.regions.size()},   {"vendor", s_.vendors.size()},
        {"product", s_.products.size()}, {"buyer", s_.buyers.size()},
        {"channel", s_.channels.size()}, {"ecosystem", s_.ecosystems.size()}};
    for (const auto& [section, count] : required)
      if (count == 0 && !root_.get(section))
        top.missing(section, std::string("at least one [") + section + ".NAME] table");
      else if (count == 0 && diags_.empty())
        top.error(section, std::string("the set of ") + section + "s is empty");
  }

  const toml::table& root_;
  Diagnostics& diags_;
  Scenario s_;
  bool horizon_known_ = false;  // start and end are valid, so dates can be checked against them
  std::vector<std::string> product_names_;
  std::optional<std::string> reference_name_;
  SourceLoc reference_loc_;
};

Scenario finish_load(std::optional<toml::table> table, const std::string& source,
                     const std::vector<std::string>& overrides, Diagnostics& diags) {
  if (!table) throw ScenarioError(diags.items());
  int index = 1;
  for (const auto& o : overrides)
    apply_override(*table, o, index++, diags);
  if (!diags.empty()) throw ScenarioError(diags.items());
  Scenario s = Converter(*table, diags).run();
  if (!diags.empty()) throw ScenarioError(diags.items());
  check_structure(s, diags);
  if (!diags.empty()) throw ScenarioError(diags.items());
  s.source_path = source;
  std::ostringstream text;
  text << toml::toml_formatter(*table);
  s.resolved_text = text.str();
  return s;
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  Diagnostics diags;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  std::vector<std::string> chain{ec ? path : canonical.string()};
  auto table = load_chain(path, nullptr, chain, diags, {});
  return finish_load(std::move(table), path, overrides, diags);
}

Scenario load_scenario_text(std::string_view text, const std::string& source_name,
                            const std::vector<std::string>& overrides) {
  Diagnostics diags;
  std::vector<std::string> chain{source_name};
  const std::string content(text);
  auto table = load_chain(source_name, &content, chain, diags, {});
  return finish_load(std::move(table), source_name, overrides, diags);
}

// ---------------------------------------------------------------------------------------
// Calibration targets (scenario/targets.hpp).

namespace {

std::vector<Target> convert_targets(const toml::table& root, const std::string& source,
                                    Diagnostics& diags) {
  std::vector<Target> out;
  Reader top(root, "", diags);
  const toml::node* list = top.node("target");
  top.finish();
  if (!list) {
    diags.error({std::make_shared<const std::string>(source), 1, 1}, "target",
                "no targets; expected one or more [[target]] tables");
    return out;
  }
  const auto* arr = list->as_array();
  if (!arr) {
    top.error("target", "expected an array of tables ([[target]]), got " + type_name(*list));
    return out;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& item = (*arr)[i];
    const std::string key = "target[" + std::to_string(i) + "]";
    const auto* t = item.as_table();
    if (!t) {
      diags.error(loc_of(item), key, "expected a table, got " + type_name(item));
      continue;
    }
    Reader r(*t, key, diags);
    Target x;
    x.key = key;
    x.loc = loc_of(*t);
    x.name = r.string("name", true).value_or("");
    if (!x.name.empty() && !names.insert(x.name).second)
      r.error("name", "target \"" + x.name + "\" is defined twice");
    x.description = r.string("description", false).value_or("");
    x.source = r.string("source", true).value_or("");
    const bool has_variable = t->get("variable") != nullptr;
    const bool has_ratio = t->get("numerator") != nullptr || t->get("denominator") != nullptr;
    if (has_variable && has_ratio)
      r.error("variable", "give either variable or numerator and denominator, not both");
    if (!has_variable && !has_ratio)
      r.missing("variable", "a variable name, or numerator and denominator");
    // A selection table (dimension or coordinate -> label) into `side`.
    auto read_select = [&](Reader& from, const std::string& owner, TargetSide& side) {
      const toml::table* sel = from.table("select", false);
      if (!sel) return;
      for (const auto& [k, v] : *sel) {
        const std::string dim(k.str());
        if (!v.is_string()) {
          diags.error(loc_of(v), owner + ".select." + dim,
                      "expected a label as a string, got " + type_name(v) + " " + show(v));
          continue;
        }
        side.select.emplace_back(dim, v.as_string()->get());
        side.select_locs.push_back(loc_of(v));
      }
    };
    TargetSide own;
    read_select(r, key, own);
    x.select = own.select;
    x.select_locs = own.select_locs;
    if (has_variable) {
      x.variable = r.string("variable", true).value_or("");
      x.variable_loc = r.loc("variable");
    }
    // A ratio side: a variable name sharing the target's select, or a table with its own
    // variable and select.
    auto read_side = [&](const char* which, std::string& name, SourceLoc& name_loc,
                         TargetSide& side) {
      const toml::node* n = r.node(which);
      side.key = key;
      if (!n) {
        r.missing(which, "a variable name, or a table with variable and select");
        return;
      }
      if (const toml::table* sub = n->as_table()) {
        side.key = key + "." + which;
        Reader sr(*sub, side.key, diags);
        side.variable = sr.string("variable", true).value_or("");
        side.variable_loc = sr.loc("variable");
        read_select(sr, side.key, side);
        sr.finish(" in a ratio side (expected variable and select)");
        if (!x.select.empty())
          r.error(which, "give select either on the target or on each ratio side, not both");
      } else {
        side.variable = r.string(which, true).value_or("");
        side.variable_loc = r.loc(which);
        side.select = x.select;
        side.select_locs = x.select_locs;
      }
      name = side.variable;
      name_loc = side.variable_loc;
    };
    if (has_ratio) {
      read_side("numerator", x.numerator, x.numerator_loc, x.numerator_side);
      read_side("denominator", x.denominator, x.denominator_loc, x.denominator_side);
    }
    // The time window: exactly one of year, years, periods.
    const int windows =
        (t->get("year") ? 1 : 0) + (t->get("years") ? 1 : 0) + (t->get("periods") ? 1 : 0);
    if (windows == 0)
      r.missing("year",
                "a calendar year such as 2025 (or years = [2025, 2030], or periods = "
                "[\"2025Q3\", \"2025Q4\"])");
    if (windows > 1) {
      (void)r.node("years"), (void)r.node("periods");  // known keys, only too many of them
      r.error(t->get("years") ? "years" : "periods",
              "give one time window: year, years or periods, not several");
    }
    if (t->get("year")) {
      x.window.kind = TargetWindow::year;
      x.year = static_cast<int>(r.integer("year", 1900, 2200, 0));
      x.window.first_year = x.window.last_year = x.year;
      x.window.loc = x.year_loc = r.loc("year");
    } else if (const toml::node* ys = r.node("years")) {
      x.window.kind = TargetWindow::years;
      x.window.loc = x.year_loc = loc_of(*ys);
      const auto* a = ys->as_array();
      if (!a || a->size() != 2 || !(*a)[0].is_integer() || !(*a)[1].is_integer()) {
        r.error("years", "expected two calendar years [first, last], got " + show(*ys));
      } else {
        x.window.first_year = static_cast<int>((*a)[0].as_integer()->get());
        x.window.last_year = static_cast<int>((*a)[1].as_integer()->get());
        if (x.window.last_year < x.window.first_year)
          r.error("years", "expected [first, last] with first <= last, got " + show(*ys));
      }
    } else if (const toml::node* ps = r.node("periods")) {
      x.window.kind = TargetWindow::periods;
      x.window.loc = x.year_loc = loc_of(*ps);
      const auto* a = ps->as_array();
      if (!a || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_string())
        r.error("periods",
                "expected two periods [first, last] such as [\"2025Q3\", \"2025Q4\"], got " +
                    show(*ps));
      else {
        x.window.first_period = (*a)[0].as_string()->get();
        x.window.last_period = (*a)[1].as_string()->get();
      }
    }
    x.stat = r.choice("stat", {"mean", "median"}, std::string("mean")).value_or("mean");
    x.value = r.number("value", Range{-kInf, kInf}, true).value_or(0);
    x.low = r.number("low", Range{-kInf, kInf}, true).value_or(0);
    x.high = r.number("high", Range{-kInf, kInf}, true).value_or(0);
    if (t->get("low") && t->get("high") && !(x.low <= x.high))
      r.error("high", "expected high >= low (" + fmt(x.low) + "), got " + fmt(x.high));
    else if (t->get("value") && t->get("low") && t->get("high") &&
             !(x.low <= x.value && x.value <= x.high))
      r.error("value", "expected the published value inside [low, high] = [" + fmt(x.low) + ", " +
                           fmt(x.high) + "], got " + fmt(x.value));
    r.finish(" in a target");
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<Target> finish_targets(std::optional<toml::table> table, const std::string& source,
                                   Diagnostics& diags) {
  if (!table) throw ScenarioError(diags.items());
  auto out = convert_targets(*table, source, diags);
  if (!diags.empty()) throw ScenarioError(diags.items());
  return out;
}

}  // namespace

std::vector<Target> load_targets(const std::string& path) {
  Diagnostics diags;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error({std::make_shared<const std::string>(path), 0, 0}, "", "cannot read targets file");
    throw ScenarioError(diags.items());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return finish_targets(parse_toml(ss.str(), path, diags), path, diags);
}

std::vector<Target> load_targets_text(const std::string& text, const std::string& source_name) {
  Diagnostics diags;
  return finish_targets(parse_toml(text, source_name, diags), source_name, diags);
}

namespace {

SweepSpec convert_sweep(const toml::table& t, const std::string& source, Diagnostics& diags) {
  SweepSpec out;
  out.source_path = source;
  Reader r(t, "", diags);
  const fs::path folder = fs::path(source).parent_path();
  auto resolve = [&](const std::string& p) {
    const fs::path x(p);
    return (x.is_relative() && !folder.empty() ? folder / x : x).lexically_normal().string();
  };
  if (auto sc = r.string("scenario", true)) out.scenario_path = resolve(*sc);
  out.overrides = r.strings("set", false);
  out.seed = static_cast<std::uint64_t>(
      r.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), 20251127));
  out.replicates = static_cast<int>(r.integer("replicates", 1, 100'000'000, 100));

  if (const toml::table* d = r.table("design", true)) {
    Reader dr(*d, "design", diags);
    out.design_loc = loc_of(*d);
    out.design = dr.enumeration("type", DesignKind::csv, std::nullopt).value_or(DesignKind::grid);
    const bool sampled = out.design == DesignKind::lhs || out.design == DesignKind::saltelli ||
                         out.design == DesignKind::morris;
    if (sampled) {
      if (!d->get("samples"))
        dr.missing("samples", out.design == DesignKind::saltelli ? "the number of base samples N"
                              : out.design == DesignKind::morris ? "the number of trajectories r"
                                                                 : "the number of points");
      out.samples = static_cast<int>(dr.integer("samples", 1, 10'000'000, 1));
    }
    if (out.design == DesignKind::morris)
      out.levels = static_cast<int>(dr.integer("levels", 2, 1000, 4));
    if (out.design == DesignKind::lhs)
      out.candidates = static_cast<int>(dr.integer("candidates", 1, 10'000, 20));
    if (out.design == DesignKind::csv)
      if (auto f = dr.string("file", true)) out.csv_path = resolve(*f);
    dr.finish(std::string(" for a design of type '") + to_string(out.design) + "'");
  }

  const toml::node* ps = r.node("parameter");
  const toml::array* arr = ps ? ps->as_array() : nullptr;
  if (!ps) {
    if (out.design != DesignKind::csv)
      r.missing("parameter", "[[parameter]] tables, one per swept key");
  } else if (!arr || !arr->is_array_of_tables()) {
    r.error("parameter", "expected [[parameter]] tables, got " + type_name(*ps));
  } else {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::table& pt = *(*arr)[i].as_table();
      Reader pr(pt, "parameter[" + std::to_string(i) + "]", diags);
      SweepParameter x;
      x.loc = loc_of(pt);
      if (auto k = pr.string("key", true)) x.key = *k;
      for (const auto& other : out.parameters)
        if (!x.key.empty() && other.key == x.key)
          pr.error("key", "\"" + x.key + "\" is swept twice");
      const bool has_levels = pt.get("levels") != nullptr, has_range = pt.get("range") != nullptr,
                 has_dist = pt.get("dist") != nullptr;
      if (int(has_levels) + int(has_range) + int(has_dist) != 1)
        diags.error(x.loc, pr.key_path("key"),
                    "expected exactly one of levels = [..], range = [low, high] or dist = {..}");
      if (has_levels) {
        x.kind = SweepParameter::levels;
        const toml::node* n = pr.node("levels");
        const auto* a = n->as_array();
        if (!a || a->empty())
          pr.error("levels", "expected a non-empty array of numbers, got " + show(*n));
        else
          for (const auto& item : *a)
            if (auto v = pr.to_number(item, pr.key_path("levels"), kAny)) x.values.push_back(*v);
      } else if (has_range) {
        x.kind = SweepParameter::range;
        const toml::node* n = pr.node("range");
        const auto* a = n->as_array();
        std::optional<double> lo, hi;
        if (a && a->size() == 2) {
          lo = pr.to_number((*a)[0], pr.key_path("range"), kAny);
          hi = pr.to_number((*a)[1], pr.key_path("range"), kAny);
        } else {
          pr.error("range", "expected two numbers [low, high], got " + show(*n));
        }
        if (lo && hi && !(*lo < *hi))
          pr.error("range", "expected low < high, got [" + fmt(*lo) + ", " + fmt(*hi) + "]");
        x.low = lo.value_or(0);
        x.high = hi.value_or(1);
      } else if (has_dist) {
        x.kind = SweepParameter::dist;
        if (!pt.get("dist")->is_table())
          pr.error("dist",
                   "expected a distribution table such as { dist = \"normal\", mean = 0, "
                   "sd = 1 }, got " +
                       show(*pt.get("dist")));
        else
          x.distribution = pr.param("dist", kAny, std::nullopt);
      }
      if (out.design == DesignKind::grid && !has_levels && (has_range || has_dist))
        pr.error(has_range ? "range" : "dist",
                 "a grid design needs levels = [..] for every parameter");
      if (out.design == DesignKind::csv)
        pr.error("key",
                 "a csv design takes its parameters from the file's header; remove the "
                 "[[parameter]] tables");
      pr.finish(" in a [[parameter]]");
      out.parameters.push_back(std::move(x));
    }
  }
  r.finish(" in a sweep file");
  return out;
}

SweepSpec finish_sweep(std::optional<toml::table> table, const std::string& source,
                       const std::string& text, Diagnostics& diags) {
  if (!table) throw ScenarioError(diags.items());
  SweepSpec out = convert_sweep(*table, source, diags);
  if (!diags.empty()) throw ScenarioError(diags.items());
  out.text = text;
  return out;
}

}  // namespace

const char* to_string(DesignKind k) {
  switch (k) {
    case DesignKind::grid:
      return "grid";
    case DesignKind::lhs:
      return "lhs";
    case DesignKind::saltelli:
      return "saltelli";
    case DesignKind::morris:
      return "morris";
    case DesignKind::csv:
      return "csv";
  }
  return "?";
}

SweepSpec load_sweep(const std::string& path) {
  Diagnostics diags;
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) {
    diags.error({std::make_shared<const std::string>(path), 0, 0}, "", "cannot read sweep file");
    throw ScenarioError(diags.items());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  return finish_sweep(parse_toml(text, path, diags), path, text, diags);
}

SweepSpec load_sweep_text(const std::string& text, const std::string& source_name) {
  Diagnostics diags;
  return finish_sweep(parse_toml(text, source_name, diags), source_name, text, diags);
}

std::optional<double> scenario_number(const Scenario& scenario, const std::string& key) {
  toml::table root;
  try {
    root = toml::parse(scenario.resolved_text);
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
  const toml::node_view<toml::node> n = root.at_path(key);
  if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point()) return f->get();
  return std::nullopt;
}

std::vector<std::string> scenario_numeric_keys(const Scenario& scenario) {
  toml::table root;
  try {
    root = toml::parse(scenario.resolved_text);
  } catch (const toml::parse_error&) {
    return {};
  }
  std::vector<std::string> out;
  const std::function<void(const toml::table&, const std::string&)> walk =
      [&](const toml::table& t, const std::string& prefix) {
        for (const auto& [k, v] : t) {
          const std::string key = prefix + std::string(k.str());
          if (const auto* sub = v.as_table())
            walk(*sub, key + ".");
          else if (v.is_integer() || v.is_floating_point())
            out.push_back(key);
        }
      };
  walk(root, "");
  return out;
}

}  // namespace chipsim
