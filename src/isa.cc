// Runtime ISA detection through cpuinfo.
#include "twopass/isa.h"

#include <string.h>

#include <mutex>

#include <cpuinfo.h>

namespace {

bool CpuinfoReady() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = cpuinfo_initialize(); });
  return ok;
}

constexpr const char* kIsaNames[TWOPASS_ISA_COUNT] = {"scalar", "sse2", "avx2", "avx512f"};

}  // namespace

// The functions of this library that range-check an enum twopass_isa argument read it
// as an int with memcpy (see twopass_isa_to_string).
static_assert(sizeof(enum twopass_isa) == sizeof(int), "enum twopass_isa is an int");

extern "C" const char* twopass_isa_to_string(enum twopass_isa isa) {
  // Bits, not an enum load: values outside 0..3 are undefined as the enum in C++.
  int index;
  memcpy(&index, &isa, sizeof(index));
  return (index >= 0 && index < TWOPASS_ISA_COUNT) ? kIsaNames[index] : "unknown";
}

extern "C" int twopass_isa_from_string(const char* name, enum twopass_isa* isa) {
  if (name == nullptr) return 0;
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    if (strcmp(name, kIsaNames[i]) == 0) {
      *isa = static_cast<enum twopass_isa>(i);
      return 1;
    }
  }
  return 0;
}

extern "C" int twopass_isa_supported(enum twopass_isa isa) {
  // Bits, not an enum load (as twopass_isa_to_string): any int is answered.
  int index;
  memcpy(&index, &isa, sizeof(index));
  if (index < 0 || index >= TWOPASS_ISA_COUNT) return 0;
  switch (isa) {
    case twopass_isa_scalar:
      return 1;
    case twopass_isa_sse2:
      return CpuinfoReady() && cpuinfo_has_x86_sse2();
    case twopass_isa_avx2:
      return CpuinfoReady() && cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3() &&
             cpuinfo_has_x86_f16c();
    case twopass_isa_avx512f:
      return CpuinfoReady() && cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx2() &&
             cpuinfo_has_x86_fma3() && cpuinfo_has_x86_f16c();
  }
  return 0;
}

extern "C" enum twopass_isa twopass_isa_best_supported(void) {
  for (int i = TWOPASS_ISA_COUNT - 1; i > 0; i--) {
    if (twopass_isa_supported(static_cast<enum twopass_isa>(i))) {
      return static_cast<enum twopass_isa>(i);
    }
  }
  return twopass_isa_scalar;
}
