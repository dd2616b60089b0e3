// The `chipsim` command line as a function, so tests can drive it in-process.
// Exit codes (DESIGN.md §5): 0 done, 1 runtime failure, 2 bad input or usage, 130 interrupted.
#pragma once

#include <iosfwd>

namespace chipsim {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitTargetsMissed = 3;  // calibrate --check: a target outside its band
inline constexpr int kExitInterrupted = 130;

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace chipsim
