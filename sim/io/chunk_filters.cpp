#include "io/chunk_filters.hpp"

#include <libdeflate.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace chipsim::io {

void shuffle_bytes(const unsigned char* in, std::size_t bytes, std::size_t element,
                   unsigned char* out) {
  const std::size_t n = element > 0 ? bytes / element : 0;
  if (element <= 1 || n <= 1) {
    std::memcpy(out, in, bytes);
    return;
  }
  for (std::size_t b = 0; b < element; ++b) {
    unsigned char* to = out + b * n;
    const unsigned char* from = in + b;
    for (std::size_t i = 0; i < n; ++i)
      to[i] = from[i * element];
  }
  const std::size_t tail = bytes - n * element;
  std::memcpy(out + n * element, in + n * element, tail);
}

std::uint32_t fletcher32(const unsigned char* data, std::size_t bytes) {
  std::size_t words = bytes / 2;
  std::uint32_t sum1 = 0, sum2 = 0;
  // 360 words is the most that can be summed before the sums can overflow.
  while (words > 0) {
    std::size_t block = words > 360 ? 360 : words;
    words -= block;
    do {
      sum1 += (static_cast<std::uint32_t>(data[0]) << 8) | data[1];
      data += 2;
      sum2 += sum1;
    } while (--block > 0);
    sum1 = (sum1 & 0xffffU) + (sum1 >> 16);
    sum2 = (sum2 & 0xffffU) + (sum2 >> 16);
  }
  if (bytes % 2 != 0) {
    sum1 += static_cast<std::uint32_t>(*data) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffffU) + (sum1 >> 16);
    sum2 = (sum2 & 0xffffU) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffffU) + (sum1 >> 16);
  sum2 = (sum2 & 0xffffU) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

ChunkFilter::ChunkFilter(int level) : level_(level) {
  if (level_ <= 0) return;
  compressor_ = libdeflate_alloc_compressor(level_);
  if (compressor_ == nullptr)
    throw std::runtime_error("deflate level " + std::to_string(level_) +
                             " is not available (expected 0 to 12)");
}

ChunkFilter::~ChunkFilter() {
  if (compressor_ != nullptr) libdeflate_free_compressor(compressor_);
}

unsigned char* ScratchBuffer::room(std::size_t n) {
  if (n > size_) {
    data_.reset(new unsigned char[n]);  // default-initialised: not zeroed
    size_ = n;
  }
  return data_.get();
}

std::vector<unsigned char> ChunkFilter::filter(const unsigned char* raw, std::size_t bytes,
                                               std::size_t element) {
  const unsigned char* body = raw;
  std::size_t size = bytes;
  if (level_ > 0) {
    unsigned char* shuffled = shuffled_.room(bytes);
    shuffle_bytes(raw, bytes, element, shuffled);
    const std::size_t bound = libdeflate_zlib_compress_bound(compressor_, bytes);
    unsigned char* deflated = deflated_.room(bound);
    size = libdeflate_zlib_compress(compressor_, shuffled, bytes, deflated, bound);
    if (size == 0) throw std::runtime_error("deflate failed: its output bound was too small");
    body = deflated;
  }
  std::vector<unsigned char> out;
  out.reserve(size + 4);
  out.assign(body, body + size);
  const std::uint32_t sum = fletcher32(body, size);
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<unsigned char>(sum >> (8 * i)));
  return out;
}

std::vector<unsigned char> filter_chunk(const std::vector<unsigned char>& raw, std::size_t element,
                                        int level) {
  return ChunkFilter(level).filter(raw.data(), raw.size(), element);
}

}  // namespace chipsim::io
