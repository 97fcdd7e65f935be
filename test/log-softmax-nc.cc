// Log-softmax operators (f32 and f16, issue 13) against a double-precision reference on
// every ISA the CPU has: y_i = x_i - lse, lse = max + log(sum_j exp(x_j - max)).
// Contract (include/twopass.h, "Log-softmax"): f32 |y_i - r_i| <= 1e-6 * max(1, |r_i|);
// f16 within 1 half-ULP of r_i plus that; the special-value table; bitwise identical
// results for any pool; strides, gaps and in-place as for softmax.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/config.h"
#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "softmax-operator-tester.h"  // kUntouchedBits, kHalfUntouched, TWOPASS_SELECT_ISA
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Reference log-softmax of one row in double, following the special-value table. NaN
// entries of r mean "must be NaN".
void ReferenceLogSoftmax(const float* x, size_t n, bool masked_row_ninf, std::vector<double>* r) {
  r->assign(n, 0.0);
  bool nan = false;
  size_t positive_infinities = 0, negative_infinities = 0;
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    nan |= std::isnan(x[i]);
    positive_infinities += x[i] == kInf;
    negative_infinities += x[i] == -kInf;
    max = std::max(max, static_cast<double>(x[i]));
  }
  if (nan) {
    std::fill(r->begin(), r->end(), NAN);
    return;
  }
  if (positive_infinities != 0) {
    const double share = -log(static_cast<double>(positive_infinities));
    for (size_t i = 0; i < n; i++) (*r)[i] = x[i] == kInf ? share : -INFINITY;
    return;
  }
  if (negative_infinities == n) {
    std::fill(r->begin(), r->end(), masked_row_ninf ? -INFINITY : NAN);
    return;
  }
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp(static_cast<double>(x[i]) - max);
  const double lse = max + log(sum);
  for (size_t i = 0; i < n; i++) (*r)[i] = static_cast<double>(x[i]) - lse;
}

struct Shape {
  size_t channels = 1;
  size_t batch = 1;
  size_t input_stride = 0;   // 0: channels
  size_t output_stride = 0;  // 0: channels (in place: the input stride)
  bool inplace = false;
  bool one_shot = false;
  size_t threads = 0;
  uint32_t flags = 0;
};

using RowFiller = std::function<void(size_t row, float* x, size_t n, std::mt19937& rng)>;

void UniformRows(float lo, float hi, size_t, float* x, size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(lo, hi);
  for (size_t i = 0; i < n; i++) x[i] = dist(rng);
}

// Runs the f32 or f16 operator on rows from `filler` (f16: rounded to halves) and checks
// every output and the gaps. Returns the output span (as floats) in *result for bitwise
// comparisons, and the largest error in units of the tolerance in *worst.
void RunAndCheck(bool f16, const Shape& s, const RowFiller& filler, const std::string& what,
                 std::vector<float>* result, double* worst) {
  const size_t in_stride = s.input_stride == 0 ? s.channels : s.input_stride;
  const size_t out_stride =
      s.inplace ? in_stride : (s.output_stride == 0 ? s.channels : s.output_stride);
  const size_t in_span = (s.batch - 1) * in_stride + s.channels;
  const size_t out_span = (s.batch - 1) * out_stride + s.channels;
  std::mt19937 rng(TestSeed());
  // The rows as floats (exactly the halves for f16).
  std::vector<float> rows(s.batch * s.channels);
  for (size_t b = 0; b < s.batch; b++) {
    float* row = rows.data() + b * s.channels;
    filler(b, row, s.channels, rng);
    if (f16) {
      for (size_t i = 0; i < s.channels; i++) row[i] = HalfToFloat(FloatToHalf(row[i]));
    }
  }
  GuardedBuffer<float> x32(f16 ? 1 : std::max(in_span, s.inplace ? out_span : 0));
  GuardedBuffer<float> y32(f16 || s.inplace ? 1 : out_span);
  GuardedBuffer<uint16_t> x16(f16 ? std::max(in_span, s.inplace ? out_span : 0) : 1);
  GuardedBuffer<uint16_t> y16(f16 && !s.inplace ? out_span : 1);
  std::fill(x32.begin(), x32.end(), BitsToFloat(kUntouchedBits));
  std::fill(y32.begin(), y32.end(), BitsToFloat(kUntouchedBits));
  std::fill(x16.begin(), x16.end(), kHalfUntouched);
  std::fill(y16.begin(), y16.end(), kHalfUntouched);
  for (size_t b = 0; b < s.batch; b++) {
    for (size_t i = 0; i < s.channels; i++) {
      const float v = rows[b * s.channels + i];
      if (f16) {
        x16[b * in_stride + i] = FloatToHalf(v);
      } else {
        x32[b * in_stride + i] = v;
      }
    }
  }
  const void* input = f16 ? static_cast<const void*>(x16.data()) : x32.data();
  void* output = f16 ? (s.inplace ? static_cast<void*>(x16.data()) : y16.data())
                     : (s.inplace ? static_cast<void*>(x32.data()) : y32.data());

  pthreadpool_t pool = s.threads == 0 ? nullptr : pthreadpool_create(s.threads);
  if (s.one_shot) {
    EXPECT_EQ(twopass_status_success,
              f16 ? twopass_run_log_softmax_nc_f16(s.channels, in_stride, out_stride, s.batch,
                                                   input, output, s.flags, pool)
                  : twopass_run_log_softmax_nc_f32(s.channels, in_stride, out_stride, s.batch,
                                                   static_cast<const float*>(input),
                                                   static_cast<float*>(output), s.flags, pool));
  } else {
    twopass_operator_t op = nullptr;
    EXPECT_EQ(twopass_status_success, f16 ? twopass_create_log_softmax_nc_f16(s.flags, &op)
                                          : twopass_create_log_softmax_nc_f32(s.flags, &op));
    EXPECT_EQ(twopass_status_success,
              f16 ? twopass_reshape_log_softmax_nc_f16(op, s.channels, in_stride, out_stride,
                                                       s.batch, pool)
                  : twopass_reshape_log_softmax_nc_f32(op, s.channels, in_stride, out_stride,
                                                       s.batch, pool));
    EXPECT_EQ(twopass_status_success,
              f16 ? twopass_setup_log_softmax_nc_f16(op, input, output)
                  : twopass_setup_log_softmax_nc_f32(op, static_cast<const float*>(input),
                                                     static_cast<float*>(output)));
    EXPECT_EQ(twopass_status_success, twopass_run_operator(op, pool));
    EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
  }
  if (pool != nullptr) pthreadpool_destroy(pool);

  auto output_at = [&](size_t index) -> float {
    if (f16) return HalfToFloat(static_cast<const uint16_t*>(output)[index]);
    return static_cast<const float*>(output)[index];
  };
  auto untouched_at = [&](size_t index) -> bool {
    if (f16) return static_cast<const uint16_t*>(output)[index] == kHalfUntouched;
    return FloatBits(static_cast<const float*>(output)[index]) == kUntouchedBits;
  };
  const bool masked = (s.flags & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0;
  std::vector<double> r;
  double max_ratio = 0.0;
  for (size_t b = 0; b < s.batch && !::testing::Test::HasFailure(); b++) {
    const float* x = rows.data() + b * s.channels;
    ReferenceLogSoftmax(x, s.channels, masked, &r);
    for (size_t i = 0; i < s.channels; i++) {
      const float y = output_at(b * out_stride + i);
      if (std::isnan(r[i])) {
        ASSERT_TRUE(std::isnan(y)) << what << ": row " << b << " i " << i << " expected NaN, got "
                                   << y;
        continue;
      }
      // Results beyond the format's range round to -inf (f32 below -FLT_MAX, e.g. x = -3e38
      // in a row whose lse is 3e38; f16 below -65520).
      const float rounded =
          f16 ? HalfToFloat(FloatToHalf(static_cast<float>(r[i]))) : static_cast<float>(r[i]);
      if (std::isinf(rounded)) {
        ASSERT_EQ(rounded, y) << what << ": row " << b << " i " << i << " input " << x[i]
                              << ", reference " << r[i];
        continue;
      }
      ASSERT_TRUE(std::isfinite(y)) << what << ": row " << b << " i " << i << " got " << y
                                    << ", reference " << r[i];
      double tolerance = 1e-6 * std::max(1.0, fabs(r[i]));
      if (f16) tolerance += HalfUlp(fabs(r[i]));
      const double error = fabs(static_cast<double>(y) - r[i]);
      max_ratio = std::max(max_ratio, error / tolerance);
      ASSERT_LE(error, tolerance) << what << ": row " << b << " i " << i << " input " << x[i]
                                  << ": got " << y << ", reference " << r[i];
    }
    // The gap after each row (but the last) is not written.
    if (!s.inplace && b + 1 < s.batch) {
      for (size_t i = s.channels; i < out_stride; i++) {
        ASSERT_TRUE(untouched_at(b * out_stride + i)) << what << ": gap written, row " << b;
      }
    }
  }
  if (worst != nullptr) *worst = max_ratio;
  if (result != nullptr) {
    result->resize(out_span);
    for (size_t i = 0; i < out_span; i++) (*result)[i] = output_at(i);
  }
}

// Every ISA x {f32, f16}.
using IsaType = std::pair<enum twopass_isa, bool>;

std::vector<IsaType> AllIsaTypes() {
  std::vector<IsaType> all;
  for (int isa = 0; isa < TWOPASS_ISA_COUNT; isa++) {
    for (bool f16 : {false, true}) all.emplace_back(static_cast<enum twopass_isa>(isa), f16);
  }
  return all;
}

class LogSoftmaxNc : public ::testing::TestWithParam<IsaType> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam().first); }
  bool f16() const { return GetParam().second; }
  std::string Name() const {
    return std::string(twopass_isa_to_string(GetParam().first)) + (f16() ? "/f16" : "/f32");
  }
  void Run(const Shape& s, const RowFiller& filler, const std::string& what,
           double* worst = nullptr, std::vector<float>* result = nullptr) {
    RunAndCheck(f16(), s, filler, Name() + " " + what, result, worst);
  }
};

RowFiller Uniform(float lo, float hi) {
  return [lo, hi](size_t row, float* x, size_t n, std::mt19937& rng) {
    UniformRows(lo, hi, row, x, n, rng);
  };
}

TEST_P(LogSoftmaxNc, RowLengths) {
  double worst = 0.0;
  for (size_t n : {size_t(1), size_t(2), size_t(7), size_t(100), size_t(4096), size_t(4097),
                   size_t(20011), size_t(70001)}) {
    Shape s;
    s.channels = n;
    s.batch = n > 5000 ? 2 : 5;
    double ratio;
    Run(s, Uniform(-10.0f, 10.0f), "n=" + std::to_string(n), &ratio);
    worst = std::max(worst, ratio);
    if (HasFailure()) return;
  }
  std::cout << "[ accuracy ] " << Name() << ": max error " << worst << " x tolerance"
            << std::endl;
}

// Wide and extreme magnitudes: [-1e4, 1e4] (the two-pass range), rows beyond it (three-pass
// recompute after pass 1), and rows near the largest finite values.
TEST_P(LogSoftmaxNc, Magnitudes) {
  const float f16_max = 65504.0f;
  const std::vector<std::pair<float, float>> ranges =
      // Beyond the two-pass range (|x| above ~1e4) but below 2^14, where the three-pass
      // kernels' reference point is k*ln2 and not the maximum: [11000, 11100] and
      // [-12100, -12000]; then beyond 2^14.
      f16() ? std::vector<std::pair<float, float>>{{-1.0e4f, 1.0e4f}, {11000.0f, 11100.0f},
                                                   {-12100.0f, -12000.0f}, {30000.0f, 30050.0f},
                                                   {-f16_max, -f16_max + 64.0f},
                                                   {-f16_max, f16_max}}
            : std::vector<std::pair<float, float>>{{-1.0e4f, 1.0e4f}, {11000.0f, 11100.0f},
                                                   {-12100.0f, -12000.0f}, {1.0e6f, 1.0e6f + 1.0f},
                                                   {-3.0e38f, -2.9e38f}, {2.9e38f, 3.0e38f},
                                                   {-1.7e38f, 1.7e38f}};
  for (const auto& range : ranges) {
    for (size_t n : {size_t(33), size_t(9000)}) {
      Shape s;
      s.channels = n;
      s.batch = 2;
      Run(s, Uniform(range.first, range.second),
          "range [" + std::to_string(range.first) + ", " + std::to_string(range.second) +
              "] n=" + std::to_string(n));
      if (HasFailure()) return;
    }
  }
}

// Rows of equal values: the sum is n terms of one value, r_i = -log n exactly; the case
// where the accumulated rounding of pass 1 is largest (every term the same size).
TEST_P(LogSoftmaxNc, EqualValues) {
  for (float value : {0.0f, 3.25f, -7.5f, 80.0f}) {
    for (size_t n : {size_t(1), size_t(3), size_t(4096), size_t(4097), size_t(65543),
                     size_t(1) << 20}) {
      if (f16() && n > 70000) continue;  // the reference's cost, not the library's
      Shape s;
      s.channels = n;
      Run(s,
          [value](size_t, float* x, size_t count, std::mt19937&) {
            std::fill(x, x + count, value);
          },
          "all " + std::to_string(value) + " n=" + std::to_string(n));
      if (HasFailure()) return;
    }
  }
}

// The special-value table, each value at the first, a middle and the last position, in
// rows of one chunk and of several; and rows with several +inf, or only -inf.
TEST_P(LogSoftmaxNc, SpecialValues) {
  for (float special : {kNaN, kInf, -kInf, -3.0e38f, 1.0e-40f, -0.0f}) {
    for (size_t n : {size_t(1), size_t(67), size_t(9000)}) {
      for (size_t position : {size_t(0), n / 2, n - 1}) {
        Shape s;
        s.channels = n;
        s.batch = 2;
        Run(s,
            [special, position](size_t row, float* x, size_t count, std::mt19937& rng) {
              UniformRows(-10.0f, 10.0f, row, x, count, rng);
              if (row == 0) x[position] = special;
            },
            "special " + std::to_string(special) + " n=" + std::to_string(n) + " at " +
                std::to_string(position));
        if (HasFailure()) return;
      }
    }
  }
  for (uint32_t flags : {0u, TWOPASS_FLAG_MASKED_ROW_ZERO}) {
    Shape s;
    s.channels = 5000;
    s.batch = 4;
    s.flags = flags;
    Run(s,
        [](size_t row, float* x, size_t n, std::mt19937& rng) {
          UniformRows(-10.0f, 10.0f, row, x, n, rng);
          for (size_t i = 0; i < n; i++) {
            if (row == 0 && i % 1000 == 7) x[i] = kInf;  // 5 entries of +inf
            if (row == 1) x[i] = -kInf;                   // fully masked
            if (row == 2 && i % 3 == 0) x[i] = -kInf;     // partly masked
          }
        },
        flags ? "masked rows, -inf flag" : "masked rows");
  }
}

TEST_P(LogSoftmaxNc, StridesInPlaceAndOneShot) {
  Shape s;
  s.channels = 133;
  s.input_stride = 140;
  s.output_stride = 151;
  s.batch = 5;
  Run(s, Uniform(-20.0f, 20.0f), "strides");
  s.one_shot = true;
  Run(s, Uniform(-20.0f, 20.0f), "strides one-shot");
  for (size_t n : {size_t(33), size_t(9000)}) {
    Shape p;
    p.channels = n;
    p.input_stride = n + 3;
    p.batch = 3;
    p.inplace = true;
    Run(p, Uniform(-20.0f, 20.0f), "in place n=" + std::to_string(n));
  }
}

// Bitwise the same for any pool: rows (many rows), split rows (one long row, 3
// threads) and no pool.
TEST_P(LogSoftmaxNc, ThreadsGiveIdenticalBits) {
  for (size_t batch : {size_t(1), size_t(7)}) {
    Shape s;
    s.channels = 20000;
    s.batch = batch;
    std::vector<float> serial, threaded;
    Run(s, Uniform(-10.0f, 10.0f), "serial", nullptr, &serial);
    s.threads = 3;
    Run(s, Uniform(-10.0f, 10.0f), "3 threads", nullptr, &threaded);
    ASSERT_EQ(serial.size(), threaded.size());
    for (size_t i = 0; i < serial.size(); i++) {
      ASSERT_EQ(FloatBits(serial[i]), FloatBits(threaded[i])) << Name() << " batch " << batch
                                                              << " index " << i;
    }
  }
}

// The optional log-sum-exp output (twopass_setup_logsumexp_output) of softmax (every
// algorithm) and log-softmax: rows of one and of several chunks, run without a pool, over
// rows and split over 3 threads; ordinary rows, rows beyond the two-pass range, and the
// special rows (NaN, +inf, only -inf). lse is written for every row and nothing else.
TEST_P(LogSoftmaxNc, LogSumExpOutput) {
  const bool half = f16();
  struct Operation {
    bool log;
    uint32_t flags;
  };
  const Operation operations[] = {{true, 0},
                                  {false, TWOPASS_FLAG_ALGORITHM_TWO_PASS},
                                  {false, TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD},
                                  {false, TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE},
                                  {false, TWOPASS_FLAG_MASKED_ROW_ZERO}};
  constexpr size_t kRows = 7;
  for (size_t channels : {size_t(100), size_t(9000)}) {
    // Rows: random, [11000, 11100] (three-pass form, ref != max), [-12100, -12000], a NaN,
    // two +inf, only -inf, random again.
    std::mt19937 rng(TestSeed());
    std::vector<float> x(kRows * channels);
    for (size_t b = 0; b < kRows; b++) {
      float* row = x.data() + b * channels;
      const float lo = b == 1 ? 11000.0f : b == 2 ? -12100.0f : -10.0f;
      UniformRows(lo, lo + (b == 1 || b == 2 ? 100.0f : 20.0f), b, row, channels, rng);
      if (b == 3) row[channels / 2] = kNaN;
      if (b == 4) row[1] = row[channels - 1] = kInf;
      if (b == 5) std::fill(row, row + channels, -kInf);
      if (half) {
        for (size_t i = 0; i < channels; i++) row[i] = HalfToFloat(FloatToHalf(row[i]));
      }
    }
    std::vector<uint16_t> xh(x.size()), yh(x.size());
    for (size_t i = 0; i < x.size(); i++) xh[i] = FloatToHalf(x[i]);
    std::vector<float> y(x.size());
    for (const Operation& operation : operations) {
      for (size_t threads : {size_t(0), size_t(3)}) {
        SCOPED_TRACE(::testing::Message() << Name() << (operation.log ? " log-softmax" : " softmax")
                                          << " flags 0x" << std::hex << operation.flags
                                          << std::dec << " channels " << channels << " threads "
                                          << threads);
        pthreadpool_t pool = threads == 0 ? nullptr : pthreadpool_create(threads);
        twopass_operator_t op = nullptr;
        enum twopass_status status;
        if (operation.log) {
          status = half ? twopass_create_log_softmax_nc_f16(operation.flags, &op)
                        : twopass_create_log_softmax_nc_f32(operation.flags, &op);
        } else {
          status = half ? twopass_create_softmax_nc_f16(operation.flags, &op)
                        : twopass_create_softmax_nc_f32(operation.flags, &op);
        }
        ASSERT_EQ(twopass_status_success, status);
        if (operation.log) {
          status = half ? twopass_reshape_log_softmax_nc_f16(op, channels, channels, channels,
                                                             kRows, pool)
                        : twopass_reshape_log_softmax_nc_f32(op, channels, channels, channels,
                                                             kRows, pool);
        } else {
          status = half ? twopass_reshape_softmax_nc_f16(op, channels, channels, channels, kRows,
                                                         pool)
                        : twopass_reshape_softmax_nc_f32(op, channels, channels, channels, kRows,
                                                         pool);
        }
        ASSERT_EQ(twopass_status_success, status);
        float lse[kRows + 2];
        std::fill(lse, lse + kRows + 2, BitsToFloat(kUntouchedBits));
        EXPECT_EQ(twopass_status_invalid_state, twopass_setup_logsumexp_output(op, lse + 1));
        if (operation.log) {
          status = half ? twopass_setup_log_softmax_nc_f16(op, xh.data(), yh.data())
                        : twopass_setup_log_softmax_nc_f32(op, x.data(), y.data());
        } else {
          status = half ? twopass_setup_softmax_nc_f16(op, xh.data(), yh.data())
                        : twopass_setup_softmax_nc_f32(op, x.data(), y.data());
        }
        ASSERT_EQ(twopass_status_success, status);
        ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_output(op, lse + 1));
        ASSERT_EQ(twopass_status_success, twopass_run_operator(op, pool));
        EXPECT_EQ(kUntouchedBits, FloatBits(lse[0]));
        EXPECT_EQ(kUntouchedBits, FloatBits(lse[kRows + 1]));
        for (size_t b = 0; b < kRows; b++) {
          const float* row = x.data() + b * channels;
          double max = -INFINITY;
          bool nan = false;
          for (size_t i = 0; i < channels; i++) {
            max = std::max(max, static_cast<double>(row[i]));
            nan |= std::isnan(row[i]);
          }
          const float got = lse[1 + b];
          if (nan) {
            EXPECT_TRUE(std::isnan(got)) << "row " << b;
          } else if (std::isinf(max)) {
            EXPECT_EQ(static_cast<float>(max), got) << "row " << b;
          } else {
            double sum = 0.0;
            for (size_t i = 0; i < channels; i++) sum += exp(static_cast<double>(row[i]) - max);
            const double r = max + log(sum);
            EXPECT_LE(fabs(got - r), 1e-6 * std::max(1.0, fabs(r)))
                << "row " << b << ": got " << got << ", reference " << r;
          }
        }
        // Unbound by a new setup: the next run leaves lse alone.
        std::fill(lse, lse + kRows + 2, BitsToFloat(kUntouchedBits));
        if (operation.log) {
          status = half ? twopass_setup_log_softmax_nc_f16(op, xh.data(), yh.data())
                        : twopass_setup_log_softmax_nc_f32(op, x.data(), y.data());
        } else {
          status = half ? twopass_setup_softmax_nc_f16(op, xh.data(), yh.data())
                        : twopass_setup_softmax_nc_f32(op, x.data(), y.data());
        }
        ASSERT_EQ(twopass_status_success, status);
        ASSERT_EQ(twopass_status_success, twopass_run_operator(op, pool));
        for (float v : lse) EXPECT_EQ(kUntouchedBits, FloatBits(v));
        EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
        if (pool != nullptr) pthreadpool_destroy(pool);
        if (HasFailure()) return;
      }
    }
  }
}

// f16 tensors may start at any byte address (include/twopass.h): rows at odd addresses
// give bitwise the results of aligned ones (halves are loaded and stored with memcpy
// where they are not converted in registers; UBSan checks that in the sanitizer run).
TEST(LogSoftmaxNcF16, OddAddresses) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    const enum twopass_isa isa = static_cast<enum twopass_isa>(i);
    if (!IsaUnderTest(isa)) continue;
    ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(isa));
    for (size_t channels : {size_t(3), size_t(77), size_t(5000)}) {
      const size_t batch = 3;
      std::mt19937 rng(TestSeed());
      std::vector<uint16_t> x(batch * channels);
      const std::vector<uint16_t> r = RandomHalves(x.size(), -12.0f, 12.0f, rng);
      std::copy(r.begin(), r.end(), x.begin());
      std::vector<uint16_t> aligned(x.size());
      ASSERT_EQ(twopass_status_success,
                twopass_run_log_softmax_nc_f16(channels, channels, channels, batch, x.data(),
                                               aligned.data(), 0, nullptr));
      std::vector<unsigned char> in_bytes(x.size() * 2 + 1), out_bytes(x.size() * 2 + 1);
      memcpy(in_bytes.data() + 1, x.data(), x.size() * 2);
      ASSERT_EQ(twopass_status_success, twopass_run_log_softmax_nc_f16(
                                            channels, channels, channels, batch,
                                            in_bytes.data() + 1, out_bytes.data() + 1, 0, nullptr));
      EXPECT_EQ(0, memcmp(out_bytes.data() + 1, aligned.data(), x.size() * 2))
          << twopass_isa_to_string(isa) << " channels " << channels;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, LogSoftmaxNc, ::testing::ValuesIn(AllIsaTypes()),
                         [](const ::testing::TestParamInfo<IsaType>& info) {
                           return std::string(twopass_isa_to_string(info.param.first)) +
                                  (info.param.second ? "_f16" : "_f32");
                         });

// The reduction-only logsumexp operator (f32), every ISA: the same rows as the lse output
// test (ordinary, beyond the two-pass range, NaN, +inf, only -inf), one chunk and several,
// no pool / rows / split rows (bitwise the same), strides, one-shot; bad arguments.
class LogSumExpNc : public ::testing::TestWithParam<enum twopass_isa> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam()); }
};

// f16: the rows rounded to halves (1e6 overflows to +inf there), the reference computed
// from the halves.
void CheckLogSumExpRows(enum twopass_isa isa, bool f16) {
  constexpr size_t kRows = 9;
  for (size_t channels : {size_t(1), size_t(100), size_t(9000)}) {
    const size_t stride = channels + 5;
    std::mt19937 rng(TestSeed());
    std::vector<float> x(kRows * stride, kNaN);  // NaN gaps: never read
    for (size_t b = 0; b < kRows; b++) {
      float* row = x.data() + b * stride;
      const float lo = b == 1 ? 11000.0f : b == 2 ? -12100.0f : b == 6 ? 1.0e6f : -10.0f;
      UniformRows(lo, lo + (b == 1 || b == 2 ? 100.0f : 20.0f), b, row, channels, rng);
      if (b == 3) row[channels / 2] = kNaN;
      if (b == 4) row[channels - 1] = kInf;
      if (b == 5) std::fill(row, row + channels, -kInf);
      if (b == 7 && channels > 1) row[0] = -kInf;
      if (f16) {
        for (size_t i = 0; i < channels; i++) row[i] = HalfToFloat(FloatToHalf(row[i]));
      }
    }
    std::vector<uint16_t> x16(x.size());
    for (size_t i = 0; i < x.size(); i++) x16[i] = FloatToHalf(x[i]);
    std::vector<float> first;
    for (size_t threads : {size_t(0), size_t(2), size_t(3)}) {
      for (bool one_shot : {false, true}) {
        SCOPED_TRACE(::testing::Message() << twopass_isa_to_string(isa) << (f16 ? " f16" : " f32")
                                          << " channels " << channels << " threads " << threads
                                          << (one_shot ? " one-shot" : ""));
        pthreadpool_t pool = threads == 0 ? nullptr : pthreadpool_create(threads);
        std::vector<float> lse(kRows + 2, BitsToFloat(kUntouchedBits));
        if (one_shot) {
          ASSERT_EQ(twopass_status_success,
                    f16 ? twopass_run_logsumexp_nc_f16(channels, stride, kRows, x16.data(),
                                                       lse.data() + 1, 0, pool)
                        : twopass_run_logsumexp_nc_f32(channels, stride, kRows, x.data(),
                                                       lse.data() + 1, 0, pool));
        } else {
          twopass_operator_t op = nullptr;
          ASSERT_EQ(twopass_status_success,
                    f16 ? twopass_create_logsumexp_nc_f16(TWOPASS_FLAG_ALGORITHM_TWO_PASS, &op)
                        : twopass_create_logsumexp_nc_f32(TWOPASS_FLAG_ALGORITHM_TWO_PASS, &op));
          ASSERT_EQ(twopass_status_success,
                    f16 ? twopass_reshape_logsumexp_nc_f16(op, channels, stride, kRows, pool)
                        : twopass_reshape_logsumexp_nc_f32(op, channels, stride, kRows, pool));
          ASSERT_EQ(twopass_status_success,
                    f16 ? twopass_setup_logsumexp_nc_f16(op, x16.data(), lse.data() + 1)
                        : twopass_setup_logsumexp_nc_f32(op, x.data(), lse.data() + 1));
          ASSERT_EQ(twopass_status_success, twopass_run_operator(op, pool));
          EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
        }
        if (pool != nullptr) pthreadpool_destroy(pool);
        EXPECT_EQ(kUntouchedBits, FloatBits(lse.front()));
        EXPECT_EQ(kUntouchedBits, FloatBits(lse.back()));
        for (size_t b = 0; b < kRows; b++) {
          const float* row = x.data() + b * stride;
          double max = -INFINITY;
          bool nan = false;
          for (size_t i = 0; i < channels; i++) {
            max = std::max(max, static_cast<double>(row[i]));
            nan |= std::isnan(row[i]);
          }
          const float got = lse[1 + b];
          if (nan) {
            EXPECT_TRUE(std::isnan(got)) << "row " << b;
          } else if (std::isinf(max)) {
            EXPECT_EQ(static_cast<float>(max), got) << "row " << b;
          } else {
            double sum = 0.0;
            for (size_t i = 0; i < channels; i++) sum += exp(static_cast<double>(row[i]) - max);
            const double r = max + log(sum);
            EXPECT_LE(fabs(got - r), 1e-6 * std::max(1.0, fabs(r)))
                << "row " << b << ": got " << got << ", reference " << r;
          }
        }
        if (first.empty()) {
          first = lse;
        } else {
          for (size_t b = 0; b < lse.size(); b++) {
            EXPECT_EQ(FloatBits(first[b]), FloatBits(lse[b])) << "row " << b << " differs";
          }
        }
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

TEST_P(LogSumExpNc, RowsAgainstDouble) { CheckLogSumExpRows(GetParam(), false); }

TEST_P(LogSumExpNc, F16RowsAgainstDouble) { CheckLogSumExpRows(GetParam(), true); }

INSTANTIATE_TEST_SUITE_P(Isas, LogSumExpNc,
                         ::testing::Values(twopass_isa_scalar, twopass_isa_sse2, twopass_isa_avx2,
                                           twopass_isa_avx512f),
                         [](const ::testing::TestParamInfo<enum twopass_isa>& info) {
                           return std::string(twopass_isa_to_string(info.param));
                         });

TEST(LogSumExpNcBadInput, FlagsTypesAndStates) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  twopass_operator_t op = nullptr;
  EXPECT_EQ(twopass_status_unsupported_parameter,
            twopass_create_logsumexp_nc_f32(TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD, &op));
  EXPECT_EQ(twopass_status_unsupported_parameter,
            twopass_create_logsumexp_nc_f32(TWOPASS_FLAG_MASKED_ROW_ZERO, &op));
  EXPECT_EQ(nullptr, op);
  ASSERT_EQ(twopass_status_success, twopass_create_logsumexp_nc_f32(0, &op));
  float x[16] = {0}, lse[2] = {5.0f, 5.0f};
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_logsumexp_nc_f32(op, x, lse));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_reshape_logsumexp_nc_f32(op, 8, 7, 2, nullptr));
  EXPECT_EQ(twopass_status_invalid_state,
            twopass_reshape_log_softmax_nc_f32(op, 8, 8, 8, 2, nullptr));
  ASSERT_EQ(twopass_status_success, twopass_reshape_logsumexp_nc_f32(op, 8, 8, 2, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_nc_f32(op, x, x + 15));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_nc_f32(op, x, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_nc_f32(op, nullptr, lse));
  EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(op, nullptr));
  EXPECT_EQ(5.0f, lse[0]);
  ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_nc_f32(op, x, lse));
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_logsumexp_output(op, lse));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
  EXPECT_NEAR(log(8.0), lse[0], 1e-6 * 2.08);
  EXPECT_NEAR(log(8.0), lse[1], 1e-6 * 2.08);
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
  EXPECT_EQ(twopass_status_unsupported_parameter,
            twopass_run_logsumexp_nc_f32(8, 8, 2, x, lse, TWOPASS_FLAG_MASKED_ROW_ZERO, nullptr));

  // f16: the same rules; f32 and f16 operators are not interchangeable; rows at an odd
  // byte address give the aligned rows' bits.
  twopass_operator_t op16 = nullptr, op32 = nullptr;
  EXPECT_EQ(twopass_status_unsupported_parameter,
            twopass_create_logsumexp_nc_f16(TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE, &op16));
  EXPECT_EQ(nullptr, op16);
  ASSERT_EQ(twopass_status_success, twopass_create_logsumexp_nc_f16(0, &op16));
  ASSERT_EQ(twopass_status_success, twopass_create_logsumexp_nc_f32(0, &op32));
  EXPECT_EQ(twopass_status_invalid_state, twopass_reshape_logsumexp_nc_f32(op16, 8, 8, 2, nullptr));
  EXPECT_EQ(twopass_status_invalid_state, twopass_reshape_logsumexp_nc_f16(op32, 8, 8, 2, nullptr));
  ASSERT_EQ(twopass_status_success, twopass_reshape_logsumexp_nc_f16(op16, 8, 8, 2, nullptr));
  uint16_t h[16];
  for (int i = 0; i < 16; i++) h[i] = FloatToHalf(0.25f * static_cast<float>(i));
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_logsumexp_nc_f32(op16, x, lse));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_setup_logsumexp_nc_f16(op16, h, reinterpret_cast<float*>(h + 14)));
  float lse16[2] = {5.0f, 5.0f}, lse_odd[2] = {6.0f, 6.0f};
  ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_nc_f16(op16, h, lse16));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op16, nullptr));
  unsigned char odd[33];
  memcpy(odd + 1, h, sizeof(h));
  ASSERT_EQ(twopass_status_success,
            twopass_run_logsumexp_nc_f16(8, 8, 2, odd + 1, lse_odd, 0, nullptr));
  EXPECT_EQ(FloatBits(lse16[0]), FloatBits(lse_odd[0]));
  EXPECT_EQ(FloatBits(lse16[1]), FloatBits(lse_odd[1]));
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(op16));
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(op32));
}

// Arguments and states: the log-softmax calls reject what softmax's reject, plus the
// three-pass flags; operators of the two operations are not interchangeable; nothing is
// written on failure.
TEST(LogSoftmaxNcBadInput, FlagsTypesAndStates) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  twopass_operator_t op = reinterpret_cast<twopass_operator_t>(uintptr_t{0x1234});
  for (uint32_t flags : {TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
                         TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE}) {
    EXPECT_EQ(twopass_status_unsupported_parameter, twopass_create_log_softmax_nc_f32(flags, &op));
    EXPECT_EQ(twopass_status_unsupported_parameter, twopass_create_log_softmax_nc_f16(flags, &op));
    float x[4] = {1, 2, 3, 4}, y[4] = {0, 0, 0, 0};
    EXPECT_EQ(twopass_status_unsupported_parameter,
              twopass_run_log_softmax_nc_f32(4, 4, 4, 1, x, y, flags, nullptr));
    EXPECT_EQ(0.0f, y[0]);
  }
  EXPECT_EQ(op, reinterpret_cast<twopass_operator_t>(uintptr_t{0x1234}));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_create_log_softmax_nc_f32(0, nullptr));
  EXPECT_EQ(twopass_status_unsupported_parameter,
            twopass_create_log_softmax_nc_f32(0x80000000u, &op));

  twopass_operator_t log_op = nullptr, softmax_op = nullptr, log_f16 = nullptr;
  ASSERT_EQ(twopass_status_success,
            twopass_create_log_softmax_nc_f32(TWOPASS_FLAG_ALGORITHM_TWO_PASS, &log_op));
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &softmax_op));
  ASSERT_EQ(twopass_status_success, twopass_create_log_softmax_nc_f16(0, &log_f16));
  EXPECT_EQ(twopass_status_invalid_state,
            twopass_reshape_softmax_nc_f32(log_op, 8, 8, 8, 1, nullptr));
  EXPECT_EQ(twopass_status_invalid_state,
            twopass_reshape_log_softmax_nc_f32(softmax_op, 8, 8, 8, 1, nullptr));
  EXPECT_EQ(twopass_status_invalid_state,
            twopass_reshape_log_softmax_nc_f32(log_f16, 8, 8, 8, 1, nullptr));
  EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(log_op, nullptr));
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8];
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_log_softmax_nc_f32(log_op, x, y));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_reshape_log_softmax_nc_f32(log_op, 8, 7, 8, 1, nullptr));
  ASSERT_EQ(twopass_status_success,
            twopass_reshape_log_softmax_nc_f32(log_op, 8, 8, 8, 1, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_setup_log_softmax_nc_f32(log_op, x, x + 1));  // partial overlap
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_softmax_nc_f32(log_op, x, y));
  ASSERT_EQ(twopass_status_success, twopass_setup_log_softmax_nc_f32(log_op, x, y));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(log_op, nullptr));
  EXPECT_STREQ("two-pass", twopass_internal_operator_algorithm(log_op));
  double sum = 0.0;
  for (float v : y) sum += exp(static_cast<double>(v));
  EXPECT_NEAR(1.0, sum, 1e-6);
  // lse must not overlap a tensor; a rejected binding changes nothing.
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_output(log_op, x + 7));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_output(log_op, y));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_output(nullptr, y));
  float lse = 0.0f;
  EXPECT_EQ(twopass_status_success, twopass_setup_logsumexp_output(log_op, &lse));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(log_op, nullptr));
  EXPECT_NEAR(8.4583396, lse, 1e-6 * 8.46);  // log(sum_{k=1..8} e^k)
  EXPECT_EQ(twopass_status_success, twopass_setup_logsumexp_output(log_op, nullptr));
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(log_op));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_delete_operator(log_op));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_output(log_op, &lse));
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(softmax_op));
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(log_f16));
}

}  // namespace
}  // namespace testing
}  // namespace twopass
