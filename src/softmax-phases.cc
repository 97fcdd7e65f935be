// Softmax as phase lists (twopass/softmax-phases.h): the per-chunk kernel calls of
// each algorithm and element type, the phase lists built from them, and the slow path
// of special rows.
//
// Structure of one run (the runner, src/runner.cc, executes the lists):
// - Every row is cut into chunks whose size depends on `channels` only (PlanChunks).
// - A reduction phase runs per chunk and leaves a partial: (m, e) for two-pass pass 1,
//   max then sum for three-pass. The partials of a row are merged in a fixed order, in
//   double precision (src/softmax-plan.cc), into the row's plan, or mark it special.
// - The last phase runs per chunk with the row's plan and writes the output.
// - Special rows (NaN, +inf, only -inf, or a magnitude beyond the two-pass range) take
//   a serial slow path (SoftmaxSpecialRow) that never touches the normal path.
#include "twopass/softmax-phases.h"

#include <math.h>
#include <stdint.h>

#include <algorithm>

#include <fp16.h>

#include "twopass/half-io.h"
#include "twopass/runner.h"
#include "twopass/softmax-plan.h"

namespace twopass {
namespace {

// ---------------------------------------------------------------------------------
// f32 chunks.

void ExtSumF32(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
               ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  float sum[2];
  context.config->raddextexp.fn(c.elements * sizeof(float), c.f32_input(), sum);
  partial->m = sum[0];
  partial->e = sum[1];
}

void ScaleExtExpF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                    ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.vscaleextexp(c.elements * sizeof(float), c.f32_input(), c.f32_output(), plan.scale_m,
                       plan.scale_e);
}

void MaxF32(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
            ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.config->rmax.fn(c.elements * sizeof(float), c.f32_input(), &partial->max);
}

// Reload: stores exp(x - max) in the output for the scale phase.
void SumStoreExpF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                    ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  float max = plan.max;
  context.config->raddstoreexpminusmax.fn(c.elements * sizeof(float), c.f32_input(), &max,
                                          c.f32_output(), &partial->sum);
}

// Reload: scales the stored exp(x - max) in place.
void ScaleStoredF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                    ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.vscale(c.elements * sizeof(float), c.f32_output(), c.f32_output(), plan.inv_sum);
}

void SumExpF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
               ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.config->raddexpminusmax.fn(c.elements * sizeof(float), c.f32_input(), &partial->sum,
                                     plan.max);
}

void ScaleExpF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                 ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.config->vscaleexpminusmax.fn(c.elements * sizeof(float), c.f32_input(),
                                       c.f32_output(), plan.max, plan.inv_sum);
}

// ---------------------------------------------------------------------------------
// f16 chunks. Two-pass has f16 kernels of its own. Three-pass (the algorithm flags,
// and the slow path of special or huge-magnitude rows) widens the chunk piece by piece
// into a buffer on the stack and runs the f32 kernels there; the last phase rounds the
// f32 results to halves (nearest even). Conversions use the FP16 library one element
// at a time: this path is correct but not tuned (two-pass, the automatic choice,
// converts in its kernels). Both three-pass flags run the recompute form on f16: the
// reload form would store exp(x - max) in the half-precision output and round it twice.

void ExtSumF16(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
               ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  float sum[2];
  context.config->f16_raddextexp.fn(c.elements * sizeof(uint16_t), c.input, sum);
  partial->m = sum[0];
  partial->e = sum[1];
}

void ScaleExtExpF16(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                    ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.config->f16_vscaleextexp.fn(c.elements * sizeof(uint16_t), c.input, c.output,
                                      plan.scale_m, plan.scale_e);
}

constexpr size_t kF16Piece = 512;  // 2 KiB of stack

inline void WidenHalves(const uint16_t* h, size_t n, float* f) {
  for (size_t i = 0; i < n; i++) f[i] = LoadHalf(h + i);
}

// max of the chunk (NaN if any element is NaN).
void MaxF16(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
            ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  const uint16_t* x = static_cast<const uint16_t*>(c.input);
  float buffer[kF16Piece];
  float max = -INFINITY;
  for (size_t start = 0; start < c.elements; start += kF16Piece) {
    const size_t n = std::min(kF16Piece, c.elements - start);
    WidenHalves(x + start, n, buffer);
    float piece_max;
    context.config->rmax.fn(n * sizeof(float), buffer, &piece_max);
    if (isnan(piece_max) || piece_max > max) max = piece_max;  // NaN sticks
  }
  partial->max = max;
}

// sum of exp(x - ref) over the chunk (ref: twopass/expminusmax-ref.h, from max); pieces
// summed in double.
void SumExpF16(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
               ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  const uint16_t* x = static_cast<const uint16_t*>(c.input);
  float buffer[kF16Piece];
  double sum = 0.0;
  for (size_t start = 0; start < c.elements; start += kF16Piece) {
    const size_t n = std::min(kF16Piece, c.elements - start);
    WidenHalves(x + start, n, buffer);
    float piece_sum;
    context.config->raddexpminusmax.fn(n * sizeof(float), buffer, &piece_sum, plan.max);
    sum += piece_sum;
  }
  partial->sum = static_cast<float>(sum);
}

// output = half(exp(x - ref) * scale). Each piece is read completely before it is
// written, so in-place rows work.
void ScaleExpF16(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                 ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  const uint16_t* x = static_cast<const uint16_t*>(c.input);
  uint16_t* y = static_cast<uint16_t*>(c.output);
  float buffer[kF16Piece];
  for (size_t start = 0; start < c.elements; start += kF16Piece) {
    const size_t n = std::min(kF16Piece, c.elements - start);
    WidenHalves(x + start, n, buffer);
    context.config->vscaleexpminusmax.fn(n * sizeof(float), buffer, buffer, plan.max,
                                         plan.inv_sum);
    for (size_t i = 0; i < n; i++) StoreHalf(y + start + i, buffer[i]);
  }
}

// ---------------------------------------------------------------------------------
// Phase lists.

constexpr Phase kTwoPassF32[] = {{ExtSumF32, MergeExtSums}, {ScaleExtExpF32, nullptr}};
constexpr Phase kTwoPassF16[] = {{ExtSumF16, MergeExtSums}, {ScaleExtExpF16, nullptr}};
constexpr Phase kReloadF32[] = {
    {MaxF32, MergeMaxima}, {SumStoreExpF32, MergeSums}, {ScaleStoredF32, nullptr}};
constexpr Phase kRecomputeF32[] = {
    {MaxF32, MergeMaxima}, {SumExpF32, MergeSums}, {ScaleExpF32, nullptr}};
constexpr Phase kRecomputeF16[] = {
    {MaxF16, MergeMaxima}, {SumExpF16, MergeSums}, {ScaleExpF16, nullptr}};

template <size_t N>
constexpr PhaseList List(const Phase (&phases)[N]) {
  return PhaseList{phases, N};
}

// ---------------------------------------------------------------------------------
// Special rows.

// Element i of a row of the context's element type, as a float (exact for f16).
inline float LoadElement(const RunContext& context, const void* row, size_t i) {
  return context.element_size == sizeof(uint16_t)
             ? LoadHalf(static_cast<const uint16_t*>(row) + i)
             : static_cast<const float*>(row)[i];
}

// Writes value (rounded to nearest even for f16) to element i of a row.
inline void StoreElement(const RunContext& context, void* row, size_t i, float value) {
  if (context.element_size == sizeof(uint16_t)) {
    StoreHalf(static_cast<uint16_t*>(row) + i, value);
  } else {
    static_cast<float*>(row)[i] = value;
  }
}

// Rows with NaN, +inf, only -inf, or a magnitude beyond the two-pass range.
void SoftmaxSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  const void* x = static_cast<const char*>(context.input) +
                  row * context.input_stride * context.element_size;
  void* y = static_cast<char*>(context.output) + row * context.output_stride * context.element_size;
  const size_t n = context.channels;
  bool nan = false;
  size_t positive_infinities = 0;
  size_t negative_infinities = 0;
  for (size_t i = 0; i < n; i++) {
    const float v = LoadElement(context, x, i);
    nan |= isnan(v);
    positive_infinities += v == INFINITY;
    negative_infinities += v == -INFINITY;
  }
  if (nan) {
    for (size_t i = 0; i < n; i++) StoreElement(context, y, i, NAN);
  } else if (positive_infinities != 0) {
    // The limit of softmax as the +inf entries grow together: 1/k each.
    const float share = static_cast<float>(1.0 / static_cast<double>(positive_infinities));
    // Reads element i before writing it: in place is fine.
    for (size_t i = 0; i < n; i++) {
      StoreElement(context, y, i, LoadElement(context, x, i) == INFINITY ? share : 0.0f);
    }
  } else if (negative_infinities == n) {
    const float fill = (context.flags & TWOPASS_FLAG_MASKED_ROW_ZERO) ? 0.0f : NAN;
    for (size_t i = 0; i < n; i++) StoreElement(context, y, i, fill);
  } else {
    // Finite values present, maximum finite: three-pass recompute (exact reduction);
    // its max merge cannot mark this row special.
    RunRowPhases(context, context.recompute_phases, row, partials);
  }
}

}  // namespace

void ResolveSoftmax(ElementType element_type, Algorithm algorithm, RunContext* context) {
  const KernelConfig& config = *context->config;
  const bool f16 = element_type == ElementType::kF16;
  // Non-temporal stores for the last pass of f32 two-pass and three-pass-reload when
  // the run writes more than NtThresholdBytes() of output (rows x channels x 4 bytes;
  // the gaps of strided rows are not written): such an output would be evicted before
  // it is read again anyway, and streaming it skips the read-for-ownership of each
  // line. In cache, streaming is much slower (it evicts the output): see config.cc for
  // the threshold's measurements. The nt kernels give bitwise the same results. Each
  // chunk handles its own unaligned head and tail, so chunk boundaries need no
  // alignment. f16 keeps regular stores: it has no nt kernels.
  context->stream_output =
      !f16 && context->batch_size * context->channels * sizeof(float) > NtThresholdBytes();
  context->vscaleextexp =
      context->stream_output ? config.vscaleextexp_nt.fn : config.vscaleextexp.fn;
  context->vscale = context->stream_output ? config.vscale_nt.fn : config.vscale.fn;
  context->special_row = SoftmaxSpecialRow;
  context->recompute_phases = f16 ? List(kRecomputeF16) : List(kRecomputeF32);
  switch (algorithm) {
    case Algorithm::kTwoPass:
      context->phases = f16 ? List(kTwoPassF16) : List(kTwoPassF32);
      break;
    case Algorithm::kThreePassReload:
      context->phases = f16 ? List(kRecomputeF16) : List(kReloadF32);
      break;
    case Algorithm::kThreePassRecompute:
      context->phases = context->recompute_phases;
      break;
  }
}

}  // namespace twopass
