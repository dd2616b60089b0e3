// libFuzzer target: the sweep file (scenario/sweep.hpp) on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenario/diagnostics.hpp"
#include "scenario/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)chipsim::load_sweep_text(text, "fuzz-sweep.toml");
  } catch (const chipsim::ScenarioError&) {
  }
  return 0;
}
