// Softmax planning: how rows are cut into chunks, which algorithm the automatic choice
// runs, and how the chunk partials of a row merge into its plan (src/softmax-plan.cc).
#pragma once

#include <stddef.h>

#include "twopass/config.h"
#include "twopass/operator.h"

namespace twopass {

// Largest chunk and its granularity (whole cache lines).
constexpr size_t kMaxChunkElements = 4096;
constexpr size_t kChunkGranularity = 64;
// Scale and mask (twopass_setup_scale_mask): each chunk's t = x * scale + mask is made and
// consumed in blocks of this many elements. Why not the whole chunk: x and the mask of a
// row out of cache then arrived only while t was made, and the kernels computed with no
// loads in flight (time = memory + compute: 1.41-1.52x the traffic floor on the Zen 5
// VM); with blocks of 512 one block's loads overlap the previous block's compute
// (1.20-1.27x; docs/benchmarks.md, 2026-12-06). Prefetching the next chunk gained nothing.
constexpr size_t kScaledBlockElements = 512;

// f32 softmax rows of kSoftmaxRowMinChannels..kSoftmaxRowMaxChannels floats run
// three-pass-reload in the f32-softmaxrow kernel on AVX512F, a row tile per call: each row
// read once and written once, bitwise the three reload phases. Why these bounds, measured
// on the Zen 5 VM (docs/benchmarks.md, 2026-12-06): with two rows' chains and closing
// reductions overlapped per call, about 1.5x faster than the three kernels at 4..33
// floats and 1.3x at 128 (one row per call was 11-15% slower at 16 and 32); rows of
// 129..256 floats, one at a time with the next row's max taken during this row's
// reduction, ran 1.08-1.27x faster than the three kernels, 257..512 (terms stored and
// scaled in the output) 1.06-1.17x at 1000 rows and within 3% at 1-4 rows (rows of 1000
// floats lost 2-8% at 1-16 rows, so the bound is 512; 2026-12-06, 20:24-21:00 UTC); the
// scalar row is 1.25-1.4x slower than scalar's three kernels and serves as the contract's
// reference and the family's fallback only.
constexpr size_t kSoftmaxRowMinChannels = 1;
constexpr size_t kSoftmaxRowMaxChannels = TWOPASS_SOFTMAXROW_MAX_CHANNELS;
constexpr enum twopass_isa kSoftmaxRowIsa = twopass_isa_avx512f;

// Whether reload rows of this shape run in f32-softmaxrow (the bounds above, and its ISA).
inline bool RunsSoftmaxRow(ElementType element_type, size_t channels, const KernelConfig& config) {
  return element_type == ElementType::kF32 && channels >= kSoftmaxRowMinChannels &&
         channels <= kSoftmaxRowMaxChannels && config.isa == kSoftmaxRowIsa &&
         config.softmaxrow.isa == kSoftmaxRowIsa;
}

// The two-pass reduction t = x - n*ln2 keeps exp within a few ULP up to |x| = 1e4,
// i.e. |n| <= 1e4 * log2(e) = 14426.95. A row whose dominant exponent is beyond that
// is recomputed with three-pass (x - max is small and exact there).
constexpr float kMaxTwoPassExponent = 14427.0f;

// Chunks of at most kMaxChunkElements, as equal as the granularity allows. Depends on
// channels only.
void PlanChunks(size_t channels, size_t* chunk_size, size_t* num_chunks);

// The automatic choice between the algorithms (no TWOPASS_FLAG_ALGORITHM_* given).
Algorithm ChooseAlgorithm(ElementType element_type, size_t channels, const KernelConfig& config);

const char* AlgorithmName(Algorithm algorithm);

// Merges (MergeFn of twopass/operator.h), in chunk order, in double precision.
// Two-pass pass 1 -> (scale_m, scale_e), or special for NaN, +inf, all-zero sums or
// exponents beyond kMaxTwoPassExponent.
void MergeExtSums(const ChunkPartial* partials, size_t count, RowPlan* plan);
// Three-pass max pass -> max, or special unless the maximum is finite.
void MergeMaxima(const ChunkPartial* partials, size_t count, RowPlan* plan);
// Three-pass sum pass -> inv_sum.
void MergeSums(const ChunkPartial* partials, size_t count, RowPlan* plan);
// The automatic choice runs sampled-max reload (AVX512F) for rows of at least this many
// floats: against reload, 100 x 1000 0.96x (chunks under 1024 floats take their exact max,
// and the clamp costs 5% of the exp pass), 1536 1.01x, 2048 1.03x, 3000 1.06x, 4096 1.08x,
// 32000 .. 2^20 1.07-1.12x (Zen 5 VM, 2026-12-07).
constexpr size_t kSampledMaxMinChannels = 2048;
// Sampled-max reload's sample pass -> max as MergeMaxima, or special also when the
// maximum is kSampledMaxBound or more: above 2^24 the estimate's ulp exceeds 1, and
// fl(max + 43), the clamp of twopass/expminusmax-ref.h, would no longer give a term near
// 2^62 (every chunk of such a row took its exact max when its sample was this large, so
// only rows with a positive input that large go there).
constexpr float kSampledMaxBound = 0x1p24f;
void MergeSampledMaxima(const ChunkPartial* partials, size_t count, RowPlan* plan);
// Sampled-max reload's sum pass -> inv_sum as MergeSums, or special when the sum is NaN
// or reaches kExpMinusMaxClampedSum (twopass/expminusmax-ref.h: an input the sampled max
// missed by more than ~43 was clamped, or the sum is too large to scale exactly).
void MergeSampledSums(const ChunkPartial* partials, size_t count, RowPlan* plan);
// Log-softmax: pass 1 (as two-pass) -> (lse_hi, lse_lo), special as MergeExtSums.
void MergeLogSumExp(const ChunkPartial* partials, size_t count, RowPlan* plan);
// Log-softmax, three-pass form (rows beyond the two-pass range): sum pass after the
// max pass -> (lse_hi, lse_lo) = ref + log(sum), ref the sum kernels' reference point.
void MergeLogSumExpFromMax(const ChunkPartial* partials, size_t count, RowPlan* plan);

// Sharded rows (include/twopass.h, twopass_softmax_partial):
// Two-pass pass 1 -> the row's pair in the plan (scale_m = m in [0.5, 1), scale_e = e),
// or special as MergeExtSums.
void MergeExtPair(const ChunkPartial* partials, size_t count, RowPlan* plan);
// The pair of a finite lse (sum = exp(lse) = m * 2^e, m in [0.5, 1)).
twopass_softmax_partial PairFromLogSumExp(double lse);
// Row `row` of `count` arrays of pairs merged (twopass_merge_softmax_partials).
twopass_softmax_partial MergePairs(const twopass_softmax_partial* const* pairs, size_t count,
                                   size_t row);

}  // namespace twopass
