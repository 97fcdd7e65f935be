// Instruction-set levels TwoPass has kernels for, and their runtime detection.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Ordered: each level implies the ones before it on the CPUs we support.
enum twopass_isa {
  twopass_isa_scalar = 0,   // portable C++, no intrinsics
  twopass_isa_sse2 = 1,     // SSE2 only (no FMA, no roundps)
  twopass_isa_avx2 = 2,     // AVX2 + FMA3 + F16C
  twopass_isa_avx512f = 3,  // AVX512F
};

#define TWOPASS_ISA_COUNT 4

// Short lower-case name ("scalar", "sse2", "avx2", "avx512f").
const char* twopass_isa_to_string(enum twopass_isa isa);

// Parses a name as above; returns 1 and stores the level on success, 0 otherwise.
int twopass_isa_from_string(const char* name, enum twopass_isa* isa);

// 1 when this CPU (and OS) can run kernels of this level. Initializes cpuinfo on
// first use; returns 0 for every level but scalar if cpuinfo cannot initialize.
int twopass_isa_supported(enum twopass_isa isa);

// Highest level this CPU supports.
enum twopass_isa twopass_isa_best_supported(void);

#ifdef __cplusplus
}  // extern "C"
#endif
