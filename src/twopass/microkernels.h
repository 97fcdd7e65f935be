// Microkernel signatures and declarations.
//
// Every kernel family has one hand-written table, src/<family>/<family>.inc,
// listing each generated variant as
//   TWOPASS_UKERNEL(isa, symbol, element_tile)
// (the variant each ISA uses as TWOPASS_UKERNEL_DEFAULT, see ukernel-table-begin.h;
// here every row is a declaration alike). The same table drives code generation
// (tools/generate_kernels.py), the declarations below, the tests and the benchmarks.
// All kernels have C linkage.
// Sizes (`batch`) are in bytes; see each family's template for its contract.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Pass 1 of Two-Pass softmax: sum of exp(input[i]) in the extended format.
// sum[0] * 2^sum[1] = sum_i exp(input[i]).
typedef void (*twopass_f32_raddextexp_ukernel_fn)(size_t batch, const float* input,
                                                  float sum[2]);

// Pass 2 of Two-Pass softmax:
// output[i] = exp(input[i]) * scale_mantissa * 2^scale_exponent.
typedef void (*twopass_f32_vscaleextexp_ukernel_fn)(size_t batch, const float* input,
                                                    float* output, float scale_mantissa,
                                                    float scale_exponent);

// Three-Pass pass 1: *max = max_i input[i] (NaN if any input is NaN).
typedef void (*twopass_f32_rmax_ukernel_fn)(size_t batch, const float* input, float* max);

// The three exp kernels below compute exp(input[i] - max) up to one factor in about
// [2^-0.5, 2^0.5] that depends only on max (it cancels in softmax): exp(input[i] - ref)
// with the reference point ref of twopass/expminusmax-ref.h, which keeps the range
// reduction exact. Terms below about 2^-126.5 are exactly +0.
//
// Three-Pass (reload) pass 2: output[i] = exp(input[i] - ref), *sum = sum_i output[i].
// max points to two floats: the max, and an upper clamp of the inputs (+inf: none; the
// reference's upper under a sampled max: twopass/expminusmax-ref.h, "Above max").
typedef void (*twopass_f32_raddstoreexpminusmax_ukernel_fn)(size_t batch, const float* input,
                                                            const float* max, float* output,
                                                            float* sum);

// Three-Pass (reload) pass 3: output[i] = input[i] * scale.
typedef void (*twopass_f32_vscale_ukernel_fn)(size_t batch, const float* input, float* output,
                                              float scale);

// Three-Pass (recompute) pass 2: *sum = sum_i exp(input[i] - ref).
typedef void (*twopass_f32_raddexpminusmax_ukernel_fn)(size_t batch, const float* input,
                                                       float* sum, float max);

// Three-Pass (recompute) pass 3: output[i] = exp(input[i] - ref) * scale.
typedef void (*twopass_f32_vscaleexpminusmax_ukernel_fn)(size_t batch, const float* input,
                                                         float* output, float max, float scale);

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const float* input, float sum[2]);
#include "f32-raddextexp/f32-raddextexp.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile)                                    \
  void ukernel(size_t batch, const float* input, float* output, float scale_mantissa, \
               float scale_exponent);
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const float* input, float* max);
#include "f32-rmax/f32-rmax.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile)                                                \
  void ukernel(size_t batch, const float* input, const float* max, float* output, float* sum);
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const float* input, float* output, float scale);
#include "f32-vscale/f32-vscale.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const float* input, float* sum, float max);
#include "f32-raddexpminusmax/f32-raddexpminusmax.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const float* input, float* output, float max, float scale);
#include "f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc"
#undef TWOPASS_UKERNEL

// Half precision (IEEE binary16 data passed as void*, f32 arithmetic inside). batch is
// in bytes, 2 per element.

// Pass 1 of Two-Pass softmax on f16 input: sum[0] * 2^sum[1] = sum_i exp(input[i]).
typedef void (*twopass_f16_raddextexp_ukernel_fn)(size_t batch, const void* input,
                                                  float sum[2]);

// Pass 2 of Two-Pass softmax, f16 in and out:
// output[i] = half(exp(input[i]) * scale_mantissa * 2^scale_exponent), rounded to nearest
// even.
typedef void (*twopass_f16_vscaleextexp_ukernel_fn)(size_t batch, const void* input,
                                                    void* output, float scale_mantissa,
                                                    float scale_exponent);

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const void* input, float sum[2]);
#include "f16-raddextexp/f16-raddextexp.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile)                                            \
  void ukernel(size_t batch, const void* input, void* output, float scale_mantissa, \
               float scale_exponent);
#include "f16-vscaleextexp/f16-vscaleextexp.inc"
#undef TWOPASS_UKERNEL

// Pass 2 of log-softmax: output[i] = (input[i] - lse_hi) - lse_lo, lse_hi + lse_lo the
// row's log-sum-exp as an unevaluated float pair (f16: in and out as halves, f32 math).
typedef void (*twopass_f32_vsublse_ukernel_fn)(size_t batch, const float* input, float* output,
                                               float lse_hi, float lse_lo);
typedef void (*twopass_f16_vsublse_ukernel_fn)(size_t batch, const void* input, void* output,
                                               float lse_hi, float lse_lo);

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const float* input, float* output, float lse_hi, float lse_lo);
#include "f32-vsublse/f32-vsublse.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const void* input, void* output, float lse_hi, float lse_lo);
#include "f16-vsublse/f16-vsublse.inc"
#undef TWOPASS_UKERNEL

// Scale and mask (issue 13): output[i] = input[i] * scale + addend[i] in f32, two
// roundings (addend NULL: input[i] * scale); f16: halves in, f32 out.
typedef void (*twopass_f32_vscaleadd_ukernel_fn)(size_t batch, const float* input,
                                                 const float* addend, float* output, float scale);
typedef void (*twopass_f16_vscaleadd_ukernel_fn)(size_t batch, const void* input,
                                                 const void* addend, float* output, float scale);

#define TWOPASS_UKERNEL(isa, ukernel, tile)                                         \
  void ukernel(size_t batch, const float* input, const float* addend, float* output, \
               float scale);
#include "f32-vscaleadd/f32-vscaleadd.inc"
#undef TWOPASS_UKERNEL

#define TWOPASS_UKERNEL(isa, ukernel, tile)                                       \
  void ukernel(size_t batch, const void* input, const void* addend, float* output, \
               float scale);
#include "f16-vscaleadd/f16-vscaleadd.inc"
#undef TWOPASS_UKERNEL

// f32 results rounded to halves (nearest even) for the f16 operators' f32 buffers.
typedef void (*twopass_f32_f16_vcvt_ukernel_fn)(size_t batch, const float* input, void* output);

#define TWOPASS_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t batch, const float* input, void* output);
#include "f32-f16-vcvt/f32-f16-vcvt.inc"
#undef TWOPASS_UKERNEL

// Three-pass-reload softmax of rows of at most TWOPASS_SOFTMAXROW_MAX_CHANNELS floats
// (contract: src/f32-softmaxrow/f32-softmaxrow.inc): row r's max and 1 / sum at
// max_scale[2r], max_scale[2r + 1]; strides in bytes. Every row of the table takes rows this long
// (its c token).
#define TWOPASS_SOFTMAXROW_MAX_CHANNELS 512
typedef void (*twopass_f32_softmaxrow_ukernel_fn)(size_t rows, size_t batch, const float* input,
                                                  size_t input_stride, float* output,
                                                  size_t output_stride, float* max_scale);

#define TWOPASS_UKERNEL(isa, ukernel, tile)                                                       \
  void ukernel(size_t rows, size_t batch, const float* input, size_t input_stride, float* output, \
               size_t output_stride, float* max_scale);
#include "f32-softmaxrow/f32-softmaxrow.inc"
#undef TWOPASS_UKERNEL

#ifdef __cplusplus
}  // extern "C"
#endif
