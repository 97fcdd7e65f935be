// Softmax planning (twopass/softmax-plan.h): chunk plan, automatic choice, merges.
#include "twopass/softmax-plan.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "twopass/cache-info.h"
#include "twopass/expminusmax-ref.h"

namespace twopass {
namespace {

size_t DivideRoundUp(size_t n, size_t d) { return n / d + (n % d != 0); }

// sum = mantissa * 2^exponent with mantissa in [0.5, 1), like frexp but inline for
// the positive normal doubles the merge produces (frexp is a library call, and this
// runs once per row: it matters for short rows).
inline double SplitExponent(double sum, int* exponent) {
  uint64_t bits;
  memcpy(&bits, &sum, sizeof(bits));
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0 || biased == 0x7FF) return frexp(sum, exponent);
  *exponent = biased - 1022;
  bits = (bits & ~(uint64_t{0x7FF} << 52)) | (uint64_t{1022} << 52);
  memcpy(&sum, &bits, sizeof(sum));
  return sum;
}

}  // namespace

// Why 4096: it bounded the f32 accumulators' drift before pass 1 flushed them into
// double (issue 15); chunks stay the unit of parallelism of split rows, and the
// boundaries stay as they were so that results stay bitwise the same.
void PlanChunks(size_t channels, size_t* chunk_size, size_t* num_chunks) {
  const size_t count = DivideRoundUp(channels, kMaxChunkElements);
  const size_t size = DivideRoundUp(DivideRoundUp(channels, count), kChunkGranularity) *
                      kChunkGranularity;  // <= kMaxChunkElements, a multiple of 64
  *chunk_size = size;
  *num_chunks = DivideRoundUp(channels, size);
}

// Every algorithm meets the same accuracy contract, so this is about speed only, and
// it depends only on the shape, the ISA and the CPU's cache sizes (never on the pool),
// so results stay bitwise identical for any thread count.
// f32: two-pass when one row's input + output exceed a per-ISA multiple of the last-level
// cache (RuleChoosesTwoPass in src/cache-info.cc, with the measured crossovers): in
// cache reload wins, out of cache two-pass moves 12 bytes per element against 20.
// f16 operators have only two-pass kernels of their own (three-pass converts through
// a stack buffer), so they always use two-pass.
Algorithm ChooseAlgorithm(ElementType element_type, size_t channels,
                          const KernelConfig& config) {
  if (element_type == ElementType::kF16) return Algorithm::kTwoPass;
  const uint64_t row_bytes = uint64_t{channels} * 2 * sizeof(float);  // input + output
  if (RuleChoosesTwoPass(config.isa, row_bytes, DetectedCacheSizes())) return Algorithm::kTwoPass;
  // Reload: sampled-max on AVX512F from kSampledMaxMinChannels up; on AVX2 it ties
  // (0.98-1.02x: the clamp's vminps costs what the max pass saved) and on SSE2 it loses 1-5%,
  // so they keep the classic form (Zen 5 VM, 2026-12-07, docs/benchmarks.md).
  if (config.isa != twopass_isa_avx512f || channels < kSampledMaxMinChannels) {
    return Algorithm::kThreePassReload;
  }
  return Algorithm::kSampledMaxReload;
}

const char* AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kTwoPass:
      return "two-pass";
    case Algorithm::kThreePassReload:
      return "three-pass-reload";
    case Algorithm::kThreePassRecompute:
      return "three-pass-recompute";
    case Algorithm::kSampledMaxReload:
      return "sampled-max-reload";
  }
  return "unknown";
}

namespace {

// The row's sum of exp, sum_c m_c * 2^(e_c - E) * 2^E with E = max e_c, as a double
// mantissa in [0.5, 1) and a float exponent (integer-valued). False for rows the two-pass
// path does not handle: NaN m (NaN input), +inf e (+inf input), anything outside the
// pass-1 contract, all-zero sums (only -inf) and exponents beyond kMaxTwoPassExponent.
bool SumExtPartials(const ChunkPartial* partials, size_t count, double* mantissa,
                    float* exponent) {
  float emax = -INFINITY;
  for (size_t c = 0; c < count; c++) {
    const float m = partials[c].m;
    const float e = partials[c].e;
    if (!(m >= 0.0f && m < INFINITY) || isnan(e) || e == INFINITY) return false;
    if (m > 0.0f && e > emax) emax = e;
  }
  // emax == -inf: every chunk summed to exactly 0 (only -inf, or kernel underflow).
  if (!(emax >= -kMaxTwoPassExponent && emax <= kMaxTwoPassExponent)) return false;
  double sum = 0.0;
  for (size_t c = 0; c < count; c++) {
    const float m = partials[c].m;
    if (m == 0.0f) continue;
    const float shift = partials[c].e - emax;  // integer-valued, <= 0
    if (shift < -1100.0f) continue;          // below double's range: contributes 0
    // (shift 0, always the case for single-chunk rows, needs no ldexp call)
    sum += shift == 0.0f ? static_cast<double>(m)
                         : ldexp(static_cast<double>(m), static_cast<int>(shift));
  }
  int split;
  *mantissa = SplitExponent(sum, &split);  // sum = mantissa * 2^split
  *exponent = emax + static_cast<float>(split);
  return true;
}

// lse as an unevaluated float pair: hi the rounded value, lo the rest.
void SetLogSumExp(double lse, RowPlan* plan) {
  plan->lse_hi = static_cast<float>(lse);
  plan->lse_lo = static_cast<float>(lse - static_cast<double>(plan->lse_hi));
}

constexpr double kLn2 = 0x1.62E42FEFA39EFp-1;

}  // namespace

// The plan is 1/m, -e of the double sum normalized to [0.5, 1).
void MergeExtSums(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  double mantissa;
  float exponent;
  if (!SumExtPartials(partials, count, &mantissa, &exponent)) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  plan->scale_m = static_cast<float>(1.0 / mantissa);
  plan->scale_e = -exponent;
}

// lse = log(mantissa) + exponent * ln2, in double.
void MergeLogSumExp(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  double mantissa;
  float exponent;
  if (!SumExtPartials(partials, count, &mantissa, &exponent)) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  SetLogSumExp(log(mantissa) + static_cast<double>(exponent) * kLn2, plan);
}

// A NaN anywhere wins; the row goes on when its maximum is finite.
void MergeMaxima(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  float max = -INFINITY;
  for (size_t c = 0; c < count; c++) {
    const float m = partials[c].max;
    if (isnan(m)) {
      plan->kind = RowKind::kSpecial;
      return;
    }
    max = m > max ? m : max;
  }
  if (!isfinite(max)) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  plan->max = max;
  plan->upper = INFINITY;  // an exact max: no input above it
}

namespace {

// The chunks' sums of a three-pass sum pass, added in chunk order in double.
double SumOfSums(const ChunkPartial* partials, size_t count) {
  double sum = 0.0;
  for (size_t c = 0; c < count; c++) sum += static_cast<double>(partials[c].sum);
  return sum;
}

}  // namespace

// sum >= 1 since exp(max - max) = 1.
void MergeSums(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  const double sum = SumOfSums(partials, count);
  plan->inv_sum = static_cast<float>(1.0 / sum);
}

void MergeSampledMaxima(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  MergeMaxima(partials, count, plan);
  if (plan->kind != RowKind::kNormal) return;
  if (plan->max >= kSampledMaxBound) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  plan->upper = GetExpMinusMaxRef(plan->max).upper;
}

// sum >= 2^-0.5: the sampled max is an element of the row.
void MergeSampledSums(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  const double sum = SumOfSums(partials, count);
  if (!(sum < kExpMinusMaxClampedSum)) {  // NaN too
    plan->kind = RowKind::kSpecial;
    return;
  }
  plan->inv_sum = static_cast<float>(1.0 / sum);
}

// lse = ref + log(sum): the sum pass adds exp(x - ref), ref the kernels' reference point
// next to the row's maximum (twopass/expminusmax-ref.h), which the max pass left in the
// plan.
void MergeLogSumExpFromMax(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  const double sum = SumOfSums(partials, count);
  const double ref = ExpMinusMaxRefPoint(GetExpMinusMaxRef(plan->max));
  SetLogSumExp(ref + log(sum), plan);
}

// ---------------------------------------------------------------------------------
// Sharded rows (twopass_softmax_partial, include/twopass.h): the pair (m, e) of a shard
// and the merge of the pairs of several shards.

namespace {

// The pair of a positive finite sum mantissa * 2^exponent, mantissa in [0.5, 1) in
// double: m rounded to float, renormalised when it rounds up to 1.
twopass_softmax_partial RoundedPair(double mantissa, float exponent) {
  twopass_softmax_partial pair{static_cast<float>(mantissa), exponent};
  if (pair.m == 1.0f) {
    pair.m = 0.5f;
    pair.e += 1.0f;
  }
  return pair;
}

}  // namespace

// The plan holds the pair itself: scale_m = m, scale_e = e.
void MergeExtPair(const ChunkPartial* partials, size_t count, RowPlan* plan) {
  double mantissa;
  float exponent;
  if (!SumExtPartials(partials, count, &mantissa, &exponent)) {
    plan->kind = RowKind::kSpecial;
    return;
  }
  const twopass_softmax_partial pair = RoundedPair(mantissa, exponent);
  plan->scale_m = pair.m;
  plan->scale_e = pair.e;
}

// lse = t * ln2 with t = lse / ln2 = (e - 1) + f, f in [0, 1): m = 2^(f - 1) in [0.5, 1).
twopass_softmax_partial PairFromLogSumExp(double lse) {
  const double t = lse / kLn2;
  const double e = floor(t) + 1.0;
  return RoundedPair(exp2(t - e), static_cast<float>(e));
}

// The same arithmetic as SumExtPartials (largest exponent of the non-zero sums, double
// sum of m * 2^(e - emax) in array order, split into mantissa and exponent), without its
// range limit (pairs hold exact sums), plus the pair's special values.
twopass_softmax_partial MergePairs(const twopass_softmax_partial* const* pairs, size_t count,
                                   size_t row) {
  bool nan = false, infinite = false;
  double infinities = 0.0;
  float emax = -INFINITY;
  for (size_t i = 0; i < count; i++) {
    const twopass_softmax_partial p = pairs[i][row];
    if (isnan(p.m) || isnan(p.e) || p.m < 0.0f) {
      nan = true;
    } else if (p.m == INFINITY) {
      infinite = true;
      infinities += static_cast<double>(p.e);
    } else if (p.m > 0.0f && p.e > emax) {
      emax = p.e;
    }
  }
  if (nan) return twopass_softmax_partial{NAN, NAN};
  if (infinite) return twopass_softmax_partial{INFINITY, static_cast<float>(infinities)};
  if (emax == -INFINITY) return twopass_softmax_partial{0.0f, -INFINITY};
  double sum = 0.0;
  for (size_t i = 0; i < count; i++) {
    const twopass_softmax_partial p = pairs[i][row];
    if (p.m == 0.0f) continue;
    const float shift = p.e - emax;  // integer-valued, <= 0
    if (shift < -1100.0f) continue;  // below double's range: contributes 0
    sum += shift == 0.0f ? static_cast<double>(p.m)
                         : ldexp(static_cast<double>(p.m), static_cast<int>(shift));
  }
  int split;
  const double mantissa = SplitExponent(sum, &split);
  return RoundedPair(mantissa, emax + static_cast<float>(split));
}

}  // namespace twopass
