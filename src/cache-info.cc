// Cache sizes for the automatic algorithm choice (sources and order in
// src/twopass/cache-info.h), and the rule itself.
#include "twopass/cache-info.h"

#include <cpuid.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <mutex>

#include <cpuinfo.h>

#include "twopass/log.h"

namespace twopass {
namespace {

// Crossovers behind the rule, reload time / two-pass time (> 1: two-pass wins), reload
// being the form the automatic choice runs on the ISA (sampled-max on AVX512F, the classic
// one elsewhere: src/softmax-plan.cc), one thread, medians of 11-31 interleaved samples,
// range over 2-9 runs; sizes are one row's input + output (docs/benchmarks.md, "Automatic
// choice from cache sizes" and "Sampled-max reload").
//   avx512f, AMD Zen 5 VM (L2 1 MiB, L3 capped to 32 MiB), sampled-max reload, 2026-12-07:
//     8 MiB 0.66-0.67, 16 MiB 0.74-0.75, 24 MiB 0.82-0.85, 32 MiB 0.91-0.95, 40 MiB 1.16,
//     48 MiB 1.14-1.17, 64 MiB 1.15-1.17, 128 MiB 1.38: the crossover is at the L3. (Against
//     the classic reload, 2026-12-04: 16 MiB 0.88-1.10, 24 MiB 1.04-1.16, 32 MiB 0.99-1.22:
//     half the L3, the multiple until 2026-12-07.)
//   avx2, AMD Zen 4 VM (AVX2 only, L3 32 MiB), docs/benchmarks.md 2026-11-24 09:34 UTC:
//     32 MiB 0.92, 64 MiB 1.02, 128 MiB 1.06, 512 MiB 1.31 (two threads: 0.77, 1.23, 1.49,
//     1.61): twice the L3. (On the Zen 5, where AVX2 runs only when capped, two-pass ties
//     out of cache: 64 MiB 0.98-1.18, 128-512 MiB 0.78-1.11.)
//   sse2, scalar (Zen 5): 0.19-0.60 at every size up to 512 MiB (compute-bound): never.
// Two-pass runs above this multiple of the last-level cache (max of L2 and capped L3).
constexpr double kNever = 0.0;
constexpr double kTwoPassAboveLlcMultiple[TWOPASS_ISA_COUNT] = {
    /*scalar=*/kNever,
    /*sse2=*/kNever,
    /*avx2=*/2.0,
    /*avx512f=*/1.0,
};

bool IsAmdLike(unsigned ebx, unsigned ecx, unsigned edx) {
  char vendor[13];
  memcpy(vendor + 0, &ebx, 4);
  memcpy(vendor + 4, &edx, 4);
  memcpy(vendor + 8, &ecx, 4);
  vendor[12] = '\0';
  return strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0;
}

// Walks a deterministic cache parameters leaf (AMD 0x8000001D and Intel 4 share the
// layout) and fills the data/unified sizes of levels 1-3.
void ReadCacheLeaf(unsigned leaf, CacheReport* report) {
  for (unsigned index = 0; index < 16; index++) {
    unsigned eax, ebx, ecx, edx;
    __cpuid_count(leaf, index, eax, ebx, ecx, edx);
    const unsigned type = eax & 0x1F;  // 0: no more caches, 1 data, 2 instruction, 3 unified
    if (type == 0) break;
    if (type == 2) continue;
    const unsigned level = (eax >> 5) & 0x7;
    const uint32_t sharing = ((eax >> 14) & 0xFFF) + 1;
    const uint64_t line = (ebx & 0xFFF) + 1;
    const uint64_t partitions = ((ebx >> 12) & 0x3FF) + 1;
    const uint64_t ways = ((ebx >> 22) & 0x3FF) + 1;
    const uint64_t sets = uint64_t{ecx} + 1;
    uint64_t size;
    if (__builtin_mul_overflow(line * partitions, ways, &size) ||
        __builtin_mul_overflow(size, sets, &size)) {
      size = 0;  // nonsense from a hypervisor: treat the level as unknown
    }
    if (level == 1) {
      report->l1d_bytes = size;
    } else if (level == 2) {
      report->l2_bytes = size;
    } else if (level == 3) {
      report->l3_bytes = size;
      report->l3_sharing = sharing;
    }
  }
}

CacheSource Pick(uint64_t from_cpuinfo, uint64_t from_cpuid, uint64_t fallback,
                 uint64_t* bytes) {
  if (from_cpuinfo != 0) {
    *bytes = from_cpuinfo;
    return CacheSource::kCpuinfo;
  }
  if (from_cpuid != 0) {
    *bytes = from_cpuid;
    return CacheSource::kCpuid;
  }
  *bytes = fallback;
  return CacheSource::kDefault;
}

}  // namespace

const char* CacheSourceName(CacheSource source) {
  switch (source) {
    case CacheSource::kNone:
      return "none";
    case CacheSource::kCpuinfo:
      return "cpuinfo";
    case CacheSource::kCpuid:
      return "cpuid";
    case CacheSource::kDefault:
      return "default";
  }
  return "unknown";
}

CacheSizes ResolveCacheSizes(const CacheReport& cpuinfo, const CacheReport& cpuid) {
  CacheSizes sizes{};
  sizes.l1d_source = Pick(cpuinfo.l1d_bytes, cpuid.l1d_bytes, kDefaultL1dBytes, &sizes.l1d_bytes);
  sizes.l2_source = Pick(cpuinfo.l2_bytes, cpuid.l2_bytes, kDefaultL2Bytes, &sizes.l2_bytes);
  sizes.l2_bytes = std::min(sizes.l2_bytes, kMaxEffectiveL3Bytes);
  sizes.l3_source =
      Pick(cpuinfo.l3_bytes, cpuid.l3_bytes, kDefaultL3Bytes, &sizes.l3_reported_bytes);
  sizes.l3_sharing = sizes.l3_source == CacheSource::kCpuinfo ? cpuinfo.l3_sharing
                     : sizes.l3_source == CacheSource::kCpuid ? cpuid.l3_sharing
                                                               : 0;
  sizes.l3_capped = sizes.l3_reported_bytes > kMaxEffectiveL3Bytes;
  sizes.l3_bytes = std::min(sizes.l3_reported_bytes, kMaxEffectiveL3Bytes);
  return sizes;
}

CacheReport CpuinfoCacheReport() {
  CacheReport report;
  if (!cpuinfo_initialize()) return report;
  if (cpuinfo_get_l1d_caches_count() != 0 && cpuinfo_get_l1d_cache(0) != nullptr) {
    report.l1d_bytes = cpuinfo_get_l1d_cache(0)->size;
  }
  if (cpuinfo_get_l2_caches_count() != 0 && cpuinfo_get_l2_cache(0) != nullptr) {
    report.l2_bytes = cpuinfo_get_l2_cache(0)->size;
  }
  if (cpuinfo_get_l3_caches_count() != 0 && cpuinfo_get_l3_cache(0) != nullptr) {
    report.l3_bytes = cpuinfo_get_l3_cache(0)->size;
    report.l3_sharing = cpuinfo_get_l3_cache(0)->processor_count;
  }
  return report;
}

CacheReport CpuidCacheReport() {
  CacheReport report;
  unsigned max_leaf, ebx, ecx, edx;
  if (__get_cpuid_max(0, nullptr) == 0) return report;  // no CPUID at all
  __cpuid(0, max_leaf, ebx, ecx, edx);
  const bool amd = IsAmdLike(ebx, ecx, edx);
  const unsigned max_extended = __get_cpuid_max(0x80000000u, nullptr);
  unsigned eax;
  if (amd) {
    bool topoext = false;
    if (max_extended >= 0x80000001u) {
      __cpuid(0x80000001u, eax, ebx, ecx, edx);
      topoext = (ecx >> 22) & 1;
    }
    if (topoext && max_extended >= 0x8000001Du) {
      ReadCacheLeaf(0x8000001Du, &report);
    }
    // Legacy leaves where TOPOEXT is hidden (KVM guests often hide it).
    if (report.l1d_bytes == 0 && max_extended >= 0x80000005u) {
      __cpuid(0x80000005u, eax, ebx, ecx, edx);
      report.l1d_bytes = uint64_t{ecx >> 24} << 10;
    }
  } else if (max_leaf >= 4) {
    ReadCacheLeaf(4, &report);
  }
  if ((report.l2_bytes == 0 || report.l3_bytes == 0) && max_extended >= 0x80000006u) {
    __cpuid(0x80000006u, eax, ebx, ecx, edx);
    if (report.l2_bytes == 0) report.l2_bytes = uint64_t{ecx >> 16} << 10;
    if (report.l3_bytes == 0 && amd) report.l3_bytes = uint64_t{edx >> 18} << 19;
  }
  return report;
}

const CacheSizes& DetectedCacheSizes() {
  static CacheSizes sizes;
  static std::once_flag once;
  std::call_once(once, [] {
    sizes = ResolveCacheSizes(CpuinfoCacheReport(), CpuidCacheReport());
    char sharing[48] = "sharing unknown";
    if (sizes.l3_sharing != 0) {
      snprintf(sharing, sizeof(sharing), "shared by %u processors", sizes.l3_sharing);
    }
    TWOPASS_LOG_INFO(
        "cache sizes: L1d %llu KiB (%s), L2 %llu KiB (%s), L3 %llu KiB (%s; reported %llu KiB, "
        "%s%s)",
        static_cast<unsigned long long>(sizes.l1d_bytes >> 10), CacheSourceName(sizes.l1d_source),
        static_cast<unsigned long long>(sizes.l2_bytes >> 10), CacheSourceName(sizes.l2_source),
        static_cast<unsigned long long>(sizes.l3_bytes >> 10), CacheSourceName(sizes.l3_source),
        static_cast<unsigned long long>(sizes.l3_reported_bytes >> 10), sharing,
        sizes.l3_capped ? ", capped to one core complex" : "");
  });
  return sizes;
}

uint64_t TwoPassAboveRowBytes(enum twopass_isa isa, const CacheSizes& caches) {
  // Bits, not an enum load: values outside 0..3 are undefined as the enum in C++.
  int index;
  memcpy(&index, &isa, sizeof(index));
  if (index < 0 || index >= TWOPASS_ISA_COUNT) return UINT64_MAX;
  const double multiple = kTwoPassAboveLlcMultiple[index];
  if (multiple == kNever) return UINT64_MAX;
  // Capped here too, so that sizes injected without ResolveCacheSizes stay in range.
  const uint64_t llc = std::min(std::max(caches.l2_bytes, caches.l3_bytes), kMaxEffectiveL3Bytes);
  return static_cast<uint64_t>(multiple * static_cast<double>(llc));
}

}  // namespace twopass
