// libFuzzer target: the scenario loader on arbitrary TOML text plus --set overrides (the
// bytes after the first NUL, one override per further NUL). Any outcome but a Scenario or
// a ScenarioError (a crash, a hang, another exception, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario/diagnostics.hpp"
#include "scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto nul = bytes.find('\0');
  const std::string text = bytes.substr(0, nul);
  std::vector<std::string> overrides;
  for (auto at = nul; at != std::string::npos && at < bytes.size();) {
    const auto next = bytes.find('\0', at + 1);
    overrides.push_back(
        bytes.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1));
    at = next;
  }
  try {
    (void)chipsim::load_scenario_text(text, "fuzz.toml", overrides);
  } catch (const chipsim::ScenarioError&) {
  }
  return 0;
}
