// The automatic algorithm choice (src/cache-info.cc): cache sizes resolved from each
// source (cpuinfo, CPUID, defaults) with the L3 cap, the per-ISA rule at the sizes it
// was measured at, and the operator's choice against the rule with this machine's sizes.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "twopass.h"
#include "twopass/cache-info.h"
#include "twopass/config.h"
#include "twopass/isa.h"
#include "twopass/log.h"
#include "twopass/softmax-plan.h"

namespace twopass {
namespace testing {
namespace {

constexpr uint64_t KiB = uint64_t{1} << 10;
constexpr uint64_t MiB = uint64_t{1} << 20;

// Bytes of input + output of one f32 row of n elements.
constexpr uint64_t RowBytes(uint64_t n) { return n * 2 * sizeof(float); }

CacheReport Report(uint64_t l1d, uint64_t l2, uint64_t l3, uint32_t sharing) {
  CacheReport report;
  report.l1d_bytes = l1d;
  report.l2_bytes = l2;
  report.l3_bytes = l3;
  report.l3_sharing = sharing;
  return report;
}

// What the Zen 5 VM reports: cpuinfo nothing, CPUID L2 1 MiB and the host's 508 MiB L3.
CacheSizes Zen5Vm() {
  return ResolveCacheSizes(CacheReport(), Report(48 * KiB, MiB, 508 * MiB, 2));
}

TEST(CacheSizes, CpuinfoFirst) {
  const CacheSizes sizes = ResolveCacheSizes(Report(48 * KiB, MiB, 32 * MiB, 16),
                                             Report(32 * KiB, 2 * MiB, 508 * MiB, 2));
  EXPECT_EQ(CacheSource::kCpuinfo, sizes.l1d_source);
  EXPECT_EQ(CacheSource::kCpuinfo, sizes.l2_source);
  EXPECT_EQ(CacheSource::kCpuinfo, sizes.l3_source);
  EXPECT_EQ(48 * KiB, sizes.l1d_bytes);
  EXPECT_EQ(MiB, sizes.l2_bytes);
  EXPECT_EQ(32 * MiB, sizes.l3_bytes);
  EXPECT_EQ(32 * MiB, sizes.l3_reported_bytes);
  EXPECT_EQ(16u, sizes.l3_sharing);
  EXPECT_FALSE(sizes.l3_capped);
}

TEST(CacheSizes, CpuidWhenCpuinfoHasNothingWithHugeL3Capped) {
  const CacheSizes sizes = Zen5Vm();
  EXPECT_EQ(CacheSource::kCpuid, sizes.l1d_source);
  EXPECT_EQ(CacheSource::kCpuid, sizes.l2_source);
  EXPECT_EQ(CacheSource::kCpuid, sizes.l3_source);
  EXPECT_EQ(MiB, sizes.l2_bytes);
  EXPECT_EQ(508 * MiB, sizes.l3_reported_bytes);
  EXPECT_EQ(2u, sizes.l3_sharing);
  EXPECT_TRUE(sizes.l3_capped);
  EXPECT_LE(sizes.l3_bytes, 32 * MiB);
  EXPECT_EQ(kMaxEffectiveL3Bytes, sizes.l3_bytes);
}

TEST(CacheSizes, HugeL3FromCpuinfoIsCappedToo) {
  const CacheSizes sizes = ResolveCacheSizes(Report(0, MiB, 508 * MiB, 2), CacheReport());
  EXPECT_EQ(CacheSource::kCpuinfo, sizes.l3_source);
  EXPECT_TRUE(sizes.l3_capped);
  EXPECT_EQ(kMaxEffectiveL3Bytes, sizes.l3_bytes);
}

TEST(CacheSizes, ZerosFallBackToDefaults) {
  const CacheSizes sizes = ResolveCacheSizes(CacheReport(), CacheReport());
  EXPECT_EQ(CacheSource::kDefault, sizes.l1d_source);
  EXPECT_EQ(CacheSource::kDefault, sizes.l2_source);
  EXPECT_EQ(CacheSource::kDefault, sizes.l3_source);
  EXPECT_EQ(kDefaultL1dBytes, sizes.l1d_bytes);
  EXPECT_EQ(MiB, sizes.l2_bytes);
  EXPECT_EQ(32 * MiB, sizes.l3_bytes);
  EXPECT_EQ(0u, sizes.l3_sharing);
  EXPECT_FALSE(sizes.l3_capped);
}

TEST(CacheSizes, EachLevelTakesItsFirstSource) {
  const CacheSizes sizes = ResolveCacheSizes(Report(0, 2 * MiB, 0, 0), Report(0, 0, 16 * MiB, 8));
  EXPECT_EQ(CacheSource::kDefault, sizes.l1d_source);
  EXPECT_EQ(CacheSource::kCpuinfo, sizes.l2_source);
  EXPECT_EQ(2 * MiB, sizes.l2_bytes);
  EXPECT_EQ(CacheSource::kCpuid, sizes.l3_source);
  EXPECT_EQ(16 * MiB, sizes.l3_bytes);
  EXPECT_EQ(8u, sizes.l3_sharing);
}

TEST(CacheSizes, NonsenseSizesStayBounded) {
  const CacheSizes sizes =
      ResolveCacheSizes(Report(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT32_MAX), CacheReport());
  EXPECT_LE(sizes.l2_bytes, kMaxEffectiveL3Bytes);
  EXPECT_LE(sizes.l3_bytes, kMaxEffectiveL3Bytes);
  EXPECT_TRUE(sizes.l3_capped);
}

TEST(CacheSizes, SourceNames) {
  EXPECT_STREQ("cpuinfo", CacheSourceName(CacheSource::kCpuinfo));
  EXPECT_STREQ("cpuid", CacheSourceName(CacheSource::kCpuid));
  EXPECT_STREQ("default", CacheSourceName(CacheSource::kDefault));
  EXPECT_STREQ("none", CacheSourceName(CacheSource::kNone));
  EXPECT_STREQ("unknown", CacheSourceName(static_cast<CacheSource>(99)));
}

TEST(CacheSizes, DetectedOnThisMachineAreUsable) {
  const CacheSizes& sizes = DetectedCacheSizes();
  EXPECT_NE(CacheSource::kNone, sizes.l2_source);
  EXPECT_NE(CacheSource::kNone, sizes.l3_source);
  EXPECT_GT(sizes.l2_bytes, 0u);
  EXPECT_GT(sizes.l3_bytes, 0u);
  EXPECT_LE(sizes.l3_bytes, kMaxEffectiveL3Bytes);
  EXPECT_EQ(&sizes, &DetectedCacheSizes());  // detected once
}

// The sizes of the table on the Zen 5 VM, where the rule was measured: (sampled-max)
// reload up to 2^22 elements (32 MiB of input + output, the L3), two-pass above.
TEST(AutoRule, Avx512fOnZen5Vm) {
  const CacheSizes sizes = Zen5Vm();
  for (uint64_t n : {uint64_t{1000}, uint64_t{32000}, uint64_t{256000}, uint64_t{1} << 20,
                     uint64_t{1} << 21, uint64_t{3} << 20, uint64_t{1} << 22}) {
    EXPECT_FALSE(RuleChoosesTwoPass(twopass_isa_avx512f, RowBytes(n), sizes)) << n;
  }
  for (uint64_t n : {(uint64_t{1} << 22) + 16, uint64_t{5} << 20, uint64_t{1} << 23,
                     uint64_t{1} << 24, uint64_t{1} << 26, uint64_t{1} << 28}) {
    EXPECT_TRUE(RuleChoosesTwoPass(twopass_isa_avx512f, RowBytes(n), sizes)) << n;
  }
}

TEST(AutoRule, Avx2OnZen5Vm) {
  const CacheSizes sizes = Zen5Vm();
  for (uint64_t n : {uint64_t{256000}, uint64_t{1} << 20, uint64_t{1} << 22, uint64_t{1} << 23}) {
    EXPECT_FALSE(RuleChoosesTwoPass(twopass_isa_avx2, RowBytes(n), sizes)) << n;
  }
  for (uint64_t n : {uint64_t{1} << 24, uint64_t{1} << 26}) {
    EXPECT_TRUE(RuleChoosesTwoPass(twopass_isa_avx2, RowBytes(n), sizes)) << n;
  }
}

TEST(AutoRule, SseAndScalarNeverTwoPass) {
  const CacheSizes sizes = Zen5Vm();
  for (enum twopass_isa isa : {twopass_isa_scalar, twopass_isa_sse2}) {
    EXPECT_EQ(UINT64_MAX, TwoPassAboveRowBytes(isa, sizes));
    EXPECT_FALSE(RuleChoosesTwoPass(isa, RowBytes(uint64_t{1} << 28), sizes));
  }
}

TEST(AutoRule, DefaultsGiveTheZen5Thresholds) {
  const CacheSizes defaults = ResolveCacheSizes(CacheReport(), CacheReport());
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    const enum twopass_isa isa = static_cast<enum twopass_isa>(i);
    EXPECT_EQ(TwoPassAboveRowBytes(isa, Zen5Vm()), TwoPassAboveRowBytes(isa, defaults));
  }
  EXPECT_EQ(32 * MiB, TwoPassAboveRowBytes(twopass_isa_avx512f, defaults));
  EXPECT_EQ(64 * MiB, TwoPassAboveRowBytes(twopass_isa_avx2, defaults));
}

// The threshold follows the cache: a smaller L3 moves it down, an L2 larger than the
// L3 (or no L3) makes the L2 the last level.
TEST(AutoRule, ScalesWithTheLastLevelCache) {
  const CacheSizes small =
      ResolveCacheSizes(Report(32 * KiB, 512 * KiB, 8 * MiB, 8), CacheReport());
  EXPECT_EQ(8 * MiB, TwoPassAboveRowBytes(twopass_isa_avx512f, small));
  EXPECT_EQ(16 * MiB, TwoPassAboveRowBytes(twopass_isa_avx2, small));
  EXPECT_FALSE(RuleChoosesTwoPass(twopass_isa_avx512f, 8 * MiB, small));
  EXPECT_TRUE(RuleChoosesTwoPass(twopass_isa_avx512f, 8 * MiB + 1, small));
  CacheSizes l2_only = small;
  l2_only.l2_bytes = 12 * MiB;
  l2_only.l3_bytes = 4 * MiB;
  EXPECT_EQ(12 * MiB, TwoPassAboveRowBytes(twopass_isa_avx512f, l2_only));
}

TEST(AutoRule, BadInputDoesNotCrash) {
  CacheSizes huge = Zen5Vm();
  huge.l2_bytes = UINT64_MAX;  // injected without ResolveCacheSizes
  huge.l3_bytes = UINT64_MAX;
  EXPECT_EQ(32 * MiB, TwoPassAboveRowBytes(twopass_isa_avx512f, huge));
  CacheSizes zero = Zen5Vm();
  zero.l2_bytes = 0;
  zero.l3_bytes = 0;
  EXPECT_TRUE(RuleChoosesTwoPass(twopass_isa_avx512f, 1, zero));
  EXPECT_EQ(UINT64_MAX, TwoPassAboveRowBytes(static_cast<enum twopass_isa>(-1), huge));
  EXPECT_EQ(UINT64_MAX,
            TwoPassAboveRowBytes(static_cast<enum twopass_isa>(TWOPASS_ISA_COUNT), huge));
}

// The operator runs what the rule says for this machine's detected sizes, on every ISA
// this CPU has (its reload: sampled-max-reload on AVX512F from kSampledMaxMinChannels up,
// else three-pass-reload); f16 operators always use two-pass.
TEST(AutoRule, OperatorFollowsTheRule) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  const CacheSizes& sizes = DetectedCacheSizes();
  const std::vector<size_t> channels = {1,       1000,    256000,  size_t{1} << 20,
                                        size_t{1} << 21, size_t{1} << 22, size_t{1} << 23,
                                        (size_t{1} << 23) + 64, size_t{1} << 24, size_t{1} << 26};
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    const enum twopass_isa isa = static_cast<enum twopass_isa>(i);
    if (!twopass_isa_supported(isa)) continue;
    ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(isa));
    twopass_operator_t op = nullptr;
    twopass_operator_t op16 = nullptr;
    ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
    ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f16(0, &op16));
    for (size_t n : channels) {
      ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op, n, n, n, 1, nullptr));
      const bool two_pass = RuleChoosesTwoPass(isa, RowBytes(n), sizes);
      const char* reload = isa == twopass_isa_avx512f && n >= kSampledMaxMinChannels
                               ? "sampled-max-reload"
                               : "three-pass-reload";
      EXPECT_STREQ(two_pass ? "two-pass" : reload, twopass_internal_operator_algorithm(op))
          << twopass_isa_to_string(isa) << " " << n;
      ASSERT_EQ(twopass_status_success,
                twopass_reshape_softmax_nc_f16(op16, n, n, n, 1, nullptr));
      EXPECT_STREQ("two-pass", twopass_internal_operator_algorithm(op16));
    }
    // Explicit flags win over the rule.
    twopass_operator_t forced = nullptr;
    ASSERT_EQ(twopass_status_success,
              twopass_create_softmax_nc_f32(TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD, &forced));
    ASSERT_EQ(twopass_status_success,
              twopass_reshape_softmax_nc_f32(forced, size_t{1} << 26, size_t{1} << 26,
                                             size_t{1} << 26, 1, nullptr));
    EXPECT_STREQ("three-pass-reload", twopass_internal_operator_algorithm(forced));
    EXPECT_EQ(twopass_status_success, twopass_delete_operator(forced));
    EXPECT_EQ(twopass_status_success, twopass_delete_operator(op16));
    EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
  }
  ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(twopass_isa_best_supported()));
}

// One info line with each level's size and source, in a fresh process (the sizes are
// detected once per process).
int DetectWithInfoLog() {
  SetLogLevel(LogLevel::kInfo);
  if (twopass_initialize() != twopass_status_success) return 1;
  twopass_operator_t op = nullptr;
  if (twopass_create_softmax_nc_f32(0, &op) != twopass_status_success) return 2;
  for (int i = 0; i < 2; i++) {
    if (twopass_reshape_softmax_nc_f32(op, 4096, 4096, 4096, 1, nullptr) !=
        twopass_status_success) {
      return 3;
    }
  }
  twopass_delete_operator(op);
  fprintf(stderr, "end\n");
  return 0;
}

TEST(CacheSizesDeathTest, LoggedOnceAtInfo) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  const char* kLine =
      "twopass: cache sizes: L1d [0-9]+ KiB \\((cpuinfo|cpuid|default)\\), "
      "L2 [0-9]+ KiB \\((cpuinfo|cpuid|default)\\), "
      "L3 [0-9]+ KiB \\((cpuinfo|cpuid|default); reported [0-9]+ KiB, "
      "(shared by [0-9]+ processors|sharing unknown)[^\n]*\n"
      "end\n$";  // once: no second line before the end
  EXPECT_EXIT(exit(DetectWithInfoLog()), ::testing::ExitedWithCode(0), kLine);
}

TEST(CacheSizesDeathTest, NothingBelowInfo) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  EXPECT_EXIT(
      {
        SetLogLevel(LogLevel::kWarning);
        DetectedCacheSizes();
        fprintf(stderr, "done\n");
        exit(0);
      },
      ::testing::ExitedWithCode(0), "^done\n$");
}

}  // namespace
}  // namespace testing
}  // namespace twopass
