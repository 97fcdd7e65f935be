// Auto-generated file. Do not edit!
//   Template: src/f32-softmaxrow/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_softmaxrow_ukernel__avx512f_c128_p5_u64_acc2

// f32-softmaxrow, AVX512F: the three-pass-reload softmax of a row of at most 128 floats
// in one call, the row in 8 zmm registers (contract: f32-softmaxrow.inc). One
// read and one write of the row; the max, ExpMinusMax() of twopass/expminusmax-avx512f.h,
// the sum and the scaling repeat f32-rmax, f32-raddstoreexpminusmax (avx512f_p5_u64_acc2:
// 4 vectors per step into 2 float accumulators, then 16 at a time and the
// k-masked tail into the first, F64AccTotal) and f32-vscale bit for bit.
// Why: rows of 80..127 floats ran 1.13-1.28x slower through the three kernels, whose
// remainders go one vector at a time through one accumulator, and which store and
// reload exp(x - ref) (docs/benchmarks.md, "Short rows held in registers").

#include <assert.h>
#include <stddef.h>

#include <type_traits>

#include <immintrin.h>

#include "twopass/expminusmax-avx512f.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_softmaxrow_ukernel__avx512f_c128_p5_u64_acc2(size_t batch, const float* input, float* output, float* max_sum) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(batch <= 128 * sizeof(float));
  assert(input != NULL);
  assert(output != NULL);
  assert(max_sum != NULL);
  const size_t n = batch / sizeof(float);
  const size_t full = n / 16;  // whole vectors; then n % 16 lanes in vector `full`
  const __mmask16 vtail = TailMask(n % 16);

  // Lanes past the row load as -inf (masked loads never touch them).
  const __m512 vninf = _mm512_set1_ps(-__builtin_inff());
  const __m512 vx0 = 0 < full  ? _mm512_loadu_ps(input + 0)
                  : 0 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 0)
                             : vninf;
  const __m512 vx1 = 1 < full  ? _mm512_loadu_ps(input + 16)
                  : 1 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 16)
                             : vninf;
  const __m512 vx2 = 2 < full  ? _mm512_loadu_ps(input + 32)
                  : 2 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 32)
                             : vninf;
  const __m512 vx3 = 3 < full  ? _mm512_loadu_ps(input + 48)
                  : 3 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 48)
                             : vninf;
  const __m512 vx4 = 4 < full  ? _mm512_loadu_ps(input + 64)
                  : 4 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 64)
                             : vninf;
  const __m512 vx5 = 5 < full  ? _mm512_loadu_ps(input + 80)
                  : 5 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 80)
                             : vninf;
  const __m512 vx6 = 6 < full  ? _mm512_loadu_ps(input + 96)
                  : 6 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 96)
                             : vninf;
  const __m512 vx7 = 7 < full  ? _mm512_loadu_ps(input + 112)
                  : 7 == full ? _mm512_mask_loadu_ps(vninf, vtail, input + 112)
                             : vninf;

  // The max, and whether any lane is NaN (vmaxps drops NaN).
  const __mmask16 vord0 = _mm512_cmp_ps_mask(vx0, vx0, _CMP_ORD_Q);
  const __mmask16 vord1 = _mm512_cmp_ps_mask(vx1, vx1, _CMP_ORD_Q);
  const __mmask16 vord2 = _mm512_cmp_ps_mask(vx2, vx2, _CMP_ORD_Q);
  const __mmask16 vord3 = _mm512_cmp_ps_mask(vx3, vx3, _CMP_ORD_Q);
  const __mmask16 vord4 = _mm512_cmp_ps_mask(vx4, vx4, _CMP_ORD_Q);
  const __mmask16 vord5 = _mm512_cmp_ps_mask(vx5, vx5, _CMP_ORD_Q);
  const __mmask16 vord6 = _mm512_cmp_ps_mask(vx6, vx6, _CMP_ORD_Q);
  const __mmask16 vord7 = _mm512_cmp_ps_mask(vx7, vx7, _CMP_ORD_Q);
  __m512 vmax0 = vx0;
  __m512 vmax1 = vx1;
  vmax0 = _mm512_max_ps(vmax0, vx2);
  vmax1 = _mm512_max_ps(vmax1, vx3);
  vmax0 = _mm512_max_ps(vmax0, vx4);
  vmax1 = _mm512_max_ps(vmax1, vx5);
  vmax0 = _mm512_max_ps(vmax0, vx6);
  vmax1 = _mm512_max_ps(vmax1, vx7);
  const float max = _mm512_reduce_max_ps(_mm512_max_ps(vmax0, vmax1));
  if (((vord0 & vord1 & vord2 & vord3 & vord4 & vord5 & vord6 & vord7) & 0xFFFF) != 0xFFFF) {
    max_sum[0] = __builtin_nanf("");
    return;
  }
  max_sum[0] = max;
  if (!(max - max == 0.0f)) return;  // +-inf (a row of only -inf, or a +inf)

  const ExpMinusMaxParams vref = MakeExpMinusMaxParams(max);
  const auto compute = [&](auto shift) {
    constexpr bool kShift = decltype(shift)::value;
    // Only the vectors the row reaches (short rows skip the rest of the exp work).
    const size_t used = (n + 15) / 16;
    const __m512 vf0 = 0 < used ? ExpMinusMax<kShift>(vx0, vref) : _mm512_setzero_ps();
    const __m512 vf1 = 1 < used ? ExpMinusMax<kShift>(vx1, vref) : _mm512_setzero_ps();
    const __m512 vf2 = 2 < used ? ExpMinusMax<kShift>(vx2, vref) : _mm512_setzero_ps();
    const __m512 vf3 = 3 < used ? ExpMinusMax<kShift>(vx3, vref) : _mm512_setzero_ps();
    const __m512 vf4 = 4 < used ? ExpMinusMax<kShift>(vx4, vref) : _mm512_setzero_ps();
    const __m512 vf5 = 5 < used ? ExpMinusMax<kShift>(vx5, vref) : _mm512_setzero_ps();
    const __m512 vf6 = 6 < used ? ExpMinusMax<kShift>(vx6, vref) : _mm512_setzero_ps();
    const __m512 vf7 = 7 < used ? ExpMinusMax<kShift>(vx7, vref) : _mm512_setzero_ps();
    // The sum in raddstoreexpminusmax's order: steps of 4 vectors, vector i of a step
    // into accumulator i mod 2; then whole vectors and the tail into the first.
    __m512 vacc0 = _mm512_setzero_ps();
    __m512 vacc1 = _mm512_setzero_ps();
    if (full >= 4) {
      vacc0 = _mm512_add_ps(vacc0, vf0);
      vacc1 = _mm512_add_ps(vacc1, vf1);
      vacc0 = _mm512_add_ps(vacc0, vf2);
      vacc1 = _mm512_add_ps(vacc1, vf3);
    }
    if (full >= 8) {
      vacc0 = _mm512_add_ps(vacc0, vf4);
      vacc1 = _mm512_add_ps(vacc1, vf5);
      vacc0 = _mm512_add_ps(vacc0, vf6);
      vacc1 = _mm512_add_ps(vacc1, vf7);
    }
    vacc0 = _mm512_add_ps(vacc0, vacc1);
    const size_t stepped = full / 4 * 4;
    if (0 >= stepped && 0 < full) vacc0 = _mm512_add_ps(vacc0, vf0);
    if (1 >= stepped && 1 < full) vacc0 = _mm512_add_ps(vacc0, vf1);
    if (2 >= stepped && 2 < full) vacc0 = _mm512_add_ps(vacc0, vf2);
    if (3 >= stepped && 3 < full) vacc0 = _mm512_add_ps(vacc0, vf3);
    if (4 >= stepped && 4 < full) vacc0 = _mm512_add_ps(vacc0, vf4);
    if (5 >= stepped && 5 < full) vacc0 = _mm512_add_ps(vacc0, vf5);
    if (6 >= stepped && 6 < full) vacc0 = _mm512_add_ps(vacc0, vf6);
    if (7 >= stepped && 7 < full) vacc0 = _mm512_add_ps(vacc0, vf7);
    if (n % 16 != 0) {
      switch (full) {
        case 0:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf0);
          break;
        case 1:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf1);
          break;
        case 2:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf2);
          break;
        case 3:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf3);
          break;
        case 4:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf4);
          break;
        case 5:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf5);
          break;
        case 6:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf6);
          break;
        case 7:
          vacc0 = _mm512_mask_add_ps(vacc0, vtail, vacc0, vf7);
          break;
      }
    }
    const float sum = F64AccTotal(F64AccZero(), vacc0);
    max_sum[1] = sum;
    const __m512 vscale = _mm512_set1_ps(static_cast<float>(1.0 / static_cast<double>(sum)));
    if (0 < full) {
      _mm512_storeu_ps(output + 0, _mm512_mul_ps(vf0, vscale));
    } else if (0 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 0, vtail, _mm512_mul_ps(vf0, vscale));
    }
    if (1 < full) {
      _mm512_storeu_ps(output + 16, _mm512_mul_ps(vf1, vscale));
    } else if (1 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 16, vtail, _mm512_mul_ps(vf1, vscale));
    }
    if (2 < full) {
      _mm512_storeu_ps(output + 32, _mm512_mul_ps(vf2, vscale));
    } else if (2 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 32, vtail, _mm512_mul_ps(vf2, vscale));
    }
    if (3 < full) {
      _mm512_storeu_ps(output + 48, _mm512_mul_ps(vf3, vscale));
    } else if (3 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 48, vtail, _mm512_mul_ps(vf3, vscale));
    }
    if (4 < full) {
      _mm512_storeu_ps(output + 64, _mm512_mul_ps(vf4, vscale));
    } else if (4 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 64, vtail, _mm512_mul_ps(vf4, vscale));
    }
    if (5 < full) {
      _mm512_storeu_ps(output + 80, _mm512_mul_ps(vf5, vscale));
    } else if (5 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 80, vtail, _mm512_mul_ps(vf5, vscale));
    }
    if (6 < full) {
      _mm512_storeu_ps(output + 96, _mm512_mul_ps(vf6, vscale));
    } else if (6 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 96, vtail, _mm512_mul_ps(vf6, vscale));
    }
    if (7 < full) {
      _mm512_storeu_ps(output + 112, _mm512_mul_ps(vf7, vscale));
    } else if (7 == full && n % 16 != 0) {
      _mm512_mask_storeu_ps(output + 112, vtail, _mm512_mul_ps(vf7, vscale));
    }
  };
  if (vref.shift_needed) {
    compute(std::true_type());
  } else {
    compute(std::false_type());
  }
}
