// ISA detection for the emulated-AVX512F test builds of the library
// (build_defs.bzl, twopass_avx512f_emulated_library): src/isa.cc is compiled there
// with its two detection functions renamed to twopass_cpu_isa_supported and
// twopass_cpu_isa_best_supported, and these take their place. The emulated avx512f
// kernels are AVX2 + FMA + F16C code (third_party/simde-shim/immintrin.h), so
// "avx512f" is available exactly when avx2 is; the other levels are the CPU's.
#include "twopass/isa.h"

extern "C" int twopass_cpu_isa_supported(enum twopass_isa isa);

extern "C" int twopass_isa_supported(enum twopass_isa isa) {
  if (isa == twopass_isa_avx512f) return twopass_cpu_isa_supported(twopass_isa_avx2);
  return twopass_cpu_isa_supported(isa);
}

extern "C" enum twopass_isa twopass_isa_best_supported(void) {
  for (int i = TWOPASS_ISA_COUNT - 1; i > 0; i--) {
    if (twopass_isa_supported(static_cast<enum twopass_isa>(i))) {
      return static_cast<enum twopass_isa>(i);
    }
  }
  return twopass_isa_scalar;
}
