// Auto-generated file. Do not edit!
//   Template: src/f16-vsublse/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vsublse_ukernel__scalar_u4

// f16-vsublse, portable scalar: pass 2 of log-softmax on half-precision data,
// output[i] = half((float(input[i]) - lse_hi) - lse_lo), rounded to nearest even.
//
// The row's log-sum-exp comes as an unevaluated float pair lse_hi + lse_lo (lse_hi
// the rounded double, lse_lo the rest): x - lse_hi is exact when x is within a factor
// of 2 of lse_hi (Sterbenz), which is where the result is small and cancellation
// would otherwise cost digits; then lse_lo is subtracted with one more rounding.
// Contract (tested by test/f16-vsublse.cc): batch > 0 bytes, a multiple of
// sizeof(uint16_t); no alignment needed; output may equal input (in place), other
// overlaps are not allowed; reads and writes nothing outside the two rows. Every
// output is the two IEEE subtractions above (NaN and inf as IEEE says: -inf input
// gives -inf for finite lse).
// 4 elements per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "twopass/half-io.h"

#include "twopass/microkernels.h"

extern "C" void twopass_f16_vsublse_ukernel__scalar_u4(
    size_t batch, const void* input_data, void* output_data, float lse_hi, float lse_lo) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  for (; batch >= 4 * sizeof(uint16_t); batch -= 4 * sizeof(uint16_t)) {
    // All loads before the stores, so that in-place operation is safe.
    const float vx0 = twopass::LoadHalf(input + 0);
    const float vx1 = twopass::LoadHalf(input + 1);
    const float vx2 = twopass::LoadHalf(input + 2);
    const float vx3 = twopass::LoadHalf(input + 3);
    input += 4;

    twopass::StoreHalf(output + 0, (vx0 - lse_hi) - lse_lo);
    twopass::StoreHalf(output + 1, (vx1 - lse_hi) - lse_lo);
    twopass::StoreHalf(output + 2, (vx2 - lse_hi) - lse_lo);
    twopass::StoreHalf(output + 3, (vx3 - lse_hi) - lse_lo);
    output += 4;
  }
  for (; batch != 0; batch -= sizeof(uint16_t)) {
    twopass::StoreHalf(output++, (twopass::LoadHalf(input++) - lse_hi) - lse_lo);
  }
}
