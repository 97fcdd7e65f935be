// Auto-generated file. Do not edit!
//   Template: src/f32-vscale/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscale_ukernel__avx2_u32_nt

// f32-vscale, AVX2: output[i] = input[i] * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place), other overlaps are not allowed; never
// touches memory outside the two rows (the last 1-7 elements use
// maskload/maskstore). Every output is the IEEE product.
//
// Non-temporal variant (token nt): the same results bit for bit; only the stores
// differ. Whole vectors go to memory with vmovntps (_mm256_stream_ps), which
// bypasses the caches: out of cache this saves the read-for-ownership of every
// output line, in cache it evicts the output. softmax-nc does not use it for the
// in-place last pass of three-pass-reload, where each line was just loaded (no read
// for ownership to save; measured slower, see src/config.cc).
// Only whole 64-byte cache lines are streamed (vmovntps needs 32-byte alignment), so
// no line is flushed half-written from the write-combining buffers: the elements
// before the output's first 64-byte boundary and after its last one (0-15 each) get
// regular stores.
// An output that is not even float-aligned never reaches a boundary and is stored
// regularly throughout.
// No fence: streaming stores are weakly ordered, so before another thread reads the
// output the caller must order them with _mm_sfence() (softmax-nc fences once per
// pool task; a fence in every call cost 11% on rows of 1000 floats, 4 KB per call).
// 32 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/microkernels.h"

namespace {

// maskload/maskstore mask with the first n lanes active (0 < n < 8): the
// eight entries of {-1 x 7, 0 x 7} starting at 7 - n.
alignas(32) const int32_t kTailMask[14] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0};

inline __m256i tail_mask(size_t elements) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&kTailMask[7 - elements]));
}

}  // namespace

extern "C" void twopass_f32_vscale_ukernel__avx2_u32_nt(size_t batch, const float* input, float* output, float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  const __m256 vscale = _mm256_set1_ps(scale);
  // Head: regular stores up to the output's first 64-byte boundary.
  size_t head = batch;
  if (reinterpret_cast<uintptr_t>(output) % sizeof(float) == 0) {
    const size_t to_boundary = static_cast<size_t>(-reinterpret_cast<uintptr_t>(output) % 64);
    head = to_boundary < batch ? to_boundary : batch;
  }
  batch -= head;
  size_t tail = batch % 64;  // after the last whole line: regular stores, below
  batch -= tail;
  for (; head >= 8 * sizeof(float); head -= 8 * sizeof(float)) {
    _mm256_storeu_ps(output, _mm256_mul_ps(_mm256_loadu_ps(input), vscale));
    input += 8;
    output += 8;
  }
  if (head != 0) {
    const __m256i vmask = tail_mask(head / sizeof(float));
    const __m256 vx = _mm256_maskload_ps(input, vmask);
    _mm256_maskstore_ps(output, vmask, _mm256_mul_ps(vx, vscale));
    input += head / sizeof(float);
    output += head / sizeof(float);
  }
  for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m256 vx0 = _mm256_loadu_ps(input + 0);
    const __m256 vx1 = _mm256_loadu_ps(input + 8);
    const __m256 vx2 = _mm256_loadu_ps(input + 16);
    const __m256 vx3 = _mm256_loadu_ps(input + 24);
    input += 32;

    _mm256_stream_ps(output + 0, _mm256_mul_ps(vx0, vscale));
    _mm256_stream_ps(output + 8, _mm256_mul_ps(vx1, vscale));
    _mm256_stream_ps(output + 16, _mm256_mul_ps(vx2, vscale));
    _mm256_stream_ps(output + 24, _mm256_mul_ps(vx3, vscale));
    output += 32;
  }
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    _mm256_stream_ps(output, _mm256_mul_ps(_mm256_loadu_ps(input), vscale));
    input += 8;
    output += 8;
  }
  if (batch != 0) {
    const __m256i vmask = tail_mask(batch / sizeof(float));
    const __m256 vx = _mm256_maskload_ps(input, vmask);
    _mm256_maskstore_ps(output, vmask, _mm256_mul_ps(vx, vscale));
  }
  if (tail >= 8 * sizeof(float)) {
    _mm256_storeu_ps(output, _mm256_mul_ps(_mm256_loadu_ps(input), vscale));
    input += 8;
    output += 8;
    tail -= 8 * sizeof(float);
  }
  if (tail != 0) {
    const __m256i vmask = tail_mask(tail / sizeof(float));
    const __m256 vx = _mm256_maskload_ps(input, vmask);
    _mm256_maskstore_ps(output, vmask, _mm256_mul_ps(vx, vscale));
  }
}
