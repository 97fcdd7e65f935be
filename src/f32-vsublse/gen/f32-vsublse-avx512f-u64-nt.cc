// Auto-generated file. Do not edit!
//   Template: src/f32-vsublse/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vsublse_ukernel__avx512f_u64_nt

// f32-vsublse, AVX512F: pass 2 of log-softmax, output[i] = (input[i] - lse_hi) - lse_lo;
// the last 1-15 elements use k-masked loads and stores.
//
// lse_hi + lse_lo is the row's log-sum-exp as an unevaluated float pair: x - lse_hi
// is exact where the result is small (Sterbenz), then lse_lo is subtracted.
// Contract (tested by test/f32-vsublse.cc): batch > 0 bytes, a multiple of
// sizeof(float); no alignment needed; output may equal input (in place), other
// overlaps are not allowed; reads and writes nothing outside the two rows. Every output
// is the two IEEE subtractions.
//
// Non-temporal variant (token nt), as f32-vscale's: bitwise the same results; whole
// 64-byte output lines are streamed (vmovntps), the elements before the first line
// boundary and after the last get k-masked regular stores; an output that is not
// float-aligned is stored regularly throughout. No fence: the caller orders the
// streamed stores.
// 64 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

namespace {


inline __m512 SubLse(__m512 vx, __m512 vhi, __m512 vlo) {
  return _mm512_sub_ps(_mm512_sub_ps(vx, vhi), vlo);
}

// 1-15 elements with k-masked loads and stores.
inline void PartialVector(size_t bytes, const float* input, float* output, __m512 vhi,
                          __m512 vlo) {
  const __mmask16 vmask = TailMask(bytes / sizeof(float));
  const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
  _mm512_mask_storeu_ps(output, vmask, SubLse(vx, vhi, vlo));
}

}  // namespace

extern "C" void twopass_f32_vsublse_ukernel__avx512f_u64_nt(
    size_t batch, const float* input, float* output, float lse_hi, float lse_lo) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m512 vhi = _mm512_set1_ps(lse_hi);
  const __m512 vlo = _mm512_set1_ps(lse_lo);
  // Head: regular stores up to the output's first 64-byte boundary (0-15 elements).
  size_t head = batch;
  if (reinterpret_cast<uintptr_t>(output) % sizeof(float) == 0) {
    const size_t to_boundary = static_cast<size_t>(-reinterpret_cast<uintptr_t>(output) % 64);
    head = to_boundary < batch ? to_boundary : batch;
  }
  batch -= head;
  size_t tail = batch % 64;  // after the last whole line: a regular store, below
  batch -= tail;
  for (; head >= 16 * sizeof(float); head -= 16 * sizeof(float)) {
    _mm512_storeu_ps(output, SubLse(_mm512_loadu_ps(input), vhi, vlo));
    input += 16;
    output += 16;
  }
  if (head != 0) {
    PartialVector(head, input, output, vhi, vlo);
    input += head / sizeof(float);
    output += head / sizeof(float);
  }
  for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m512 vx0 = _mm512_loadu_ps(input + 0);
    const __m512 vx1 = _mm512_loadu_ps(input + 16);
    const __m512 vx2 = _mm512_loadu_ps(input + 32);
    const __m512 vx3 = _mm512_loadu_ps(input + 48);
    input += 64;

    _mm512_stream_ps(output + 0, SubLse(vx0, vhi, vlo));
    _mm512_stream_ps(output + 16, SubLse(vx1, vhi, vlo));
    _mm512_stream_ps(output + 32, SubLse(vx2, vhi, vlo));
    _mm512_stream_ps(output + 48, SubLse(vx3, vhi, vlo));
    output += 64;
  }
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    const __m512 vx = _mm512_loadu_ps(input);
    input += 16;
    _mm512_stream_ps(output, SubLse(vx, vhi, vlo));
    output += 16;
  }
  if (batch != 0) {
    PartialVector(batch, input, output, vhi, vlo);
  }
  if (tail != 0) PartialVector(tail, input, output, vhi, vlo);
}
