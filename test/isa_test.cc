// Runtime ISA detection: names, ordering and consistency with cpuinfo.
#include "twopass/isa.h"

#include <string.h>

#include <cpuinfo.h>
#include <gtest/gtest.h>

TEST(Isa, NamesRoundTrip) {
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    const enum twopass_isa isa = static_cast<enum twopass_isa>(i);
    enum twopass_isa parsed = twopass_isa_scalar;
    ASSERT_EQ(1, twopass_isa_from_string(twopass_isa_to_string(isa), &parsed));
    EXPECT_EQ(isa, parsed);
  }
  EXPECT_STREQ("avx512f", twopass_isa_to_string(twopass_isa_avx512f));
}

TEST(Isa, UnknownNamesRejected) {
  enum twopass_isa parsed = twopass_isa_avx2;
  EXPECT_EQ(0, twopass_isa_from_string("avx512", &parsed));
  EXPECT_EQ(0, twopass_isa_from_string("", &parsed));
  EXPECT_EQ(0, twopass_isa_from_string("AVX2", &parsed));
  EXPECT_EQ(0, twopass_isa_from_string(nullptr, &parsed));
  EXPECT_EQ(twopass_isa_avx2, parsed);  // untouched on failure
}

TEST(Isa, SupportMatchesCpuinfo) {
  ASSERT_TRUE(cpuinfo_initialize());
  EXPECT_TRUE(twopass_isa_supported(twopass_isa_scalar));
  EXPECT_EQ(cpuinfo_has_x86_sse2(), !!twopass_isa_supported(twopass_isa_sse2));
  EXPECT_EQ(cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3() && cpuinfo_has_x86_f16c(),
            !!twopass_isa_supported(twopass_isa_avx2));
  EXPECT_EQ(cpuinfo_has_x86_avx512f() && twopass_isa_supported(twopass_isa_avx2),
            !!twopass_isa_supported(twopass_isa_avx512f));
}

TEST(Isa, BestSupportedIsHighestSupported) {
  const enum twopass_isa best = twopass_isa_best_supported();
  EXPECT_TRUE(twopass_isa_supported(best));
  for (int i = best + 1; i < TWOPASS_ISA_COUNT; i++) {
    EXPECT_FALSE(twopass_isa_supported(static_cast<enum twopass_isa>(i)));
  }
}
