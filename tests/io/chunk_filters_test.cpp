// HDF5's filters as the workers run them (sim/io/chunk_filters.cpp). That the bytes are the
// ones HDF5 stores is tested end to end in tests/python (stored chunks of a one-thread run,
// filtered by HDF5, against a two-thread run); here each filter is checked on its own.
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

TEST(FilterChunk, DeflatedShuffledBytesWithTheChecksumAppendedLittleEndian) {
  std::vector<unsigned char> raw(8 * 500);
  for (std::size_t i = 0; i < raw.size(); ++i)
    raw[i] = static_cast<unsigned char>((i * 7) % 13);
  const auto stored = filter_chunk(raw, 8, 1);
  ASSERT_GT(stored.size(), 4U);
  EXPECT_LT(stored.size(), raw.size());  // this pattern compresses
  const std::size_t body = stored.size() - 4;
  const std::uint32_t sum = fletcher32(stored.data(), body);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(stored[body + static_cast<std::size_t>(i)], (sum >> (8 * i)) & 0xffU);
  // Inflate and unshuffle: the raw bytes come back.
  std::vector<unsigned char> shuffled(raw.size());
  uLongf size = shuffled.size();
  ASSERT_EQ(uncompress(shuffled.data(), &size, stored.data(), body), Z_OK);
  ASSERT_EQ(size, raw.size());
  std::vector<unsigned char> expected(raw.size());
  shuffle_bytes(raw.data(), raw.size(), 8, expected.data());
  EXPECT_EQ(shuffled, expected);
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

}  // namespace
}  // namespace chipsim::io
