// The AVX512F half of f64acc_avx512f_test: call only where AVX512F runs.
#pragma once

#include <stdint.h>

struct F64AccCounts {
  long mismatches = 0;       // F64AccTotals2 against F64AccTotal
  long order_sensitive = 0;  // a sequential double sum against F64AccTotal
};

// `cases` pairs of tie-prone 16-lane rows from `seed`.
F64AccCounts CompareF64AccTotals2(uint32_t seed, long cases);
