// Tests of every f32-f16-vcvt kernel listed in src/f32-f16-vcvt/f32-f16-vcvt.inc.
// Contract: output[i] = input[i] rounded to IEEE binary16, to nearest with ties to even
// (|x| >= 65520 gives +-inf, subnormal halves kept, the sign of zeros kept); a NaN gives a
// NaN half; output at any byte address; nothing read or written outside the rows.
// The reference (RoundToHalf below) is computed in double, independently of the FP16
// library that the scalar kernel uses.

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_f16_vcvt_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-f16-vcvt/f32-f16-vcvt.inc"
#undef TWOPASS_UKERNEL
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// The value of x rounded to binary16 (ties to even), as a double with x's sign; NaN for
// NaN. Halves have 11 significant bits and exponents down to -14 (below: the subnormal
// step 2^-24); 65520, halfway between 65504 and 2^16, rounds to the even 2^16: inf.
double RoundToHalf(float x) {
  if (std::isnan(x)) return NAN;
  const double a = fabs(static_cast<double>(x));
  double rounded;
  if (a >= 65520.0) {
    rounded = INFINITY;
  } else if (a == 0.0) {
    rounded = 0.0;
  } else {
    const int exponent = std::max(ilogb(a), -14);
    const double step = ldexp(1.0, exponent - 10);
    rounded = nearbyint(a / step) * step;  // a / step is exact; nearbyint: ties to even
  }
  return std::signbit(x) ? -rounded : rounded;
}

// Runs the kernel on `x` with its output at byte offset `offset` of a guarded buffer
// (the guard page right after the output, or right before the input), and checks every
// element.
void Check(const Kernel& k, const std::vector<float>& x, size_t offset = 0,
           Guard guard = Guard::kAfter) {
  const size_t n = x.size();
  SCOPED_TRACE(::testing::Message() << k.name << ", " << n << " elements, output offset " << offset
                                    << ", guard " << (guard == Guard::kAfter ? "after" : "before"));
  GuardedBuffer<float> input(n, guard);
  GuardedBuffer<uint8_t> output(n * sizeof(uint16_t) + offset, guard);
  std::copy(x.begin(), x.end(), input.begin());
  memset(output.data(), 0xA5, output.size());
  k.fn(n * sizeof(float), input.data(), output.data() + offset);
  for (size_t i = 0; i < offset; i++) ASSERT_EQ(output[i], 0xA5) << "written before the row";
  for (size_t i = 0; i < n; i++) {
    ASSERT_EQ(FloatBits(input[i]), FloatBits(x[i])) << "input modified at " << i;
    uint16_t h;
    memcpy(&h, output.data() + offset + i * sizeof(uint16_t), sizeof(h));
    const double expected = RoundToHalf(x[i]);
    if (std::isnan(expected)) {
      ASSERT_TRUE(HalfIsNan(h)) << "at " << i << ": NaN gave 0x" << std::hex << h;
      continue;
    }
    const double got = HalfToFloat(h);
    ASSERT_TRUE(got == expected && std::signbit(got) == std::signbit(expected))
        << "at " << i << ": " << x[i] << " (" << std::hexfloat << x[i] << ") gave " << got
        << ", expected " << expected;
  }
}

class F32F16VcvtTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32F16VcvtTest, EveryTailLengthAndOffset) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    const std::vector<float> x = UniformFloats(n, -70000.0f, 70000.0f, static_cast<uint32_t>(n));
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      for (size_t offset : {0, 1}) {
        Check(k, x, offset, guard);
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Every half exactly, each midpoint between neighbouring halves (ties to even) and the
// floats right beside each midpoint (to the nearer), both signs.
TEST_P(F32F16VcvtTest, EveryHalfAndEveryMidpoint) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  std::vector<float> x;
  for (uint32_t h = 0; h < 0x7C00; h++) {  // finite non-negative halves, in order
    const float value = HalfToFloat(static_cast<uint16_t>(h));
    const float next = h + 1 < 0x7C00 ? HalfToFloat(static_cast<uint16_t>(h + 1)) : 65536.0f;
    const float midpoint = static_cast<float>((static_cast<double>(value) + next) / 2);  // exact
    for (float v : {value, midpoint, nextafterf(midpoint, 0.0f), nextafterf(midpoint, kInf)}) {
      x.push_back(v);
      x.push_back(-v);
    }
  }
  Check(k, x);
}

// Beyond the half range: overflow to inf from 65520 on, floats far below the smallest
// subnormal half (zeros of their sign), f32 subnormals, infinities and NaNs (quiet,
// signalling, with payloads), in every lane of a vector and of the tail.
TEST_P(F32F16VcvtTest, SpecialValuesAtEveryPosition) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const float specials[] = {kNaN,
                            -kNaN,
                            BitsToFloat(0x7F800001u),  // signalling NaN, payload 1
                            BitsToFloat(0x7FC00001u),
                            kInf,
                            -kInf,
                            65504.0f,
                            65519.996f,
                            65520.0f,
                            -65520.0f,
                            FLT_MAX,
                            -FLT_MAX,
                            0x1.0p-24f,  // the smallest subnormal half
                            0x1.0p-25f,  // halfway to 0: ties to even, 0
                            0x1.000002p-25f,
                            -0x1.0p-26f,
                            FLT_MIN,
                            1.0e-45f,
                            -0.0f,
                            0.0f};
  const size_t width = VectorWidth(k.isa);
  std::vector<size_t> lengths;
  for (size_t n = 1; n <= width + 1; n++) lengths.push_back(n);
  lengths.push_back(k.tile + width + 3);
  for (float special : specials) {
    for (size_t n : lengths) {
      for (size_t position = 0; position < n; position++) {
        std::vector<float> x =
            UniformFloats(n, -2.0f, 2.0f, static_cast<uint32_t>(n * 31 + position));
        x[position] = special;
        Check(k, x);
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Long rows over the whole float range of magnitudes (random exponents and mantissas).
TEST_P(F32F16VcvtTest, RandomBitPatterns) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  std::mt19937 rng(TestSeed());
  std::uniform_int_distribution<uint32_t> bits;
  for (size_t n : {4 * k.tile + 1, size_t{65537}}) {
    std::vector<float> x(n);
    for (float& v : x) v = BitsToFloat(bits(rng));
    Check(k, x);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32F16VcvtTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
