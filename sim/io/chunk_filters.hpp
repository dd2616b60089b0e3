// HDF5's shuffle, deflate and Fletcher-32 filters, run outside HDF5 so that worker threads
// can filter chunks in parallel (the serial libhdf5 is not thread-safe); the writer then
// stores the result with a direct chunk write, on one thread as on many. The layout is that
// of HDF5's own filters (tests/io/chunk_filters_test.cpp). Deflate is not zlib's: level 1
// (the default) is ISA-L's igzip, the other levels libdeflate's: at level 1 about five and
// two times zlib's speed on chipsim's chunks. Their streams are standard zlib format (RFC 1950), so
// any HDF5 reader inflates them, but their bytes are not zlib's: a chunk HDF5 must filter itself (a
// resumed sweep's chunk written in pieces) holds the same data in other bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

struct libdeflate_compressor;  // libdeflate.h

namespace chipsim::io {

// H5Z shuffle: byte i of every element together, element by element; `bytes` not a multiple
// of `element` leaves the tail in place, and a single element is copied unchanged.
void shuffle_bytes(const unsigned char* in, std::size_t bytes, std::size_t element,
                   unsigned char* out);

// HDF5's Fletcher-32 (H5_checksum_fletcher32): sums of big-endian 16-bit words, an odd last
// byte as the high half of a word.
std::uint32_t fletcher32(const unsigned char* data, std::size_t bytes);

// A byte buffer that grows without zeroing: its bytes are written before they are read.
class ScratchBuffer {
 public:
  // At least n bytes; earlier contents are lost when it grows.
  unsigned char* room(std::size_t n);

 private:
  std::unique_ptr<unsigned char[]> data_;
  std::size_t size_ = 0;
};

// The pipeline chipsim sets on a variable's dataset, in HDF5's order: shuffle and deflate
// at `level` (skipped when level is 0), then the Fletcher-32 checksum appended
// little-endian. One filter serves many chunks, one thread at a time; it keeps its
// compressor and work buffers between them.
class ChunkFilter {
 public:
  // Throws std::runtime_error for a level libdeflate does not have (it has 0 to 12).
  explicit ChunkFilter(int level);
  ~ChunkFilter();
  ChunkFilter(const ChunkFilter&) = delete;
  ChunkFilter& operator=(const ChunkFilter&) = delete;
  // [raw, raw + bytes) holds the chunk in the file's type, `element` bytes per value;
  // returns the bytes to store.
  std::vector<unsigned char> filter(const unsigned char* raw, std::size_t bytes,
                                    std::size_t element);

 private:
  // Deflates [in, in + bytes) into deflated_; returns it, with its size in `size`.
  const unsigned char* deflate(const unsigned char* in, std::size_t bytes, std::size_t& size);

  int level_;
  libdeflate_compressor* compressor_ = nullptr;
  ScratchBuffer shuffled_, deflated_, level_buffer_;
};

// One chunk through a fresh ChunkFilter.
std::vector<unsigned char> filter_chunk(const std::vector<unsigned char>& raw, std::size_t element,
                                        int level);

}  // namespace chipsim::io
