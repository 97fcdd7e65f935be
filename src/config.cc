// Kernel selection per ISA.
//
// Each kernel table (src/<family>/<family>.inc) marks the variant every ISA uses: its
// row is TWOPASS_UKERNEL_DEFAULT instead of TWOPASS_UKERNEL, and in the families with
// non-temporal variants (TWOPASS_FAMILY_NT in twopass/families.h) one row per ISA is
// also, or instead, TWOPASS_UKERNEL_DEFAULT_NT: the pick above NtThresholdBytes()
// (TWOPASS_UKERNEL_DEFAULT_BOTH marks a row as both). To switch an ISA to another
// variant, move the marker to that row, with its one-line reason next to it. Every ISA
// with rows must have exactly one pick (and one nt pick where the family has them):
// checked at compile time below. A family with no variant for an ISA falls back to
// the best lower ISA's pick (logged at info level). twopass/families.h lists the
// families; KernelConfig, the tables here, the selection and the log line follow it.
#include "twopass/config.h"

#include <string.h>

#include <atomic>
#include <string>

#include "twopass/log.h"

namespace twopass {
namespace {

// Marks of a table row: the pick of its ISA, the pick above the nt threshold.
enum : unsigned { kPick = 1u, kPickNt = 2u };

template <typename Fn>
struct TableRow {
  const char* name;  // the full symbol
  enum twopass_isa isa;
  Fn fn;
  unsigned picks;  // kPick | kPickNt
};

// The tables as constexpr arrays, kTable_<member>; a trailing sentinel keeps them
// non-empty while a family has no kernels yet.
#define TWOPASS_UKERNEL(isa, ukernel, tile) {#ukernel, twopass_isa_##isa, ukernel, 0u},
#define TWOPASS_UKERNEL_DEFAULT(isa, ukernel, tile) \
  {#ukernel, twopass_isa_##isa, ukernel, kPick},
#define TWOPASS_UKERNEL_DEFAULT_NT(isa, ukernel, tile) \
  {#ukernel, twopass_isa_##isa, ukernel, kPickNt},
#define TWOPASS_UKERNEL_DEFAULT_BOTH(isa, ukernel, tile) \
  {#ukernel, twopass_isa_##isa, ukernel, kPick | kPickNt},
#define TWOPASS_FAMILY(member, fn_type, family_name) \
  constexpr TableRow<fn_type> kTable_##member[] = {
#define TWOPASS_FAMILY_NT(member, nt_member, fn_type, family_name) \
  TWOPASS_FAMILY(member, fn_type, family_name)
#define TWOPASS_FAMILY_END {nullptr, twopass_isa_scalar, nullptr, 0u}};
#include "twopass/families.h"

// True when every ISA with rows in `table` has exactly one row marked `mark`
// (`wanted`), or when no row is marked `mark` (!wanted).
template <typename Fn, size_t N>
constexpr bool PicksValid(const TableRow<Fn> (&table)[N], unsigned mark, bool wanted) {
  for (int isa = 0; isa < TWOPASS_ISA_COUNT; isa++) {
    int rows = 0;
    int marked = 0;
    for (size_t i = 0; i + 1 < N; i++) {  // N - 1: skip the sentinel
      if (static_cast<int>(table[i].isa) != isa) continue;
      rows++;
      if ((table[i].picks & mark) != 0) marked++;
    }
    if (marked != (wanted && rows > 0 ? 1 : 0)) return false;
  }
  return true;
}

#define TWOPASS_CHECK_PICKS(member, family_name, has_nt)                                  \
  static_assert(PicksValid(kTable_##member, kPick, true),                                 \
                family_name ": every ISA with rows needs exactly one row marked "          \
                            "TWOPASS_UKERNEL_DEFAULT or TWOPASS_UKERNEL_DEFAULT_BOTH");    \
  static_assert(PicksValid(kTable_##member, kPickNt, has_nt),                             \
                family_name ": with an nt member (TWOPASS_FAMILY_NT in families.h), every " \
                            "ISA with rows needs exactly one row marked "                  \
                            "TWOPASS_UKERNEL_DEFAULT_NT or _DEFAULT_BOTH; without, none");
#define TWOPASS_UKERNEL(isa, ukernel, tile)
#define TWOPASS_FAMILY(member, fn_type, family_name) \
  TWOPASS_CHECK_PICKS(member, family_name, false)
#define TWOPASS_FAMILY_NT(member, nt_member, fn_type, family_name) \
  TWOPASS_CHECK_PICKS(member, family_name, true)
#define TWOPASS_FAMILY_END
#include "twopass/families.h"
#undef TWOPASS_CHECK_PICKS

// The kernel of one family for `isa`: the row marked `mark` of that ISA, falling back
// to lower ISAs while the family has no rows for it. Returns false when there is none
// at all.
template <typename Fn, size_t N>
bool Select(const TableRow<Fn> (&table)[N], unsigned mark, enum twopass_isa isa,
            const char* family, SelectedKernel<Fn>* out) {
  for (int level = static_cast<int>(isa); level >= 0; level--) {
    const enum twopass_isa candidate = static_cast<enum twopass_isa>(level);
    for (size_t i = 0; i + 1 < N; i++) {  // N - 1: skip the sentinel
      const TableRow<Fn>& row = table[i];
      if (row.isa != candidate || (row.picks & mark) == 0) continue;
      if (candidate != isa) {
        TWOPASS_LOG_INFO("no %s kernel for %s; using %s", twopass_isa_to_string(isa), family,
                         row.name);
      }
      *out = SelectedKernel<Fn>{row.fn, row.name, candidate};
      return true;
    }
  }
  TWOPASS_LOG_ERROR("no kernel for %s at or below %s", family, twopass_isa_to_string(isa));
  return false;
}

bool BuildConfig(enum twopass_isa isa, KernelConfig* config) {
  config->isa = isa;
  bool ok = true;
  // Evaluate all, so every missing family is logged.
#define TWOPASS_UKERNEL(isa, ukernel, tile)
#define TWOPASS_FAMILY(member, fn_type, family_name) \
  ok &= Select(kTable_##member, kPick, isa, family_name, &config->member);
#define TWOPASS_FAMILY_NT(member, nt_member, fn_type, family_name) \
  TWOPASS_FAMILY(member, fn_type, family_name)                     \
  ok &= Select(kTable_##member, kPickNt, isa, family_name " (nt)", &config->nt_member);
#define TWOPASS_FAMILY_END
#include "twopass/families.h"
  return ok;
}

struct ConfigSlot {
  KernelConfig config;
  bool valid;
};

std::atomic<const KernelConfig*> g_active{nullptr};

// Output size above which the last pass uses the *_nt picks (TWOPASS_UKERNEL_DEFAULT_NT).
// Measured 2026-11-24 on the 2-vCPU AMD EPYC (Zen 4 class) KVM guest, AVX2, L3 32 MiB:
// `twopass-bench --isa avx2 --algorithms two-pass,three-pass-reload`, 3 runs x 15
// samples per binary, binaries alternating; two-pass ns/element, medians, regular ->
// streamed (threshold forced to 0 for the in-cache rows):
//   in cache: 1 x 2^16..2^22 0.60-0.62 -> 0.62 (2-4% slower), 1000 x 128 0.84 -> 0.86;
//   1 thread: 1 x 2^23 0.637 -> 0.616, 1 x 2^24 0.638 -> 0.612, 1 x 67000000 0.622 ->
//     0.611, 65536 x 1000 0.657 -> 0.655, 1 x 2^26 0.807 -> 0.618,
//     131072 x 512 0.857 -> 0.675;
//   2 threads: 1 x 2^26 0.419 -> 0.325, 1 x 67000000 0.366 -> 0.327 (noisy).
// So streaming gains 1-4% on out-of-cache outputs in general (the avx2 kernels are
// compute-bound here), and 20-30% where input and output lie a multiple of 2^28 bytes
// apart (power-of-two rows in the benchmark's one arena): there regular stores conflict
// (the no-math floor kernel takes 0.49 instead of 0.39 ns/element) and streamed ones
// do not. Both gains need the fence per pool task instead of per kernel call (with a
// fence per call, 65536 x 1000 was 11% slower than regular stores, and the others
// 2-3%), and tasks of >= 16384 elements (src/runner.cc, kStreamTaskElements).
// The threshold is this machine's L3, 32 MiB: smaller outputs can still be in cache
// when the caller reads them (streaming evicts them). A constant, not cpuinfo's L3:
// the Zen 5 VMs report the host's 508 MiB there while holding 16-32 MiB effectively.
constexpr size_t kDefaultNtThresholdBytes = size_t{32} << 20;

std::atomic<size_t> g_nt_threshold{kDefaultNtThresholdBytes};

}  // namespace

const KernelConfig* GetKernelConfig(enum twopass_isa isa) {
  // Bits, not an enum load: values outside 0..3 are undefined as the enum in C++.
  int index;
  memcpy(&index, &isa, sizeof(index));
  if (index < 0 || index >= TWOPASS_ISA_COUNT) return nullptr;
  // Built once, on first use; immutable afterwards.
  static const ConfigSlot* const slots = [] {
    static ConfigSlot storage[TWOPASS_ISA_COUNT];
    for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
      storage[i].valid = BuildConfig(static_cast<enum twopass_isa>(i), &storage[i].config);
    }
    return storage;
  }();
  return slots[index].valid ? &slots[index].config : nullptr;
}

void LogKernelConfig(const KernelConfig& config) {
  if (!LogEnabled(LogLevel::kInfo)) return;
  // The picks in the order of twopass/families.h, then the nt picks.
  std::string regular;
  std::string streamed;
  const auto add = [](std::string* list, const char* symbol) {
    if (!list->empty()) list->append(", ");
    list->append(symbol);
  };
#define TWOPASS_UKERNEL(isa, ukernel, tile)
#define TWOPASS_FAMILY(member, fn_type, family_name) add(&regular, config.member.name);
#define TWOPASS_FAMILY_NT(member, nt_member, fn_type, family_name) \
  TWOPASS_FAMILY(member, fn_type, family_name)                     \
  add(&streamed, config.nt_member.name);
#define TWOPASS_FAMILY_END
#include "twopass/families.h"
  TWOPASS_LOG_INFO("ISA %s; kernels: %s; above %zu bytes of output: %s",
                   twopass_isa_to_string(config.isa), regular.c_str(), NtThresholdBytes(),
                   streamed.c_str());
}

enum twopass_status ResolveMaxIsa(const char* max_isa, enum twopass_isa best_supported,
                                  enum twopass_isa* isa) {
  if (max_isa == nullptr) {
    *isa = best_supported;
    return twopass_status_success;
  }
  enum twopass_isa requested;
  if (!twopass_isa_from_string(max_isa, &requested)) {
    TWOPASS_LOG_ERROR("initialize: TWOPASS_MAX_ISA (\"%.64s\") is not one of "
                      "scalar|sse2|avx2|avx512f",
                      max_isa);
    return twopass_status_invalid_parameter;
  }
  if (static_cast<int>(requested) > static_cast<int>(best_supported)) {
    TWOPASS_LOG_ERROR("initialize: TWOPASS_MAX_ISA (%s) is not supported by this CPU "
                      "(best: %s)",
                      twopass_isa_to_string(requested), twopass_isa_to_string(best_supported));
    return twopass_status_unsupported_hardware;
  }
  *isa = requested;
  return twopass_status_success;
}

const KernelConfig* ActiveKernelConfig() { return g_active.load(std::memory_order_acquire); }

void SetActiveKernelConfig(const KernelConfig* config) {
  g_active.store(config, std::memory_order_release);
}

size_t NtThresholdBytes() { return g_nt_threshold.load(std::memory_order_relaxed); }

}  // namespace twopass

extern "C" enum twopass_status twopass_internal_set_isa(enum twopass_isa isa) {
  if (twopass::ActiveKernelConfig() == nullptr) {
    TWOPASS_LOG_ERROR("internal_set_isa: library not initialized");
    return twopass_status_uninitialized;
  }
  // Bits, not an enum load: values outside 0..3 are undefined as the enum in C++.
  int index;
  memcpy(&index, &isa, sizeof(index));
  if (index < 0 || index >= TWOPASS_ISA_COUNT) {
    TWOPASS_LOG_ERROR("internal_set_isa: isa (%d) is not an ISA", index);
    return twopass_status_invalid_parameter;
  }
  if (!twopass_isa_supported(isa)) {
    TWOPASS_LOG_ERROR("internal_set_isa: isa (%s) is not supported by this CPU",
                      twopass_isa_to_string(isa));
    return twopass_status_unsupported_hardware;
  }
  const twopass::KernelConfig* config = twopass::GetKernelConfig(isa);
  if (config == nullptr) return twopass_status_unsupported_hardware;
  twopass::SetActiveKernelConfig(config);
  twopass::LogKernelConfig(*config);
  return twopass_status_success;
}

extern "C" size_t twopass_internal_set_nt_threshold(size_t bytes) {
  return twopass::g_nt_threshold.exchange(bytes, std::memory_order_relaxed);
}
