// Differential fuzzer for the f32 operators: arbitrary float bit patterns (NaN payloads,
// denormals, infinities, +-FLT_MAX) in rows of 1..70000 elements, every ISA of this CPU
// x every algorithm of softmax_nc_f32, log_softmax_nc_f32 and logsumexp_nc_f32 (and the
// log-sum-exp output of the first two), against the double-precision references of the
// contract and against each other. Input layout: test/fuzz/diff-fuzzer.h.
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include "diff-fuzzer.h"
#include "fuzz-util.h"
#include "test/softmax-reference.h"
#include "twopass.h"

namespace twopass {
namespace fuzz {
namespace {

struct F32 {
  using Element = float;
  static constexpr const char* kName = "f32";
  static constexpr size_t kValueBytes = 4;
  static constexpr size_t kMisalignUnit = 4;

  // A NaN no arithmetic produces: gap elements and the untouched output.
  static float Untouched() { return BitsToFloat(0x7FA5A5A5u); }
  static bool Same(float a, float b) { return FloatBits(a) == FloatBits(b); }
  static float Decode(const uint8_t* bytes) {
    float value;
    memcpy(&value, bytes, sizeof(value));
    return value;
  }

  // Value ranges of the filler: moderate, the contract's [-1e4, 1e4], all negative,
  // huge magnitude (the three-pass fallback), denormals, near exp's overflow, the whole
  // finite range, tiny differences around 1.
  static void Range(int index, double* lo, double* hi) {
    static const double kRanges[8][2] = {
        {-10.0, 10.0},        {-1e4, 1e4},         {-100.0, -90.0},  {1e6, 1e6 + 100.0},
        {-1e-39, 1e-39},      {80.0, 100.0},       {-FLT_MAX, FLT_MAX}, {1.0, 1.0001},
    };
    *lo = kRanges[index][0];
    *hi = kRanges[index][1];
  }

  // Fills one row: mode 0 uniform in the range; 1 one value; 2 the explicit values
  // repeated; 3 arbitrary bit patterns; 4 uniform with every 3rd element -inf; 5 all
  // -inf but a few; 6 a ramp over the range; 7 uniform with +-inf and NaN sprinkled
  // rarely (one in 4096).
  static void Fill(int mode, int range, Random* random, float* x, size_t n,
                   const uint8_t* values, size_t value_count) {
    double lo, hi;
    Range(range, &lo, &hi);
    auto uniform = [&] {
      return static_cast<float>(lo + (hi - lo) * static_cast<double>(random->Next() >> 11) *
                                         0x1p-53);
    };
    if (mode == 2 && value_count == 0) mode = 0;
    const float constant = uniform();
    for (size_t i = 0; i < n; i++) {
      switch (mode) {
        case 0:
          x[i] = uniform();
          break;
        case 1:
          x[i] = constant;
          break;
        case 2:
          x[i] = Decode(values + (i % value_count) * kValueBytes);
          break;
        case 3:
          x[i] = BitsToFloat(static_cast<uint32_t>(random->Next() >> 32));
          break;
        case 4:
          x[i] = i % 3 == 2 ? -INFINITY : uniform();
          break;
        case 5:
          x[i] = random->Next() % 64 == 0 ? uniform() : -INFINITY;
          break;
        case 6:
          x[i] = static_cast<float>(lo + (hi - lo) * static_cast<double>(i) /
                                             static_cast<double>(n));
          break;
        default: {
          const uint64_t r = random->Next();
          x[i] = (r & 4095) == 0 ? ((r >> 12) % 3 == 0   ? INFINITY
                                    : (r >> 12) % 3 == 1 ? -INFINITY
                                                         : NAN)
                                 : uniform();
          break;
        }
      }
    }
  }

  // x: the row (or t, with scale and mask).
  static std::string Check(const float* x, const float* y, size_t n, bool /*masked*/,
                           const std::vector<double>& r) {
    return testing::CheckSoftmaxRowF32(x, y, n, r);
  }

  // Each run is within 1e-6 * max r of the reference (checked before), so two runs
  // are within 2e-6 * max r of each other; NaNs and exact values must agree.
  static std::string Cross(const float* a, const float* b, size_t n,
                           const std::vector<double>& r) {
    double max_r = 0.0;
    for (size_t i = 0; i < n; i++) {
      if (!std::isnan(r[i])) max_r = std::max(max_r, r[i]);
    }
    for (size_t i = 0; i < n; i++) {
      if (std::isnan(a[i]) != std::isnan(b[i])) {
        return testing::Format("element %zu: %.9g vs %.9g", i, a[i], b[i]);
      }
      if (std::isnan(a[i])) continue;
      if (fabs(static_cast<double>(a[i]) - b[i]) > 2e-6 * max_r) {
        return testing::Format("element %zu: %.9g vs %.9g (max r %.9g)", i, a[i], b[i], max_r);
      }
    }
    return std::string();
  }

  static constexpr bool kF16 = false;
  // The logsumexp operator exists for f32 only (f16 operators have the lse output).
  static constexpr bool kHasLogSumExp = true;
  static float ToFloat(float f) { return f; }
  static float FromFloat(float f) { return f; }
  static double ToDouble(float f) { return f; }

  // Softmax or log-softmax (Kind::kLogSumExp is called by diff-fuzzer.h itself).
  static enum twopass_status Create(Kind kind, uint32_t flags, twopass_operator_t* op) {
    return kind == Kind::kSoftmax ? twopass_create_softmax_nc_f32(flags, op)
                                  : twopass_create_log_softmax_nc_f32(flags, op);
  }
  static enum twopass_status Reshape(Kind kind, twopass_operator_t op, size_t channels,
                                     size_t in_stride, size_t out_stride, size_t batch,
                                     pthreadpool_t pool) {
    return kind == Kind::kSoftmax
               ? twopass_reshape_softmax_nc_f32(op, channels, in_stride, out_stride, batch, pool)
               : twopass_reshape_log_softmax_nc_f32(op, channels, in_stride, out_stride, batch,
                                                    pool);
  }
  static enum twopass_status Setup(Kind kind, twopass_operator_t op, const void* x, void* y) {
    return kind == Kind::kSoftmax ? twopass_setup_softmax_nc_f32(op, static_cast<const float*>(x), static_cast<float*>(y))
                                  : twopass_setup_log_softmax_nc_f32(op, static_cast<const float*>(x), static_cast<float*>(y));
  }
  // Sharded rows (twopass_run_softmax_partial / merge / finish).
  static enum twopass_status Partial(size_t channels, size_t stride, size_t batch, const void* x,
                                     twopass_softmax_partial* partial, pthreadpool_t pool) {
    return twopass_run_softmax_partial_nc_f32(channels, stride, batch, static_cast<const float*>(x), partial, 0,
                                                pool);
  }
  static enum twopass_status Finish(Kind kind, size_t channels, size_t in_stride,
                                    size_t out_stride, size_t batch, const void* x,
                                    const twopass_softmax_partial* merged, void* y,
                                    uint32_t flags, pthreadpool_t pool) {
    return kind == Kind::kSoftmax
               ? twopass_run_softmax_finish_nc_f32(channels, in_stride, out_stride, batch,
                                                     static_cast<const float*>(x), merged, static_cast<float*>(y), flags, pool)
               : twopass_run_log_softmax_finish_nc_f32(channels, in_stride, out_stride, batch,
                                                         static_cast<const float*>(x), merged, static_cast<float*>(y), flags,
                                                         pool);
  }
  static enum twopass_status OneShot(Kind kind, size_t channels, size_t in_stride,
                                     size_t out_stride, size_t batch, const void* x, void* y,
                                     uint32_t flags, pthreadpool_t pool) {
    return kind == Kind::kSoftmax
               ? twopass_run_softmax_nc_f32(channels, in_stride, out_stride, batch, static_cast<const float*>(x),
                                            static_cast<float*>(y), flags, pool)
               : twopass_run_log_softmax_nc_f32(channels, in_stride, out_stride, batch, static_cast<const float*>(x),
                                                static_cast<float*>(y), flags, pool);
  }
};

}  // namespace
}  // namespace fuzz
}  // namespace twopass

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pthreadpool_t pool = twopass::fuzz::Setup();
  twopass::fuzz::Reader reader(data, size);
  twopass::fuzz::DiffFuzzer<twopass::fuzz::F32> fuzzer(&reader);
  fuzzer.Run(pool);
  return 0;
}
