// Accuracy sweep of the extended-exponent exp (Highway/SLEEF style): every
// kStride-th float bit pattern in [-1e4, 1e4] (both signs) goes through each
// f32-vscaleextexp variant and is compared with a long-double exp.
//
// exp(1e4) is far outside the float range, so the inputs are processed in blocks
// of kBlock consecutive patterns, each with scale (1, e) where e = -rint(x_mid *
// log2e) for the block's middle element: 2^e is exact, so the output is p * 2^(n+e)
// and its error is the error of p * 2^n against exp(x). Results outside the normal
// range [2^-126, 2^128) are skipped. Prints one line per ISA:
//   [ sweep ] avx2: max 1.87 ULP over N values in [-1e4, 1e4]
// and asserts the documented bound (3 ULP with FMA, 4 ULP on sse2 and scalar).
// ThreePassWithinBound does the same for the exp of the three-pass kernels through
// each f32-vscaleexpminusmax variant (scale 1): each block's max is its largest
// element, and the output exp(x - ref) (twopass/expminusmax-ref.h) is compared with a
// long-double exp(x - ref); the three-pass reduction of x - k*ln2 is exact, so this
// is the error of the kernel's exp alone.
#include <gtest/gtest.h>
#include <math.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "twopass/expminusmax-ref.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"
#include "vscaleextexp-microkernel-tester.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_vscaleextexp_ukernel_fn>;
using ThreePassKernel = UkernelInfo<twopass_f32_vscaleexpminusmax_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
#undef TWOPASS_UKERNEL
};

const ThreePassKernel kThreePassKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

// Odd stride so that every mantissa bit pattern class is visited; ~2.35e9 / 257
// = 9.2e6 values per variant keeps the test at a few seconds.
constexpr uint32_t kStride = 257;
constexpr size_t kBlock = 64;       // consecutive sampled patterns sharing one scale
constexpr size_t kChunk = 1 << 16;  // values processed per round (bounded memory)

struct Result {
  double max_ulp = 0.0;
  float worst_x = 0.0f;
  size_t count = 0;
};

// Every kStride-th float in [-1e4, 1e4], both signs, in blocks of kBlock: run(kernel,
// block, count, y) computes the kernel's outputs and reference(block, count, ref) their
// long-double values; results outside the normal range are skipped. Prints one line per
// ISA (`what`) and asserts each variant's bound.
template <typename K, typename Run, typename Reference>
void Sweep(const char* what, const std::vector<const K*>& kernels, Run run, Reference reference) {
  std::vector<Result> results(kernels.size());
  std::vector<float> x(kChunk), y(kChunk);
  std::vector<double> expected(kChunk);
  const uint32_t limit = FloatBits(1e4f);

  auto process = [&](size_t count) {
    for (size_t begin = 0; begin < count; begin += kBlock) {
      reference(&x[begin], std::min(kBlock, count - begin), &expected[begin]);
    }
    for (size_t k = 0; k < kernels.size(); k++) {
      for (size_t begin = 0; begin < count; begin += kBlock) {
        run(*kernels[k], &x[begin], std::min(kBlock, count - begin), &y[begin]);
      }
      Result& r = results[k];
      for (size_t i = 0; i < count; i++) {
        if (!(expected[i] >= 0x1p-126 && expected[i] < 0x1p128)) continue;
        const double error = UlpError(y[i], expected[i]);
        r.count++;
        if (error > r.max_ulp) {
          r.max_ulp = error;
          r.worst_x = x[i];
        }
      }
    }
  };

  size_t filled = 0;
  for (uint32_t sign : {0u, 0x80000000u}) {
    for (uint32_t bits = 0; bits <= limit; bits += kStride) {
      x[filled++] = BitsToFloat(sign | bits);
      if (filled == kChunk) {
        process(filled);
        filled = 0;
      }
    }
    if (filled != 0) {
      process(filled);
      filled = 0;
    }
  }

  // One line per ISA (maximum over its variants), then the per-variant assertions.
  std::map<enum twopass_isa, Result> per_isa;
  for (size_t k = 0; k < kernels.size(); k++) {
    Result& isa_result = per_isa[kernels[k]->isa];
    if (results[k].max_ulp >= isa_result.max_ulp) {
      isa_result.max_ulp = results[k].max_ulp;
      isa_result.worst_x = results[k].worst_x;
    }
    isa_result.count = results[k].count;
  }
  for (const auto& entry : per_isa) {
    std::cout << "[ sweep ] " << what << " " << twopass_isa_to_string(entry.first) << ": max "
              << std::fixed << std::setprecision(2) << entry.second.max_ulp << " ULP over "
              << entry.second.count << " values in [-1e4, 1e4] (worst x = " << std::hexfloat
              << entry.second.worst_x << std::defaultfloat << ")" << std::endl;
  }
  for (size_t k = 0; k < kernels.size(); k++) {
    EXPECT_LE(results[k].max_ulp, ExpUlpBound(kernels[k]->isa))
        << kernels[k]->name << " worst at x = " << results[k].worst_x;
    EXPECT_GT(results[k].count, size_t(1000000)) << kernels[k]->name;
  }
}

template <typename K, size_t N>
std::vector<const K*> KernelsUnderTest(const K (&all)[N]) {
  std::vector<const K*> kernels;
  for (const K& k : all) {
    if (testing::IsaUnderTest(k.isa)) kernels.push_back(&k);
  }
  return kernels;
}

// The two-pass exp: f32-vscaleextexp with scale (1, e), e = -rint(x_mid * log2e) per block
// (2^e exact: the output is p * 2^(n + e)).
TEST(ExpUlpSweep, AllVariantsWithinBound) {
  const std::vector<const Kernel*> kernels = KernelsUnderTest(kKernels);
  if (kernels.empty()) GTEST_SKIP() << "no f32-vscaleextexp variant runs on this CPU";
  const auto scale_exponent = [](const float* x, size_t n) {
    return -std::rint(x[n / 2] * 0x1.715476p+0f);
  };
  Sweep(
      "two-pass", kernels,
      [&](const Kernel& k, const float* x, size_t n, float* y) {
        k.fn(n * sizeof(float), x, y, 1.0f, scale_exponent(x, n));
      },
      [&](const float* x, size_t n, double* expected) {
        const float e = scale_exponent(x, n);
        for (size_t i = 0; i < n; i++) {
          expected[i] = static_cast<double>(
              expl(static_cast<long double>(x[i]) + static_cast<long double>(e) * M_LN2l));
        }
      });
}

// The three-pass exp: f32-vscaleexpminusmax with scale 1 and max = the block's largest
// element: exp(x - ref), ref = shift + k*ln2.
TEST(ExpUlpSweep, ThreePassWithinBound) {
  const std::vector<const ThreePassKernel*> kernels = KernelsUnderTest(kThreePassKernels);
  if (kernels.empty()) GTEST_SKIP() << "no f32-vscaleexpminusmax variant runs on this CPU";
  const auto block_max = [](const float* x, size_t n) { return *std::max_element(x, x + n); };
  Sweep(
      "three-pass", kernels,
      [&](const ThreePassKernel& k, const float* x, size_t n, float* y) {
        k.fn(n * sizeof(float), x, y, block_max(x, n), 1.0f);
      },
      [&](const float* x, size_t n, double* expected) {
        const ExpMinusMaxRef r = GetExpMinusMaxRef(block_max(x, n));
        const long double ref =
            static_cast<long double>(r.shift) + static_cast<long double>(r.k) * M_LN2l;
        for (size_t i = 0; i < n; i++) {
          expected[i] = static_cast<double>(expl(static_cast<long double>(x[i]) - ref));
        }
      });
}

}  // namespace
}  // namespace testing
}  // namespace twopass
