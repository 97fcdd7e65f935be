// Kernel selection per ISA.
//
// To switch an ISA to another variant, edit its line in kChoices below: the name is
// the symbol's part after "__" (what the kernel tables and benchmarks call the
// variant). The kernel helpers record the recommended variant, with measurements, in
// a comment at the top of each src/<family>/<family>.inc. A name that is not in the
// table fails to compile (static_assert). An empty name takes the first variant the
// table lists for that ISA, and a family with no variant for an ISA falls back to the
// best lower ISA that has one (logged at info level).
#include "twopass/config.h"

#include <string.h>

#include <atomic>

#include "twopass/log.h"
#include "twopass/ukernel-list.h"

namespace twopass {
namespace {

// Tables as constexpr arrays; a trailing sentinel keeps them non-empty while a
// family has no kernels yet.
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)

constexpr UkernelInfo<twopass_f32_raddextexp_ukernel_fn> kRaddextexp[] = {
#include "f32-raddextexp/f32-raddextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f32_vscaleextexp_ukernel_fn> kVscaleextexp[] = {
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f32_rmax_ukernel_fn> kRmax[] = {
#include "f32-rmax/f32-rmax.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f32_raddstoreexpminusmax_ukernel_fn> kRaddstoreexpminusmax[] = {
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f32_vscale_ukernel_fn> kVscale[] = {
#include "f32-vscale/f32-vscale.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f32_raddexpminusmax_ukernel_fn> kRaddexpminusmax[] = {
#include "f32-raddexpminusmax/f32-raddexpminusmax.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f32_vscaleexpminusmax_ukernel_fn> kVscaleexpminusmax[] = {
#include "f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f16_raddextexp_ukernel_fn> kF16Raddextexp[] = {
#include "f16-raddextexp/f16-raddextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
constexpr UkernelInfo<twopass_f16_vscaleextexp_ukernel_fn> kF16Vscaleextexp[] = {
#include "f16-vscaleextexp/f16-vscaleextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};

#undef TWOPASS_UKERNEL

// The variant each ISA uses, per family ("" = the first one listed for that ISA).
// Two-pass picks as recommended (with measurements) in the .inc tables of 2026-11-24;
// the three-pass families had no recommendation yet.
struct Choice {
  const char* raddextexp;
  const char* vscaleextexp;
  const char* vscaleextexp_nt;
  const char* rmax;
  const char* raddstoreexpminusmax;
  const char* vscale;
  const char* vscale_nt;
  const char* raddexpminusmax;
  const char* vscaleexpminusmax;
  const char* f16_raddextexp;
  const char* f16_vscaleextexp;
};

// The *_nt fields name the kernel the last pass uses when a run writes more than
// NtThresholdBytes() (see kDefaultNtThresholdBytes below for the measurements): the
// non-temporal variant where it pays, else the regular pick again ("" = the first
// listed = a regular one). scalar and sse2 have no nt variants. Two-pass pass 2
// streams on avx2 (measured) and avx512f (not measured: no AVX512 machine; its pass 2
// is cheaper, so closer to memory-bound, where streaming pays most). The in-place
// scale pass of three-pass-reload never streams: it was 8-28% slower (each line was
// just loaded, so there is no read for ownership to save).
constexpr Choice kChoices[TWOPASS_ISA_COUNT] = {
    // raddextexp, vscaleextexp, vscaleextexp_nt, rmax, raddstoreexpminusmax, vscale,
    // vscale_nt, raddexpminusmax, vscaleexpminusmax, f16_raddextexp, f16_vscaleextexp
    // (the f16 picks mirror f32's: same templates and tiles; see src/f16-*/f16-*.inc)
    /* scalar  */ {"scalar_p5_u8_acc8", "scalar_p5_u4", "scalar_p5_u4", "", "", "", "", "", "",
                   "scalar_p5_u8_acc8", "scalar_p5_u4"},
    /* sse2    */ {"sse2_p5_u32_acc4", "sse2_p5_u16", "sse2_p5_u16", "", "", "", "", "", "",
                   "sse2_p5_u32_acc4", "sse2_p5_u16"},
    /* avx2    */ {"avx2_p5_u64_acc2", "avx2_p5_u32", "avx2_p5_u32_nt", "", "", "", "", "", "",
                   "avx2_p5_u64_acc2", "avx2_p5_u32"},
    /* avx512f */ {"avx512f_p5_u128_acc2", "avx512f_p5_u128", "avx512f_p5_u128_nt", "", "", "",
                   "", "", "", "avx512f_p5_u128_acc2", "avx512f_p5_u128"},
};

// True when the symbol `symbol` ends in "__" + variant.
constexpr bool SymbolHasVariant(const char* symbol, const char* variant) {
  size_t start = 0;
  for (size_t i = 0; symbol[i] != '\0'; i++) {
    if (symbol[i] == '_' && symbol[i + 1] == '_') start = i + 2;
  }
  for (size_t i = 0;; i++) {
    if (symbol[start + i] != variant[i]) return false;
    if (variant[i] == '\0') return true;
  }
}

// Index of the kernel for `isa`: the named variant, or the first of that ISA for "".
// -1 when there is none.
template <typename Fn, size_t N>
constexpr int FindKernel(const UkernelInfo<Fn> (&list)[N], enum twopass_isa isa,
                         const char* variant) {
  for (size_t i = 0; i + 1 < N; i++) {  // N - 1: skip the sentinel
    if (list[i].isa != isa) continue;
    if (variant[0] == '\0' || SymbolHasVariant(list[i].name, variant)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// A named variant must exist in its table, under that ISA.
template <typename Fn, size_t N>
constexpr bool ChoicesValid(const UkernelInfo<Fn> (&list)[N], const char* Choice::*field) {
  for (int isa = 0; isa < TWOPASS_ISA_COUNT; isa++) {
    const char* variant = kChoices[isa].*field;
    if (variant[0] != '\0' && FindKernel(list, static_cast<enum twopass_isa>(isa), variant) < 0) {
      return false;
    }
  }
  return true;
}

static_assert(ChoicesValid(kRaddextexp, &Choice::raddextexp), "kChoices: unknown raddextexp");
static_assert(ChoicesValid(kVscaleextexp, &Choice::vscaleextexp),
              "kChoices: unknown vscaleextexp");
static_assert(ChoicesValid(kVscaleextexp, &Choice::vscaleextexp_nt),
              "kChoices: unknown vscaleextexp_nt");
static_assert(ChoicesValid(kRmax, &Choice::rmax), "kChoices: unknown rmax");
static_assert(ChoicesValid(kRaddstoreexpminusmax, &Choice::raddstoreexpminusmax),
              "kChoices: unknown raddstoreexpminusmax");
static_assert(ChoicesValid(kVscale, &Choice::vscale), "kChoices: unknown vscale");
static_assert(ChoicesValid(kVscale, &Choice::vscale_nt), "kChoices: unknown vscale_nt");
static_assert(ChoicesValid(kRaddexpminusmax, &Choice::raddexpminusmax),
              "kChoices: unknown raddexpminusmax");
static_assert(ChoicesValid(kVscaleexpminusmax, &Choice::vscaleexpminusmax),
              "kChoices: unknown vscaleexpminusmax");
static_assert(ChoicesValid(kF16Raddextexp, &Choice::f16_raddextexp),
              "kChoices: unknown f16_raddextexp");
static_assert(ChoicesValid(kF16Vscaleextexp, &Choice::f16_vscaleextexp),
              "kChoices: unknown f16_vscaleextexp");

// The kernel of one family for `isa`, falling back to lower ISAs while the family
// has no variant for it. Returns false when there is none at all.
template <typename Fn, size_t N>
bool Select(const UkernelInfo<Fn> (&list)[N], const char* Choice::*field,
            enum twopass_isa isa, const char* family, SelectedKernel<Fn>* out) {
  for (int level = static_cast<int>(isa); level >= 0; level--) {
    const enum twopass_isa candidate = static_cast<enum twopass_isa>(level);
    const int index = FindKernel(list, candidate, kChoices[level].*field);
    if (index >= 0) {
      if (candidate != isa) {
        TWOPASS_LOG_INFO("no %s kernel for %s; using %s", twopass_isa_to_string(isa), family,
                         list[index].name);
      }
      *out = SelectedKernel<Fn>{list[index].fn, list[index].name, candidate};
      return true;
    }
  }
  TWOPASS_LOG_ERROR("no kernel for %s at or below %s", family, twopass_isa_to_string(isa));
  return false;
}

bool BuildConfig(enum twopass_isa isa, KernelConfig* config) {
  config->isa = isa;
  // Evaluate all, so every missing family is logged.
  bool ok = Select(kRaddextexp, &Choice::raddextexp, isa, "f32-raddextexp", &config->raddextexp);
  ok &= Select(kVscaleextexp, &Choice::vscaleextexp, isa, "f32-vscaleextexp",
               &config->vscaleextexp);
  ok &= Select(kVscaleextexp, &Choice::vscaleextexp_nt, isa, "f32-vscaleextexp (nt)",
               &config->vscaleextexp_nt);
  ok &= Select(kRmax, &Choice::rmax, isa, "f32-rmax", &config->rmax);
  ok &= Select(kRaddstoreexpminusmax, &Choice::raddstoreexpminusmax, isa,
               "f32-raddstoreexpminusmax", &config->raddstoreexpminusmax);
  ok &= Select(kVscale, &Choice::vscale, isa, "f32-vscale", &config->vscale);
  ok &= Select(kVscale, &Choice::vscale_nt, isa, "f32-vscale (nt)", &config->vscale_nt);
  ok &= Select(kRaddexpminusmax, &Choice::raddexpminusmax, isa, "f32-raddexpminusmax",
               &config->raddexpminusmax);
  ok &= Select(kVscaleexpminusmax, &Choice::vscaleexpminusmax, isa, "f32-vscaleexpminusmax",
               &config->vscaleexpminusmax);
  ok &= Select(kF16Raddextexp, &Choice::f16_raddextexp, isa, "f16-raddextexp",
               &config->f16_raddextexp);
  ok &= Select(kF16Vscaleextexp, &Choice::f16_vscaleextexp, isa, "f16-vscaleextexp",
               &config->f16_vscaleextexp);
  return ok;
}

struct ConfigSlot {
  KernelConfig config;
  bool valid;
};

std::atomic<const KernelConfig*> g_active{nullptr};

// Output size above which the last pass uses the *_nt kernels of kChoices.
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
  TWOPASS_LOG_INFO("ISA %s; kernels: %s, %s, %s, %s, %s, %s, %s, %s, %s; above %zu bytes "
                   "of output: %s, %s",
                   twopass_isa_to_string(config.isa), config.raddextexp.name,
                   config.vscaleextexp.name, config.rmax.name, config.raddstoreexpminusmax.name,
                   config.vscale.name, config.raddexpminusmax.name,
                   config.vscaleexpminusmax.name, config.f16_raddextexp.name,
                   config.f16_vscaleextexp.name, NtThresholdBytes(), config.vscaleextexp_nt.name,
                   config.vscale_nt.name);
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
