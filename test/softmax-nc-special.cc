// The special-value contract of include/twopass.h on every ISA and algorithm: NaN,
// +inf, -inf, fully masked rows (both modes), masking values (-1e9, -FLT_MAX), huge
// magnitudes (the three-pass fallback of two-pass), denormals, in single-chunk and
// multi-chunk rows, serial and split across threads.
#include <float.h>
#include <math.h>

#include <vector>

#include <gtest/gtest.h>

#include "softmax-operator-tester.h"

namespace twopass {
namespace testing {
namespace {

class SoftmaxSpecial : public ::testing::TestWithParam<IsaAlgorithm> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam().first); }
  uint32_t flags() const { return GetParam().second; }

  // Runs rows of `channels` random inputs in [-10, 10] where row `special_row` (of
  // `batch`) gets `value` at each of `positions` (relative: 0 first, 1 last,
  // 0.5 middle). Single chunk, multi-chunk, and multi-chunk split over threads.
  void TestValueAt(float value, std::vector<double> positions, uint32_t extra_flags = 0) {
    for (size_t channels : {1, 5, 33, 100, 1000, 9001}) {
      for (size_t threads : {0, 3}) {
        const size_t batch = threads == 0 ? 3 : 1;
        const size_t special_row = batch / 2;
        SoftmaxOperatorTester()
            .channels(channels)
            .batch_size(batch)
            .threads(threads)
            .flags(flags() | extra_flags)
            .row_filler([=](size_t row, float* x, size_t n, std::mt19937& rng) {
              std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
              for (size_t i = 0; i < n; i++) x[i] = dist(rng);
              if (row != special_row) return;
              for (double p : positions) x[static_cast<size_t>(p * (n - 1))] = value;
            })
            .Test();
        if (HasFatalFailure()) return;
      }
    }
  }
};

TEST_P(SoftmaxSpecial, NaNFirst) { TestValueAt(NAN, {0.0}); }
TEST_P(SoftmaxSpecial, NaNMiddle) { TestValueAt(NAN, {0.5}); }
TEST_P(SoftmaxSpecial, NaNLast) { TestValueAt(NAN, {1.0}); }
TEST_P(SoftmaxSpecial, NaNWithPositiveInfinity) {
  TestValueAt(INFINITY, {0.0, 0.5});
  TestValueAt(NAN, {0.25});
  // Both in one row: the NaN wins.
  SoftmaxOperatorTester()
      .channels(9001)
      .flags(flags())
      .row_filler([](size_t, float* x, size_t n, std::mt19937&) {
        for (size_t i = 0; i < n; i++) x[i] = static_cast<float>(i % 7);
        x[n / 2] = INFINITY;
        x[n - 1] = NAN;
      })
      .Test();
}

// A NaN early in a row, then, before the kernel moves its float sums into double
// ones, terms far larger (1000: ~1400 binades above exp(0)) in other lanes of the same
// accumulators, never in the NaN's lane. The two-pass kernels (AVX2, AVX512F)
// restarted lanes more than 256 binades below their accumulator's largest exponent
// with a zero sum, which dropped the NaN: the row came out finite.
// Found by test/fuzz/api-fuzzer.cc (an f16 row), then by the differential fuzzers.
TEST_P(SoftmaxSpecial, NaNBeforeMuchLargerTerms) {
  for (size_t nan_position : {9, 11, 13}) {
    for (size_t channels : {1024, 9001}) {
      SoftmaxOperatorTester()
          .channels(channels)
          .flags(flags())
          .row_filler([=](size_t, float* x, size_t n, std::mt19937&) {
            for (size_t i = 0; i < n; i++) x[i] = i >= 16 && i < 64 && i % 8 == 0 ? 1000.0f : 0.0f;
            x[nan_position] = NAN;
          })
          .Test();
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(SoftmaxSpecial, PositiveInfinityOne) { TestValueAt(INFINITY, {0.5}); }
TEST_P(SoftmaxSpecial, PositiveInfinityThree) { TestValueAt(INFINITY, {0.0, 0.5, 1.0}); }
TEST_P(SoftmaxSpecial, NegativeInfinityEntries) { TestValueAt(-INFINITY, {0.0, 0.5, 1.0}); }
TEST_P(SoftmaxSpecial, MaskingValues) {
  TestValueAt(-1e9f, {0.0, 1.0});
  TestValueAt(-FLT_MAX, {0.5, 1.0});
}

TEST_P(SoftmaxSpecial, PositiveAndNegativeInfinity) {
  SoftmaxOperatorTester()
      .channels(4099)
      .batch_size(2)
      .flags(flags())
      .row_filler([](size_t, float* x, size_t n, std::mt19937&) {
        for (size_t i = 0; i < n; i++) x[i] = (i % 2) ? -INFINITY : -3.0f;
        x[7] = INFINITY;
        x[n - 2] = INFINITY;
      })
      .Test();
}

// Fully masked rows next to normal rows: NaN by default, zeros with the flag; the flag
// changes nothing else.
TEST_P(SoftmaxSpecial, AllNegativeInfinity) {
  for (uint32_t masked : {0u, TWOPASS_FLAG_MASKED_ROW_ZERO}) {
    for (size_t channels : {1, 17, 9001}) {
      for (size_t threads : {0, 2}) {
        SoftmaxOperatorTester()
            .channels(channels)
            .batch_size(threads == 0 ? 3 : 1)
            .threads(threads)
            .flags(flags() | masked)
            .row_filler([](size_t row, float* x, size_t n, std::mt19937& rng) {
              std::uniform_real_distribution<float> dist(-5.0f, 5.0f);
              for (size_t i = 0; i < n; i++) x[i] = row == 1 || n == 1 ? dist(rng) : -INFINITY;
              if (row == 0) std::fill(x, x + n, -INFINITY);
            })
            .Test();
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(SoftmaxSpecial, MaskedRowZeroExactValues) {
  // Checked directly as well, not only through the reference.
  std::vector<float> x(100, -INFINITY), y(100, 1.0f);
  ASSERT_EQ(twopass_status_success,
            twopass_run_softmax_nc_f32(100, 100, 100, 1, x.data(), y.data(),
                                       flags() | TWOPASS_FLAG_MASKED_ROW_ZERO, nullptr));
  for (float v : y) ASSERT_EQ(0.0f, v);
  ASSERT_EQ(twopass_status_success,
            twopass_run_softmax_nc_f32(100, 100, 100, 1, x.data(), y.data(), flags(), nullptr));
  for (float v : y) ASSERT_TRUE(isnan(v));
}

TEST_P(SoftmaxSpecial, HugeMagnitudePair) {
  // [1e6, 1e6 + 1] -> [1 / (1 + e), e / (1 + e)], and the same far below zero.
  for (float base : {1e6f, -1e6f, 3e4f, -3e4f, 1e30f}) {
    std::vector<float> x = {base, base + 1.0f}, y(2);
    if (x[1] == x[0]) x[1] = nextafterf(x[0], INFINITY);  // 1e30 + 1 == 1e30
    ASSERT_EQ(twopass_status_success,
              twopass_run_softmax_nc_f32(2, 2, 2, 1, x.data(), y.data(), flags(), nullptr));
    const double d = static_cast<double>(x[1]) - static_cast<double>(x[0]);
    const double r1 = 1.0 / (1.0 + exp(-d));
    EXPECT_NEAR(1.0 - r1, y[0], 1e-6 * r1) << "base " << base;
    EXPECT_NEAR(r1, y[1], 1e-6 * r1) << "base " << base;
  }
}

TEST_P(SoftmaxSpecial, HugeMagnitudeRows) {
  const float bases[] = {1e5f, -1e5f, 2e4f, -2e4f, 1e7f, 3e38f};
  for (float base : bases) {
    for (size_t channels : {3, 1000, 9001}) {
      for (size_t threads : {0, 2}) {
        SoftmaxOperatorTester()
            .channels(channels)
            .batch_size(threads == 0 ? 2 : 1)
            .threads(threads)
            .flags(flags())
            .row_filler([base](size_t, float* x, size_t n, std::mt19937& rng) {
              // Spread of a few units: many outputs are significant.
              std::uniform_real_distribution<float> dist(-20.0f, 0.0f);
              const float ulp = nextafterf(base, INFINITY) - base;
              for (size_t i = 0; i < n; i++) {
                x[i] = base + std::max(ulp, 1.0f) * std::round(dist(rng) / std::max(ulp, 1.0f) * 8.0f) / 8.0f;
              }
            })
            .Test();
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(SoftmaxSpecial, SpecialRowsAmongManyShortRows) {
  // Short rows are processed in tiles of several rows, phase by phase; special rows
  // anywhere in a tile (and across tile boundaries) must not disturb their neighbours.
  for (size_t channels : {7, 64, 129}) {
    for (size_t threads : {0, 2}) {
      SoftmaxOperatorTester()
          .channels(channels)
          .batch_size(53)
          .threads(threads)
          .flags(flags())
          .row_filler([](size_t row, float* x, size_t n, std::mt19937& rng) {
            std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
            for (size_t i = 0; i < n; i++) x[i] = dist(rng);
            switch (row % 6) {
              case 1: x[row % n] = NAN; break;
              case 2: x[n - 1] = INFINITY; break;
              case 3: std::fill(x, x + n, -INFINITY); break;
              case 4: x[0] = 1.0e6f; x[n / 2] = 1.0e6f + 1.0f; break;
              case 5: x[n / 2] = -INFINITY; break;
              default: break;
            }
          })
          .Test();
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(SoftmaxSpecial, ExtremeFiniteValues) {
  // +-FLT_MAX in one row: finite outputs, the FLT_MAX entries share everything.
  SoftmaxOperatorTester()
      .channels(1001)
      .batch_size(3)
      .flags(flags())
      .row_filler([](size_t row, float* x, size_t n, std::mt19937& rng) {
        std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
        for (size_t i = 0; i < n; i++) x[i] = dist(rng);
        if (row == 0) {
          x[0] = FLT_MAX;
          x[n - 1] = -FLT_MAX;
        } else if (row == 1) {
          std::fill(x, x + n, FLT_MAX);
        } else {
          std::fill(x, x + n, -FLT_MAX);
        }
      })
      .Test();
}

TEST_P(SoftmaxSpecial, Denormals) {
  SoftmaxOperatorTester()
      .channels(777)
      .batch_size(2)
      .flags(flags())
      .row_filler([](size_t row, float* x, size_t n, std::mt19937& rng) {
        std::uniform_int_distribution<uint32_t> bits(1, 0x007FFFFF);
        for (size_t i = 0; i < n; i++) {
          x[i] = BitsToFloat(bits(rng) | (i % 2 ? 0x80000000u : 0u));
          if (row == 1 && i % 5 == 0) x[i] = 1.0f;  // denormals next to normal values
        }
      })
      .Test();
}

// The automatic choice's sampled-max reload (src/softmax-phases.cc) estimates each chunk's
// max from about 64 of its elements (index 0, every elements/64-th, the last). Values the
// sample misses: a larger maximum within the kernels' headroom (kept), beyond it (the row is
// recomputed with its exact max), +inf, NaN and 1e30 (2^24 and more), and rows whose only
// finite inputs are unsampled among -inf or -FLT_MAX masks. Index 1 is never sampled in
// chunks of more than 64 elements, nor n / 2 + 1 here; every algorithm runs the same rows,
// in place too (where sampled-max reload must not run: the special path would read the
// terms its sum pass stored over the input; the f32 diff fuzzer found that).
TEST_P(SoftmaxSpecial, ValuesTheSampleMisses) {
  const float kSpikes[] = {3.0f, 38.0f, 60.0f, 500.0f, 1e30f, INFINITY, NAN};
  for (size_t channels : {1000, 4099, 9001, 70001}) {
    for (size_t threads : {0, 3}) {
      for (bool inplace : {false, true}) {
        const size_t batch = threads == 0 ? 10 : 1;
        SoftmaxOperatorTester()
            .channels(channels)
            .batch_size(batch)
            .threads(threads)
            .inplace(inplace)
            .flags(flags())
            .row_filler([&kSpikes, threads](size_t row, float* x, size_t n, std::mt19937& rng) {
              std::uniform_real_distribution<float> dist(-5.0f, 5.0f);
              const size_t kind = threads == 0 ? row : static_cast<size_t>(rng() % 10);
              if (kind < 7) {
                for (size_t i = 0; i < n; i++) x[i] = dist(rng);
                const float spike = kSpikes[kind];
                x[1] = std::isfinite(spike) && spike < 1e6f ? 5.0f + spike : spike;
                if (kind == 1) x[n / 2 + 1] = 5.0f + spike - 1.0f;
              } else {
                // Masked rows: -inf, -FLT_MAX or -1e9 everywhere but at unsampled indices.
                const float mask = kind == 7 ? -INFINITY : kind == 8 ? -FLT_MAX : -1e9f;
                std::fill(x, x + n, mask);
                x[1] = dist(rng);
                x[n / 2 + 1] = dist(rng);
              }
            })
            .Test();
        if (HasFatalFailure()) return;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(IsaAlgorithm, SoftmaxSpecial, ::testing::ValuesIn(AllIsaAlgorithms()),
                         IsaAlgorithmName);

}  // namespace
}  // namespace testing
}  // namespace twopass
