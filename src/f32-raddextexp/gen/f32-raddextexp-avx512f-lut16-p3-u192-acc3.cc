// Auto-generated file. Do not edit!
//   Template: src/f32-raddextexp/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddextexp_ukernel__avx512f_lut16_p3_u192_acc3

// Pass 1 of the Two-Pass softmax, AVX512F, 16 lanes.
//
// sum[0] * 2^sum[1] = sum_i exp(input[i]), computed in the extended-exponent
// representation exp(x) = p * 2^n so that no finite input can overflow.
//
// Contract (tested on every ISA by test/f32-raddextexp.cc):
// - Finite inputs only (any magnitude, ±FLT_MAX and denormals included): sum[0] is
//   finite and > 0, sum[1] is finite and integer-valued. For |x| <= 1e4 and rows of
//   up to 4096 elements sum[0] * 2^sum[1] is within 1e-6 relative of the exact sum.
// - x = -inf, and finite x whose term vanishes next to the others (-1e9, -FLT_MAX
//   next to 0), contribute exactly 0, never NaN. A row of only -inf gives
//   sum[0] == 0 exactly (sum[1] is then unspecified but not NaN).
// - Any NaN and no +inf: sum[0] is NaN.
// - Any +inf: sum[1] == +inf (sum[0] unspecified; the operator handles such rows).
// - Reads exactly [input, input + batch) (the tail with a k-masked load); no
//   alignment requirement.
//
// Math per element x: docs/exp-math.md (steps 1-4, the same on every ISA up to the
// differences listed there), with the helpers of twopass/extexp-avx512f.h and the
// constants of twopass/exp-constants.h. In short: x_c = min(B, max(-B, x)), B = 2^23
// (keeps NaN); dx = x - x_c; n = vrndscaleps(x_c * log2e) to nearest even; t = x_c -
// n*ln2 with the two-constant FMA Cody-Waite split; p = p(t), the degree-5 polynomial,
// in about [0.707, 1.414] (finite unless x is NaN); n_eff = n + dx (±inf for ±inf, NaN
// for NaN). That is the form for |x| > 2^17, ±inf and NaN only; every other x uses the
// table form (docs/exp-math.md, "Table form": p = round(2^(j/16) q(t)) in about
// [0.98, 2.04], n = floor(N/16), dx = 0), below in both the fast and the general path.
//
// Accumulation, per accumulator and lane, state (a = 0, E = -FLT_MAX):
//   M = max(n_eff, E): returns E when n_eff is NaN (E is never NaN);
//   a = scalef(a, E - M) + scalef(p, n_eff - M); E = M,
// where scalef(v, d) = v * 2^floor(d) (vscalefps) is exact, saturating and needs no
// clamp of d, provided d is never NaN for a finite v. Starting E at -FLT_MAX instead
// of -inf guarantees that: E - M is never -inf - -inf (NaN) because E >= -FLT_MAX, and
// n_eff - M is -inf for x = -inf (scalef(p, -inf) = +0: exactly nothing added), a
// finite value <= 0 for finite x (every finite x has n_eff >= -FLT_MAX: -FLT_MAX +
// n(-2^23) rounds back to -FLT_MAX), and NaN only when x is NaN (p is NaN too: the sum
// becomes NaN, as required) or for +inf (x = +inf: M = +inf, sum[0] is unspecified).
// A row of only -inf keeps a = 0 and E = -FLT_MAX. Compared with E = -inf plus
// max(d, D_MIN) clamps this saves two max per vector.
// 192 elements (12 vectors) per iteration; vector j goes to accumulator
// j % 3. Each accumulator first takes the maximum over its vectors of the
// iteration (delayed maximum) and is rescaled once. Before that, each block tries the
// fast form (below, with AddTableTermAt of twopass/extexp-avx512f.h; 15 vector ops per
// 16 terms), which adds the terms at the accumulators' current exponents when none is
// 2^64 or more above them; the general path then is skipped. Remaining whole vectors go to
// accumulator 0; the last 1-15 elements are loaded with a k-mask whose inactive lanes
// read as -inf and add exactly 0. Accumulators, then lanes, are merged by the same
// rule (lanes: M = max over lanes, a = sum_l scalef(a_l, E_l - M)); sum[0] = a,
// sum[1] = E.
//
// Accumulation error, worst case (attained by rows of equal values, whose terms all
// round the same way; tested by EqualValues): each float accumulator lane takes
// 4 terms per block and is flushed into a double accumulator every
// 2 blocks, and before the remainder (at most 8 more terms), so it
// never holds more than T = 8 terms. Terms are >= 0, so the float sum of T terms is
// within (T - 1) * 2^-24 = 4.2e-7 relative, at any row length (without the flush,
// 4096 equal terms over 16 lanes gave 1.8e-6). The double sums add at most N *
// 2^-53 (1e-9 at N = 2^23), scaling by 2^(E - M) is exact, and the result is rounded
// to float once (3e-8). With exp's own error (<= 3 ULP of p >= 0.7: 2.5e-7; the fast
// form's table entry within 3e-8 and q within about 7e-8) the sum is within 7e-7 of
// exact; in softmax the exp error of equal terms cancels.
// Cost: one Flush per accumulator every 2 blocks (see the table).
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// (bound asserted: 3; the sweep runs natively on AVX512F machines).

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/exp-constants.h"
#include "twopass/extexp-avx512f.h"
#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

namespace {

// Adds the float accumulator (*vacc, at exponents vexp) into the double accumulator
// (*vdlo: lanes 0-7, *vdhi: lanes 8-15, at exponents *vdexp) and clears it. Exponents
// never decrease, so *vdexp <= vexp: the double part is first scaled down to vexp
// (vscalefpd: exact, +0 far below), which is rarely needed.
inline void Flush(__m512* vacc, __m512 vexp, __m512d* vdlo, __m512d* vdhi, __m512* vdexp) {
  const __mmask16 vchanged = _mm512_cmp_ps_mask(*vdexp, vexp, _CMP_NEQ_OQ);
  if (vchanged != 0) {
    const __m512 vd = _mm512_sub_ps(*vdexp, vexp);
    *vdlo = _mm512_scalef_pd(*vdlo, _mm512_cvtps_pd(_mm512_castps512_ps256(vd)));
    *vdhi = _mm512_scalef_pd(
        *vdhi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(vd), 1))));
    *vdexp = vexp;
  }
  *vdlo = _mm512_add_pd(*vdlo, _mm512_cvtps_pd(_mm512_castps512_ps256(*vacc)));
  *vdhi = _mm512_add_pd(
      *vdhi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(*vacc), 1))));
  *vacc = _mm512_setzero_ps();
}

// The fast form of the main loop (the AVX2 template's idea, with the table form of exp
// and k-masks). For an accumulator with exponent E (per lane, |E| <= 2^16), a term x is
// added as 2^(n - E) * 2^(j/16) * q(t) (twopass/extexp-avx512f.h, the table form) with
// the rounding FMA v = fma(xc, 16 log2e, bias), bias = kTableMagic + 1024 - 16E (exact):
// v rounds 16 xc log2e to N = 16n + j and holds 16(n - E + 64) + j in its low mantissa
// bits, from which Exp2Table16FromBiased builds 2^(n - E) * 2^(j/16), valid while n - E
// is in [-127, 63]. Below, xc = max(cut, x) with cut = (E - 126.984375)*ln2 makes
// N - 16E = -2032 exactly (n - E = -127, j = 0: the rounding error of 16 cut log2e is
// below 16|E - 127| 2^-23 <= 0.125 for |E| <= 2^16, the cut sits 0.25 above -2032), and
// that term is +0: -inf and every term below 2^(E - 127) add exactly 0. Terms in
// [2^(E - 127), 2^(E - 126)) (n - E = -127, j > 0) add a subnormal below 2^(E - 126)
// instead of their value; the row's sum is at least 2^(E - 0.5) (every E is the rounded
// exponent of one of the row's elements), so the sum's roundings absorb it (tested by
// VanishingTermsNextToAnyMaximum). Above, the block check
// keeps n - E <= 63 (v <= kFastThreshold), so the float accumulator never overflows and
// E stays right. 15 vector ops per 16 terms, 7 of them on the FMA pipes (v, t, q, the
// FMA into the accumulator), plus max, sub, vpermps, shift, and, add and the block max;
// the p5 form (ExpPoly) took 13 with 9 on the FMA pipes, 15% slower on the Zen 5 VM
// (docs/benchmarks.md). The general path (the delayed maximum and scalef) and the tail
// use ExtExpCanonical: the same p * 2^n as the fast form and as pass 2 for every x (the
// table form where |x| <= 2^17, ExtExp beyond), so that pass 2 brings a term that
// dominates its row to at most 1 whichever path pass 1 took.
constexpr float kFastThreshold = kTableMagic + 2047.0f;  // n - E <= 63

// Bias and clamp of the fast form for the accumulator (*vacc, *vexp). First, lanes
// more than 256 binades below the largest exponent of the accumulator (-FLT_MAX:
// nothing but -inf so far) restart at (0, that exponent): what they hold is below
// 2^-170 of the largest lane and the final merge drops it exactly; never a lane whose
// accumulator is NaN (its NaN would be dropped; see avx2.cc.in). Lanes with |E| >
// 2^16 (all lanes -inf, +inf, or |x| above about 45000) get bias = +inf, so their
// blocks take the general path.
inline void UpdateFastPath(__m512* vacc, __m512* vexp, __m512* vbias, __m512* vcut) {
  const __m512 vmax = _mm512_set1_ps(_mm512_reduce_max_ps(*vexp));
  const __mmask16 vrestart =
      _mm512_cmp_ps_mask(*vexp, _mm512_sub_ps(vmax, _mm512_set1_ps(256.0f)), _CMP_LT_OQ) &
      _mm512_cmp_ps_mask(vmax, _mm512_set1_ps(INFINITY), _CMP_LT_OQ) &
      _mm512_cmp_ps_mask(*vacc, *vacc, _CMP_ORD_Q);
  *vexp = _mm512_mask_mov_ps(*vexp, vrestart, vmax);
  *vacc = _mm512_mask_mov_ps(*vacc, vrestart, _mm512_setzero_ps());
  const __mmask16 vok = _mm512_cmp_ps_mask(AbsPs(*vexp), _mm512_set1_ps(0x1p16f), _CMP_LE_OQ);
  *vbias = _mm512_mask_sub_ps(_mm512_set1_ps(INFINITY), vok, _mm512_set1_ps(kTableBiasAtZero),
                              _mm512_mul_ps(*vexp, _mm512_set1_ps(16.0f)));
  *vcut = _mm512_maskz_mul_ps(vok, _mm512_sub_ps(*vexp, _mm512_set1_ps(kTableCutOffset)),
                              _mm512_set1_ps(twopass::kLn2Hi));
}

}  // namespace

extern "C" void twopass_f32_raddextexp_ukernel__avx512f_lut16_p3_u192_acc3(size_t batch, const float* input, float sum[2]) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(sum != nullptr);

  __m512 vacc0 = _mm512_setzero_ps();
  __m512 vexp0 = _mm512_set1_ps(-FLT_MAX);
  __m512 vacc1 = _mm512_setzero_ps();
  __m512 vexp1 = _mm512_set1_ps(-FLT_MAX);
  __m512 vacc2 = _mm512_setzero_ps();
  __m512 vexp2 = _mm512_set1_ps(-FLT_MAX);
  if (batch >= 192 * sizeof(float)) {
    // Start the exponents at the first vector's n where |x| <= 2^20 (elsewhere, and for
    // NaN, -FLT_MAX as before), with the accumulators at 0: a valid state for any E not
    // above the row's largest exponent. The first block can then take the fast form.
    const __m512 vx_first = _mm512_loadu_ps(input);
    const __m512 vn_first = RoundXLog2e(vx_first);
    const __mmask16 vsmall =
        _mm512_cmp_ps_mask(AbsPs(vx_first), _mm512_set1_ps(0x1p20f), _CMP_LE_OQ);
    const __m512 vexp_first = _mm512_mask_mov_ps(_mm512_set1_ps(-FLT_MAX), vsmall, vn_first);
    vexp0 = vexp_first;
    vexp1 = vexp_first;
    vexp2 = vexp_first;
  }
  // Fast-form state per accumulator (UpdateFastPath), then the double accumulators
  // beside the float ones (Flush).
  __m512 vbias0, vcut0;
  UpdateFastPath(&vacc0, &vexp0, &vbias0, &vcut0);
  __m512d vdlo0 = _mm512_setzero_pd(), vdhi0 = _mm512_setzero_pd();
  __m512 vdexp0 = vexp0;
  __m512 vbias1, vcut1;
  UpdateFastPath(&vacc1, &vexp1, &vbias1, &vcut1);
  __m512d vdlo1 = _mm512_setzero_pd(), vdhi1 = _mm512_setzero_pd();
  __m512 vdexp1 = vexp1;
  __m512 vbias2, vcut2;
  UpdateFastPath(&vacc2, &vexp2, &vbias2, &vcut2);
  __m512d vdlo2 = _mm512_setzero_pd(), vdhi2 = _mm512_setzero_pd();
  __m512 vdexp2 = vexp2;
  const __m512 vtable = Exp2Table16Scaled();
  // The canonical exp of the general path and the tail (ExtExpCanonical): the same p * 2^n
  // as the fast form and pass 2 for every x.
  const __m512 vtable_canonical = _mm512_loadu_ps(twopass::kExp2Table16);
  // Blocks since the float accumulators were last flushed into the double ones: each
  // lane takes 4 terms per block, at most 8 between flushes.
  size_t pending = 0;
  for (; batch >= 192 * sizeof(float); batch -= 192 * sizeof(float)) {
    if (pending == 2) {
      Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
      Flush(&vacc1, vexp1, &vdlo1, &vdhi1, &vdexp1);
      Flush(&vacc2, vexp2, &vdlo2, &vdhi2, &vdexp2);
      pending = 0;
    }
    pending++;
    // Fast block: every term relative to its accumulator's current exponent E
    // (AddTableTermAt). Taken when every n - E <= 63 (NaN lanes pass and give NaN);
    // otherwise (a new maximum 64 or more binades up, +inf, |E| > 2^16) the block
    // goes through the general path.
    const __m512 vxc0 = _mm512_max_ps(vcut0, _mm512_loadu_ps(input + 0));
    const __m512 vv0 =
        _mm512_fmadd_ps(vxc0, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias0);
    const __m512 vxc1 = _mm512_max_ps(vcut1, _mm512_loadu_ps(input + 16));
    const __m512 vv1 =
        _mm512_fmadd_ps(vxc1, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias1);
    const __m512 vxc2 = _mm512_max_ps(vcut2, _mm512_loadu_ps(input + 32));
    const __m512 vv2 =
        _mm512_fmadd_ps(vxc2, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias2);
    const __m512 vxc3 = _mm512_max_ps(vcut0, _mm512_loadu_ps(input + 48));
    const __m512 vv3 =
        _mm512_fmadd_ps(vxc3, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias0);
    const __m512 vxc4 = _mm512_max_ps(vcut1, _mm512_loadu_ps(input + 64));
    const __m512 vv4 =
        _mm512_fmadd_ps(vxc4, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias1);
    const __m512 vxc5 = _mm512_max_ps(vcut2, _mm512_loadu_ps(input + 80));
    const __m512 vv5 =
        _mm512_fmadd_ps(vxc5, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias2);
    const __m512 vxc6 = _mm512_max_ps(vcut0, _mm512_loadu_ps(input + 96));
    const __m512 vv6 =
        _mm512_fmadd_ps(vxc6, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias0);
    const __m512 vxc7 = _mm512_max_ps(vcut1, _mm512_loadu_ps(input + 112));
    const __m512 vv7 =
        _mm512_fmadd_ps(vxc7, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias1);
    const __m512 vxc8 = _mm512_max_ps(vcut2, _mm512_loadu_ps(input + 128));
    const __m512 vv8 =
        _mm512_fmadd_ps(vxc8, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias2);
    const __m512 vxc9 = _mm512_max_ps(vcut0, _mm512_loadu_ps(input + 144));
    const __m512 vv9 =
        _mm512_fmadd_ps(vxc9, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias0);
    const __m512 vxc10 = _mm512_max_ps(vcut1, _mm512_loadu_ps(input + 160));
    const __m512 vv10 =
        _mm512_fmadd_ps(vxc10, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias1);
    const __m512 vxc11 = _mm512_max_ps(vcut2, _mm512_loadu_ps(input + 176));
    const __m512 vv11 =
        _mm512_fmadd_ps(vxc11, _mm512_set1_ps(twopass::kLog2e * 16.0f), vbias2);
    // A NaN vv leaves vbig unchanged (vmaxps returns its second operand).
    __m512 vbig = _mm512_setzero_ps();
    vbig = _mm512_max_ps(vv0, vbig);
    vbig = _mm512_max_ps(vv1, vbig);
    vbig = _mm512_max_ps(vv2, vbig);
    vbig = _mm512_max_ps(vv3, vbig);
    vbig = _mm512_max_ps(vv4, vbig);
    vbig = _mm512_max_ps(vv5, vbig);
    vbig = _mm512_max_ps(vv6, vbig);
    vbig = _mm512_max_ps(vv7, vbig);
    vbig = _mm512_max_ps(vv8, vbig);
    vbig = _mm512_max_ps(vv9, vbig);
    vbig = _mm512_max_ps(vv10, vbig);
    vbig = _mm512_max_ps(vv11, vbig);
    if (__builtin_expect(
            _mm512_cmp_ps_mask(vbig, _mm512_set1_ps(kFastThreshold), _CMP_GT_OQ) == 0, 1)) {
      vacc0 = AddTableTermAt(vacc0, vxc0, vv0, vbias0, vtable);
      vacc1 = AddTableTermAt(vacc1, vxc1, vv1, vbias1, vtable);
      vacc2 = AddTableTermAt(vacc2, vxc2, vv2, vbias2, vtable);
      vacc0 = AddTableTermAt(vacc0, vxc3, vv3, vbias0, vtable);
      vacc1 = AddTableTermAt(vacc1, vxc4, vv4, vbias1, vtable);
      vacc2 = AddTableTermAt(vacc2, vxc5, vv5, vbias2, vtable);
      vacc0 = AddTableTermAt(vacc0, vxc6, vv6, vbias0, vtable);
      vacc1 = AddTableTermAt(vacc1, vxc7, vv7, vbias1, vtable);
      vacc2 = AddTableTermAt(vacc2, vxc8, vv8, vbias2, vtable);
      vacc0 = AddTableTermAt(vacc0, vxc9, vv9, vbias0, vtable);
      vacc1 = AddTableTermAt(vacc1, vxc10, vv10, vbias1, vtable);
      vacc2 = AddTableTermAt(vacc2, vxc11, vv11, vbias2, vtable);
      input += 192;
      continue;
    }
    // General path: ExtExp, the new maximum per accumulator, then the rescaling.
    __m512 vp0, vn0;
    ExtExpCanonical(_mm512_loadu_ps(input + 0), vtable_canonical, &vp0, &vn0);
    __m512 vp1, vn1;
    ExtExpCanonical(_mm512_loadu_ps(input + 16), vtable_canonical, &vp1, &vn1);
    __m512 vp2, vn2;
    ExtExpCanonical(_mm512_loadu_ps(input + 32), vtable_canonical, &vp2, &vn2);
    __m512 vp3, vn3;
    ExtExpCanonical(_mm512_loadu_ps(input + 48), vtable_canonical, &vp3, &vn3);
    __m512 vp4, vn4;
    ExtExpCanonical(_mm512_loadu_ps(input + 64), vtable_canonical, &vp4, &vn4);
    __m512 vp5, vn5;
    ExtExpCanonical(_mm512_loadu_ps(input + 80), vtable_canonical, &vp5, &vn5);
    __m512 vp6, vn6;
    ExtExpCanonical(_mm512_loadu_ps(input + 96), vtable_canonical, &vp6, &vn6);
    __m512 vp7, vn7;
    ExtExpCanonical(_mm512_loadu_ps(input + 112), vtable_canonical, &vp7, &vn7);
    __m512 vp8, vn8;
    ExtExpCanonical(_mm512_loadu_ps(input + 128), vtable_canonical, &vp8, &vn8);
    __m512 vp9, vn9;
    ExtExpCanonical(_mm512_loadu_ps(input + 144), vtable_canonical, &vp9, &vn9);
    __m512 vp10, vn10;
    ExtExpCanonical(_mm512_loadu_ps(input + 160), vtable_canonical, &vp10, &vn10);
    __m512 vp11, vn11;
    ExtExpCanonical(_mm512_loadu_ps(input + 176), vtable_canonical, &vp11, &vn11);
    input += 192;

    // Delayed maximum: one new exponent per accumulator for this iteration.
    __m512 vmax0 = vexp0;
    vmax0 = _mm512_max_ps(vn0, vmax0);
    vmax0 = _mm512_max_ps(vn3, vmax0);
    vmax0 = _mm512_max_ps(vn6, vmax0);
    vmax0 = _mm512_max_ps(vn9, vmax0);
    __m512 vmax1 = vexp1;
    vmax1 = _mm512_max_ps(vn1, vmax1);
    vmax1 = _mm512_max_ps(vn4, vmax1);
    vmax1 = _mm512_max_ps(vn7, vmax1);
    vmax1 = _mm512_max_ps(vn10, vmax1);
    __m512 vmax2 = vexp2;
    vmax2 = _mm512_max_ps(vn2, vmax2);
    vmax2 = _mm512_max_ps(vn5, vmax2);
    vmax2 = _mm512_max_ps(vn8, vmax2);
    vmax2 = _mm512_max_ps(vn11, vmax2);

    vacc0 = ExtExpRescale(vacc0, vexp0, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp0, vn0, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp3, vn3, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp6, vn6, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp9, vn9, vmax0);
    vexp0 = vmax0;
    vacc1 = ExtExpRescale(vacc1, vexp1, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp1, vn1, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp4, vn4, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp7, vn7, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp10, vn10, vmax1);
    vexp1 = vmax1;
    vacc2 = ExtExpRescale(vacc2, vexp2, vmax2);
    vacc2 = ExtExpAddTerm(vacc2, vp2, vn2, vmax2);
    vacc2 = ExtExpAddTerm(vacc2, vp5, vn5, vmax2);
    vacc2 = ExtExpAddTerm(vacc2, vp8, vn8, vmax2);
    vacc2 = ExtExpAddTerm(vacc2, vp11, vn11, vmax2);
    vexp2 = vmax2;
    UpdateFastPath(&vacc0, &vexp0, &vbias0, &vcut0);
    UpdateFastPath(&vacc1, &vexp1, &vbias1, &vcut1);
    UpdateFastPath(&vacc2, &vexp2, &vbias2, &vcut2);
  }
  // Up to 11 whole vectors and the tail into accumulator 0, flushed every
  // 8 terms.
  pending = 8;
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    if (pending == 8) {
      Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
      pending = 0;
    }
    pending++;
    __m512 vp, vn;
    ExtExpCanonical(_mm512_loadu_ps(input), vtable_canonical, &vp, &vn);
    input += 16;
    ExtExpMerge(&vacc0, &vexp0, vp, vn);
  }
  if (pending == 8) Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
  if (batch != 0) {
    // 1-15 elements: masked load; the inactive lanes read as -inf and add exactly 0.
    const __mmask16 vmask = TailMask(batch / sizeof(float));
    __m512 vp, vn;
    ExtExpCanonical(_mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), vmask, input),
                    vtable_canonical, &vp, &vn);
    ExtExpMerge(&vacc0, &vexp0, vp, vn);
  }

  // Flush, then merge accumulators and lanes in double: M = max of the exponents,
  // sum = sum_l d_l * 2^(E_l - M), rounded to float once.
  Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
  Flush(&vacc1, vexp1, &vdlo1, &vdhi1, &vdexp1);
  Flush(&vacc2, vexp2, &vdlo2, &vdhi2, &vdexp2);
  __m512 vmax_all = vexp0;
  vmax_all = _mm512_max_ps(vexp1, vmax_all);
  vmax_all = _mm512_max_ps(vexp2, vmax_all);
  const float vmax = _mm512_reduce_max_ps(vmax_all);
  __m512d vsum = _mm512_setzero_pd();
  {
    const __m512 vd = _mm512_sub_ps(vexp0, _mm512_set1_ps(vmax));
    vsum = _mm512_add_pd(vsum, _mm512_scalef_pd(vdlo0, _mm512_cvtps_pd(_mm512_castps512_ps256(vd))));
    vsum = _mm512_add_pd(vsum, _mm512_scalef_pd(vdhi0, _mm512_cvtps_pd(_mm256_castpd_ps(
                                                        _mm512_extractf64x4_pd(_mm512_castps_pd(vd), 1)))));
  }
  {
    const __m512 vd = _mm512_sub_ps(vexp1, _mm512_set1_ps(vmax));
    vsum = _mm512_add_pd(vsum, _mm512_scalef_pd(vdlo1, _mm512_cvtps_pd(_mm512_castps512_ps256(vd))));
    vsum = _mm512_add_pd(vsum, _mm512_scalef_pd(vdhi1, _mm512_cvtps_pd(_mm256_castpd_ps(
                                                        _mm512_extractf64x4_pd(_mm512_castps_pd(vd), 1)))));
  }
  {
    const __m512 vd = _mm512_sub_ps(vexp2, _mm512_set1_ps(vmax));
    vsum = _mm512_add_pd(vsum, _mm512_scalef_pd(vdlo2, _mm512_cvtps_pd(_mm512_castps512_ps256(vd))));
    vsum = _mm512_add_pd(vsum, _mm512_scalef_pd(vdhi2, _mm512_cvtps_pd(_mm256_castpd_ps(
                                                        _mm512_extractf64x4_pd(_mm512_castps_pd(vd), 1)))));
  }
  sum[0] = static_cast<float>(_mm512_reduce_add_pd(vsum));
  sum[1] = vmax;
}
