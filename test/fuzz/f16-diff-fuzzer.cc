// Differential fuzzer for the f16 operators: arbitrary half bit patterns (NaN payloads,
// subnormals, infinities, +-65504) in rows of 1..70000 elements, every ISA of this CPU
// x every algorithm of softmax_nc_f16 and log_softmax_nc_f16 (with their f32 log-sum-exp
// output), each softmax output within one half-ULP of the double-precision reference
// of the widened inputs (the contract, as SoftmaxOperatorTester::TestF16 checks it),
// NaN rows as 0x7E00, log-softmax within one half-ULP plus 1e-6 * max(1, |r|), and the
// runs against each other; with a scale and a half mask (twopass_setup_scale_mask) the
// same on the float rows t = x * scale + mask. Input layout: test/fuzz/diff-fuzzer.h.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include "diff-fuzzer.h"
#include "fuzz-util.h"
#include "test/f16-test-util.h"
#include "test/softmax-reference.h"
#include "twopass.h"

namespace twopass {
namespace fuzz {
namespace {

using testing::HalfIsNan;
using testing::HalfToFloat;
using testing::FloatToHalf;

struct F16 {
  using Element = uint16_t;
  static constexpr const char* kName = "f16";
  static constexpr size_t kValueBytes = 2;
  // Buffers at any byte address (f16 tensors are void*): odd ones found the uint16_t
  // loads of the scalar and SSE2 kernels (docs/testing.md, "Findings").
  static constexpr size_t kMisalignUnit = 1;

  // A NaN no conversion produces: gap elements and the untouched output.
  static uint16_t Untouched() { return 0x7DA5; }
  static bool Same(uint16_t a, uint16_t b) { return a == b; }
  static uint16_t Decode(const uint8_t* bytes) {
    return static_cast<uint16_t>(bytes[0] | (bytes[1] << 8));
  }

  // Value ranges of the filler: moderate, the whole finite range, all negative, near
  // the largest half (the three-pass fallback beyond 1e4), subnormals, dense halves,
  // wide negative, tiny differences around 1.
  static void Range(int index, double* lo, double* hi) {
    static const double kRanges[8][2] = {
        {-10.0, 10.0},   {-65504.0, 65504.0}, {-100.0, -90.0}, {60000.0, 65504.0},
        {-6e-5, 6e-5},   {10.0, 11.0},        {-65504.0, 0.0}, {1.0, 1.01},
    };
    *lo = kRanges[index][0];
    *hi = kRanges[index][1];
  }

  // As F32::Fill (f32-diff-fuzzer.cc), with halves.
  static void Fill(int mode, int range, Random* random, uint16_t* x, size_t n,
                   const uint8_t* values, size_t value_count) {
    double lo, hi;
    Range(range, &lo, &hi);
    auto uniform = [&] {
      return FloatToHalf(static_cast<float>(
          lo + (hi - lo) * static_cast<double>(random->Next() >> 11) * 0x1p-53));
    };
    if (mode == 2 && value_count == 0) mode = 0;
    const uint16_t constant = uniform();
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
          x[i] = static_cast<uint16_t>(random->Next() >> 48);
          break;
        case 4:
          x[i] = i % 3 == 2 ? testing::kHalfMinusInf : uniform();
          break;
        case 5:
          x[i] = random->Next() % 64 == 0 ? uniform() : testing::kHalfMinusInf;
          break;
        case 6:
          x[i] = FloatToHalf(static_cast<float>(lo + (hi - lo) * static_cast<double>(i) /
                                                         static_cast<double>(n)));
          break;
        default: {
          const uint64_t r = random->Next();
          x[i] = (r & 4095) == 0 ? ((r >> 12) % 3 == 0   ? testing::kHalfPlusInf
                                    : (r >> 12) % 3 == 1 ? testing::kHalfMinusInf
                                                         : testing::kHalfNanPayload)
                                 : uniform();
          break;
        }
      }
    }
  }

  // The contract's check, plus: a NaN row is written as the quiet NaN 0x7E00.
  // x: the row widened (or t, with scale and mask).
  static std::string Check(const float* x, const uint16_t* y, size_t n, bool masked,
                           const std::vector<double>& r) {
    double max_error = 0.0;
    std::string error = testing::CheckSoftmaxRowF16(x, y, n, masked, r, &max_error);
    if (!error.empty()) return error;
    for (size_t i = 0; i < n; i++) {
      if (std::isnan(r[i]) && y[i] != testing::kHalfQuietNan) {
        return testing::Format("element %zu: NaN row written as 0x%04X, not 0x7E00", i, y[i]);
      }
    }
    return std::string();
  }

  // Each run is within one half-ULP of the reference: two runs may differ by at most
  // one half-ULP (rounding a value near a midpoint either way), NaNs agree.
  static std::string Cross(const uint16_t* a, const uint16_t* b, size_t n,
                           const std::vector<double>& r) {
    for (size_t i = 0; i < n; i++) {
      if (HalfIsNan(a[i]) != HalfIsNan(b[i])) {
        return testing::Format("element %zu: 0x%04X vs 0x%04X", i, a[i], b[i]);
      }
      if (HalfIsNan(a[i])) continue;
      const int difference = std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
      // Outputs are in [0, 1] (sign bit clear; -0 is not produced for finite rows),
      // so the distance between bit patterns counts half-ULPs.
      if (difference > 1) {
        return testing::Format("element %zu: 0x%04X (%.9g) vs 0x%04X (%.9g), reference %.9g",
                               i, a[i], HalfToFloat(a[i]), b[i], HalfToFloat(b[i]), r[i]);
      }
    }
    return std::string();
  }

  static constexpr bool kF16 = true;
  // The logsumexp operator exists for f32 only (f16 operators have the lse output).
  static constexpr bool kHasLogSumExp = false;
  static float ToFloat(uint16_t h) { return HalfToFloat(h); }
  static uint16_t FromFloat(float f) { return FloatToHalf(f); }
  static double ToDouble(uint16_t h) { return HalfToFloat(h); }

  // Softmax or log-softmax (Kind::kLogSumExp is called by diff-fuzzer.h itself).
  static enum twopass_status Create(Kind kind, uint32_t flags, twopass_operator_t* op) {
    return kind == Kind::kSoftmax ? twopass_create_softmax_nc_f16(flags, op)
                                  : twopass_create_log_softmax_nc_f16(flags, op);
  }
  static enum twopass_status Reshape(Kind kind, twopass_operator_t op, size_t channels,
                                     size_t in_stride, size_t out_stride, size_t batch,
                                     pthreadpool_t pool) {
    return kind == Kind::kSoftmax
               ? twopass_reshape_softmax_nc_f16(op, channels, in_stride, out_stride, batch, pool)
               : twopass_reshape_log_softmax_nc_f16(op, channels, in_stride, out_stride, batch,
                                                    pool);
  }
  static enum twopass_status Setup(Kind kind, twopass_operator_t op, const void* x, void* y) {
    return kind == Kind::kSoftmax ? twopass_setup_softmax_nc_f16(op, x, y)
                                  : twopass_setup_log_softmax_nc_f16(op, x, y);
  }
  // Sharded rows (twopass_run_softmax_partial / merge / finish).
  static enum twopass_status Partial(size_t channels, size_t stride, size_t batch, const void* x,
                                     twopass_softmax_partial* partial, pthreadpool_t pool) {
    return twopass_run_softmax_partial_nc_f16(channels, stride, batch, x, partial, 0,
                                                pool);
  }
  static enum twopass_status Finish(Kind kind, size_t channels, size_t in_stride,
                                    size_t out_stride, size_t batch, const void* x,
                                    const twopass_softmax_partial* merged, void* y,
                                    uint32_t flags, pthreadpool_t pool) {
    return kind == Kind::kSoftmax
               ? twopass_run_softmax_finish_nc_f16(channels, in_stride, out_stride, batch,
                                                     x, merged, y, flags, pool)
               : twopass_run_log_softmax_finish_nc_f16(channels, in_stride, out_stride, batch,
                                                         x, merged, y, flags,
                                                         pool);
  }
  static enum twopass_status OneShot(Kind kind, size_t channels, size_t in_stride,
                                     size_t out_stride, size_t batch, const void* x, void* y,
                                     uint32_t flags, pthreadpool_t pool) {
    return kind == Kind::kSoftmax
               ? twopass_run_softmax_nc_f16(channels, in_stride, out_stride, batch, x,
                                            y, flags, pool)
               : twopass_run_log_softmax_nc_f16(channels, in_stride, out_stride, batch, x,
                                                y, flags, pool);
  }
};

}  // namespace
}  // namespace fuzz
}  // namespace twopass

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pthreadpool_t pool = twopass::fuzz::Setup();
  twopass::fuzz::Reader reader(data, size);
  twopass::fuzz::DiffFuzzer<twopass::fuzz::F16> fuzzer(&reader);
  fuzzer.Run(pool);
  return 0;
}
