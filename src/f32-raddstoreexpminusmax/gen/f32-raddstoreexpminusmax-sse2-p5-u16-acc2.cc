// Auto-generated file. Do not edit!
//   Template: src/f32-raddstoreexpminusmax/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddstoreexpminusmax_ukernel__sse2_p5_u16_acc2

// f32-raddstoreexpminusmax, SSE2:
//   output[i] = exp(input[i] - *max), *sum = sum_i output[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place); never touches memory outside the rows.
// Intended for *max = the row maximum, so z = input[i] - *max <= 0 (rounded to
// float, it decides the flush; the exp is of the exact difference). Accuracy:
// output within a few ULP of exp(z) (relative error < 1e-6) when exp(z) >=
// FLT_MIN; z below ln(FLT_MIN) (also z = -inf from input -inf) gives exactly
// +0; NaN in input or *max gives NaN outputs and a NaN sum; input = *max = +inf
// gives NaN.
//
// exp(z) is exp_minus_max() of twopass/expminusmax-sse2.h, which explains
// the math and its constants step by step.
//
// 16 elements (4 vectors) per main-loop iteration; the sum is kept in 2
// f32 vector accumulators (vector i goes to accumulator i mod 2), i.e. in
// 8 partial sums, which keeps rows of a few thousand elements within
// ~1e-7 relative.

#include <assert.h>
#include <stddef.h>

#include <emmintrin.h>

#include "twopass/expminusmax-sse2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddstoreexpminusmax_ukernel__sse2_p5_u16_acc2(size_t batch, const float* input, const float* max, float* output,
                           float* sum) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);
  assert(output != NULL);
  assert(sum != NULL);

  const __m128 vmax = _mm_set1_ps(*max);
  __m128 vacc0 = _mm_setzero_ps();
  __m128 vacc1 = _mm_setzero_ps();
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    const __m128 vx0 = _mm_loadu_ps(input + 0);
    const __m128 vx1 = _mm_loadu_ps(input + 4);
    const __m128 vx2 = _mm_loadu_ps(input + 8);
    const __m128 vx3 = _mm_loadu_ps(input + 12);
    input += 16;

    const __m128 vf0 = exp_minus_max(vx0, vmax);
    const __m128 vf1 = exp_minus_max(vx1, vmax);
    const __m128 vf2 = exp_minus_max(vx2, vmax);
    const __m128 vf3 = exp_minus_max(vx3, vmax);

    _mm_storeu_ps(output + 0, vf0);
    _mm_storeu_ps(output + 4, vf1);
    _mm_storeu_ps(output + 8, vf2);
    _mm_storeu_ps(output + 12, vf3);
    output += 16;

    vacc0 = _mm_add_ps(vacc0, vf0);
    vacc1 = _mm_add_ps(vacc1, vf1);
    vacc0 = _mm_add_ps(vacc0, vf2);
    vacc1 = _mm_add_ps(vacc1, vf3);
  }
  vacc0 = _mm_add_ps(vacc0, vacc1);
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const __m128 vx = _mm_loadu_ps(input);
    input += 4;
    const __m128 vf = exp_minus_max(vx, vmax);
    _mm_storeu_ps(output, vf);
    output += 4;
    vacc0 = _mm_add_ps(vacc0, vf);
  }
  if (batch != 0) {
    // 1-3 elements: 2 with movlps, then 1 with movss; never past the rows.
    // Only the loaded lanes are stored and summed.
    if (batch & (2 * sizeof(float))) {
      const __m128 vx = _mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(input));
      input += 2;
      const __m128 vf = exp_minus_max(vx, vmax);
      _mm_storel_pi(reinterpret_cast<__m64*>(output), vf);
      output += 2;
      vacc0 = _mm_add_ps(vacc0, _mm_movelh_ps(vf, _mm_setzero_ps()));
    }
    if (batch & sizeof(float)) {
      const __m128 vf = exp_minus_max(_mm_load_ss(input), vmax);
      _mm_store_ss(output, vf);
      vacc0 = _mm_add_ss(vacc0, vf);
    }
  }
  vacc0 = _mm_add_ps(vacc0, _mm_movehl_ps(vacc0, vacc0));
  vacc0 = _mm_add_ss(vacc0, _mm_shuffle_ps(vacc0, vacc0, _MM_SHUFFLE(1, 1, 1, 1)));
  _mm_store_ss(sum, vacc0);
}
