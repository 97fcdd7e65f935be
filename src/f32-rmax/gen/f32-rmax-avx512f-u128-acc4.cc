// Auto-generated file. Do not edit!
//   Template: src/f32-rmax/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_rmax_ukernel__avx512f_u128_acc4

// f32-rmax, AVX512F: *max = max_i input[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// never reads outside [input, input + batch) (the last 1-15 elements use
// a k-masked load). Special values: any NaN in the row gives a NaN result; a
// row of only -inf gives -inf. The sign of a zero maximum is unspecified.
// NaN tracking: vmaxps silently drops NaN (it returns the second operand when
// either is NaN), so each accumulator has a k-mask of lanes that saw only
// ordered values, updated with one masked compare per pair of vectors:
// kord = kord & ordered(xa, xb). Any cleared bit means a NaN was seen.
// 128 elements (8 vectors) per main-loop iteration, 4 accumulators
// (vector i goes to accumulator i mod 4).

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

extern "C" void twopass_f32_rmax_ukernel__avx512f_u128_acc4(size_t batch, const float* input, float* max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);

  __m512 vmax0 = _mm512_set1_ps(-INFINITY);
  __mmask16 vord0 = _cvtu32_mask16(0xFFFF);
  __m512 vmax1 = _mm512_set1_ps(-INFINITY);
  __mmask16 vord1 = _cvtu32_mask16(0xFFFF);
  __m512 vmax2 = _mm512_set1_ps(-INFINITY);
  __mmask16 vord2 = _cvtu32_mask16(0xFFFF);
  __m512 vmax3 = _mm512_set1_ps(-INFINITY);
  __mmask16 vord3 = _cvtu32_mask16(0xFFFF);
  for (; batch >= 128 * sizeof(float); batch -= 128 * sizeof(float)) {
    const __m512 vx0 = _mm512_loadu_ps(input + 0);
    const __m512 vx1 = _mm512_loadu_ps(input + 16);
    const __m512 vx2 = _mm512_loadu_ps(input + 32);
    const __m512 vx3 = _mm512_loadu_ps(input + 48);
    const __m512 vx4 = _mm512_loadu_ps(input + 64);
    const __m512 vx5 = _mm512_loadu_ps(input + 80);
    const __m512 vx6 = _mm512_loadu_ps(input + 96);
    const __m512 vx7 = _mm512_loadu_ps(input + 112);
    input += 128;

    vmax0 = _mm512_max_ps(vmax0, vx0);
    vmax1 = _mm512_max_ps(vmax1, vx1);
    vmax2 = _mm512_max_ps(vmax2, vx2);
    vmax3 = _mm512_max_ps(vmax3, vx3);
    vmax0 = _mm512_max_ps(vmax0, vx4);
    vmax1 = _mm512_max_ps(vmax1, vx5);
    vmax2 = _mm512_max_ps(vmax2, vx6);
    vmax3 = _mm512_max_ps(vmax3, vx7);
    vord0 =
        _mm512_mask_cmp_ps_mask(vord0, vx0, vx1, _CMP_ORD_Q);
    vord1 =
        _mm512_mask_cmp_ps_mask(vord1, vx2, vx3, _CMP_ORD_Q);
    vord2 =
        _mm512_mask_cmp_ps_mask(vord2, vx4, vx5, _CMP_ORD_Q);
    vord3 =
        _mm512_mask_cmp_ps_mask(vord3, vx6, vx7, _CMP_ORD_Q);
  }
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    const __m512 vx = _mm512_loadu_ps(input);
    input += 16;
    vmax0 = _mm512_max_ps(vmax0, vx);
    vord0 = _mm512_mask_cmp_ps_mask(vord0, vx, vx, _CMP_ORD_Q);
  }
  if (batch != 0) {
    // Inactive lanes keep their maximum; they load as +0, which is ordered.
    const __mmask16 vmask = TailMask(batch / sizeof(float));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    vmax0 = _mm512_mask_max_ps(vmax0, vmask, vmax0, vx);
    vord0 = _mm512_mask_cmp_ps_mask(vord0, vx, vx, _CMP_ORD_Q);
  }
  vmax0 = _mm512_max_ps(vmax0, vmax1);
  vord0 = _kand_mask16(vord0, vord1);
  vmax0 = _mm512_max_ps(vmax0, vmax2);
  vord0 = _kand_mask16(vord0, vord2);
  vmax0 = _mm512_max_ps(vmax0, vmax3);
  vord0 = _kand_mask16(vord0, vord3);
  *max = _cvtmask16_u32(vord0) != 0xFFFF ? NAN : _mm512_reduce_max_ps(vmax0);
}
