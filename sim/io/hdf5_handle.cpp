#include "io/hdf5_handle.hpp"

namespace chipsim::io {

namespace {
herr_t innermost(unsigned n, const H5E_error2_t* e, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n == 0 && e && e->desc) *out = e->desc;
  return 0;
}
}  // namespace

std::string hdf5_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, innermost, &message);
  H5Eclear2(H5E_DEFAULT);
  return message.empty() ? "unknown HDF5 error" : message;
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
