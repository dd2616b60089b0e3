// An output path belongs to one run at a time (docs/OUTPUT.md, "Durability"). Before any
// work, `claim_output` checks that the path can be written (not a directory, its folder
// exists and is writable, not one of the run's own input files) and takes an exclusive
// lock on OUT.lock, held until the claim is destroyed; a second run on the same OUT is
// refused with the first run's process id instead of truncating its partial file.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace chipsim {

// Checks `path` as a file this run will create: throws io::BadRequest (exit 2) naming
// `option` when it is a directory, its folder does not exist, or it is the same file as one
// of `inputs`; io::IoError with the OS cause when its folder cannot be written.
void check_output_path(const std::string& option, const std::string& path,
                       const std::vector<std::string>& inputs);

// A resumed partial file that was finished but not renamed (a kill between the two): renames
// `partial` to `path`, says so on `out`, and returns the exit code (0).
int finish_rename(const std::string& partial, const std::string& path, const char* command,
                  std::ostream& out);

class OutputClaim {
 public:
  OutputClaim() = default;
  // Checks `path` (check_output_path) and locks it for this process.
  OutputClaim(const std::string& option, const std::string& path,
              const std::vector<std::string>& inputs);
  ~OutputClaim();
  OutputClaim(OutputClaim&& o) noexcept;
  OutputClaim& operator=(OutputClaim&& o) noexcept;
  OutputClaim(const OutputClaim&) = delete;
  OutputClaim& operator=(const OutputClaim&) = delete;

 private:
  void release() noexcept;
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace chipsim
