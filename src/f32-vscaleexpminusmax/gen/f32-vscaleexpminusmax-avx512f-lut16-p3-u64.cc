// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleexpminusmax/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleexpminusmax_ukernel__avx512f_lut16_p3_u64

// f32-vscaleexpminusmax, AVX512F: output[i] = exp(input[i] - ref) * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place); never touches memory outside the rows (the last
// 1-15 elements use AVX512 k-masks). Intended for max = the row maximum. The terms
// are exp(input[i] - max) up to one factor C in about [2^-0.5, 2^0.5] common to the
// call and to every call with the same max: exp(input[i] - ref) with the reference
// point ref of twopass/expminusmax-ref.h (ref = k*ln2 near max, or max itself for
// |max| >= 2^14), which keeps the range reduction exact without TwoSum; C cancels in
// softmax. Each term is multiplied by scale (one more rounding) and stored; each is
// within a few ULP of exp(input[i] - ref) (relative error < 1e-6); the table form's
// flush (ExpMinusMax()): terms below about 2^-126.97 (also input -inf) are exactly +0,
// those in [2^-126.97, 2^-126.03) come out between 0 and the term (off by less than
// 2^-126.96); the flushed terms stay +0 for finite scale; NaN in input, max or scale gives
// NaN; input = max = +inf gives NaN.
//
// The exp is ExpMinusMax() of twopass/expminusmax-avx512f.h, which explains
// the math and its constants step by step.
//
// 64 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>

#include <type_traits>

#include <immintrin.h>

#include "twopass/expminusmax-avx512f.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_vscaleexpminusmax_ukernel__avx512f_lut16_p3_u64(size_t batch, const float* input, float* output, float max,
                           float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  const ExpMinusMaxParams vref = MakeExpMinusMaxParams(max);
  // The same loops with and without the subtraction of the shift (ExpMinusMax<kShift>).
  const auto compute = [&](auto shift) {
    constexpr bool kShift = decltype(shift)::value;
    const __m512 vscale = _mm512_set1_ps(scale);
    for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
      // All loads before the stores, so that in-place operation is safe.
      const __m512 vx0 = _mm512_loadu_ps(input + 0);
      const __m512 vx1 = _mm512_loadu_ps(input + 16);
      const __m512 vx2 = _mm512_loadu_ps(input + 32);
      const __m512 vx3 = _mm512_loadu_ps(input + 48);
      input += 64;

      const __m512 vf0 = _mm512_mul_ps(ExpMinusMax<kShift>(vx0, vref), vscale);
      const __m512 vf1 = _mm512_mul_ps(ExpMinusMax<kShift>(vx1, vref), vscale);
      const __m512 vf2 = _mm512_mul_ps(ExpMinusMax<kShift>(vx2, vref), vscale);
      const __m512 vf3 = _mm512_mul_ps(ExpMinusMax<kShift>(vx3, vref), vscale);

      _mm512_storeu_ps(output + 0, vf0);
      _mm512_storeu_ps(output + 16, vf1);
      _mm512_storeu_ps(output + 32, vf2);
      _mm512_storeu_ps(output + 48, vf3);
      output += 64;
    }
    for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
      const __m512 vx = _mm512_loadu_ps(input);
      input += 16;
      const __m512 vf = _mm512_mul_ps(ExpMinusMax<kShift>(vx, vref), vscale);
      _mm512_storeu_ps(output, vf);
      output += 16;
    }
    if (batch != 0) {
      // Only the first n lanes are loaded, stored and summed.
      const __mmask16 vmask = TailMask(batch / sizeof(float));
      const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
      const __m512 vf = _mm512_mul_ps(ExpMinusMax<kShift>(vx, vref), vscale);
      _mm512_mask_storeu_ps(output, vmask, vf);
    }
  };
  if (vref.shift_needed) {
    compute(std::true_type());
  } else {
    compute(std::false_type());
  }
}
