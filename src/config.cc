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
  const char* rmax;
  const char* raddstoreexpminusmax;
  const char* vscale;
  const char* raddexpminusmax;
  const char* vscaleexpminusmax;
  const char* f16_raddextexp;
  const char* f16_vscaleextexp;
};

constexpr Choice kChoices[TWOPASS_ISA_COUNT] = {
    // raddextexp, vscaleextexp, rmax, raddstoreexpminusmax, vscale, raddexpminusmax,
    // vscaleexpminusmax, f16_raddextexp, f16_vscaleextexp (the f16 picks mirror f32's:
    // same templates and tiles; see src/f16-*/f16-*.inc)
    /* scalar  */ {"scalar_p5_u8_acc8", "scalar_p5_u4", "", "", "", "", "", "scalar_p5_u8_acc8",
                   "scalar_p5_u4"},
    /* sse2    */ {"sse2_p5_u32_acc4", "sse2_p5_u16", "", "", "", "", "", "sse2_p5_u32_acc4",
                   "sse2_p5_u16"},
    /* avx2    */ {"avx2_p5_u64_acc2", "avx2_p5_u32", "", "", "", "", "", "avx2_p5_u64_acc2",
                   "avx2_p5_u32"},
    /* avx512f */ {"avx512f_p5_u144_acc3", "avx512f_p5_u128", "", "", "", "", "",
                   "avx512f_p5_u144_acc3", "avx512f_p5_u128"},
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
static_assert(ChoicesValid(kRmax, &Choice::rmax), "kChoices: unknown rmax");
static_assert(ChoicesValid(kRaddstoreexpminusmax, &Choice::raddstoreexpminusmax),
              "kChoices: unknown raddstoreexpminusmax");
static_assert(ChoicesValid(kVscale, &Choice::vscale), "kChoices: unknown vscale");
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
  ok &= Select(kRmax, &Choice::rmax, isa, "f32-rmax", &config->rmax);
  ok &= Select(kRaddstoreexpminusmax, &Choice::raddstoreexpminusmax, isa,
               "f32-raddstoreexpminusmax", &config->raddstoreexpminusmax);
  ok &= Select(kVscale, &Choice::vscale, isa, "f32-vscale", &config->vscale);
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

}  // namespace

const KernelConfig* GetKernelConfig(enum twopass_isa isa) {
  const int index = static_cast<int>(isa);
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
  TWOPASS_LOG_INFO("ISA %s; kernels: %s, %s, %s, %s, %s, %s, %s, %s, %s",
                   twopass_isa_to_string(config.isa), config.raddextexp.name,
                   config.vscaleextexp.name, config.rmax.name, config.raddstoreexpminusmax.name,
                   config.vscale.name, config.raddexpminusmax.name,
                   config.vscaleexpminusmax.name, config.f16_raddextexp.name,
                   config.f16_vscaleextexp.name);
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

}  // namespace twopass

extern "C" enum twopass_status twopass_internal_set_isa(enum twopass_isa isa) {
  if (twopass::ActiveKernelConfig() == nullptr) {
    TWOPASS_LOG_ERROR("internal_set_isa: library not initialized");
    return twopass_status_uninitialized;
  }
  const int index = static_cast<int>(isa);
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
