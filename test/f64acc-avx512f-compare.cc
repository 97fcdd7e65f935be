// The AVX512F half of f64acc_avx512f_test (test/f64acc-avx512f.cc), compiled with
// -mavx512f on its own so that the test binary runs no AVX512 instruction before its
// ISA check.
#include "f64acc-avx512f-compare.h"

#include <math.h>
#include <string.h>

#include <random>

#include <immintrin.h>

#include "twopass/expminusmax-avx512f.h"

namespace {

// A lane of 1 + j 2^-23, a lane of 2^-24 (half an ulp of 1: a tie) and lanes of
// 2^-53..2^-56 or 0.
void FillTieProne(std::mt19937& rng, float* lanes) {
  for (int i = 0; i < 16; i++) {
    lanes[i] = (rng() % 2) ? ldexpf(1.0f, -53 - static_cast<int>(rng() % 4)) : 0.0f;
  }
  lanes[rng() % 16] = 1.0f + ldexpf(static_cast<float>(rng() % 8), -23);
  lanes[rng() % 16] = ldexpf(1.0f, -24);
}

}  // namespace

F64AccCounts CompareF64AccTotals2(uint32_t seed, long cases) {
  std::mt19937 rng(seed);
  F64AccCounts counts;
  for (long c = 0; c < cases; c++) {
    float a[16];
    float b[16];
    FillTieProne(rng, a);
    FillTieProne(rng, b);
    const __m512 va = _mm512_loadu_ps(a);
    const __m512 vb = _mm512_loadu_ps(b);
    float out[4];
    F64AccTotals2(va, vb, out);
    const float totals[2] = {F64AccTotal(F64AccZero(), va), F64AccTotal(F64AccZero(), vb)};
    const float scales[2] = {static_cast<float>(1.0 / static_cast<double>(totals[0])),
                             static_cast<float>(1.0 / static_cast<double>(totals[1]))};
    if (memcmp(out, totals, sizeof(totals)) != 0 || memcmp(out + 2, scales, sizeof(scales)) != 0) {
      counts.mismatches++;
    }
    double sequential = 0.0;
    for (int i = 0; i < 16; i++) sequential += a[i];
    if (static_cast<float>(sequential) != totals[0]) counts.order_sensitive++;
  }
  return counts;
}
