// Properties of the exp constants (src/twopass/exp-constants.h) that the kernels rely
// on. Their values are derived and checked by tools/cody_waite.py
// (//tools:cody_waite_test); here the reasons they work are checked in C++, with the
// float and double arithmetic the kernels and their tests use.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "twopass/exp-constants.h"

namespace {

uint32_t Bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

float FromBits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

// Trailing zero bits of the 24-bit significand of a normal float.
int TrailingZeroSignificandBits(float f) {
  const uint32_t significand = (Bits(f) & 0x7FFFFF) | 0x800000;
  int zeros = 0;
  while (((significand >> zeros) & 1) == 0) zeros++;
  return zeros;
}

// ln2 to long double precision (64-bit significand on x86-64).
constexpr long double kLn2Exact = 0.693147180559945309417232121458176568L;

// |n| < 2^15 covers |x| <= 1e4 (|n| <= 14427) and the three-pass kernels (|n| <= 23765).
constexpr int kMaxAbsN = (1 << 15) - 1;

TEST(ExpConstants, Log2eIsLog2OfEToFloat) {
  EXPECT_EQ(twopass::kLog2e, static_cast<float>(1.0L / kLn2Exact));
}

TEST(ExpConstants, FmaSplitSumsToLn2) {
  EXPECT_EQ(twopass::kLn2Hi, static_cast<float>(kLn2Exact));  // ln2 rounded to float
  const long double sum =
      static_cast<long double>(twopass::kLn2Hi) + static_cast<long double>(twopass::kLn2Lo);
  // Double precision: within 2^-52 relative of ln2 (8.8e-17 absolute measured).
  EXPECT_LT(fabsl(sum - kLn2Exact), ldexpl(kLn2Exact, -52));
  // lo is what hi misses, rounded to float.
  EXPECT_EQ(twopass::kLn2Lo, static_cast<float>(kLn2Exact - twopass::kLn2Hi));
}

TEST(ExpConstants, NoFmaSplitProductsAreExact) {
  // 9 significant bits: 15 trailing zero bits, so n*hi and n*mid fit in 24 bits.
  EXPECT_GE(TrailingZeroSignificandBits(twopass::kLn2HiNoFma), 15);
  EXPECT_GE(TrailingZeroSignificandBits(twopass::kLn2MidNoFma), 15);
  for (int n = -kMaxAbsN; n <= kMaxAbsN; n++) {
    const float nf = static_cast<float>(n);
    ASSERT_EQ(static_cast<double>(nf * twopass::kLn2HiNoFma),
              static_cast<double>(n) * static_cast<double>(twopass::kLn2HiNoFma))
        << "n = " << n;
    ASSERT_EQ(static_cast<double>(nf * twopass::kLn2MidNoFma),
              static_cast<double>(n) * static_cast<double>(twopass::kLn2MidNoFma))
        << "n = " << n;
  }
  const long double sum = static_cast<long double>(twopass::kLn2HiNoFma) +
                          static_cast<long double>(twopass::kLn2MidNoFma) +
                          static_cast<long double>(twopass::kLn2LoNoFma);
  EXPECT_LT(fabsl(sum - kLn2Exact), ldexpl(kLn2Exact, -52));
}

TEST(ExpConstants, PolynomialRelativeErrorBelowBound) {
  const double c[5] = {twopass::kExpC1, twopass::kExpC2, twopass::kExpC3, twopass::kExpC4,
                       twopass::kExpC5};
  const double half = std::log(2.0) / 2;
  const int points = 1 << 16;
  double worst = 0.0;
  for (int i = 0; i <= points; i++) {
    const double t = -half + 2 * half * i / points;
    double q = 0.0;
    for (int k = 4; k >= 0; k--) q = q * t + c[k];
    worst = std::fmax(worst, std::fabs((1.0 + q * t) / std::exp(t) - 1.0));
  }
  std::printf("max |p(t)/exp(t) - 1| on [-ln2/2, ln2/2]: %.3e (bound %.1e)\n", worst,
              twopass::kExpPolyMaxRelError);
  EXPECT_LT(worst, twopass::kExpPolyMaxRelError);
}

// Each entry is the float nearest 2^(j/16): within half a float ULP of it in long double.
TEST(ExpConstants, Exp2Table16EntriesAreRoundedPowers) {
  for (int j = 0; j < 16; j++) {
    const long double exact = exp2l(static_cast<long double>(j) / 16);
    const float entry = twopass::kExp2Table16[j];
    const long double ulp = ldexpl(1.0L, -23);  // entries are in [1, 2)
    EXPECT_LE(fabsl(static_cast<long double>(entry) - exact), ulp / 2) << "j = " << j;
    EXPECT_GE(entry, 1.0f);
    EXPECT_LT(entry, 2.0f);
  }
  EXPECT_EQ(twopass::kExp2Table16[0], 1.0f);  // the table form's exact zero relies on it
}

TEST(ExpConstants, TablePolynomialRelativeErrorBelowBound) {
  const double half = std::log(2.0) / 32;
  const int points = 1 << 16;
  double worst = 0.0;
  for (int i = 0; i <= points; i++) {
    const double t = -half + 2 * half * i / points;
    const double q = 1.0 + t * (1.0 + t * (twopass::kExpTableC2 + t * twopass::kExpTableC3));
    worst = std::fmax(worst, std::fabs(q / std::exp(t) - 1.0));
  }
  std::printf("max |q(t)/exp(t) - 1| on [-ln2/32, ln2/32]: %.3e (bound %.1e)\n", worst,
              twopass::kExpTablePolyMaxRelError);
  EXPECT_LT(worst, twopass::kExpTablePolyMaxRelError);
}

TEST(ExpConstants, Exp2MagicGivesPowersOfTwo) {
  EXPECT_EQ(twopass::kExp2Magic, 0x1.8p23f + 127.0f);
  for (int d = -126; d <= 127; d++) {
    const float biased = static_cast<float>(d) + twopass::kExp2Magic;  // exact
    ASSERT_EQ(FromBits(Bits(biased) << 23), std::ldexp(1.0f, d)) << "d = " << d;
  }
  EXPECT_EQ(FromBits(Bits(twopass::kExp2MinExponent + twopass::kExp2Magic) << 23), 0.0f);
  EXPECT_EQ(FromBits(Bits(twopass::kExp2MaxExponent + twopass::kExp2Magic) << 23), INFINITY);
  EXPECT_EQ(static_cast<uint32_t>(twopass::kExp2MagicMinBits),
            Bits(twopass::kExp2Magic + twopass::kExp2MinExponent));
}

TEST(ExpConstants, ExtExpBoundIsWhereFloatsBecomeIntegers) {
  EXPECT_EQ(twopass::kExtExpBound, 0x1p23f);
  // The float just below the bound has a fraction; from the bound on, none has.
  const float below = std::nextafter(twopass::kExtExpBound, 0.0f);
  EXPECT_NE(below, std::trunc(below));
  EXPECT_EQ(std::nextafter(twopass::kExtExpBound, INFINITY) - twopass::kExtExpBound, 1.0f);
}

}  // namespace
