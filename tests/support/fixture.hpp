// Shared test helpers: a small valid scenario, locating text in it, temporary folders, and
// assertions on located diagnostics.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>

#include "scenario/loader.hpp"

namespace chipsim::test {

// A minimal world: two regions, one foundry node, one HBM supplier, one packager, two vendors,
// three products (one made from another), two buyers, two channels, one policy per region.
inline const char* kMiniScenario = R"(name = "mini"

[simulation]
start = "2024Q1"
end = "2025Q4"
period = "quarter"
replicates = 10
seed = 7

[region.A]
electricity_price = 0.1

[region.B]
electricity_price = 0.05

[ecosystem.E1]
maturity = 1.0

[ecosystem.E2]
maturity = 0.5

[foundry.F]
region = "A"

[foundry.F.node.N1]
capacity = 1000
wafer_cost = 10000
yield = 0.5
yield_ceiling = 0.8
learning_rate = 0.1

[memory.M]
region = "A"
generation = "G1"
capacity = 50000
price = 300

[packager.P]
region = "B"
capacity = 400

[vendor.VA]
region = "A"
ecosystem = "E1"

[vendor.VB]
region = "B"
ecosystem = "E2"

[product.XA]
vendor = "VA"
launch = "2024Q1"
tflops_bf16 = 1000
memory_gb = 80
bandwidth_tbs = 3.0
power_w = 700
die_area_mm2 = 800
price = 25000
inputs = { node = "F.N1", hbm = { generations = ["G1"], stacks = 5 }, packaging = { packagers = ["P"], per_wafer = 30 } }

[product.XB]
vendor = "VB"
launch = "2024Q3"
tflops_bf16 = 290
memory_gb = 64
bandwidth_tbs = 1.6
power_w = 400
die_area_mm2 = 600
price = 12000
inputs = { node = "F.N1" }

[product.XB2]
vendor = "VB"
launch = "2025Q1"
tflops_bf16 = 600
memory_gb = 128
bandwidth_tbs = 3.2
power_w = 800
die_area_mm2 = 600
dies_per_package = 2
price = 20000
inputs = { components = { XB = 2 } }

[buyer.BA]
region = "A"
capex = 1.0e9
accelerator_share = 0.5

[buyer.BB]
region = "B"
capex = 5.0e8
accelerator_share = 0.4

[channel.direct]
kind = "direct"

[channel.smuggle]
kind = "smuggling"
destinations = ["B"]
capacity = 1000

[policy.pa]
region = "A"
enforcement = 0.5

[policy.pa.rule.ctrl]
type = "export_control"
announced = "2024Q2"
effective = "2024Q4"
destinations = ["B"]
criteria = [{ tpp_min = 4800 }]

[policy.pb]
region = "B"

[policy.pb.rule.sub]
type = "energy_subsidy"
effective = "2025Q1"
rate = 0.5
)";

// The mini world with `extra` more products (copies of XB) and a calendar to 2030: a
// trajectory of a few MB per replicate for 2,000 extra products, for tests of output sizes.
inline std::string mini_with_products(int extra) {
  std::string text = kMiniScenario;
  const std::string end = "end = \"2025Q4\"";
  text.replace(text.find(end), end.size(), "end = \"2030Q4\"");
  for (int i = 0; i < extra; ++i)
    text += "\n[product.Q" + std::to_string(i) +
            "]\nvendor = \"VB\"\nlaunch = \"2024Q3\"\ntflops_bf16 = 290\nmemory_gb = 64\n"
            "bandwidth_tbs = 1.6\npower_w = 400\ndie_area_mm2 = 600\nprice = 12000\n"
            "inputs = { node = \"F.N1\" }\n";
  return text;
}

struct TextPos {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

// 1-based line and column where `needle` first occurs in `text` (after `after`, if given).
inline TextPos locate(const std::string& text, const std::string& needle,
                      const std::string& after = "") {
  std::size_t start = after.empty() ? 0 : text.find(after);
  EXPECT_NE(start, std::string::npos) << "anchor not found: " << after;
  const std::size_t at = text.find(needle, start);
  EXPECT_NE(at, std::string::npos) << "needle not found: " << needle;
  TextPos p{1, 1};
  for (std::size_t i = 0; i < at && at != std::string::npos; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

// `text` with the first occurrence of `from` (after `after`, if given) replaced by `to`.
inline std::string replace(std::string text, const std::string& from, const std::string& to,
                           const std::string& after = "") {
  const std::size_t start = after.empty() ? 0 : text.find(after);
  EXPECT_NE(start, std::string::npos) << "anchor not found: " << after;
  const std::size_t at = text.find(from, start);
  EXPECT_NE(at, std::string::npos) << "text not found: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The diagnostics from loading `text`, or an empty list if it loaded.
inline std::vector<Diagnostic> errors_of(const std::string& text,
                                         const std::vector<std::string>& overrides = {}) {
  try {
    (void)load_scenario_text(text, "mini.toml", overrides);
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

// The diagnostics from loading the file at `path`, or an empty list if it loaded.
inline std::vector<Diagnostic> errors_of_file(const std::string& path) {
  try {
    (void)load_scenario(path);
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

// Asserts that loading `text` fails with exactly one diagnostic, at `pos`, for `key`, whose
// message contains `fragment`.
inline void expect_single_error(const std::string& text, TextPos pos, const std::string& key,
                                const std::string& fragment,
                                const std::vector<std::string>& overrides = {}) {
  const auto ds = errors_of(text, overrides);
  ASSERT_EQ(ds.size(), 1u) << [&] {
    std::string all;
    for (const auto& d : ds)
      all += d.str() + "\n";
    return all;
  }();
  const Diagnostic& d = ds.front();
  EXPECT_EQ(d.loc.line, pos.line) << d.str();
  EXPECT_EQ(d.loc.column, pos.column) << d.str();
  EXPECT_EQ(d.key, key) << d.str();
  EXPECT_NE(d.message.find(fragment), std::string::npos)
      << "message: " << d.message << "\nexpected to contain: " << fragment;
}

// A fresh temporary folder, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("chipsim-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string source_file(const std::string& relative) {
  return std::string(CHIPSIM_SOURCE_DIR) + "/" + relative;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace chipsim::test
