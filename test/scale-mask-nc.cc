// Scale and additive mask (twopass_setup_scale_mask, issue 13) on every ISA the CPU has,
// for softmax (every algorithm), log-softmax and logsumexp, f32 and f16.
//
// Contract (include/twopass.h, "Scale and additive mask"): the operation of the rows
// t = x * scale + mask, t rounded as two IEEE f32 operations. Checked two ways:
// - against the plain f32 operator run on t materialized by the test (f16: those
//   results rounded to halves), with the same algorithm, on every ISA, for any pool:
//   bitwise for rows of one block (kScaledBlockElements, the plain operator's very
//   kernel calls); longer rows sum their blocks in double where the plain kernel sums a
//   whole chunk in float, so they agree within both normalisers' rounding bounds
//   (Agree below) and special values exactly;
// - directly: f32 softmax, log-softmax and lse rows against the double-precision
//   reference of t.
// Then: -inf masks give exact zeros, fully masked rows, broadcast and per-row masks with
// gaps, in place, the mask overlapping the input, the binding's life cycle, bad input.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/config.h"
#include "twopass/softmax-plan.h"  // kScaledBlockElements
#include "f16-test-util.h"
#include "softmax-operator-tester.h"  // kUntouchedBits, kHalfUntouched, TWOPASS_SELECT_ISA
#include "softmax-reference.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

enum class Op { kSoftmax, kLogSoftmax, kLogSumExp };

const char* OpName(Op op) {
  return op == Op::kSoftmax ? "softmax" : op == Op::kLogSoftmax ? "log-softmax" : "logsumexp";
}

enum class MaskMode { kNone, kRows, kBroadcast };

struct Case {
  Op op = Op::kSoftmax;
  size_t channels = 1;
  size_t batch = 3;
  size_t input_stride = 0;   // 0: channels
  size_t output_stride = 0;  // 0: channels
  size_t mask_stride = 0;    // kRows: 0 means channels + 3
  MaskMode mask = MaskMode::kRows;
  float scale = 0.5f;
  uint32_t flags = 0;
  bool inplace = false;
  bool mask_is_input = false;  // the mask is the input tensor itself (kRows, its stride)
  bool lse = false;            // also bind an lse output
  size_t threads = 0;
};

std::string Describe(const Case& c) {
  return Format("%s n=%zu batch=%zu scale=%g mask=%d flags=0x%x inplace=%d threads=%zu",
                OpName(c.op), c.channels, c.batch, static_cast<double>(c.scale),
                static_cast<int>(c.mask), c.flags, c.inplace, c.threads);
}

// Fills x (row b, n elements) and the mask row b (as floats; f16: rounded to halves).
using Filler = void (*)(size_t b, float* x, float* m, size_t n, std::mt19937& rng);

void UniformFill(size_t, float* x, float* m, size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> ux(-20.0f, 20.0f), um(-8.0f, 8.0f);
  for (size_t i = 0; i < n; i++) x[i] = ux(rng);
  for (size_t i = 0; i < n; i++) m[i] = um(rng);
}

// A causal pattern: row b sees the first b * n / batch + 1 elements, -inf after.
// Rows whose t is one value (x equal, mask 0): the sums' worst case, every term equal.
void EqualFill(size_t b, float* x, float* m, size_t n, std::mt19937&) {
  for (size_t i = 0; i < n; i++) x[i] = 3.0f + static_cast<float>(b);
  for (size_t i = 0; i < n; i++) m[i] = 0.0f;
}

// Blocks of very different magnitude (t near -4900 and +4900, within the two-pass range):
// the block merges rescale by 2^-14000 (clamped, a term of 0); even rows put the large
// block last (the running exponent jumps up), odd rows first.
void SplitMagnitudeFill(size_t b, float* x, float* m, size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-10.0f, 10.0f);
  for (size_t i = 0; i < n; i++) {
    const bool second_half = i >= n / 2;
    const bool large = (b % 2 == 0) == second_half;
    x[i] = (large ? 7000.0f : -7000.0f) + u(rng);
    m[i] = u(rng);
  }
}

void CausalFill(size_t b, float* x, float* m, size_t n, std::mt19937& rng) {
  UniformFill(b, x, m, n, rng);
  const size_t visible = std::min(n, b * n / 4 + 1);
  for (size_t i = visible; i < n; i++) m[i] = -kInf;
}

// Row 1 fully masked; specials in x and the mask elsewhere.
void SpecialFill(size_t b, float* x, float* m, size_t n, std::mt19937& rng) {
  UniformFill(b, x, m, n, rng);
  switch (b % 6) {
    case 1:
      for (size_t i = 0; i < n; i++) m[i] = -kInf;
      break;
    case 2:
      x[n / 2] = kNaN;
      break;
    case 3:
      m[n - 1] = kInf;  // t = +inf there (finite x)
      break;
    case 4:
      x[0] = kInf;
      m[0] = -kInf;  // inf + -inf: NaN row
      break;
    case 5:
      x[n / 3] = 3.0e38f;  // times the scale: beyond the two-pass range, or inf
      break;
    default:
      break;
  }
}

// Huge magnitudes of t: rows beyond the two-pass range (the three-pass recompute path).
void HugeFill(size_t, float* x, float* m, size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> ux(-3.0e4f, 3.0e4f), um(-100.0f, 100.0f);
  for (size_t i = 0; i < n; i++) x[i] = ux(rng);
  for (size_t i = 0; i < n; i++) m[i] = um(rng);
}

bool SameBits(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || FloatBits(a) == FloatBits(b);
}
bool SameHalf(uint16_t a, uint16_t b) { return (HalfIsNan(a) && HalfIsNan(b)) || a == b; }

// A result of a row of several blocks against the plain operator's on t. Each normaliser
// is within 1e-6 of the exact one (the contract), so the two differ by at most 2e-6,
// relative for softmax (plus FLT_MIN where results are subnormal), absolute up to 1 and
// relative above for log-softmax and lse (`additive`). NaN, infinities, exact zeros of
// softmax (an FLT_MIN slack) and everything of rows of one block are exact.
bool Agree(float got, float plain, bool additive, bool one_block) {
  if (one_block || !std::isfinite(got) || !std::isfinite(plain)) return SameBits(got, plain);
  const double error = fabs(static_cast<double>(got) - static_cast<double>(plain));
  if (additive) return error <= 2e-6 * std::max(1.0, fabs(static_cast<double>(plain)));
  return error <= 2e-6 * fabs(static_cast<double>(plain)) + std::numeric_limits<float>::min();
}
// Halves: equal, or neighbours (the f32 results straddled a rounding boundary).
bool AgreeHalf(uint16_t got, uint16_t plain, bool one_block) {
  if (one_block || HalfIsNan(got) || HalfIsNan(plain)) return SameHalf(got, plain);
  return got == plain || ((got ^ plain) < 0x8000 && (got > plain ? got - plain : plain - got) == 1);
}

// The double-precision lse of a row of t (-inf entries add nothing); NaN when the row has
// NaN or +inf or only -inf (the special paths, checked against the plain operator only).
double ReferenceLse(const float* t, size_t n) {
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (std::isnan(t[i]) || t[i] == INFINITY) return NAN;
    max = std::max(max, static_cast<double>(t[i]));
  }
  if (max == -INFINITY) return NAN;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp(static_cast<double>(t[i]) - max);
  return max + log(sum);
}

// The product rounded, then the sum: the contract's t.
float ScaleAdd(float x, float scale, const float* m) {
  volatile float product = x * scale;
  return m == nullptr ? product : product + *m;
}

class ScaleMaskNc : public ::testing::TestWithParam<std::pair<enum twopass_isa, bool>> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam().first); }
  bool f16() const { return GetParam().second; }

  // Runs the case scaled and the plain f32 operator on t; compares bitwise (and f32
  // softmax against double). `y_out` receives the scaled results (as floats) for
  // comparisons across pools.
  void Check(const Case& c, Filler fill, std::vector<float>* y_out = nullptr) {
    SCOPED_TRACE(Describe(c) + (f16() ? " f16" : " f32"));
    const size_t n = c.channels;
    const size_t in_stride = c.input_stride == 0 ? n : c.input_stride;
    const size_t out_stride = c.inplace ? in_stride : (c.output_stride == 0 ? n : c.output_stride);
    size_t mask_stride = c.mask_stride == 0 ? n + 3 : c.mask_stride;
    if (c.mask_is_input) mask_stride = in_stride;
    const size_t mask_rows = c.mask == MaskMode::kBroadcast ? 1 : c.batch;
    std::mt19937 rng(TestSeed() ^ static_cast<uint32_t>(n * 7919 + c.batch));

    // Values (halves for f16: rounded first, so that t is computed from what is stored).
    std::vector<float> xs(c.batch * n), ms(c.batch * n);
    for (size_t b = 0; b < c.batch; b++) fill(b, &xs[b * n], &ms[b * n], n, rng);
    if (c.mask_is_input) ms = xs;
    if (f16()) {
      for (float& v : xs) v = HalfToFloat(FloatToHalf(v));
      for (float& v : ms) v = HalfToFloat(FloatToHalf(v));
    }
    // t, contiguous, as the contract defines it.
    std::vector<float> t(c.batch * n);
    for (size_t b = 0; b < c.batch; b++) {
      const size_t mb = c.mask == MaskMode::kBroadcast ? 0 : b;
      for (size_t i = 0; i < n; i++) {
        t[b * n + i] =
            ScaleAdd(xs[b * n + i], c.scale, c.mask == MaskMode::kNone ? nullptr : &ms[mb * n + i]);
      }
    }

    // Tensors of the scaled run (sentinels in the gaps).
    const size_t in_span = (c.batch - 1) * in_stride + n;
    const size_t out_span = (c.batch - 1) * out_stride + n;
    const size_t mask_span = (mask_rows - 1) * mask_stride + n;
    const size_t es = f16() ? 2 : 4;
    std::vector<unsigned char> x_bytes(std::max(in_span, c.inplace ? out_span : 0) * es);
    std::vector<unsigned char> y_bytes(out_span * es);
    std::vector<unsigned char> m_bytes(mask_span * es);
    auto put = [&](std::vector<unsigned char>& buf, size_t i, float v) {
      if (f16()) {
        const uint16_t h = FloatToHalf(v);
        memcpy(&buf[i * 2], &h, 2);
      } else {
        memcpy(&buf[i * 4], &v, 4);
      }
    };
    auto fill_untouched = [&](std::vector<unsigned char>& buf) {
      for (size_t i = 0; i < buf.size() / es; i++) {
        if (f16()) {
          memcpy(&buf[i * 2], &kHalfUntouched, 2);
        } else {
          memcpy(&buf[i * 4], &kUntouchedBits, 4);
        }
      }
    };
    fill_untouched(x_bytes);
    fill_untouched(y_bytes);
    fill_untouched(m_bytes);
    for (size_t b = 0; b < c.batch; b++) {
      for (size_t i = 0; i < n; i++) put(x_bytes, b * in_stride + i, xs[b * n + i]);
    }
    for (size_t b = 0; b < mask_rows; b++) {
      for (size_t i = 0; i < n; i++) put(m_bytes, b * mask_stride + i, ms[b * n + i]);
    }
    unsigned char* x_ptr = x_bytes.data();
    unsigned char* y_ptr = c.inplace ? x_bytes.data() : y_bytes.data();
    const void* m_ptr = c.mask == MaskMode::kNone ? nullptr
                        : c.mask_is_input         ? x_ptr
                                                  : m_bytes.data();
    const size_t m_stride = c.mask == MaskMode::kNone        ? 0
                            : c.mask == MaskMode::kBroadcast ? TWOPASS_MASK_STRIDE_BROADCAST
                                                             : mask_stride;
    std::vector<float> lse(c.batch, 12345.0f);

    pthreadpool_t pool = c.threads == 0 ? nullptr : pthreadpool_create(c.threads);
    twopass_operator_t op = nullptr;
    if (c.op == Op::kSoftmax) {
      ASSERT_EQ(twopass_status_success, f16() ? twopass_create_softmax_nc_f16(c.flags, &op)
                                              : twopass_create_softmax_nc_f32(c.flags, &op));
      ASSERT_EQ(twopass_status_success,
                f16()
                    ? twopass_reshape_softmax_nc_f16(op, n, in_stride, out_stride, c.batch, pool)
                    : twopass_reshape_softmax_nc_f32(op, n, in_stride, out_stride, c.batch, pool));
      ASSERT_EQ(twopass_status_success,
                f16() ? twopass_setup_softmax_nc_f16(op, x_ptr, y_ptr)
                      : twopass_setup_softmax_nc_f32(op, reinterpret_cast<const float*>(x_ptr),
                                                     reinterpret_cast<float*>(y_ptr)));
    } else if (c.op == Op::kLogSoftmax) {
      ASSERT_EQ(twopass_status_success, f16() ? twopass_create_log_softmax_nc_f16(c.flags, &op)
                                              : twopass_create_log_softmax_nc_f32(c.flags, &op));
      ASSERT_EQ(
          twopass_status_success,
          f16() ? twopass_reshape_log_softmax_nc_f16(op, n, in_stride, out_stride, c.batch, pool)
                : twopass_reshape_log_softmax_nc_f32(op, n, in_stride, out_stride, c.batch, pool));
      ASSERT_EQ(twopass_status_success,
                f16() ? twopass_setup_log_softmax_nc_f16(op, x_ptr, y_ptr)
                      : twopass_setup_log_softmax_nc_f32(op, reinterpret_cast<const float*>(x_ptr),
                                                         reinterpret_cast<float*>(y_ptr)));
    } else {
      ASSERT_FALSE(f16());
      ASSERT_EQ(twopass_status_success, twopass_create_logsumexp_nc_f32(c.flags, &op));
      ASSERT_EQ(twopass_status_success,
                twopass_reshape_logsumexp_nc_f32(op, n, in_stride, c.batch, pool));
      ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_nc_f32(
                                            op, reinterpret_cast<const float*>(x_ptr), lse.data()));
    }
    ASSERT_EQ(twopass_status_success, twopass_setup_scale_mask(op, c.scale, m_ptr, m_stride));
    if (c.lse && c.op != Op::kLogSumExp) {
      ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_output(op, lse.data()));
    }
    ASSERT_EQ(twopass_status_success, twopass_run_operator(op, pool));
    ASSERT_EQ(twopass_status_success, twopass_delete_operator(op));
    if (pool != nullptr) pthreadpool_destroy(pool);

    // The plain f32 operator on t, with the algorithm the scaled operator ran: f16
    // softmax runs two-pass without a flag and recompute for both three-pass flags.
    uint32_t flags = c.flags;
    if (f16() && c.op == Op::kSoftmax) {
      if ((flags & (TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD |
                    TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE)) == 0) {
        flags |= TWOPASS_FLAG_ALGORITHM_TWO_PASS;
      }
      if (flags & TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD) {
        flags = (flags & ~TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD) |
                TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE;
      }
    }
    std::vector<float> yt(c.batch * n);
    std::vector<float> lse_t(c.batch);
    twopass_operator_t plain = nullptr;
    if (c.op == Op::kLogSumExp) {
      ASSERT_EQ(twopass_status_success, twopass_run_logsumexp_nc_f32(n, n, c.batch, t.data(),
                                                                     lse_t.data(), flags, nullptr));
    } else {
      ASSERT_EQ(twopass_status_success, c.op == Op::kSoftmax
                                            ? twopass_create_softmax_nc_f32(flags, &plain)
                                            : twopass_create_log_softmax_nc_f32(flags, &plain));
      ASSERT_EQ(twopass_status_success,
                c.op == Op::kSoftmax
                    ? twopass_reshape_softmax_nc_f32(plain, n, n, n, c.batch, nullptr)
                    : twopass_reshape_log_softmax_nc_f32(plain, n, n, n, c.batch, nullptr));
      ASSERT_EQ(twopass_status_success,
                c.op == Op::kSoftmax
                    ? twopass_setup_softmax_nc_f32(plain, t.data(), yt.data())
                    : twopass_setup_log_softmax_nc_f32(plain, t.data(), yt.data()));
      ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_output(plain, lse_t.data()));
      ASSERT_EQ(twopass_status_success, twopass_run_operator(plain, nullptr));
      ASSERT_EQ(twopass_status_success, twopass_delete_operator(plain));
    }

    const bool one_block = n <= kScaledBlockElements;
    std::vector<double> lse_ref(c.batch);
    for (size_t b = 0; b < c.batch; b++) lse_ref[b] = ReferenceLse(&t[b * n], n);
    if (c.op == Op::kLogSumExp || c.lse) {
      for (size_t b = 0; b < c.batch; b++) {
        ASSERT_TRUE(Agree(lse[b], lse_t[b], true, one_block))
            << "lse row " << b << ": " << lse[b] << " vs plain on t " << lse_t[b];
        if (!f16() && !std::isnan(lse_ref[b])) {
          ASSERT_LE(fabs(lse[b] - lse_ref[b]), 1e-6 * std::max(1.0, fabs(lse_ref[b])))
              << "lse row " << b << " against double";
        }
      }
    }
    if (c.op == Op::kLogSumExp) return;
    if (y_out != nullptr) y_out->assign(out_span, 0.0f);
    std::vector<double> r;
    for (size_t b = 0; b < c.batch; b++) {
      for (size_t i = 0; i < out_stride && b * out_stride + i < out_span; i++) {
        const size_t at = b * out_stride + i;
        if (i >= n) {  // a gap: untouched (in place: the input's own gap)
          if (c.inplace) continue;
          if (f16()) {
            uint16_t h;
            memcpy(&h, &y_ptr[at * 2], 2);
            ASSERT_EQ(h, kHalfUntouched) << "gap written at row " << b << " i=" << i;
          } else {
            uint32_t bits;
            memcpy(&bits, &y_ptr[at * 4], 4);
            ASSERT_EQ(bits, kUntouchedBits) << "gap written at row " << b << " i=" << i;
          }
          continue;
        }
        const float expected32 = yt[b * n + i];
        if (f16()) {
          uint16_t h;
          memcpy(&h, &y_ptr[at * 2], 2);
          ASSERT_TRUE(AgreeHalf(h, FloatToHalf(expected32), one_block))
              << "row " << b << " i=" << i << ": 0x" << std::hex << h << " vs plain on t 0x"
              << FloatToHalf(expected32) << std::dec << " (t " << t[b * n + i] << ")";
          if (y_out != nullptr) (*y_out)[at] = HalfToFloat(h);
        } else {
          float y;
          memcpy(&y, &y_ptr[at * 4], 4);
          ASSERT_TRUE(Agree(y, expected32, c.op == Op::kLogSoftmax, one_block))
              << "row " << b << " i=" << i << ": " << y << " vs plain on t " << expected32 << " (t "
              << t[b * n + i] << ")";
          if (y_out != nullptr) (*y_out)[at] = y;
          if (c.op == Op::kLogSoftmax && !std::isnan(lse_ref[b])) {
            const double r = static_cast<double>(t[b * n + i]) - lse_ref[b];
            if (r == -INFINITY) {  // a -inf entry of t (a masked position)
              ASSERT_EQ(y, -INFINITY) << "row " << b << " i=" << i << " against double";
            } else {
              ASSERT_LE(fabs(y - r), 1e-6 * std::max(1.0, fabs(r)))
                  << "row " << b << " i=" << i << " against double";
            }
          }
        }
      }
      if (c.op == Op::kSoftmax && !f16()) {
        std::vector<float> y(n);
        for (size_t i = 0; i < n; i++) memcpy(&y[i], &y_ptr[(b * out_stride + i) * 4], 4);
        const std::string error = CheckSoftmaxRowF32(
            &t[b * n], y.data(), n, (c.flags & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0, &r);
        ASSERT_EQ(error, "") << "row " << b << " against double";
      }
    }
  }
};

const uint32_t kSoftmaxFlags[] = {0, TWOPASS_FLAG_ALGORITHM_TWO_PASS,
                                  TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
                                  TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE};

TEST_P(ScaleMaskNc, SoftmaxAlgorithmsMasksAndScales) {
  for (uint32_t flags : kSoftmaxFlags) {
    for (size_t n : {size_t(1), size_t(100), size_t(4097), size_t(20011)}) {
      for (MaskMode mask : {MaskMode::kNone, MaskMode::kRows, MaskMode::kBroadcast}) {
        for (float scale : {0.125f, -1.5f}) {
          Case c;
          c.channels = n;
          c.flags = flags;
          c.mask = mask;
          c.scale = scale;
          c.batch = n > 5000 ? 2 : 4;
          Check(c, UniformFill);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(ScaleMaskNc, LogSoftmaxAndLse) {
  for (Op op : {Op::kLogSoftmax, Op::kSoftmax, Op::kLogSumExp}) {
    if (op == Op::kLogSumExp && f16()) continue;
    // (512 and 513: one block and two, kScaledBlockElements)
    for (size_t n :
         {size_t(1), size_t(33), size_t(512), size_t(513), size_t(4097), size_t(20011)}) {
      for (MaskMode mask : {MaskMode::kNone, MaskMode::kRows, MaskMode::kBroadcast}) {
        for (Filler fill : {UniformFill, EqualFill, CausalFill, SplitMagnitudeFill}) {
          Case c;
          c.op = op;
          c.channels = n;
          c.mask = mask;
          c.scale = 0.7f;
          c.lse = true;
          c.batch = n > 5000 ? 2 : 4;
          Check(c, fill);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

// Scales 0 (t = mask, NaN for infinite x), negative, huge (t overflows to inf: special
// rows) and tiny; -inf masks (causal and fully masked rows, with and without
// TWOPASS_FLAG_MASKED_ROW_ZERO), NaN and inf in x and in the mask, rows beyond the
// two-pass range; for every operation.
TEST_P(ScaleMaskNc, SpecialValuesAndMagnitudes) {
  for (Op op : {Op::kSoftmax, Op::kLogSoftmax, Op::kLogSumExp}) {
    if (op == Op::kLogSumExp && f16()) continue;
    for (uint32_t flags : {0u, TWOPASS_FLAG_MASKED_ROW_ZERO}) {
      if (op == Op::kLogSumExp && flags != 0) continue;
      for (size_t n : {size_t(5), size_t(9000)}) {
        for (float scale : {0.0f, -2.0f, 1.0e30f, 0.0883883f}) {
          for (Filler fill : {CausalFill, SpecialFill, HugeFill}) {
            Case c;
            c.op = op;
            c.channels = n;
            c.flags = flags;
            c.scale = scale;
            c.batch = 6;
            c.lse = true;
            Check(c, fill);
            if (HasFatalFailure()) return;
          }
        }
      }
    }
  }
}

// Strides with gaps, in place, the mask being the input itself, and pools: the results
// are bitwise the same for no pool, 2 and 3 threads (rows in tiles and split rows).
TEST_P(ScaleMaskNc, StridesInPlaceAndPools) {
  for (Op op : {Op::kSoftmax, Op::kLogSoftmax}) {
    for (size_t n : {size_t(17), size_t(4096), size_t(50001)}) {
      Case c;
      c.op = op;
      c.channels = n;
      c.batch = n > 5000 ? 2 : 5;
      c.input_stride = n + 9;
      c.output_stride = n + 4;
      c.mask_stride = n + 1;
      c.scale = 0.25f;
      std::vector<float> first, other;
      Check(c, CausalFill, &first);
      if (HasFatalFailure()) return;
      for (size_t threads : {size_t(2), size_t(3)}) {
        c.threads = threads;
        Check(c, CausalFill, &other);
        if (HasFatalFailure()) return;
        ASSERT_EQ(first.size(), other.size());
        for (size_t i = 0; i < first.size(); i++) {
          ASSERT_TRUE(SameBits(first[i], other[i])) << "threads " << threads << " at " << i;
        }
      }
      c.threads = 0;
      c.inplace = true;
      Check(c, UniformFill);
      if (HasFatalFailure()) return;
      c.inplace = false;
      c.mask_is_input = true;  // t = x * scale + x
      Check(c, UniformFill);
      if (HasFatalFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Isas, ScaleMaskNc, ::testing::ValuesIn([] {
      std::vector<std::pair<enum twopass_isa, bool>> all;
      for (int isa = 0; isa < TWOPASS_ISA_COUNT; isa++) {
        for (bool f16 : {false, true}) {
          all.emplace_back(static_cast<enum twopass_isa>(isa), f16);
        }
      }
      return all;
    }()),
    [](const ::testing::TestParamInfo<std::pair<enum twopass_isa, bool>>& info) {
      return std::string(twopass_isa_to_string(info.param.first)) +
             (info.param.second ? "_f16" : "_f32");
    });

// The binding's life cycle and bad input, on the active ISA.
class ScaleMaskBinding : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(twopass_status_success, twopass_initialize()); }
};

// Runs a set-up f32 softmax operator over x (rows of n) and returns y.
std::vector<float> RunOp(twopass_operator_t op, const std::vector<float>& x, size_t n) {
  std::vector<float> y(x.size(), 0.0f);
  EXPECT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
  EXPECT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
  (void)n;
  return y;
}

TEST_F(ScaleMaskBinding, SetupAndReshapeUnbindScaleOneIsPlain) {
  const size_t n = 64, batch = 2;
  std::vector<float> x(n * batch), mask(n, 0.0f);
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>(i % 13) - 6.0f;
  for (size_t i = 0; i < n; i += 2) mask[i] = -kInf;
  twopass_operator_t op;
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op, n, n, n, batch, nullptr));
  const std::vector<float> plain = RunOp(op, x, n);
  std::vector<float> y(x.size());
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
  ASSERT_EQ(twopass_status_success,
            twopass_setup_scale_mask(op, 1.0f, mask.data(), TWOPASS_MASK_STRIDE_BROADCAST));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
  for (size_t i = 0; i < n; i += 2) EXPECT_EQ(FloatBits(y[i]), 0u) << "masked entry " << i;
  // setup unbinds: the plain result again.
  EXPECT_EQ(0, memcmp(RunOp(op, x, n).data(), plain.data(), plain.size() * 4));
  // scale 1 without a mask is the plain operation.
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
  ASSERT_EQ(twopass_status_success, twopass_setup_scale_mask(op, 1.0f, nullptr, 0));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
  EXPECT_EQ(0, memcmp(y.data(), plain.data(), plain.size() * 4));
  // reshape unbinds (and unsets setup).
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
  ASSERT_EQ(twopass_status_success, twopass_setup_scale_mask(op, 2.0f, nullptr, 0));
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op, n, n, n, batch, nullptr));
  EXPECT_EQ(0, memcmp(RunOp(op, x, n).data(), plain.data(), plain.size() * 4));
  ASSERT_EQ(twopass_status_success, twopass_delete_operator(op));
}

TEST_F(ScaleMaskBinding, BadInput) {
  const size_t n = 16, batch = 3;
  std::vector<float> x(n * batch, 1.0f), y(n * batch), mask(n * batch, 0.0f), lse(batch);
  twopass_operator_t op;
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
  // Not reshaped / not set up.
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_scale_mask(op, 0.5f, nullptr, 0));
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op, n, n, n, batch, nullptr));
  EXPECT_EQ(twopass_status_invalid_state, twopass_setup_scale_mask(op, 0.5f, nullptr, 0));
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(nullptr, 0.5f, nullptr, 0));
  // Scale not finite.
  for (float scale : {kNaN, kInf, -kInf}) {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, scale, nullptr, 0));
  }
  // A mask without its stride, a stride without a mask, a short stride.
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, 0.5f, mask.data(), 0));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, 0.5f, nullptr, n));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_setup_scale_mask(op, 0.5f, mask.data(), n - 1));
  // Overflowing span, wrapping the address space.
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_setup_scale_mask(op, 0.5f, mask.data(), SIZE_MAX / 2));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_setup_scale_mask(op, 0.5f, reinterpret_cast<const void*>(UINTPTR_MAX - 8), n));
  // Overlapping the output (also when in place: the input is the output then).
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, 0.5f, y.data() + n, n));
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), x.data()));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_setup_scale_mask(op, 0.5f, x.data(), TWOPASS_MASK_STRIDE_BROADCAST));
  // Overlapping the lse output, in either order of the two bindings.
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
  ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_output(op, mask.data() + 2));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, 0.5f, mask.data(), n));
  ASSERT_EQ(twopass_status_success, twopass_setup_logsumexp_output(op, nullptr));
  ASSERT_EQ(twopass_status_success, twopass_setup_scale_mask(op, 0.5f, mask.data(), n));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_output(op, mask.data() + 2));
  // A refused call leaves the binding as it was: the run still uses scale 0.5 and the
  // mask (x = i % 5 and a mask with -inf entries: results differ from the plain ones).
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>(i % 5);
  for (size_t i = 0; i < mask.size(); i += 3) mask[i] = -kInf;
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
  const std::vector<float> bound = y;
  for (size_t i = 0; i < mask.size(); i += 3) EXPECT_EQ(bound[i], 0.0f) << i;
  std::fill(y.begin(), y.end(), -1.0f);
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, kNaN, nullptr, 0));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, 0.5f, y.data(), n));
  for (float v : y) EXPECT_EQ(v, -1.0f) << "a refused call wrote the output";
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
  EXPECT_EQ(0, memcmp(y.data(), bound.data(), y.size() * sizeof(float)));
  ASSERT_EQ(twopass_status_success, twopass_delete_operator(op));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_scale_mask(op, 0.5f, nullptr, 0));
}

}  // namespace
}  // namespace testing
}  // namespace twopass
