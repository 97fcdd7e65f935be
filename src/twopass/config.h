// Kernel selection: which variant of each kernel family every ISA uses (the one its
// table marks, see twopass/ukernel-table-begin.h), and the selection currently in
// effect (set by twopass_initialize()).
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

// Everything an operator needs to run on one ISA: per kernel family of
// twopass/families.h, the variant its table marks as the pick for that ISA (or, while
// a family has no variant for it, the best lower ISA's pick), and for the families
// with non-temporal variants the pick above NtThresholdBytes() as well (bitwise the
// same results). Instances are immutable and live for the whole process, so
// operators keep a plain pointer. Members, from the list: isa, raddextexp,
// vscaleextexp, vscaleextexp_nt, rmax, raddstoreexpminusmax, vscale, vscale_nt,
// raddexpminusmax, vscaleexpminusmax, f16_raddextexp, f16_vscaleextexp, each a
// SelectedKernel of its family's kernel type.
struct KernelConfig {
  enum twopass_isa isa;
#define TWOPASS_FAMILY(member, fn_type, family_name) SelectedKernel<fn_type> member;
#define TWOPASS_FAMILY_NT(member, nt_member, fn_type, family_name) \
  SelectedKernel<fn_type> member;                                  \
  SelectedKernel<fn_type> nt_member;
#define TWOPASS_FAMILY_END
#define TWOPASS_UKERNEL(isa, ukernel, tile)
#include "twopass/families.h"
};

// The kernels for `isa` (the marked pick per family, see config.cc), or nullptr
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
