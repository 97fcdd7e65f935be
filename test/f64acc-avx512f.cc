// F64AccTotals2 (twopass/expminusmax-avx512f.h) against F64AccTotal, bitwise, on sums
// chosen so that the order of the double additions decides the float result: a lane
// of 1 + j 2^-23, a lane of 2^-24 (half an ulp of 1: a tie) and lanes of 2^-53..2^-56,
// each lost when added to 1 alone, not when added to each other first. A sequential
// double sum gives a different float in about 17% of these (the check below shows the
// inputs are sensitive), so one reordered addition in F64AccTotals2 fails the test.
// Native AVX512F only (skipped elsewhere; the AVX512F code is in
// f64acc-avx512f-compare.cc); the emulated build's F64AccTotals2 is checked bitwise
// through f32_softmaxrow_avx512f_emulated_test.
#include <gtest/gtest.h>

#include "f64acc-avx512f-compare.h"
#include "twopass/isa.h"

TEST(F64AccTotals2, BitwiseF64AccTotalOnTieProneSums) {
  if (!twopass_isa_supported(twopass_isa_avx512f)) GTEST_SKIP() << "no AVX512F";
  constexpr long kCases = 200000;
  const F64AccCounts counts = CompareF64AccTotals2(12345, kCases);
  EXPECT_EQ(counts.mismatches, 0) << "of " << kCases;
  EXPECT_GT(counts.order_sensitive, kCases / 20) << "the inputs no longer test the order";
}
