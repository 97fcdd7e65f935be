// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleadd/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleadd_ukernel__scalar_u4

// f32-vscaleadd, portable scalar: output[i] = input[i] * scale + addend[i].
//
// The scaled and masked input of softmax(scale * x + mask), a chunk at a time.
// Contract (tested by test/f32-vscaleadd.cc): batch > 0 bytes of input, a multiple of
// sizeof(float); no alignment needed; addend may be NULL (output[i] = input[i] * scale);
// output must not overlap input or addend; reads and writes nothing outside the rows.
// Every output is the IEEE product rounded to float, then the IEEE sum rounded to
// float: never one fused rounding, so that every ISA gives the same bits.
// 4 elements per main-loop iteration.

#include <assert.h>
#include <stddef.h>

#include "twopass/microkernels.h"

namespace {

// The product as a rounded float: the empty asm hides it from the compiler, which
// could otherwise contract the multiply and the add into one fused multiply-add where
// the target has one. No instruction is emitted.
inline float Rounded(float v) {
  __asm__("" : "+x"(v));
  return v;
}

}  // namespace

extern "C" void twopass_f32_vscaleadd_ukernel__scalar_u4(
    size_t batch, const float* input, const float* addend, float* output, float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  size_t n = batch / sizeof(float);
  if (addend == nullptr) {
    for (; n >= 4; n -= 4) {
      output[0] = input[0] * scale;
      output[1] = input[1] * scale;
      output[2] = input[2] * scale;
      output[3] = input[3] * scale;
      input += 4;
      output += 4;
    }
    for (; n != 0; n--) {
      *output++ = input[0] * scale;
      input++;
    }
    return;
  }
  for (; n >= 4; n -= 4) {
    const float vp0 = Rounded(input[0] * scale);
    const float vp1 = Rounded(input[1] * scale);
    const float vp2 = Rounded(input[2] * scale);
    const float vp3 = Rounded(input[3] * scale);
    output[0] = vp0 + addend[0];
    output[1] = vp1 + addend[1];
    output[2] = vp2 + addend[2];
    output[3] = vp3 + addend[3];
    input += 4;
    addend += 4;
    output += 4;
  }
  for (; n != 0; n--) {
    const float vp = Rounded(input[0] * scale);
    *output++ = vp + addend[0];
    input++;
    addend++;
  }
}
