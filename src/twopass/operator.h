// The operator object behind twopass_operator_t, and the run context its reshape
// resolves (internal).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "twopass.h"
#include "twopass/config.h"

namespace twopass {

// Marks a constructed operator; cleared by delete. Liveness itself is decided by the
// registry in src/operators/softmax-nc.cc (a freed operator must not be read).
constexpr uint32_t kOperatorMagic = 0x54575053u;  // "TWPS"

enum class OperatorType : uint32_t {
  kInvalid = 0,
  kSoftmaxNc = 1,
  kLogSoftmaxNc = 2,
  kLogSumExpNc = 3,  // reduction only: writes lse, no output tensor
};

// Element type of input and output. f16 (IEEE binary16) is the same operator with f32
// computation inside.
enum class ElementType : uint32_t {
  kF32 = 0,
  kF16 = 1,
};

enum class Algorithm : uint32_t {
  kTwoPass = 0,
  kThreePassReload = 1,
  kThreePassRecompute = 2,
  // Reload with the max pass replaced by a sample's maximum (src/softmax-phases.cc):
  // the automatic choice's f32 reload, and TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD.
  kSampledMaxReload = 3,
};

// create -> reshape -> setup -> run (any number of times). reshape invalidates setup.
enum class OperatorState : uint32_t {
  kCreated = 0,
  kReshaped = 1,
  kReady = 2,
};

// Result of one reduction phase over one chunk of a row. Which field a phase writes
// is part of its algorithm:
//   two-pass pass 1:  the chunk's sum of exp(x) is m * 2^e;
//   three-pass:       max of the chunk (max pass), then sum of exp(x - row max) over
//                     the chunk (sum pass; the max stays readable);
//   f32-softmaxrow:   the row's max and its 1 / sum (rows of one chunk).
struct ChunkPartial {
  union {
    float m;
    float max;
  };
  union {
    float e;
    float sum;
    float inv_sum;
  };
};

// What a row needs for its next phase, decided by merging its partials.
enum class RowKind : uint32_t {
  kNormal = 0,   // the phases go on with the fields below
  kSpecial = 1,  // NaN / inf / fully masked / huge magnitude: slow path of its own
};
struct RowPlan {
  //   two-pass:    the row's scale 1 / sum = scale_m * 2^scale_e;
  //   three-pass:  the row's maximum (and the sum pass's upper clamp of x: +inf, or
  //                the reference's upper under a sampled max), then 1 / sum of exp(x - max);
  //   log-softmax: the row's log-sum-exp as the float pair lse_hi + lse_lo.
  union {
    float scale_m;
    float max;
    float lse_hi;
  };
  union {
    float scale_e;
    float upper;
    float inv_sum;
    float lse_lo;
  };
  RowKind kind;
};

struct RunContext;

// One phase of an algorithm: a kernel call per chunk of a row, then, for reduction
// phases, a merge of the row's chunk partials (in chunk order, on one thread) into the
// row's plan. A merge may mark the row special: its remaining phases are skipped and
// the operation's special-row path writes it instead.
using ChunkFn = void (*)(const RunContext& context, size_t row, size_t chunk,
                         const RowPlan& plan, ChunkPartial* partial);
using MergeFn = void (*)(const ChunkPartial* partials, size_t count, RowPlan* plan);
// A first phase over single-chunk rows [first, first + count) in one call: its chunk
// function and its merge for every row, with the same kernels and results per row;
// plans[i] is left as the merge leaves it (special rows marked, not yet written).
// One call lets a kernel overlap several rows' serial chains and saves the runner a
// merge call per row; the runner's row tiles use it where a list gives it.
using RowsFn = void (*)(const RunContext& context, size_t first, size_t count, RowPlan* plans);
struct Phase {
  ChunkFn chunk;
  MergeFn merge;          // nullptr for the last phase (it writes the output)
  RowsFn rows = nullptr;  // optional, first phases only
};

// The row's log-sum-exp, log(sum_j exp(x_j)), from the plan its last merge left.
using PlanLseFn = double (*)(const RowPlan& plan);

// An algorithm: its phases in order. The last phase has no merge.
struct PhaseList {
  const Phase* phases;
  size_t count;
  PlanLseFn lse;  // for the optional per-row log-sum-exp output
};

// Writes a row that a merge marked special; `partials` is scratch for num_chunks
// partials. Reads the whole input row before writing (in-place safe).
using SpecialRowFn = void (*)(const RunContext& context, size_t row, ChunkPartial* partials);

// Everything a run needs, resolved once by reshape (setup fills in the tensors): the
// phase list and kernels for the element type, algorithm and store policy, and the
// sizes. Nothing on the hot path decides any of this again.
struct RunContext {
  PhaseList phases;
  // The exact three-pass form for rows whose magnitude is beyond two-pass's range, and
  // (the classic reload) for the rows sampled-max reload sends back (used by special_row);
  // its merges never mark a row with a finite maximum special.
  PhaseList recompute_phases;
  SpecialRowFn special_row;
  // Kernels: the operator's ISA, with the last pass's stores (regular or
  // non-temporal) already chosen where the family has both.
  const KernelConfig* config;
  twopass_f32_vscaleextexp_ukernel_fn vscaleextexp;
  twopass_f32_vscale_ukernel_fn vscale;
  twopass_f32_vsublse_ukernel_fn vsublse;  // log-softmax's last pass
  // The last pass streams its output (non-temporal stores, or bigger pool tasks so
  // that their closing sfence is rare): every task of the last phase ends with an sfence.
  bool stream_output;
  uint32_t flags;  // TWOPASS_FLAG_MASKED_ROW_ZERO for the special rows

  size_t element_size;  // bytes
  size_t channels;
  size_t input_stride;   // elements
  size_t output_stride;  // elements
  size_t batch_size;
  // Rows are processed in num_chunks chunks of chunk_size elements (the last may be
  // shorter); both depend on channels only, which makes results independent of the
  // thread count.
  size_t chunk_size;
  size_t num_chunks;
  // Scratch for multi-chunk rows (nullptr when num_chunks == 1):
  // partials[row * num_chunks + chunk] and row_plans[row].
  ChunkPartial* partials;
  RowPlan* row_plans;

  // Tensors (setup).
  const void* input;
  void* output;
  // Optional per-row log-sum-exp output (twopass_setup_logsumexp_output): lse[row], one
  // float per row, written once the row's last merge is done; nullptr: none.
  float* lse;
  // output == input (setup): sampled-max reload then runs the classic reload, whose
  // special rows are found before anything is written (ResolveSoftmax).
  bool in_place;

  // Scale and mask (twopass_setup_scale_mask): when `scaled`, every phase reads the
  // rows t = x * scale + mask (two roundings, f32), made chunk by chunk in a buffer,
  // instead of x; the phase lists are the scaled ones. mask: nullptr or elements of the
  // element type, row r at mask + r * mask_stride (mask_stride 0: one row for all).
  bool scaled;
  float scale;
  const void* mask;
  size_t mask_stride;

  // Sharded rows (src/operators/softmax-partial.cc): the partial writes each row's pair
  // (m, e) to partial_out[row]; finish reads the merged pair of each row from
  // merged_in[row]. nullptr for every other operation.
  twopass_softmax_partial* partial_out;
  const twopass_softmax_partial* merged_in;
};

// True when p, which the library accesses as floats (f32 tensors and masks, lse, pairs),
// is not float-aligned: the header requires it and setup checks it (a finding of the API
// fuzzer: an lse placed at an odd byte beside an f16 tensor).
inline bool MisalignedFloats(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % alignof(float) != 0;
}

}  // namespace twopass

struct twopass_operator {
  uint32_t magic;
  twopass::OperatorType type;
  twopass::ElementType element_type;
  uint32_t flags;
  twopass::OperatorState state;
  // Kernels of the ISA active at create; never changes afterwards.
  const twopass::KernelConfig* config;
  // Resolved by reshape.
  twopass::Algorithm algorithm;
  twopass::RunContext context;
  // Capacity of the scratch in context (entries); kept, not shrunk, across reshapes.
  size_t partials_capacity;
  size_t row_plans_capacity;
};
