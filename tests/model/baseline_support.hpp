// The baseline scenario, loaded once per test binary, with optional overrides.
#pragma once

#include <string>
#include <vector>

#include "model/model.hpp"
#include "scenario/loader.hpp"

namespace chipsim::test {

inline Scenario baseline(const std::vector<std::string>& overrides = {}) {
  return load_scenario(std::string(CHIPSIM_SOURCE_DIR) + "/scenarios/baseline.toml", overrides);
}

}  // namespace chipsim::test
