// Helpers shared by the microkernel testers.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <stdio.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "twopass/isa.h"

namespace twopass {
namespace testing {

// Whether this test binary tests the kernels of `isa`. Native binaries: the CPU has
// it. Emulated-AVX512F binaries (test/BUILD.bazel, *_avx512f_emulated_test) link the
// avx512f kernels compiled for AVX2 through SIMDe (third_party/simde-shim) and test
// those alone, the other ISAs having their own native binaries; the emulation runs
// AVX2 + FMA + F16C code, so it needs a CPU with those.
#if TWOPASS_TEST_EMULATED_AVX512F
constexpr bool kEmulatedAvx512f = true;
#else
constexpr bool kEmulatedAvx512f = false;
#endif

inline bool IsaUnderTest(enum twopass_isa isa) {
  if (kEmulatedAvx512f) {
    return isa == twopass_isa_avx512f && twopass_isa_supported(twopass_isa_avx2) != 0;
  }
  return twopass_isa_supported(isa) != 0;
}

}  // namespace testing
}  // namespace twopass

// Skips the current test when this binary does not test `isa` (see IsaUnderTest).
#define TWOPASS_TEST_REQUIRES_ISA(isa)                                                   \
  do {                                                                                   \
    if (!::twopass::testing::IsaUnderTest(isa)) {                                        \
      GTEST_SKIP() << (::twopass::testing::kEmulatedAvx512f                              \
                           ? "emulated-AVX512F build tests only avx512f kernels (on an " \
                             "AVX2 CPU), not "                                           \
                           : "CPU lacks ")                                               \
                   << twopass_isa_to_string(isa);                                        \
    }                                                                                    \
  } while (0)

namespace twopass {
namespace testing {

// Seed for reproducible randomness: TWOPASS_TEST_SEED if set, else a fixed
// default. Testers print it in failure messages.
inline uint32_t TestSeed() {
  const char* env = getenv("TWOPASS_TEST_SEED");
  return env != nullptr ? static_cast<uint32_t>(strtoul(env, nullptr, 0)) : 0x7770A55u;
}

// n floats uniform in [lo, hi), from the test seed mixed with `salt` (one row per salt).
inline std::vector<float> UniformFloats(size_t n, float lo, float hi, uint32_t salt) {
  std::mt19937 rng(TestSeed() ^ salt);
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<float> x(n);
  for (float& v : x) v = uniform(rng);
  return x;
}

inline uint32_t FloatBits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

inline float BitsToFloat(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

// Distance in ULP between `value` and the exact `reference`, where one ULP is
// that of a float in [0.5, 1) scaled to the reference's binade
// (i.e. ulp = 2^(floor(log2|reference|) - 23)).
inline double UlpError(double value, double reference) {
  if (reference == 0.0) return value == 0.0 ? 0.0 : INFINITY;
  int exponent;
  frexp(reference, &exponent);  // reference = f * 2^exponent, f in [0.5, 1)
  const double ulp = ldexp(1.0, exponent - 24);
  return fabs(value - reference) / ulp;
}

// Row lengths around a kernel's tile: 1, tile-1, tile, tile+1, 2*tile, 3*tile + every
// tail length, and primes; sorted, without repeats.
inline std::vector<size_t> TileSizes(size_t tile) {
  std::vector<size_t> sizes = {1, tile, tile + 1, 2 * tile, 7, 31, 127, 1021, 4093};
  if (tile > 1) sizes.push_back(tile - 1);
  for (size_t tail = 1; tail < tile; tail++) sizes.push_back(3 * tile + tail);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

// A float as a C99 hex literal, for failure messages.
inline std::string Hex(float v) {
  char buffer[64];
  snprintf(buffer, sizeof(buffer), "%a", v);
  return buffer;
}

}  // namespace testing
}  // namespace twopass

// ---------------------------------------------------------------------------------
// Non-temporal-store variants (table token nt): their tests compare them bit for bit
// with the regular twin at every output alignment.
namespace twopass {
namespace testing {

// True for a kernel symbol whose last token is "nt".
inline bool IsNtVariant(const std::string& name) {
  return name.size() > 3 && name.compare(name.size() - 3, 3, "_nt") == 0;
}

// The symbol of the regular twin of an nt variant: the same symbol without "_nt".
inline std::string RegularTwinName(const std::string& nt_name) {
  return nt_name.substr(0, nt_name.size() - 3);
}

// The nt variants of a kernel table (entries with a `name`), for value-parameterized
// suites that compare each with its regular twin.
template <typename Kernel, size_t N>
std::vector<Kernel> NtVariants(const Kernel (&table)[N]) {
  std::vector<Kernel> nt;
  for (const Kernel& k : table) {
    if (IsNtVariant(k.name)) nt.push_back(k);
  }
  return nt;
}

// The regular twin of an nt variant in the same table, or nullptr.
template <typename Kernel, size_t N>
const Kernel* RegularTwin(const Kernel (&table)[N], const Kernel& nt) {
  const std::string name = RegularTwinName(nt.name);
  for (const Kernel& k : table) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

// Row sizes for the alignment tests of an nt variant with main-loop tile `tile`:
// rows that end inside the unaligned head (1-16 elements), rows with a head, a few
// whole vectors and a tail, and rows with several main-loop iterations.
inline std::vector<size_t> NtAlignmentSizes(size_t tile) {
  std::vector<size_t> sizes;
  for (size_t n = 1; n <= 33; n++) sizes.push_back(n);
  for (size_t n : {tile - 1, tile, tile + 1, tile + 15, 2 * tile + 16 + 7, 3 * tile + 31,
                   size_t{1021}}) {
    sizes.push_back(n);
  }
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

// `count` floats starting `offset` floats past a 64-byte boundary, with kSentinels
// sentinel floats (a fixed NaN pattern) on each side, so that writes outside the row
// are seen (CheckSentinels).
class OffsetFloatBuffer {
 public:
  static constexpr size_t kSentinels = 32;
  static constexpr uint32_t kSentinelBits = 0x7FC0BEEFu;

  OffsetFloatBuffer(size_t count, size_t offset)
      : count_(count), storage_(count + offset + 2 * kSentinels + 16) {
    const uintptr_t raw = reinterpret_cast<uintptr_t>(storage_.data() + kSentinels);
    const size_t skip = ((64 - raw % 64) % 64) / sizeof(float);  // vector data: 4-B aligned
    begin_ = storage_.data() + kSentinels + skip + offset;
    for (float& v : storage_) v = BitsToFloat(kSentinelBits);
  }
  float* data() { return begin_; }
  float& operator[](size_t i) { return begin_[i]; }
  // True when nothing outside [data(), data() + count) changed.
  bool SentinelsIntact() const {
    for (size_t i = 0; i < storage_.size(); i++) {
      const float* p = storage_.data() + i;
      if (p >= begin_ && p < begin_ + count_) continue;
      if (FloatBits(*p) != kSentinelBits) return false;
    }
    return true;
  }

 private:
  size_t count_;
  std::vector<float> storage_;
  float* begin_;
};

// Lanes of one vector register of an ISA: the granularity of the tails.
inline size_t VectorWidth(enum twopass_isa isa) {
  switch (isa) {
    case twopass_isa_sse2:
      return 4;
    case twopass_isa_avx2:
      return 8;
    case twopass_isa_avx512f:
      return 16;
    default:
      return 1;
  }
}

// Where special values go in a row of n elements for a kernel of this tile and vector
// width: the first, middle and last elements, and every lane of the first vector and of
// the last full and partial vectors of the remainder after the main loop (n % tile
// elements). The remainder's vectors between those run the same loop body as its first,
// so every position of every tail (quadratic in the tile: 32 s for one AVX512F u192
// variant) adds no path.
inline std::vector<size_t> TailPositions(size_t n, size_t tile, size_t width) {
  std::vector<size_t> positions = {0, n / 2, n - 1};
  const size_t tail_start = n - n % tile;
  const size_t last = width + (n - tail_start) % width;  // the last full and partial vectors
  for (size_t i = tail_start; i < n; i++) {
    if (i - tail_start < width || n - i <= last) positions.push_back(i);
  }
  return positions;
}

}  // namespace testing
}  // namespace twopass
