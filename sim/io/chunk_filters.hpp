// HDF5's shuffle, deflate and Fletcher-32 filters, run outside HDF5 so that worker threads
// can filter chunks in parallel (the serial libhdf5 is not thread-safe); the writer then
// stores the result with a direct chunk write. The bytes are exactly those HDF5's own
// filters store (tests/io/chunk_filters_test.cpp, and test_output.py compares the stored
// chunks of a one-thread run, filtered by HDF5, with those of a two-thread run).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chipsim::io {

// H5Z shuffle: byte i of every element together, element by element; `bytes` not a multiple
// of `element` leaves the tail in place, and a single element is copied unchanged.
void shuffle_bytes(const unsigned char* in, std::size_t bytes, std::size_t element,
                   unsigned char* out);

// HDF5's Fletcher-32 (H5_checksum_fletcher32): sums of big-endian 16-bit words, an odd last
// byte as the high half of a word.
std::uint32_t fletcher32(const unsigned char* data, std::size_t bytes);

// The pipeline chipsim sets on a variable's dataset, in HDF5's order: shuffle and deflate
// at `level` (skipped when level is 0), then the Fletcher-32 checksum appended little-endian.
// `raw` holds the chunk in the file's type; returns the bytes to store.
std::vector<unsigned char> filter_chunk(const std::vector<unsigned char>& raw, std::size_t element,
                                        int level);

}  // namespace chipsim::io
