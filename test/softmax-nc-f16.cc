// softmax_nc_f16 through the public API, on every ISA and algorithm: outputs against a
// double-precision softmax of the f16 inputs (ReferenceSoftmax, which also encodes the
// special-value contract), within 1 half-ULP; row sums within the rounding of the
// outputs (include/twopass.h, "Half precision"); gaps untouched; strides, in place,
// threads, masked rows, huge-magnitude rows. Two-pass results must also equal the f32
// operator's results on the widened input, rounded to half, bit for bit.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "softmax-operator-tester.h"
#include "twopass.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

// Every (ISA, algorithm) pair.
class SoftmaxNcF16Test : public ::testing::TestWithParam<IsaAlgorithm> {
 protected:
  void SetUp() override {
    TWOPASS_TEST_REQUIRES_ISA(GetParam().first);
    ASSERT_EQ(twopass_status_success, twopass_initialize());
    ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(GetParam().first));
  }
  uint32_t flags() const { return GetParam().second; }
  std::string Name() const {
    return std::string(twopass_isa_to_string(GetParam().first)) + "/" +
           AlgorithmFlagName(GetParam().second);
  }
};

TEST_P(SoftmaxNcF16Test, RowLengths) {
  double max_error = 0.0;
  for (size_t n : {size_t(1), size_t(2), size_t(7), size_t(64), size_t(100), size_t(1000),
                   size_t(4097), size_t(10007)}) {
    SoftmaxOperatorTester c;
    c.channels(n);
    c.batch_size(n > 4096 ? 2 : 3);
    c.flags(flags());
    max_error = std::max(max_error, c.TestF16(Name() + " n=" + std::to_string(n)));
    if (HasFailure()) return;
  }
  std::cout << "[ accuracy ] " << Name() << ": max error " << max_error << " half-ULP"
            << std::endl;
}

// Rows of equal halves (the worst case of the accumulation; see EqualValues in
// softmax-nc-accuracy.cc): every output is the rounded 1/n.
TEST_P(SoftmaxNcF16Test, EqualValues) {
  for (float value : {3.25f, -7.5f, 0.0f}) {
    for (size_t n : {size_t(1), size_t(3), size_t(64), size_t(1000), size_t(4093), size_t(4096),
                     size_t(4097), size_t(20011), size_t(65543)}) {
      SoftmaxOperatorTester c;
      c.channels(n);
      c.flags(flags());
      const uint16_t h = FloatToHalf(value);
      c.half_row_filler(
          [h](size_t, uint16_t* x, size_t count, std::mt19937&) { std::fill(x, x + count, h); });
      c.TestF16(Name() + " all " + std::to_string(value) + " n=" + std::to_string(n));
      if (HasFailure()) return;
    }
  }
}

TEST_P(SoftmaxNcF16Test, WideAndNarrowRanges) {
  for (float range : {0.25f, 30.0f, 1000.0f, 9000.0f}) {
    SoftmaxOperatorTester c;
    c.channels(300);
    c.batch_size(2);
    c.flags(flags());
    c.half_row_filler([range](size_t, uint16_t* x, size_t n, std::mt19937& rng) {
      const std::vector<uint16_t> r = RandomHalves(n, -range, range, rng);
      std::copy(r.begin(), r.end(), x);
    });
    c.TestF16(Name() + " range=" + std::to_string(range));
    if (HasFailure()) return;
  }
}

// Outputs across the subnormal half range: one 0 and the rest in [-18, -9].
TEST_P(SoftmaxNcF16Test, SubnormalOutputs) {
  SoftmaxOperatorTester c;
  c.channels(257);
  c.flags(flags());
  c.half_row_filler([](size_t, uint16_t* x, size_t n, std::mt19937& rng) {
    const std::vector<uint16_t> r = RandomHalves(n, -18.0f, -9.0f, rng);
    std::copy(r.begin(), r.end(), x);
    x[n / 3] = kHalfZero;
  });
  std::vector<uint16_t> y;
  c.TestF16(Name() + " subnormal outputs", &y);
  const size_t subnormals =
      std::count_if(y.begin(), y.end(), [](uint16_t h) { return h != 0 && (h & 0x7C00) == 0; });
  EXPECT_GT(subnormals, c.channels() / 4);
}

// Each special half at the first, middle and last position of a row.
TEST_P(SoftmaxNcF16Test, SpecialValues) {
  for (uint16_t special : SpecialHalves()) {
    for (size_t n : {size_t(1), size_t(67), size_t(5000)}) {
      for (size_t position : {size_t(0), n / 2, n - 1}) {
        SoftmaxOperatorTester c;
        c.channels(n);
        c.flags(flags());
        c.half_row_filler([special, position](size_t, uint16_t* x, size_t n, std::mt19937& rng) {
          const std::vector<uint16_t> r = RandomHalves(n, -10.0f, 10.0f, rng);
          std::copy(r.begin(), r.end(), x);
          x[position] = special;
        });
        char hex[8];
        snprintf(hex, sizeof(hex), "%04X", special);
        c.TestF16(Name() + " special=0x" + hex + " n=" + std::to_string(n) + " at " +
                  std::to_string(position));
        if (HasFailure()) return;
      }
    }
  }
}

// A NaN early in a row, then far larger halves (1000) in other lanes of its vectors:
// the row is NaN (see NaNBeforeMuchLargerTerms in softmax-nc-special.cc; found by
// test/fuzz/api-fuzzer.cc).
TEST_P(SoftmaxNcF16Test, NaNBeforeMuchLargerTerms) {
  for (size_t nan_position : {size_t(9), size_t(11), size_t(13)}) {
    SoftmaxOperatorTester c;
    c.channels(1024);
    c.flags(flags());
    c.half_row_filler([nan_position](size_t, uint16_t* x, size_t n, std::mt19937&) {
      for (size_t i = 0; i < n; i++) x[i] = i >= 16 && i < 64 && i % 8 == 0 ? 0x63D0 : 0;  // 1000
      x[nan_position] = kHalfQuietNan;
    });
    c.TestF16(Name() + " NaN at " + std::to_string(nan_position));
    if (HasFailure()) return;
  }
}

// All -inf rows: NaN by default, zeros with TWOPASS_FLAG_MASKED_ROW_ZERO; other rows
// of the batch unaffected. Masked logits (-inf, -65504) among ordinary values.
TEST_P(SoftmaxNcF16Test, MaskedRows) {
  for (uint32_t extra : {0u, TWOPASS_FLAG_MASKED_ROW_ZERO}) {
    SoftmaxOperatorTester c;
    c.channels(4100);
    c.batch_size(3);
    c.flags(flags() | extra);
    c.half_row_filler([](size_t row, uint16_t* x, size_t n, std::mt19937& rng) {
      const std::vector<uint16_t> r = RandomHalves(n, -10.0f, 10.0f, rng);
      std::copy(r.begin(), r.end(), x);
      for (size_t i = 0; i < n; i++) {
        if (row == 1) x[i] = kHalfMinusInf;
        if (row == 2 && i % 3 == 0) x[i] = i % 2 ? kHalfLowest : kHalfMinusInf;
      }
    });
    c.TestF16(Name() + (extra ? " masked-zero" : " masked-nan"));
    if (HasFailure()) return;
  }
}

// Rows of huge magnitude (beyond the two-pass range of ~1e4) take the three-pass slow
// path; rows near the lowest half too.
TEST_P(SoftmaxNcF16Test, HugeMagnitudeRows) {
  for (float lo : {60000.0f, -65504.0f, 12000.0f}) {
    SoftmaxOperatorTester c;
    c.channels(5000);
    c.batch_size(2);
    c.flags(flags());
    c.half_row_filler([lo](size_t, uint16_t* x, size_t n, std::mt19937& rng) {
      const std::vector<uint16_t> r = RandomHalves(n, lo, lo + 200.0f, rng);
      std::copy(r.begin(), r.end(), x);
    });
    c.TestF16(Name() + " huge lo=" + std::to_string(lo));
    if (HasFailure()) return;
  }
}

TEST_P(SoftmaxNcF16Test, StridesAndGaps) {
  SoftmaxOperatorTester c;
  c.channels(133);
  c.input_stride(140);
  c.output_stride(151);
  c.batch_size(5);
  c.flags(flags());
  c.TestF16(Name() + " strides");
  c.one_shot(true);
  c.TestF16(Name() + " strides one-shot");
}

// Tensors at odd byte addresses (f16 tensors are void* with no alignment requirement):
// the same bits as at even ones, out of place and in place, with special values in
// the rows. The scalar and SSE2 kernels and the three-pass widening once read halves
// as uint16_t there (undefined behaviour: --config=asan's UBSan stopped on it; found by
// test/fuzz/f16-diff-fuzzer.cc); now they use memcpy.
TEST_P(SoftmaxNcF16Test, OddAddresses) {
  for (size_t n : {size_t(1), size_t(37), size_t(4500)}) {
    const size_t batch = 2, stride = n + 1, span = (batch - 1) * stride + n;
    std::mt19937 rng(TestSeed());
    std::vector<uint16_t> x = RandomHalves(span, -10.0f, 10.0f, rng);
    x[n / 2] = kHalfMinusInf;
    if (n > 1) x[stride + n - 1] = kHalfPlusInf;
    auto run = [&](size_t offset, bool in_place) {
      // Byte buffers; the tensors start `offset` bytes in.
      std::vector<uint8_t> input(span * 2 + 2), output(span * 2 + 2, 0xA5);
      memcpy(input.data() + offset, x.data(), span * 2);
      void* in = input.data() + offset;
      void* out = in_place ? in : output.data() + offset;
      EXPECT_EQ(twopass_status_success,
                twopass_run_softmax_nc_f16(n, stride, stride, batch, in, out, flags(), nullptr));
      std::vector<uint16_t> y(span);
      memcpy(y.data(), static_cast<uint8_t*>(out), span * 2);
      return y;
    };
    for (bool in_place : {false, true}) {
      const std::vector<uint16_t> even = run(0, in_place);
      const std::vector<uint16_t> odd = run(1, in_place);
      for (size_t b = 0; b < batch; b++) {
        for (size_t i = 0; i < n; i++) {
          ASSERT_EQ(even[b * stride + i], odd[b * stride + i])
              << Name() << " n=" << n << " row " << b << " element " << i
              << (in_place ? " in place" : "");
        }
      }
    }
  }
}

TEST_P(SoftmaxNcF16Test, InPlace) {
  for (size_t n : {size_t(33), size_t(4500)}) {
    SoftmaxOperatorTester c;
    c.channels(n);
    c.input_stride(n + 3);
    c.batch_size(3);
    c.inplace(true);
    c.flags(flags());
    c.TestF16(Name() + " in place n=" + std::to_string(n));
  }
}

// Results do not depend on the pool: split mode (one long row, 3 threads), row mode
// (many rows) and no pool give the same bits.
TEST_P(SoftmaxNcF16Test, ThreadsGiveIdenticalBits) {
  for (size_t batch : {size_t(1), size_t(7)}) {
    SoftmaxOperatorTester c;
    c.channels(20000);
    c.batch_size(batch);
    c.flags(flags());
    std::vector<uint16_t> serial, threaded;
    c.TestF16(Name() + " serial", &serial);
    c.threads(3);
    c.TestF16(Name() + " 3 threads", &threaded);
    EXPECT_TRUE(serial == threaded) << Name() << " batch=" << batch;
  }
}

INSTANTIATE_TEST_SUITE_P(IsaAlgorithms, SoftmaxNcF16Test,
                         ::testing::ValuesIn(AllIsaAlgorithms()), IsaAlgorithmName);

// Two-pass f16 = f32 two-pass on the widened input, rounded to half (same kernels'
// math, exact widening, one rounding), on every ISA.
TEST(SoftmaxNcF16, TwoPassEqualsRoundedF32) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    const enum twopass_isa isa = static_cast<enum twopass_isa>(i);
    if (!testing::IsaUnderTest(isa)) continue;
    ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(isa));
    std::mt19937 rng(TestSeed());
    for (size_t n : {size_t(5), size_t(1000), size_t(9000)}) {
      const std::vector<uint16_t> x = RandomHalves(n, -12.0f, 12.0f, rng);
      const std::vector<float> xf = HalvesToFloats(x.data(), n);
      std::vector<uint16_t> y(n);
      std::vector<float> yf(n);
      ASSERT_EQ(twopass_status_success,
                twopass_run_softmax_nc_f16(n, n, n, 1, x.data(), y.data(),
                                           TWOPASS_FLAG_ALGORITHM_TWO_PASS, nullptr));
      ASSERT_EQ(twopass_status_success,
                twopass_run_softmax_nc_f32(n, n, n, 1, xf.data(), yf.data(),
                                           TWOPASS_FLAG_ALGORITHM_TWO_PASS, nullptr));
      for (size_t j = 0; j < n; j++) {
        ASSERT_EQ(y[j], FloatToHalf(yf[j])) << twopass_isa_to_string(isa) << " n=" << n
                                            << " j=" << j;
      }
    }
  }
}

// Element types do not mix: f32 calls reject an f16 operator and vice versa; run and
// delete take both. Byte-size overflow is computed with 2-byte elements.
TEST(SoftmaxNcF16, ElementTypeChecks) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  twopass_operator_t f16 = nullptr, f32 = nullptr;
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f16(0, &f16));
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &f32));
  EXPECT_EQ(twopass_status_invalid_state,
            twopass_reshape_softmax_nc_f32(f16, 8, 8, 8, 1, nullptr));
  EXPECT_EQ(twopass_status_invalid_state,
            twopass_reshape_softmax_nc_f16(f32, 8, 8, 8, 1, nullptr));
  EXPECT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f16(f16, 8, 8, 8, 1, nullptr));
  uint16_t x[8] = {0}, y[8];
  float xf[8] = {0};
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_softmax_nc_f32(f16, xf, xf));
  EXPECT_EQ(twopass_status_success, twopass_setup_softmax_nc_f16(f16, x, y));
  EXPECT_EQ(twopass_status_success, twopass_run_operator(f16, nullptr));
  for (uint16_t h : y) EXPECT_EQ(h, FloatToHalf(0.125f));
  // Partial overlap is rejected; exact in place accepted.
  uint16_t buffer[16] = {0};
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_setup_softmax_nc_f16(f16, buffer, buffer + 1));
  EXPECT_EQ(twopass_status_success, twopass_setup_softmax_nc_f16(f16, buffer, buffer));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_softmax_nc_f16(f16, nullptr, y));
  // PTRDIFF_MAX / 2 elements of 2 bytes fit; one more element does not.
  const size_t max_elements = static_cast<size_t>(PTRDIFF_MAX) / 2;
  EXPECT_EQ(twopass_status_success,
            twopass_reshape_softmax_nc_f16(f16, 1, max_elements - 1, 1, 2, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_reshape_softmax_nc_f16(f16, 1, max_elements, 1, 2, nullptr));
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(f16));
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(f32));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_nc_f16(0, 1, 1, 1, x, y, 0, nullptr));
  EXPECT_EQ(twopass_status_unsupported_parameter,
            twopass_run_softmax_nc_f16(8, 8, 8, 1, x, y, 0x80000000u, nullptr));
}

}  // namespace
}  // namespace testing
}  // namespace twopass
