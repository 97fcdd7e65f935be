// Auto-generated file. Do not edit!
//   Template: src/f16-raddextexp/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_raddextexp_ukernel__avx2_p5_u64_acc2

// Pass 1 of the Two-Pass softmax on IEEE half-precision input, AVX2 + FMA3 + F16C,
// 8 lanes; all arithmetic in f32.
//
// sum[0] * 2^sum[1] = sum_i exp(input[i]), computed in the extended-exponent
// representation exp(x) = p * 2^n so that no finite input can overflow.
//
// Contract (tested on every ISA by test/f16-raddextexp.cc):
// - Finite inputs only (any magnitude, ±FLT_MAX and denormals included): sum[0] is
//   finite and > 0, sum[1] is finite and integer-valued. For |x| <= 1e4 and rows of
//   up to 4096 elements sum[0] * 2^sum[1] is within 1e-6 relative of the exact sum.
// - x = -inf, and finite x whose term vanishes next to the others (-1e9, -FLT_MAX
//   next to 0), contribute exactly 0, never NaN. A row of only -inf gives
//   sum[0] == 0 exactly (sum[1] is then unspecified but not NaN).
// - Any NaN and no +inf: sum[0] is NaN.
// - Any +inf: sum[1] == +inf (sum[0] unspecified; the operator handles such rows).
// - Reads exactly [input, input + batch) (the tail through a buffer); no alignment
//   requirement.
//
// Half-precision input (this file is generated from the f32 template with FAMILY
// f16-raddextexp): batch counts bytes, 2 per element. Each element is widened to
// f32 exactly with vcvtph2ps (F16C), then the f32 math below runs unchanged; sums
// are never kept in half precision. |x| <= 65504 < B for finite halves, so step 1
// only acts on ±inf. vmaskmovps has no 16-bit form: the 1-7 element tail is copied
// into a buffer padded with f16 -inf (0xFC00), which adds exactly 0.
//
// Math per element x: docs/exp-math.md (steps 1-4, the same on every ISA up to the
// differences listed there), with the helpers of twopass/extexp-avx2.h and the
// constants of twopass/exp-constants.h. In short: x_c = min(B, max(-B, x)), B = 2^23
// (keeps NaN); dx = x - x_c; n = roundps(x_c * log2e) to nearest even; t = x_c - n*ln2
// with the two-constant FMA Cody-Waite split; p = p(t), the degree-5 polynomial, in
// about [0.707, 1.414] (finite unless x is NaN); n_eff = n + dx (±inf for ±inf, NaN for
// NaN).
//
// Accumulation, per accumulator and lane, state (a = 0, E = -inf):
//   M = max(n_eff, E): returns E when n_eff is NaN (E is never NaN);
//   a = a * 2^(E - M) + p * 2^(n_eff - M); E = M.
// Scale exponents d are <= 0 or NaN (-inf - -inf, +inf - +inf, NaN - M), and 2^d is
// built exactly (Exp2Clamped): b = d + kExp2Magic (= 1.5*2^23 + 127) holds 127 + d in
// its low mantissa bits; shifting the bits left by 23 moves them into the exponent
// field, giving 2^d for d in [-126, 0] and +0 for d = -127. d < -127 is clamped on the
// bits with an integer max against kExp2MagicMinBits (the bits of kExp2Magic - 127):
// positive floats order like their bits and negative b (and the default NaN of
// inf - inf, sign bit set) have negative bits. (The integer max is measurably faster
// here than max(d, -127) before the add.) A NaN from a NaN input may keep a positive
// payload and give any 2^d, but its p is NaN too. So a -inf (or vanishing) term adds
// p * 0 = 0, a NaN term adds NaN, and +inf makes E = +inf.
// 64 elements (8 vectors) per iteration; vector j goes to accumulator
// j % 2. Each accumulator first takes the maximum over its vectors of the
// iteration (delayed maximum) and is rescaled once. Before that, each block first
// tries the fast form (AddTermFast, below), which adds the terms to the accumulators
// at their current exponents when no term is more than 2^64 above them: 13 vector
// operations per term instead of 17; the general path below is then skipped. The
// general path first computes the
// iteration without step 1 (x_c = x, dx = 0) and keeps that only when every |n| <=
// 2^23, i.e. every |x| < B, where step 1 changes nothing; blocks holding ±inf or
// |x| > 5.8e6 are recomputed with steps 1-4 (about 1.25x faster on in-range data).
// Remaining whole vectors go to
// accumulator 0; the last 1-7 elements go through a buffer padded with -inf, which
// contributes exactly 0. Accumulators, then the two halves,
// then the lanes, are merged by the same rule; sum[0] = a, sum[1] = E.
//
// Accumulation error, worst case (attained by rows of equal values, whose terms all
// round the same way; tested by EqualValues): each float accumulator lane takes
// 4 terms per block and is flushed into a double accumulator every
// 2 blocks, and before the remainder (at most 8 more terms), so it
// never holds more than T = 8 terms. Terms are >= 0, so the float sum of T terms is
// within (T - 1) * 2^-24 = 4.2e-7 relative, at any row length (without the flush,
// 4096 equal terms over 16 lanes gave 1.8e-6). The double sums add at most N *
// 2^-53 (1e-9 at N = 2^23), scaling by 2^(E - M) is exact, and the result is rounded
// to float once (3e-8). With exp's own error (<= 3 ULP of p >= 0.7: 2.5e-7) the sum is
// within 7e-7 of exact; in softmax the exp error of equal terms cancels.
// Cost: one Flush per accumulator every 2 blocks (see the table).
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// on 2026-11-24: avx2 max 1.95 ULP (bound asserted: 3).

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/exp-constants.h"
#include "twopass/extexp-avx2.h"
#include "twopass/microkernels.h"

namespace {

// 8 halves widened exactly to floats (vcvtph2ps).
inline __m256 LoadF16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Adds the float accumulator (*vacc, at exponents vexp) into the double accumulator
// (*vdlo: lanes 0-3, *vdhi: lanes 4-7, at exponents *vdexp) and clears it. Exponents
// never decrease, so *vdexp <= vexp: the double part is first scaled down to vexp
// (exactly; below 2^-127 it drops, as the float merges do), which is rarely needed.
inline void Flush(__m256* vacc, __m256 vexp, __m256d* vdlo, __m256d* vdhi, __m256* vdexp) {
  if (_mm256_movemask_ps(_mm256_cmp_ps(*vdexp, vexp, _CMP_NEQ_OQ)) != 0) {
    const __m256 vs = Exp2Clamped(_mm256_sub_ps(*vdexp, vexp));
    *vdlo = _mm256_mul_pd(*vdlo, _mm256_cvtps_pd(_mm256_castps256_ps128(vs)));
    *vdhi = _mm256_mul_pd(*vdhi, _mm256_cvtps_pd(_mm256_extractf128_ps(vs, 1)));
    *vdexp = vexp;
  }
  *vdlo = _mm256_add_pd(*vdlo, _mm256_cvtps_pd(_mm256_castps256_ps128(*vacc)));
  *vdhi = _mm256_add_pd(*vdhi, _mm256_cvtps_pd(_mm256_extractf128_ps(*vacc, 1)));
  *vacc = _mm256_setzero_ps();
}

// The fast path of the main loop. For an accumulator with exponent E (per lane), a
// term x is added as p * 2^(n - E) with the rounding FMA v = fma(xc, log2e, bias),
// bias = kExp2Magic - E (exact for |E| <= 2^21): v rounds xc*log2e to n and holds
// n - E + 127 in its low mantissa bits, so shifting them into the exponent field gives
// 2^(n - E) directly (no max, no separate scale), valid while n - E is in [-127, 128].
// Below, xc = max(cut, x) with cut = (E - 127)*ln2 makes n - E = -127 and 2^(n - E) =
// +0 (-inf and vanishing terms add exactly 0); above, the block check keeps n - E <=
// 64 (v <= kFastThreshold), so the accumulator (a float, up to 2^64 times the terms it
// held) never overflows and E stays right: no new maximum is needed. 13 vector ops
// per term against 17 on the general path.
constexpr float kFastThreshold = twopass::kExp2Magic + 64.0f;

// Bias and clamp of the fast path for the accumulators (*vacc, *vexp). First, lanes
// whose exponent is more than 256 below the largest finite one of the accumulator
// (E = -inf: nothing but -inf seen yet) restart at (0, that exponent): what they hold
// is below 2^-170 of the largest lane (terms reach at most 2^64 above E) and the final
// merge drops it exactly (2^(E - M) clamps to +0 there), so this changes nothing but the
// exponent later terms of the lane are measured against, which is an exponent of the
// row and so not above its maximum.
// Without it, a lane that only ever sees masked logits (every 4th element -inf, say)
// would keep every block on the general path. Lanes at -inf and at a vanishing finite
// value restart alike, so masking with -inf or with -1e9 still gives the same bits.
// A lane whose accumulator is NaN (a NaN input: its E did not move) never restarts,
// or the NaN would be dropped and the row's sum come out finite (found by
// test/fuzz/api-fuzzer.cc: a NaN next to terms 256 binades larger).
// Then where |E| > 2^21 (all lanes -inf, or +inf) bias = +inf and cut = 0, so v = +inf
// (or NaN for a NaN x) and such blocks take the general path.
inline void UpdateFastPath(__m256* vacc, __m256* vexp, __m256* vbias, __m256* vcut) {
  __m256 vmax = _mm256_max_ps(*vexp, _mm256_permute2f128_ps(*vexp, *vexp, 1));
  vmax = _mm256_max_ps(vmax, _mm256_shuffle_ps(vmax, vmax, _MM_SHUFFLE(1, 0, 3, 2)));
  vmax = _mm256_max_ps(vmax, _mm256_shuffle_ps(vmax, vmax, _MM_SHUFFLE(2, 3, 0, 1)));
  const __m256 vrestart = _mm256_and_ps(
      _mm256_and_ps(_mm256_cmp_ps(*vexp, _mm256_sub_ps(vmax, _mm256_set1_ps(256.0f)), _CMP_LT_OQ),
                    _mm256_cmp_ps(vmax, _mm256_set1_ps(INFINITY), _CMP_LT_OQ)),
      _mm256_cmp_ps(*vacc, *vacc, _CMP_ORD_Q));
  *vexp = _mm256_blendv_ps(*vexp, vmax, vrestart);
  *vacc = _mm256_blendv_ps(*vacc, _mm256_setzero_ps(), vrestart);
  const __m256 vabs = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), *vexp);
  const __m256 vok = _mm256_cmp_ps(vabs, _mm256_set1_ps(0x1p21f), _CMP_LE_OQ);
  *vbias = _mm256_blendv_ps(_mm256_set1_ps(INFINITY),
                            _mm256_sub_ps(_mm256_set1_ps(twopass::kExp2Magic), *vexp), vok);
  *vcut = _mm256_blendv_ps(_mm256_setzero_ps(),
                           _mm256_mul_ps(_mm256_sub_ps(*vexp, _mm256_set1_ps(127.0f)),
                                         _mm256_set1_ps(twopass::kLn2Hi)),
                           vok);
}

// acc + p * 2^(n - E) for the fast path: s from the bits of v, n = v - bias exactly,
// then t and p as in ExtExp (steps 3) and one FMA into the accumulator.
inline __m256 AddTermFast(__m256 vacc, __m256 vxc, __m256 vv, __m256 vbias) {
  const __m256 vs = Exp2FromBiased(vv);
  const __m256 vn = _mm256_sub_ps(vv, vbias);
  const __m256 vt = ReduceLn2(vn, vxc);
  const __m256 vp = ExpPoly(vt);
  return _mm256_fmadd_ps(vp, vs, vacc);
}


}  // namespace

extern "C" void twopass_f16_raddextexp_ukernel__avx2_p5_u64_acc2(size_t batch, const void* input_data, float sum[2]) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(sum != nullptr);

  __m256 vacc0 = _mm256_setzero_ps();
  __m256 vexp0 = _mm256_set1_ps(-INFINITY);
  __m256 vacc1 = _mm256_setzero_ps();
  __m256 vexp1 = _mm256_set1_ps(-INFINITY);
  if (batch >= 64 * sizeof(uint16_t)) {
    // Start the exponents at the first vector's n where |x| <= 2^20 (elsewhere, and for
    // NaN, -inf as before), with the accumulators at 0: a valid state for any E not
    // above the row's largest exponent, which n of an element of the row is not. The
    // first block can then take the fast form too; short rows would otherwise always
    // pay the general path for it.
    const __m256 vx_first = LoadF16(input);
    const __m256 vn_first = RoundXLog2e(vx_first);
    const __m256 vsmall = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), vx_first),
                                        _mm256_set1_ps(0x1p20f), _CMP_LE_OQ);
    const __m256 vexp_first = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), vn_first, vsmall);
    vexp0 = vexp_first;
    vexp1 = vexp_first;
  }
  // Fast-path state per accumulator (UpdateFastPath): the bias and the clamp that put
  // 2^(n - E) straight into the rounding FMA of each term.
  __m256 vbias0, vcut0;
  UpdateFastPath(&vacc0, &vexp0, &vbias0, &vcut0);
  __m256 vbias1, vcut1;
  UpdateFastPath(&vacc1, &vexp1, &vbias1, &vcut1);
  // Double accumulators beside the float ones (Flush), and the blocks since the last
  // flush: each lane takes 4 terms per block, at most 8 between flushes.
  __m256d vdlo0 = _mm256_setzero_pd(), vdhi0 = _mm256_setzero_pd();
  __m256 vdexp0 = vexp0;
  __m256d vdlo1 = _mm256_setzero_pd(), vdhi1 = _mm256_setzero_pd();
  __m256 vdexp1 = vexp1;
  size_t pending = 0;
  for (; batch >= 64 * sizeof(uint16_t); batch -= 64 * sizeof(uint16_t)) {
    if (pending == 2) {
      Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
      Flush(&vacc1, vexp1, &vdlo1, &vdhi1, &vdexp1);
      pending = 0;
    }
    pending++;
    // Fast block: every term relative to its accumulator's current exponent E, with
    // no new maximum (AddTermFast). Taken when every n - E <= 64 (v <= kFastThreshold;
    // NaN lanes pass and give NaN); otherwise (a new maximum more than 64 binades up,
    // +inf, the first block, |E| > 2^21) the block goes through the general path.
    const __m256 vxc0 = _mm256_max_ps(vcut0, LoadF16(input + 0));
    const __m256 vv0 = _mm256_fmadd_ps(vxc0, _mm256_set1_ps(twopass::kLog2e), vbias0);
    const __m256 vxc1 = _mm256_max_ps(vcut1, LoadF16(input + 8));
    const __m256 vv1 = _mm256_fmadd_ps(vxc1, _mm256_set1_ps(twopass::kLog2e), vbias1);
    const __m256 vxc2 = _mm256_max_ps(vcut0, LoadF16(input + 16));
    const __m256 vv2 = _mm256_fmadd_ps(vxc2, _mm256_set1_ps(twopass::kLog2e), vbias0);
    const __m256 vxc3 = _mm256_max_ps(vcut1, LoadF16(input + 24));
    const __m256 vv3 = _mm256_fmadd_ps(vxc3, _mm256_set1_ps(twopass::kLog2e), vbias1);
    const __m256 vxc4 = _mm256_max_ps(vcut0, LoadF16(input + 32));
    const __m256 vv4 = _mm256_fmadd_ps(vxc4, _mm256_set1_ps(twopass::kLog2e), vbias0);
    const __m256 vxc5 = _mm256_max_ps(vcut1, LoadF16(input + 40));
    const __m256 vv5 = _mm256_fmadd_ps(vxc5, _mm256_set1_ps(twopass::kLog2e), vbias1);
    const __m256 vxc6 = _mm256_max_ps(vcut0, LoadF16(input + 48));
    const __m256 vv6 = _mm256_fmadd_ps(vxc6, _mm256_set1_ps(twopass::kLog2e), vbias0);
    const __m256 vxc7 = _mm256_max_ps(vcut1, LoadF16(input + 56));
    const __m256 vv7 = _mm256_fmadd_ps(vxc7, _mm256_set1_ps(twopass::kLog2e), vbias1);
    // A NaN vv leaves vbig unchanged (vmaxps returns its second operand).
    __m256 vbig = _mm256_setzero_ps();
    vbig = _mm256_max_ps(vv0, vbig);
    vbig = _mm256_max_ps(vv1, vbig);
    vbig = _mm256_max_ps(vv2, vbig);
    vbig = _mm256_max_ps(vv3, vbig);
    vbig = _mm256_max_ps(vv4, vbig);
    vbig = _mm256_max_ps(vv5, vbig);
    vbig = _mm256_max_ps(vv6, vbig);
    vbig = _mm256_max_ps(vv7, vbig);
    const __m256 vnew_max = _mm256_cmp_ps(vbig, _mm256_set1_ps(kFastThreshold), _CMP_GT_OQ);
    if (__builtin_expect(_mm256_movemask_ps(vnew_max) == 0, 1)) {
      vacc0 = AddTermFast(vacc0, vxc0, vv0, vbias0);
      vacc1 = AddTermFast(vacc1, vxc1, vv1, vbias1);
      vacc0 = AddTermFast(vacc0, vxc2, vv2, vbias0);
      vacc1 = AddTermFast(vacc1, vxc3, vv3, vbias1);
      vacc0 = AddTermFast(vacc0, vxc4, vv4, vbias0);
      vacc1 = AddTermFast(vacc1, vxc5, vv5, vbias1);
      vacc0 = AddTermFast(vacc0, vxc6, vv6, vbias0);
      vacc1 = AddTermFast(vacc1, vxc7, vv7, vbias1);
      input += 64;
      continue;
    }
    // General path: the new maximum per accumulator, then the rescaling.
    // Optimistic block: exp without the clamp, then check that every |n| <= 2^23
    // (so every |x| <= 2^23 * ln2 + 1 < B, where the clamp is a no-op); otherwise
    // (±inf, |x| > 5.8e6) redo the block with the clamp. NaN lanes pass either way
    // (max/min return their second operand), and give NaN on both paths.
    __m256 vp0, vn0;
    ExtExpUnclamped(LoadF16(input + 0), &vp0, &vn0);
    __m256 vp1, vn1;
    ExtExpUnclamped(LoadF16(input + 8), &vp1, &vn1);
    __m256 vp2, vn2;
    ExtExpUnclamped(LoadF16(input + 16), &vp2, &vn2);
    __m256 vp3, vn3;
    ExtExpUnclamped(LoadF16(input + 24), &vp3, &vn3);
    __m256 vp4, vn4;
    ExtExpUnclamped(LoadF16(input + 32), &vp4, &vn4);
    __m256 vp5, vn5;
    ExtExpUnclamped(LoadF16(input + 40), &vp5, &vn5);
    __m256 vp6, vn6;
    ExtExpUnclamped(LoadF16(input + 48), &vp6, &vn6);
    __m256 vp7, vn7;
    ExtExpUnclamped(LoadF16(input + 56), &vp7, &vn7);

    // Delayed maximum: one new exponent per accumulator for this iteration.
    __m256 vmax0 = vexp0;
    vmax0 = _mm256_max_ps(vn0, vmax0);
    vmax0 = _mm256_max_ps(vn2, vmax0);
    vmax0 = _mm256_max_ps(vn4, vmax0);
    vmax0 = _mm256_max_ps(vn6, vmax0);
    __m256 vmax1 = vexp1;
    vmax1 = _mm256_max_ps(vn1, vmax1);
    vmax1 = _mm256_max_ps(vn3, vmax1);
    vmax1 = _mm256_max_ps(vn5, vmax1);
    vmax1 = _mm256_max_ps(vn7, vmax1);
    __m256 vmin = _mm256_setzero_ps();
    vmin = _mm256_min_ps(vn0, vmin);
    vmin = _mm256_min_ps(vn1, vmin);
    vmin = _mm256_min_ps(vn2, vmin);
    vmin = _mm256_min_ps(vn3, vmin);
    vmin = _mm256_min_ps(vn4, vmin);
    vmin = _mm256_min_ps(vn5, vmin);
    vmin = _mm256_min_ps(vn6, vmin);
    vmin = _mm256_min_ps(vn7, vmin);
    __m256 vhigh = vmax0;
    vhigh = _mm256_max_ps(vmax1, vhigh);
    const __m256 vout_of_range =
        _mm256_or_ps(_mm256_cmp_ps(vhigh, _mm256_set1_ps(twopass::kExtExpBound), _CMP_GT_OQ),
                     _mm256_cmp_ps(vmin, _mm256_set1_ps(-twopass::kExtExpBound), _CMP_LT_OQ));
    if (__builtin_expect(_mm256_movemask_ps(vout_of_range) != 0, 0)) {
      ExtExp(LoadF16(input + 0), &vp0, &vn0);
      ExtExp(LoadF16(input + 8), &vp1, &vn1);
      ExtExp(LoadF16(input + 16), &vp2, &vn2);
      ExtExp(LoadF16(input + 24), &vp3, &vn3);
      ExtExp(LoadF16(input + 32), &vp4, &vn4);
      ExtExp(LoadF16(input + 40), &vp5, &vn5);
      ExtExp(LoadF16(input + 48), &vp6, &vn6);
      ExtExp(LoadF16(input + 56), &vp7, &vn7);
      vmax0 = vexp0;
      vmax0 = _mm256_max_ps(vn0, vmax0);
      vmax0 = _mm256_max_ps(vn2, vmax0);
      vmax0 = _mm256_max_ps(vn4, vmax0);
      vmax0 = _mm256_max_ps(vn6, vmax0);
      vmax1 = vexp1;
      vmax1 = _mm256_max_ps(vn1, vmax1);
      vmax1 = _mm256_max_ps(vn3, vmax1);
      vmax1 = _mm256_max_ps(vn5, vmax1);
      vmax1 = _mm256_max_ps(vn7, vmax1);
    }

    vacc0 = ExtExpRescale(vacc0, vexp0, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp0, vn0, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp2, vn2, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp4, vn4, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp6, vn6, vmax0);
    vexp0 = vmax0;
    vacc1 = ExtExpRescale(vacc1, vexp1, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp1, vn1, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp3, vn3, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp5, vn5, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp7, vn7, vmax1);
    vexp1 = vmax1;
    input += 64;
    UpdateFastPath(&vacc0, &vexp0, &vbias0, &vcut0);
    UpdateFastPath(&vacc1, &vexp1, &vbias1, &vcut1);
  }
  // At most 7 whole vectors and the tail into accumulator 0: <= 8 terms.
  Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
  for (; batch >= 8 * sizeof(uint16_t); batch -= 8 * sizeof(uint16_t)) {
    __m256 vp, vn;
    ExtExp(LoadF16(input), &vp, &vn);
    input += 8;
    ExtExpMerge(&vacc0, &vexp0, vp, vn);
  }
  if (batch != 0) {
    // 1-7 elements, padded with f16 -inf, which adds exactly 0.
    uint16_t buffer[8] = {0xFC00, 0xFC00, 0xFC00, 0xFC00, 0xFC00, 0xFC00, 0xFC00, 0xFC00};
    memcpy(buffer, input, batch);
    __m256 vp, vn;
    ExtExp(LoadF16(buffer), &vp, &vn);
    ExtExpMerge(&vacc0, &vexp0, vp, vn);
  }

  // Flush, then merge accumulators and lanes in double: M = max of the exponents,
  // sum = sum_l d_l * 2^(E_l - M), rounded to float once.
  Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
  Flush(&vacc1, vexp1, &vdlo1, &vdhi1, &vdexp1);
  __m256 vmax = vexp0;
  vmax = _mm256_max_ps(vexp1, vmax);
  vmax = _mm256_max_ps(vmax, _mm256_permute2f128_ps(vmax, vmax, 1));
  vmax = _mm256_max_ps(vmax, _mm256_shuffle_ps(vmax, vmax, _MM_SHUFFLE(1, 0, 3, 2)));
  vmax = _mm256_max_ps(vmax, _mm256_shuffle_ps(vmax, vmax, _MM_SHUFFLE(2, 3, 0, 1)));
  __m256d vsum = _mm256_setzero_pd();
  {
    const __m256 vs = Exp2Clamped(_mm256_sub_ps(vexp0, vmax));
    vsum = _mm256_fmadd_pd(vdlo0, _mm256_cvtps_pd(_mm256_castps256_ps128(vs)), vsum);
    vsum = _mm256_fmadd_pd(vdhi0, _mm256_cvtps_pd(_mm256_extractf128_ps(vs, 1)), vsum);
  }
  {
    const __m256 vs = Exp2Clamped(_mm256_sub_ps(vexp1, vmax));
    vsum = _mm256_fmadd_pd(vdlo1, _mm256_cvtps_pd(_mm256_castps256_ps128(vs)), vsum);
    vsum = _mm256_fmadd_pd(vdhi1, _mm256_cvtps_pd(_mm256_extractf128_ps(vs, 1)), vsum);
  }
  __m128d vsum2 = _mm_add_pd(_mm256_castpd256_pd128(vsum), _mm256_extractf128_pd(vsum, 1));
  vsum2 = _mm_add_sd(vsum2, _mm_unpackhi_pd(vsum2, vsum2));
  sum[0] = static_cast<float>(_mm_cvtsd_f64(vsum2));
  sum[1] = _mm256_cvtss_f32(vmax);
}
