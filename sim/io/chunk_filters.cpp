#include "io/chunk_filters.hpp"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace chipsim::io {

#if defined(__SSE2__)
namespace {
// 16 eight-byte elements at `in` to 16 bytes of each of the 8 byte planes of n elements at
// `out`: an 8 x 16 byte transpose in SSE2 registers (unpacking bytes, words, double words
// and quad words in turn).
void shuffle_sixteen_doubles(const unsigned char* in, std::size_t n, unsigned char* out) {
  __m128i a[8], b[8];
  for (int k = 0; k < 8; ++k)
    a[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * k));
  // a[k] holds elements 2k and 2k+1. Bytes: interleave the two elements of each register.
  for (int k = 0; k < 8; ++k)
    b[k] = _mm_unpacklo_epi8(a[k], _mm_shuffle_epi32(a[k], 0x4e));
  // b[k]: byte j of element 2k and 2k+1 alternate (16 bits per j).
  for (int k = 0; k < 4; ++k) {
    a[2 * k] = _mm_unpacklo_epi16(b[2 * k], b[2 * k + 1]);
    a[2 * k + 1] = _mm_unpackhi_epi16(b[2 * k], b[2 * k + 1]);
  }
  for (int k = 0, l = 0; k < 4; ++k, ++l) {
    if (k == 2) l += 2;
    b[2 * k] = _mm_unpacklo_epi32(a[l], a[l + 2]);
    b[2 * k + 1] = _mm_unpackhi_epi32(a[l], a[l + 2]);
  }
  for (int k = 0; k < 4; ++k) {
    a[2 * k] = _mm_unpacklo_epi64(b[k], b[k + 4]);
    a[2 * k + 1] = _mm_unpackhi_epi64(b[k], b[k + 4]);
  }
  for (std::size_t plane = 0; plane < 8; ++plane)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + plane * n), a[plane]);
}
}  // namespace
#endif

void shuffle_bytes(const unsigned char* in, std::size_t bytes, std::size_t element,
                   unsigned char* out) {
  const std::size_t n = element > 0 ? bytes / element : 0;
  if (element <= 1 || n <= 1) {
    if (bytes > 0) std::memcpy(out, in, bytes);  // an empty chunk's pointers may be null
    return;
  }
  std::size_t first = 0;  // elements shuffled in registers
#if defined(__SSE2__)
  // Doubles, most of what chipsim writes: sixteen at a time, 8x faster than byte by byte
  // (bench/output_bench.cpp, BM_Shuffle).
  if (element == 8)
    for (; first + 16 <= n; first += 16)
      shuffle_sixteen_doubles(in + 8 * first, n, out + first);
#endif
  for (std::size_t b = 0; b < element; ++b) {
    unsigned char* to = out + b * n;
    const unsigned char* from = in + b;
    for (std::size_t i = first; i < n; ++i)
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

namespace {
// Level 1, the default, is ISA-L's igzip at its level 2: on the baseline's chunks it ran at
// about twice libdeflate level 1's speed for a 3 % larger file (docs/PERFORMANCE.md, "Output
// throughput"). Its level 2 compressed those chunks better than its level 1 at the same
// speed, hence 2.
constexpr int kIgzipLevel = 2;
constexpr std::size_t kIgzipLevelBuffer = ISAL_DEF_LVL2_DEFAULT;

// Whether igzip can take a chunk of `bytes`: its lengths are 32-bit, and stored blocks (its
// output for data that does not compress) add 5 bytes per 64 KiB, plus zlib's 6.
std::size_t igzip_bound(std::size_t bytes) {
  return bytes + 5 * (bytes / 65535 + 1) + 6 + ISAL_DEF_MAX_HDR_SIZE;
}
bool igzip_takes(std::size_t bytes) {
  return igzip_bound(bytes) <= UINT32_MAX;
}

// igzip's AVX2 and AVX-512 kernels return with the upper halves of the vector registers in
// use (no VZEROUPPER). The rest of chipsim is compiled for SSE2, and its code ran slower
// after that until the next VZEROUPPER: measured, the model's exp() took 3.7 times its
// samples in a one-thread run, and the run was slower overall than with libdeflate. So the
// state is cleared after each call, on CPUs that have AVX.
void clear_upper_vector_state() {
#if defined(__x86_64__)
  static const bool avx = __builtin_cpu_supports("avx");
  if (avx) __asm__ volatile("vzeroupper" ::: "memory");
#endif
}
}  // namespace

ChunkFilter::ChunkFilter(int level) : level_(level) {
  if (level_ <= 0) return;
  // libdeflate serves the other levels, and level 1's chunks too large for igzip.
  compressor_ = libdeflate_alloc_compressor(level_);
  if (compressor_ == nullptr)
    throw std::runtime_error("deflate level " + std::to_string(level_) +
                             " is not available (expected 0 to 12)");
}

ChunkFilter::~ChunkFilter() {
  if (compressor_ != nullptr) libdeflate_free_compressor(compressor_);
}

const unsigned char* ChunkFilter::deflate(const unsigned char* in, std::size_t bytes,
                                          std::size_t& size) {
  if (level_ == 1 && igzip_takes(bytes)) {
    const std::size_t bound = igzip_bound(bytes);
    unsigned char* out = deflated_.room(bound);
    isal_zstream z;
    isal_deflate_stateless_init(&z);
    z.level = kIgzipLevel;
    z.level_buf = level_buffer_.room(kIgzipLevelBuffer);
    z.level_buf_size = static_cast<std::uint32_t>(kIgzipLevelBuffer);
    z.gzip_flag = IGZIP_ZLIB;
    z.end_of_stream = 1;
    z.flush = NO_FLUSH;
    // igzip's stream takes non-const input; it only reads it.
    z.next_in = const_cast<unsigned char*>(in);
    z.avail_in = static_cast<std::uint32_t>(bytes);
    z.next_out = out;
    z.avail_out = static_cast<std::uint32_t>(bound);
    const int rc = isal_deflate_stateless(&z);
    clear_upper_vector_state();
    if (rc != COMP_OK)
      throw std::runtime_error("deflate (igzip) failed with code " + std::to_string(rc));
    size = z.total_out;
    return out;
  }
  const std::size_t bound = libdeflate_zlib_compress_bound(compressor_, bytes);
  unsigned char* out = deflated_.room(bound);
  size = libdeflate_zlib_compress(compressor_, in, bytes, out, bound);
  if (size == 0) throw std::runtime_error("deflate failed: its output bound was too small");
  return out;
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
    body = deflate(shuffled, bytes, size);
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
