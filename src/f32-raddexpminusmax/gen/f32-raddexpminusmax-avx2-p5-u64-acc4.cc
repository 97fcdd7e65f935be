// Auto-generated file. Do not edit!
//   Template: src/f32-raddexpminusmax/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddexpminusmax_ukernel__avx2_p5_u64_acc4

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
// 64 elements (8 vectors) per main-loop iteration; the sum is kept in
// 4 f32 vector accumulators (vector i goes to accumulator i mod 4),
// i.e. in 32 partial sums, which keeps rows of a few thousand
// elements within ~1e-7 relative.

#include <assert.h>
#include <stddef.h>

#include <immintrin.h>

#include "twopass/expminusmax-avx2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddexpminusmax_ukernel__avx2_p5_u64_acc4(size_t batch, const float* input, float* sum, float max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(sum != NULL);

  const __m256 vmax = _mm256_set1_ps(max);
  __m256 vacc0 = _mm256_setzero_ps();
  __m256 vacc1 = _mm256_setzero_ps();
  __m256 vacc2 = _mm256_setzero_ps();
  __m256 vacc3 = _mm256_setzero_ps();
  for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
    const __m256 vx0 = _mm256_loadu_ps(input + 0);
    const __m256 vx1 = _mm256_loadu_ps(input + 8);
    const __m256 vx2 = _mm256_loadu_ps(input + 16);
    const __m256 vx3 = _mm256_loadu_ps(input + 24);
    const __m256 vx4 = _mm256_loadu_ps(input + 32);
    const __m256 vx5 = _mm256_loadu_ps(input + 40);
    const __m256 vx6 = _mm256_loadu_ps(input + 48);
    const __m256 vx7 = _mm256_loadu_ps(input + 56);
    input += 64;

    const __m256 vf0 = exp_minus_max(vx0, vmax);
    const __m256 vf1 = exp_minus_max(vx1, vmax);
    const __m256 vf2 = exp_minus_max(vx2, vmax);
    const __m256 vf3 = exp_minus_max(vx3, vmax);
    const __m256 vf4 = exp_minus_max(vx4, vmax);
    const __m256 vf5 = exp_minus_max(vx5, vmax);
    const __m256 vf6 = exp_minus_max(vx6, vmax);
    const __m256 vf7 = exp_minus_max(vx7, vmax);

    vacc0 = _mm256_add_ps(vacc0, vf0);
    vacc1 = _mm256_add_ps(vacc1, vf1);
    vacc2 = _mm256_add_ps(vacc2, vf2);
    vacc3 = _mm256_add_ps(vacc3, vf3);
    vacc0 = _mm256_add_ps(vacc0, vf4);
    vacc1 = _mm256_add_ps(vacc1, vf5);
    vacc2 = _mm256_add_ps(vacc2, vf6);
    vacc3 = _mm256_add_ps(vacc3, vf7);
  }
  vacc0 = _mm256_add_ps(vacc0, vacc1);
  vacc0 = _mm256_add_ps(vacc0, vacc2);
  vacc0 = _mm256_add_ps(vacc0, vacc3);
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
