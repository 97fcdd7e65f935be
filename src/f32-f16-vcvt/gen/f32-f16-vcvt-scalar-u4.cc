// Auto-generated file. Do not edit!
//   Template: src/f32-f16-vcvt/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_f16_vcvt_ukernel__scalar_u4

// f32-f16-vcvt, portable scalar: output[i] = half(input[i]), IEEE binary16 rounded to
// nearest, ties to even, with the FP16 library (twopass/half-io.h); NaN gives a NaN half.
//
// Contract (tested by test/f32-f16-vcvt.cc): batch > 0 bytes of input, a multiple of
// sizeof(float); no alignment needed (output at any byte address); output must not
// overlap input; reads and writes nothing outside the rows.
// 4 elements per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "twopass/half-io.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_f16_vcvt_ukernel__scalar_u4(size_t batch, const float* input, void* output_data) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output_data != nullptr);

  uint16_t* output = static_cast<uint16_t*>(output_data);
  size_t n = batch / sizeof(float);
  for (; n >= 4; n -= 4) {
    twopass::StoreHalf(output + 0, input[0]);
    twopass::StoreHalf(output + 1, input[1]);
    twopass::StoreHalf(output + 2, input[2]);
    twopass::StoreHalf(output + 3, input[3]);
    input += 4;
    output += 4;
  }
  for (; n != 0; n--) twopass::StoreHalf(output++, *input++);
}
