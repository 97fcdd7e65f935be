// Auto-generated file. Do not edit!
//   Template: src/f32-vscale/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscale_ukernel__avx512f_u64_nt

// f32-vscale, AVX512F: output[i] = input[i] * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place), other overlaps are not allowed; never
// touches memory outside the two rows (the last 1-15 elements use
// AVX512 k-masks). Every output is the IEEE product.
//
// Non-temporal variant (token nt): the same results bit for bit; only the stores
// differ. Whole vectors go to memory with vmovntps (_mm512_stream_ps), which
// bypasses the caches: out of cache this saves the read-for-ownership of every
// output line, in cache it evicts the output. softmax-nc does not use it for the
// in-place last pass of three-pass-reload, where each line was just loaded (no read
// for ownership to save; measured slower, see src/config.cc).
// vmovntps needs 64-byte aligned addresses: the elements before the output's first
// 64-byte boundary (0-15) get masked regular stores, then whole vectors (each one
// whole cache line) stream, and the last 1-15 elements get a masked regular store.
// An output that is not even float-aligned never reaches a boundary and is stored
// regularly throughout.
// No fence: streaming stores are weakly ordered, so before another thread reads the
// output the caller must order them with _mm_sfence() (softmax-nc fences once per
// pool task; a fence in every call cost 11% on rows of 1000 floats, 4 KB per call).
// 64 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

extern "C" void twopass_f32_vscale_ukernel__avx512f_u64_nt(size_t batch, const float* input, float* output, float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  const __m512 vscale = _mm512_set1_ps(scale);
  // Head: regular stores up to the output's first 64-byte boundary.
  size_t head = batch;
  if (reinterpret_cast<uintptr_t>(output) % sizeof(float) == 0) {
    const size_t to_boundary = static_cast<size_t>(-reinterpret_cast<uintptr_t>(output) % 64);
    head = to_boundary < batch ? to_boundary : batch;
  }
  batch -= head;
  for (; head >= 16 * sizeof(float); head -= 16 * sizeof(float)) {
    _mm512_storeu_ps(output, _mm512_mul_ps(_mm512_loadu_ps(input), vscale));
    input += 16;
    output += 16;
  }
  if (head != 0) {
    const __mmask16 vmask = TailMask(head / sizeof(float));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    _mm512_mask_storeu_ps(output, vmask, _mm512_mul_ps(vx, vscale));
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

    _mm512_stream_ps(output + 0, _mm512_mul_ps(vx0, vscale));
    _mm512_stream_ps(output + 16, _mm512_mul_ps(vx1, vscale));
    _mm512_stream_ps(output + 32, _mm512_mul_ps(vx2, vscale));
    _mm512_stream_ps(output + 48, _mm512_mul_ps(vx3, vscale));
    output += 64;
  }
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    _mm512_stream_ps(output, _mm512_mul_ps(_mm512_loadu_ps(input), vscale));
    input += 16;
    output += 16;
  }
  if (batch != 0) {
    const __mmask16 vmask = TailMask(batch / sizeof(float));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    _mm512_mask_storeu_ps(output, vmask, _mm512_mul_ps(vx, vscale));
  }
}
