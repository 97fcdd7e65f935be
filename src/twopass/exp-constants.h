// The constants of every exp kernel of TwoPass, in one place: the two-pass families
// (f32/f16-raddextexp, f32/f16-vscaleextexp, through twopass/extexp-<isa>.h) and the
// three-pass ones (f32-raddstoreexpminusmax, f32-raddexpminusmax,
// f32-vscaleexpminusmax, through twopass/expminusmax-<isa>.h). docs/exp-math.md
// explains the math they serve and how it differs per ISA.
//
// Where they come from, and what checks them:
// - log2e, the ln2 splits and the power-of-two constants are derived by
//   tools/cody_waite.py from ln2 to 60 digits; `tools/cody_waite.py --check-header
//   src/twopass/exp-constants.h` (the Bazel test //tools:cody_waite_test) fails when a
//   value here differs from what it derives.
// - The polynomial coefficients are the published degree-5 minimax ones of the
//   Two-Pass softmax paper (Dukhan & Ablavatski 2020; relative error on
//   [-ln2/2, ln2/2], c0 = 1 exactly). Their approximation error, evaluated in
//   double, is below kExpPolyMaxRelError (9.2e-8 measured, at t = ln2/2); both
//   //tools:cody_waite_test and //test:exp_constants_test check that bound.
// //test:exp_constants_test also checks the properties the kernels rely on (exact
// products n*hi without FMA, hi + lo = ln2, the bits of the power-of-two trick) and
// the table form's constants (each table entry the float nearest 2^(j/16), the
// degree-3 polynomial's error bound).
//
// Values are hex floats, exactly as the kernels use them; the kernels negate them
// where they need -ln2_hi etc. (negation is exact). One `constexpr` a line: the
// checker parses these lines.
#pragma once

#include <stdint.h>

namespace twopass {

// n = round(x * log2e): log2(e) rounded to float.
constexpr float kLog2e = 0x1.715476p+0f;

// Two-constant Cody-Waite split of ln2 for the FMA ISAs (avx2, avx512f):
// t = fma(n, -kLn2Hi, x); t = fma(n, -kLn2Lo, t). kLn2Hi = ln2 rounded to float,
// kLn2Lo = (ln2 - kLn2Hi) rounded to float; |kLn2Hi + kLn2Lo - ln2| = 8.8e-17.
constexpr float kLn2Hi = 0x1.62E430p-1f;
constexpr float kLn2Lo = -0x1.05C610p-29f;

// Three-constant split for the ISAs without FMA (sse2, scalar):
// t = ((x - n*hi) - n*mid) - n*lo. hi and mid have 9 significant bits, so n*hi and
// n*mid are exact for |n| < 2^15 (|x| <= 1e4 gives |n| <= 14427); x - n*hi is exact
// (Sterbenz). lo happens to equal kLn2Lo (the split's remainder is the same float).
constexpr float kLn2HiNoFma = 0x1.630000p-1f;
constexpr float kLn2MidNoFma = -0x1.BD0000p-13f;
constexpr float kLn2LoNoFma = -0x1.05C610p-29f;

// p(t) = 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))) ~= exp(t) on [-ln2/2, ln2/2].
constexpr float kExpC1 = 0x1.FFFFF6p-1f;
constexpr float kExpC2 = 0x1.FFFDC6p-2f;
constexpr float kExpC3 = 0x1.555A80p-3f;
constexpr float kExpC4 = 0x1.573A1Ap-5f;
constexpr float kExpC5 = 0x1.0F9F9Cp-7f;
// The bound on |p(t) / exp(t) - 1| (t in [-ln2/2, ln2/2], p evaluated in double).
constexpr double kExpPolyMaxRelError = 1.0e-7;

// The table form (the AVX512F pass-1 fast form, twopass/extexp-avx512f.h): with
// N = round(16 x log2e) = 16n + j (j in [0, 15]) and t = x - N*ln2/16 in
// [-ln2/32, ln2/32], exp(x) = 2^n * kExp2Table16[j] * q(t), where
// kExp2Table16[j] = 2^(j/16) rounded to float (within 2^-25 relative of it) and
// q(t) = 1 + t*(1 + t*(c2 + t*c3)), a degree-3 minimax fit of exp with c0 = c1 = 1
// (Lawson's algorithm on 20001 points, then rounded to float).
constexpr float kExp2Table16[16] = {0x1.000000p+0f, 0x1.0B5586p+0f, 0x1.172B84p+0f, 0x1.2387A6p+0f,
                                    0x1.306FE0p+0f, 0x1.3DEA64p+0f, 0x1.4BFDAEp+0f, 0x1.5AB07Ep+0f,
                                    0x1.6A09E6p+0f, 0x1.7A1148p+0f, 0x1.8ACE54p+0f, 0x1.9C4918p+0f,
                                    0x1.AE89FAp+0f, 0x1.C199BEp+0f, 0x1.D5818Ep+0f, 0x1.EA4AFAp+0f};
constexpr float kExpTableC2 = 0x1.00021Ep-1f;
constexpr float kExpTableC3 = 0x1.55559Ep-3f;
// The bound on |q(t) / exp(t) - 1| (t in [-ln2/32, ln2/32], q evaluated in double):
// 1.59e-9 measured.
constexpr double kExpTablePolyMaxRelError = 2.0e-9;

// Clamp of the extended exp's input: x_c = min(B, max(-B, x)), B = 2^23. Floats of
// magnitude >= 2^23 are integers, so x - x_c is an integer-valued float (or ±inf) that
// goes straight into the exponent n.
constexpr float kExtExpBound = 0x1p23f;

// 2^d from the bits of d + kExp2Magic (1.5*2^23 + 127): for integer-valued d in
// [-127, 128] the low mantissa bits hold d + 127; shifted left by 23 they are the
// exponent field of 2^d, which gives +0 at d = -127 and +inf at d = 128. The same
// constant is the rounding bias of the fast forms: fma(x, log2e, kExp2Magic - k)
// rounds x*log2e to an integer n (nearest even) and leaves n - k + 127 in those bits.
constexpr float kExp2Magic = 0x1.8000FEp23f;
// The exponent range of that trick: below kExp2MinExponent the result must be
// clamped (it gives +0 at the bound), kExp2MaxExponent gives +inf.
constexpr float kExp2MinExponent = -127.0f;
constexpr float kExp2MaxExponent = 128.0f;
// The bits of kExp2Magic + kExp2MinExponent (= 1.5*2^23): an integer max against
// them clamps d < -127 (and the default NaN, whose bits are negative) on the bits.
constexpr int32_t kExp2MagicMinBits = 0x4B400000;

}  // namespace twopass
