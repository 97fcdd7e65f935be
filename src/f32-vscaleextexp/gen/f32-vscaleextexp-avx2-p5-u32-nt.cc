// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleextexp/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleextexp_ukernel__avx2_p5_u32_nt

// Pass 2 of the Two-Pass softmax, AVX2 + FMA3, 8 lanes.
//
// output[i] = exp(input[i]) * scale_mantissa * 2^scale_exponent, computed as
// (p * scale_mantissa) * 2^(n_eff + scale_exponent) from exp(x) = p * 2^n_eff, so
// that exp(x) itself never has to be representable (softmax passes 1/m and -e of
// the pass-1 sum (m, e)).
//
// Contract (tested on every ISA by test/f32-vscaleextexp.cc):
// - scale_exponent is integer-valued. For results in the normal range the error is
//   that of exp (below) plus one rounding of p * scale_mantissa.
// - x = -inf gives exactly +0 (for a finite positive scale_mantissa); NaN gives NaN.
// - 2^(n_eff + scale_exponent) saturates: exponents below -126 give 0 (results below
//   about 2^-126 * |p * scale_mantissa| flush to zero) and exponents above 127 give
//   +inf (results that would exceed 2^127 may saturate to inf).
// - Reads [input, input + batch), writes [output, output + batch), nothing else;
//   output == input (in place) works; no alignment requirement.
//
// Non-temporal variant (token nt): the same results bit for bit; only the stores
// differ. Whole vectors go to memory with vmovntps (_mm256_stream_ps), which bypasses
// the caches: out of cache this saves the read-for-ownership of every output line,
// in cache it evicts the output (softmax-nc: only above a size threshold, per ISA).
// It pays when the pass is memory-bound; see src/config.cc for the measurements.
// Only whole 64-byte cache lines are streamed (vmovntps itself needs 32-byte
// alignment), so no line is flushed half-written from the write-combining buffers:
// the elements before the output's first 64-byte boundary (0-15) and after its last
// one (0-15) get regular stores, issued before the streamed body. An output that is
// not even float-aligned never reaches a boundary and is stored regularly throughout.
// No fence: streaming stores are weakly ordered, so before another thread reads the
// output the caller must order them with _mm_sfence() (softmax-nc fences once per
// pool task; a fence in every call cost 11% on rows of 1000 floats, 4 KB per call).
//
// Math per element x: docs/exp-math.md (steps 1-6; the per-ISA differences are listed
// there), with the helpers of twopass/extexp-avx2.h and the constants of
// twopass/exp-constants.h. In short: (p, n_eff) as in pass 1 (x_c = min(B, max(-B, x)),
// dx = x - x_c, n = roundps(x_c * log2e), two-constant FMA Cody-Waite split, degree-5
// polynomial, n_eff = n + dx); d = n_eff + scale_exponent clamped to [-127, 128]
// (max(d, -127) maps NaN to -127: p is NaN already); 2^d from the bits of d +
// kExp2Magic shifted left by 23 (d = -127 gives +0, so x = -inf gives +0; d = 128 gives
// +inf); y = (p * scale_mantissa) * 2^d (ScaleExtExp).
// The main loop first computes each block of 32 without step 1 (x_c = x, dx = 0)
// and keeps that only when every |n| <= 2^23, i.e. every |x| < B, where step 1 changes
// nothing; blocks holding ±inf or |x| > 5.8e6 are recomputed with step 1 (about 1.15x
// faster on in-range data).
// 32 elements (4 vectors) per iteration, all loaded before any store (in
// place); then whole vectors; then the last 1-7 elements with vmaskmovps load/store.
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// on 2026-11-24: avx2 max 1.95 ULP (bound asserted: 3 ULP).

#include <assert.h>
#include <math.h>
#include <stdint.h>

#include <immintrin.h>

#include <type_traits>

#include "twopass/exp-constants.h"
#include "twopass/extexp-avx2.h"
#include "twopass/microkernels.h"

namespace {

// The per-call constants of both forms.
struct ScaleParams {
  __m256 vs;    // scale_mantissa
  __m256 ve;    // scale_exponent
  __m256 lo;    // ScaledExpByK: the x where n + e reaches -127 (+0) ...
  __m256 hi;    // ... and 128 (+inf)
  __m256 bias;  // kExp2Magic + e
};

inline ScaleParams MakeScaleParams(float scale_mantissa, float scale_exponent) {
  ScaleParams q;
  q.vs = _mm256_set1_ps(scale_mantissa);
  q.ve = _mm256_set1_ps(scale_exponent);
  const double ln2 = 0.69314718055994530942;
  q.lo = _mm256_set1_ps(static_cast<float>((-127.0 - scale_exponent) * ln2));
  q.hi = _mm256_set1_ps(static_cast<float>((128.0 - scale_exponent) * ln2));
  q.bias = _mm256_set1_ps(twopass::kExp2Magic + scale_exponent);
  return q;
}

// The form for |scale_exponent| <= 2^14 (always in softmax, where |e| <= 14427 plus
// log2 of the row length): steps 1-6 with 14 vector operations instead of 18. x is
// clamped to [lo, hi], the inputs where n + e reaches -127 and 128, which does the
// saturation of step 6 (|lo|, |hi| < 11500, so step 1's clamp to B is implied and dx
// = 0; NaN stays NaN: max/min return their second operand). v = fma(xc, log2e,
// kExp2Magic + e) rounds xc*log2e to n (nearest even) and leaves n + e + 127, in
// [0, 255], in its low mantissa bits; shifted into the exponent field they are
// 2^(n + e): +0 at -127, +inf at 128. n = v - bias exactly; t and the polynomial as in
// ExtExpUnclamped, p = fma(q, t, 1) first so that p * +inf stays +inf. The results follow the
// contract above and are ScaledExtExp's bits wherever neither saturates: both round the
// exact product to n (RoundXLog2e does for |n| <= 2^21, which every unsaturated x here is).
inline __m256 ScaledExpByK(__m256 vx, const ScaleParams& q) {
  const __m256 vlog2e = _mm256_set1_ps(twopass::kLog2e);

  const __m256 vxc = _mm256_min_ps(q.hi, _mm256_max_ps(q.lo, vx));
  __m256 vn = _mm256_fmadd_ps(vxc, vlog2e, q.bias);
  const __m256 vscale = Exp2FromBiased(vn);
  vn = _mm256_sub_ps(vn, q.bias);
  const __m256 vt = ReduceLn2(vn, vxc);
  const __m256 vp = ExpPoly(vt);
  return _mm256_mul_ps(_mm256_mul_ps(vp, q.vs), vscale);
}

// One element vector by the form the call chose.
template <bool kByK>
inline __m256 Scaled(__m256 vx, const ScaleParams& q) {
  return kByK ? ScaledExpByK(vx, q) : ScaledExtExp(vx, q.vs, q.ve);
}

// vmaskmovps masks: the 8 entries starting at kMaskTable + 8 - r hold r ones.
alignas(32) const int32_t kMaskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                            0,  0,  0,  0,  0,  0,  0,  0};

// The head or tail of the nt variant (0-15 elements, `bytes` bytes) with regular
// stores: whole vectors, then vmaskmovps (slow) for a partial one only.
template <bool kByK>
inline void StoreRegular(size_t bytes, const float* input, float* output, const ScaleParams& q) {
  for (; bytes >= 8 * sizeof(float); bytes -= 8 * sizeof(float)) {
    _mm256_storeu_ps(output, Scaled<kByK>(_mm256_loadu_ps(input), q));
    input += 8;
    output += 8;
  }
  if (bytes != 0) {
    const __m256i vmask = _mm256_loadu_si256(
        reinterpret_cast<const __m256i*>(&kMaskTable[8 - bytes / sizeof(float)]));
    _mm256_maskstore_ps(output, vmask, Scaled<kByK>(_mm256_maskload_ps(input, vmask), q));
  }
}

}  // namespace

extern "C" void twopass_f32_vscaleextexp_ukernel__avx2_p5_u32_nt(size_t batch, const float* input, float* output,
                           float scale_mantissa, float scale_exponent) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const ScaleParams q = MakeScaleParams(scale_mantissa, scale_exponent);
  // Two forms of the same loops: ScaledExpByK where the scale exponent allows (the
  // softmax case), the general ScaledExtExp otherwise.
  const auto compute = [&](auto by_k) {
    constexpr bool kByK = decltype(by_k)::value;
    // Head: before the output's first 64-byte boundary; tail: after its last one; the
    // whole lines between them (batch) are streamed.
    size_t head = batch;
    if (reinterpret_cast<uintptr_t>(output) % sizeof(float) == 0) {
      const size_t to_boundary = static_cast<size_t>(-reinterpret_cast<uintptr_t>(output) % 64);
      head = to_boundary < batch ? to_boundary : batch;
    }
    const size_t tail = (batch - head) % 64;
    batch -= head + tail;
    // Tail and head first, so that their regular stores (which may miss the cache and
    // wait for a read for ownership) are long done when the caller fences. The regions
    // are disjoint and each is read before it is written: in place still works.
    StoreRegular<kByK>(tail, input + (head + batch) / sizeof(float),
                       output + (head + batch) / sizeof(float), q);
    StoreRegular<kByK>(head, input, output, q);
    input += head / sizeof(float);
    output += head / sizeof(float);
    for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
      const __m256 vx0 = _mm256_loadu_ps(input + 0);
      const __m256 vx1 = _mm256_loadu_ps(input + 8);
      const __m256 vx2 = _mm256_loadu_ps(input + 16);
      const __m256 vx3 = _mm256_loadu_ps(input + 24);
      input += 32;

      if constexpr (kByK) {
        _mm256_stream_ps(output + 0, ScaledExpByK(vx0, q));
        _mm256_stream_ps(output + 8, ScaledExpByK(vx1, q));
        _mm256_stream_ps(output + 16, ScaledExpByK(vx2, q));
        _mm256_stream_ps(output + 24, ScaledExpByK(vx3, q));
        output += 32;
        continue;
      }
      // Optimistic block: exp without the clamp of step 1, kept only if every
      // |n| <= 2^23 (so every |x| <= 2^23 * ln2 + 1 < B, where the clamp is a no-op and
      // dx = 0: the same results); otherwise (±inf, |x| > 5.8e6) the block is redone
      // with the clamp. NaN lanes pass the check (max/min return their second operand)
      // and give NaN on both paths.
      __m256 vp0, vn0;
      ExtExpUnclamped(vx0, &vp0, &vn0);
      __m256 vp1, vn1;
      ExtExpUnclamped(vx1, &vp1, &vn1);
      __m256 vp2, vn2;
      ExtExpUnclamped(vx2, &vp2, &vn2);
      __m256 vp3, vn3;
      ExtExpUnclamped(vx3, &vp3, &vn3);
      __m256 vmin = _mm256_setzero_ps();
      __m256 vmax = _mm256_setzero_ps();
      vmin = _mm256_min_ps(vn0, vmin);
      vmax = _mm256_max_ps(vn0, vmax);
      vmin = _mm256_min_ps(vn1, vmin);
      vmax = _mm256_max_ps(vn1, vmax);
      vmin = _mm256_min_ps(vn2, vmin);
      vmax = _mm256_max_ps(vn2, vmax);
      vmin = _mm256_min_ps(vn3, vmin);
      vmax = _mm256_max_ps(vn3, vmax);
      const __m256 vout_of_range =
          _mm256_or_ps(_mm256_cmp_ps(vmax, _mm256_set1_ps(twopass::kExtExpBound), _CMP_GT_OQ),
                       _mm256_cmp_ps(vmin, _mm256_set1_ps(-twopass::kExtExpBound), _CMP_LT_OQ));
      if (__builtin_expect(_mm256_movemask_ps(vout_of_range) == 0, 1)) {
        _mm256_stream_ps(output + 0, ScaleExtExp(vp0, vn0, q.vs, q.ve));
        _mm256_stream_ps(output + 8, ScaleExtExp(vp1, vn1, q.vs, q.ve));
        _mm256_stream_ps(output + 16, ScaleExtExp(vp2, vn2, q.vs, q.ve));
        _mm256_stream_ps(output + 24, ScaleExtExp(vp3, vn3, q.vs, q.ve));
      } else {
        _mm256_stream_ps(output + 0, ScaledExtExp(vx0, q.vs, q.ve));
        _mm256_stream_ps(output + 8, ScaledExtExp(vx1, q.vs, q.ve));
        _mm256_stream_ps(output + 16, ScaledExtExp(vx2, q.vs, q.ve));
        _mm256_stream_ps(output + 24, ScaledExtExp(vx3, q.vs, q.ve));
      }
      output += 32;
    }
    for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
      const __m256 vx = _mm256_loadu_ps(input);
      input += 8;
      _mm256_stream_ps(output, Scaled<kByK>(vx, q));
      output += 8;
    }
    if (batch != 0) {
      // 1-7 elements: masked load and store touch only the active lanes.
      const __m256i vmask = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(&kMaskTable[8 - batch / sizeof(float)]));
      const __m256 vx = _mm256_maskload_ps(input, vmask);
      _mm256_maskstore_ps(output, vmask, Scaled<kByK>(vx, q));
    }
  };
  if (fabsf(scale_exponent) <= 0x1p14f) {  // false for NaN
    compute(std::true_type());
  } else {
    compute(std::false_type());
  }
}
