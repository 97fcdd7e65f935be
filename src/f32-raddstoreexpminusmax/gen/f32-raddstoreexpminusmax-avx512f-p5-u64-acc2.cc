// Auto-generated file. Do not edit!
//   Template: src/f32-raddstoreexpminusmax/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddstoreexpminusmax_ukernel__avx512f_p5_u64_acc2

// f32-raddstoreexpminusmax, AVX512F:
//   output[i] = exp(input[i] - *max), *sum = sum_i output[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place); never touches memory outside the rows (the
// last 1-15 elements use AVX512 k-masks). Intended for *max = the row maximum,
// so z = input[i] - *max <= 0 (rounded to float, it decides the flush; the exp
// is of the exact difference). Accuracy: output within a few ULP of exp(z)
// (relative error < 1e-6) when exp(z) >= FLT_MIN; z below ln(FLT_MIN) (also z =
// -inf from input -inf) gives exactly +0; NaN in input or *max gives NaN
// outputs and a NaN sum; input = *max = +inf gives NaN.
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

extern "C" void twopass_f32_raddstoreexpminusmax_ukernel__avx512f_p5_u64_acc2(size_t batch, const float* input, const float* max, float* output,
                           float* sum) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);
  assert(output != NULL);
  assert(sum != NULL);

  const __m512 vmax = _mm512_set1_ps(*max);
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

    _mm512_storeu_ps(output + 0, vf0);
    _mm512_storeu_ps(output + 16, vf1);
    _mm512_storeu_ps(output + 32, vf2);
    _mm512_storeu_ps(output + 48, vf3);
    output += 64;

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
    _mm512_storeu_ps(output, vf);
    output += 16;
    vacc0 = _mm512_add_ps(vacc0, vf);
  }
  if (batch != 0) {
    // Only the first n lanes are loaded, stored and summed.
    const __mmask16 vmask = tail_mask(batch / sizeof(float));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    const __m512 vf = exp_minus_max(vx, vmax);
    _mm512_mask_storeu_ps(output, vmask, vf);
    vacc0 = _mm512_mask_add_ps(vacc0, vmask, vacc0, vf);
  }
  *sum = _mm512_reduce_add_ps(vacc0);
}
