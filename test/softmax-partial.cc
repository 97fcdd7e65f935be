// Sharded rows (include/twopass.h, "Sharded rows: partial, merge, finish"), every ISA the
// CPU has, f32 and f16: rows cut into k shards (uneven, of one element, 2^20 + 3
// elements), partial on each shard, one merge, finish on each shard; the assembled rows
// checked
// - against the double-precision reference with the library's contract (softmax:
//   CheckSoftmaxRowF32 / CheckSoftmaxRowF16 of softmax-reference.h; log-softmax:
//   |y - r| <= 1e-6 * max(1, |r|) with the exact special values), and
// - against the single-process operator on the whole rows: bitwise for special rows
//   (NaN, +inf, only -inf); otherwise f32 softmax |y - y_op| <= 5e-7 * y_op + 1e-12 * max
//   (the pairs' float rounding of m, a few ULP), f16 within one half-ULP step, log-softmax
//   |y - y_op| <= 1e-6 * max(1, |y_op|).
// Plus the pair encoding of special rows, merge's rules and aliasing, bitwise identical
// results for any pool, and bad input (specific status, nothing written).
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
#include "twopass/memory.h"
#include "f16-test-util.h"
#include "softmax-operator-tester.h"  // kUntouchedBits, TWOPASS_SELECT_ISA
#include "softmax-reference.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

bool SameBits(float a, float b) { return FloatBits(a) == FloatBits(b); }

// Shard lengths summing to n: `weights` relative sizes, every shard at least 1 element.
std::vector<size_t> Cut(size_t n, const std::vector<size_t>& weights) {
  size_t total = 0;
  for (size_t w : weights) total += w;
  std::vector<size_t> sizes;
  size_t used = 0;
  for (size_t s = 0; s < weights.size(); s++) {
    const size_t left = weights.size() - s - 1;
    size_t size = s + 1 == weights.size() ? n - used : std::max<size_t>(1, n * weights[s] / total);
    size = std::min(size, n - used - left);
    sizes.push_back(size);
    used += size;
  }
  return sizes;
}

enum class Op { kSoftmax, kLogSoftmax };

struct Case {
  bool f16 = false;
  Op op = Op::kSoftmax;
  size_t batch = 1;
  size_t channels = 1;
  std::vector<size_t> sizes;  // shard lengths
  uint32_t flags = 0;
  size_t threads = 0;
};

// Runs partial, merge and finish over the shards of `rows` (batch x channels floats,
// exactly halves for f16) and returns the assembled outputs (as floats) in *y and the
// merged pairs in *merged. Each shard has its own input and output strides, whose gaps
// must stay untouched (input gaps are NaN: never read).
void RunShards(const Case& c, const std::vector<float>& rows, std::vector<float>* y,
               std::vector<twopass_softmax_partial>* merged) {
  pthreadpool_t pool = c.threads == 0 ? nullptr : pthreadpool_create(c.threads);
  const size_t k = c.sizes.size();
  std::vector<std::vector<float>> x32(k), y32(k);
  std::vector<std::vector<uint16_t>> x16(k), y16(k);
  std::vector<std::vector<twopass_softmax_partial>> pairs(k);
  std::vector<const twopass_softmax_partial*> pointers(k);
  size_t begin = 0;
  std::vector<size_t> begins;
  for (size_t s = 0; s < k; s++) {
    const size_t n = c.sizes[s];
    const size_t in_stride = n + 2;
    begins.push_back(begin);
    if (c.f16) {
      x16[s].assign(c.batch * in_stride, 0x7E00);
    } else {
      x32[s].assign(c.batch * in_stride, kNaN);
    }
    for (size_t b = 0; b < c.batch; b++) {
      for (size_t i = 0; i < n; i++) {
        const float v = rows[b * c.channels + begin + i];
        if (c.f16) {
          x16[s][b * in_stride + i] = FloatToHalf(v);
        } else {
          x32[s][b * in_stride + i] = v;
        }
      }
    }
    pairs[s].assign(c.batch, twopass_softmax_partial{-1.0f, -1.0f});
    const enum twopass_status status =
        c.f16 ? twopass_run_softmax_partial_nc_f16(n, in_stride, c.batch, x16[s].data(),
                                                   pairs[s].data(), 0, pool)
              : twopass_run_softmax_partial_nc_f32(n, in_stride, c.batch, x32[s].data(),
                                                   pairs[s].data(), 0, pool);
    ASSERT_EQ(twopass_status_success, status) << "partial of shard " << s;
    pointers[s] = pairs[s].data();
    begin += n;
  }
  ASSERT_EQ(c.channels, begin);
  merged->assign(c.batch, twopass_softmax_partial{-1.0f, -1.0f});
  ASSERT_EQ(twopass_status_success,
            twopass_merge_softmax_partials(k, pointers.data(), c.batch, merged->data()));
  y->assign(c.batch * c.channels, 0.0f);
  for (size_t s = 0; s < k; s++) {
    const size_t n = c.sizes[s];
    const size_t in_stride = n + 2, out_stride = n + 1;
    enum twopass_status status;
    if (c.f16) {
      y16[s].assign(c.batch * out_stride, kHalfUntouched);
      status =
          c.op == Op::kSoftmax
              ? twopass_run_softmax_finish_nc_f16(n, in_stride, out_stride, c.batch, x16[s].data(),
                                                  merged->data(), y16[s].data(), c.flags, pool)
              : twopass_run_log_softmax_finish_nc_f16(n, in_stride, out_stride, c.batch,
                                                      x16[s].data(), merged->data(), y16[s].data(),
                                                      c.flags, pool);
    } else {
      y32[s].assign(c.batch * out_stride, BitsToFloat(kUntouchedBits));
      status =
          c.op == Op::kSoftmax
              ? twopass_run_softmax_finish_nc_f32(n, in_stride, out_stride, c.batch, x32[s].data(),
                                                  merged->data(), y32[s].data(), c.flags, pool)
              : twopass_run_log_softmax_finish_nc_f32(n, in_stride, out_stride, c.batch,
                                                      x32[s].data(), merged->data(), y32[s].data(),
                                                      c.flags, pool);
    }
    ASSERT_EQ(twopass_status_success, status) << "finish of shard " << s;
    for (size_t b = 0; b < c.batch; b++) {
      for (size_t i = 0; i < n; i++) {
        (*y)[b * c.channels + begins[s] + i] =
            c.f16 ? HalfToFloat(y16[s][b * out_stride + i]) : y32[s][b * out_stride + i];
      }
      if (b + 1 < c.batch) {
        if (c.f16) {
          ASSERT_EQ(kHalfUntouched, y16[s][b * out_stride + n]) << "gap written, shard " << s;
        } else {
          ASSERT_EQ(kUntouchedBits, FloatBits(y32[s][b * out_stride + n]))
              << "gap written, shard " << s;
        }
      }
    }
  }
  if (pool != nullptr) pthreadpool_destroy(pool);
}

// The single-process operator on the whole rows.
void RunWhole(const Case& c, const std::vector<float>& rows, std::vector<float>* y) {
  const size_t n = c.channels;
  y->assign(c.batch * n, 0.0f);
  if (c.f16) {
    std::vector<uint16_t> x16(rows.size()), y16(rows.size());
    for (size_t i = 0; i < rows.size(); i++) x16[i] = FloatToHalf(rows[i]);
    const enum twopass_status status =
        c.op == Op::kSoftmax
            ? twopass_run_softmax_nc_f16(n, n, n, c.batch, x16.data(), y16.data(), c.flags, nullptr)
            : twopass_run_log_softmax_nc_f16(n, n, n, c.batch, x16.data(), y16.data(), c.flags,
                                             nullptr);
    ASSERT_EQ(twopass_status_success, status);
    for (size_t i = 0; i < rows.size(); i++) (*y)[i] = HalfToFloat(y16[i]);
  } else {
    const enum twopass_status status =
        c.op == Op::kSoftmax
            ? twopass_run_softmax_nc_f32(n, n, n, c.batch, rows.data(), y->data(), c.flags, nullptr)
            : twopass_run_log_softmax_nc_f32(n, n, n, c.batch, rows.data(), y->data(), c.flags,
                                             nullptr);
    ASSERT_EQ(twopass_status_success, status);
  }
}

// Reference log-softmax in double with its special values (NaN entries: must be NaN).
void ReferenceLogSoftmax(const float* x, size_t n, bool masked, std::vector<double>* r) {
  std::vector<double> p;
  ReferenceSoftmax(x, n, masked, &p);
  r->assign(n, 0.0);
  bool nan = false, special = false;
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    nan |= std::isnan(x[i]);
    special |= x[i] == kInf;
    max = std::max(max, static_cast<double>(x[i]));
  }
  special |= max == -INFINITY;
  if (nan || special) {  // the softmax's exact values, as logs
    for (size_t i = 0; i < n; i++) (*r)[i] = std::isnan(p[i]) ? NAN : log(p[i]);
    if (!nan && max == -INFINITY && masked) std::fill(r->begin(), r->end(), -INFINITY);
    return;
  }
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp(static_cast<double>(x[i]) - max);
  const double lse = max + log(sum);
  for (size_t i = 0; i < n; i++) (*r)[i] = static_cast<double>(x[i]) - lse;
}

bool SpecialRow(const float* x, size_t n) {
  bool nan = false, inf = false, all_ninf = true;
  for (size_t i = 0; i < n; i++) {
    nan |= std::isnan(x[i]);
    inf |= x[i] == kInf;
    all_ninf &= x[i] == -kInf;
  }
  return nan || inf || all_ninf;
}

// Checks the sharded result `y` of `rows` against the reference and the operator.
void Check(const Case& c, const std::vector<float>& rows, const std::vector<float>& y,
           const std::vector<float>& whole, const std::string& what) {
  const size_t n = c.channels;
  const bool masked = (c.flags & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0;
  std::vector<double> r;
  for (size_t b = 0; b < c.batch; b++) {
    const float* x = rows.data() + b * n;
    const float* yr = y.data() + b * n;
    const float* wr = whole.data() + b * n;
    SCOPED_TRACE(what +
                 Format(", row %zu of %zu x %zu, %zu shard(s)", b, c.batch, n, c.sizes.size()));
    const bool special = SpecialRow(x, n);
    if (c.op == Op::kSoftmax && !c.f16) {
      const std::string error = CheckSoftmaxRowF32(x, yr, n, masked, &r);
      ASSERT_EQ("", error) << "against double";
    } else if (c.op == Op::kSoftmax) {
      std::vector<uint16_t> x16(n), y16(n);
      for (size_t i = 0; i < n; i++) {
        x16[i] = FloatToHalf(x[i]);
        y16[i] = FloatToHalf(yr[i]);
      }
      double max_error = 0.0;
      const std::string error = CheckSoftmaxRowF16(x16.data(), y16.data(), n, masked, &max_error);
      ASSERT_EQ("", error) << "against double";
    } else {
      ReferenceLogSoftmax(x, n, masked, &r);
      for (size_t i = 0; i < n; i++) {
        // Exact values (f16: rounded to half); f16 results below -65520 round to -inf.
        float exact = static_cast<float>(r[i]);
        if (c.f16) exact = HalfToFloat(FloatToHalf(exact));
        if (std::isnan(r[i]) || std::isinf(exact) || special) {
          ASSERT_TRUE(std::isnan(r[i]) ? std::isnan(yr[i]) : exact == yr[i])
              << "element " << i << ": got " << yr[i] << ", expected " << r[i];
          continue;
        }
        // f16: one half-ULP of the result plus the f32 bound.
        const double bound = 1e-6 * std::max(1.0, fabs(r[i])) + (c.f16 ? HalfUlp(fabs(r[i])) : 0.0);
        ASSERT_LE(fabs(yr[i] - r[i]), bound) << "element " << i << " against double";
      }
    }
    // Against the single-process operator.
    for (size_t i = 0; i < n; i++) {
      if (special || std::isnan(wr[i]) || std::isinf(wr[i])) {  // -inf inputs, ...
        ASSERT_TRUE(SameBits(yr[i], wr[i]) || (std::isnan(yr[i]) && std::isnan(wr[i])))
            << "special row, element " << i << ": " << yr[i] << " vs operator " << wr[i];
        continue;
      }
      if (c.op == Op::kLogSoftmax) {
        ASSERT_LE(fabs(yr[i] - wr[i]),
                  1e-6 * std::max(1.0f, fabsf(wr[i])) + (c.f16 ? HalfUlp(fabs(wr[i])) : 0.0))
            << "element " << i << " against the operator";
      } else if (c.f16) {
        const int step =
            abs(static_cast<int>(FloatToHalf(yr[i])) - static_cast<int>(FloatToHalf(wr[i])));
        ASSERT_LE(step, 1) << "element " << i << ": " << yr[i] << " vs operator " << wr[i];
      } else {
        ASSERT_LE(fabs(yr[i] - wr[i]), 5e-7 * wr[i] + 1e-12)
            << "element " << i << ": " << yr[i] << " vs operator " << wr[i];
      }
    }
  }
}

using RowFiller = std::function<void(size_t row, float* x, size_t n, std::mt19937& rng)>;

RowFiller Uniform(float lo, float hi) {
  return [lo, hi](size_t, float* x, size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> dist(lo, hi);
    for (size_t i = 0; i < n; i++) x[i] = dist(rng);
  };
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

class SoftmaxPartial : public ::testing::TestWithParam<IsaType> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam().first); }
  bool f16() const { return GetParam().second; }

  // Rows from `filler` (rounded to halves for f16), sharded by `weights`, for both
  // operations; returns the softmax result of the last run in *result.
  void Run(size_t batch, size_t channels, const std::vector<size_t>& weights,
           const RowFiller& filler, const std::string& what, uint32_t flags = 0, size_t threads = 0,
           std::vector<float>* result = nullptr) {
    std::mt19937 rng(TestSeed());
    std::vector<float> rows(batch * channels);
    for (size_t b = 0; b < batch; b++) {
      float* row = rows.data() + b * channels;
      filler(b, row, channels, rng);
      if (f16()) {
        for (size_t i = 0; i < channels; i++) row[i] = HalfToFloat(FloatToHalf(row[i]));
      }
    }
    for (Op op : {Op::kSoftmax, Op::kLogSoftmax}) {
      Case c;
      c.f16 = f16();
      c.op = op;
      c.batch = batch;
      c.channels = channels;
      c.sizes = Cut(channels, weights);
      c.flags = flags;
      c.threads = threads;
      std::vector<float> y, whole;
      std::vector<twopass_softmax_partial> merged;
      RunShards(c, rows, &y, &merged);
      if (HasFatalFailure()) return;
      RunWhole(c, rows, &whole);
      if (HasFatalFailure()) return;
      const std::string name = std::string(twopass_isa_to_string(GetParam().first)) +
                               (f16() ? "/f16 " : "/f32 ") +
                               (op == Op::kSoftmax ? "softmax " : "log-softmax ") + what;
      Check(c, rows, y, whole, name);
      if (HasFatalFailure()) return;
      if (op == Op::kSoftmax && result != nullptr) *result = y;
    }
  }
};

TEST_P(SoftmaxPartial, UnevenShards) {
  for (size_t channels : {size_t(2), size_t(100), size_t(4097), size_t(10007)}) {
    for (const std::vector<size_t>& weights :
         {std::vector<size_t>{1}, {1, 1}, {1, 5000, 3}, {3, 1, 1, 7, 2, 1, 9}}) {
      if (weights.size() > channels) continue;
      Run(3, channels, weights, Uniform(-10.0f, 10.0f),
          Format("uniform [-10, 10], %zu weights", weights.size()));
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(SoftmaxPartial, LongRowFourShards) {
  // 2^20 + 3 elements over 4 uneven shards, split over a pool (split rows).
  const size_t n = (size_t(1) << 20) + 3;
  Run(1, n, {5, 1, 3, 7}, Uniform(-20.0f, 20.0f), "2^20 + 3 elements", 0, 3);
}

TEST_P(SoftmaxPartial, ShardsOfOneElement) {
  Run(2, 37, std::vector<size_t>(37, 1), Uniform(-5.0f, 5.0f), "37 shards of 1");
}

TEST_P(SoftmaxPartial, EqualValues) {
  for (float v : {0.0f, 3.5f, -80.0f, 100.0f}) {
    Run(
        2, 9001, {2, 1, 1},
        [v](size_t, float* x, size_t n, std::mt19937&) { std::fill(x, x + n, v); },
        Format("all %g", v));
    if (HasFatalFailure()) return;
  }
}

TEST_P(SoftmaxPartial, WideRange) {
  Run(4, 5000, {1, 2, 3}, Uniform(-1.0e4f, 1.0e4f), "uniform [-1e4, 1e4]");
}

// Shards and rows beyond the two-pass range (about +-1e4): summed by the three-pass
// reductions in partial, finished by the three-pass last kernel.
TEST_P(SoftmaxPartial, ExtremeMagnitudes) {
  const float big = f16() ? 4.0e4f : 1.0e6f;
  const float hot = f16() ? 2.0e4f : 2.0e4f;
  Run(
      6, 6000, {1, 1, 1},
      [big, hot](size_t row, float* x, size_t n, std::mt19937& rng) {
        std::uniform_real_distribution<float> dist(0.0f, 20.0f);
        for (size_t i = 0; i < n; i++) {
          const size_t shard = i * 3 / n;
          float base = 0.0f;
          switch (row) {
            case 0:
              base = big;
              break;  // every shard huge
            case 1:
              base = -big;
              break;  // every shard tiny
            case 2:
              base = shard == 1 ? big : 0.0f;
              break;  // one huge shard
            case 3:
              base = shard == 0 ? hot : -hot;
              break;  // beyond range, both sides
            case 4:
              base = shard == 2 ? -big : 10.0f;
              break;  // one tiny shard
            default:
              base = shard == 0 ? hot : hot - 30.0f;  // near each other, beyond range
          }
          x[i] = base + dist(rng);
        }
      },
      "extreme magnitudes");
}

// Special values in one shard only, in several, and everywhere.
TEST_P(SoftmaxPartial, SpecialValues) {
  for (uint32_t flags : {0u, static_cast<uint32_t>(TWOPASS_FLAG_MASKED_ROW_ZERO)}) {
    Run(
        9, 300, {1, 1, 1},
        [](size_t row, float* x, size_t n, std::mt19937& rng) {
          std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
          for (size_t i = 0; i < n; i++) x[i] = dist(rng);
          switch (row) {
            case 0:
              x[150] = kNaN;
              break;  // NaN, middle shard
            case 1:
              x[299] = kInf;
              break;  // one +inf, last shard
            case 2:
              x[0] = kInf;
              x[5] = kInf;
              break;  // two +inf, one shard
            case 3:
              x[3] = kInf;
              x[200] = kInf;
              x[250] = kInf;
              break;  // +inf in two shards
            case 4:
              std::fill(x, x + 100, -kInf);
              break;  // -inf-only shard
            case 5:
              std::fill(x, x + n, -kInf);
              break;  // only -inf
            case 6:
              x[7] = -kInf;
              x[150] = -kInf;
              break;  // -inf entries
            case 7:
              x[10] = kInf;
              x[120] = kNaN;
              break;  // +inf and NaN
            default:
              std::fill(x + 100, x + n, -kInf);
              x[0] = kInf;
              break;  // +inf, rest -inf
          }
        },
        "special values", flags);
    if (HasFatalFailure()) return;
  }
}

TEST_P(SoftmaxPartial, ThreadsGiveIdenticalBits) {
  for (size_t channels : {size_t(300), size_t(20000)}) {
    std::vector<float> first;
    for (size_t threads : {size_t(0), size_t(2), size_t(3)}) {
      std::vector<float> y;
      Run(channels > 1000 ? 2 : 40, channels, {2, 1, 4}, Uniform(-30.0f, 30.0f),
          Format("%zu threads", threads), 0, threads, &y);
      if (HasFatalFailure()) return;
      if (first.empty()) {
        first = y;
      } else {
        ASSERT_EQ(0, memcmp(first.data(), y.data(), y.size() * sizeof(float)))
            << threads << " threads, " << channels << " channels";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, SoftmaxPartial, ::testing::ValuesIn(AllIsaTypes()),
                         [](const ::testing::TestParamInfo<IsaType>& info) {
                           return std::string(twopass_isa_to_string(info.param.first)) +
                                  (info.param.second ? "_f16" : "_f32");
                         });

// The pairs of partial: m in [0.5, 1) with m * 2^e the shard's sum for ordinary rows,
// and the documented encoding of special rows.
class SoftmaxPartialPairs : public ::testing::TestWithParam<enum twopass_isa> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam()); }
};

TEST_P(SoftmaxPartialPairs, Encoding) {
  for (size_t n : {size_t(1), size_t(64), size_t(5000)}) {
    SCOPED_TRACE(Format("%s, %zu elements", twopass_isa_to_string(GetParam()), n));
    constexpr size_t kRows = 7;
    std::vector<float> x(kRows * n);
    std::mt19937 rng(TestSeed());
    std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
    for (float& v : x) v = dist(rng);
    x[1 * n + n / 2] = kNaN;
    x[2 * n + n - 1] = kInf;
    if (n > 1) x[2 * n] = kInf;
    std::fill(x.begin() + 3 * n, x.begin() + 4 * n, -kInf);
    for (size_t i = 0; i < n; i++) x[4 * n + i] = 1.0e5f + dist(rng);   // beyond range
    for (size_t i = 0; i < n; i++) x[5 * n + i] = -1.0e6f + dist(rng);  // beyond range
    x[6 * n] = -kInf;                                                   // -inf entry
    std::vector<twopass_softmax_partial> p(kRows);
    ASSERT_EQ(twopass_status_success,
              twopass_run_softmax_partial_nc_f32(n, n, kRows, x.data(), p.data(), 0, nullptr));
    EXPECT_TRUE(std::isnan(p[1].m) && std::isnan(p[1].e));
    EXPECT_EQ(kInf, p[2].m);
    EXPECT_EQ(n > 1 ? 2.0f : 1.0f, p[2].e);
    EXPECT_EQ(0.0f, p[3].m);
    EXPECT_EQ(-kInf, p[3].e);
    for (size_t b : {size_t(0), size_t(4), size_t(5), size_t(6)}) {
      if (b == 6 && n == 1) continue;  // the row is its one -inf
      const float* row = x.data() + b * n;
      double max = -INFINITY;
      for (size_t i = 0; i < n; i++) max = std::max(max, static_cast<double>(row[i]));
      double sum = 0.0;
      for (size_t i = 0; i < n; i++) sum += exp(static_cast<double>(row[i]) - max);
      const double lse = max + log(sum);
      EXPECT_TRUE(p[b].m >= 0.5f && p[b].m < 1.0f) << "row " << b << " m " << p[b].m;
      EXPECT_EQ(p[b].e, nearbyintf(p[b].e)) << "row " << b;
      const double pair_lse = log(static_cast<double>(p[b].m)) + p[b].e * M_LN2;
      EXPECT_LE(fabs(pair_lse - lse), 1e-6 * std::max(1.0, fabs(lse))) << "row " << b;
    }
  }
}

// Merge alone: identity for one array, in-place, the special-value rules, and a merge
// of two partials equal to the partial of the concatenation within the pair's rounding.
TEST_P(SoftmaxPartialPairs, MergeRules) {
  const twopass_softmax_partial kNan{kNaN, kNaN}, kEmpty{0.0f, -kInf};
  const twopass_softmax_partial a[] = {{0.75f, 3.0f}, {0.5f, 1.0f}, kEmpty,         {kInf, 2.0f},
                                       {0.75f, 3.0f}, kEmpty,       {0.5f, -200.0f}};
  const twopass_softmax_partial b[] = {{0.5f, 4.0f}, kNan,   {kInf, 1.0f},  {kInf, 3.0f},
                                       kEmpty,       kEmpty, {0.5f, 100.0f}};
  constexpr size_t kRows = sizeof(a) / sizeof(a[0]);
  std::vector<twopass_softmax_partial> out(kRows);
  const twopass_softmax_partial* one[] = {a};
  ASSERT_EQ(twopass_status_success, twopass_merge_softmax_partials(1, one, kRows, out.data()));
  for (size_t r = 0; r < kRows; r++) {
    EXPECT_TRUE(SameBits(a[r].m, out[r].m) && SameBits(a[r].e, out[r].e) ||
                (std::isnan(a[r].m) && std::isnan(out[r].m)))
        << "identity, row " << r;
  }
  const twopass_softmax_partial* two[] = {a, b};
  ASSERT_EQ(twopass_status_success, twopass_merge_softmax_partials(2, two, kRows, out.data()));
  // 0.75 * 8 + 0.5 * 16 = 14 = 0.875 * 2^4.
  EXPECT_EQ(0.875f, out[0].m);
  EXPECT_EQ(4.0f, out[0].e);
  EXPECT_TRUE(std::isnan(out[1].m) && std::isnan(out[1].e));
  EXPECT_EQ(kInf, out[2].m);
  EXPECT_EQ(1.0f, out[2].e);
  EXPECT_EQ(kInf, out[3].m);
  EXPECT_EQ(5.0f, out[3].e);  // 2 + 3 entries of +inf
  EXPECT_EQ(0.75f, out[4].m);
  EXPECT_EQ(3.0f, out[4].e);
  EXPECT_EQ(0.0f, out[5].m);
  EXPECT_EQ(-kInf, out[5].e);
  EXPECT_EQ(0.5f, out[6].m);  // 2^-201 is far below 2^99 * 2^-53
  EXPECT_EQ(100.0f, out[6].e);
  // In place: merged is the first input.
  std::vector<twopass_softmax_partial> in_place(a, a + kRows);
  const twopass_softmax_partial* aliased[] = {in_place.data(), b};
  ASSERT_EQ(twopass_status_success,
            twopass_merge_softmax_partials(2, aliased, kRows, in_place.data()));
  EXPECT_EQ(0, memcmp(in_place.data(), out.data(), sizeof(out[0]) * kRows));

  // Two shards of a row merged against the partial of the whole row.
  const size_t n = 10000;
  std::vector<float> x(n);
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> dist(-50.0f, 50.0f);
  for (float& v : x) v = dist(rng);
  twopass_softmax_partial whole, left, right, merged;
  ASSERT_EQ(twopass_status_success,
            twopass_run_softmax_partial_nc_f32(n, n, 1, x.data(), &whole, 0, nullptr));
  ASSERT_EQ(twopass_status_success,
            twopass_run_softmax_partial_nc_f32(3333, 3333, 1, x.data(), &left, 0, nullptr));
  ASSERT_EQ(twopass_status_success,
            twopass_run_softmax_partial_nc_f32(n - 3333, n - 3333, 1, x.data() + 3333, &right, 0,
                                               nullptr));
  const twopass_softmax_partial* halves[] = {&left, &right};
  ASSERT_EQ(twopass_status_success, twopass_merge_softmax_partials(2, halves, 1, &merged));
  EXPECT_EQ(whole.e, merged.e);
  EXPECT_LE(fabs(static_cast<double>(whole.m) - merged.m), 4e-7 * whole.m);
}

INSTANTIATE_TEST_SUITE_P(Isas, SoftmaxPartialPairs,
                         // (Values, not Range: its end, TWOPASS_ISA_COUNT, is no valid
                         // enum value, which UBSan rejects.)
                         ::testing::Values(twopass_isa_scalar, twopass_isa_sse2, twopass_isa_avx2,
                                           twopass_isa_avx512f),
                         [](const ::testing::TestParamInfo<enum twopass_isa>& info) {
                           return std::string(twopass_isa_to_string(info.param));
                         });

// Bad input: each call fails with its specific status and writes nothing.
TEST(SoftmaxPartialBadInput, PartialAndFinish) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  float x[40];
  for (size_t i = 0; i < 40; i++) x[i] = static_cast<float>(i);
  const twopass_softmax_partial kSentinel{-7.0f, -7.0f};
  twopass_softmax_partial p[4] = {kSentinel, kSentinel, kSentinel, kSentinel};
  const auto untouched = [&] {
    for (const auto& v : p) {
      if (v.m != kSentinel.m || v.e != kSentinel.e) return false;
    }
    return true;
  };
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_partial_nc_f32(5, 5, 4, nullptr, p, 0, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_partial_nc_f32(5, 5, 4, x, nullptr, 0, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_partial_nc_f32(0, 5, 4, x, p, 0, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_partial_nc_f32(5, 4, 4, x, p, 0, nullptr));
  EXPECT_EQ(
      twopass_status_unsupported_parameter,
      twopass_run_softmax_partial_nc_f32(5, 5, 4, x, p, TWOPASS_FLAG_MASKED_ROW_ZERO, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_partial_nc_f32(SIZE_MAX / 2, SIZE_MAX / 2, 4, x, p, 0, nullptr));
  EXPECT_TRUE(untouched());
  // The pairs over the input: written into what is being read.
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_partial_nc_f32(
                5, 5, 4, x, reinterpret_cast<twopass_softmax_partial*>(x + 10), 0, nullptr));
  for (size_t i = 0; i < 40; i++) ASSERT_EQ(static_cast<float>(i), x[i]);

  // finish: merged pairs of 4 rows of 5, output of 4 rows of 5.
  const twopass_softmax_partial merged[4] = {
      {0.5f, 6.0f}, {0.5f, 6.0f}, {0.5f, 6.0f}, {0.5f, 6.0f}};
  float y[40];
  std::fill(y, y + 40, 123.0f);
  const auto y_untouched = [&] {
    return std::all_of(y, y + 40, [](float v) { return v == 123.0f; });
  };
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_finish_nc_f32(5, 5, 5, 4, x, nullptr, y, 0, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_finish_nc_f32(5, 5, 5, 4, x, merged, nullptr, 0, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_finish_nc_f32(5, 5, 4, 4, x, merged, y, 0, nullptr));
  EXPECT_EQ(twopass_status_unsupported_parameter,
            twopass_run_softmax_finish_nc_f32(5, 5, 5, 4, x, merged, y,
                                              TWOPASS_FLAG_ALGORITHM_TWO_PASS, nullptr));
  // Merged pairs under the output.
  EXPECT_EQ(
      twopass_status_invalid_parameter,
      twopass_run_log_softmax_finish_nc_f32(
          5, 5, 5, 4, x, reinterpret_cast<const twopass_softmax_partial*>(y + 4), y, 0, nullptr));
  // Input and output overlapping, not in place.
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_finish_nc_f32(5, 5, 5, 4, y, merged, y + 1, 0, nullptr));
  EXPECT_TRUE(y_untouched());
  // f16 the same way.
  uint16_t h[40] = {};
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_finish_nc_f16(5, 5, 5, 4, h, merged, h + 1, 0, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_run_softmax_partial_nc_f16(5, 5, 4, nullptr, p, 0, nullptr));
  EXPECT_TRUE(untouched());
  // In place is fine, and zero rows do nothing.
  std::copy(x, x + 20, y);
  EXPECT_EQ(twopass_status_success,
            twopass_run_softmax_finish_nc_f32(5, 5, 5, 4, y, merged, y, 0, nullptr));
  EXPECT_EQ(twopass_status_success, twopass_run_softmax_partial_nc_f32(5, 5, 0, x, p, 0, nullptr));
  EXPECT_TRUE(untouched());
}

TEST(SoftmaxPartialBadInput, Merge) {
  const twopass_softmax_partial a[3] = {{0.5f, 1.0f}, {0.5f, 2.0f}, {0.5f, 3.0f}};
  twopass_softmax_partial out[4] = {{-7.0f, -7.0f}, {-7.0f, -7.0f}, {-7.0f, -7.0f}, {-7.0f, -7.0f}};
  const auto untouched = [&] {
    for (const auto& v : out) {
      if (v.m != -7.0f || v.e != -7.0f) return false;
    }
    return true;
  };
  const twopass_softmax_partial* ok[] = {a, a};
  const twopass_softmax_partial* with_null[] = {a, nullptr};
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_merge_softmax_partials(2, nullptr, 3, out));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_merge_softmax_partials(2, ok, 3, nullptr));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_merge_softmax_partials(0, ok, 3, out));
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_merge_softmax_partials(2, with_null, 3, out));
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_merge_softmax_partials(2, ok, SIZE_MAX / 4, out));
  // An input array shifted by one pair over the output.
  const twopass_softmax_partial* shifted[] = {a, out + 1};
  EXPECT_EQ(twopass_status_invalid_parameter, twopass_merge_softmax_partials(2, shifted, 3, out));
  EXPECT_TRUE(untouched());
  // Zero rows: nothing to do, nothing written.
  EXPECT_EQ(twopass_status_success, twopass_merge_softmax_partials(2, ok, 0, out));
  EXPECT_TRUE(untouched());
}

// Allocation failure: partial and finish allocate their scratch for rows of several
// chunks only; when that fails they return out_of_memory and write nothing.
TEST(SoftmaxPartialBadInput, AllocationFailure) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  const size_t n = 3 * 4096 + 77, batch = 2;
  std::vector<float> x(batch * n, 1.0f), y(batch * n, 123.0f);
  std::vector<twopass_softmax_partial> p(batch, twopass_softmax_partial{-7.0f, -7.0f});
  const std::vector<twopass_softmax_partial> merged(batch, twopass_softmax_partial{0.5f, 15.0f});
  for (size_t k : {size_t(1), size_t(2)}) {
    twopass_internal_fail_allocation(k);
    EXPECT_EQ(twopass_status_out_of_memory,
              twopass_run_softmax_partial_nc_f32(n, n, batch, x.data(), p.data(), 0, nullptr));
    EXPECT_GE(twopass_internal_fail_allocation(k), k) << "allocation " << k << " of partial";
    EXPECT_EQ(twopass_status_out_of_memory,
              twopass_run_softmax_finish_nc_f32(n, n, n, batch, x.data(), merged.data(), y.data(),
                                                0, nullptr));
    EXPECT_GE(twopass_internal_fail_allocation(0), k) << "allocation " << k << " of finish";
  }
  EXPECT_TRUE(std::all_of(p.begin(), p.end(), [](const twopass_softmax_partial& v) {
    return v.m == -7.0f && v.e == -7.0f;
  }));
  EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](float v) { return v == 123.0f; }));
  // Rows of one chunk allocate nothing.
  twopass_internal_fail_allocation(1);
  EXPECT_EQ(twopass_status_success,
            twopass_run_softmax_partial_nc_f32(4096, n, batch, x.data(), p.data(), 0, nullptr));
  EXPECT_EQ(0u, twopass_internal_fail_allocation(0));
}

}  // namespace
}  // namespace testing
}  // namespace twopass
