// Entry point of the `chipsim` executable; everything else lives in cli.cpp.
#include <iostream>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  return chipsim::run_cli(argc, argv, std::cout, std::cerr);
}
