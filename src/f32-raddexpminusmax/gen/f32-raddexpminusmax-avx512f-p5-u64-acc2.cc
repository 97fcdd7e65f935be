// Auto-generated file. Do not edit!
//   Template: src/f32-raddexpminusmax/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddexpminusmax_ukernel__avx512f_p5_u64_acc2

// f32-raddexpminusmax, AVX512F: *sum = sum_i exp(input[i] - max).
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// never reads outside [input, input + batch) (the last 1-15 elements use a
// k-masked load). Intended for max = the row maximum, so z = input[i] - max <=
// 0 (rounded to float, it decides the flush; the exp is of the exact
// difference). Each term is within a few ULP of exp(z) when exp(z) >= FLT_MIN;
// z below ln(FLT_MIN) (also z = -inf from input -inf) contributes exactly 0;
// NaN in input or max gives a NaN sum; input = max = +inf gives NaN.
//
// exp(z) is exp_minus_max() of twopass/expminusmax-avx512f.h, which explains
// the math and its constants step by step.
//
// 64 elements (4 vectors) per main-loop iteration; the sum is kept in
// 2 f32 vector accumulators (vector i goes to accumulator i mod 2),
// i.e. in 32 partial sums, which keeps rows of a few thousand
// elements within ~1e-7 relative.

#include <assert.h>
#include <stddef.h>

#include <immintrin.h>

#include "twopass/expminusmax-avx512f.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddexpminusmax_ukernel__avx512f_p5_u64_acc2(size_t batch, const float* input, float* sum, float max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(sum != NULL);

  const __m512 vmax = _mm512_set1_ps(max);
  __m512 vacc0 = _mm512_setzero_ps();
  __m512 vacc1 = _mm512_setzero_ps();
  for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
    const __m512 vx0 = _mm512_loadu_ps(input + 0);
    const __m512 vx1 = _mm512_loadu_ps(input + 16);
    const __m512 vx2 = _mm512_loadu_ps(input + 32);
    const __m512 vx3 = _mm512_loadu_ps(input + 48);
    input += 64;

    const __m512 vf0 = exp_minus_max(vx0, vmax);
    const __m512 vf1 = exp_minus_max(vx1, vmax);
    const __m512 vf2 = exp_minus_max(vx2, vmax);
    const __m512 vf3 = exp_minus_max(vx3, vmax);

    vacc0 = _mm512_add_ps(vacc0, vf0);
    vacc1 = _mm512_add_ps(vacc1, vf1);
    vacc0 = _mm512_add_ps(vacc0, vf2);
    vacc1 = _mm512_add_ps(vacc1, vf3);
  }
  vacc0 = _mm512_add_ps(vacc0, vacc1);
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    const __m512 vx = _mm512_loadu_ps(input);
    input += 16;
    const __m512 vf = exp_minus_max(vx, vmax);
    vacc0 = _mm512_add_ps(vacc0, vf);
  }
  if (batch != 0) {
    // Only the first n lanes are loaded, stored and summed.
    const __mmask16 vmask = tail_mask(batch / sizeof(float));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    const __m512 vf = exp_minus_max(vx, vmax);
    vacc0 = _mm512_mask_add_ps(vacc0, vmask, vacc0, vf);
  }
  *sum = _mm512_reduce_add_ps(vacc0);
}
