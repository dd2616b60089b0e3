#include "io/hdf5_handle.hpp"

namespace chipsim::io {

namespace {
struct Stack {
  std::string message;   // the innermost description
  std::string os_cause;  // the operating system's, where a system call failed
};

herr_t visit(unsigned n, const H5E_error2_t* e, void* data) {
  auto* out = static_cast<Stack*>(data);
  if (!e || !e->desc) return 0;
  const std::string desc = e->desc;
  if (n == 0) out->message = desc;
  // The file drivers describe a failed system call as "..., errno = N, error message = '...'".
  const std::string tag = "error message = '";
  const auto at = desc.find(tag);
  if (at != std::string::npos && out->os_cause.empty()) {
    const auto end = desc.find('\'', at + tag.size());
    out->os_cause = desc.substr(
        at + tag.size(), end == std::string::npos ? std::string::npos : end - at - tag.size());
  }
  return 0;
}
}  // namespace

std::string hdf5_message() {
  Stack stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, visit, &stack);
  H5Eclear2(H5E_DEFAULT);
  std::string message = stack.message.empty() ? "unknown HDF5 error" : stack.message;
  // A driver's own description already carries the cause; otherwise add it.
  if (!stack.os_cause.empty() && message.find(stack.os_cause) == std::string::npos)
    message += " (" + stack.os_cause + ")";
  return message;
}

void silence_hdf5() {
  // HDF5's exit-time cleanup closes files still open; after a failed write (disk full) a
  // file whose close failed stays registered, and that cleanup crashes (HDF5 1.10). chipsim
  // closes its files itself, so the cleanup is switched off. Must precede library start-up;
  // later calls fail harmlessly.
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Handle vlen_string_type() {
  Handle t = type_handle(H5Tcopy(H5T_C_S1), "string type");
  check(H5Tset_size(t, H5T_VARIABLE), "string type size");
  check(H5Tset_cset(t, H5T_CSET_UTF8), "string type charset");
  return t;
}

}  // namespace chipsim::io
