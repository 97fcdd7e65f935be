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
//
// Sampled-max reload (Algorithm::kSampledMaxReload, the automatic choice's reload for f32):
// reload with its max pass replaced by the maximum of a sample of each chunk (about 64
// elements, one per cache line, plus the last), which costs ~0.01 of the max pass's
// 0.09 cycles per element in cache and drops one of reload's five memory streams out of
// cache. The sum pass then runs f32-raddstoreexpminusmax under this estimate: inputs above
// it get their exact terms up to ~43 above (2^62), larger ones are clamped to a term of
// ~2^62 (twopass/expminusmax-ref.h, "Above max"), so MergeSampledSums sees a sum at or above
// 2^61 whenever the estimate was too low (and NaN for a NaN the sample missed) and sends
// the row back (SampledReloadSpecialRow): the classic reload recomputes it with the exact
// max, and the special-value path takes it where that max is NaN or infinite. A row passes when
// every input is below the estimate's reference + ~43: its terms exp(x - ref) are those of reload
// with ref nearer the row's low end (tiny terms flush later, never earlier), scaled by 1 / sum as
// there. A chunk whose sample is -inf (mostly masked), NaN or 2^14 or more in magnitude takes its
// exact max instead (sparse finite inputs are found; -FLT_MAX masks cost no special path), and
// MergeSampledMaxima sends rows whose estimate is 2^24 or more to the special path (the clamp's
// float arithmetic needs an ulp of the estimate below 1).
#include "twopass/softmax-phases.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>

#include <algorithm>

#include <fp16.h>

#include "twopass/expminusmax-ref.h"
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

// The largest of about kSampleCount elements of a chunk spread one per stride (from the
// first, every stride-th), and the last; element(i) reads the chunk's element i. NaNs are
// passed over (a select, no branch: branches on random data cost 10% at 32000 floats):
// the sum pass finds them. NaN for chunks under kSampleMinElements, which take their exact
// max (NeedsExactMax): rmax's ~0.09 cycles per element cost less there than 64 scalar
// loads and maxes (sampled-max reload at 1000 x 128 ran 2x slower than reload with them).
constexpr size_t kSampleCount = 64;
constexpr size_t kSampleMinElements = 1024;

template <typename Element>
inline float SampleMax(size_t elements, Element element) {
  if (elements < kSampleMinElements) return NAN;
  const size_t stride = elements > kSampleCount ? elements / kSampleCount : 1;
  // Four chains: one max chain of 64 dependent maxss cost half the max pass it replaces.
  float max0 = element(elements - 1), max1 = max0, max2 = max0, max3 = max0;
  size_t i = 0;
  for (; i + 3 * stride < elements; i += 4 * stride) {
    const float v0 = element(i), v1 = element(i + stride);
    const float v2 = element(i + 2 * stride), v3 = element(i + 3 * stride);
    max0 = v0 > max0 ? v0 : max0;
    max1 = v1 > max1 ? v1 : max1;
    max2 = v2 > max2 ? v2 : max2;
    max3 = v3 > max3 ? v3 : max3;
  }
  for (; i < elements; i += stride) max0 = element(i) > max0 ? element(i) : max0;
  max0 = max1 > max0 ? max1 : max0;
  max2 = max3 > max2 ? max3 : max2;
  return max2 > max0 ? max2 : max0;
}

// Whether a chunk whose sample max is `max` takes its exact max instead: -inf (a mostly
// masked chunk, whose few finite inputs the sample may miss), NaN (a short chunk, or a NaN
// in the last element), and magnitudes of 2^14 and more (masks of -FLT_MAX; and
// MergeSampledMaxima's bound needs them).
inline bool NeedsExactMax(float max) { return !(fabsf(max) < kExpMinusMaxDirectBound); }

// Sampled-max reload's first phase (top of the file): the chunk's sample max, or its exact
// max (NeedsExactMax).
void SampleMaxF32(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
                  ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  const float* x = c.f32_input();
  partial->max = SampleMax(c.elements, [x](size_t i) { return x[i]; });
  if (NeedsExactMax(partial->max)) {
    context.config->rmax.fn(c.elements * sizeof(float), x, &partial->max);
  }
}

// Reload: stores exp(x - max) in the output for the scale phase.
void SumStoreExpF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                    ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  const float max[2] = {plan.max, plan.upper};
  context.config->raddstoreexpminusmax.fn(c.elements * sizeof(float), c.f32_input(), max,
                                          c.f32_output(), &partial->sum);
}

// Reload: scales the stored exp(x - max) in place.
void ScaleStoredF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                    ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.vscale(c.elements * sizeof(float), c.f32_output(), c.f32_output(), plan.inv_sum);
}

// Reload of a short row in one kernel call (the row is its only chunk): the max and
// 1 / sum for MergeMaxScale; nothing written when the max is not finite.
void SoftmaxRowF32(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
                   ChunkPartial* partial) {
  const RowChunk c = GetChunk(context, row, chunk);
  float max_scale[2] = {0.0f, 0.0f};
  context.config->softmaxrow.fn(1, c.elements * sizeof(float), c.f32_input(), 0, c.f32_output(), 0,
                                max_scale);
  partial->max = max_scale[0];
  partial->inv_sum = max_scale[1];
}

// The plan of reload's two merges (MergeMaxima, MergeSums) from what f32-softmaxrow
// returns for a row, scale included (for the lse output, and to send a row with a
// non-finite max to the special path): MergeMaxima's rule for one partial, inline (a
// call to it per row cost 10-18% at 1000 x 32, 2026-12-06, Zen 5 VM).
inline void PlanFromMaxScale(float max, float inv_sum, RowPlan* plan) {
  if (!(max - max == 0.0f)) {  // NaN or infinite
    plan->kind = RowKind::kSpecial;
    return;
  }
  plan->max = max;
  plan->inv_sum = inv_sum;
}

void MergeMaxScale(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  assert(count == 1);
  (void)count;
  PlanFromMaxScale(partials[0].max, partials[0].inv_sum, plan);
}

// SoftmaxRowF32 and MergeMaxScale for a tile of rows in one kernel call (the kernel
// overlaps rows); plans straight from the kernel's output.
void SoftmaxRowsF32(const RunContext& context, size_t first, size_t count, RowPlan* plans) {
  constexpr size_t kMaxRows = 16;  // the runner's tiles are at most this many rows
  const RowChunk c = GetChunk(context, first, 0);
  for (size_t done = 0; done < count; done += kMaxRows) {
    const size_t rows = std::min(kMaxRows, count - done);
    float max_scale[2 * kMaxRows];
    context.config->softmaxrow.fn(
        rows, c.elements * sizeof(float), c.f32_input() + done * context.input_stride,
        context.input_stride * sizeof(float), c.f32_output() + done * context.output_stride,
        context.output_stride * sizeof(float), max_scale);
    for (size_t i = 0; i < rows; i++) {
      PlanFromMaxScale(max_scale[2 * i], max_scale[2 * i + 1], &plans[done + i]);
    }
  }
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

// Halves widened exactly: x * 1 is x (f16-vscaleadd without an addend).
inline void WidenHalves(const RunContext& context, const uint16_t* h, size_t n, float* f) {
  context.config->f16_vscaleadd.fn(n * sizeof(uint16_t), h, nullptr, f, 1.0f);
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
    WidenHalves(context, x + start, n, buffer);
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
    WidenHalves(context, x + start, n, buffer);
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
    WidenHalves(context, x + start, n, buffer);
    context.config->vscaleexpminusmax.fn(n * sizeof(float), buffer, buffer, plan.max,
                                         plan.inv_sum);
    context.config->f32_f16_vcvt.fn(n * sizeof(float), buffer, y + start);
  }
}

// ---------------------------------------------------------------------------------
// Log-softmax: pass 1 is two-pass's (ExtSum), the plan holds lse = log(sum) as a float
// pair, and the last pass subtracts it (no exp at all). Rows beyond the two-pass range
// take the three-pass form (max, sum of exp(x - max), lse = max + log(sum)).

void SubLseF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
               ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.vsublse(c.elements * sizeof(float), c.f32_input(), c.f32_output(), plan.lse_hi,
                  plan.lse_lo);
}

void SubLseF16(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
               ChunkPartial*) {
  const RowChunk c = GetChunk(context, row, chunk);
  context.config->f16_vsublse.fn(c.elements * sizeof(uint16_t), c.input, c.output, plan.lse_hi,
                                 plan.lse_lo);
}

// ---------------------------------------------------------------------------------
// Scale and mask: every phase reads t = x * scale + mask, which the vscaleadd kernels
// make in a small buffer on the stack (L1), kScaledBlockElements (twopass/softmax-plan.h)
// at a time; then the f32 kernels run on the buffer. x and the mask are each read once
// per pass, as x alone is without them. f16 rows widen into the buffer; their last pass
// rounds the f32 results to halves (f32-f16-vcvt). Reductions merge their blocks'
// results into the chunk's partial (in double), so chunks and their merges stay as
// without scale and mask.

// Calls body(t, n, output) for each block of the chunk, t = x * scale + mask of the
// block's n elements and output the block's first output element (null when the
// operation has none).
template <ElementType kType, typename Body>
void ForEachScaledBlock(const RunContext& context, size_t row, size_t chunk, Body body) {
  const RowChunk c = GetChunk(context, row, chunk);
  const size_t size = context.element_size;
  const char* input = static_cast<const char*>(c.input);
  const char* mask = nullptr;
  if (context.mask != nullptr) {
    mask = static_cast<const char*>(context.mask) +
           (row * context.mask_stride + chunk * context.chunk_size) * size;
  }
  char* output = static_cast<char*>(c.output);
  float t[kScaledBlockElements];
  for (size_t start = 0; start < c.elements; start += kScaledBlockElements) {
    const size_t n = std::min(kScaledBlockElements, c.elements - start);
    const char* block_mask = mask != nullptr ? mask + start * size : nullptr;
    if (kType == ElementType::kF16) {
      context.config->f16_vscaleadd.fn(n * sizeof(uint16_t), input + start * size, block_mask, t,
                                       context.scale);
    } else {
      context.config->vscaleadd.fn(n * sizeof(float),
                                   reinterpret_cast<const float*>(input + start * size),
                                   reinterpret_cast<const float*>(block_mask), t, context.scale);
    }
    body(t, n, output != nullptr ? output + start * size : nullptr);
  }
}

// The last pass over t: f32 results straight to the output; f16 results in place in
// the buffer, then rounded to halves.
template <ElementType kType, typename Kernel>
void ScaledLastPass(const RunContext& context, size_t row, size_t chunk, Kernel kernel) {
  ForEachScaledBlock<kType>(context, row, chunk, [&](float* t, size_t n, void* output) {
    if (kType == ElementType::kF16) {
      kernel(n * sizeof(float), t, t);
      context.config->f32_f16_vcvt.fn(n * sizeof(float), t, output);
    } else {
      kernel(n * sizeof(float), t, static_cast<float*>(output));
    }
  });
}

// (m, e) pairs of a chunk's blocks summed as SumExtPartials sums chunks: a pair that is
// not a finite sum (NaN, +inf) leaves a NaN m, which marks the row special there.
class ExtSumOfBlocks {
 public:
  void Add(float m, float e) {
    if (!(m >= 0.0f && m < INFINITY) || isnan(e) || e == INFINITY) {
      invalid_ = true;
    } else if (m > 0.0f) {
      if (e > e_) {
        if (sum_ != 0.0) sum_ = ldexp(sum_, ShiftOf(e_ - e));
        e_ = e;
      }
      // (the same exponent, common, needs no ldexp call)
      sum_ += e == e_ ? static_cast<double>(m) : ldexp(static_cast<double>(m), ShiftOf(e - e_));
    }
  }
  void Store(ChunkPartial* partial) const {
    partial->m = invalid_ ? NAN : static_cast<float>(sum_);
    partial->e = e_;
  }

 private:
  // e - e_max, integer-valued and <= 0; below double's range the term is 0 anyway.
  static int ShiftOf(float shift) { return static_cast<int>(std::max(shift, -1100.0f)); }
  double sum_ = 0.0;
  float e_ = -INFINITY;
  bool invalid_ = false;
};

template <ElementType kType>
void ScaledExtSum(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
                  ChunkPartial* partial) {
  ExtSumOfBlocks sum;
  ForEachScaledBlock<kType>(context, row, chunk, [&](const float* t, size_t n, void*) {
    float block[2];
    context.config->raddextexp.fn(n * sizeof(float), t, block);
    sum.Add(block[0], block[1]);
  });
  sum.Store(partial);
}

template <ElementType kType>
void ScaledScaleExtExp(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                       ChunkPartial*) {
  // f16 keeps the regular-store kernel: its results go back to the buffer.
  const auto fn =
      kType == ElementType::kF16 ? context.config->vscaleextexp.fn : context.vscaleextexp;
  ScaledLastPass<kType>(context, row, chunk, [&](size_t bytes, const float* t, float* y) {
    fn(bytes, t, y, plan.scale_m, plan.scale_e);
  });
}

// A NaN in any block is the chunk's maximum, as rmax gives for one block.
template <ElementType kType>
void ScaledMax(const RunContext& context, size_t row, size_t chunk, const RowPlan&,
               ChunkPartial* partial) {
  float max = -INFINITY;
  ForEachScaledBlock<kType>(context, row, chunk, [&](const float* t, size_t n, void*) {
    float block;
    context.config->rmax.fn(n * sizeof(float), t, &block);
    if (!isnan(max)) max = isnan(block) || block > max ? block : max;
  });
  partial->max = max;
}

// Reload (f32): exp(t - max) stored in the output for ScaleStoredF32.
void ScaledSumStoreExpF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                          ChunkPartial* partial) {
  double sum = 0.0;
  ForEachScaledBlock<ElementType::kF32>(
      context, row, chunk, [&](const float* t, size_t n, void* output) {
        const float max[2] = {plan.max, plan.upper};
        float block;
        context.config->raddstoreexpminusmax.fn(n * sizeof(float), t, max,
                                                static_cast<float*>(output), &block);
        sum += static_cast<double>(block);
      });
  partial->sum = static_cast<float>(sum);
}

float RowElement(const RunContext& context, size_t row, size_t i);

// SampleMaxF32 of the chunk's t = x * scale + mask (RowElement's roundings, those of the
// vscaleadd kernels), or its exact max (ScaledMax) where NeedsExactMax.
void ScaledSampleMaxF32(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                        ChunkPartial* partial) {
  const size_t start = chunk * context.chunk_size;
  const size_t elements = std::min(context.chunk_size, context.channels - start);
  partial->max = SampleMax(
      elements, [&context, row, start](size_t i) { return RowElement(context, row, start + i); });
  if (NeedsExactMax(partial->max)) ScaledMax<ElementType::kF32>(context, row, chunk, plan, partial);
}

template <ElementType kType>
void ScaledSumExp(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                  ChunkPartial* partial) {
  double sum = 0.0;
  ForEachScaledBlock<kType>(context, row, chunk, [&](const float* t, size_t n, void*) {
    float block;
    context.config->raddexpminusmax.fn(n * sizeof(float), t, &block, plan.max);
    sum += static_cast<double>(block);
  });
  partial->sum = static_cast<float>(sum);
}

template <ElementType kType>
void ScaledScaleExp(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                    ChunkPartial*) {
  ScaledLastPass<kType>(context, row, chunk, [&](size_t bytes, const float* t, float* y) {
    context.config->vscaleexpminusmax.fn(bytes, t, y, plan.max, plan.inv_sum);
  });
}

template <ElementType kType>
void ScaledSubLse(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                  ChunkPartial*) {
  const auto fn = kType == ElementType::kF16 ? context.config->vsublse.fn : context.vsublse;
  ScaledLastPass<kType>(context, row, chunk, [&](size_t bytes, const float* t, float* y) {
    fn(bytes, t, y, plan.lse_hi, plan.lse_lo);
  });
}

// ---------------------------------------------------------------------------------
// Phase lists.

constexpr Phase kTwoPassF32[] = {{ExtSumF32, MergeExtSums}, {ScaleExtExpF32, nullptr}};
constexpr Phase kTwoPassF16[] = {{ExtSumF16, MergeExtSums}, {ScaleExtExpF16, nullptr}};
constexpr Phase kReloadF32[] = {
    {MaxF32, MergeMaxima}, {SumStoreExpF32, MergeSums}, {ScaleStoredF32, nullptr}};
constexpr Phase kSampledReloadF32[] = {{SampleMaxF32, MergeSampledMaxima},
                                       {SumStoreExpF32, MergeSampledSums},
                                       {ScaleStoredF32, nullptr}};
constexpr Phase kSoftmaxRowF32[] = {{SoftmaxRowF32, MergeMaxScale, SoftmaxRowsF32}};
constexpr Phase kRecomputeF32[] = {
    {MaxF32, MergeMaxima}, {SumExpF32, MergeSums}, {ScaleExpF32, nullptr}};
constexpr Phase kRecomputeF16[] = {
    {MaxF16, MergeMaxima}, {SumExpF16, MergeSums}, {ScaleExpF16, nullptr}};
constexpr Phase kLogSoftmaxF32[] = {{ExtSumF32, MergeLogSumExp}, {SubLseF32, nullptr}};
constexpr Phase kLogSoftmaxF16[] = {{ExtSumF16, MergeLogSumExp}, {SubLseF16, nullptr}};
constexpr Phase kLogSoftmaxThreePassF32[] = {
    {MaxF32, MergeMaxima}, {SumExpF32, MergeLogSumExpFromMax}, {SubLseF32, nullptr}};
constexpr Phase kLogSoftmaxThreePassF16[] = {
    {MaxF16, MergeMaxima}, {SumExpF16, MergeLogSumExpFromMax}, {SubLseF16, nullptr}};
// Logsumexp: the reductions of log-softmax without its last pass.
constexpr Phase kLogSumExpF32[] = {{ExtSumF32, MergeLogSumExp}};
constexpr Phase kLogSumExpThreePassF32[] = {{MaxF32, MergeMaxima},
                                            {SumExpF32, MergeLogSumExpFromMax}};
constexpr Phase kLogSumExpF16[] = {{ExtSumF16, MergeLogSumExp}};
constexpr Phase kLogSumExpThreePassF16[] = {{MaxF16, MergeMaxima},
                                            {SumExpF16, MergeLogSumExpFromMax}};

// Scale and mask: the same lists over t = x * scale + mask.
constexpr ElementType kF32 = ElementType::kF32;
constexpr ElementType kF16 = ElementType::kF16;
template <ElementType kType>
constexpr Phase kScaledTwoPass[] = {{ScaledExtSum<kType>, MergeExtSums},
                                    {ScaledScaleExtExp<kType>, nullptr}};
constexpr Phase kScaledReloadF32[] = {
    {ScaledMax<kF32>, MergeMaxima}, {ScaledSumStoreExpF32, MergeSums}, {ScaleStoredF32, nullptr}};
constexpr Phase kScaledSampledReloadF32[] = {{ScaledSampleMaxF32, MergeSampledMaxima},
                                             {ScaledSumStoreExpF32, MergeSampledSums},
                                             {ScaleStoredF32, nullptr}};
template <ElementType kType>
constexpr Phase kScaledRecompute[] = {{ScaledMax<kType>, MergeMaxima},
                                      {ScaledSumExp<kType>, MergeSums},
                                      {ScaledScaleExp<kType>, nullptr}};
template <ElementType kType>
constexpr Phase kScaledLogSoftmax[] = {{ScaledExtSum<kType>, MergeLogSumExp},
                                       {ScaledSubLse<kType>, nullptr}};
template <ElementType kType>
constexpr Phase kScaledLogSoftmaxThreePass[] = {{ScaledMax<kType>, MergeMaxima},
                                                {ScaledSumExp<kType>, MergeLogSumExpFromMax},
                                                {ScaledSubLse<kType>, nullptr}};
template <ElementType kType>
constexpr Phase kScaledLogSumExp[] = {{ScaledExtSum<kType>, MergeLogSumExp}};
template <ElementType kType>
constexpr Phase kScaledLogSumExpThreePass[] = {{ScaledMax<kType>, MergeMaxima},
                                               {ScaledSumExp<kType>, MergeLogSumExpFromMax}};

constexpr double kLn2 = 0x1.62E42FEFA39EFp-1;

// The row's log-sum-exp from each algorithm's final plan (for the optional lse output).
// Two-pass: the plan is 1/m and -e of the sum m * 2^e.
double LseFromExtScale(const RowPlan& plan) {
  return -(log(static_cast<double>(plan.scale_m)) + static_cast<double>(plan.scale_e) * kLn2);
}
// Three-pass: the max and 1/sum of exp(x - ref), ref the kernels' reference point.
double LseFromMaxSum(const RowPlan& plan) {
  return ExpMinusMaxRefPoint(GetExpMinusMaxRef(plan.max)) - log(static_cast<double>(plan.inv_sum));
}
// Log-softmax: the pair itself.
double LseFromPair(const RowPlan& plan) {
  return static_cast<double>(plan.lse_hi) + static_cast<double>(plan.lse_lo);
}

template <size_t N>
constexpr PhaseList List(const Phase (&phases)[N], PlanLseFn lse) {
  return PhaseList{phases, N, lse};
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

// Element i of a row as the phases see it: x, or t = x * scale + mask when scaled, with
// the vscaleadd kernels' two roundings (the empty asm keeps the product from being fused
// with the add).
float RowElement(const RunContext& context, size_t row, size_t i) {
  const float x = LoadElement(
      context,
      static_cast<const char*>(context.input) + row * context.input_stride * context.element_size,
      i);
  if (!context.scaled) return x;
  float product = x * context.scale;
  __asm__("" : "+x"(product));
  if (context.mask == nullptr) return product;
  return product + LoadElement(context,
                               static_cast<const char*>(context.mask) +
                                   row * context.mask_stride * context.element_size,
                               i);
}

// What a row holds that the normal path leaves to the special-row path.
struct RowScan {
  bool nan = false;
  size_t positive_infinities = 0;
  size_t negative_infinities = 0;
};

RowScan ScanRow(const RunContext& context, size_t row) {
  RowScan scan;
  for (size_t i = 0; i < context.channels; i++) {
    const float v = RowElement(context, row, i);
    scan.nan |= isnan(v);
    scan.positive_infinities += v == INFINITY;
    scan.negative_infinities += v == -INFINITY;
  }
  return scan;
}

// The lse of a row that has a NaN (NaN), +inf (+inf) or only -inf (-inf); false for a
// row of finite values and -inf, whose lse the three-pass phases compute.
bool SpecialLse(const RowScan& scan, size_t n, float* lse) {
  if (!scan.nan && scan.positive_infinities == 0 && scan.negative_infinities != n) return false;
  *lse = scan.nan ? NAN : scan.positive_infinities != 0 ? INFINITY : -INFINITY;
  return true;
}

// Rows with NaN, +inf, only -inf, or a magnitude beyond the two-pass range, for both
// operations: a NaN anywhere gives a NaN row; k > 0 entries +inf give share(k) there and
// `nothing` elsewhere (the limit as the +inf entries grow together); a row of only -inf
// gives NaN, or `nothing` with TWOPASS_FLAG_MASKED_ROW_ZERO; finite rows beyond the
// two-pass range run the three-pass phases (exact reduction; their max merge cannot mark
// such a row special). Softmax: share 1/k, nothing 0; log-softmax: -log k and -inf.
void WriteSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials,
                     float (*share)(size_t k), float nothing) {
  void* y = static_cast<char*>(context.output) + row * context.output_stride * context.element_size;
  const size_t n = context.channels;
  const RowScan scan = ScanRow(context, row);
  float lse;
  if (context.lse != nullptr && SpecialLse(scan, n, &lse)) context.lse[row] = lse;
  if (scan.nan) {
    for (size_t i = 0; i < n; i++) StoreElement(context, y, i, NAN);
  } else if (scan.positive_infinities != 0) {
    const float value = share(scan.positive_infinities);
    // Reads element i before writing it: in place is fine.
    for (size_t i = 0; i < n; i++) {
      StoreElement(context, y, i, RowElement(context, row, i) == INFINITY ? value : nothing);
    }
  } else if (scan.negative_infinities == n) {
    const float fill = (context.flags & TWOPASS_FLAG_MASKED_ROW_ZERO) ? nothing : NAN;
    for (size_t i = 0; i < n; i++) StoreElement(context, y, i, fill);
  } else {
    RunRowPhases(context, context.recompute_phases, row, partials);
  }
}

// Logsumexp (no output tensor): only lse[row].
void LogSumExpSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  float lse;
  if (SpecialLse(ScanRow(context, row), context.channels, &lse)) {
    context.lse[row] = lse;
  } else {
    RunRowPhases(context, context.recompute_phases, row, partials);
  }
}

void SoftmaxSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  WriteSpecialRow(
      context, row, partials,
      [](size_t k) { return static_cast<float>(1.0 / static_cast<double>(k)); }, 0.0f);
}

// Sampled-max reload's rows that its merges send back (an input the sample missed by more
// than ~43, an unsampled NaN or +inf, an estimate of 2^24 or more): the classic reload
// (recompute_phases, with the exact max), and SoftmaxSpecialRow only where that max is not
// finite. Why not SoftmaxSpecialRow at once: its scalar ScanRow first made such a row cost
// ~7x a normal one (1 x 32000: 1.73 against 0.236 ns per element, Zen 5 VM, 2026-12-07).
void SampledReloadSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  if (!RunRowPhases(context, context.recompute_phases, row, partials)) {
    SoftmaxSpecialRow(context, row, partials);
  }
}

void LogSoftmaxSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  // + 0.0f: log 1 gives +0, not -0.
  WriteSpecialRow(
      context, row, partials,
      [](size_t k) { return static_cast<float>(-log(static_cast<double>(k))) + 0.0f; },
      -INFINITY);
}

// Non-temporal stores for f32 outputs beyond NtThresholdBytes() (see ResolveSoftmax).
bool StreamOutput(ElementType element_type, const RunContext& context) {
  return element_type == ElementType::kF32 &&
         context.batch_size * context.channels * sizeof(float) > NtThresholdBytes();
}

}  // namespace

void ResolveSoftmax(ElementType element_type, Algorithm algorithm, RunContext* context) {
  const KernelConfig& config = *context->config;
  // In place, a row that sampled-max reload sends to the special path after its sum pass
  // would be read back from the terms that pass stored over it: the classic reload finds
  // every special row in its max pass, before writing.
  if (algorithm == Algorithm::kSampledMaxReload && context->in_place) {
    algorithm = Algorithm::kThreePassReload;
  }
  const bool f16 = element_type == ElementType::kF16;
  // Non-temporal stores for the last pass of f32 two-pass and three-pass-reload when
  // the run writes more than NtThresholdBytes() of output (rows x channels x 4 bytes;
  // the gaps of strided rows are not written): such an output would be evicted before
  // it is read again anyway, and streaming it skips the read-for-ownership of each
  // line. In cache, streaming is much slower (it evicts the output): see config.cc for
  // the threshold's measurements. The nt kernels give bitwise the same results. Each
  // chunk handles its own unaligned head and tail, so chunk boundaries need no
  // alignment. f16 keeps regular stores: it has no nt kernels.
  context->stream_output = StreamOutput(element_type, *context);
  context->vscaleextexp =
      context->stream_output ? config.vscaleextexp_nt.fn : config.vscaleextexp.fn;
  context->vscale = context->stream_output ? config.vscale_nt.fn : config.vscale.fn;
  context->special_row = SoftmaxSpecialRow;
  if (context->scaled) {
    context->recompute_phases = f16 ? List(kScaledRecompute<kF16>, LseFromMaxSum)
                                    : List(kScaledRecompute<kF32>, LseFromMaxSum);
    switch (algorithm) {
      case Algorithm::kTwoPass:
        context->phases = f16 ? List(kScaledTwoPass<kF16>, LseFromExtScale)
                              : List(kScaledTwoPass<kF32>, LseFromExtScale);
        break;
      case Algorithm::kThreePassReload:
        context->phases = f16 ? List(kScaledRecompute<kF16>, LseFromMaxSum)
                              : List(kScaledReloadF32, LseFromMaxSum);
        break;
      case Algorithm::kSampledMaxReload:
        if (f16) {
          context->phases = context->recompute_phases;
          break;
        }
        context->phases = List(kScaledSampledReloadF32, LseFromMaxSum);
        context->recompute_phases = List(kScaledReloadF32, LseFromMaxSum);
        context->special_row = SampledReloadSpecialRow;
        break;
      case Algorithm::kThreePassRecompute:
        context->phases = context->recompute_phases;
        break;
    }
    return;
  }
  context->recompute_phases =
      f16 ? List(kRecomputeF16, LseFromMaxSum) : List(kRecomputeF32, LseFromMaxSum);
  switch (algorithm) {
    case Algorithm::kTwoPass:
      context->phases =
          f16 ? List(kTwoPassF16, LseFromExtScale) : List(kTwoPassF32, LseFromExtScale);
      break;
    case Algorithm::kThreePassReload:
      context->phases = f16 ? List(kRecomputeF16, LseFromMaxSum) : List(kReloadF32, LseFromMaxSum);
      // Short rows in one call (bounds and ISA: twopass/softmax-plan.h).
      if (RunsSoftmaxRow(element_type, context->channels, config)) {
        context->phases = List(kSoftmaxRowF32, LseFromMaxSum);
      }
      break;
    case Algorithm::kSampledMaxReload:
      if (f16) {
        context->phases = context->recompute_phases;
      } else if (RunsSoftmaxRow(element_type, context->channels, config)) {
        // Rows f32-softmaxrow takes whole have no max pass to replace: its max is in-kernel.
        context->phases = List(kSoftmaxRowF32, LseFromMaxSum);
      } else {
        context->phases = List(kSampledReloadF32, LseFromMaxSum);
        context->recompute_phases = List(kReloadF32, LseFromMaxSum);
        context->special_row = SampledReloadSpecialRow;
      }
      break;
    case Algorithm::kThreePassRecompute:
      context->phases = context->recompute_phases;
      break;
  }
}

void ResolveLogSoftmax(ElementType element_type, RunContext* context) {
  const KernelConfig& config = *context->config;
  const bool f16 = element_type == ElementType::kF16;
  context->stream_output = StreamOutput(element_type, *context);
  context->vsublse = context->stream_output ? config.vsublse_nt.fn : config.vsublse.fn;
  context->special_row = LogSoftmaxSpecialRow;
  if (context->scaled) {
    context->phases = f16 ? List(kScaledLogSoftmax<kF16>, LseFromPair)
                          : List(kScaledLogSoftmax<kF32>, LseFromPair);
    context->recompute_phases = f16 ? List(kScaledLogSoftmaxThreePass<kF16>, LseFromPair)
                                    : List(kScaledLogSoftmaxThreePass<kF32>, LseFromPair);
    return;
  }
  context->phases = f16 ? List(kLogSoftmaxF16, LseFromPair) : List(kLogSoftmaxF32, LseFromPair);
  context->recompute_phases =
      f16 ? List(kLogSoftmaxThreePassF16, LseFromPair) : List(kLogSoftmaxThreePassF32, LseFromPair);
}

void ResolveLogSumExp(ElementType element_type, RunContext* context) {
  const bool f16 = element_type == ElementType::kF16;
  context->stream_output = false;  // nothing but lse is written
  context->special_row = LogSumExpSpecialRow;
  if (context->scaled) {
    context->phases = f16 ? List(kScaledLogSumExp<kF16>, LseFromPair)
                          : List(kScaledLogSumExp<kF32>, LseFromPair);
    context->recompute_phases = f16 ? List(kScaledLogSumExpThreePass<kF16>, LseFromPair)
                                    : List(kScaledLogSumExpThreePass<kF32>, LseFromPair);
    return;
  }
  context->phases = f16 ? List(kLogSumExpF16, LseFromPair) : List(kLogSumExpF32, LseFromPair);
  context->recompute_phases =
      f16 ? List(kLogSumExpThreePassF16, LseFromPair) : List(kLogSumExpThreePassF32, LseFromPair);
}

// ---------------------------------------------------------------------------------
// Sharded rows (src/operators/softmax-partial.cc): partial, the shard's pair (m, e) per
// row from pass 1; finish, the last pass with the merged pair of the whole row. The
// pair lives in the plan (scale_m = m, scale_e = e) until the partial's last phase
// writes it; finish loads it into the partials and merges it into its last pass's plan.

namespace {

// Partial's last phase: no pass over the row, the pair goes out once per row.
void WritePair(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
               ChunkPartial*) {
  if (chunk == 0) context.partial_out[row] = twopass_softmax_partial{plan.scale_m, plan.scale_e};
}

// The same after the three-pass reductions of a shard beyond the two-pass range, whose
// plan holds lse as a float pair.
void WritePairFromLse(const RunContext& context, size_t row, size_t chunk, const RowPlan& plan,
                      ChunkPartial*) {
  if (chunk == 0) context.partial_out[row] = PairFromLogSumExp(LseFromPair(plan));
}

// Finish's first phase: the merged pair, for the merge below (every chunk loads it, the
// merge reads the first).
void LoadPair(const RunContext& context, size_t row, size_t, const RowPlan&,
              ChunkPartial* partial) {
  partial->m = context.merged_in[row].m;
  partial->e = context.merged_in[row].e;
}

// A positive finite pair normalised to m in [0.5, 1); false for anything else.
bool NormalPair(const ChunkPartial& partial, float* m, float* e) {
  if (!(partial.m > 0.0f && partial.m < INFINITY) || !isfinite(partial.e)) return false;
  int shift;
  *m = frexpf(partial.m, &shift);
  *e = partial.e + static_cast<float>(shift);
  return true;
}

double PairLse(float m, float e) {
  return log(static_cast<double>(m)) + static_cast<double>(e) * kLn2;
}

// Softmax finish within the two-pass range: 1 / sum = (1 / m) * 2^-e, as MergeExtSums.
void MergeFinishScale(const ChunkPartial* partials, size_t, RowPlan* plan) {
  float m, e;
  if (!NormalPair(partials[0], &m, &e) || !(fabsf(e) <= kMaxTwoPassExponent)) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  plan->scale_m = static_cast<float>(1.0 / static_cast<double>(m));
  plan->scale_e = -e;
}

// Softmax finish beyond the two-pass range (three-pass's last kernel): max a float at or
// above lse, so that every x <= lse of the row is at or below it as that kernel needs,
// and inv_sum = exp(ref - lse) with ref the kernel's reference point for max.
void MergeFinishMax(const ChunkPartial* partials, size_t, RowPlan* plan) {
  float m, e;
  if (!NormalPair(partials[0], &m, &e)) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  const double lse = PairLse(m, e);
  float max = static_cast<float>(lse);
  if (static_cast<double>(max) < lse) max = nextafterf(max, INFINITY);
  plan->max = max;
  plan->inv_sum = static_cast<float>(exp(ExpMinusMaxRefPoint(GetExpMinusMaxRef(max)) - lse));
}

// Log-softmax finish: lse as a float pair, as MergeLogSumExp.
void MergeFinishLse(const ChunkPartial* partials, size_t, RowPlan* plan) {
  float m, e;
  if (!NormalPair(partials[0], &m, &e)) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  const double lse = PairLse(m, e);
  plan->lse_hi = static_cast<float>(lse);
  plan->lse_lo = static_cast<float>(lse - static_cast<double>(plan->lse_hi));
}

constexpr Phase kPartialF32[] = {{ExtSumF32, MergeExtPair}, {WritePair, nullptr}};
constexpr Phase kPartialF16[] = {{ExtSumF16, MergeExtPair}, {WritePair, nullptr}};
constexpr Phase kPartialThreePassF32[] = {
    {MaxF32, MergeMaxima}, {SumExpF32, MergeLogSumExpFromMax}, {WritePairFromLse, nullptr}};
constexpr Phase kPartialThreePassF16[] = {
    {MaxF16, MergeMaxima}, {SumExpF16, MergeLogSumExpFromMax}, {WritePairFromLse, nullptr}};
constexpr Phase kFinishF32[] = {{LoadPair, MergeFinishScale}, {ScaleExtExpF32, nullptr}};
constexpr Phase kFinishF16[] = {{LoadPair, MergeFinishScale}, {ScaleExtExpF16, nullptr}};
constexpr Phase kFinishThreePassF32[] = {{LoadPair, MergeFinishMax}, {ScaleExpF32, nullptr}};
constexpr Phase kFinishThreePassF16[] = {{LoadPair, MergeFinishMax}, {ScaleExpF16, nullptr}};
constexpr Phase kLogFinishF32[] = {{LoadPair, MergeFinishLse}, {SubLseF32, nullptr}};
constexpr Phase kLogFinishF16[] = {{LoadPair, MergeFinishLse}, {SubLseF16, nullptr}};

// A shard row the pass-1 merge marked special: NaN, +inf, only -inf, or beyond the
// two-pass range (summed exactly by the three-pass reductions, then made a pair).
void PartialSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  const RowScan scan = ScanRow(context, row);
  twopass_softmax_partial* out = &context.partial_out[row];
  if (scan.nan) {
    *out = twopass_softmax_partial{NAN, NAN};
  } else if (scan.positive_infinities != 0) {
    *out = twopass_softmax_partial{INFINITY, static_cast<float>(scan.positive_infinities)};
  } else if (scan.negative_infinities == context.channels) {
    *out = twopass_softmax_partial{0.0f, -INFINITY};
  } else {
    RunRowPhases(context, context.recompute_phases, row, partials);
  }
}

// A row whose merged pair finish's merge marked special: the single-process operator's
// special values (WriteSpecialRow), with the row's count of +inf entries from the pair.
// A pair that cannot come from this shard and reaches this path (finite for a shard
// with NaN or +inf, or +inf for a shard with NaN) gives a NaN row.
void WriteFinishSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials,
                           float (*share)(double k), float nothing) {
  const void* x =
      static_cast<const char*>(context.input) + row * context.input_stride * context.element_size;
  void* y = static_cast<char*>(context.output) + row * context.output_stride * context.element_size;
  const size_t n = context.channels;
  const twopass_softmax_partial pair = context.merged_in[row];
  const RowScan scan = ScanRow(context, row);
  float m, e;
  const ChunkPartial loaded{{pair.m}, {pair.e}};
  const bool normal = NormalPair(loaded, &m, &e);
  if (scan.nan || isnan(pair.m) || isnan(pair.e) || pair.m < 0.0f ||
      (scan.positive_infinities != 0 && pair.m != INFINITY)) {
    for (size_t i = 0; i < n; i++) StoreElement(context, y, i, NAN);
  } else if (pair.m == INFINITY) {
    const float value = share(static_cast<double>(pair.e));
    for (size_t i = 0; i < n; i++) {
      StoreElement(context, y, i, LoadElement(context, x, i) == INFINITY ? value : nothing);
    }
  } else if (!normal) {  // empty sum: every shard of the row is only -inf
    const float fill = (context.flags & TWOPASS_FLAG_MASKED_ROW_ZERO) ? nothing : NAN;
    for (size_t i = 0; i < n; i++) StoreElement(context, y, i, fill);
  } else {
    RunRowPhases(context, context.recompute_phases, row, partials);
  }
}

void SoftmaxFinishSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  WriteFinishSpecialRow(
      context, row, partials, [](double k) { return static_cast<float>(1.0 / k); }, 0.0f);
}

void LogSoftmaxFinishSpecialRow(const RunContext& context, size_t row, ChunkPartial* partials) {
  // + 0.0f: log 1 gives +0, not -0.
  WriteFinishSpecialRow(
      context, row, partials, [](double k) { return static_cast<float>(-log(k)) + 0.0f; },
      -INFINITY);
}

}  // namespace

void ResolveSoftmaxPartial(ElementType element_type, RunContext* context) {
  const bool f16 = element_type == ElementType::kF16;
  context->stream_output = false;  // nothing but the pairs is written
  context->special_row = PartialSpecialRow;
  context->phases = f16 ? List(kPartialF16, nullptr) : List(kPartialF32, nullptr);
  context->recompute_phases =
      f16 ? List(kPartialThreePassF16, nullptr) : List(kPartialThreePassF32, nullptr);
}

void ResolveSoftmaxFinish(ElementType element_type, bool log_softmax, RunContext* context) {
  const KernelConfig& config = *context->config;
  const bool f16 = element_type == ElementType::kF16;
  context->stream_output = StreamOutput(element_type, *context);
  if (log_softmax) {
    context->vsublse = context->stream_output ? config.vsublse_nt.fn : config.vsublse.fn;
    context->special_row = LogSoftmaxFinishSpecialRow;
    // Every normal pair is within range of y = x - lse: the special path never recomputes.
    context->phases = f16 ? List(kLogFinishF16, nullptr) : List(kLogFinishF32, nullptr);
    context->recompute_phases = context->phases;
  } else {
    context->vscaleextexp =
        context->stream_output ? config.vscaleextexp_nt.fn : config.vscaleextexp.fn;
    context->special_row = SoftmaxFinishSpecialRow;
    context->phases = f16 ? List(kFinishF16, nullptr) : List(kFinishF32, nullptr);
    context->recompute_phases =
        f16 ? List(kFinishThreePassF16, nullptr) : List(kFinishThreePassF32, nullptr);
  }
}

}  // namespace twopass
