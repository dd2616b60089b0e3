#include "io/chunk_filters.hpp"

#include <zlib.h>

#include <cstring>
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

std::vector<unsigned char> filter_chunk(const std::vector<unsigned char>& raw, std::size_t element,
                                        int level) {
  std::vector<unsigned char> out;
  if (level > 0) {
    std::vector<unsigned char> shuffled(raw.size());
    shuffle_bytes(raw.data(), raw.size(), element, shuffled.data());
    uLongf size = compressBound(static_cast<uLong>(shuffled.size()));
    out.resize(size + 4);
    const int status =
        compress2(out.data(), &size, shuffled.data(), static_cast<uLong>(shuffled.size()), level);
    if (status != Z_OK)
      throw std::runtime_error("deflate failed (zlib status " + std::to_string(status) + ")");
    out.resize(size + 4);
  } else {
    out.resize(raw.size() + 4);
    std::memcpy(out.data(), raw.data(), raw.size());
  }
  const std::uint32_t sum = fletcher32(out.data(), out.size() - 4);
  for (int i = 0; i < 4; ++i)
    out[out.size() - 4 + static_cast<std::size_t>(i)] = static_cast<unsigned char>(sum >> (8 * i));
  return out;
}

}  // namespace chipsim::io
