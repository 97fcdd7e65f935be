// The k-mask of a row's last 1-15 elements for the AVX512F kernel files (and their
// emulated test build, where <immintrin.h> is the SIMDe shim): one definition instead of
// the expression written in each template. In an anonymous namespace, as the other
// per-ISA helpers (twopass/extexp-avx512f.h says why).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

namespace {

// The first `elements` lanes of sixteen (0 <= elements <= 16).
inline __mmask16 TailMask(size_t elements) {
  return _cvtu32_mask16(static_cast<uint32_t>((UINT32_C(1) << elements) - UINT32_C(1)));
}

}  // namespace
