// Auto-generated file. Do not edit!
//   Template: src/f32-raddstoreexpminusmax/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddstoreexpminusmax_ukernel__avx2_p5_u64_acc4

// f32-raddstoreexpminusmax, AVX2:
//   output[i] = exp(input[i] - ref), *sum = sum_i output[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place); never touches memory outside the rows (the last
// 1-7 elements use maskload/maskstore). Intended for max[0] = the row maximum. The
// terms are exp(input[i] - max[0]) up to one factor C in about [2^-0.5, 2^0.5] common
// to the call and to every call with the same max: exp(input[i] - ref) with the
// reference point ref of twopass/expminusmax-ref.h (ref = k*ln2 near max, or max
// itself for |max| >= 2^14), which keeps the range reduction exact without TwoSum; C
// cancels in softmax. Each term is stored and summed; each is within a few ULP of
// exp(input[i] - ref) (relative error < 1e-6); terms below about 2^-126.5 (also
// input -inf) are exactly +0, those just above may be subnormal; NaN in input or
// max[0] gives NaN outputs and a NaN sum; input = max[0] = +inf gives NaN.
//
// max points to two floats: max[0] the max, max[1] an upper clamp of the inputs, +inf for
// none (then no input may exceed the max). max[0] may lie below the row maximum (an
// estimate from a sample of the row, twopass/expminusmax-ref.h "Above max") when max[1]
// is GetExpMinusMaxRef(max[0]).upper, about max[0] + 43: inputs up to it get their terms
// (up to 2^62), larger ones, +inf included, the term there (~2^62), so a sum at or above
// 2^61 says the estimate was low. Without a clamp the loops skip the min (identical bits).
//
// The exp is ExpMinusMax() of twopass/expminusmax-avx2.h, which explains
// the math and its constants step by step.
//
// 64 elements (8 vectors) per main-loop iteration. The sum: vector i goes to
// float accumulator i mod 4; every 4 iterations (at most 8 float additions per
// lane) they move into a double accumulator (F64AccAdd), so any row length stays
// within ~3e-7 relative, even rows of equal terms whose float roundings all go the
// same way (one float accumulator per lane drifted 3e-6 over 4096 terms of 0.966).

#include <assert.h>
#include <stddef.h>

#include <immintrin.h>

#include "twopass/expminusmax-avx2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddstoreexpminusmax_ukernel__avx2_p5_u64_acc4(size_t batch, const float* input, const float* max, float* output,
                           float* sum) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);
  assert(output != NULL);
  assert(sum != NULL);

  const ExpMinusMaxParams vref = MakeExpMinusMaxParams(max[0], max[1]);
  // The same loops with and without the subtraction of the shift (ExpMinusMax<kShift>),
  // and with and without the clamp (ClampAboveMax<kClamp>).
  const auto compute = [&](auto shift, auto clamp) {
    constexpr bool kShift = decltype(shift)::value;
    constexpr bool kClamp = decltype(clamp)::value;
    F64Acc vsum = F64AccZero();
    __m256 vacc0 = _mm256_setzero_ps();
    __m256 vacc1 = _mm256_setzero_ps();
    __m256 vacc2 = _mm256_setzero_ps();
    __m256 vacc3 = _mm256_setzero_ps();
    size_t flush_countdown = 4;
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

      const __m256 vf0 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx0, vref), vref);
      const __m256 vf1 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx1, vref), vref);
      const __m256 vf2 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx2, vref), vref);
      const __m256 vf3 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx3, vref), vref);
      const __m256 vf4 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx4, vref), vref);
      const __m256 vf5 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx5, vref), vref);
      const __m256 vf6 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx6, vref), vref);
      const __m256 vf7 = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx7, vref), vref);

      _mm256_storeu_ps(output + 0, vf0);
      _mm256_storeu_ps(output + 8, vf1);
      _mm256_storeu_ps(output + 16, vf2);
      _mm256_storeu_ps(output + 24, vf3);
      _mm256_storeu_ps(output + 32, vf4);
      _mm256_storeu_ps(output + 40, vf5);
      _mm256_storeu_ps(output + 48, vf6);
      _mm256_storeu_ps(output + 56, vf7);
      output += 64;

      vacc0 = _mm256_add_ps(vacc0, vf0);
      vacc1 = _mm256_add_ps(vacc1, vf1);
      vacc2 = _mm256_add_ps(vacc2, vf2);
      vacc3 = _mm256_add_ps(vacc3, vf3);
      vacc0 = _mm256_add_ps(vacc0, vf4);
      vacc1 = _mm256_add_ps(vacc1, vf5);
      vacc2 = _mm256_add_ps(vacc2, vf6);
      vacc3 = _mm256_add_ps(vacc3, vf7);
      if (--flush_countdown == 0) {
        // Every 4 iterations (8 float additions per lane) the float
        // accumulators move into the double one.
        flush_countdown = 4;
        F64AccAdd(&vsum, vacc0);
        vacc0 = _mm256_setzero_ps();
        F64AccAdd(&vsum, vacc1);
        vacc1 = _mm256_setzero_ps();
        F64AccAdd(&vsum, vacc2);
        vacc2 = _mm256_setzero_ps();
        F64AccAdd(&vsum, vacc3);
        vacc3 = _mm256_setzero_ps();
      }
    }
    vacc0 = _mm256_add_ps(vacc0, vacc1);
    vacc0 = _mm256_add_ps(vacc0, vacc2);
    vacc0 = _mm256_add_ps(vacc0, vacc3);
    for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
      const __m256 vx = _mm256_loadu_ps(input);
      input += 8;
      const __m256 vf = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx, vref), vref);
      _mm256_storeu_ps(output, vf);
      output += 8;
      vacc0 = _mm256_add_ps(vacc0, vf);
    }
    if (batch != 0) {
      // Only the first n lanes are loaded, stored and summed.
      const __m256i vmask = TailMask(batch / sizeof(float));
      const __m256 vx = _mm256_maskload_ps(input, vmask);
      const __m256 vf = ExpMinusMax<kShift>(ClampAboveMax<kClamp>(vx, vref), vref);
      _mm256_maskstore_ps(output, vmask, vf);
      vacc0 = _mm256_add_ps(vacc0, _mm256_and_ps(vf, _mm256_castsi256_ps(vmask)));
    }
    *sum = F64AccTotal(vsum, vacc0);
  };
  twopass::DispatchShiftClamp(vref.shift_needed, vref.clamp_needed, compute);
}
