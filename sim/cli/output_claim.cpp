#include "cli/output_claim.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <utility>

#include "io/output_file.hpp"

namespace chipsim {

namespace fs = std::filesystem;

int finish_rename(const std::string& partial, const std::string& path, const char* command,
                  std::ostream& out) {
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw io::IoError("cannot rename '" + partial + "' to '" + path + "': " + ec.message());
  out << "chipsim " << command << ": '" << partial
      << "' was already complete (interrupted before its rename); wrote " << path << "\n";
  return 0;
}

void check_output_path(const std::string& option, const std::string& path,
                       const std::vector<std::string>& inputs) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw io::BadRequest(option + " '" + path +
                         "' is a directory; expected a file name, such as '" +
                         (fs::path(path) / "out.h5").string() + "'");
  const fs::path parent =
      fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  if (!fs::is_directory(parent, ec))
    throw io::BadRequest(option + " '" + path + "': the folder '" + parent.string() +
                         "' does not exist; create it first");
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw io::IoError(option + " '" + path + "': cannot write in '" + parent.string() +
                      "': " + std::strerror(errno));
  for (const auto& input : inputs) {
    if (input.empty() || !fs::exists(path, ec)) continue;
    if (fs::equivalent(path, input, ec))
      throw io::BadRequest(option + " '" + path + "' is the input file '" + input +
                           "'; writing there would overwrite it. Choose another file name");
  }
}

OutputClaim::OutputClaim(const std::string& option, const std::string& path,
                         const std::vector<std::string>& inputs)
    : lock_path_(path + ".lock") {
  check_output_path(option, path, inputs);
  // The lock file may be removed by the run that held it between our open and our lock;
  // retry until the locked file is the one at the path.
  for (int attempt = 0; attempt < 100; ++attempt) {
    fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw io::IoError("cannot create the lock file '" + lock_path_ +
                        "': " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int why = errno;
      char pid[32] = {};
      const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
      ::close(fd_);
      fd_ = -1;
      if (why != EWOULDBLOCK)
        throw io::IoError("cannot lock '" + lock_path_ + "': " + std::strerror(why));
      std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
        holder.pop_back();
      throw io::BadRequest("'" + path + "' is being written by another chipsim run" +
                           (holder.empty() ? "" : " (process " + holder + ")") +
                           "; wait for it to finish, or choose another file with -o");
    }
    struct stat held {
    }, named{};
    if (::fstat(fd_, &held) == 0 && ::stat(lock_path_.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
        // the process id is only shown to a second run; the lock works without it
      }
      return;
    }
    ::close(fd_);
    fd_ = -1;
  }
  throw io::IoError("cannot lock '" + lock_path_ + "': it keeps being replaced");
}

OutputClaim::~OutputClaim() {
  release();
}

OutputClaim::OutputClaim(OutputClaim&& o) noexcept
    : lock_path_(std::move(o.lock_path_)), fd_(std::exchange(o.fd_, -1)) {}

OutputClaim& OutputClaim::operator=(OutputClaim&& o) noexcept {
  if (this != &o) {
    release();
    lock_path_ = std::move(o.lock_path_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

void OutputClaim::release() noexcept {
  if (fd_ < 0) return;
  ::unlink(lock_path_.c_str());  // while still locked: a waiting run re-checks the inode
  ::close(fd_);
  fd_ = -1;
}

}  // namespace chipsim
