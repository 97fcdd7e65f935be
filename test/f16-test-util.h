// Half-precision (IEEE binary16) helpers for the f16 kernel and operator tests.
#pragma once

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <fp16.h>

namespace twopass {
namespace testing {

// Bit patterns of notable halves.
constexpr uint16_t kHalfPlusInf = 0x7C00;
constexpr uint16_t kHalfMinusInf = 0xFC00;
constexpr uint16_t kHalfQuietNan = 0x7E00;
constexpr uint16_t kHalfNanPayload = 0x7C01;   // NaN with the smallest payload
constexpr uint16_t kHalfMinusNan = 0xFE00;
constexpr uint16_t kHalfMax = 0x7BFF;          // 65504
constexpr uint16_t kHalfLowest = 0xFBFF;       // -65504
constexpr uint16_t kHalfMinSubnormal = 0x0001; // 2^-24
constexpr uint16_t kHalfMaxSubnormal = 0x03FF; // 2^-14 - 2^-24
constexpr uint16_t kHalfMinusMinSubnormal = 0x8001;
constexpr uint16_t kHalfZero = 0x0000;
constexpr uint16_t kHalfMinusZero = 0x8000;

// An f16 bit pattern as 0xHHHH, for failure messages.
inline std::string HalfHex(uint16_t h) {
  char buffer[16];
  snprintf(buffer, sizeof(buffer), "0x%04X", h);
  return buffer;
}

inline float HalfToFloat(uint16_t h) { return fp16_ieee_to_fp32_value(h); }
inline uint16_t FloatToHalf(float f) { return fp16_ieee_from_fp32_value(f); }

inline bool HalfIsNan(uint16_t h) { return (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0; }

// Special inputs every f16 kernel and operator test puts at every interesting position.
inline std::vector<uint16_t> SpecialHalves() {
  return {kHalfMinusInf, kHalfLowest,       kHalfMax,          kHalfQuietNan,
          kHalfNanPayload, kHalfMinusNan,   kHalfPlusInf,      kHalfMinSubnormal,
          kHalfMaxSubnormal, kHalfMinusMinSubnormal, kHalfZero, kHalfMinusZero};
}

// One ULP of binary16 at the magnitude of `reference` (>= 0): 2^(floor(log2 r) - 10)
// for normal halves, 2^-24 in the subnormal range.
inline double HalfUlp(double reference) {
  if (reference < 0x1p-14) return 0x1p-24;
  int exponent;
  frexp(reference, &exponent);  // reference = f * 2^exponent, f in [0.5, 1)
  return ldexp(1.0, exponent - 11);
}

// |value - reference| in half ULPs of the reference.
inline double HalfUlpError(double value, double reference) {
  return fabs(value - reference) / HalfUlp(fabs(reference));
}

// n halves: uniform in [lo, hi], rounded to half.
inline std::vector<uint16_t> RandomHalves(size_t n, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<uint16_t> row(n);
  for (uint16_t& h : row) h = FloatToHalf(uniform(rng));
  return row;
}

inline std::vector<float> HalvesToFloats(const uint16_t* h, size_t n) {
  std::vector<float> f(n);
  for (size_t i = 0; i < n; i++) f[i] = HalfToFloat(h[i]);
  return f;
}

}  // namespace testing
}  // namespace twopass
