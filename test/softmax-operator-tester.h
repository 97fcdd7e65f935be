// Tester for the softmax_nc_f32 operator: runs it through the public API and checks
// every output against a double-precision reference that implements the contract of
// include/twopass.h (special values included).
//
//   SoftmaxOperatorTester().channels(1000).batch_size(4).threads(3).Test();
#pragma once

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/config.h"
#include "twopass/isa.h"
#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "softmax-reference.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

// Bit pattern written into every output element the operator must not touch (gaps
// between rows): a NaN no arithmetic produces.
constexpr uint32_t kUntouchedBits = 0x7FA5A5A5u;
constexpr uint16_t kHalfUntouched = 0x7DA5;  // a NaN no conversion produces

inline const char* AlgorithmFlagName(uint32_t flags) {
  if (flags & TWOPASS_FLAG_ALGORITHM_TWO_PASS) return "twopass";
  if (flags & TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD) return "reload";
  if (flags & TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE) return "recompute";
  if (flags & TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD) return "sampled";
  return "auto";
}

// The algorithm flags every test matrix covers (0 = automatic).
inline std::vector<uint32_t> AllAlgorithmFlags() {
  return {0, TWOPASS_FLAG_ALGORITHM_TWO_PASS, TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
          TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE, TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD};
}

// (ISA, algorithm flags) pairs for value-parameterized suites.
using IsaAlgorithm = std::pair<enum twopass_isa, uint32_t>;

inline std::vector<IsaAlgorithm> AllIsaAlgorithms() {
  std::vector<IsaAlgorithm> result;
  for (int isa = 0; isa < TWOPASS_ISA_COUNT; isa++) {
    for (uint32_t flags : AllAlgorithmFlags()) {
      result.emplace_back(static_cast<enum twopass_isa>(isa), flags);
    }
  }
  return result;
}

inline std::string IsaAlgorithmName(const ::testing::TestParamInfo<IsaAlgorithm>& info) {
  return std::string(twopass_isa_to_string(info.param.first)) + "_" +
         AlgorithmFlagName(info.param.second);
}

// Initializes the library and selects `isa` for operators created afterwards. Skips
// the test when the CPU lacks `isa`.
#define TWOPASS_SELECT_ISA(isa)                                              \
  do {                                                                      \
    TWOPASS_TEST_REQUIRES_ISA(isa);                                         \
    ASSERT_EQ(twopass_status_success, twopass_initialize());                \
    ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(isa));       \
  } while (0)

class SoftmaxOperatorTester {
 public:
  // Fills one row (n elements) of the input; the default draws uniformly from
  // input_range().
  using RowFiller = std::function<void(size_t row, float* x, size_t n, std::mt19937& rng)>;

  SoftmaxOperatorTester& channels(size_t value) { channels_ = value; return *this; }
  size_t channels() const { return channels_; }
  // 0 (default): equal to channels.
  SoftmaxOperatorTester& input_stride(size_t value) { input_stride_ = value; return *this; }
  size_t input_stride() const { return input_stride_ == 0 ? channels_ : input_stride_; }
  SoftmaxOperatorTester& output_stride(size_t value) { output_stride_ = value; return *this; }
  size_t output_stride() const { return output_stride_ == 0 ? channels_ : output_stride_; }
  SoftmaxOperatorTester& batch_size(size_t value) { batch_size_ = value; return *this; }
  size_t batch_size() const { return batch_size_; }
  // 0: no pool (caller's thread); n >= 1: a pthreadpool of n threads.
  SoftmaxOperatorTester& threads(size_t value) { threads_ = value; return *this; }
  SoftmaxOperatorTester& flags(uint32_t value) { flags_ = value; return *this; }
  SoftmaxOperatorTester& inplace(bool value) { inplace_ = value; return *this; }
  // Use twopass_run_softmax_nc_f32 instead of create/reshape/setup/run/delete.
  SoftmaxOperatorTester& one_shot(bool value) { one_shot_ = value; return *this; }
  SoftmaxOperatorTester& input_range(float min, float max) {
    input_min_ = min;
    input_max_ = max;
    return *this;
  }
  // Runs of the same operator, each on fresh random input.
  SoftmaxOperatorTester& iterations(size_t value) { iterations_ = value; return *this; }
  SoftmaxOperatorTester& seed(uint32_t value) { seed_ = value; return *this; }
  SoftmaxOperatorTester& row_filler(RowFiller filler) {
    filler_ = std::move(filler);
    return *this;
  }
  // Fills one row of the f16 input (TestF16); the default draws halves uniformly from
  // input_range().
  using HalfRowFiller = std::function<void(size_t row, uint16_t* x, size_t n, std::mt19937& rng)>;
  SoftmaxOperatorTester& half_row_filler(HalfRowFiller filler) {
    half_filler_ = std::move(filler);
    return *this;
  }

  // Runs and checks every output. With `last_output`, also returns the output span of
  // the last iteration (for bitwise comparisons between runs).
  void Test(std::vector<float>* last_output = nullptr) const {
    const size_t in_span = Span(input_stride());
    const size_t out_span = Span(output_stride());
    GuardedBuffer<float> input_buffer(inplace_ ? std::max(in_span, out_span) : in_span);
    GuardedBuffer<float> output_buffer(inplace_ ? 0 : out_span);
    float* input = input_buffer.data();
    float* output = inplace_ ? input : output_buffer.data();
    std::vector<float> input_copy(in_span);

    pthreadpool_t pool = threads_ == 0 ? nullptr : pthreadpool_create(threads_);
    if (threads_ != 0) {
      EXPECT_NE(pool, nullptr);
    }
    twopass_operator_t op = nullptr;
    if (!one_shot_) {
      EXPECT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(flags_, &op));
      EXPECT_EQ(twopass_status_success,
                twopass_reshape_softmax_nc_f32(op, channels_, input_stride(), output_stride(),
                                               batch_size_, pool));
      EXPECT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, input, output));
    }

    std::mt19937 rng(seed_);
    std::vector<double> reference;
    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      // Gaps and (not in place) the whole output start as the untouched pattern.
      FillBits(output_buffer.data(), output_buffer.size());
      FillBits(input, inplace_ ? input_buffer.size() : in_span);
      for (size_t b = 0; b < batch_size_; b++) {
        float* row = input + b * input_stride();
        if (filler_) {
          filler_(b, row, channels_, rng);
        } else {
          std::uniform_real_distribution<float> dist(input_min_, input_max_);
          for (size_t i = 0; i < channels_; i++) row[i] = dist(rng);
        }
      }
      std::copy(input, input + in_span, input_copy.begin());

      if (one_shot_) {
        EXPECT_EQ(twopass_status_success,
                  twopass_run_softmax_nc_f32(channels_, input_stride(), output_stride(),
                                             batch_size_, input, output, flags_, pool));
      } else {
        EXPECT_EQ(twopass_status_success, twopass_run_operator(op, pool));
      }

      CheckOutputs(input_copy.data(), input, output, &reference);
      if (::testing::Test::HasFailure()) break;
    }
    if (last_output != nullptr) last_output->assign(output, output + out_span);
    if (!one_shot_) {
      EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
    }
    if (pool != nullptr) pthreadpool_destroy(pool);
  }

  // The f16 operator on the same shape (one iteration; in place, the output stride is
  // the input stride): every output within one half-ULP of the double reference of the
  // half inputs, each finite row's sum within its rounding bound, gaps untouched.
  // Returns the largest error in half-ULPs; `outputs` receives the output span.
  double TestF16(const std::string& what, std::vector<uint16_t>* outputs = nullptr) const {
    const size_t in_stride = input_stride();
    const size_t out_stride = inplace_ ? in_stride : output_stride();
    const size_t in_span = Span(in_stride);
    const size_t out_span = Span(out_stride);
    std::mt19937 rng(seed_);
    GuardedBuffer<uint16_t> x(in_span);
    GuardedBuffer<uint16_t> y_separate(inplace_ ? 1 : out_span);
    std::fill(x.begin(), x.end(), kHalfUntouched);
    std::vector<std::vector<uint16_t>> rows(batch_size_);
    for (size_t b = 0; b < batch_size_; b++) {
      uint16_t* row = x.data() + b * in_stride;
      if (half_filler_) {
        half_filler_(b, row, channels_, rng);
      } else {
        const std::vector<uint16_t> r = RandomHalves(channels_, input_min_, input_max_, rng);
        std::copy(r.begin(), r.end(), row);
      }
      rows[b].assign(row, row + channels_);
    }
    uint16_t* y = inplace_ ? x.data() : y_separate.data();
    if (!inplace_) std::fill(y, y + out_span, kHalfUntouched);

    pthreadpool_t pool = threads_ == 0 ? nullptr : pthreadpool_create(threads_);
    if (one_shot_) {
      EXPECT_EQ(twopass_status_success,
                twopass_run_softmax_nc_f16(channels_, in_stride, out_stride, batch_size_, x.data(),
                                           y, flags_, pool));
    } else {
      twopass_operator_t op = nullptr;
      EXPECT_EQ(twopass_status_success, twopass_create_softmax_nc_f16(flags_, &op));
      EXPECT_EQ(
          twopass_status_success,
          twopass_reshape_softmax_nc_f16(op, channels_, in_stride, out_stride, batch_size_, pool));
      EXPECT_EQ(twopass_status_success, twopass_setup_softmax_nc_f16(op, x.data(), y));
      EXPECT_EQ(twopass_status_success, twopass_run_operator(op, pool));
      EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
    }
    if (pool != nullptr) pthreadpool_destroy(pool);

    const bool masked_zero = (flags_ & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0;
    double max_error = 0.0;
    for (size_t b = 0; b < batch_size_ && !::testing::Test::HasFailure(); b++) {
      const uint16_t* yr = y + b * out_stride;
      const std::string error =
          CheckSoftmaxRowF16(rows[b].data(), yr, channels_, masked_zero, &max_error);
      EXPECT_TRUE(error.empty()) << what << " row=" << b << ": " << error;
      // Gaps between rows (and after the last row within the stride) stay untouched.
      if (!inplace_ && b + 1 < batch_size_) {
        for (size_t i = channels_; i < out_stride; i++) {
          EXPECT_EQ(yr[i], kHalfUntouched) << "gap written at row " << b << " i=" << i;
        }
      }
    }
    if (outputs != nullptr) outputs->assign(y, y + out_span);
    return max_error;
  }

  std::string Describe() const {
    std::ostringstream s;
    s << "channels " << channels_ << ", input_stride " << input_stride() << ", output_stride "
      << output_stride() << ", batch " << batch_size_ << ", threads " << threads_ << ", flags 0x"
      << std::hex << flags_ << std::dec << (inplace_ ? ", in place" : "")
      << (one_shot_ ? ", one-shot" : "") << ", ISA " << twopass_isa_name() << ", seed "
      << seed_;
    return s.str();
  }

 private:
  // Input untouched (unless in place), every row against the reference, gaps intact.
  void CheckOutputs(const float* input_copy, const float* input, const float* output,
                    std::vector<double>* reference) const {
    const size_t in_span = Span(input_stride());
    if (!inplace_) {
      for (size_t i = 0; i < in_span; i++) {
        ASSERT_EQ(FloatBits(input_copy[i]), FloatBits(input[i])) << "input modified at " << i;
      }
    }
    for (size_t b = 0; b < batch_size_; b++) {
      const float* x = input_copy + b * input_stride();
      const float* y = output + b * output_stride();
      CheckRow(b, x, y, reference);
      if (::testing::Test::HasFatalFailure()) return;
      // Gap after the row (not after the last one: the buffer ends there).
      if (b + 1 < batch_size_) {
        for (size_t i = channels_; i < output_stride(); i++) {
          const uint32_t expected =
              inplace_ && i < input_stride() ? FloatBits(x[i]) : kUntouchedBits;
          ASSERT_EQ(expected, FloatBits(y[i])) << "gap element " << i << " of row " << b
                                               << " was written; " << Describe();
        }
      }
    }
  }

  size_t Span(size_t stride) const {
    return batch_size_ == 0 ? 0 : (batch_size_ - 1) * stride + channels_;
  }

  static void FillBits(float* data, size_t count) {
    const float pattern = BitsToFloat(kUntouchedBits);
    std::fill(data, data + count, pattern);
  }

  void CheckRow(size_t b, const float* x, const float* y, std::vector<double>* r) const {
    const std::string error =
        CheckSoftmaxRowF32(x, y, channels_, (flags_ & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0, r);
    ASSERT_TRUE(error.empty()) << "row " << b << ", " << error << "; " << Describe();
  }

  size_t channels_ = 1;
  size_t input_stride_ = 0;
  size_t output_stride_ = 0;
  size_t batch_size_ = 1;
  size_t threads_ = 0;
  uint32_t flags_ = 0;
  bool inplace_ = false;
  bool one_shot_ = false;
  float input_min_ = -10.0f;
  float input_max_ = 10.0f;
  size_t iterations_ = 1;
  uint32_t seed_ = TestSeed();
  RowFiller filler_;
  HalfRowFiller half_filler_;
};

}  // namespace testing
}  // namespace twopass
