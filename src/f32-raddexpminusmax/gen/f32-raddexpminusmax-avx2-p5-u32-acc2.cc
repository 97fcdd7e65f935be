// Auto-generated file. Do not edit!
//   Template: src/f32-raddexpminusmax/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddexpminusmax_ukernel__avx2_p5_u32_acc2

// f32-raddexpminusmax, AVX2: *sum = sum_i exp(input[i] - max).
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// never reads outside [input, input + batch) (the last 1-7 elements use
// maskload). Intended for max = the row maximum, so z = input[i] - max <= 0
// (rounded to float, it decides the flush; the exp is of the exact difference).
// Each term is within a few ULP of exp(z) when exp(z) >= FLT_MIN; z below
// ln(FLT_MIN) (also z = -inf from input -inf) contributes exactly 0; NaN in
// input or max gives a NaN sum; input = max = +inf gives NaN.
//
// exp(z) is exp_minus_max() of twopass/expminusmax-avx2.h, which explains
// the math and its constants step by step.
//
// 32 elements (4 vectors) per main-loop iteration; the sum is kept in
// 2 f32 vector accumulators (vector i goes to accumulator i mod 2),
// i.e. in 16 partial sums, which keeps rows of a few thousand
// elements within ~1e-7 relative.

#include <assert.h>
#include <stddef.h>

#include <immintrin.h>

#include "twopass/expminusmax-avx2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddexpminusmax_ukernel__avx2_p5_u32_acc2(size_t batch, const float* input, float* sum, float max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(sum != NULL);

  const __m256 vmax = _mm256_set1_ps(max);
  __m256 vacc0 = _mm256_setzero_ps();
  __m256 vacc1 = _mm256_setzero_ps();
  for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
    const __m256 vx0 = _mm256_loadu_ps(input + 0);
    const __m256 vx1 = _mm256_loadu_ps(input + 8);
    const __m256 vx2 = _mm256_loadu_ps(input + 16);
    const __m256 vx3 = _mm256_loadu_ps(input + 24);
    input += 32;

    const __m256 vf0 = exp_minus_max(vx0, vmax);
    const __m256 vf1 = exp_minus_max(vx1, vmax);
    const __m256 vf2 = exp_minus_max(vx2, vmax);
    const __m256 vf3 = exp_minus_max(vx3, vmax);

    vacc0 = _mm256_add_ps(vacc0, vf0);
    vacc1 = _mm256_add_ps(vacc1, vf1);
    vacc0 = _mm256_add_ps(vacc0, vf2);
    vacc1 = _mm256_add_ps(vacc1, vf3);
  }
  vacc0 = _mm256_add_ps(vacc0, vacc1);
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    const __m256 vx = _mm256_loadu_ps(input);
    input += 8;
    const __m256 vf = exp_minus_max(vx, vmax);
    vacc0 = _mm256_add_ps(vacc0, vf);
  }
  if (batch != 0) {
    // Only the first n lanes are loaded, stored and summed.
    const __m256i vmask = tail_mask(batch / sizeof(float));
    const __m256 vx = _mm256_maskload_ps(input, vmask);
    const __m256 vf = exp_minus_max(vx, vmax);
    vacc0 = _mm256_add_ps(vacc0, _mm256_and_ps(vf, _mm256_castsi256_ps(vmask)));
  }
  __m128 vacc = _mm_add_ps(_mm256_castps256_ps128(vacc0), _mm256_extractf128_ps(vacc0, 1));
  vacc = _mm_add_ps(vacc, _mm_movehl_ps(vacc, vacc));
  vacc = _mm_add_ss(vacc, _mm_movehdup_ps(vacc));
  _mm_store_ss(sum, vacc);
}
