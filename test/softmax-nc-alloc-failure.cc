// Allocation failure (issue 14): every allocation of the library goes through
// twopass::Allocate (src/twopass/memory.h), and twopass_internal_fail_allocation(k)
// makes the k-th one from then on fail. Each sequence of API calls below runs once per
// k until it completes without reaching its k-th allocation, so that every allocation
// it makes fails once. Each time the call that allocated returns out_of_memory, writes
// nothing (no handle, no output), and the operator stays usable or deletable; the
// sanitizer run (scripts/test-sanitizers.sh, asan with leak checks) shows that nothing
// leaks.
#include <math.h>
#include <stdint.h>

#include <functional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "twopass.h"
#include "twopass/memory.h"
#include "softmax-operator-tester.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

// Rows of 3 x 4096-element chunks (src/twopass/softmax-plan.h): reshape allocates
// partials and row plans for them.
constexpr size_t kChannels = 3 * 4096 + 77;
constexpr size_t kBatch = 3;

class AllocationFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(twopass_status_success, twopass_initialize());
    twopass_internal_fail_allocation(0);
  }
  void TearDown() override { twopass_internal_fail_allocation(0); }

  // Calls `sequence(k)` for k = 1, 2, ... until it returns false, meaning that the
  // sequence's k-th allocation never came. Returns the number of allocations it makes.
  size_t ForEachAllocation(const std::function<bool(size_t k)>& sequence) {
    size_t k = 1;
    for (; sequence(k) && !HasFailure(); k++) {
      if (k == 64) {  // no sequence here makes more than a few
        ADD_FAILURE() << "more than 64 allocations in one sequence";
        break;
      }
    }
    return k - 1;
  }

  // Runs `calls` with the k-th allocation failing; true if that allocation came.
  static bool FailingAllocation(size_t k, const std::function<void()>& calls) {
    twopass_internal_fail_allocation(k);
    calls();
    return twopass_internal_fail_allocation(0) >= k;
  }

  // Allocations made by `sequence` when none fails.
  static size_t CountAllocations(const std::function<void()>& sequence) {
    twopass_internal_fail_allocation(0);
    sequence();
    return twopass_internal_fail_allocation(0);
  }
};

std::vector<float> RandomRows(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
  std::vector<float> x(count);
  for (float& v : x) v = dist(rng);
  return x;
}

// Every row of y within the operator contract of the double reference of x.
void ExpectSoftmax(const std::vector<float>& x, const std::vector<float>& y, size_t channels,
                   size_t batch) {
  std::vector<double> r;
  for (size_t b = 0; b < batch; b++) {
    ReferenceSoftmax(x.data() + b * channels, channels, false, &r);
    double max_r = 0.0;
    for (double v : r) max_r = std::max(max_r, v);
    for (size_t i = 0; i < channels; i++) {
      ASSERT_LE(fabs(y[b * channels + i] - r[i]), 1e-6 * max_r) << "row " << b << " i " << i;
    }
  }
}

TEST_F(AllocationFailure, Create) {
  for (bool f16 : {false, true}) {
    twopass_operator_t const kSentinel = reinterpret_cast<twopass_operator_t>(uintptr_t{0x5a5a});
    const size_t allocations = ForEachAllocation([&](size_t k) {
      twopass_operator_t op = kSentinel;
      enum twopass_status status;
      const bool failed = FailingAllocation(k, [&] {
        status = f16 ? twopass_create_softmax_nc_f16(0, &op) : twopass_create_softmax_nc_f32(0, &op);
      });
      if (!failed) {
        EXPECT_EQ(twopass_status_success, status);
        EXPECT_NE(op, kSentinel);
        EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
      } else {
        EXPECT_EQ(twopass_status_out_of_memory, status) << "allocation " << k;
        EXPECT_EQ(op, kSentinel) << "handle written on failure, allocation " << k;
      }
      return failed;
    });
    // The operator and at least the registry's node.
    EXPECT_GE(allocations, 2u) << (f16 ? "f16" : "f32");
  }
}

// A failing reshape leaves the operator with its previous shape and no tensors: run
// is refused until setup, which then runs the previous shape; a new reshape works.
TEST_F(AllocationFailure, ReshapeKeepsTheOperatorUsable) {
  const size_t small = 100;
  const std::vector<float> x_small = RandomRows(small, 1);
  const std::vector<float> x = RandomRows(kChannels * kBatch, 2);
  const size_t allocations = ForEachAllocation([&](size_t k) {
    twopass_operator_t op = nullptr;
    EXPECT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
    std::vector<float> y_small(small);
    EXPECT_EQ(twopass_status_success,
              twopass_reshape_softmax_nc_f32(op, small, small, small, 1, nullptr));
    EXPECT_EQ(twopass_status_success,
              twopass_setup_softmax_nc_f32(op, x_small.data(), y_small.data()));

    enum twopass_status status;
    const bool failed = FailingAllocation(k, [&] {
      status =
          twopass_reshape_softmax_nc_f32(op, kChannels, kChannels, kChannels, kBatch, nullptr);
    });
    if (failed) {
      EXPECT_EQ(twopass_status_out_of_memory, status) << "allocation " << k;
      EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(op, nullptr));
      EXPECT_EQ(twopass_status_success,
                twopass_setup_softmax_nc_f32(op, x_small.data(), y_small.data()));
      EXPECT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
      ExpectSoftmax(x_small, y_small, small, 1);
      EXPECT_EQ(twopass_status_success,
                twopass_reshape_softmax_nc_f32(op, kChannels, kChannels, kChannels, kBatch,
                                               nullptr));
    } else {
      EXPECT_EQ(twopass_status_success, status);
    }
    std::vector<float> y(kChannels * kBatch);
    EXPECT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
    EXPECT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
    ExpectSoftmax(x, y, kChannels, kBatch);
    EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
    return failed;
  });
  EXPECT_GE(allocations, 2u);  // partials and row plans
}

// The one-shot call fails as a whole, output untouched, for every allocation it makes.
TEST_F(AllocationFailure, OneShot) {
  for (bool f16 : {false, true}) {
    const std::vector<float> x = RandomRows(kChannels * kBatch, 3);
    std::vector<uint16_t> x_half(x.size());
    for (size_t i = 0; i < x.size(); i++) x_half[i] = FloatToHalf(x[i]);
    const size_t allocations = ForEachAllocation([&](size_t k) {
      std::vector<float> y(x.size(), BitsToFloat(kUntouchedBits));
      std::vector<uint16_t> y_half(x.size(), kHalfUntouched);
      enum twopass_status status;
      const bool failed = FailingAllocation(k, [&] {
        status = f16 ? twopass_run_softmax_nc_f16(kChannels, kChannels, kChannels, kBatch,
                                                  x_half.data(), y_half.data(), 0, nullptr)
                     : twopass_run_softmax_nc_f32(kChannels, kChannels, kChannels, kBatch,
                                                  x.data(), y.data(), 0, nullptr);
      });
      if (!failed) {
        EXPECT_EQ(twopass_status_success, status);
        if (!f16) ExpectSoftmax(x, y, kChannels, kBatch);
        return false;
      }
      EXPECT_EQ(twopass_status_out_of_memory, status) << "allocation " << k;
      size_t written = 0;
      for (size_t i = 0; i < x.size(); i++) {
        written += f16 ? y_half[i] != kHalfUntouched : FloatBits(y[i]) != kUntouchedBits;
      }
      EXPECT_EQ(0u, written) << "output elements written, allocation " << k;
      return true;
    });
    EXPECT_GE(allocations, 2u) << (f16 ? "f16" : "f32");
  }
}

// Setup, run and delete never allocate (so they cannot fail for memory), nor does a
// reshape to a shape whose scratch fits what the operator holds.
TEST_F(AllocationFailure, OnlyCreateAndGrowingReshapeAllocate) {
  const std::vector<float> x = RandomRows(kChannels * kBatch, 4);
  std::vector<float> y(x.size());
  twopass_operator_t op = nullptr;
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
  ASSERT_EQ(twopass_status_success,
            twopass_reshape_softmax_nc_f32(op, kChannels, kChannels, kChannels, kBatch, nullptr));
  EXPECT_EQ(0u, CountAllocations([&] {
              EXPECT_EQ(twopass_status_success,
                        twopass_reshape_softmax_nc_f32(op, kChannels - 5000, kChannels, kChannels,
                                                       kBatch - 1, nullptr));
              EXPECT_EQ(twopass_status_success,
                        twopass_reshape_softmax_nc_f32(op, kChannels, kChannels, kChannels,
                                                       kBatch, nullptr));
              EXPECT_EQ(twopass_status_success,
                        twopass_setup_softmax_nc_f32(op, x.data(), y.data()));
              EXPECT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
              EXPECT_EQ(twopass_status_success, twopass_run_operator(op, nullptr));
              EXPECT_EQ(twopass_status_success, twopass_delete_operator(op));
            }));
  ExpectSoftmax(x, y, kChannels, kBatch);
}

}  // namespace
}  // namespace testing
}  // namespace twopass
