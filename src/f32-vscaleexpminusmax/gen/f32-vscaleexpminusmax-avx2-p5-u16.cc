// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleexpminusmax/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleexpminusmax_ukernel__avx2_p5_u16

// f32-vscaleexpminusmax, AVX2: output[i] = exp(input[i] - ref) * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place); never touches memory outside the rows (the last
// 1-7 elements use maskload/maskstore). Intended for max = the row maximum. The
// terms are exp(input[i] - max) up to one factor C in about [2^-0.5, 2^0.5] common
// to the call and to every call with the same max: exp(input[i] - ref) with the
// reference point ref of twopass/expminusmax-ref.h (ref = k*ln2 near max, or max
// itself for |max| >= 2^14), which keeps the range reduction exact without TwoSum; C
// cancels in softmax. Each term is multiplied by scale (one more rounding) and
// stored; each is within a few ULP of exp(input[i] - ref) (relative error < 1e-6);
// terms below about 2^-126.5 (also input -inf) are exactly +0, those just above may
// be subnormal; the flushed terms stay +0 for finite scale; NaN in input, max or
// scale gives NaN; input = max = +inf gives NaN.
//
// The exp is ExpMinusMax() of twopass/expminusmax-avx2.h, which explains
// the math and its constants step by step.
//
// 16 elements (2 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>

#include <type_traits>

#include <immintrin.h>

#include "twopass/expminusmax-avx2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_vscaleexpminusmax_ukernel__avx2_p5_u16(size_t batch, const float* input, float* output, float max,
                           float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  const ExpMinusMaxParams vref = MakeExpMinusMaxParams(max);
  // The same loops with and without the subtraction of the shift (ExpMinusMax<kShift>).
  const auto compute = [&](auto shift) {
    constexpr bool kShift = decltype(shift)::value;
    const __m256 vscale = _mm256_set1_ps(scale);
    for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
      // All loads before the stores, so that in-place operation is safe.
      const __m256 vx0 = _mm256_loadu_ps(input + 0);
      const __m256 vx1 = _mm256_loadu_ps(input + 8);
      input += 16;

      const __m256 vf0 = _mm256_mul_ps(ExpMinusMax<kShift>(vx0, vref), vscale);
      const __m256 vf1 = _mm256_mul_ps(ExpMinusMax<kShift>(vx1, vref), vscale);

      _mm256_storeu_ps(output + 0, vf0);
      _mm256_storeu_ps(output + 8, vf1);
      output += 16;
    }
    for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
      const __m256 vx = _mm256_loadu_ps(input);
      input += 8;
      const __m256 vf = _mm256_mul_ps(ExpMinusMax<kShift>(vx, vref), vscale);
      _mm256_storeu_ps(output, vf);
      output += 8;
    }
    if (batch != 0) {
      // Only the first n lanes are loaded, stored and summed.
      const __m256i vmask = TailMask(batch / sizeof(float));
      const __m256 vx = _mm256_maskload_ps(input, vmask);
      const __m256 vf = _mm256_mul_ps(ExpMinusMax<kShift>(vx, vref), vscale);
      _mm256_maskstore_ps(output, vmask, vf);
    }
  };
  if (vref.shift_needed) {
    compute(std::true_type());
  } else {
    compute(std::false_type());
  }
}
