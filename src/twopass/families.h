// The kernel families a KernelConfig holds, as one list (an X-macro). Adding a family
// to the operators' configuration is one entry here, plus its table
// src/<family>/<family>.inc (with its picks marked, see ukernel-table-begin.h), its
// signature and declarations in microkernels.h and its name in UKERNEL_FAMILIES
// (BUILD.bazel); KernelConfig (config.h), the
// selection, its compile-time checks and its log line (config.cc) and
// //test:kernel_config_test follow from this list.
//
// An entry is three lines:
//   TWOPASS_FAMILY(member, fn_type, family_name)   or
//   TWOPASS_FAMILY_NT(member, nt_member, fn_type, family_name)
//   #include "<family>/<family>.inc"               the table: its rows
//   TWOPASS_FAMILY_END
// member: the KernelConfig member that holds the family's pick for the config's ISA;
// nt_member: a second member, the pick above the non-temporal output threshold
// (NtThresholdBytes(); marked TWOPASS_UKERNEL_DEFAULT_NT or _DEFAULT_BOTH in the
// table); fn_type: the kernel pointer type; family_name: the folder name, a string
// (for logs). The order is KernelConfig's member order and the log line's order.
//
// The includer defines TWOPASS_FAMILY, TWOPASS_FAMILY_NT, TWOPASS_FAMILY_END and
// TWOPASS_UKERNEL (empty when it needs no rows; the pick markers then default to it),
// and optionally the markers TWOPASS_UKERNEL_DEFAULT, _DEFAULT_NT and _DEFAULT_BOTH;
// this file undefines all of them at its end. No include guard.

// Two-pass.
TWOPASS_FAMILY(raddextexp, twopass_f32_raddextexp_ukernel_fn, "f32-raddextexp")
#include "f32-raddextexp/f32-raddextexp.inc"
TWOPASS_FAMILY_END
// Pass 2 streams its output above the threshold (bitwise the same results).
TWOPASS_FAMILY_NT(vscaleextexp, vscaleextexp_nt, twopass_f32_vscaleextexp_ukernel_fn,
                  "f32-vscaleextexp")
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
TWOPASS_FAMILY_END

// Three-pass, both forms (recompute is also the fallback for huge rows).
TWOPASS_FAMILY(rmax, twopass_f32_rmax_ukernel_fn, "f32-rmax")
#include "f32-rmax/f32-rmax.inc"
TWOPASS_FAMILY_END
TWOPASS_FAMILY(raddstoreexpminusmax, twopass_f32_raddstoreexpminusmax_ukernel_fn,
               "f32-raddstoreexpminusmax")
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
TWOPASS_FAMILY_END
TWOPASS_FAMILY_NT(vscale, vscale_nt, twopass_f32_vscale_ukernel_fn, "f32-vscale")
#include "f32-vscale/f32-vscale.inc"
TWOPASS_FAMILY_END
TWOPASS_FAMILY(raddexpminusmax, twopass_f32_raddexpminusmax_ukernel_fn, "f32-raddexpminusmax")
#include "f32-raddexpminusmax/f32-raddexpminusmax.inc"
TWOPASS_FAMILY_END
TWOPASS_FAMILY(vscaleexpminusmax, twopass_f32_vscaleexpminusmax_ukernel_fn,
               "f32-vscaleexpminusmax")
#include "f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc"
TWOPASS_FAMILY_END

// Two-pass on half-precision data (f32 arithmetic). The f16 operator's three-pass
// paths widen pieces of a row and reuse the f32 three-pass kernels above.
TWOPASS_FAMILY(f16_raddextexp, twopass_f16_raddextexp_ukernel_fn, "f16-raddextexp")
#include "f16-raddextexp/f16-raddextexp.inc"
TWOPASS_FAMILY_END
TWOPASS_FAMILY(f16_vscaleextexp, twopass_f16_vscaleextexp_ukernel_fn, "f16-vscaleextexp")
#include "f16-vscaleextexp/f16-vscaleextexp.inc"
TWOPASS_FAMILY_END

// Log-softmax pass 2 (pass 1 is two-pass's raddextexp), f32 and f16.
TWOPASS_FAMILY_NT(vsublse, vsublse_nt, twopass_f32_vsublse_ukernel_fn, "f32-vsublse")
#include "f32-vsublse/f32-vsublse.inc"
TWOPASS_FAMILY_END
TWOPASS_FAMILY(f16_vsublse, twopass_f16_vsublse_ukernel_fn, "f16-vsublse")
#include "f16-vsublse/f16-vsublse.inc"
TWOPASS_FAMILY_END

// Scale and mask (issue 13): the chunk's scale * x + mask into a buffer, f32 and f16.
TWOPASS_FAMILY(vscaleadd, twopass_f32_vscaleadd_ukernel_fn, "f32-vscaleadd")
#include "f32-vscaleadd/f32-vscaleadd.inc"
TWOPASS_FAMILY_END
TWOPASS_FAMILY(f16_vscaleadd, twopass_f16_vscaleadd_ukernel_fn, "f16-vscaleadd")
#include "f16-vscaleadd/f16-vscaleadd.inc"
TWOPASS_FAMILY_END

// f16 results of the paths that compute in an f32 buffer, rounded to halves.
TWOPASS_FAMILY(f32_f16_vcvt, twopass_f32_f16_vcvt_ukernel_fn, "f32-f16-vcvt")
#include "f32-f16-vcvt/f32-f16-vcvt.inc"
TWOPASS_FAMILY_END

// Three-pass-reload of a short row in one call (used on AVX512F: twopass/softmax-plan.h).
TWOPASS_FAMILY(softmaxrow, twopass_f32_softmaxrow_ukernel_fn, "f32-softmaxrow")
#include "f32-softmaxrow/f32-softmaxrow.inc"
TWOPASS_FAMILY_END

#undef TWOPASS_FAMILY
#undef TWOPASS_FAMILY_NT
#undef TWOPASS_FAMILY_END
#undef TWOPASS_UKERNEL
#undef TWOPASS_UKERNEL_DEFAULT
#undef TWOPASS_UKERNEL_DEFAULT_NT
#undef TWOPASS_UKERNEL_DEFAULT_BOTH
