// Entry point of the `chipsim` executable; everything else lives in cli.cpp.
#include <csignal>
#include <iostream>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) makes writes fail with EFBIG, reported with the file and
  // the cause, instead of killing the process silently with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  return chipsim::run_cli(argc, argv, std::cout, std::cerr);
}
