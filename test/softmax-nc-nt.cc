// Non-temporal stores in the operator (decided at reshape, ResolveSoftmax in
// src/softmax-phases.cc): with the threshold at 0 every f32 run streams its last
// pass (the *_nt kernels of the ISA), with SIZE_MAX none does; both must give bitwise
// the same output, on every ISA and algorithm, for strided, in-place, multi-chunk and
// split (2-thread) runs and for outputs at any float offset from a cache line. The
// threshold is set through the internal twopass_internal_set_nt_threshold (src/twopass/config.h).
#include <stdint.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "softmax-operator-tester.h"

namespace twopass {
namespace testing {
namespace {

// Restores the threshold when a test ends (also on a failed ASSERT).
class NtThresholdGuard {
 public:
  NtThresholdGuard() : saved_(twopass_internal_set_nt_threshold(SIZE_MAX)) {
    twopass_internal_set_nt_threshold(saved_);
  }
  ~NtThresholdGuard() { twopass_internal_set_nt_threshold(saved_); }

 private:
  size_t saved_;
};

struct Shape {
  size_t batch;
  size_t channels;
  size_t input_stride;
  size_t output_stride;
  bool inplace;
  size_t threads;
};

class SoftmaxNt : public ::testing::TestWithParam<IsaAlgorithm> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam().first); }
  uint32_t flags() const { return GetParam().second; }

  // Runs `shape` with threshold `threshold`; returns the whole output buffer (rows
  // and gaps) starting `offset` floats into it.
  std::vector<float> Run(const Shape& s, const std::vector<float>& x, size_t offset,
                         size_t threshold, pthreadpool_t pool) {
    twopass_internal_set_nt_threshold(threshold);
    const size_t out_span = (s.batch - 1) * s.output_stride + s.channels;
    std::vector<float> buffer(out_span + offset + 16, BitsToFloat(kUntouchedBits));
    float* y = buffer.data() + offset;
    const float* input = x.data();
    if (s.inplace) {
      std::copy(x.begin(), x.end(), y);
      input = y;
    }
    EXPECT_EQ(twopass_status_success,
              twopass_run_softmax_nc_f32(s.channels, s.input_stride, s.output_stride, s.batch,
                                         input, y, flags(), s.threads > 1 ? pool : nullptr));
    return buffer;
  }
};

TEST_P(SoftmaxNt, StreamedOutputIsBitwiseTheSame) {
  NtThresholdGuard guard;
  pthreadpool_t pool = pthreadpool_create(2);
  ASSERT_NE(nullptr, pool);
  const Shape shapes[] = {
      {1, 1, 1, 1, false, 1},          {3, 1000, 1000, 1000, false, 1},
      {5, 17, 23, 29, false, 1},       {4, 129, 129, 129, true, 1},
      {2, 20000, 20011, 20000, false, 1}, {1, 20000, 20000, 20000, false, 2},
      {1, 16385, 16385, 16385, true, 2},  {64, 128, 130, 131, false, 2},
      {1, 4099, 4099, 4099, false, 1},
  };
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> uniform(-20.0f, 20.0f);
  for (const Shape& s : shapes) {
    const size_t in_span = (s.batch - 1) * s.input_stride + s.channels;
    std::vector<float> x(s.inplace ? (s.batch - 1) * s.output_stride + s.channels : in_span);
    for (float& v : x) v = uniform(rng);
    for (size_t offset : {0, 1, 3, 8, 13}) {
      const std::string what = "batch " + std::to_string(s.batch) + " x channels " +
                               std::to_string(s.channels) + " (strides " +
                               std::to_string(s.input_stride) + ", " +
                               std::to_string(s.output_stride) + ")" +
                               (s.inplace ? " in place" : "") + ", " +
                               std::to_string(s.threads) + " thread(s), output offset " +
                               std::to_string(offset);
      const std::vector<float> regular = Run(s, x, offset, SIZE_MAX, pool);
      const std::vector<float> streamed = Run(s, x, offset, 0, pool);
      ASSERT_EQ(regular.size(), streamed.size());
      for (size_t i = 0; i < regular.size(); i++) {
        ASSERT_EQ(FloatBits(regular[i]), FloatBits(streamed[i]))
            << what << ": buffer index " << i << " (row " << (i - offset) / s.output_stride
            << ")";
      }
      // Not vacuous: the rows are softmaxes (sum 1) and the gaps are untouched.
      for (size_t row = 0; row < s.batch; row++) {
        double sum = 0.0;
        for (size_t c = 0; c < s.channels; c++) sum += streamed[offset + row * s.output_stride + c];
        ASSERT_NEAR(sum, 1.0, 1e-5) << what << ", row " << row;
        for (size_t c = s.channels; c < s.output_stride && row + 1 < s.batch; c++) {
          ASSERT_EQ(FloatBits(streamed[offset + row * s.output_stride + c]), kUntouchedBits)
              << what << ", gap after row " << row;
        }
      }
    }
  }
  pthreadpool_destroy(pool);
}

INSTANTIATE_TEST_SUITE_P(IsaAlgorithms, SoftmaxNt, ::testing::ValuesIn(AllIsaAlgorithms()),
                         IsaAlgorithmName);

}  // namespace
}  // namespace testing
}  // namespace twopass
