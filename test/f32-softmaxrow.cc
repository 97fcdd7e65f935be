// Tests of every f32-softmaxrow kernel listed in src/f32-softmaxrow/f32-softmaxrow.inc.
// Contract: for a row of 1 to C floats, max_scale[0] = the row's maximum (NaN when it has
// a NaN); when that is finite, the output and max_scale[1] (inv_sum) are bitwise what the ISA's
// picks of f32-rmax, f32-raddstoreexpminusmax and f32-vscale give (three-pass reload,
// inv_sum = 1 / (double) sum rounded to float), checked here against those kernels run
// one after another and against the double-precision softmax of the row (the contract's
// tolerances, test/softmax-reference.h); otherwise nothing is written. In place, every
// length, guard pages right after the row and right before it; several rows per call
// with strides, special rows among ordinary ones.

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "guarded-buffer.h"
#include "softmax-reference.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_softmaxrow_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-softmaxrow/f32-softmaxrow.inc"
#undef TWOPASS_UKERNEL
};

// The library's picks (rows marked TWOPASS_UKERNEL_DEFAULT*) of the three reload
// kernels for an ISA, read from their tables.
template <typename Fn>
struct Pick {
  enum twopass_isa isa;
  Fn fn;
};
#define TWOPASS_UKERNEL(isa, ukernel, tile)
#define TWOPASS_UKERNEL_DEFAULT(isa, ukernel, tile) {twopass_isa_##isa, ukernel},
#define TWOPASS_UKERNEL_DEFAULT_NT(isa, ukernel, tile)
#define TWOPASS_UKERNEL_DEFAULT_BOTH(isa, ukernel, tile) {twopass_isa_##isa, ukernel},
const Pick<twopass_f32_rmax_ukernel_fn> kRmax[] = {
#include "f32-rmax/f32-rmax.inc"
};
const Pick<twopass_f32_raddstoreexpminusmax_ukernel_fn> kSumStore[] = {
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
};
const Pick<twopass_f32_vscale_ukernel_fn> kScale[] = {
#include "f32-vscale/f32-vscale.inc"
};
#undef TWOPASS_UKERNEL
#undef TWOPASS_UKERNEL_DEFAULT
#undef TWOPASS_UKERNEL_DEFAULT_NT
#undef TWOPASS_UKERNEL_DEFAULT_BOTH

template <typename Fn, size_t N>
Fn PickOf(const Pick<Fn> (&picks)[N], enum twopass_isa isa) {
  for (const Pick<Fn>& p : picks) {
    if (p.isa == isa) return p.fn;
  }
  return nullptr;
}

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kSentinel = 12345.0f;

// Checks one row's results: y (the row's output, or the input row when in place) and
// max_scale (its pair) against the three reload kernels of the kernel's ISA run on x and,
// for finite rows, against double; `unwritten_fill` is what y held before the call.
void ExpectRow(const Kernel& k, const std::vector<float>& x, const float* y, const float* max_scale,
               float unwritten_fill, bool in_place) {
  const size_t n = x.size();
  const auto rmax = PickOf(kRmax, k.isa);
  const auto sumstore = PickOf(kSumStore, k.isa);
  const auto scale = PickOf(kScale, k.isa);
  ASSERT_TRUE(rmax != nullptr && sumstore != nullptr && scale != nullptr);
  float max = 0.0f;
  rmax(n * sizeof(float), x.data(), &max);
  if (std::isnan(max)) {
    ASSERT_TRUE(std::isnan(max_scale[0])) << "max " << max_scale[0] << " for a row with NaN";
  } else {
    ASSERT_EQ(max_scale[0], max);
  }
  if (!std::isfinite(max)) {
    for (size_t i = 0; i < n; i++) {
      ASSERT_EQ(FloatBits(y[i]), FloatBits(in_place ? x[i] : unwritten_fill))
          << "element " << i << " written for a row whose max is " << max;
    }
    return;
  }
  std::vector<float> expected(n);
  float sum = 0.0f;
  const float max_upper[2] = {max, INFINITY};  // the exact max: no clamp
  sumstore(n * sizeof(float), x.data(), max_upper, expected.data(), &sum);
  const float inv_sum = static_cast<float>(1.0 / static_cast<double>(sum));
  scale(n * sizeof(float), expected.data(), expected.data(), inv_sum);
  ASSERT_EQ(FloatBits(max_scale[1]), FloatBits(inv_sum))
      << "scale " << max_scale[1] << " vs 1 / " << sum;
  for (size_t i = 0; i < n; i++) {
    ASSERT_EQ(FloatBits(y[i]), FloatBits(expected[i]))
        << "element " << i << " (x " << x[i] << "): " << y[i] << " vs reload " << expected[i];
  }
  std::vector<double> r;
  const std::string error = CheckSoftmaxRowF32(x.data(), y, n, false, &r);
  ASSERT_TRUE(error.empty()) << error;
}

// Runs the kernel on the one row x (out of place, or in place) and checks it.
void Check(const Kernel& k, const std::vector<float>& x, bool in_place, Guard guard) {
  const size_t n = x.size();
  SCOPED_TRACE(::testing::Message()
               << k.name << ", " << n << " elements, " << (in_place ? "in place" : "out of place")
               << ", guard " << (guard == Guard::kAfter ? "after" : "before"));
  GuardedBuffer<float> input(n, guard);
  GuardedBuffer<float> output(n, guard);
  std::copy(x.begin(), x.end(), input.begin());
  std::fill(output.begin(), output.end(), kSentinel);
  float* y = in_place ? input.data() : output.data();
  float max_scale[2] = {kSentinel, kSentinel};
  k.fn(1, n * sizeof(float), input.data(), 0, y, 0, max_scale);
  ExpectRow(k, x, y, max_scale, kSentinel, in_place);
  if (!in_place) {
    for (size_t i = 0; i < n; i++) ASSERT_EQ(FloatBits(input[i]), FloatBits(x[i])) << i;
  }
  if (::testing::Test::HasFatalFailure()) return;

  // Again as the first of two rows in one call (the r2 kernels' interleaved path), the
  // second row x reversed, the pair's end against the guard.
  SCOPED_TRACE("two rows per call");
  std::vector<float> x2(x.rbegin(), x.rend());
  GuardedBuffer<float> input2(2 * n, guard);
  GuardedBuffer<float> output2(2 * n, guard);
  std::copy(x.begin(), x.end(), input2.begin());
  std::copy(x2.begin(), x2.end(), input2.begin() + n);
  std::fill(output2.begin(), output2.end(), kSentinel);
  float* y2 = in_place ? input2.data() : output2.data();
  float max_scale2[4] = {kSentinel, kSentinel, kSentinel, kSentinel};
  k.fn(2, n * sizeof(float), input2.data(), n * sizeof(float), y2, n * sizeof(float), max_scale2);
  ExpectRow(k, x, y2, max_scale2, kSentinel, in_place);
  ExpectRow(k, x2, y2 + n, max_scale2 + 2, kSentinel, in_place);
}

class F32SoftmaxRowTest : public ::testing::TestWithParam<Kernel> {};

// Every length to 272 (rows in pairs up to 128, in registers up to 256, in the output
// beyond: every boundary and tail), then the tails and block boundaries of longer rows up
// to the kernels' limit (every length there would take minutes).
std::vector<size_t> Lengths() {
  std::vector<size_t> lengths;
  for (size_t n = 1; n <= 272; n++) lengths.push_back(n);
  for (size_t n : {300, 319, 320, 321, 383, 384, 385, 447,  448,  449,  500,  511, 512,
                   513, 640, 700, 767, 768, 769, 900, 1000, 1007, 1008, 1009, 1023}) {
    if (n < TWOPASS_SOFTMAXROW_MAX_CHANNELS) lengths.push_back(n);
  }
  lengths.push_back(TWOPASS_SOFTMAXROW_MAX_CHANNELS);
  return lengths;
}

// Positions for one special value in a row of n: all of them in rows of up to 272, else
// both ends, the block boundaries near them and the middle.
std::vector<size_t> Positions(size_t n) {
  std::vector<size_t> positions;
  if (n <= 272) {
    for (size_t p = 0; p < n; p++) positions.push_back(p);
    return positions;
  }
  for (size_t p : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{31}, size_t{32},
                   size_t{63}, size_t{64}, n / 3, n / 2, n - 65, n - 64, n - 33, n - 32, n - 17,
                   n - 16, n - 15, n - 1}) {
    positions.push_back(p);
  }
  return positions;
}

// Lengths() up to the kernel's limit, in and out of place, both guards, in ranges
// that take both reference points (|max| < 2^14: k * ln2; beyond: max itself).
TEST_P(F32SoftmaxRowTest, EveryLengthAndRange) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const float ranges[][2] = {
      {-10.0f, 10.0f}, {-1e4f, 1e4f}, {-90.0f, 0.0f}, {3e4f, 3.0001e4f}, {-1e30f, -1e30f + 1e25f}};
  for (size_t n : Lengths()) {
    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
      const std::vector<float> x =
          UniformFloats(n, ranges[r][0], ranges[r][1], static_cast<uint32_t>(n * 8 + r));
      for (bool in_place : {false, true}) {
        for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
          Check(k, x, in_place, guard);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

// Rows of equal values (every term the same: the sums' rounding all one way), rows whose
// terms underflow to zero except the max, -inf entries (exact zeros) and rows of one
// finite value among -inf.
TEST_P(F32SoftmaxRowTest, EqualValuesUnderflowAndMinusInfinity) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : Lengths()) {
    std::vector<float> x(n, 0.966f);
    Check(k, x, false, Guard::kAfter);
    std::fill(x.begin(), x.end(), -200.0f);
    x[n / 2] = 0.0f;
    Check(k, x, true, Guard::kAfter);
    for (size_t i = 0; i < n; i++) x[i] = i % 3 == 0 ? -kInf : static_cast<float>(i) * 0.25f;
    if (n > 1) Check(k, x, false, Guard::kBefore);
    std::fill(x.begin(), x.end(), -kInf);
    x[n - 1] = -5.0f;
    Check(k, x, false, Guard::kAfter);
    if (HasFatalFailure()) return;
  }
}

// NaN, +inf and rows of only -inf at Positions() of Lengths(): the max says so
// and nothing is written (the library's special-row path takes such rows).
TEST_P(F32SoftmaxRowTest, SpecialRowsWriteNothing) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : Lengths()) {
    const std::vector<float> base = UniformFloats(n, -10.0f, 10.0f, static_cast<uint32_t>(n));
    for (float special : {kNaN, kInf, -kNaN}) {
      for (size_t p : Positions(n)) {
        std::vector<float> x = base;
        x[p] = special;
        Check(k, x, p % 2 == 0, p % 3 == 0 ? Guard::kBefore : Guard::kAfter);
        if (HasFatalFailure()) return;
      }
    }
    Check(k, std::vector<float>(n, -kInf), false, Guard::kAfter);
    Check(k, std::vector<float>(n, -kInf), true, Guard::kBefore);
    if (HasFatalFailure()) return;
  }
}

// Several rows per call (the kernels interleave rows: a special row or one beside a
// huge maximum must not change its neighbour's path or bits): every row count to 9,
// rows spaced by strides larger than the row (the gaps must stay untouched), in and out
// of place, the last row against a guard page; each row of a call draws a kind
// (ordinary, |max| >= 2^14, NaN, +inf, only -inf, equal values) independently.
TEST_P(F32SoftmaxRowTest, SeveralRowsPerCall) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  std::mt19937 rng(TestSeed() ^ 0x5eed);
  // 128 | 129 and 256 | 257: where rows stop going in pairs (r2) and in registers.
  const size_t lengths[] = {1,   15,  16,  33,  64,  100, 127,
                            128, 129, 200, 256, 257, 400, TWOPASS_SOFTMAXROW_MAX_CHANNELS};
  for (size_t n : lengths) {
    for (size_t rows = 1; rows <= 9; rows++) {
      for (bool in_place : {false, true}) {
        const size_t gap = rows % 3;  // floats between rows (0: contiguous)
        const size_t stride = n + gap;
        const size_t total = (rows - 1) * stride + n;
        std::vector<std::vector<float>> x(rows);
        for (size_t r = 0; r < rows; r++) {
          const uint32_t salt = static_cast<uint32_t>(n * 1000 + rows * 10 + r);
          const unsigned kind = std::uniform_int_distribution<unsigned>(0, 9)(rng);
          x[r] = kind == 1 ? UniformFloats(n, 3e4f, 3.0001e4f, salt)
                           : UniformFloats(n, -10.0f, 10.0f, salt);
          const size_t p = std::uniform_int_distribution<size_t>(0, n - 1)(rng);
          if (kind == 2) x[r][p] = kNaN;
          if (kind == 3) x[r][p] = kInf;
          if (kind == 4) std::fill(x[r].begin(), x[r].end(), -kInf);
          if (kind == 5) std::fill(x[r].begin(), x[r].end(), 0.966f);
        }
        SCOPED_TRACE(::testing::Message()
                     << k.name << ", " << rows << " rows of " << n << ", stride " << stride << ", "
                     << (in_place ? "in place" : "out of place"));
        GuardedBuffer<float> input(total, Guard::kAfter);
        GuardedBuffer<float> output(total, Guard::kAfter);
        std::fill(input.begin(), input.end(), kSentinel);
        std::fill(output.begin(), output.end(), -kSentinel);
        for (size_t r = 0; r < rows; r++) std::copy(x[r].begin(), x[r].end(), &input[r * stride]);
        float* y = in_place ? input.data() : output.data();
        std::vector<float> max_scale(2 * rows + 1, kSentinel);
        k.fn(rows, n * sizeof(float), input.data(), stride * sizeof(float), y,
             stride * sizeof(float), max_scale.data());
        ASSERT_EQ(max_scale[2 * rows], kSentinel) << "pair past the last row written";
        for (size_t r = 0; r < rows; r++) {
          SCOPED_TRACE(::testing::Message() << "row " << r);
          ExpectRow(k, x[r], y + r * stride, &max_scale[2 * r], -kSentinel, in_place);
          if (HasFatalFailure()) return;
          for (size_t g = 0; g < gap && r + 1 < rows; g++) {
            const size_t i = r * stride + n + g;
            ASSERT_EQ(y[i], in_place ? kSentinel : -kSentinel) << "gap element " << i << " written";
          }
          if (!in_place) {
            for (size_t i = 0; i < n; i++) {
              ASSERT_EQ(FloatBits(input[r * stride + i]), FloatBits(x[r][i])) << "input " << i;
            }
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32SoftmaxRowTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
