// HDF5's filters as the workers run them (sim/io/chunk_filters.cpp), deflate being ISA-L's
// igzip at level 1 and libdeflate's at the others: here each filter is checked on its own,
// and the deflated stream is inflated with zlib, as HDF5 and h5py read it. tests/python checks the
// files end to end (stored chunks of one- and two-thread runs, read by h5py and xarray).
#include "io/chunk_filters.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace chipsim::io {
namespace {

TEST(Shuffle, GroupsByteIOfEveryElementAndLeavesTheTail) {
  // Three 4-byte elements and a 2-byte tail.
  const std::vector<unsigned char> in = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 98, 99};
  std::vector<unsigned char> out(in.size());
  shuffle_bytes(in.data(), in.size(), 4, out.data());
  EXPECT_EQ(out, (std::vector<unsigned char>{0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23, 98, 99}));
}

TEST(Shuffle, OneByteElementsOrASingleElementAreCopied) {
  const std::vector<unsigned char> in = {5, 6, 7, 8};
  std::vector<unsigned char> out(in.size());
  shuffle_bytes(in.data(), in.size(), 1, out.data());
  EXPECT_EQ(out, in);
  shuffle_bytes(in.data(), in.size(), 4, out.data());
  EXPECT_EQ(out, in);
}

TEST(Shuffle, EightByteElementsGiveTheBytePlanesInElementOrder) {
  // Doubles, as most chunks hold (shuffled sixteen at a time in SSE2 registers, the rest byte
  // by byte): element counts around multiples of sixteen, with and without a tail, against
  // the definition out[b n + i] = in[8 i + b].
  for (std::size_t n : {2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000}) {
    for (std::size_t tail : {0, 5}) {
      std::vector<unsigned char> in(8 * n + tail);
      for (std::size_t k = 0; k < in.size(); ++k)
        in[k] = static_cast<unsigned char>((k * 131 + 7) % 251);
      std::vector<unsigned char> out(in.size());
      shuffle_bytes(in.data(), in.size(), 8, out.data());
      std::vector<unsigned char> expected(in.size());
      for (std::size_t b = 0; b < 8; ++b)
        for (std::size_t i = 0; i < n; ++i)
          expected[b * n + i] = in[8 * i + b];
      std::copy(in.end() - static_cast<std::ptrdiff_t>(tail), in.end(),
                expected.end() - static_cast<std::ptrdiff_t>(tail));
      EXPECT_EQ(out, expected) << n << " elements, tail " << tail;
    }
  }
}

TEST(Fletcher32, KnownValues) {
  // By hand: words 0x6162 and 0x6364 give sum1 = 0xc4c6, sum2 = 0x12628, folded to 0x2629;
  // the odd byte counts as 0x6500: sum1 = 0x129c6 -> 0x29c7, sum2 = 0x14fef -> 0x4ff0. HDF5
  // stores c7 29 f0 4f after these five bytes (h5py: fletcher32=True, read_direct_chunk).
  const std::string abcde = "abcde";
  EXPECT_EQ(fletcher32(reinterpret_cast<const unsigned char*>(abcde.data()), 5), 0x4ff029c7U);
  EXPECT_EQ(fletcher32(nullptr, 0), 0U);
  // Long input: the folding every 360 words keeps the sums exact, so the result equals a
  // plain modulo-65535 Fletcher sum (0 and 65535 are the same residue).
  std::vector<unsigned char> big(100000);
  std::iota(big.begin(), big.end(), 0);
  std::uint64_t s1 = 0, s2 = 0;
  for (std::size_t i = 0; i < big.size(); i += 2) {
    s1 = (s1 + ((static_cast<std::uint64_t>(big[i]) << 8) | big[i + 1])) % 65535;
    s2 = (s2 + s1) % 65535;
  }
  const std::uint32_t got = fletcher32(big.data(), big.size());
  EXPECT_EQ((got & 0xffffU) % 65535, s1);
  EXPECT_EQ((got >> 16) % 65535, s2);
}

// Checks that `stored` is `raw` shuffled, deflated in zlib format and followed by its
// Fletcher-32 little-endian: what HDF5 reads back through its own filters.
void expect_hdf5_reads_back(const std::vector<unsigned char>& raw, std::size_t element,
                            const std::vector<unsigned char>& stored) {
  ASSERT_GT(stored.size(), 4U);
  const std::size_t body = stored.size() - 4;
  const std::uint32_t sum = fletcher32(stored.data(), body);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(stored[body + static_cast<std::size_t>(i)], (sum >> (8 * i)) & 0xffU);
  // Inflate and unshuffle: the raw bytes come back.
  std::vector<unsigned char> shuffled(raw.size() + 1);  // one spare byte: no overlong stream
  uLongf size = shuffled.size();
  ASSERT_EQ(uncompress(shuffled.data(), &size, stored.data(), body), Z_OK);
  ASSERT_EQ(size, raw.size());
  shuffled.resize(size);
  std::vector<unsigned char> expected(raw.size());
  shuffle_bytes(raw.data(), raw.size(), element, expected.data());
  EXPECT_EQ(shuffled, expected);
}

TEST(FilterChunk, DeflatedShuffledBytesWithTheChecksumAppendedLittleEndian) {
  std::vector<unsigned char> raw(8 * 500);
  for (std::size_t i = 0; i < raw.size(); ++i)
    raw[i] = static_cast<unsigned char>((i * 7) % 13);
  // Level 1 is igzip's, 2 and 9 libdeflate's; all three compress this pattern.
  for (const int level : {1, 2, 9}) {
    SCOPED_TRACE(level);
    const auto stored = filter_chunk(raw, 8, level);
    EXPECT_LT(stored.size(), raw.size() / 4);
    expect_hdf5_reads_back(raw, 8, stored);
  }
  // The two compressors write different streams of the same data.
  EXPECT_NE(filter_chunk(raw, 8, 1), filter_chunk(raw, 8, 2));
}

TEST(FilterChunk, DataThatDoesNotCompressIsStoredInStoredBlocksWithinTheBound) {
  // 300 KB of a full-period 64-bit generator's bytes: deflate cannot shrink them, so igzip
  // writes stored blocks, 5 bytes of header per 64 KiB, which its output room must hold.
  std::vector<unsigned char> raw(300000);
  std::uint64_t state = 88172645463325252ULL;
  for (auto& byte : raw) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64
    byte = static_cast<unsigned char>(state >> 56);
  }
  for (const int level : {1, 2}) {
    SCOPED_TRACE(level);
    const auto stored = filter_chunk(raw, 8, level);
    EXPECT_GE(stored.size(), raw.size());
    EXPECT_LE(stored.size(), raw.size() + 5 * (raw.size() / 65535 + 1) + 6 + 4);
    expect_hdf5_reads_back(raw, 8, stored);
  }
}

TEST(FilterChunk, AnEmptyOrOneByteChunkRoundTrips) {
  for (const std::size_t n : {0U, 1U}) {
    const std::vector<unsigned char> raw(n, 42);
    for (const int level : {1, 2})
      expect_hdf5_reads_back(raw, 8, filter_chunk(raw, 8, level));
  }
}

TEST(FilterChunk, LevelZeroStoresTheRawBytesAndTheChecksum) {
  const std::vector<unsigned char> raw = {1, 2, 3, 4, 5, 6, 7, 8};
  const auto stored = filter_chunk(raw, 4, 0);
  ASSERT_EQ(stored.size(), 12U);
  EXPECT_TRUE(std::equal(raw.begin(), raw.end(), stored.begin()));
  const std::uint32_t sum = fletcher32(raw.data(), raw.size());
  const std::uint32_t got = stored[8] | (stored[9] << 8) | (stored[10] << 16) |
                            (static_cast<std::uint32_t>(stored[11]) << 24);
  EXPECT_EQ(got, sum);
}

TEST(ChunkFilter, OneFilterReusedForChunksOfManySizesGivesEachTheBytesOfAFreshOne) {
  // The filter keeps its compressor and buffers between chunks (igzip's hash tables
  // included, at level 1): a large chunk, then a smaller one, then a larger one again must
  // each come out as from a new filter.
  for (const int level : {1, 2}) {
    ChunkFilter reused(level);
    for (const std::size_t n : {40000U, 24U, 3000U, 90000U}) {
      std::vector<unsigned char> raw(n);
      for (std::size_t i = 0; i < n; ++i)
        raw[i] = static_cast<unsigned char>((i * i + n) % 251);
      EXPECT_EQ(reused.filter(raw.data(), raw.size(), 8), filter_chunk(raw, 8, level))
          << "level " << level << ", " << n << " bytes";
    }
  }
}

TEST(ChunkFilter, ALevelLibdeflateDoesNotHaveIsRefusedByName) {
  try {
    ChunkFilter filter(13);
    FAIL() << "level 13 was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "deflate level 13 is not available (expected 0 to 12)");
  }
}

TEST(ScratchBuffer, GrowsAndKeepsItsRoomWhenAskedForLess) {
  ScratchBuffer b;
  unsigned char* big = b.room(1000);
  big[999] = 7;
  EXPECT_EQ(b.room(10), big);  // no new allocation for a smaller request
  EXPECT_EQ(b.room(1000)[999], 7);
}

}  // namespace
}  // namespace chipsim::io
