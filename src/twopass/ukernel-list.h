// C++ view of the kernel tables: every variant of a family as an array of
// UkernelInfo, for tests, benchmarks and tools to enumerate.
//
//   static const auto kKernels = TWOPASS_UKERNEL_LIST(twopass_f32_raddextexp_ukernel_fn,
//                                                     "f32-raddextexp/f32-raddextexp.inc");
// cannot be written (an #include cannot sit inside a macro), so callers write:
//
//   static const twopass::UkernelInfo<twopass_f32_raddextexp_ukernel_fn> kKernels[] = {
//   #define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
//   #include "f32-raddextexp/f32-raddextexp.inc"
//   #undef TWOPASS_UKERNEL
//   };
#pragma once

#include <stddef.h>

#include <string>

#include "twopass/isa.h"
#include "twopass/microkernels.h"

namespace twopass {

template <typename Fn>
struct UkernelInfo {
  const char* name;    // full symbol, e.g. twopass_f32_raddextexp_ukernel__avx2_p5_u64_acc2
  enum twopass_isa isa;
  size_t tile;         // elements per main-loop iteration
  Fn fn;

  // The part after "__", e.g. "avx2_p5_u64_acc2": a short, unique test/benchmark name.
  std::string variant() const {
    const std::string full(name);
    const size_t pos = full.find("__");
    return pos == std::string::npos ? full : full.substr(pos + 2);
  }
};

}  // namespace twopass

#define TWOPASS_UKERNEL_INFO(isa, ukernel, tile) {#ukernel, twopass_isa_##isa, tile, ukernel},
