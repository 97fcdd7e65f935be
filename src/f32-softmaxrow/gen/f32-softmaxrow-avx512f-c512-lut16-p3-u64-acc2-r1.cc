// Auto-generated file. Do not edit!
//   Template: src/f32-softmaxrow/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_softmaxrow_ukernel__avx512f_c512_lut16_p3_u64_acc2_r1

// f32-softmaxrow, AVX512F: the three-pass-reload softmax of rows of at most 512 floats
// (contract: f32-softmaxrow.inc), rows of at most 128 floats 1 at a time, longer ones one
// at a time, in registers up to 256 floats. One read and one write of a row (plus re-reads from L1); the max,
// ExpMinusMax() of twopass/expminusmax-avx512f.h, the sum and the scaling repeat f32-rmax,
// f32-raddstoreexpminusmax (avx512f_lut16_p3_u64_acc2: 4 vectors per step into 2
// float accumulators, moved into double every 4 steps, then 16 at a time and the k-masked
// tail into the first, F64AccTotal; F64AccTotals2 for two rows at once) and f32-vscale bit
// for bit, per row.
// Why: rows of 80..127 floats ran 1.13-1.28x slower through the three kernels, whose
// remainders go one vector at a time through one accumulator, and which store and
// reload exp(x - ref); and one row is a serial chain (max, reduce, reference, exp, sum,
// reduce, divide) of ~120 cycles, which rows interleaved and the next rows' maxima taken
// during this row's sum and divide overlap (docs/benchmarks.md, "Short rows held in
// registers"). Rows of 129..256 floats (one row's terms in 16 registers) ran 1.08-1.27x
// faster than through the three kernels, rows of 257..512 (terms stored and scaled in the
// output, the same three passes without calls and merges between, a row scaled after the
// next row's terms) 1.06-1.17x with many rows per call (2 rows of 400-512: 3% slower);
// rows of 1000 were 2-8% slower with few rows per call, hence c512 (docs/benchmarks.md,
// "Rows of 129-512 floats").

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/expminusmax-avx512f.h"
#include "twopass/microkernels.h"

namespace {

inline const float* Advance(const float* p, size_t bytes) {
  return reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(p) + bytes);
}
inline float* Advance(float* p, size_t bytes) {
  return reinterpret_cast<float*>(reinterpret_cast<uintptr_t>(p) + bytes);
}

// Vector i of a row of n floats (full = n / 16 whole vectors, then a k-masked tail);
// lanes past the row are -inf (masked loads never touch them).
inline __m512 LoadRowVector(const float* row, size_t i, size_t full, __mmask16 vtail) {
  const __m512 vninf = _mm512_set1_ps(-__builtin_inff());
  return i < full ? _mm512_loadu_ps(row + i * 16)
                  : i == full ? _mm512_mask_loadu_ps(vninf, vtail, row + i * 16) : vninf;
}

// The max of a row of at most kVectors vectors (vmaxps drops NaN: NaN rows are told apart
// by the caller). kVectors bounds the code: rows in pairs have at most 8.
template <size_t kVectors>
inline float RowMax(const float* row, size_t full, __mmask16 vtail) {
  __m512 vmax0 = LoadRowVector(row, 0, full, vtail);
  __m512 vmax1 = LoadRowVector(row, 1, full, vtail);
  if (2 < kVectors) {
    vmax0 = _mm512_max_ps(vmax0, LoadRowVector(row, 2, full, vtail));
  }
  if (3 < kVectors) {
    vmax1 = _mm512_max_ps(vmax1, LoadRowVector(row, 3, full, vtail));
  }
  if (4 < kVectors) {
    vmax0 = _mm512_max_ps(vmax0, LoadRowVector(row, 4, full, vtail));
  }
  if (5 < kVectors) {
    vmax1 = _mm512_max_ps(vmax1, LoadRowVector(row, 5, full, vtail));
  }
  if (6 < kVectors) {
    vmax0 = _mm512_max_ps(vmax0, LoadRowVector(row, 6, full, vtail));
  }
  if (7 < kVectors) {
    vmax1 = _mm512_max_ps(vmax1, LoadRowVector(row, 7, full, vtail));
  }
  if (8 < kVectors) {
    vmax0 = _mm512_max_ps(vmax0, LoadRowVector(row, 8, full, vtail));
  }
  if (9 < kVectors) {
    vmax1 = _mm512_max_ps(vmax1, LoadRowVector(row, 9, full, vtail));
  }
  if (10 < kVectors) {
    vmax0 = _mm512_max_ps(vmax0, LoadRowVector(row, 10, full, vtail));
  }
  if (11 < kVectors) {
    vmax1 = _mm512_max_ps(vmax1, LoadRowVector(row, 11, full, vtail));
  }
  if (12 < kVectors) {
    vmax0 = _mm512_max_ps(vmax0, LoadRowVector(row, 12, full, vtail));
  }
  if (13 < kVectors) {
    vmax1 = _mm512_max_ps(vmax1, LoadRowVector(row, 13, full, vtail));
  }
  if (14 < kVectors) {
    vmax0 = _mm512_max_ps(vmax0, LoadRowVector(row, 14, full, vtail));
  }
  if (15 < kVectors) {
    vmax1 = _mm512_max_ps(vmax1, LoadRowVector(row, 15, full, vtail));
  }
  return _mm512_reduce_max_ps(_mm512_max_ps(vmax0, vmax1));
}

// Whether a row has a NaN.
inline bool RowHasNaN(const float* row, size_t full, __mmask16 vtail) {
  const __m512 vx0 = LoadRowVector(row, 0, full, vtail);
  const __m512 vx1 = LoadRowVector(row, 1, full, vtail);
  const __m512 vx2 = LoadRowVector(row, 2, full, vtail);
  const __m512 vx3 = LoadRowVector(row, 3, full, vtail);
  const __m512 vx4 = LoadRowVector(row, 4, full, vtail);
  const __m512 vx5 = LoadRowVector(row, 5, full, vtail);
  const __m512 vx6 = LoadRowVector(row, 6, full, vtail);
  const __m512 vx7 = LoadRowVector(row, 7, full, vtail);
  const __m512 vx8 = LoadRowVector(row, 8, full, vtail);
  const __m512 vx9 = LoadRowVector(row, 9, full, vtail);
  const __m512 vx10 = LoadRowVector(row, 10, full, vtail);
  const __m512 vx11 = LoadRowVector(row, 11, full, vtail);
  const __m512 vx12 = LoadRowVector(row, 12, full, vtail);
  const __m512 vx13 = LoadRowVector(row, 13, full, vtail);
  const __m512 vx14 = LoadRowVector(row, 14, full, vtail);
  const __m512 vx15 = LoadRowVector(row, 15, full, vtail);
  return ((_mm512_cmp_ps_mask(vx0, vx0, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx1, vx1, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx2, vx2, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx3, vx3, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx4, vx4, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx5, vx5, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx6, vx6, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx7, vx7, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx8, vx8, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx9, vx9, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx10, vx10, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx11, vx11, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx12, vx12, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx13, vx13, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx14, vx14, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx15, vx15, _CMP_ORD_Q)) & 0xFFFF) != 0xFFFF;
}

// Rows q < 1 of a group (row q at in + q * in_stride bytes, output at out + q *
// out_stride bytes, results at max_scale[2q], max_scale[2q + 1]) whose maxima are given: the
// terms, in registers, their sums, and the scaled terms stored. `between` runs after
// the terms' float sums and before their reduction, divide and stores (the caller's
// next maxima). A row with a NaN (its sum is then NaN: ExpMinusMax keeps NaN) is not
// written and reports a NaN max.
template <bool kShift, typename Between>
inline void ScaleRows1(size_t n, const float* in, size_t in_stride, float* out,
                       size_t out_stride, float* max_scale, const float* max, Between between) {
  const size_t full = n / 16;
  const __mmask16 vtail = TailMask(n % 16);
  const size_t used = (n + 15) / 16;  // the vectors the row reaches
  const ExpMinusMaxParams vref0 = MakeExpMinusMaxParams(max[0]);
  const float* in0 = Advance(in, 0 * in_stride);
  const __m512 vf0_0 =
      0 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 0, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_1 =
      1 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 1, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_2 =
      2 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 2, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_3 =
      3 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 3, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_4 =
      4 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 4, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_5 =
      5 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 5, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_6 =
      6 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 6, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_7 =
      7 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 7, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_8 =
      8 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 8, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_9 =
      9 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 9, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_10 =
      10 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 10, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_11 =
      11 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 11, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_12 =
      12 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 12, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_13 =
      13 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 13, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_14 =
      14 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 14, full, vtail), vref0)
             : _mm512_setzero_ps();
  const __m512 vf0_15 =
      15 < used ? ExpMinusMax<kShift>(LoadRowVector(in0, 15, full, vtail), vref0)
             : _mm512_setzero_ps();
  // The float sums in raddstoreexpminusmax's order: steps of 4 vectors, vector i of a
  // step into accumulator i mod 2, moved into double every 4 steps; then whole
  // vectors and the tail into the first.
  F64Acc vsum0 = F64AccZero();
  __m512 vacc0_0 = _mm512_setzero_ps();
  __m512 vacc0_1 = _mm512_setzero_ps();
  if (full >= 4) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_0);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_1);
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_2);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_3);
  }
  if (full >= 8) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_4);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_5);
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_6);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_7);
  }
  if (full >= 12) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_8);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_9);
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_10);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_11);
  }
  if (full >= 16) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_12);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_13);
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_14);
    vacc0_1 = _mm512_add_ps(vacc0_1, vf0_15);
    F64AccAdd(&vsum0, vacc0_0);
    vacc0_0 = _mm512_setzero_ps();
    F64AccAdd(&vsum0, vacc0_1);
    vacc0_1 = _mm512_setzero_ps();
  }
  vacc0_0 = _mm512_add_ps(vacc0_0, vacc0_1);
  const size_t stepped = full / 4 * 4;
  if (0 >= stepped && 0 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_0);
  }
  if (1 >= stepped && 1 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_1);
  }
  if (2 >= stepped && 2 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_2);
  }
  if (3 >= stepped && 3 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_3);
  }
  if (4 >= stepped && 4 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_4);
  }
  if (5 >= stepped && 5 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_5);
  }
  if (6 >= stepped && 6 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_6);
  }
  if (7 >= stepped && 7 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_7);
  }
  if (8 >= stepped && 8 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_8);
  }
  if (9 >= stepped && 9 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_9);
  }
  if (10 >= stepped && 10 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_10);
  }
  if (11 >= stepped && 11 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_11);
  }
  if (12 >= stepped && 12 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_12);
  }
  if (13 >= stepped && 13 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_13);
  }
  if (14 >= stepped && 14 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_14);
  }
  if (15 >= stepped && 15 < full) {
    vacc0_0 = _mm512_add_ps(vacc0_0, vf0_15);
  }
  if (n % 16 != 0) {
    switch (full) {
      case 0:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_0);
        break;
      case 1:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_1);
        break;
      case 2:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_2);
        break;
      case 3:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_3);
        break;
      case 4:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_4);
        break;
      case 5:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_5);
        break;
      case 6:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_6);
        break;
      case 7:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_7);
        break;
      case 8:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_8);
        break;
      case 9:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_9);
        break;
      case 10:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_10);
        break;
      case 11:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_11);
        break;
      case 12:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_12);
        break;
      case 13:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_13);
        break;
      case 14:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_14);
        break;
      case 15:
        vacc0_0 = _mm512_mask_add_ps(vacc0_0, vtail, vacc0_0, vf0_15);
        break;
    }
  }
  between();
  const float sum0 = F64AccTotal(vsum0, vacc0_0);
  const float scale0 = static_cast<float>(1.0 / static_cast<double>(sum0));
  const bool nan0 = sum0 != sum0;  // a NaN in the row
  max_scale[0] = nan0 ? __builtin_nanf("") : max[0];
  max_scale[1] = scale0;
  const __m512 vscale0 = _mm512_set1_ps(scale0);
  float* out0 = Advance(out, 0 * out_stride);
  if (!nan0) {
    if (0 < full) {
      _mm512_storeu_ps(out0 + 0, _mm512_mul_ps(vf0_0, vscale0));
    } else if (0 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 0, vtail, _mm512_mul_ps(vf0_0, vscale0));
    }
    if (1 < full) {
      _mm512_storeu_ps(out0 + 16, _mm512_mul_ps(vf0_1, vscale0));
    } else if (1 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 16, vtail, _mm512_mul_ps(vf0_1, vscale0));
    }
    if (2 < full) {
      _mm512_storeu_ps(out0 + 32, _mm512_mul_ps(vf0_2, vscale0));
    } else if (2 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 32, vtail, _mm512_mul_ps(vf0_2, vscale0));
    }
    if (3 < full) {
      _mm512_storeu_ps(out0 + 48, _mm512_mul_ps(vf0_3, vscale0));
    } else if (3 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 48, vtail, _mm512_mul_ps(vf0_3, vscale0));
    }
    if (4 < full) {
      _mm512_storeu_ps(out0 + 64, _mm512_mul_ps(vf0_4, vscale0));
    } else if (4 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 64, vtail, _mm512_mul_ps(vf0_4, vscale0));
    }
    if (5 < full) {
      _mm512_storeu_ps(out0 + 80, _mm512_mul_ps(vf0_5, vscale0));
    } else if (5 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 80, vtail, _mm512_mul_ps(vf0_5, vscale0));
    }
    if (6 < full) {
      _mm512_storeu_ps(out0 + 96, _mm512_mul_ps(vf0_6, vscale0));
    } else if (6 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 96, vtail, _mm512_mul_ps(vf0_6, vscale0));
    }
    if (7 < full) {
      _mm512_storeu_ps(out0 + 112, _mm512_mul_ps(vf0_7, vscale0));
    } else if (7 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 112, vtail, _mm512_mul_ps(vf0_7, vscale0));
    }
    if (8 < full) {
      _mm512_storeu_ps(out0 + 128, _mm512_mul_ps(vf0_8, vscale0));
    } else if (8 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 128, vtail, _mm512_mul_ps(vf0_8, vscale0));
    }
    if (9 < full) {
      _mm512_storeu_ps(out0 + 144, _mm512_mul_ps(vf0_9, vscale0));
    } else if (9 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 144, vtail, _mm512_mul_ps(vf0_9, vscale0));
    }
    if (10 < full) {
      _mm512_storeu_ps(out0 + 160, _mm512_mul_ps(vf0_10, vscale0));
    } else if (10 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 160, vtail, _mm512_mul_ps(vf0_10, vscale0));
    }
    if (11 < full) {
      _mm512_storeu_ps(out0 + 176, _mm512_mul_ps(vf0_11, vscale0));
    } else if (11 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 176, vtail, _mm512_mul_ps(vf0_11, vscale0));
    }
    if (12 < full) {
      _mm512_storeu_ps(out0 + 192, _mm512_mul_ps(vf0_12, vscale0));
    } else if (12 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 192, vtail, _mm512_mul_ps(vf0_12, vscale0));
    }
    if (13 < full) {
      _mm512_storeu_ps(out0 + 208, _mm512_mul_ps(vf0_13, vscale0));
    } else if (13 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 208, vtail, _mm512_mul_ps(vf0_13, vscale0));
    }
    if (14 < full) {
      _mm512_storeu_ps(out0 + 224, _mm512_mul_ps(vf0_14, vscale0));
    } else if (14 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 224, vtail, _mm512_mul_ps(vf0_14, vscale0));
    }
    if (15 < full) {
      _mm512_storeu_ps(out0 + 240, _mm512_mul_ps(vf0_15, vscale0));
    } else if (15 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(out0 + 240, vtail, _mm512_mul_ps(vf0_15, vscale0));
    }
  }
}

// One row, every case: NaN, infinities and both reference points.
inline void Row(size_t n, const float* in, float* out, float* max_scale) {
  const size_t full = n / 16;
  const __mmask16 vtail = TailMask(n % 16);
  if (RowHasNaN(in, full, vtail)) {
    max_scale[0] = __builtin_nanf("");
    return;
  }
  const float max = RowMax<16>(in, full, vtail);
  max_scale[0] = max;
  if (!(max - max == 0.0f)) return;  // +-inf (a row of only -inf, or a +inf)
  if (MakeExpMinusMaxParams(max).shift_needed) {
    ScaleRows1<true>(n, in, 0, out, 0, max_scale, &max, [] {});
  } else {
    ScaleRows1<false>(n, in, 0, out, 0, max_scale, &max, [] {});
  }
}

// Rows of 257 to 512 floats: the terms go to the output and are scaled there, in
// f32-raddstoreexpminusmax's and f32-vscale's order, one row at a time; the next row's max
// is taken while this row's sum is reduced and divided.
struct MaxNaN {
  float max;
  bool nan;
};

inline MaxNaN LongRowMax(const float* row, size_t n) {
  const __m512 vninf = _mm512_set1_ps(-__builtin_inff());
  // Four chains of vmaxps, as f32-rmax avx512f_u128_acc4.
  __m512 vmax0 = vninf;
  __m512 vmax1 = vninf;
  __m512 vmax2 = vninf;
  __m512 vmax3 = vninf;
  __mmask16 vord = 0xFFFF;  // lanes where no NaN was seen
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512 vx0 = _mm512_loadu_ps(row + i);
    const __m512 vx1 = _mm512_loadu_ps(row + i + 16);
    const __m512 vx2 = _mm512_loadu_ps(row + i + 32);
    const __m512 vx3 = _mm512_loadu_ps(row + i + 48);
    vmax0 = _mm512_max_ps(vmax0, vx0);
    vmax1 = _mm512_max_ps(vmax1, vx1);
    vmax2 = _mm512_max_ps(vmax2, vx2);
    vmax3 = _mm512_max_ps(vmax3, vx3);
    vord &= _mm512_cmp_ps_mask(vx0, vx1, _CMP_ORD_Q) & _mm512_cmp_ps_mask(vx2, vx3, _CMP_ORD_Q);
  }
  for (; i < n; i += 16) {
    const __m512 vx = n - i >= 16 ? _mm512_loadu_ps(row + i)
                                  : _mm512_mask_loadu_ps(vninf, TailMask(n - i), row + i);
    vmax0 = _mm512_max_ps(vmax0, vx);
    vord &= _mm512_cmp_ps_mask(vx, vx, _CMP_ORD_Q);
  }
  vmax0 = _mm512_max_ps(_mm512_max_ps(vmax0, vmax1), _mm512_max_ps(vmax2, vmax3));
  return MaxNaN{_mm512_reduce_max_ps(vmax0), vord != 0xFFFF};
}

// The terms of a row stored in out (out may equal in) and their sum, bitwise
// f32-raddstoreexpminusmax avx512f_lut16_p3_u64_acc2.
template <bool kShift>
inline float LongRowTerms(size_t n, const float* in, float* out, const ExpMinusMaxParams& vref) {
  F64Acc vsum = F64AccZero();
  __m512 vacc0 = _mm512_setzero_ps();
  __m512 vacc1 = _mm512_setzero_ps();
  size_t flush_countdown = 4;
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512 vf0 = ExpMinusMax<kShift>(_mm512_loadu_ps(in + i + 0), vref);
    const __m512 vf1 = ExpMinusMax<kShift>(_mm512_loadu_ps(in + i + 16), vref);
    const __m512 vf2 = ExpMinusMax<kShift>(_mm512_loadu_ps(in + i + 32), vref);
    const __m512 vf3 = ExpMinusMax<kShift>(_mm512_loadu_ps(in + i + 48), vref);
    _mm512_storeu_ps(out + i + 0, vf0);
    _mm512_storeu_ps(out + i + 16, vf1);
    _mm512_storeu_ps(out + i + 32, vf2);
    _mm512_storeu_ps(out + i + 48, vf3);
    vacc0 = _mm512_add_ps(vacc0, vf0);
    vacc1 = _mm512_add_ps(vacc1, vf1);
    vacc0 = _mm512_add_ps(vacc0, vf2);
    vacc1 = _mm512_add_ps(vacc1, vf3);
    if (--flush_countdown == 0) {
      flush_countdown = 4;
      F64AccAdd(&vsum, vacc0);
      vacc0 = _mm512_setzero_ps();
      F64AccAdd(&vsum, vacc1);
      vacc1 = _mm512_setzero_ps();
    }
  }
  vacc0 = _mm512_add_ps(vacc0, vacc1);
  for (; i + 16 <= n; i += 16) {
    const __m512 vf = ExpMinusMax<kShift>(_mm512_loadu_ps(in + i), vref);
    _mm512_storeu_ps(out + i, vf);
    vacc0 = _mm512_add_ps(vacc0, vf);
  }
  if (i < n) {
    const __mmask16 vmask = TailMask(n - i);
    const __m512 vf = ExpMinusMax<kShift>(_mm512_maskz_loadu_ps(vmask, in + i), vref);
    _mm512_mask_storeu_ps(out + i, vmask, vf);
    vacc0 = _mm512_mask_add_ps(vacc0, vmask, vacc0, vf);
  }
  return F64AccTotal(vsum, vacc0);
}

// out *= scale, f32-vscale's product.
inline void LongRowScale(size_t n, float* out, float scale) {
  const __m512 vscale = _mm512_set1_ps(scale);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512 vy0 = _mm512_loadu_ps(out + i);
    const __m512 vy1 = _mm512_loadu_ps(out + i + 16);
    const __m512 vy2 = _mm512_loadu_ps(out + i + 32);
    const __m512 vy3 = _mm512_loadu_ps(out + i + 48);
    _mm512_storeu_ps(out + i, _mm512_mul_ps(vy0, vscale));
    _mm512_storeu_ps(out + i + 16, _mm512_mul_ps(vy1, vscale));
    _mm512_storeu_ps(out + i + 32, _mm512_mul_ps(vy2, vscale));
    _mm512_storeu_ps(out + i + 48, _mm512_mul_ps(vy3, vscale));
  }
  for (; i < n; i += 16) {
    const __mmask16 vmask = TailMask(n - i < 16 ? n - i : 16);
    _mm512_mask_storeu_ps(out + i, vmask,
                          _mm512_mul_ps(_mm512_maskz_loadu_ps(vmask, out + i), vscale));
  }
}

// Row r's scaling pass runs after row r + 1's terms, so that its sum's reduction and divide
// overlap them (with each row scaled at once, 2 rows of 400-512 floats per call ran 3%
// slower than the three kernels).
inline void LongRows(size_t rows, size_t n, const float* input, size_t input_stride,
                     float* output, size_t output_stride, float* max_scale) {
  MaxNaN next = LongRowMax(input, n);
  float* pending = nullptr;  // a row whose terms are stored but not yet scaled
  float pending_scale = 0.0f;
  for (; rows != 0; rows--) {
    const MaxNaN row = next;
    const float* in = input;
    float* out = output;
    float* row_max_scale = max_scale;
    input = Advance(input, input_stride);
    output = Advance(output, output_stride);
    max_scale += 2;
    row_max_scale[0] = row.nan ? __builtin_nanf("") : row.max;
    if (row.nan || !(row.max - row.max == 0.0f)) {  // NaN, or +-inf: nothing written
      if (rows > 1) next = LongRowMax(input, n);
      continue;
    }
    const ExpMinusMaxParams vref = MakeExpMinusMaxParams(row.max);
    const float sum = vref.shift_needed ? LongRowTerms<true>(n, in, out, vref)
                                        : LongRowTerms<false>(n, in, out, vref);
    if (rows > 1) next = LongRowMax(input, n);
    if (pending != nullptr) LongRowScale(n, pending, pending_scale);
    pending = out;
    pending_scale = static_cast<float>(1.0 / static_cast<double>(sum));
    row_max_scale[1] = pending_scale;
  }
  if (pending != nullptr) LongRowScale(n, pending, pending_scale);
}

}  // namespace

// Groups of 1 row(s) of n floats (kN: n known at compile time, or 0; n <= 256); returns the
// rows left (fewer than 1). While a group's terms are summed, reduced and divided, the
// next group's maxima are taken. Groups with a non-finite max or one of magnitude 2^14 and
// more (both rare) go row by row through Row().
template <size_t kN>
inline size_t Groups1(size_t rows, size_t n_arg, const float*& input, size_t input_stride,
                      float*& output, size_t output_stride, float*& max_scale) {
  const size_t n = kN != 0 ? kN : n_arg;
  const size_t full = n / 16;
  const __mmask16 vtail = TailMask(n % 16);
  float max[1];
  if (rows >= 1) {
    max[0] = RowMax<16>(Advance(input, 0 * input_stride), full, vtail);
  }
  while (rows >= 1) {
    const float* group_in = input;
    float* group_out = output;
    float* group_max_scale = max_scale;
    input = Advance(input, 1 * input_stride);
    output = Advance(output, 1 * output_stride);
    max_scale += 2;
    rows -= 1;
    float group_max[1];
    group_max[0] = max[0];
    const auto next_maxima = [&] {
      if (rows >= 1) {
        max[0] = RowMax<16>(Advance(input, 0 * input_stride), full, vtail);
      }
    };
    if (fabsf(group_max[0]) < twopass::kExpMinusMaxDirectBound) {
      ScaleRows1<false>(n, group_in, input_stride, group_out, output_stride, group_max_scale,
                        group_max, next_maxima);
    } else {
      Row(n, Advance(group_in, 0 * input_stride), Advance(group_out, 0 * output_stride),
          group_max_scale + 0);
      next_maxima();
    }
  }
  return rows;
}

extern "C" void twopass_f32_softmaxrow_ukernel__avx512f_c512_lut16_p3_u64_acc2_r1(size_t rows, size_t batch, const float* input, size_t input_stride,
                           float* output, size_t output_stride, float* max_scale) {
  assert(rows != 0);
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(batch <= 512 * sizeof(float));
  assert(input != NULL);
  assert(output != NULL);
  assert(max_scale != NULL);
  const size_t n = batch / sizeof(float);
  if (n > 256) {
    LongRows(rows, n, input, input_stride, output, output_stride, max_scale);
    return;
  }
  // Rows of 128 and 256 floats, the most common, without the length's branches.
  rows = n == 256 ? Groups1<256>(rows, n, input, input_stride, output, output_stride, max_scale)
                 : Groups1<0>(rows, n, input, input_stride, output, output_stride, max_scale);
  for (; rows != 0; rows--) {
    Row(n, input, output, max_scale);
    input = Advance(input, input_stride);
    output = Advance(output, output_stride);
    max_scale += 2;
  }
}
