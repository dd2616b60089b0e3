// libFuzzer target: the calibration targets file (scenario/targets.hpp) on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenario/diagnostics.hpp"
#include "scenario/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)chipsim::load_targets_text(text, "fuzz-targets.toml");
  } catch (const chipsim::ScenarioError&) {
  }
  return 0;
}
