// Accuracy of the softmax_nc_f32 operator against a double reference, on every ISA
// (selected through the internal setter) and with every algorithm flag: channel
// sweeps around kernel tiles and chunk edges, input ranges, strides, batch sizes,
// in place, the one-shot call and operator reuse.
#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "softmax-operator-tester.h"

namespace twopass {
namespace testing {
namespace {

class SoftmaxAccuracy : public ::testing::TestWithParam<IsaAlgorithm> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam().first); }
  uint32_t flags() const { return GetParam().second; }
};

// Small sizes and kernel tile edges (tiles are 4..192 elements), primes, chunk edges
// (16384), and the ~20000 upper end of the sweep (two chunks).
const size_t kChannels[] = {1,    2,    3,    4,    5,    7,     8,     9,     15,    16,
                            17,   31,   32,   33,   47,   48,    49,    63,    64,    65,
                            96,   97,   127,  128,  129,  143,   144,   145,   191,   192,
                            193,  257,  1000, 1021, 4096, 4099,  16383, 16384, 16385, 19997,
                            20000};

TEST_P(SoftmaxAccuracy, ChannelsSweep) {
  for (size_t channels : kChannels) {
    SoftmaxOperatorTester().channels(channels).batch_size(3).flags(flags()).Test();
    if (HasFatalFailure()) return;
  }
}

TEST_P(SoftmaxAccuracy, WideRange) {
  for (size_t channels : {1, 17, 100, 1021, 4099, 19997}) {
    SoftmaxOperatorTester()
        .channels(channels)
        .batch_size(3)
        .input_range(-1e4f, 1e4f)
        .flags(flags())
        .Test();
    if (HasFatalFailure()) return;
  }
}

// Float exp overflows here (the reason for the extended exponent and for max).
TEST_P(SoftmaxAccuracy, LargePositiveInputs) {
  for (size_t channels : {1, 33, 1000, 16385}) {
    SoftmaxOperatorTester()
        .channels(channels)
        .batch_size(2)
        .input_range(90.0f, 100.0f)
        .flags(flags())
        .Test();
    if (HasFatalFailure()) return;
  }
}

// Float exp underflows here.
TEST_P(SoftmaxAccuracy, LargeNegativeInputs) {
  for (size_t channels : {1, 33, 1000, 16385}) {
    SoftmaxOperatorTester()
        .channels(channels)
        .batch_size(2)
        .input_range(-9990.0f, -9900.0f)
        .flags(flags())
        .Test();
    if (HasFatalFailure()) return;
  }
}

// Every element at its own scale: tiny, moderate, large, near +-1e4.
TEST_P(SoftmaxAccuracy, MixedScales) {
  SoftmaxOperatorTester()
      .channels(3001)
      .batch_size(4)
      .flags(flags())
      .row_filler([](size_t, float* x, size_t n, std::mt19937& rng) {
        std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
        std::uniform_int_distribution<int> scale(0, 5);
        const float scales[] = {1e-30f, 1e-3f, 1.0f, 30.0f, 300.0f, 9999.0f};
        for (size_t i = 0; i < n; i++) x[i] = mantissa(rng) * scales[scale(rng)];
      })
      .Test();
}

// A few large values dominate many small ones (attention-like peaks).
TEST_P(SoftmaxAccuracy, Peaks) {
  SoftmaxOperatorTester()
      .channels(20000)
      .batch_size(2)
      .flags(flags())
      .row_filler([](size_t, float* x, size_t n, std::mt19937& rng) {
        std::uniform_real_distribution<float> dist(-5.0f, 5.0f);
        for (size_t i = 0; i < n; i++) x[i] = dist(rng);
        x[n / 3] = 25.0f;
        x[n - 1] = 24.5f;
      })
      .Test();
}

TEST_P(SoftmaxAccuracy, Strides) {
  for (size_t channels : {1, 7, 64, 1000, 16385}) {
    SoftmaxOperatorTester()
        .channels(channels)
        .input_stride(channels + 3)
        .output_stride(channels + 17)
        .batch_size(4)
        .flags(flags())
        .Test();
    if (HasFatalFailure()) return;
    SoftmaxOperatorTester()
        .channels(channels)
        .input_stride(2 * channels + 1)
        .output_stride(channels)
        .batch_size(3)
        .flags(flags())
        .Test();
    if (HasFatalFailure()) return;
  }
}

TEST_P(SoftmaxAccuracy, BatchSizes) {
  for (size_t batch : {0, 1, 2, 5, 64}) {
    SoftmaxOperatorTester().channels(37).batch_size(batch).flags(flags()).Test();
    if (HasFatalFailure()) return;
  }
  SoftmaxOperatorTester().channels(128).batch_size(1000).flags(flags()).Test();
}

TEST_P(SoftmaxAccuracy, InPlace) {
  for (size_t channels : {1, 19, 1000, 16385}) {
    SoftmaxOperatorTester().channels(channels).batch_size(3).inplace(true).flags(flags()).Test();
    if (HasFatalFailure()) return;
    SoftmaxOperatorTester()
        .channels(channels)
        .input_stride(channels + 5)
        .output_stride(channels + 5)
        .batch_size(3)
        .inplace(true)
        .flags(flags())
        .Test();
    if (HasFatalFailure()) return;
  }
}

TEST_P(SoftmaxAccuracy, OneShot) {
  for (size_t channels : {1, 100, 16385}) {
    SoftmaxOperatorTester().channels(channels).batch_size(3).one_shot(true).flags(flags()).Test();
    if (HasFatalFailure()) return;
  }
  SoftmaxOperatorTester()
      .channels(50)
      .input_stride(60)
      .output_stride(60)
      .batch_size(7)
      .inplace(true)
      .one_shot(true)
      .flags(flags())
      .Test();
}

// Rows dominated by one element: the output of that element is rounded from
// p * (1/p) and must never exceed 1.
TEST_P(SoftmaxAccuracy, DominantElementAtMostOne) {
  // 1 and 2 elements, then rows whose other terms are below e^-120 of the dominant one
  // (nothing of them reaches the sum), with the dominant element in the first block, in a
  // later one (a new maximum far above the running one) or in the tail of the row.
  for (size_t channels : {1, 2, 300, 1000}) {
    SoftmaxOperatorTester()
        .channels(channels)
        .batch_size(channels > 2 ? 3000 : 20000)
        .flags(flags())
        .row_filler([](size_t row, float* x, size_t n, std::mt19937& rng) {
          // Every fourth row's dominant element up to 9000 in magnitude (exp's n up to
          // 13000), the others within 100.
          std::uniform_real_distribution<float> dist(-100.0f, 100.0f), wide(-9000.0f, 9000.0f);
          std::uniform_real_distribution<float> gap(-200.0f, -20.0f);
          const size_t at = n > 2 ? (row % 3 == 0 ? 0 : row % 3 == 1 ? n / 2 : n - 1) : 0;
          x[at] = row % 4 == 3 ? wide(rng) : dist(rng);
          if (row % 2 == 1) {
            // A near tie of the rounding of x log2e: fl(x * log2e) is exactly k + 1/2, which
            // rounds to even, while the exact product, a little above or below, rounds away
            // from it; an exp whose n comes from the rounded product in one pass and from
            // the exact one (FMA) in the other gives this term two values.
            const float k = std::floor(x[at] * 0x1.715476p+0f) + 0.5f;
            float v = k / 0x1.715476p+0f;
            for (int step = 0; step < 64 && v * 0x1.715476p+0f != k; step++) {
              v = std::nextafter(v, v * 0x1.715476p+0f < k ? INFINITY : -INFINITY);
            }
            x[at] = v;
          }
          for (size_t i = 0; i < n; i++) {
            if (i != at) x[i] = x[at] + (n > 2 ? gap(rng) - 100.0f : gap(rng));
          }
        })
        .Test();
    if (HasFatalFailure()) return;
  }
}

// Rows of equal values: every term of the sums rounds the same way, so accumulation
// errors add up instead of cancelling (the worst case of the bounds derived in the
// kernel templates). Lengths across kernel tiles, chunk edges (4096) and up to 2^20;
// values whose exp is a power of two (0) and ones whose exp is not.
TEST_P(SoftmaxAccuracy, EqualValues) {
  for (float value : {3.25f, -7.5f, 0.0f}) {
    for (size_t channels : {1, 2, 3, 5, 8, 63, 64, 65, 127, 128, 129, 255, 1000, 1021, 2039, 4093,
                            4096, 4097, 8191, 12289, 16385, 20011, 65543, 1 << 20}) {
      SoftmaxOperatorTester()
          .channels(channels)
          .batch_size(1)
          .flags(flags())
          .row_filler([value](size_t, float* x, size_t n, std::mt19937&) {
            std::fill(x, x + n, value);
          })
          .Test();
      if (HasFatalFailure()) return;
    }
  }
}

// One operator, set up once, run on new data each time.
TEST_P(SoftmaxAccuracy, RepeatedRuns) {
  SoftmaxOperatorTester().channels(2049).batch_size(3).iterations(5).flags(flags()).Test();
}

INSTANTIATE_TEST_SUITE_P(IsaAlgorithm, SoftmaxAccuracy, ::testing::ValuesIn(AllIsaAlgorithms()),
                         IsaAlgorithmName);

}  // namespace
}  // namespace testing
}  // namespace twopass
