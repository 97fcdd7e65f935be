// Kernel selection: which variant of each kernel family every ISA uses, and the
// selection currently in effect (set by twopass_initialize()).
#pragma once

#include <stddef.h>

#include "twopass.h"
#include "twopass/isa.h"
#include "twopass/microkernels.h"

namespace twopass {

// One kernel of a family together with its symbol name (for logs and tests).
template <typename Fn>
struct SelectedKernel {
  Fn fn;
  const char* name;
  enum twopass_isa isa;  // may be below the config's ISA while a family lacks variants
};

// Everything an operator needs to run on one ISA. Instances are immutable and live
// for the whole process, so operators keep a plain pointer.
struct KernelConfig {
  enum twopass_isa isa;
  // Two-pass.
  SelectedKernel<twopass_f32_raddextexp_ukernel_fn> raddextexp;
  SelectedKernel<twopass_f32_vscaleextexp_ukernel_fn> vscaleextexp;
  // The same with non-temporal stores (bitwise the same results), for outputs above
  // NtThresholdBytes(); the regular kernel on ISAs without an nt variant.
  SelectedKernel<twopass_f32_vscaleextexp_ukernel_fn> vscaleextexp_nt;
  // Three-pass, both forms (recompute is also the fallback for huge rows).
  SelectedKernel<twopass_f32_rmax_ukernel_fn> rmax;
  SelectedKernel<twopass_f32_raddstoreexpminusmax_ukernel_fn> raddstoreexpminusmax;
  SelectedKernel<twopass_f32_vscale_ukernel_fn> vscale;
  SelectedKernel<twopass_f32_vscale_ukernel_fn> vscale_nt;  // like vscaleextexp_nt
  SelectedKernel<twopass_f32_raddexpminusmax_ukernel_fn> raddexpminusmax;
  SelectedKernel<twopass_f32_vscaleexpminusmax_ukernel_fn> vscaleexpminusmax;
  // Two-pass on half-precision data (f32 arithmetic). The f16 operator's three-pass
  // paths widen pieces of a row and reuse the f32 three-pass kernels above.
  SelectedKernel<twopass_f16_raddextexp_ukernel_fn> f16_raddextexp;
  SelectedKernel<twopass_f16_vscaleextexp_ukernel_fn> f16_vscaleextexp;
};

// The kernels for `isa` (the chosen variant per family, see config.cc), or nullptr
// when some family has no kernel at or below `isa`. Does not check the CPU.
const KernelConfig* GetKernelConfig(enum twopass_isa isa);

// Logs the ISA and the kernels of `config` at info level.
void LogKernelConfig(const KernelConfig& config);

// Decides the ISA from the value of TWOPASS_MAX_ISA (NULL: unset) and the best ISA
// the CPU supports. Unknown name: logs an error, returns invalid_parameter. An ISA
// above `best_supported`: logs an error, returns unsupported_hardware.
enum twopass_status ResolveMaxIsa(const char* max_isa, enum twopass_isa best_supported,
                                  enum twopass_isa* isa);

// The kernels new operators get; nullptr before a successful twopass_initialize().
const KernelConfig* ActiveKernelConfig();
void SetActiveKernelConfig(const KernelConfig* config);

// Operators whose run writes more than this many bytes of output use the nt kernels
// for their last pass (see kDefaultNtThresholdBytes in config.cc for the measurements).
size_t NtThresholdBytes();

}  // namespace twopass

#ifdef __cplusplus
extern "C" {
#endif

// Internal, for tests and benchmarks (not in the public header): selects the kernels
// of `isa` for operators created afterwards (existing operators keep theirs).
// Returns uninitialized before twopass_initialize(), invalid_parameter for a value
// that is no ISA, unsupported_hardware when the CPU lacks `isa`.
enum twopass_status twopass_internal_set_isa(enum twopass_isa isa);

// Internal, for tests and benchmarks: sets NtThresholdBytes() (0: every f32 operator
// streams its output; SIZE_MAX: none does) and returns the previous value. Takes
// effect at the next reshape of an operator (the decision is part of its run context,
// so it may change at any time). Results are bitwise the same.
size_t twopass_internal_set_nt_threshold(size_t bytes);

// Internal, for benchmarks: the algorithm a reshaped operator runs ("two-pass",
// "three-pass-reload", "three-pass-recompute"; the automatic choice resolved), or
// NULL for a handle that is not a live, reshaped softmax operator.
const char* twopass_internal_operator_algorithm(twopass_operator_t op);

#ifdef __cplusplus
}  // extern "C"
#endif
