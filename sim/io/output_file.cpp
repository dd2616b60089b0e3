#include "io/output_file.hpp"

#include "io/hdf5_handle.hpp"

#include <H5DSpublic.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <type_traits>

#include "io/chunk_filters.hpp"
#include "io/sha256.hpp"
#include "scenario/diagnostics.hpp"
#include "scenario/loader.hpp"

namespace chipsim::io {

namespace {

constexpr const char* kFormat = "chipsim-output-1";

// ---- attributes -------------------------------------------------------------------------

void attr_string(hid_t obj, const char* name, const std::string& value) {
  if (H5Aexists(obj, name) > 0) check(H5Adelete(obj, name), std::string("attribute ") + name);
  Handle type = vlen_string_type();
  Handle space = space_handle(H5Screate(H5S_SCALAR), "scalar space");
  Handle a = attr_handle(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT),
                         std::string("create attribute ") + name);
  const char* p = value.c_str();
  check(H5Awrite(a, type, &p), std::string("write attribute ") + name);
}

template <class T>
void attr_number(hid_t obj, const char* name, T value, hid_t file_type, hid_t mem_type) {
  if (H5Aexists(obj, name) > 0) {
    Handle a = attr_handle(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name);
    check(H5Awrite(a, mem_type, &value), std::string("write attribute ") + name);
    return;
  }
  Handle space = space_handle(H5Screate(H5S_SCALAR), "scalar space");
  Handle a = attr_handle(H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                         std::string("create attribute ") + name);
  check(H5Awrite(a, mem_type, &value), std::string("write attribute ") + name);
}
void attr_i64(hid_t obj, const char* name, long long v) {
  attr_number(obj, name, v, H5T_STD_I64LE, H5T_NATIVE_LLONG);
}
void attr_u64(hid_t obj, const char* name, unsigned long long v) {
  attr_number(obj, name, v, H5T_STD_U64LE, H5T_NATIVE_ULLONG);
}
void attr_f64(hid_t obj, const char* name, double v) {
  attr_number(obj, name, v, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

void check_vlen_attribute(hid_t obj, const char* name);  // below: damaged files
void check_attribute_names(hid_t obj);

// A damaged string type: HDF5 converts each character of a variable-length string by its
// stored base type, so a base of 10^9 bytes makes it write gigabytes per character (found
// hanging by fuzz_hdf5), and a fixed length of gigabytes is as bad.
void check_string_type(hid_t obj, hid_t ftype, const std::string& what) {
  std::size_t bytes = H5Tget_size(ftype);
  if (H5Tis_variable_str(ftype) > 0) {
    Handle base = type_handle(H5Tget_super(ftype), "base type of " + what);
    bytes = H5Tget_size(base);
    if (bytes == 1) return;
  } else if (bytes > 0 && bytes <= (1u << 20)) {
    return;
  }
  char file[4096] = {};
  H5Fget_name(obj, file, sizeof file);
  throw IoError("'" + std::string(file) + "' is damaged: " + what +
                " has a string type of implausible size (" + std::to_string(bytes) + " bytes)");
}

std::string read_attr_string(hid_t obj, const char* name) {
  check_attribute_names(obj);
  if (H5Aexists(obj, name) <= 0) return {};
  Handle a = attr_handle(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name);
  Handle ftype = type_handle(H5Aget_type(a), "attribute type");
  if (H5Tget_class(ftype) != H5T_STRING) return {};
  check_string_type(obj, ftype, std::string("attribute ") + name);
  Handle type = vlen_string_type();
  if (H5Tis_variable_str(ftype) > 0) {
    check_vlen_attribute(obj, name);
    char* p = nullptr;
    check(H5Aread(a, type, &p), std::string("read attribute ") + name);
    std::string out = p ? p : "";
    Handle space = space_handle(H5Aget_space(a), "attribute space");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, &p);
    return out;
  }
  std::string out(H5Tget_size(ftype), '\0');
  check(H5Aread(a, ftype, out.data()), std::string("read attribute ") + name);
  return out.substr(0, out.find('\0'));
}

// Variable-length strings of a damaged file can make libhdf5 read out of bounds or allocate
// without limit (HDF5 1.10 trusts the lengths it finds). So before HDF5 reads them, their
// stored descriptors (length, global-heap collection address, object index; 16 bytes) are
// read with pread and checked against the file: each collection must be a well-formed
// "GCOL" block inside the file holding the object at the stated length.
class HeapCheck {
 public:
  explicit HeapCheck(hid_t obj) {
    char name[4096] = {};
    if (H5Fget_name(obj, name, sizeof name) > 0) {
      file_ = name;
      fd_ = ::open(name, O_RDONLY | O_CLOEXEC);
    }
    if (fd_ >= 0) size_ = ::lseek(fd_, 0, SEEK_END);
  }
  // The file at `path`, before HDF5 opens it.
  explicit HeapCheck(const std::string& path)
      : file_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ >= 0) size_ = ::lseek(fd_, 0, SEEK_END);
  }
  ~HeapCheck() {
    if (fd_ >= 0) ::close(fd_);
  }
  HeapCheck(const HeapCheck&) = delete;
  HeapCheck& operator=(const HeapCheck&) = delete;
  [[nodiscard]] bool usable() const { return fd_ >= 0 && size_ > 0; }
  [[nodiscard]] const std::string& file() const { return file_; }

  bool get(std::uint64_t at, std::size_t bytes, void* out) const {
    return at + bytes <= static_cast<std::uint64_t>(size_) && at + bytes >= at &&
           ::pread(fd_, out, bytes, static_cast<off_t>(at)) == static_cast<ssize_t>(bytes);
  }
  static std::uint64_t le(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
      v = (v << 8) | p[i];
    return v;
  }
  // Empty if the descriptor points at a well-formed string, else why not.
  std::string check(const unsigned char* e) {
    const std::uint64_t length = le(e, 4), addr = le(e + 4, 8), index = le(e + 12, 4);
    if (length == 0) return {};
    if (length > (1u << 26)) return "a string of implausible length";
    auto it = collections_.find(addr);
    if (it == collections_.end()) {
      unsigned char head[16];
      if (!get(addr, 16, head) || std::memcmp(head, "GCOL", 4) != 0 || head[4] != 1)
        return "a string's heap is missing";
      const std::uint64_t csize = le(head + 8, 8);
      if (csize < 16 || csize > (1u << 30)) return "a string heap of implausible size";
      std::vector<unsigned char> body(csize);
      if (!get(addr, csize, body.data())) return "a string heap runs past the file's end";
      std::map<std::uint64_t, std::uint64_t> objects;
      for (std::uint64_t at = 16; at + 16 <= csize;) {
        const std::uint64_t idx = le(&body[at], 2), osize = le(&body[at + 8], 8);
        if (idx == 0) {  // free space, its size counting its header; HDF5 steps over it
          if (osize < 16 || osize > csize - at) return "a corrupt string heap";
          at += osize;  // a size of 0 made HDF5 loop for ever
          continue;
        }
        const std::uint64_t padded = (osize + 7) / 8 * 8;
        if (osize > csize || at + 16 + padded > csize) return "a corrupt string heap";
        objects[idx] = osize;
        at += 16 + padded;
      }
      it = collections_.emplace(addr, std::move(objects)).first;
    }
    const auto obj = it->second.find(index);
    // HDF5 copies the whole object into a buffer of the stated length: they must agree.
    if (obj == it->second.end() || obj->second != length) return "a string is missing";
    return {};
  }

  // Calls visit(type, block, data, size) for every message of the version-1 object header at
  // `header` (the layout chipsim writes), continuation blocks included, until it returns
  // false; returns false if the header cannot be followed.
  template <class Visit>
  bool for_each_message(std::uint64_t header, Visit visit) {
    unsigned char prefix[16];
    if (!get(header, 16, prefix) || prefix[0] != 1) return false;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks = {
        {header + 16, le(prefix + 8, 4)}};
    for (std::size_t b = 0; b < blocks.size() && b < 64; ++b) {
      const auto [start, length] = blocks[b];
      if (length > (1u << 24)) return false;
      std::vector<unsigned char> block(length);
      if (!get(start, length, block.data())) return false;
      for (std::uint64_t pos = 0; pos + 8 <= length;) {
        const std::uint64_t type = le(&block[pos], 2), size = le(&block[pos + 2], 2);
        const std::uint64_t data = pos + 8;
        if (data + size > length) return false;
        if (type == 0x10) {  // continuation: more messages elsewhere
          // HDF5 decodes its address and length whatever size the message states: one
          // stated shorter than those 16 bytes hid a 4 GB length from this walk (fuzz smoke).
          if (size < 16) return false;
          blocks.emplace_back(le(&block[data], 8), le(&block[data + 8], 8));
        }
        if (!visit(type, block, data, size)) return true;
        pos = data + size;
      }
    }
    return true;
  }

  // Where the root group's object header is, read from a version-0 or -1 superblock at the
  // start of the file (the format chipsim writes; HDF5 would follow it when opening the file,
  // before anything else can be checked). Empty why: the address is in `out`. A superblock of
  // version 2 or 3 carries a checksum that HDF5 verifies, and its root header too, so it is
  // left to HDF5: `out` is then 0.
  std::string root_header(std::uint64_t& out) const {
    out = 0;
    unsigned char sb[96];
    if (!get(0, 24, sb) || std::memcmp(sb, "\x89HDF\r\n\x1a\n", 8) != 0)
      return "its superblock is not at the start of the file";
    const int version = sb[8];
    if (version >= 2) return {};
    if (sb[13] != 8 || sb[14] != 8) return "its superblock does not use 8-byte addresses";
    // The fixed part (24 bytes, 28 for version 1), four addresses (base, free space, end of
    // file, driver), then the root group's symbol-table entry: name offset, header address.
    const std::uint64_t entry = (version == 0 ? 24 : 28) + 4 * 8;
    if (!get(0, entry + 16, sb)) return "its superblock runs past the file's end";
    if (le(sb + entry - 32, 8) != 0) return "its superblock moves the file's base address";
    out = le(sb + entry + 8, 8);
    return {};
  }

  // Whether the header at `header` can be followed to its end.
  bool followable(std::uint64_t header) {
    return for_each_message(header, [](std::uint64_t, const std::vector<unsigned char>&,
                                       std::uint64_t, std::uint64_t) { return true; });
  }

  // Every attribute message's name ends within the message, and its datatype is of a kind
  // chipsim writes: HDF5 decodes names with strdup, so a damaged one made it read past the
  // message (found by fuzz_hdf5).
  bool attribute_names_terminated(std::uint64_t header) {
    bool ok = true;
    const bool followed =
        for_each_message(header, [&](std::uint64_t type, const std::vector<unsigned char>& block,
                                     std::uint64_t data, std::uint64_t size) {
          if (type != 0x0C) return true;
          const int version = size >= 8 ? block[data] : 0;
          const std::uint64_t n = size >= 8 ? le(&block[data + 2], 2) : 0,
                              t = size >= 8 ? le(&block[data + 4], 2) : 0,
                              sp = size >= 8 ? le(&block[data + 6], 2) : 0;
          const std::uint64_t name = data + (version == 3 ? 9 : 8);
          ok = version >= 1 && version <= 3 && n >= 1 && name + n <= data + size &&
               std::memchr(&block[name], 0, n) != nullptr;
          // Its datatype: names inside types (enum and compound members, opaque tags) are
          // strdup'ed too. chipsim's attributes are numbers and strings, and HDF5's
          // dimension-scale lists (references, a compound of two members); an enum, opaque
          // or array type, or a compound whose bytes hold fewer NULs than it has members,
          // is damage.
          const std::uint64_t type_at = version == 1 ? name + (n + 7) / 8 * 8 : name + n;
          // The name, datatype and dataspace lie inside the message (a dataspace said to
          // be 4 kB in a 48-byte message made HDF5 read freed memory).
          const auto pad = [&](std::uint64_t x) { return version == 1 ? (x + 7) / 8 * 8 : x; };
          if (ok) ok = t >= 8 && type_at + pad(t) + pad(sp) <= data + size;
          if (ok) {
            const int cls = block[type_at] & 0x0F;
            ok = cls <= 3 || cls == 7 || cls == 9 || cls == 6;
            if (ok && cls == 6) {
              const std::uint64_t members = le(&block[type_at + 1], 2);
              const auto nuls = static_cast<std::uint64_t>(
                  std::count(block.begin() + static_cast<long>(type_at + 8),
                             block.begin() + static_cast<long>(type_at + t), 0));
              ok = members >= 1 && nuls >= members;
            }
          }
          return ok;
        });
    return followed && ok;
  }

  // The descriptor of scalar attribute `name` in the object header at `header`, or false.
  bool attribute_descriptor(std::uint64_t header, const std::string& name, unsigned char* out) {
    bool found = false;
    const bool followed =
        for_each_message(header, [&](std::uint64_t type, const std::vector<unsigned char>& block,
                                     std::uint64_t data, std::uint64_t size) {
          if (type != 0x0C || size < 8 || block[data] != 1) return true;  // attribute, v1
          const std::uint64_t n = le(&block[data + 2], 2), t = le(&block[data + 4], 2),
                              sp = le(&block[data + 6], 2);
          auto pad = [](std::uint64_t x) { return (x + 7) / 8 * 8; };
          const std::uint64_t value = data + 8 + pad(n) + pad(t) + pad(sp);
          if (n < 1 || value + 16 > data + size ||
              std::string(reinterpret_cast<const char*>(&block[data + 8]), n - 1) != name)
            return true;
          // HDF5 sizes its copy of the value by the stored datatype but reads it as a
          // 16-byte descriptor: the type must be a variable-length string of size 16 and the
          // space scalar, as chipsim writes them.
          const std::uint64_t type_at = data + 8 + pad(n), space_at = type_at + pad(t);
          if (t < 8 || sp < 2 || (block[type_at] & 0x0F) != 9 || le(&block[type_at + 4], 4) != 16 ||
              block[space_at + 1] != 0)
            return false;
          std::memcpy(out, &block[value], 16);
          found = true;
          return false;
        });
    return followed && found;
  }

 private:
  std::string file_;
  int fd_ = -1;
  off_t size_ = 0;
  std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>> collections_;
};

void check_vlen_strings(hid_t ds, hsize_t n, const std::string& what) {
  HeapCheck heap(ds);
  auto damaged = [&](const std::string& why) {
    return IoError("'" + heap.file() + "' is damaged: " + what + " cannot be read (" + why + ")");
  };
  if (n == 0) return;
  const haddr_t offset = H5Dget_offset(ds);
  if (offset == HADDR_UNDEF) {
    Handle plist = plist_handle(H5Dget_create_plist(ds), "dataset properties");
    if (H5Pget_layout(plist) != H5D_CONTIGUOUS) throw damaged("not stored as chipsim stores it");
    return;  // never written: reads as empty strings
  }
  if (!heap.usable()) throw damaged("the file cannot be read again");
  if (n > (1u << 24)) throw damaged("implausible size");
  std::vector<unsigned char> raw(static_cast<std::size_t>(n) * 16);
  if (!heap.get(offset, raw.size(), raw.data())) throw damaged("data lie outside the file");
  for (hsize_t i = 0; i < n; ++i)
    if (const std::string why = heap.check(raw.data() + 16 * i); !why.empty()) throw damaged(why);
}

// The same for a scalar string attribute, found in its object's header.
void check_vlen_attribute(hid_t obj, const char* name) {
  HeapCheck heap(obj);
  if (!heap.usable()) throw IoError("'" + heap.file() + "' cannot be read again");
  // chipsim writes version-1 object headers (HDF5's default format), which are always
  // followed: one that cannot be is damaged (so is one whose address HDF5 cannot give).
  H5O_info_t info{};
  unsigned char desc[16];
  std::string why =
      H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0       ? "its object header cannot be read"
      : heap.attribute_descriptor(info.addr, name, desc) ? heap.check(desc)
                                                         : "its object header cannot be followed";
  if (!why.empty())
    throw IoError("'" + heap.file() + "' is damaged: attribute " + name + " cannot be read (" +
                  why + ")");
}

// Before HDF5 decodes an object's attribute messages (H5Aexists does): their names must end
// within their messages.
void check_attribute_names(hid_t obj) {
  H5O_info_t info{};
  HeapCheck heap(obj);
  if (!heap.usable()) throw IoError("'" + heap.file() + "' cannot be read again");
  if (H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0 || !heap.attribute_names_terminated(info.addr))
    throw IoError("'" + heap.file() + "' is damaged: an object's attributes cannot be read");
}

// Throws unless `name` in `loc` is a hard link to a version-1 object header, as chipsim writes
// them, whose blocks lie in the file.
void check_linked_header(hid_t loc, const std::string& name) {
  H5L_info_t link{};
  HeapCheck heap(loc);
  if (!heap.usable()) throw IoError("'" + heap.file() + "' cannot be read again");
  if (H5Lget_info(loc, name.c_str(), &link, H5P_DEFAULT) < 0 || link.type != H5L_TYPE_HARD ||
      !heap.followable(link.u.address))
    throw IoError("'" + heap.file() + "' is damaged: the header of " + name +
                  " cannot be followed");
}

// HDF5 loads the root group's object header while opening a file, and a group's header
// whenever a path through the group is looked up, allocating what the header says it holds: a
// damaged continuation length made it ask for 20 GB (found by fuzz_hdf5). So the headers of
// the groups chipsim writes (the root and "summary") are followed first, as open_dataset
// follows a dataset's.
void check_group_headers_before_open(const std::string& path) {
  HeapCheck heap(path);
  if (!heap.usable()) throw IoError("cannot open '" + path + "': " + std::strerror(errno));
  std::uint64_t root = 0;
  std::string why = heap.root_header(root);
  if (why.empty() && root != 0 && !heap.followable(root))
    why = "the root group's header cannot be followed";
  if (!why.empty()) throw IoError("'" + path + "' is damaged: " + why);
}

void check_group_headers_after_open(hid_t f) {
  if (H5Lexists(f, "summary", H5P_DEFAULT) > 0) check_linked_header(f, "summary");
}

// Opens a dataset (errors say "open NAME") after checking the object header H5Dopen2 will
// load: HDF5 allocates what a header says it holds, and a damaged size made it ask for
// 16 GiB (found by fuzz_hdf5). The link must be a hard link to a version-1 header, as
// chipsim writes them, whose blocks lie in the file.
// Only in files opened to be read (inspect, compare, merge, the partial file of a resume):
// the file a writer is building is not on disk yet, and it is its own.
Handle open_dataset(hid_t loc, const std::string& name, hid_t access = H5P_DEFAULT) {
  unsigned intent = 0;
  {
    Handle file = file_handle(H5Iget_file_id(loc), "file of an object");
    check(H5Fget_intent(file, &intent), "file access mode");
  }
  if (intent == H5F_ACC_RDONLY) check_linked_header(loc, name);
  return dataset_handle(H5Dopen2(loc, name.c_str(), access), "open " + name);
}

// The strings of a 1-D variable-length string dataset, checked first (check_vlen_strings).
std::vector<std::string> read_strings(hid_t ds, const std::string& what) {
  Handle sp = space_handle(H5Dget_space(ds), "space of " + what);
  if (H5Sget_simple_extent_ndims(sp) != 1) throw IoError(what + ": expected one dimension");
  hsize_t n = 0;
  H5Sget_simple_extent_dims(sp, &n, nullptr);
  Handle ftype = type_handle(H5Dget_type(ds), "type of " + what);
  if (H5Tget_class(ftype) != H5T_STRING || H5Tis_variable_str(ftype) <= 0)
    throw IoError(what + ": expected variable-length strings");
  check_string_type(ds, ftype, what);
  check_vlen_strings(ds, n, what);
  Handle type = vlen_string_type();
  std::vector<char*> p(n, nullptr);
  if (n > 0) check(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), "read " + what);
  std::vector<std::string> out;
  for (auto* x : p)
    out.emplace_back(x ? x : "");
  if (n > 0) H5Dvlen_reclaim(type, sp, H5P_DEFAULT, p.data());
  return out;
}

long long read_attr_i64(hid_t obj, const char* name, long long fallback) {
  check_attribute_names(obj);
  if (H5Aexists(obj, name) <= 0) return fallback;
  Handle a = attr_handle(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name);
  long long v = fallback;
  check(H5Aread(a, H5T_NATIVE_LLONG, &v), std::string("read attribute ") + name);
  return v;
}

// Creation properties of class `cls` (file, group or dataset) without modification times:
// HDF5 stores each object's creation time by default, so two runs of the same command gave
// files differing in dozens of bytes. Without them, and with SOURCE_DATE_EPOCH fixing
// `created`, the same command writes the same bytes (docs/OUTPUT.md, "Reproducible files").
Handle untimed(hid_t cls) {
  Handle p = plist_handle(H5Pcreate(cls), "creation properties");
  check(H5Pset_obj_track_times(p, 0), "creation properties");
  return p;
}

// Transfer properties whose type-conversion buffer holds `bytes` (at least one element).
// HDF5's default buffer is 1 MiB, allocated zeroed for every write that converts
// variable-length strings: the label datasets' writes were half of a one-replicate run's
// time, mostly page faults (docs/PERFORMANCE.md, "Fixed cost of a run").
Handle conversion_buffer(std::size_t bytes) {
  Handle p = plist_handle(H5Pcreate(H5P_DATASET_XFER), "transfer properties");
  check(H5Pset_buffer(p, std::max<std::size_t>(bytes, 64), nullptr, nullptr), "conversion buffer");
  return p;
}

// ---- coordinate datasets ----------------------------------------------------------------

Handle string_dataset(hid_t where, const char* name, const std::vector<std::string>& values) {
  const hsize_t n = values.size();
  Handle type = vlen_string_type();
  Handle space = space_handle(H5Screate_simple(1, &n, nullptr), "space");
  Handle d = dataset_handle(
      H5Dcreate2(where, name, type, space, H5P_DEFAULT, untimed(H5P_DATASET_CREATE), H5P_DEFAULT),
      std::string("create dataset ") + name);
  std::vector<const char*> p;
  for (const auto& v : values)
    p.push_back(v.c_str());
  if (n > 0) check(H5Dwrite(d, type, H5S_ALL, H5S_ALL, conversion_buffer(n * 16), p.data()), name);
  return d;
}

template <class T>
Handle number_dataset(hid_t where, const char* name, const std::vector<T>& values, hid_t file_type,
                      hid_t mem_type) {
  const hsize_t n = values.size();
  Handle space = space_handle(H5Screate_simple(1, &n, nullptr), "space");
  Handle d = dataset_handle(H5Dcreate2(where, name, file_type, space, H5P_DEFAULT,
                                       untimed(H5P_DATASET_CREATE), H5P_DEFAULT),
                            std::string("create dataset ") + name);
  if (n > 0) check(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), name);
  return d;
}

// Auxiliary coordinates along a dimension (CF `coordinates`).
std::vector<const char*> aux_for(const std::string& dim) {
  if (dim == "period") return {"time", "decimal_year"};
  if (dim == "product") return {"product_vendor"};
  if (dim == "vendor") return {"vendor_region"};
  if (dim == "buyer") return {"buyer_region"};
  if (dim == "channel") return {"channel_legal"};
  if (dim == "event") return {"event_policy", "event_kind"};
  return {};
}

// Creates the dimension scales (and auxiliary coordinates) that `dims` need in `where`.
void create_dimensions(hid_t where, const Scenario& s, const std::vector<std::string>& dims,
                       int replicates, const SweepLayout* sweep = nullptr) {
  const Calendar& cal = s.calendar;
  for (const auto& dim : dims) {
    Handle d;
    if (dim == "point" && sweep) {
      std::vector<int> idx(static_cast<std::size_t>(sweep->points()));
      for (int i = 0; i < sweep->points(); ++i)
        idx[static_cast<std::size_t>(i)] = i;
      d = number_dataset(where, "point", idx, H5T_STD_I32LE, H5T_NATIVE_INT);
      attr_string(d, "long_name", "design point");
      check(H5DSset_scale(d, "point"), "dimension scale point");
      // One coordinate per swept key, named after it, plus the design's structure.
      auto attach = [&](Handle aux, const std::string& long_name) {
        attr_string(aux, "long_name", long_name);
        check(H5DSattach_scale(aux, d, 0), "attach point");
      };
      for (std::size_t k = 0; k < sweep->keys.size(); ++k) {
        std::vector<double> v;
        for (const auto& row : sweep->values)
          v.push_back(row[k]);
        attach(number_dataset(where, sweep->keys[k].c_str(), v, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE),
               "swept value of " + sweep->keys[k]);
      }
      attach(number_dataset(where, "design_group", sweep->group, H5T_STD_I32LE, H5T_NATIVE_INT),
             "base sample (saltelli), trajectory (morris) or the point itself");
      attach(number_dataset(where, "design_role", sweep->role, H5T_STD_I32LE, H5T_NATIVE_INT),
             "saltelli: -1 A, i AB^i, k B; morris: parameter changed from the previous point");
      continue;
    }
    if (dim == "parameter" && sweep) {
      d = string_dataset(where, "parameter", sweep->keys);
      attr_string(d, "long_name", "swept scenario key");
    } else if (dim == "replicate") {
      std::vector<int> idx(static_cast<std::size_t>(replicates));
      for (int i = 0; i < replicates; ++i)
        idx[i] = i;
      d = number_dataset(where, "replicate", idx, H5T_STD_I32LE, H5T_NATIVE_INT);
      attr_string(d, "long_name", "replicate index");
    } else if (dim == "stat") {
      std::vector<std::string> stats(kSummaryStats.begin(), kSummaryStats.end());
      d = string_dataset(where, "stat", stats);
      attr_string(d, "long_name", "statistic over replicates");
    } else if (dim == "period") {
      std::vector<std::string> labels;
      std::vector<double> years;
      for (int t = 0; t < cal.periods; ++t) {
        labels.push_back(cal.label(t));
        years.push_back(cal.decimal_year(t));
      }
      d = string_dataset(where, "period", labels);
      attr_string(d, "long_name", "simulation period");
      Handle y = number_dataset(where, "decimal_year", years, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
      attr_string(y, "units", "year");
      attr_string(y, "long_name", "middle of the period as a decimal year");
      // CF time: the start of each period, so xarray decodes datetimes
      // (ds.groupby("time.year"); ds.sel(time="2027") once time is indexed).
      std::vector<double> days;
      for (int t = 0; t < cal.periods; ++t)
        days.push_back(
            static_cast<double>(days_since_epoch(cal.start(t)) - days_since_epoch(cal.start(0))));
      Handle tm = number_dataset(where, "time", days, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
      const Date t0 = cal.start(0);
      char since[64];
      std::snprintf(since, sizeof since, "days since %04d-%02d-01 00:00:00", t0.year, t0.month);
      attr_string(tm, "units", since);
      attr_string(tm, "calendar", "proleptic_gregorian");
      attr_string(tm, "standard_name", "time");
      attr_string(tm, "long_name", "start of the period");
      check(H5DSset_scale(d, "period"), "dimension scale period");
      check(H5DSattach_scale(y, d, 0), "attach period to decimal_year");
      check(H5DSattach_scale(tm, d, 0), "attach period to time");
      continue;
    } else if (dim == "event") {
      d = string_dataset(where, "event", event_labels(s));
      attr_string(d, "long_name", "stochastic policy event or trigger");
    } else {
      d = string_dataset(where, dim.c_str(), dimension_labels(s, dim));
      attr_string(d, "long_name", dim);
    }
    check(H5DSset_scale(d, dim.c_str()), "dimension scale " + dim);
  }
  // Auxiliary coordinates, attached to their dimension.
  auto attach = [&](Handle aux, const char* dim, const char* long_name) {
    attr_string(aux, "long_name", long_name);
    Handle scale = open_dataset(where, dim);
    check(H5DSattach_scale(aux, scale, 0), std::string("attach ") + dim);
  };
  auto has = [&](const char* d) { return std::find(dims.begin(), dims.end(), d) != dims.end(); };
  if (has("product")) {
    std::vector<std::string> v;
    for (const auto& p : s.products)
      v.push_back(s.vendors[p.vendor].name);
    attach(string_dataset(where, "product_vendor", v), "product", "vendor of the product");
  }
  if (has("vendor")) {
    std::vector<std::string> v;
    for (const auto& x : s.vendors)
      v.push_back(s.regions[x.region].name);
    attach(string_dataset(where, "vendor_region", v), "vendor", "headquarters region");
  }
  if (has("buyer")) {
    std::vector<std::string> v;
    for (const auto& x : s.buyers)
      v.push_back(s.regions[x.region].name);
    attach(string_dataset(where, "buyer_region", v), "buyer", "region of the buyer");
  }
  if (has("event")) {
    std::vector<std::string> policy, kind;
    for (const auto& e : s.events) {
      policy.push_back(s.policies[e.policy].name);
      kind.emplace_back("event");
    }
    for (const auto& t : s.triggers) {
      policy.push_back(s.policies[t.policy].name);
      kind.emplace_back("trigger");
    }
    attach(string_dataset(where, "event_policy", policy), "event", "policy that issues the rule");
    attach(string_dataset(where, "event_kind", kind), "event",
           "event (hazard per period) or trigger (threshold on an outcome)");
  }
  if (has("channel")) {
    std::vector<signed char> v;
    for (const auto& x : s.channels)
      v.push_back(x.legal() ? 1 : 0);
    Handle legal = number_dataset(where, "channel_legal", v, H5T_STD_I8LE, H5T_NATIVE_SCHAR);
    attr_string(legal, "units", "1");
    attach(std::move(legal), "channel", "1 if the channel is legal");
  }
}

std::string coordinates_attr(const std::vector<std::string>& dims,
                             const SweepLayout* sweep = nullptr) {
  std::string out;
  for (const auto& d : dims) {
    for (const char* aux : aux_for(d))
      out += (out.empty() ? "" : " ") + std::string(aux);
    if (d == "point" && sweep) {
      for (const auto& k : sweep->keys)
        out += (out.empty() ? "" : " ") + k;
      out += " design_group design_role";
    }
  }
  return out;
}

// The aggregation declaration every consumer reads (engine/aggregate.hpp, docs/OUTPUT.md):
// CF cell_methods for time, and how cells combine.
void write_rules(hid_t d, const VariableInfo& v) {
  attr_string(d, "cell_methods", cell_methods(v));
  attr_string(d, "aggregation", to_string(v.cells));
  if (v.numerator) attr_string(d, "numerator", v.numerator);
  if (v.denominator) attr_string(d, "denominator", v.denominator);
  if (v.weight) attr_string(d, "weight", v.weight);
  attr_string(d, "display", to_string(v.display));
}

// CF flag_values and flag_meanings of a category variable: binding_input's inputs (int8), or
// binding_supplier's suppliers (int16, -1 for none).
void write_flags(hid_t d, const std::string& name, const Scenario& s) {
  std::vector<short> flags;
  std::string meanings;
  auto add = [&](int value, const std::string& meaning) {
    flags.push_back(static_cast<short>(value));
    meanings += (meanings.empty() ? "" : " ") + meaning;
  };
  const bool inputs = name == "binding_input";
  if (inputs) {
    for (int i = 0; i < kBindingInputCount; ++i)
      add(i, to_string(static_cast<BindingInput>(i)));
  } else {
    add(kNoSupplier, "none");
    const auto labels = supplier_labels(s);
    for (std::size_t i = 0; i < labels.size(); ++i)
      add(static_cast<int>(i), labels[i]);
  }
  const hsize_t n = flags.size();
  Handle fs = space_handle(H5Screate_simple(1, &n, nullptr), "space");
  Handle a = attr_handle(H5Acreate2(d, "flag_values", inputs ? H5T_STD_I8LE : H5T_STD_I16LE, fs,
                                    H5P_DEFAULT, H5P_DEFAULT),
                         "flag_values");
  check(H5Awrite(a, H5T_NATIVE_SHORT, flags.data()), "flag_values");
  attr_string(d, "flag_meanings", meanings);
}

// The run's identity and provenance, on the root and again on /summary so that the group
// alone identifies the run (open_dataset(group="summary")).
void write_provenance(hid_t obj, const Scenario& s, const OutputInfo& info) {
  attr_string(obj, "scenario", s.name);
  attr_string(obj, "scenario_sha256", sha256_hex(s.resolved_text));
  attr_u64(obj, "seed", info.seed);
  attr_i64(obj, "point", info.point);
  attr_string(obj, "chipsim_version", info.version);
  attr_string(obj, "git_commit", info.commit);
  attr_string(obj, "command_line", info.command_line);
  attr_string(obj, "created", info.created);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v)
    out += (out.empty() ? "" : ",") + x;
  return out;
}

std::vector<std::string> selected_names(const std::vector<int>& vars) {
  std::vector<std::string> out;
  for (int v : vars)
    out.emplace_back(variables()[v].name);
  return out;
}

// Bits of a category variable's integer type, 0 for a real-valued one.
int enum_bits(int v) {
  const std::string name = variables()[v].name;
  return name == "binding_input" ? 8 : name == "binding_supplier" ? 16 : 0;
}

// Dataset access without a chunk cache: every chunk is written once, in order, so caching
// only costs memory (it made peak RSS grow with the replicate count).
Handle no_chunk_cache() {
  Handle dapl = plist_handle(H5Pcreate(H5P_DATASET_ACCESS), "dataset access properties");
  check(H5Pset_chunk_cache(dapl, 0, 0, 1.0), "chunk cache");
  return dapl;
}

}  // namespace

std::vector<int> select_variables(const std::vector<std::string>& requested,
                                  const Scenario& scenario) {
  const auto& all = variables();
  // installed_equivalents needs a reference accelerator (market.reference_product).
  const bool has_reference = scenario.market.reference_product != kNone;
  auto available = [&](const VariableInfo& v) {
    return has_reference || std::string_view(v.name) != "installed_equivalents";
  };
  std::vector<int> out;
  if (requested.empty()) {
    for (std::size_t i = 0; i < all.size(); ++i)
      if (available(all[i])) out.push_back(static_cast<int>(i));
    return out;
  }
  std::vector<std::string> known;
  for (const auto& v : all)
    known.emplace_back(v.name);
  for (const auto& name : requested) {
    const auto it = std::find(known.begin(), known.end(), name);
    if (it == known.end())
      throw BadRequest("--variables: unknown variable '" + name + "'" + did_you_mean(name, known) +
                       "; expected names from docs/OUTPUT.md: " + join(known));
    if (!available(all[static_cast<std::size_t>(it - known.begin())]))
      throw BadRequest(
          "--variables: installed_equivalents needs market.reference_product in the "
          "scenario (the accelerator whose compute is the unit)");
    const int index = static_cast<int>(it - known.begin());
    if (std::find(out.begin(), out.end(), index) == out.end()) out.push_back(index);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Cells along a dimension of the scenario (1 for one without labels).
int dimension_size(const Scenario& s, const char* dim) {
  const auto labels = dimension_labels(s, dim);
  return labels.empty() ? 1 : static_cast<int>(labels.size());
}

// Values in one replicate of variable v: periods x the sizes of its other dimensions.
std::uint64_t cells_per_replicate(const Scenario& s, const VariableInfo& v) {
  auto n = static_cast<std::uint64_t>(s.calendar.periods);
  for (const char* d : v.dims)
    n *= static_cast<std::uint64_t>(dimension_size(s, d));
  return n;
}

std::string mebibytes(std::uint64_t bytes) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1 << 20) << " MiB";
  return o.str();
}

}  // namespace

std::size_t trajectory_bytes(const Scenario& s) {
  std::uint64_t bytes = 0;
  for (const VariableInfo& v : variables())
    bytes += cells_per_replicate(s, v) * sizeof(double);
  return static_cast<std::size_t>(bytes);
}

int chunk_replicates(const Scenario& s, const std::vector<int>& vars, bool float32,
                     long long replicates) {
  const int set = s.output.chunk_replicates;
  const int chosen = set > 0
                         ? set
                         : static_cast<int>(std::clamp<std::size_t>(
                               kChunkBudgetBytes / std::max<std::size_t>(trajectory_bytes(s), 1), 1,
                               kDefaultChunkReplicates));
  // As the writer stores it: a chunk holds min(chosen, replicates) replicates.
  const auto in_chunk =
      static_cast<std::uint64_t>(std::clamp<long long>(chosen, 1, std::max(replicates, 1LL)));
  for (int v : vars) {
    const VariableInfo& info = variables()[static_cast<std::size_t>(v)];
    const int bits = enum_bits(v);
    const std::uint64_t element = bits > 0 ? static_cast<std::uint64_t>(bits / 8) : float32 ? 4 : 8;
    const std::uint64_t per = cells_per_replicate(s, info) * element;
    if (per * in_chunk <= kMaxChunkBytes) continue;
    const std::uint64_t fits = kMaxChunkBytes / per;
    if (fits == 0)
      throw BadRequest(std::string("one replicate of ") + info.name + " is " + mebibytes(per) +
                       ", more than HDF5 allows in one chunk (4 GiB); leave it out with "
                       "--variables, or use --summary-only");
    throw BadRequest(s.output.chunk_replicates_loc.str() +
                     ": output.chunk_replicates: a chunk of " + std::to_string(in_chunk) +
                     " replicates of " + info.name + " would hold " + mebibytes(per * in_chunk) +
                     ", more than HDF5 allows in one chunk (4 GiB); expected at most " +
                     std::to_string(fits) +
                     ", or leave it unset and chipsim chooses (docs/OUTPUT.md, \"Chunks\")");
  }
  return chosen;
}

namespace {

// Reads `count` along each dimension from `start` of dataset d as doubles (or ints).
template <class T>
void read_slab(hid_t d, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               hid_t mem_type, T* out, const std::string& what) {
  Handle file_space = space_handle(H5Dget_space(d), "dataspace");
  check(
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      "select " + what);
  Handle mem = space_handle(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                            "memory space");
  check(H5Dread(d, mem_type, mem, file_space, H5P_DEFAULT, out), "read " + what);
}

}  // namespace

struct EncodeScratch;  // defined beside Hdf5Writer::encode

class Hdf5Writer final : public OutputWriter {
 public:
  Hdf5Writer(const std::string& path, const Scenario& scenario, const OutputInfo& info,
             const OutputOptions& options, bool resume);
  ~Hdf5Writer() override;
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  [[nodiscard]] int replicates_written() const override { return written_; }
  [[nodiscard]] bool complete() const override { return complete_; }
  [[nodiscard]] const std::vector<int>& variable_indices() const override { return vars_; }
  void encode(const std::vector<Trajectory>& chunk, int point, int first,
              EncodedChunk& out) const override;
  void write(const std::vector<Trajectory>& chunk, int first, const EncodedChunk* encoded) override;
  void finish(const SummaryAccumulator& summary) override;
  void close() override;

  [[nodiscard]] int done(int point) const override {
    return done_[static_cast<std::size_t>(point)];
  }
  [[nodiscard]] bool failed(int point) const override {
    return failed_[static_cast<std::size_t>(point)] != 0;
  }
  void write_point(int point, const std::vector<Trajectory>& chunk, int first,
                   const EncodedChunk* encoded) override;
  void record_error(int point, const std::string& message) override;
  void finish_sweep() override;

  // Rows of /summary a merge copies from a shard: (point, k, rows) fills rows (statistics x
  // cells of selected variable k, or the event probabilities for k = variables) and returns
  // true, or returns false to have them computed from the data.
  using SummaryCopy = std::function<bool(int, std::size_t, std::vector<double>&)>;
  void write_summary(const SummaryCopy& copied, bool shard);
  void finish_sweep(const SummaryCopy& copied);

  // Writes n replicates of selected variable k (position in variable_indices()) from
  // `rows` (replicate-major, doubles), at `point` (sweeps) and replicate `first`.
  void write_rows(std::size_t k, int point, int first, std::size_t n, const double* rows);
  void write_event_rows(int point, int first, std::size_t n, const int* rows);
  // Sweeps: replicates of `point` now on disk; records the checkpoint.
  void mark_done(int point, int count);
  // Every point's work done (a merge, once all chunks are copied; no checkpoint needed).
  void mark_all_done();
  // Copies the stored chunks of `point` covering replicates [first, first + count) from the
  // same datasets of another file of the same layout, as stored (no filter is run).
  // `source_points`: the source has a point dimension (a sweep's file or shard); false for a
  // run's own partial file being resumed (same layout as this one).
  void copy_chunks(hid_t source, int point, int first, int count, bool source_points = true);
  // The stored bytes of the chunk at `offset`, found by walking the chunk index and read
  // from the file directly, for when HDF5 cannot look the chunk up by its offset: a kill
  // inside H5Fflush can leave the index's keys so that the lookup fails ("chunk storage is
  // not allocated", and a read returns fill values) while the walk still lists the chunk
  // where it was written. False if the walk does not list it either.
  bool read_listed_chunk(hid_t from, const std::vector<hsize_t>& offset, std::uint32_t& mask,
                         std::vector<char>& bytes) const;
  // A run's file (no point dimension) filled by copy_chunks: replicates [0, written) read
  // back, in order, into `acc` (for finish), and recorded as written.
  void summarise_stored(SummaryAccumulator& acc, int written);

 private:
  void create_layout();
  void create_sweep_records();
  void open_handles();   // the datasets written to
  void open_datasets();  // and a sweep's checkpoint read from them
  void rebuild();
  // Closes the file built under the name `built`, renames it to the writer's path and opens
  // it for writing; `verb` names the step in errors.
  void install(const std::string& built, const char* verb);
  // Releases every dataset handle (not the file's).
  void drop_handles();
  // Runs `build` on the file being built under the name `built`, then installs it; if `build`
  // throws, the file is closed and removed before the exception goes on.
  void build_then_install(const std::string& built, const char* verb,
                          const std::function<void()>& build);
  // Writes a sweep point's error message into point_error (`file` names the file in errors).
  void write_error_row(int point, const std::string& message, const std::string& file);
  void check_resume();
  std::vector<hsize_t> shape_of(int variable) const;
  // units, long_name, coordinates and the aggregation rules of a variable's dataset.
  void describe_variable(hid_t d, const VariableInfo& info,
                         std::vector<std::string> leading_dims) const;
  int size_of(const char* dim) const;

  const Scenario& s_;
  OutputInfo info_;
  const SweepLayout* sweep_ = nullptr;  // into info_
  int points_ = 0;                      // 0: no point dimension
  std::vector<int> done_;
  std::vector<char> failed_;
  Handle work_done_, point_error_;
  OutputOptions options_;
  std::vector<int> vars_;
  std::string path_;
  Handle file_;
  std::vector<Handle> datasets_;  // per selected variable (empty when summary-only)
  Handle event_dataset_;          // event_period, if the scenario has events or triggers
  int events_ = 0;
  int written_ = 0;
  bool complete_ = false;  // resumed a file that was finished but not yet renamed
  int periods_ = 0;
  std::vector<double> buffer_;
  std::vector<float> buffer32_;
  std::vector<signed char> buffer8_;
  std::vector<short> buffer16_;
  // encode()'s compressors and buffers, one per thread that has encoded (see EncodeScratch).
  mutable std::mutex scratch_mutex_;
  mutable std::vector<std::unique_ptr<EncodeScratch>> scratch_;
};

void Hdf5Writer::describe_variable(hid_t d, const VariableInfo& info,
                                   std::vector<std::string> dims) const {
  attr_string(d, "units", info.units);
  attr_string(d, "long_name", info.long_name);
  for (const char* x : info.dims)
    dims.emplace_back(x);
  const std::string coords = coordinates_attr(dims, sweep_);
  if (!coords.empty()) attr_string(d, "coordinates", coords);
  write_rules(d, info);
  if (std::string_view(info.name) == "installed_equivalents" &&
      s_.market.reference_product != kNone)
    attr_string(d, "reference_product", s_.products[s_.market.reference_product].name);
}

int Hdf5Writer::size_of(const char* dim) const {
  return dimension_size(s_, dim);
}

std::vector<hsize_t> Hdf5Writer::shape_of(int v) const {
  std::vector<hsize_t> shape = {static_cast<hsize_t>(info_.replicates),
                                static_cast<hsize_t>(periods_)};
  if (points_ > 0) shape.insert(shape.begin(), static_cast<hsize_t>(points_));
  for (const char* d : variables()[v].dims)
    shape.push_back(static_cast<hsize_t>(size_of(d)));
  return shape;
}

std::unique_ptr<OutputWriter> OutputWriter::create(const std::string& path,
                                                   const Scenario& scenario, const OutputInfo& info,
                                                   const OutputOptions& options) {
  return std::make_unique<Hdf5Writer>(path, scenario, info, options, false);
}

std::unique_ptr<OutputWriter> OutputWriter::resume(const std::string& path,
                                                   const Scenario& scenario, const OutputInfo& info,
                                                   const OutputOptions& options) {
  return std::make_unique<Hdf5Writer>(path, scenario, info, options, true);
}

Hdf5Writer::Hdf5Writer(const std::string& path, const Scenario& scenario, const OutputInfo& info,
                       const OutputOptions& options, bool resume)
    : s_(scenario),
      info_(info),
      options_(options),
      vars_(select_variables(options.variables, scenario)),
      path_(path),
      events_(static_cast<int>(scenario.events.size() + scenario.triggers.size())),
      periods_(scenario.calendar.periods) {
  silence_hdf5();
  if (info_.sweep) {
    sweep_ = &*info_.sweep;
    points_ = sweep_->points();
    done_.assign(static_cast<std::size_t>(points_), 0);
    failed_.assign(static_cast<std::size_t>(points_), 0);
  }
  if (resume) {
    // The interrupted file is only read. Its checkpointed replicates are copied, as stored,
    // into a new file, which then replaces it (docs/OUTPUT.md, "Crash safety").
    check_group_headers_before_open(path);
    file_ = file_handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                        "cannot open '" + path + "' to resume");
    check_group_headers_after_open(file_);
    check_resume();
    written_ = static_cast<int>(read_attr_i64(file_, "replicates_written", 0));
    open_datasets();
    complete_ = read_attr_i64(file_, "complete", 0) == 1;
    if (complete_) {  // killed after finishing, before the rename: only the rename is left
      drop_handles();
      file_.reset();
      return;
    }
    rebuild();
    return;
  }
  // The skeleton (every attribute, coordinate and empty dataset) is built under a temporary
  // name and renamed to the partial file only once flushed and closed: a kill during its
  // creation leaves no partial file that cannot be opened, only a stray skeleton that the
  // next run truncates.
  const std::string skeleton = path + ".creating";
  file_ =
      file_handle(H5Fcreate(skeleton.c_str(), H5F_ACC_TRUNC, untimed(H5P_FILE_CREATE), H5P_DEFAULT),
                  "cannot create '" + path + "'");
  build_then_install(skeleton, "create", [&] { create_layout(); });
}

void Hdf5Writer::build_then_install(const std::string& built, const char* verb,
                                    const std::function<void()>& build) {
  try {
    build();
  } catch (...) {
    // A file this run failed to build is not left behind (it could be mistaken for work).
    drop_handles();
    file_.reset();
    std::error_code ignored;
    std::filesystem::remove(built, ignored);
    throw;
  }
  install(built, verb);
}

void Hdf5Writer::drop_handles() {
  datasets_.clear();
  event_dataset_.reset();
  work_done_.reset();
  point_error_.reset();
}

void Hdf5Writer::install(const std::string& built, const char* verb) {
  close();
  std::error_code ec;
  std::filesystem::rename(built, path_, ec);
  if (ec) throw IoError(std::string("cannot ") + verb + " '" + path_ + "': " + ec.message());
  file_ =
      file_handle(H5Fopen(path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "cannot open '" + path_ + "'");
  open_datasets();
}

// Resuming: a new file with the partial file's layout and provenance, holding exactly the
// chunks its checkpoint counts (copied as stored, no filter run), replaces it. The partial
// file may hold more than its checkpoint says - chunks written after it, and, when a kill
// lands inside HDF5's flush, chunk-index entries for them that point past the end of the
// file as last flushed, which HDF5 cannot overwrite - so it is never written in place. A kill
// before the rename leaves it as it was; the new file is flushed and closed before it.
void Hdf5Writer::rebuild() {
  Handle source = std::move(file_);
  info_.created = read_attr_string(source, "created");
  info_.command_line = read_attr_string(source, "command_line");
  info_.commit = read_attr_string(source, "git_commit");
  std::vector<std::string> errors;
  if (points_ > 0) errors = read_strings(point_error_, "point_error");
  drop_handles();

  const std::string fresh = path_ + ".resuming";
  file_ =
      file_handle(H5Fcreate(fresh.c_str(), H5F_ACC_TRUNC, untimed(H5P_FILE_CREATE), H5P_DEFAULT),
                  "cannot create '" + fresh + "'");
  build_then_install(fresh, "replace", [&] {
    create_layout();  // a sweep's work_done from done_, as read
    open_handles();
    const bool data = !options_.summary_only;
    if (points_ == 0) {
      if (data && written_ > 0) copy_chunks(source, 0, 0, written_, false);
      attr_i64(file_, "replicates_written", written_);
    }
    for (int p = 0; p < points_; ++p) {
      if (data && done(p) > 0)
        copy_chunks(source, p, sweep_->work_first[static_cast<std::size_t>(p)], done(p), true);
      const auto& message = errors[static_cast<std::size_t>(p)];
      if (!message.empty()) write_error_row(p, message, fresh);
    }
    work_done_.reset();
    point_error_.reset();
    source.reset();
  });
}

void Hdf5Writer::open_handles() {
  if (points_ > 0) {
    work_done_ = open_dataset(file_, "work_done");
    point_error_ = open_dataset(file_, "point_error");
  }
  if (options_.summary_only) return;
  for (int v : vars_)
    datasets_.push_back(open_dataset(file_, variables()[v].name, no_chunk_cache()));
  if (events_ > 0) event_dataset_ = open_dataset(file_, "event_period");
}

void Hdf5Writer::open_datasets() {
  open_handles();
  if (points_ > 0) {
    check(H5Dread(work_done_, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, done_.data()),
          "read work_done");
    const auto errors = read_strings(point_error_, "point_error");
    if (errors.size() != failed_.size())
      throw IoError("'" + path_ + "' is damaged: point_error has the wrong size");
    for (std::size_t i = 0; i < errors.size(); ++i)
      failed_[i] = !errors[i].empty();
  }
}

Hdf5Writer::~Hdf5Writer() {
  try {
    close();
  } catch (...) {  // destructors do not throw; close() reports errors when called directly
  }
}

void Hdf5Writer::create_layout() {
  // Provenance on the root.
  attr_string(file_, "title", "chipsim output: " + s_.name);
  attr_string(file_, "Conventions", "CF-1.8");
  attr_string(file_, "format", kFormat);
  write_provenance(file_, s_, info_);
  attr_string(file_, "scenario_text", s_.resolved_text);
  attr_i64(file_, "replicates", info_.replicates);
  attr_i64(file_, "replicates_written", 0);
  attr_i64(file_, "complete", 0);
  attr_i64(file_, "summary_only", options_.summary_only ? 1 : 0);
  attr_string(file_, "variables", join(selected_names(vars_)));
  attr_i64(file_, "noise", info_.noise ? 1 : 0);
  attr_i64(file_, "compression", options_.compression);
  attr_i64(file_, "float32", options_.float32 ? 1 : 0);
  attr_i64(file_, "chunk_replicates", options_.chunk_replicates);
  attr_f64(file_, "summary_quantile_relative_accuracy", QuantileSketch::kRelativeAccuracy);
  if (points_ > 0) {
    attr_string(file_, "sweep_text", sweep_->sweep_text);
    attr_string(file_, "sweep_identity", sweep_->identity);
    attr_i64(file_, "points", points_);
    attr_i64(file_, "shard", sweep_->shard);
    attr_i64(file_, "shards", sweep_->shards);
    attr_string(file_, "design_keys", join(sweep_->keys));
    for (const auto& [name, value] : sweep_->settings)
      attr_string(file_, ("design_" + name).c_str(), value);
  }

  std::vector<std::string> dims = {"period"};
  if (!options_.summary_only) dims.insert(dims.begin(), "replicate");
  if (points_ > 0) {
    dims.insert(dims.begin(), "point");
    dims.emplace_back("parameter");
  }
  for (int v : vars_)
    for (const char* d : variables()[v].dims)
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.emplace_back(d);
  if (events_ > 0 && !options_.summary_only) dims.emplace_back("event");
  create_dimensions(file_, s_, dims, info_.replicates, sweep_);
  if (points_ > 0) create_sweep_records();
  if (options_.summary_only) {
    check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
    return;
  }

  // Leading dimensions of every per-replicate dataset.
  std::vector<std::string> lead = {"replicate"};
  if (points_ > 0) lead.insert(lead.begin(), "point");
  const auto chunk_reps =
      static_cast<hsize_t>(std::clamp(options_.chunk_replicates, 1, info_.replicates));
  auto attach_scales = [&](hid_t d, const std::vector<std::string>& names, const char* what) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      Handle scale = open_dataset(file_, names[i]);
      check(H5DSattach_scale(d, scale, static_cast<unsigned>(i)),
            "attach " + names[i] + " to " + what);
    }
  };

  if (events_ > 0) {  // the structural-uncertainty record (docs/OUTPUT.md, "Events")
    std::vector<hsize_t> shape = {static_cast<hsize_t>(info_.replicates),
                                  static_cast<hsize_t>(events_)};
    std::vector<hsize_t> chunk = {chunk_reps, shape[1]};
    if (points_ > 0) {
      shape.insert(shape.begin(), static_cast<hsize_t>(points_));
      chunk.insert(chunk.begin(), 1);
    }
    Handle space = space_handle(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), "space");
    Handle dcpl = untimed(H5P_DATASET_CREATE);
    check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "chunking");
    const int never = Trajectory::kNeverFired;
    check(H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &never), "fill value");
    check(H5Pset_fletcher32(dcpl), "Fletcher-32 checksum filter");
    Handle d = dataset_handle(
        H5Dcreate2(file_, "event_period", H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
        "create dataset event_period");
    attr_number(d, "_FillValue", never, H5T_STD_I32LE, H5T_NATIVE_INT);
    attr_string(d, "units", "1");
    attr_string(d, "long_name",
                "index of the period in which the event fired (fill value: never fired)");
    std::vector<std::string> names = lead;
    names.emplace_back("event");
    attr_string(d, "coordinates", coordinates_attr(names, sweep_));
    attach_scales(d, names, "event_period");
  }

  for (int v : vars_) {
    const VariableInfo& info = variables()[v];
    const std::vector<hsize_t> shape = shape_of(v);
    std::vector<hsize_t> chunk = shape;
    if (points_ > 0) chunk[0] = 1;
    chunk[lead.size() - 1] = chunk_reps;
    Handle space = space_handle(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), "space");
    Handle dcpl = untimed(H5P_DATASET_CREATE);
    check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "chunking");
    if (options_.compression > 0) {
      check(H5Pset_shuffle(dcpl), "shuffle filter");
      check(H5Pset_deflate(dcpl, static_cast<unsigned>(options_.compression)), "deflate");
    }
    // Last in the pipeline: a checksum of each stored chunk, so a damaged chunk is a read
    // error, never a silent number (docs/OUTPUT.md, "Durability").
    check(H5Pset_fletcher32(dcpl), "Fletcher-32 checksum filter");
    const int bits = enum_bits(v);
    const bool enum_var = bits > 0;
    hid_t file_type = bits == 8          ? H5T_STD_I8LE
                      : bits == 16       ? H5T_STD_I16LE
                      : options_.float32 ? H5T_IEEE_F32LE
                                         : H5T_IEEE_F64LE;
    if (!enum_var) {  // unwritten replicates read as NaN, never as plausible zeros
      const double nan = std::numeric_limits<double>::quiet_NaN();
      check(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan), "fill value");
    }
    Handle d = dataset_handle(
        H5Dcreate2(file_, info.name, file_type, space, H5P_DEFAULT, dcpl, no_chunk_cache()),
        std::string("create dataset ") + info.name);
    std::vector<std::string> var_dims = lead;
    var_dims.emplace_back("period");
    describe_variable(d, info, var_dims);
    if (enum_var) write_flags(d, info.name, s_);
    for (const char* x : info.dims)
      var_dims.emplace_back(x);
    attach_scales(d, var_dims, info.name);
  }
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

// A sweep's bookkeeping along `point`: the replicates this file holds and has done, the
// error of a point that could not run, and the design's unit coordinates.
void Hdf5Writer::create_sweep_records() {
  Handle scale = open_dataset(file_, "point");
  auto on_point = [&](Handle d, const char* long_name) {
    attr_string(d, "long_name", long_name);
    check(H5DSattach_scale(d, scale, 0), "attach point");
  };
  on_point(number_dataset(file_, "work_first", sweep_->work_first, H5T_STD_I32LE, H5T_NATIVE_INT),
           "first replicate of the point this file holds");
  on_point(number_dataset(file_, "work_count", sweep_->work_count, H5T_STD_I32LE, H5T_NATIVE_INT),
           "replicates of the point this file holds");
  on_point(number_dataset(file_, "work_done", done_, H5T_STD_I32LE, H5T_NATIVE_INT),
           "replicates of the point written so far (a checkpoint)");
  on_point(string_dataset(file_, "point_error",
                          std::vector<std::string>(static_cast<std::size_t>(points_))),
           "why the point could not run (empty: it ran)");
  const hsize_t shape[2] = {static_cast<hsize_t>(points_),
                            static_cast<hsize_t>(sweep_->keys.size())};
  std::vector<double> unit;
  for (const auto& row : sweep_->unit)
    unit.insert(unit.end(), row.begin(), row.end());
  Handle space = space_handle(H5Screate_simple(2, shape, nullptr), "space");
  Handle d = dataset_handle(H5Dcreate2(file_, "design_unit", H5T_IEEE_F64LE, space, H5P_DEFAULT,
                                       untimed(H5P_DATASET_CREATE), H5P_DEFAULT),
                            "create dataset design_unit");
  if (!unit.empty())
    check(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, unit.data()),
          "write design_unit");
  attr_string(d, "units", "1");
  attr_string(d, "long_name", "the point's coordinate in the design's unit cube");
  check(H5DSattach_scale(d, scale, 0), "attach point");
  Handle par = open_dataset(file_, "parameter");
  check(H5DSattach_scale(d, par, 1), "attach parameter");
}

void Hdf5Writer::check_resume() {
  auto mismatch = [&](const std::string& what, const std::string& file, const std::string& now) {
    throw BadRequest("cannot resume '" + path_ + "': it was written with " + what + " " + file +
                     ", this run has " + now +
                     "; resume with the original options, or pass --force to start again");
  };
  if (read_attr_string(file_, "format") != kFormat)
    throw BadRequest("cannot resume '" + path_ + "': not a chipsim output file");
  const std::string sha = sha256_hex(s_.resolved_text);
  if (read_attr_string(file_, "scenario_sha256") != sha)
    mismatch("scenario sha256", read_attr_string(file_, "scenario_sha256"), sha);
  const auto seed = static_cast<unsigned long long>(read_attr_i64(file_, "seed", -1));
  if (seed != info_.seed) mismatch("--seed", std::to_string(seed), std::to_string(info_.seed));
  const long long reps = read_attr_i64(file_, "replicates", -1);
  if (reps != info_.replicates)
    mismatch("-n/--replicates", std::to_string(reps), std::to_string(info_.replicates));
  const std::string vars = read_attr_string(file_, "variables");
  if (vars != join(selected_names(vars_)))
    mismatch("--variables", vars, join(selected_names(vars_)));
  const bool summary_only = read_attr_i64(file_, "summary_only", 0) == 1;
  if (summary_only != options_.summary_only)
    mismatch("--summary-only", summary_only ? "on" : "off", options_.summary_only ? "on" : "off");
  // Options that change the data: a resumed file must not mix two settings.
  auto on_off = [](long long v) { return std::string(v ? "on" : "off"); };
  const long long noise = read_attr_i64(file_, "noise", 1);
  if (noise != (info_.noise ? 1 : 0))
    mismatch("--no-noise", on_off(noise == 0), on_off(!info_.noise));
  const long long f32 = read_attr_i64(file_, "float32", options_.float32 ? 1 : 0);
  if (f32 != (options_.float32 ? 1 : 0))
    mismatch("--float32", on_off(f32), on_off(options_.float32));
  const long long level = read_attr_i64(file_, "compression", options_.compression);
  if (level != options_.compression)
    mismatch("--compression", std::to_string(level), std::to_string(options_.compression));
  // Chunks are the unit of the checkpoint: a resumed file keeps its own.
  const long long chunk = read_attr_i64(file_, "chunk_replicates", options_.chunk_replicates);
  if (chunk != options_.chunk_replicates)
    mismatch("output.chunk_replicates", std::to_string(chunk),
             std::to_string(options_.chunk_replicates));
  if (read_attr_string(file_, "chipsim_version") != info_.version)
    mismatch("chipsim version", read_attr_string(file_, "chipsim_version"), info_.version);
  if (points_ > 0) {
    const std::string id = read_attr_string(file_, "sweep_identity");
    if (id != sweep_->identity) mismatch("sweep identity", id, sweep_->identity);
    const std::string shard = std::to_string(read_attr_i64(file_, "shard", 0)) + "/" +
                              std::to_string(read_attr_i64(file_, "shards", 1));
    const std::string now = std::to_string(sweep_->shard) + "/" + std::to_string(sweep_->shards);
    if (shard != now) mismatch("--shard", shard, now);
  }
}

void Hdf5Writer::write_rows(std::size_t k, int point, int first, std::size_t n,
                            const double* rows) {
  const int v = vars_[k];
  const VariableInfo& info = variables()[v];
  std::vector<hsize_t> shape = shape_of(v), start(shape.size(), 0), count = shape;
  const std::size_t lead = points_ > 0 ? 1 : 0;
  if (points_ > 0) {
    start[0] = static_cast<hsize_t>(point);
    count[0] = 1;
  }
  start[lead] = static_cast<hsize_t>(first);
  count[lead] = n;
  std::size_t total = 1;
  for (auto c : count)
    total *= c;
  Handle file_space = space_handle(H5Dget_space(datasets_[k]), "dataspace");
  check(
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      "select replicates");
  Handle mem = space_handle(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                            "memory space");
  herr_t status;
  if (enum_bits(v) == 16) {
    buffer16_.resize(total);
    for (std::size_t i = 0; i < total; ++i)
      buffer16_[i] = static_cast<short>(rows[i]);
    status =
        H5Dwrite(datasets_[k], H5T_NATIVE_SHORT, mem, file_space, H5P_DEFAULT, buffer16_.data());
  } else if (enum_bits(v) == 8) {
    buffer8_.resize(total);
    for (std::size_t i = 0; i < total; ++i)
      buffer8_[i] = static_cast<signed char>(rows[i]);
    status =
        H5Dwrite(datasets_[k], H5T_NATIVE_SCHAR, mem, file_space, H5P_DEFAULT, buffer8_.data());
  } else if (options_.float32) {
    buffer32_.resize(total);
    for (std::size_t i = 0; i < total; ++i)
      buffer32_[i] = static_cast<float>(rows[i]);
    status =
        H5Dwrite(datasets_[k], H5T_NATIVE_FLOAT, mem, file_space, H5P_DEFAULT, buffer32_.data());
  } else {
    status = H5Dwrite(datasets_[k], H5T_NATIVE_DOUBLE, mem, file_space, H5P_DEFAULT, rows);
  }
  check(status, std::string("write ") + info.name + " to '" + path_ + "'");
}

void Hdf5Writer::write_event_rows(int point, int first, std::size_t n, const int* rows) {
  std::vector<hsize_t> start = {static_cast<hsize_t>(first), 0};
  std::vector<hsize_t> count = {n, static_cast<hsize_t>(events_)};
  if (points_ > 0) {
    start.insert(start.begin(), static_cast<hsize_t>(point));
    count.insert(count.begin(), 1);
  }
  Handle file_space = space_handle(H5Dget_space(event_dataset_), "dataspace");
  check(
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      "select replicates");
  Handle mem = space_handle(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                            "memory space");
  check(H5Dwrite(event_dataset_, H5T_NATIVE_INT, mem, file_space, H5P_DEFAULT, rows),
        "write event_period to '" + path_ + "'");
}

// The file's element size of selected variable v (its type in create_layout).
std::size_t element_size(int v, bool float32) {
  const int bits = enum_bits(v);
  return bits == 8 ? 1 : bits == 16 ? 2 : float32 ? 4 : 8;
}

// Rows of a chunk (replicate-major doubles) in the file's type, little-endian, padded to
// `rows` replicates with the fill value (NaN; 0 for the integer variables).
// Returns the chunk's size in bytes.
template <class T>
std::size_t store_as(const std::vector<Trajectory>& chunk, Series Trajectory::*series,
                     std::size_t cells, std::size_t rows, ScratchBuffer& out) {
  static_assert(std::endian::native == std::endian::little, "the file's types are little-endian");
  const std::size_t bytes = rows * cells * sizeof(T);
  T* const begin = reinterpret_cast<T*>(out.room(bytes));
  T* to = begin;
  for (const auto& t : chunk)
    for (const double x : (t.*series).data())
      *to++ = static_cast<T>(x);
  const T fill = std::is_floating_point_v<T> ? std::numeric_limits<T>::quiet_NaN() : T{0};
  std::fill(to, begin + rows * cells, fill);
  return bytes;
}

// What encode() needs on a worker thread, pooled by the writer so that its compressor and
// buffers are made once per thread rather than once per chunk.
struct EncodeScratch {
  explicit EncodeScratch(int level) : filter(level) {}
  ChunkFilter filter;
  ScratchBuffer raw;
};

void Hdf5Writer::encode(const std::vector<Trajectory>& chunk, int point, int first,
                        EncodedChunk& out) const {
  out = EncodedChunk{};
  if (options_.summary_only || chunk.empty()) return;
  const int step = std::clamp(options_.chunk_replicates, 1, info_.replicates);
  const auto n = static_cast<int>(chunk.size());
  // One whole chunk of the file: aligned, and full or the last along the replicates.
  if (first % step != 0 || (n != step && first + n != info_.replicates)) return;
  out.point = point;
  out.first = first;
  out.count = chunk.size();
  std::unique_ptr<EncodeScratch> scratch;
  {
    const std::lock_guard<std::mutex> lock(scratch_mutex_);
    if (!scratch_.empty()) {
      scratch = std::move(scratch_.back());
      scratch_.pop_back();
    }
  }
  if (!scratch) scratch = std::make_unique<EncodeScratch>(options_.compression);
  for (const int v : vars_) {
    const VariableInfo& info = variables()[v];
    const std::size_t cells = (chunk.front().*(info.series)).data().size();
    const int bits = enum_bits(v);
    const auto rows = static_cast<std::size_t>(step);
    ScratchBuffer& raw = scratch->raw;
    const std::size_t bytes =
        bits == 8          ? store_as<signed char>(chunk, info.series, cells, rows, raw)
        : bits == 16       ? store_as<short>(chunk, info.series, cells, rows, raw)
        : options_.float32 ? store_as<float>(chunk, info.series, cells, rows, raw)
                           : store_as<double>(chunk, info.series, cells, rows, raw);
    out.variables.push_back(
        scratch->filter.filter(raw.room(bytes), bytes, element_size(v, options_.float32)));
  }
  const std::lock_guard<std::mutex> lock(scratch_mutex_);
  scratch_.push_back(std::move(scratch));
}

void Hdf5Writer::write(const std::vector<Trajectory>& chunk, int first,
                       const EncodedChunk* encoded) {
  if (points_ > 0) throw IoError("internal: a sweep file is written point by point");
  if (first != written_)
    throw IoError("internal: chunk starts at replicate " + std::to_string(first) +
                  " but the file has " + std::to_string(written_));
  write_point(0, chunk, first, encoded);
}

void Hdf5Writer::write_point(int point, const std::vector<Trajectory>& chunk, int first,
                             const EncodedChunk* encoded) {
  const auto n = static_cast<hsize_t>(chunk.size());
  if (points_ > 0 && first != sweep_->work_first[static_cast<std::size_t>(point)] + done(point))
    throw IoError("internal: chunk of point " + std::to_string(point) + " starts at replicate " +
                  std::to_string(first) + ", not where the file's work on it stopped");
  const bool direct = encoded != nullptr && encoded->point == point && encoded->first == first &&
                      encoded->count == chunk.size() &&
                      encoded->variables.size() == datasets_.size();
  if (direct) {  // filtered by encode(): stored as it is
    for (std::size_t k = 0; k < vars_.size(); ++k) {
      std::vector<hsize_t> offset(shape_of(vars_[k]).size(), 0);
      offset[points_ > 0 ? 1 : 0] = static_cast<hsize_t>(first);
      if (points_ > 0) offset[0] = static_cast<hsize_t>(point);
      const auto& bytes = encoded->variables[k];
      check(H5Dwrite_chunk(datasets_[k], H5P_DEFAULT, 0, offset.data(), bytes.size(), bytes.data()),
            std::string("write ") + variables()[vars_[k]].name + " to '" + path_ + "'");
    }
  }
  if (!options_.summary_only) {
    for (std::size_t k = 0; k < vars_.size() && !direct; ++k) {
      const VariableInfo& info = variables()[vars_[k]];
      const std::size_t cells = (chunk.front().*(info.series)).data().size();
      buffer_.resize(n * cells);
      for (std::size_t r = 0; r < n; ++r) {
        const auto& d = (chunk[r].*(info.series)).data();
        std::copy(d.begin(), d.end(), buffer_.begin() + static_cast<long>(r * cells));
      }
      write_rows(k, point, first, n, buffer_.data());
    }
    if (events_ > 0) {
      std::vector<int> rows(n * static_cast<std::size_t>(events_));
      for (std::size_t r = 0; r < n; ++r)
        std::copy(chunk[r].event_period.begin(), chunk[r].event_period.end(),
                  rows.begin() + static_cast<long>(r * static_cast<std::size_t>(events_)));
      write_event_rows(point, first, n, rows.data());
    }
  }
  if (points_ > 0) {
    mark_done(point, done(point) + static_cast<int>(n));
    return;
  }
  written_ = first + static_cast<int>(n);
  // Checkpoint: data first, then the count that says it is there.
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush '" + path_ + "'");
  attr_i64(file_, "replicates_written", written_);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush '" + path_ + "'");
}

void Hdf5Writer::mark_done(int point, int count) {
  // Checkpoint: data first, then the count that says it is there.
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush '" + path_ + "'");
  done_[static_cast<std::size_t>(point)] = count;
  const hsize_t start = static_cast<hsize_t>(point), one = 1;
  Handle file_space = space_handle(H5Dget_space(work_done_), "dataspace");
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &start, nullptr, &one, nullptr),
        "select point");
  Handle mem = space_handle(H5Screate_simple(1, &one, nullptr), "memory space");
  check(H5Dwrite(work_done_, H5T_NATIVE_INT, mem, file_space, H5P_DEFAULT, &count),
        "write work_done to '" + path_ + "'");
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush '" + path_ + "'");
}

bool Hdf5Writer::read_listed_chunk(hid_t from, const std::vector<hsize_t>& offset,
                                   std::uint32_t& mask, std::vector<char>& bytes) const {
  Handle space = space_handle(H5Dget_space(from), "dataspace");
  hsize_t chunks = 0;
  if (H5Dget_num_chunks(from, space, &chunks) < 0) return false;
  std::vector<hsize_t> at(offset.size());
  for (hsize_t i = 0; i < chunks; ++i) {
    unsigned listed_mask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    if (H5Dget_chunk_info(from, space, i, at.data(), &listed_mask, &address, &size) < 0 ||
        at != offset || size == 0 || address == HADDR_UNDEF)
      continue;
    // Addresses count from the file's start: chipsim's files have no user block.
    const ssize_t length = H5Fget_name(from, nullptr, 0);
    if (length <= 0) return false;
    std::string file(static_cast<std::size_t>(length), '\0');
    if (H5Fget_name(from, file.data(), file.size() + 1) < 0) return false;
    std::ifstream in(file, std::ios::binary);
    bytes.resize(size);
    in.seekg(static_cast<std::streamoff>(address));
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    mask = listed_mask;
    return static_cast<bool>(in);
  }
  return false;
}

void Hdf5Writer::copy_chunks(hid_t source, int point, int first, int count, bool source_points) {
  const int step = std::clamp(options_.chunk_replicates, 1, info_.replicates);
  if (first % step != 0)
    throw IoError("merge: a part's replicates of point " + std::to_string(point) + " start at " +
                  std::to_string(first) + ", not on a chunk boundary");
  std::vector<char> buffer;
  // A source with a point dimension copied into a run's file (points_ == 0) loses it, which
  // leaves a chunk's bytes as they are (its leading extent is 1).
  const bool drop_point = source_points && points_ == 0;
  auto copy = [&](hid_t from, hid_t to, std::size_t rank, const std::string& name) {
    for (int r0 = first; r0 < first + count; r0 += step) {
      std::vector<hsize_t> offset(rank, 0);
      if (source_points) offset[0] = static_cast<hsize_t>(point);
      offset[source_points ? 1 : 0] = static_cast<hsize_t>(r0);
      const std::vector<hsize_t> target =
          drop_point ? std::vector<hsize_t>(offset.begin() + 1, offset.end()) : offset;
      hsize_t bytes = 0;
      std::uint32_t mask = 0;
      const bool looked_up = H5Dget_chunk_storage_size(from, offset.data(), &bytes) >= 0;
      bool found = false;
      if (looked_up && bytes > 0) {
        buffer.resize(bytes);
        found = H5Dread_chunk(from, H5P_DEFAULT, offset.data(), &mask, buffer.data()) >= 0;
      }
      // Not found by its offset: a damaged index (see read_listed_chunk), or a chunk never
      // written (a sweep point that could not run), which HDF5 reports as 0 bytes.
      if (!found && !read_listed_chunk(from, offset, mask, buffer)) {
        if (looked_up && bytes == 0) continue;
        throw IoError("a chunk of " + name + " (replicate " + std::to_string(r0) +
                      ") is missing from the index of the file it is copied from");
      }
      bytes = buffer.size();
      check(H5Dwrite_chunk(to, H5P_DEFAULT, mask, target.data(), bytes, buffer.data()),
            "write a chunk of " + name + " to '" + path_ + "'");
    }
  };
  const std::size_t extra = drop_point ? 1 : 0;
  for (std::size_t k = 0; k < vars_.size(); ++k) {
    const char* name = variables()[vars_[k]].name;
    Handle from = open_dataset(source, name, no_chunk_cache());
    copy(from, datasets_[k], shape_of(vars_[k]).size() + extra, name);
  }
  if (events_ > 0) {
    Handle from = open_dataset(source, "event_period");
    copy(from, event_dataset_, source_points ? 3 : 2, "event_period");
  }
}

void Hdf5Writer::summarise_stored(SummaryAccumulator& acc, int written) {
  const int step = std::clamp(options_.chunk_replicates, 1, std::max(info_.replicates, 1));
  std::vector<double> rows;
  std::vector<int> event_rows;
  for (int r0 = 0; r0 < written; r0 += step) {
    const int n = std::min(step, written - r0);
    for (std::size_t k = 0; k < vars_.size(); ++k) {
      std::vector<hsize_t> shape = shape_of(vars_[k]), start(shape.size(), 0), count = shape;
      start[0] = static_cast<hsize_t>(r0);
      count[0] = static_cast<hsize_t>(n);
      std::size_t cells = 1;
      for (std::size_t i = 1; i < shape.size(); ++i)
        cells *= shape[i];
      rows.resize(static_cast<std::size_t>(n) * cells);
      read_slab(datasets_[k], start, count, H5T_NATIVE_DOUBLE, rows.data(),
                variables()[vars_[k]].name);
      acc.add_rows(k, rows.data(), static_cast<std::size_t>(n), cells);
    }
    if (events_ > 0) {
      event_rows.resize(static_cast<std::size_t>(n * events_));
      read_slab(event_dataset_, {static_cast<hsize_t>(r0), 0},
                {static_cast<hsize_t>(n), static_cast<hsize_t>(events_)}, H5T_NATIVE_INT,
                event_rows.data(), "event_period");
      acc.add_event_rows(event_rows.data(), static_cast<std::size_t>(n),
                         static_cast<std::size_t>(events_));
    }
    acc.add_count(static_cast<std::size_t>(n));
  }
  written_ = written;
  attr_i64(file_, "replicates_written", written_);
}

void Hdf5Writer::mark_all_done() {
  for (int p = 0; p < points_; ++p)
    done_[static_cast<std::size_t>(p)] = sweep_->work_count[static_cast<std::size_t>(p)];
  check(H5Dwrite(work_done_, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, done_.data()),
        "write work_done to '" + path_ + "'");
}

void Hdf5Writer::write_error_row(int point, const std::string& message, const std::string& file) {
  const hsize_t start = static_cast<hsize_t>(point), one = 1;
  Handle type = vlen_string_type();
  Handle file_space = space_handle(H5Dget_space(point_error_), "dataspace");
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &start, nullptr, &one, nullptr),
        "select point");
  Handle mem = space_handle(H5Screate_simple(1, &one, nullptr), "memory space");
  const char* text = message.c_str();
  check(H5Dwrite(point_error_, type, mem, file_space, conversion_buffer(16), &text),
        "write point_error to '" + file + "'");
}

void Hdf5Writer::record_error(int point, const std::string& message) {
  write_error_row(point, message, path_);
  failed_[static_cast<std::size_t>(point)] = 1;
  mark_done(point, sweep_->work_count[static_cast<std::size_t>(point)]);
}

void Hdf5Writer::finish(const SummaryAccumulator& summary) {
  Handle g = group_handle(
      H5Gcreate2(file_, "summary", H5P_DEFAULT, untimed(H5P_GROUP_CREATE), H5P_DEFAULT),
      "create group summary");
  attr_string(g, "long_name", "mean and quantiles over replicates");
  attr_f64(g, "quantile_relative_accuracy", QuantileSketch::kRelativeAccuracy);
  attr_i64(g, "replicates", summary.count());
  write_provenance(g, s_, info_);
  attr_string(g, "title", "chipsim output: " + s_.name + " (statistics over replicates)");
  attr_string(g, "Conventions", "CF-1.8");
  std::vector<std::string> dims = {"stat", "period"};
  for (int v : vars_)
    for (const char* d : variables()[v].dims)
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.emplace_back(d);
  if (events_ > 0) dims.emplace_back("event");
  create_dimensions(g, s_, dims, 0);
  if (events_ > 0) {  // share of replicates in which each event fired within the horizon
    const auto fired = summary.events_fired();
    std::vector<double> p;
    for (long f : fired)
      p.push_back(summary.count() > 0
                      ? static_cast<double>(f) / static_cast<double>(summary.count())
                      : 0.0);
    Handle d = number_dataset(g, "event_probability", p, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    attr_string(d, "units", "1");
    attr_string(d, "long_name", "share of replicates in which the event fired within the horizon");
    attr_string(d, "coordinates", coordinates_attr({"event"}));
    Handle scale = open_dataset(g, "event");
    check(H5DSattach_scale(d, scale, 0), "attach event to event_probability");
  }
  for (std::size_t k = 0; k < vars_.size(); ++k) {
    const int v = vars_[k];
    const VariableInfo& info = variables()[v];
    std::vector<hsize_t> shape = shape_of(v);
    shape[0] = kSummaryStats.size();
    std::vector<double> data;
    for (std::size_t st = 0; st < kSummaryStats.size(); ++st) {
      const auto part = summary.stat(k, st);
      data.insert(data.end(), part.begin(), part.end());
    }
    Handle space = space_handle(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), "space");
    const hid_t file_type = options_.float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    Handle d = dataset_handle(H5Dcreate2(g, info.name, file_type, space, H5P_DEFAULT,
                                         untimed(H5P_DATASET_CREATE), H5P_DEFAULT),
                              std::string("create summary/") + info.name);
    check(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
          std::string("write summary/") + info.name);
    describe_variable(d, info, {"stat", "period"});
    attr_string(d, "long_name", std::string(info.long_name) + " (statistics over replicates)");
    std::vector<std::string> var_dims = {"stat", "period"};
    for (const char* x : info.dims)
      var_dims.emplace_back(x);
    for (std::size_t i = 0; i < var_dims.size(); ++i) {
      Handle scale = open_dataset(g, var_dims[i]);
      check(H5DSattach_scale(d, scale, static_cast<unsigned>(i)),
            "attach " + var_dims[i] + " to summary/" + info.name);
    }
  }
  attr_i64(file_, "complete", 1);
  close();
}

void Hdf5Writer::finish_sweep() {
  finish_sweep(nullptr);
}

void Hdf5Writer::finish_sweep(const SummaryCopy& copied) {
  // A shard summarises the points it holds whole; the merge copies those and computes the
  // others (docs/CLUSTER.md).
  write_summary(copied, sweep_->shards > 1);
  attr_i64(file_, "replicates_written", info_.replicates);
  attr_i64(file_, "complete", 1);
  close();
}

void Hdf5Writer::write_summary(const SummaryCopy& copied, bool shard) {
  Handle g = group_handle(
      H5Gcreate2(file_, "summary", H5P_DEFAULT, untimed(H5P_GROUP_CREATE), H5P_DEFAULT),
      "create group summary");
  attr_string(g, "long_name", "mean and quantiles over each point's replicates");
  attr_f64(g, "quantile_relative_accuracy", QuantileSketch::kRelativeAccuracy);
  attr_i64(g, "replicates", info_.replicates);
  write_provenance(g, s_, info_);
  attr_string(g, "title", "chipsim sweep: " + s_.name + " (statistics over replicates)");
  attr_string(g, "Conventions", "CF-1.8");
  std::vector<std::string> dims = {"point", "stat", "period"};
  for (int v : vars_)
    for (const char* d : variables()[v].dims)
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.emplace_back(d);
  if (events_ > 0) dims.emplace_back("event");
  create_dimensions(g, s_, dims, 0, sweep_);
  auto attach_scales = [&](hid_t d, const std::vector<std::string>& names, const char* what) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      Handle scale = open_dataset(g, names[i]);
      check(H5DSattach_scale(d, scale, static_cast<unsigned>(i)),
            "attach " + names[i] + " to summary/" + what);
    }
  };
  auto create = [&](const char* name, const std::vector<hsize_t>& shape) {
    Handle space = space_handle(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), "space");
    const hid_t file_type = options_.float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    return dataset_handle(H5Dcreate2(g, name, file_type, space, H5P_DEFAULT,
                                     untimed(H5P_DATASET_CREATE), H5P_DEFAULT),
                          std::string("create summary/") + name);
  };
  // One dataset per variable, then event_probability: index k = vars_.size() below.
  std::vector<Handle> out;
  std::vector<std::size_t> cells;
  for (int v : vars_) {
    const VariableInfo& info = variables()[v];
    std::vector<hsize_t> shape = shape_of(v);
    shape[1] = kSummaryStats.size();
    std::size_t n = 1;
    for (std::size_t i = 2; i < shape.size(); ++i)
      n *= shape[i];
    cells.push_back(n);
    Handle d = create(info.name, shape);
    std::vector<std::string> names = {"point", "stat", "period"};
    describe_variable(d, info, names);
    attr_string(d, "long_name", std::string(info.long_name) + " (statistics over replicates)");
    for (const char* x : info.dims)
      names.emplace_back(x);
    attach_scales(d, names, info.name);
    out.push_back(std::move(d));
  }
  if (events_ > 0) {
    Handle d =
        create("event_probability", {static_cast<hsize_t>(points_), static_cast<hsize_t>(events_)});
    attr_string(d, "units", "1");
    attr_string(d, "long_name",
                "share of the point's replicates in which the event fired within the horizon");
    attr_string(d, "coordinates", coordinates_attr({"point", "event"}, sweep_));
    attach_scales(d, {"point", "event"}, "event_probability");
    out.push_back(std::move(d));
    cells.push_back(static_cast<std::size_t>(events_));
  }
  auto write_row = [&](std::size_t k, int p, const std::vector<double>& data) {
    Handle file_space = space_handle(H5Dget_space(out[k]), "dataspace");
    const auto rank = static_cast<std::size_t>(H5Sget_simple_extent_ndims(file_space));
    std::vector<hsize_t> shape(rank);
    H5Sget_simple_extent_dims(file_space, shape.data(), nullptr);
    std::vector<hsize_t> start(rank, 0), count = shape;
    start[0] = static_cast<hsize_t>(p);
    count[0] = 1;
    check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          "select point");
    Handle mem = space_handle(H5Screate_simple(static_cast<int>(rank), count.data(), nullptr),
                              "memory space");
    check(H5Dwrite(out[k], H5T_NATIVE_DOUBLE, mem, file_space, H5P_DEFAULT, data.data()),
          "write a summary to '" + path_ + "'");
  };

  const int reps = info_.replicates;
  const int step = std::clamp(options_.chunk_replicates, 1, std::max(reps, 1));
  std::vector<double> rows, data;
  std::vector<int> event_rows;
  std::vector<signed char> computed(static_cast<std::size_t>(points_), 0);
  for (int p = 0; p < points_; ++p) {
    const auto pi = static_cast<std::size_t>(p);
    const bool whole = sweep_->work_first[pi] == 0 && sweep_->work_count[pi] == reps;
    if (shard && !whole) continue;  // left to the merge
    bool all_copied = copied != nullptr;
    for (std::size_t k = 0; k < out.size() && all_copied; ++k) {
      data.assign(kSummaryStats.size() * cells[k], 0.0);
      if (k == vars_.size()) data.resize(cells[k]);
      all_copied = copied(p, k, data);
      if (all_copied) write_row(k, p, data);
    }
    if (all_copied) continue;
    // Computed from the data as stored, in replicate order.
    SummaryAccumulator acc(vars_);
    const bool skip = failed(p);
    for (int r0 = 0; r0 < reps && !skip; r0 += step) {
      const int n = std::min(step, reps - r0);
      for (std::size_t k = 0; k < vars_.size(); ++k) {
        std::vector<hsize_t> shape = shape_of(vars_[k]), start(shape.size(), 0), count = shape;
        start[0] = pi;
        count[0] = 1;
        start[1] = static_cast<hsize_t>(r0);
        count[1] = static_cast<hsize_t>(n);
        rows.resize(static_cast<std::size_t>(n) * cells[k]);
        read_slab(datasets_[k], start, count, H5T_NATIVE_DOUBLE, rows.data(),
                  variables()[vars_[k]].name);
        acc.add_rows(k, rows.data(), static_cast<std::size_t>(n), cells[k]);
      }
      if (events_ > 0) {
        event_rows.resize(static_cast<std::size_t>(n * events_));
        read_slab(event_dataset_, {pi, static_cast<hsize_t>(r0), 0},
                  {1, static_cast<hsize_t>(n), static_cast<hsize_t>(events_)}, H5T_NATIVE_INT,
                  event_rows.data(), "event_period");
        acc.add_event_rows(event_rows.data(), static_cast<std::size_t>(n),
                           static_cast<std::size_t>(events_));
      }
      acc.add_count(static_cast<std::size_t>(n));
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t k = 0; k < vars_.size(); ++k) {
      data.clear();
      for (std::size_t st = 0; st < kSummaryStats.size(); ++st) {
        if (skip) {
          data.insert(data.end(), cells[k], nan);
        } else {
          const auto part = acc.stat(k, st);
          data.insert(data.end(), part.begin(), part.end());
        }
      }
      write_row(k, p, data);
    }
    if (events_ > 0) {
      data.assign(static_cast<std::size_t>(events_), skip ? nan : 0.0);
      const auto& fired = acc.events_fired();
      for (std::size_t e = 0; e < fired.size() && !skip; ++e)
        data[e] = acc.count() > 0 ? static_cast<double>(fired[e]) / static_cast<double>(acc.count())
                                  : nan;
      write_row(vars_.size(), p, data);
    }
    computed[pi] = 1;
  }
  if (shard) {  // which points this shard summarised; not part of a merged file
    Handle d = number_dataset(g, "summarised", computed, H5T_STD_I8LE, H5T_NATIVE_SCHAR);
    attr_string(d, "long_name", "1 where this shard holds the point whole and summarised it");
  }
}

void Hdf5Writer::close() {
  if (file_.id() < 0) return;
  datasets_.clear();
  event_dataset_.reset();
  const herr_t flushed = H5Fflush(file_, H5F_SCOPE_GLOBAL);
  file_.reset();
  check(flushed, "flush '" + path_ + "'");
}

namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t a = 0, b; a <= text.size(); a = b + 1) {
    b = text.find(',', a);
    if (b == std::string::npos) b = text.size();
    if (b > a) out.push_back(text.substr(a, b - a));
  }
  return out;
}

template <class T>
std::vector<T> read_vector(hid_t f, const std::string& name, hid_t mem_type) {
  if (H5Lexists(f, name.c_str(), H5P_DEFAULT) <= 0)
    throw IoError("not a chipsim sweep file: no dataset " + name);
  Handle d = open_dataset(f, name);
  Handle sp = space_handle(H5Dget_space(d), "space");
  const auto n = H5Sget_simple_extent_npoints(sp);
  std::vector<T> out(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
  if (!out.empty())
    check(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
  return out;
}

}  // namespace

namespace {

// Opens a file chipsim is asked to read, with the OS cause when it cannot.
Handle open_for_reading(const std::string& path) {
  silence_hdf5();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IoError("cannot open '" + path + "': it is a directory; expected an HDF5 file");
  if (::access(path.c_str(), R_OK) != 0)
    throw IoError("cannot open '" + path + "': " + std::strerror(errno));
  if (H5Fis_hdf5(path.c_str()) <= 0) throw IoError("'" + path + "' is not an HDF5 file");
  check_group_headers_before_open(path);
  Handle f =
      file_handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open '" + path + "'");
  check_group_headers_after_open(f);
  return f;
}

}  // namespace

namespace {
// The number of values dataset `name` claims, checked against what it stores. A damaged file
// can claim any shape; what the dataset stores bounds what it can decode to (deflate expands
// at most 1,032-fold; chunks not yet written read as fill values, allowed up to 64 MiB), so a
// larger claim, or one whose count overflows, is damage, found before anything is allocated.
hsize_t claimed_values(hid_t ds, const std::string& path, const std::string& name) {
  Handle sp = space_handle(H5Dget_space(ds), "space");
  const int rank = H5Sget_simple_extent_ndims(sp);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)), 0);
  H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
  constexpr hsize_t kMaxValues = std::numeric_limits<hsize_t>::max() / sizeof(double);
  const hsize_t stored = H5Dget_storage_size(ds);
  const hsize_t room =
      std::min(kMaxValues, (stored / sizeof(double) + 1) * 1100 + (hsize_t{8} << 20));
  hsize_t n = 1;
  for (auto x : dims) {
    if (x != 0 && n > room / x)
      throw IoError("'" + path + "' is damaged: dataset " + name + " claims more values than its " +
                    std::to_string(stored) + " stored bytes can hold");
    n *= x;
  }
  // A chunk larger than the dataset along some dimension (chipsim's chunks never are) made
  // HDF5 copy past its buffers while reading (a chunk of 851,968 along a dimension of 13:
  // SEGV in H5Dread, found by a 10-minute fuzz_hdf5 campaign).
  Handle plist = plist_handle(H5Dget_create_plist(ds), "dataset properties");
  if (H5Pget_layout(plist) == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(dims.size(), 0), max(dims.size(), 0);
    H5Sget_simple_extent_dims(sp, dims.data(), max.data());
    if (H5Pget_chunk(plist, static_cast<int>(chunk.size()), chunk.data()) != rank)
      throw IoError("'" + path + "' is damaged: dataset " + name + " has no readable chunk shape");
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (chunk[i] == 0 || (max[i] != H5S_UNLIMITED && chunk[i] > std::max<hsize_t>(max[i], 1)))
        throw IoError("'" + path + "' is damaged: dataset " + name +
                      " has chunks larger than the dataset");
  }
  return n;
}
}  // namespace

FileDescription describe_file(const std::string& path) {
  Handle f = open_for_reading(path);
  FileDescription d;
  if (read_attr_string(f, "format") != kFormat)
    throw IoError("'" + path + "' is an HDF5 file but not a chipsim output file (no format=" +
                  kFormat + " attribute on its root)");
  d.scenario_name = read_attr_string(f, "scenario");
  d.scenario_sha256 = read_attr_string(f, "scenario_sha256");
  d.scenario_text = read_attr_string(f, "scenario_text");
  d.version = read_attr_string(f, "chipsim_version");
  d.commit = read_attr_string(f, "git_commit");
  d.command_line = read_attr_string(f, "command_line");
  d.created = read_attr_string(f, "created");
  d.seed = static_cast<std::uint64_t>(read_attr_i64(f, "seed", 0));
  d.replicates = read_attr_i64(f, "replicates", 0);
  d.replicates_written = read_attr_i64(f, "replicates_written", 0);
  d.complete = read_attr_i64(f, "complete", 0) == 1;
  d.summary_only = read_attr_i64(f, "summary_only", 0) == 1;
  const std::string vars = read_attr_string(f, "variables");
  for (std::size_t a = 0, b; a <= vars.size(); a = b + 1) {
    b = vars.find(',', a);
    if (b == std::string::npos) b = vars.size();
    if (b > a) d.variables.push_back(vars.substr(a, b - a));
  }
  // The data a reader would load must fit what the file stores (structure before deep reads).
  for (const auto& v : d.variables)
    if (H5Lexists(f, v.c_str(), H5P_DEFAULT) > 0) (void)claimed_values(open_dataset(f, v), path, v);
  d.points = read_attr_i64(f, "points", 0);
  if (d.points > 0) {
    d.design_type = read_attr_string(f, "design_type");
    d.design_keys = split_commas(read_attr_string(f, "design_keys"));
    d.shard = read_attr_i64(f, "shard", 0);
    d.shards = read_attr_i64(f, "shards", 1);
    for (int x : read_vector<int>(f, "work_count", H5T_NATIVE_INT))
      d.work_count += x;
    for (int x : read_vector<int>(f, "work_done", H5T_NATIVE_INT))
      d.work_done += x;
    Handle e = open_dataset(f, "point_error");
    for (const auto& x : read_strings(e, "point_error"))
      d.point_errors += !x.empty();
  }
  for (const char* dim : {"point", "replicate", "period", "product", "vendor", "region", "channel",
                          "buyer", "ecosystem", "event", "parameter", "product_vendor",
                          "vendor_region", "buyer_region", "event_policy", "event_kind"}) {
    if (H5Lexists(f, dim, H5P_DEFAULT) <= 0) continue;
    const bool auxiliary = std::string_view(dim).find('_') != std::string_view::npos;
    Handle ds = open_dataset(f, dim);
    Handle sp = space_handle(H5Dget_space(ds), "space");
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, nullptr);
    if (!auxiliary) d.dimensions.emplace_back(dim, n);
    Handle ftype = type_handle(H5Dget_type(ds), "type");
    if (H5Tget_class(ftype) == H5T_STRING && n > 0) {
      std::vector<std::string> labels = read_strings(ds, std::string("the labels of ") + dim);
      if (std::string(dim) == "period") d.period_labels = labels;
      d.labels.emplace_back(dim, std::move(labels));
    }
  }
  return d;
}

std::vector<double> read_summary(const std::string& path, const std::string& variable,
                                 std::vector<std::uint64_t>& shape) {
  return read_dataset(path, "summary/" + variable, shape);
}

std::vector<double> read_dataset(const std::string& path, const std::string& name,
                                 std::vector<std::uint64_t>& shape) {
  Handle f = open_for_reading(path);
  const auto slash = name.find('/');
  if ((slash != std::string::npos &&
       H5Lexists(f, name.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) ||
      H5Lexists(f, name.c_str(), H5P_DEFAULT) <= 0)
    throw IoError("'" + path + "' has no dataset " + name);
  Handle ds = open_dataset(f, name);
  Handle sp = space_handle(H5Dget_space(ds), "space");
  const int rank = H5Sget_simple_extent_ndims(sp);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)), 0);
  H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
  shape.assign(dims.begin(), dims.end());
  std::vector<double> out(claimed_values(ds, path, name));
  check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
  return out;
}

namespace {

struct Part {
  std::string path;
  Handle file;
  int shard = 0, shards = 1;
  std::vector<int> first, count, done;
  std::vector<std::string> errors;
};

herr_t collect_design_attr(hid_t obj, const char* name, const H5A_info_t*, void* data) {
  auto* out = static_cast<std::vector<std::pair<std::string, std::string>>*>(data);
  const std::string n(name);
  if (n.rfind("design_", 0) == 0 && n != "design_keys")
    out->emplace_back(n.substr(7), read_attr_string(obj, name));
  return 0;
}

}  // namespace

void merge_sweep(const std::vector<std::string>& paths, const std::string& path,
                 const std::string& command_line, const std::string& created) {
  silence_hdf5();
  if (paths.empty()) throw BadRequest("merge: no part files given");
  std::vector<Part> parts;
  for (const auto& p : paths) {
    Part x;
    x.path = p;
    try {
      x.file = open_for_reading(p);
    } catch (const IoError& e) {
      throw BadRequest(std::string("merge: ") + e.what());
    }
    if (read_attr_string(x.file, "format") != kFormat || H5Aexists(x.file, "sweep_identity") <= 0)
      throw BadRequest("merge: '" + p + "' is not a chipsim sweep file");
    x.shard = static_cast<int>(read_attr_i64(x.file, "shard", 0));
    x.shards = static_cast<int>(read_attr_i64(x.file, "shards", 1));
    x.first = read_vector<int>(x.file, "work_first", H5T_NATIVE_INT);
    x.count = read_vector<int>(x.file, "work_count", H5T_NATIVE_INT);
    x.done = read_vector<int>(x.file, "work_done", H5T_NATIVE_INT);
    parts.push_back(std::move(x));
  }
  const Part& p0 = parts.front();
  for (const auto& x : parts) {
    for (const char* what : {"sweep_identity", "chipsim_version", "git_commit"}) {
      const std::string a = read_attr_string(p0.file, what), b = read_attr_string(x.file, what);
      if (a != b)
        throw BadRequest(std::string("merge: '") + x.path + "' and '" + p0.path +
                         "' come from different " +
                         (std::string(what) == "sweep_identity" ? "sweeps (sweep file, scenario, "
                                                                  "seed, replicates or options)"
                                                                : "chipsim versions") +
                         ": " + what + " " + b + " vs " + a);
    }
    if (x.shards != p0.shards)
      throw BadRequest("merge: '" + x.path + "' is shard " + std::to_string(x.shard) + "/" +
                       std::to_string(x.shards) + " but '" + p0.path + "' is one of " +
                       std::to_string(p0.shards));
  }
  std::vector<int> seen(static_cast<std::size_t>(p0.shards), -1);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    int& s = seen[static_cast<std::size_t>(parts[i].shard)];
    if (s >= 0)
      throw BadRequest("merge: '" + parts[i].path + "' and '" +
                       parts[static_cast<std::size_t>(s)].path + "' are both shard " +
                       std::to_string(parts[i].shard));
    s = static_cast<int>(i);
  }
  std::string missing;
  for (int k = 0; k < p0.shards; ++k)
    if (seen[static_cast<std::size_t>(k)] < 0)
      missing +=
          (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(p0.shards);
  if (!missing.empty()) throw BadRequest("merge: missing shard " + missing);
  for (const auto& x : parts) {
    std::string unfinished;
    for (std::size_t q = 0; q < x.count.size(); ++q)
      if (x.done[q] < x.count[q])
        unfinished += (unfinished.empty() ? "" : ", ") + std::to_string(q);
    if (!unfinished.empty() || read_attr_i64(x.file, "complete", 0) != 1)
      throw BadRequest("merge: shard " + std::to_string(x.shard) + "/" + std::to_string(x.shards) +
                       " ('" + x.path + "') is incomplete" +
                       (unfinished.empty() ? "" : " (points " + unfinished + ")") +
                       "; finish it with the same command plus --resume");
  }

  // The merged layout, read back from the first part.
  const Scenario scenario = load_scenario_text(read_attr_string(p0.file, "scenario_text"), p0.path);
  OutputInfo info;
  info.command_line = command_line;
  info.created = created;
  info.version = read_attr_string(p0.file, "chipsim_version");
  info.commit = read_attr_string(p0.file, "git_commit");
  info.seed = static_cast<std::uint64_t>(read_attr_i64(p0.file, "seed", 0));
  info.replicates = static_cast<int>(read_attr_i64(p0.file, "replicates", 0));
  SweepLayout layout;
  layout.keys = split_commas(read_attr_string(p0.file, "design_keys"));
  const int points = static_cast<int>(read_attr_i64(p0.file, "points", 0));
  layout.values.assign(static_cast<std::size_t>(points), {});
  for (const auto& k : layout.keys) {
    const auto v = read_vector<double>(p0.file, k, H5T_NATIVE_DOUBLE);
    for (int q = 0; q < points; ++q)
      layout.values[static_cast<std::size_t>(q)].push_back(v[static_cast<std::size_t>(q)]);
  }
  const auto unit = read_vector<double>(p0.file, "design_unit", H5T_NATIVE_DOUBLE);
  for (int q = 0; q < points; ++q)
    layout.unit.emplace_back(unit.begin() + static_cast<long>(q * layout.keys.size()),
                             unit.begin() + static_cast<long>((q + 1) * layout.keys.size()));
  layout.group = read_vector<int>(p0.file, "design_group", H5T_NATIVE_INT);
  layout.role = read_vector<int>(p0.file, "design_role", H5T_NATIVE_INT);
  H5Aiterate2(p0.file, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_design_attr, &layout.settings);
  layout.sweep_text = read_attr_string(p0.file, "sweep_text");
  layout.identity = read_attr_string(p0.file, "sweep_identity");
  layout.work_first.assign(static_cast<std::size_t>(points), 0);
  layout.work_count.assign(static_cast<std::size_t>(points), info.replicates);
  // Parts of one run (`chipsim run --shard`) merge into a run's file, without `point`.
  const bool run = read_attr_string(p0.file, "design_type") == "run";
  if (!run) info.sweep = layout;
  info.noise = read_attr_i64(p0.file, "noise", 1) == 1;
  OutputOptions options;
  options.variables = split_commas(read_attr_string(p0.file, "variables"));
  options.compression = static_cast<int>(read_attr_i64(p0.file, "compression", 1));
  options.float32 = read_attr_i64(p0.file, "float32", 0) == 1;
  options.chunk_replicates = static_cast<int>(read_attr_i64(p0.file, "chunk_replicates", 64));

  // Every point's replicates covered exactly once.
  for (int q = 0; q < points; ++q) {
    std::vector<std::pair<int, int>> ranges;
    for (const auto& x : parts)
      if (x.count[static_cast<std::size_t>(q)] > 0)
        ranges.emplace_back(
            x.first[static_cast<std::size_t>(q)],
            x.first[static_cast<std::size_t>(q)] + x.count[static_cast<std::size_t>(q)]);
    std::sort(ranges.begin(), ranges.end());
    int at = 0;
    for (const auto& [a, b] : ranges) {
      if (a != at)
        throw BadRequest("merge: the parts do not cover point " + std::to_string(q) +
                         " exactly once (replicates from " + std::to_string(at) + ")");
      at = b;
    }
    if (at != info.replicates)
      throw BadRequest("merge: the parts cover " + std::to_string(at) + " of point " +
                       std::to_string(q) + "'s " + std::to_string(info.replicates) + " replicates");
  }

  const std::string partial = path + ".partial";
  Hdf5Writer out(partial, scenario, info, options, false);
  // Part by part, each point's chunks copied as stored: shards split the work at chunk
  // boundaries, so every chunk comes whole from one part and nothing is recompressed.
  for (const auto& x : parts) {
    std::vector<std::string> errors;
    {
      Handle d = open_dataset(x.file, "point_error");
      errors = read_strings(d, "point_error");
      if (errors.size() != static_cast<std::size_t>(points))
        throw BadRequest("merge: '" + x.path + "' is damaged: point_error has the wrong size");
    }
    for (int q = 0; q < points; ++q) {
      const auto qi = static_cast<std::size_t>(q);
      if (x.count[qi] == 0) continue;
      if (!errors[qi].empty()) {
        if (run) throw BadRequest("merge: '" + x.path + "' records an error: " + errors[qi]);
        if (!out.failed(q)) out.record_error(q, errors[qi]);
        continue;
      }
      if (!options.summary_only) out.copy_chunks(x.file, q, x.first[qi], x.count[qi]);
    }
  }
  if (run) {
    SummaryAccumulator acc(out.variable_indices());
    out.summarise_stored(acc, info.replicates);
    out.finish(acc);
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) throw IoError("cannot rename '" + partial + "' to '" + path + "': " + ec.message());
    return;
  }
  out.mark_all_done();
  // Summaries: a shard's for the points it held whole (computed by the same code from the
  // same stored data), the rest computed here.
  std::vector<std::vector<signed char>> summarised;
  for (const auto& x : parts) {
    const std::string name = "summary/summarised";
    summarised.push_back(H5Lexists(x.file, "summary", H5P_DEFAULT) > 0 &&
                                 H5Lexists(x.file, name.c_str(), H5P_DEFAULT) > 0
                             ? read_vector<signed char>(x.file, name, H5T_NATIVE_SCHAR)
                             : std::vector<signed char>(static_cast<std::size_t>(points), 0));
  }
  std::vector<std::string> names;
  for (int v : out.variable_indices())
    names.emplace_back(std::string("summary/") + variables()[v].name);
  names.emplace_back("summary/event_probability");
  const Hdf5Writer::SummaryCopy copy = [&](int p, std::size_t k, std::vector<double>& rows) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (summarised[i][static_cast<std::size_t>(p)] != 1) continue;
      Handle d = open_dataset(parts[i].file, names[k]);
      Handle sp = space_handle(H5Dget_space(d), "space");
      std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(sp)));
      H5Sget_simple_extent_dims(sp, shape.data(), nullptr);
      std::vector<hsize_t> start(shape.size(), 0), count = shape;
      start[0] = static_cast<hsize_t>(p);
      count[0] = 1;
      read_slab(d, start, count, H5T_NATIVE_DOUBLE, rows.data(), names[k]);
      return true;
    }
    return false;
  };
  out.finish_sweep(copy);
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) throw IoError("cannot rename '" + partial + "' to '" + path + "': " + ec.message());
}

}  // namespace chipsim::io
