// Helpers shared by the microkernel testers.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <cstdlib>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "twopass/isa.h"

// Skips the current test when the CPU lacks `isa` (only then).
#define TWOPASS_TEST_REQUIRES_ISA(isa)                                           \
  do {                                                                          \
    if (!twopass_isa_supported(isa)) {                                          \
      GTEST_SKIP() << "CPU lacks " << twopass_isa_to_string(isa);              \
    }                                                                           \
  } while (0)

namespace twopass {
namespace testing {

// Seed for reproducible randomness: TWOPASS_TEST_SEED if set, else a fixed
// default. Testers print it in failure messages.
inline uint32_t TestSeed() {
  const char* env = getenv("TWOPASS_TEST_SEED");
  return env != nullptr ? static_cast<uint32_t>(strtoul(env, nullptr, 0)) : 0x7770A55u;
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

}  // namespace testing
}  // namespace twopass
