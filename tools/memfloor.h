// Memory-traffic floor of a softmax: kernels that move exactly the bytes a
// softmax pass moves and do (almost) no arithmetic, so their time is what the
// memory system alone costs. twopass-bench runs them next to the operator.
//
// Each ISA lives in its own file compiled with that ISA's flags only
// (tools/BUILD.bazel); FloorKernelsFor() picks one at run time.
#pragma once

#include <stddef.h>

#include "twopass/isa.h"

namespace twopass_bench {

struct FloorKernels {
  enum twopass_isa isa;
  // Reads x[0..n) and returns their maximum (so the loads cannot be elided).
  float (*read)(size_t n, const float* x);
  // y[i] = x[i] * scale: one read stream and one write stream. A multiply
  // rather than a bare copy so the compiler cannot turn the loop into a
  // memcpy call with a different store strategy. x == y is allowed.
  void (*scale)(size_t n, const float* x, float* y, float scale);
  // Same as scale, with non-temporal (streaming) stores for the aligned body.
  void (*scale_nt)(size_t n, const float* x, float* y, float scale);
};

// Kernels of one ISA (defined in memfloor-<isa>.cc). Only call a set whose
// ISA twopass_isa_supported() accepts.
extern const FloorKernels kFloorKernelsAvx512f;
extern const FloorKernels kFloorKernelsAvx2;
extern const FloorKernels kFloorKernelsSse2;

// The best set this CPU can run, never above `max_isa` (AVX512F, AVX2, else
// SSE2, which is baseline x86-64 and also serves the scalar level).
const FloorKernels& FloorKernelsFor(enum twopass_isa max_isa);

}  // namespace twopass_bench
