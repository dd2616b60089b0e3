// libFuzzer target: the HDF5 readers (describe_file, as inspect and --resume use it, and
// read_dataset, as compare uses it) on arbitrary bytes written to a file. Seeds are small
// chipsim output files (scripts/fuzz.sh makes them). An IoError is the only allowed failure.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "io/output_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = "/tmp/chipsim-fuzz-" + std::to_string(::getpid()) + ".h5";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  try {
    const auto d = chipsim::io::describe_file(path);
    std::vector<std::uint64_t> shape;
    for (const auto& v : d.variables) {
      (void)chipsim::io::read_dataset(path, v, shape);
      break;  // one variable: the checksum and filter path
    }
  } catch (const chipsim::io::IoError&) {
  }
  std::remove(path.c_str());
  return 0;
}
