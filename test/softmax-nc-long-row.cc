// One row of 2^26 elements (256 MiB in, 256 MiB out, 256 MiB of reference): |sum(y) - 1| <= 1e-6 with every
// algorithm on the best ISA (the peers drift to 1e-2 here by accumulating in f32),
// every output against the double reference, and the two-thread split run bitwise
// equal to the serial run.
#include <math.h>
#include <string.h>

#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "softmax-operator-tester.h"

namespace twopass {
namespace testing {
namespace {

TEST(SoftmaxLongRow, SumOfTwoTo26Elements) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(twopass_isa_best_supported()));
  const size_t n = size_t{1} << 26;
  std::vector<float> x(n), y(n), y_split(n);
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
  for (float& v : x) v = dist(rng);
  float max = -INFINITY;
  for (float v : x) max = std::max(max, v);
  // exp(x - max) once, kept in float (its 6e-8 relative rounding is far below the
  // 1e-6 * max r bound checked).
  std::vector<float> r(n);
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double e = exp(static_cast<double>(x[i]) - max);
    r[i] = static_cast<float>(e);
    sum += e;
  }
  const double max_r = 1.0 / sum;

  pthreadpool_t pool = pthreadpool_create(2);
  ASSERT_NE(nullptr, pool);
  for (uint32_t flags : AllAlgorithmFlags()) {
    ASSERT_EQ(twopass_status_success,
              twopass_run_softmax_nc_f32(n, n, n, 1, x.data(), y.data(), flags, nullptr));
    double total = 0.0, max_error = 0.0;
    for (size_t i = 0; i < n; i++) {
      max_error = std::max(max_error, fabs(y[i] - r[i] / sum));
      total += y[i];
    }
    EXPECT_LE(fabs(total - 1.0), 1e-6) << AlgorithmFlagName(flags);
    EXPECT_LE(max_error, 1e-6 * max_r) << AlgorithmFlagName(flags);
    printf("%s on %s: |sum - 1| = %.3g, max |y - r| / max r = %.3g\n", AlgorithmFlagName(flags),
           twopass_isa_name(), fabs(total - 1.0), max_error / max_r);

    ASSERT_EQ(twopass_status_success,
              twopass_run_softmax_nc_f32(n, n, n, 1, x.data(), y_split.data(), flags, pool));
    EXPECT_EQ(0, memcmp(y.data(), y_split.data(), n * sizeof(float))) << AlgorithmFlagName(flags);
  }
  pthreadpool_destroy(pool);
}

}  // namespace
}  // namespace testing
}  // namespace twopass
