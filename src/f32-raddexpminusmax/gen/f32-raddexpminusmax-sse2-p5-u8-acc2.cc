// Auto-generated file. Do not edit!
//   Template: src/f32-raddexpminusmax/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddexpminusmax_ukernel__sse2_p5_u8_acc2

// f32-raddexpminusmax, SSE2: *sum = sum_i exp(input[i] - max).
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// never reads outside [input, input + batch). Intended for max = the row
// maximum, so z = input[i] - max <= 0 (rounded to float, it decides the flush;
// the exp is of the exact difference). Each term is within a few ULP of exp(z)
// when exp(z) >= FLT_MIN; z below ln(FLT_MIN) (also z = -inf from input -inf)
// contributes exactly 0; NaN in input or max gives a NaN sum; input = max =
// +inf gives NaN.
//
// exp(z) is exp_minus_max() of twopass/expminusmax-sse2.h, which explains
// the math and its constants step by step.
//
// 8 elements (2 vectors) per main-loop iteration; the sum is kept in 2
// f32 vector accumulators (vector i goes to accumulator i mod 2), i.e. in
// 8 partial sums, which keeps rows of a few thousand elements within
// ~1e-7 relative.

#include <assert.h>
#include <stddef.h>

#include <emmintrin.h>

#include "twopass/expminusmax-sse2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddexpminusmax_ukernel__sse2_p5_u8_acc2(size_t batch, const float* input, float* sum, float max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(sum != NULL);

  const __m128 vmax = _mm_set1_ps(max);
  __m128 vacc0 = _mm_setzero_ps();
  __m128 vacc1 = _mm_setzero_ps();
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    const __m128 vx0 = _mm_loadu_ps(input + 0);
    const __m128 vx1 = _mm_loadu_ps(input + 4);
    input += 8;

    const __m128 vf0 = exp_minus_max(vx0, vmax);
    const __m128 vf1 = exp_minus_max(vx1, vmax);

    vacc0 = _mm_add_ps(vacc0, vf0);
    vacc1 = _mm_add_ps(vacc1, vf1);
  }
  vacc0 = _mm_add_ps(vacc0, vacc1);
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const __m128 vx = _mm_loadu_ps(input);
    input += 4;
    vacc0 = _mm_add_ps(vacc0, exp_minus_max(vx, vmax));
  }
  if (batch != 0) {
    // 1-3 elements: 2 with movlps, then 1 with movss; never past the row.
    // Only the loaded lanes are summed.
    if (batch & (2 * sizeof(float))) {
      const __m128 vx = _mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(input));
      input += 2;
      const __m128 vf = exp_minus_max(vx, vmax);
      vacc0 = _mm_add_ps(vacc0, _mm_movelh_ps(vf, _mm_setzero_ps()));
    }
    if (batch & sizeof(float)) {
      vacc0 = _mm_add_ss(vacc0, exp_minus_max(_mm_load_ss(input), vmax));
    }
  }
  vacc0 = _mm_add_ps(vacc0, _mm_movehl_ps(vacc0, vacc0));
  vacc0 = _mm_add_ss(vacc0, _mm_shuffle_ps(vacc0, vacc0, _MM_SHUFFLE(1, 1, 1, 1)));
  _mm_store_ss(sum, vacc0);
}
