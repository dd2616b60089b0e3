// Runs replicates of a scenario on one reused Model, for counting instructions with valgrind
// (bench/instructions.sh): one replicate first, which sizes the trajectory's buffers, then N.
// Usage: chipsim_model_replicates SCENARIO.toml N
// Prints a checksum of the last trajectory so that the work cannot be optimised away.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <numeric>
#include <string>

#include "model/model.hpp"
#include "scenario/loader.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SCENARIO.toml N\n", argv[0]);
    return 2;
  }
  try {
    const chipsim::Scenario s = chipsim::load_scenario(argv[1]);
    const int n = std::stoi(argv[2]);
    chipsim::Model model(s);
    chipsim::Trajectory tr;
    const chipsim::RunOptions options{.noise = true};
    model.run(tr, 0, 0, 1, options);
    for (int r = 1; r <= n; ++r)
      model.run(tr, 0, r, 1, options);
    const auto& production = tr.production.data();
    std::printf("%.17g\n", std::accumulate(production.begin(), production.end(), 0.0));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
