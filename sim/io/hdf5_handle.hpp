// Thin, safe HDF5 (STYLE.md principle 6): RAII handles, every call checked, failures turned
// into IoError carrying the operation, the object and HDF5's own message; HDF5's automatic
// error printing is switched off so nothing reaches stderr from a passing run.
#pragma once

#include <hdf5.h>

#include "io/output_file.hpp"  // IoError

#include <stdexcept>
#include <string>
#include <utility>

namespace chipsim::io {

// The innermost message on HDF5's error stack (cleared afterwards).
std::string hdf5_message();
// Throws IoError("what: HDF5 message") when status < 0; returns status otherwise.
template <class T>
T check(T status, const std::string& what) {
  if (status < 0) throw IoError(what + ": " + hdf5_message());
  return status;
}
// Turns off HDF5's printing of error stacks (idempotent).
void silence_hdf5();

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
    if (id < 0) throw IoError(what + ": " + hdf5_message());
  }
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), closer_(o.closer_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, -1);
      closer_ = o.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  [[nodiscard]] hid_t id() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: handles are used where hid_t is expected
  void reset() {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

inline Handle file_handle(hid_t id, const std::string& what) {
  return {id, H5Fclose, what};
}
inline Handle group_handle(hid_t id, const std::string& what) {
  return {id, H5Gclose, what};
}
inline Handle dataset_handle(hid_t id, const std::string& what) {
  return {id, H5Dclose, what};
}
inline Handle space_handle(hid_t id, const std::string& what) {
  return {id, H5Sclose, what};
}
inline Handle type_handle(hid_t id, const std::string& what) {
  return {id, H5Tclose, what};
}
inline Handle plist_handle(hid_t id, const std::string& what) {
  return {id, H5Pclose, what};
}
inline Handle attr_handle(hid_t id, const std::string& what) {
  return {id, H5Aclose, what};
}

// A variable-length UTF-8 string type.
Handle vlen_string_type();

}  // namespace chipsim::io
