// Cache sizes for the automatic algorithm choice, and the choice's rule.
//
// Detection is separate from the rule so that tests can inject the sizes of every
// source. Sources, per level, first non-zero wins:
//   1. cpuinfo (what the library already uses for the ISA);
//   2. CPUID read directly: leaf 0x8000001D on AMD/Hygon with TOPOEXT, else 0x80000005/6;
//      leaf 4 on Intel and others, else 0x80000006;
//   3. defaults: L1d 32 KiB, L2 1 MiB, L3 32 MiB.
// Cloud VMs often report the host's whole L3 (508 MiB on a 2-vCPU Zen 5 guest), while
// one core only reaches its core complex's: the L3 the rule uses is capped at
// kMaxEffectiveL3Bytes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "twopass/isa.h"

namespace twopass {

enum class CacheSource : uint32_t {
  kNone = 0,  // the source gave nothing for this level
  kCpuinfo = 1,
  kCpuid = 2,
  kDefault = 3,
};

// "cpuinfo", "cpuid", "default" or "none".
const char* CacheSourceName(CacheSource source);

// What one source reports, in bytes; 0 where it has nothing. l3_sharing: logical
// processors sharing the L3 (0 when unknown), for the log only.
struct CacheReport {
  uint64_t l1d_bytes = 0;
  uint64_t l2_bytes = 0;
  uint64_t l3_bytes = 0;
  uint32_t l3_sharing = 0;
};

// The sizes the rule uses, with where each came from.
struct CacheSizes {
  uint64_t l1d_bytes;
  uint64_t l2_bytes;
  uint64_t l3_bytes;           // after the cap
  uint64_t l3_reported_bytes;  // before the cap
  uint32_t l3_sharing;
  bool l3_capped;
  CacheSource l1d_source;
  CacheSource l2_source;
  CacheSource l3_source;
};

// No CPU we measured gives one core more L3 than its core complex: 32 MiB on AMD Zen 2-5
// (Zen 5 VM: 64 MiB of data and more runs at DRAM speed). A larger report is taken as a
// VM's view of the whole host and capped. L2 is bounded by the same value.
constexpr uint64_t kMaxEffectiveL3Bytes = uint64_t{32} << 20;
constexpr uint64_t kDefaultL1dBytes = uint64_t{32} << 10;
constexpr uint64_t kDefaultL2Bytes = uint64_t{1} << 20;
constexpr uint64_t kDefaultL3Bytes = uint64_t{32} << 20;

// Pure: merges the sources in the order above and applies the cap.
CacheSizes ResolveCacheSizes(const CacheReport& cpuinfo, const CacheReport& cpuid);

// Detection of each source on this machine (zeros where it has nothing).
CacheReport CpuinfoCacheReport();
CacheReport CpuidCacheReport();

// The resolved sizes of this machine: detected once, logged once at info level.
const CacheSizes& DetectedCacheSizes();

// The automatic choice's rule for f32 rows, a pure function of the ISA, the bytes of
// one row's input plus output, and the cache sizes: two-pass when the row exceeds
// TwoPassAboveRowBytes, reload otherwise (see cache-info.cc for the data; which reload:
// ChooseAlgorithm in src/softmax-plan.cc).
uint64_t TwoPassAboveRowBytes(enum twopass_isa isa, const CacheSizes& caches);
inline bool RuleChoosesTwoPass(enum twopass_isa isa, uint64_t row_bytes,
                               const CacheSizes& caches) {
  return row_bytes > TwoPassAboveRowBytes(isa, caches);
}

}  // namespace twopass
