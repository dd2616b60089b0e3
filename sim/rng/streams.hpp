// Keyed random streams (DESIGN.md §3). Every stream's seed is a pure function of
// (root seed, replicate, entity key, purpose) mixed with SplitMix64; nothing depends on a
// thread, a rank or the clock. Parameter draws and dynamic shocks use different purposes, so
// replicate r sees the same exogenous shocks in every scenario and design point (common
// random numbers). Engines and distributions are Boost.Random's.
#pragma once

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <string_view>

namespace chipsim::rng {

using Engine = boost::random::mt19937_64;

enum class Purpose : std::uint64_t {
  parameter = 0x7061726d,  // a scenario parameter drawn once per replicate
  capex_shock = 0x63617078,
  policy_event = 0x6576656e,
  design = 0x64657369,  // a sweep design's sampling (Latin hypercube, Morris trajectories)
};

// SplitMix64's finaliser: a bijective 64-bit mixer (Steele, Lea & Flood 2014).
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Combines a running key with one more component.
constexpr std::uint64_t mix(std::uint64_t key, std::uint64_t component) {
  return splitmix64(key ^ splitmix64(component));
}

// 64-bit FNV-1a of a name, mixed; stable across platforms and runs.
constexpr std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return splitmix64(h);
}

// Seed of the stream for (root, replicate, entity, purpose).
constexpr std::uint64_t stream_seed(std::uint64_t root, std::uint64_t replicate,
                                    std::uint64_t entity, Purpose purpose) {
  return mix(mix(mix(splitmix64(root), replicate), entity), static_cast<std::uint64_t>(purpose));
}

}  // namespace chipsim::rng
