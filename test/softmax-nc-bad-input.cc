// Bad input to every entry point: each case checks the status, the error line naming
// the bad value, that nothing was written to the output, and that nothing crashed.
// Also: initialization (idempotent, thread-safe, TWOPASS_MAX_ISA handling, calls before
// it) and the logging switch.
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "twopass.h"
#include "twopass/cache-info.h"
#include "twopass/config.h"
#include "twopass/isa.h"
#include "twopass/log.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

// Runs `call` with stderr captured; returns what was written.
template <typename F>
std::string CaptureLog(F call) {
  ::testing::internal::CaptureStderr();
  call();
  return ::testing::internal::GetCapturedStderr();
}

#define EXPECT_LOGGED(log, text)                                                  \
  EXPECT_NE(std::string::npos, (log).find(text)) << "log was: \"" << (log) << "\""

// ---- Before initialization (each in a fresh process) -----------------------------

int CallEverythingUninitialized() {
  int failures = 0;
  if (strcmp(twopass_isa_name(), "uninitialized") != 0) failures++;
  twopass_operator_t op = nullptr;
  float x[4] = {0, 1, 2, 3}, y[4];
  failures += twopass_create_softmax_nc_f32(0, &op) != twopass_status_uninitialized;
  failures += op != nullptr;
  failures += twopass_reshape_softmax_nc_f32(op, 4, 4, 4, 1, nullptr) !=
              twopass_status_uninitialized;
  failures += twopass_setup_softmax_nc_f32(op, x, y) != twopass_status_uninitialized;
  failures += twopass_run_operator(op, nullptr) != twopass_status_uninitialized;
  failures += twopass_delete_operator(op) != twopass_status_uninitialized;
  failures += twopass_run_softmax_nc_f32(4, 4, 4, 1, x, y, 0, nullptr) !=
              twopass_status_uninitialized;
  failures += twopass_internal_set_isa(twopass_isa_scalar) != twopass_status_uninitialized;
  return failures;
}

TEST(SoftmaxBadInputDeathTest, CallsBeforeInitialize) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";  // a fresh process
  EXPECT_EXIT(exit(CallEverythingUninitialized()), ::testing::ExitedWithCode(0),
              "twopass: create_softmax_nc_f32: library not initialized");
}

int InitializeWithMaxIsa(const char* value, enum twopass_status expected) {
  setenv("TWOPASS_MAX_ISA", value, 1);
  const enum twopass_status first = twopass_initialize();
  const enum twopass_status second = twopass_initialize();  // keeps returning it
  twopass_operator_t op = nullptr;
  const enum twopass_status create = twopass_create_softmax_nc_f32(0, &op);
  if (first != expected || second != expected) return 1;
  if (expected != twopass_status_success && create != twopass_status_uninitialized) return 2;
  if (expected == twopass_status_success && strcmp(twopass_isa_name(), value) != 0) return 3;
  return 0;
}

TEST(SoftmaxBadInputDeathTest, MaxIsaUnknownName) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  EXPECT_EXIT(exit(InitializeWithMaxIsa("avx9000", twopass_status_invalid_parameter)),
              ::testing::ExitedWithCode(0), "TWOPASS_MAX_ISA ..avx9000.. is not one of");
}

TEST(SoftmaxBadInputDeathTest, MaxIsaUnsupportedByCpu) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  int lacking = -1;
  for (int isa = TWOPASS_ISA_COUNT - 1; isa > 0; isa--) {
    if (!testing::IsaUnderTest(static_cast<enum twopass_isa>(isa))) lacking = isa;
  }
  if (lacking < 0) GTEST_SKIP() << "this CPU supports every ISA";
  const char* name = twopass_isa_to_string(static_cast<enum twopass_isa>(lacking));
  EXPECT_EXIT(exit(InitializeWithMaxIsa(name, twopass_status_unsupported_hardware)),
              ::testing::ExitedWithCode(0), "is not supported by this CPU");
}

TEST(SoftmaxBadInputDeathTest, MaxIsaCapsTheChoice) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  EXPECT_EXIT(exit(InitializeWithMaxIsa("scalar", twopass_status_success)),
              ::testing::ExitedWithCode(0), "");
}

// The same decision without a process per case: any CPU level, any request.
TEST(SoftmaxMaxIsa, Resolve) {
  enum twopass_isa isa = twopass_isa_scalar;
  std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_unsupported_hardware,
              ResolveMaxIsa("avx512f", twopass_isa_sse2, &isa));
  });
  EXPECT_LOGGED(log, "TWOPASS_MAX_ISA (avx512f) is not supported by this CPU (best: sse2)");
  EXPECT_EQ(twopass_isa_scalar, isa);  // untouched
  log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter, ResolveMaxIsa("AVX2", twopass_isa_avx2, &isa));
  });
  EXPECT_LOGGED(log, "TWOPASS_MAX_ISA (\"AVX2\") is not one of");
  EXPECT_EQ(twopass_status_success, ResolveMaxIsa("sse2", twopass_isa_avx512f, &isa));
  EXPECT_EQ(twopass_isa_sse2, isa);
  EXPECT_EQ(twopass_status_success, ResolveMaxIsa(nullptr, twopass_isa_avx2, &isa));
  EXPECT_EQ(twopass_isa_avx2, isa);
}

// ---- Initialization and logging --------------------------------------------------

TEST(SoftmaxInitialize, IdempotentAndThreadSafe) {
  std::vector<std::thread> threads;
  std::vector<enum twopass_status> statuses(8, twopass_status_uninitialized);
  for (size_t i = 0; i < statuses.size(); i++) {
    threads.emplace_back([&statuses, i] { statuses[i] = twopass_initialize(); });
  }
  for (auto& thread : threads) thread.join();
  for (enum twopass_status status : statuses) EXPECT_EQ(twopass_status_success, status);
  EXPECT_EQ(twopass_status_success, twopass_initialize());
}

TEST(SoftmaxInitialize, VersionAndIsaName) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  EXPECT_EQ(static_cast<uint32_t>(TWOPASS_VERSION_MAJOR * 10000 + TWOPASS_VERSION_MINOR * 100 +
                                  TWOPASS_VERSION_PATCH),
            twopass_version());
  EXPECT_EQ(100u, twopass_version());  // 0.1.0
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    const enum twopass_isa isa = static_cast<enum twopass_isa>(i);
    if (!testing::IsaUnderTest(isa)) {
      EXPECT_EQ(twopass_status_unsupported_hardware, twopass_internal_set_isa(isa));
      continue;
    }
    ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(isa));
    EXPECT_STREQ(twopass_isa_to_string(isa), twopass_isa_name());
    const KernelConfig* config = ActiveKernelConfig();
    ASSERT_NE(nullptr, config);
    EXPECT_EQ(isa, config->isa);
    // Every selected kernel belongs to this ISA or a lower one.
    EXPECT_LE(config->raddextexp.isa, isa);
    EXPECT_LE(config->vscaleextexp.isa, isa);
    EXPECT_LE(config->rmax.isa, isa);
    EXPECT_LE(config->vscaleexpminusmax.isa, isa);
  }
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_internal_set_isa(static_cast<enum twopass_isa>(TWOPASS_ISA_COUNT)));
  ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(twopass_isa_best_supported()));
}

TEST(SoftmaxLogging, Levels) {
  LogLevel level = LogLevel::kWarning;
  EXPECT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(LogLevel::kDebug, level);
  EXPECT_TRUE(ParseLogLevel("none", &level));
  EXPECT_EQ(LogLevel::kNone, level);
  EXPECT_FALSE(ParseLogLevel("verbose", &level));
  EXPECT_FALSE(ParseLogLevel(nullptr, &level));
  EXPECT_EQ(LogLevel::kNone, level);

  ASSERT_EQ(twopass_status_success, twopass_initialize());
  const LogLevel saved = CurrentLogLevel();
  twopass_operator_t op = nullptr;
  SetLogLevel(LogLevel::kNone);
  EXPECT_EQ("", CaptureLog([&] { twopass_create_softmax_nc_f32(0, nullptr); }));
  SetLogLevel(LogLevel::kInfo);
  std::string log = CaptureLog([&] { twopass_internal_set_isa(twopass_isa_scalar); });
  EXPECT_LOGGED(log, "twopass: ISA scalar; kernels: twopass_f32_raddextexp_ukernel__scalar");
  SetLogLevel(LogLevel::kWarning);  // the default: no info lines
  EXPECT_EQ("", CaptureLog([&] { twopass_internal_set_isa(twopass_isa_best_supported()); }));
  SetLogLevel(LogLevel::kDebug);
  log = CaptureLog([&] {
    ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
    ASSERT_EQ(twopass_status_success,
              twopass_reshape_softmax_nc_f32(op, 10000, 10000, 10000, 2, nullptr));
    ASSERT_EQ(twopass_status_success, twopass_delete_operator(op));
  });
  // 2 x 10000 floats fit in L2: the automatic choice is reload on every ISA, its
  // sampled-max form on AVX512F (ChooseAlgorithm in src/softmax-plan.cc).
  const char* reload = twopass_isa_best_supported() == twopass_isa_avx512f ? "sampled-max-reload"
                                                                           : "three-pass-reload";
  EXPECT_LOGGED(log, std::string("twopass: reshape_softmax_nc_f32: 2 x 10000, ") + reload + " on");
  // A row of 2^24 floats (128 MiB of input and output) is beyond every threshold of the
  // rule (at most 2x the 32 MiB L3 cap); 2^23 depends on the ISA and the cache sizes
  // (RuleChoosesTwoPass in src/cache-info.cc, tested in auto-algorithm.cc).
  log = CaptureLog([&] {
    ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
    ASSERT_EQ(twopass_status_success,
              twopass_reshape_softmax_nc_f32(op, 1 << 24, 1 << 24, 1 << 24, 1, nullptr));
    ASSERT_EQ(twopass_status_success,
              twopass_reshape_softmax_nc_f32(op, 1 << 23, 1 << 23, 1 << 23, 1, nullptr));
    ASSERT_EQ(twopass_status_success, twopass_delete_operator(op));
  });
  EXPECT_LOGGED(log, "twopass: reshape_softmax_nc_f32: 1 x 16777216, two-pass on");
  // The same choice through the internal query the benchmarks use.
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(0, &op));
  EXPECT_EQ(nullptr, twopass_internal_operator_algorithm(op));  // not reshaped yet
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op, 1 << 24, 1 << 24, 1 << 24, 1, nullptr));
  EXPECT_STREQ("two-pass", twopass_internal_operator_algorithm(op));
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op, 10000, 10000, 10000, 2, nullptr));
  EXPECT_STREQ(reload, twopass_internal_operator_algorithm(op));
  ASSERT_EQ(twopass_status_success, twopass_delete_operator(op));
  EXPECT_EQ(nullptr, twopass_internal_operator_algorithm(nullptr));
  EXPECT_LOGGED(
      log,
      RuleChoosesTwoPass(twopass_isa_best_supported(), uint64_t{64} << 20, DetectedCacheSizes())
          ? "twopass: reshape_softmax_nc_f32: 1 x 8388608, two-pass on"
          : std::string("twopass: reshape_softmax_nc_f32: 1 x 8388608, ") + reload + " on");
  SetLogLevel(saved);
}

// ---- Operator API ---------------------------------------------------------------

class SoftmaxBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(twopass_status_success, twopass_initialize());
    ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(twopass_isa_best_supported()));
    for (size_t i = 0; i < input_.size(); i++) input_[i] = static_cast<float>(i % 13);
    std::fill(output_.begin(), output_.end(), kSentinel);
  }
  void TearDown() override {
    if (op_ != nullptr) {
      EXPECT_EQ(twopass_status_success, twopass_delete_operator(op_));
    }
  }

  void Create(uint32_t flags = 0) {
    ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f32(flags, &op_));
  }
  void CreateReshaped(size_t channels = 5, size_t batch = 4) {
    Create();
    ASSERT_EQ(twopass_status_success,
              twopass_reshape_softmax_nc_f32(op_, channels, channels, channels, batch, nullptr));
  }
  // Nothing was written to the output.
  void ExpectOutputUntouched() {
    for (size_t i = 0; i < output_.size(); i++) {
      ASSERT_EQ(kSentinel, output_[i]) << "output element " << i << " was written";
    }
  }

  static constexpr float kSentinel = 12345.0f;
  std::vector<float> input_ = std::vector<float>(256);
  std::vector<float> output_ = std::vector<float>(256);
  twopass_operator_t op_ = nullptr;
};

constexpr float SoftmaxBadInput::kSentinel;

TEST_F(SoftmaxBadInput, CreateNullOutPointer) {
  const std::string log = CaptureLog([] {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_create_softmax_nc_f32(0, nullptr));
  });
  EXPECT_LOGGED(log, "twopass: create_softmax_nc_f32: softmax_op_out is NULL");
}

TEST_F(SoftmaxBadInput, CreateUnknownFlags) {
  twopass_operator_t op = nullptr;
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_unsupported_parameter,
              twopass_create_softmax_nc_f32(TWOPASS_FLAG_MASKED_ROW_ZERO | 0x100u, &op));
  });
  EXPECT_EQ(nullptr, op);
  EXPECT_LOGGED(log, "create_softmax_nc_f32: flags (0x00000108) has unknown bits 0x00000100");
}

TEST_F(SoftmaxBadInput, CreateConflictingAlgorithms) {
  twopass_operator_t op = nullptr;
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_create_softmax_nc_f32(TWOPASS_FLAG_ALGORITHM_TWO_PASS |
                                                TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
                                            &op));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_create_softmax_nc_f32(TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD |
                                                TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
                                            &op));
  });
  EXPECT_EQ(nullptr, op);
  EXPECT_LOGGED(log, "create_softmax_nc_f32: flags (0x00000003) name more than one algorithm");
  EXPECT_LOGGED(log, "flags (0x00000006) name more than one algorithm");
}

TEST_F(SoftmaxBadInput, ReshapeNullOperator) {
  const std::string log = CaptureLog([] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(nullptr, 5, 5, 5, 1, nullptr));
  });
  EXPECT_LOGGED(log, "reshape_softmax_nc_f32: softmax_op is NULL");
}

TEST_F(SoftmaxBadInput, ReshapeZeroChannels) {
  Create();
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, 0, 5, 5, 1, nullptr));
  });
  EXPECT_LOGGED(log, "reshape_softmax_nc_f32: channels (0) must be at least 1");
}

TEST_F(SoftmaxBadInput, ReshapeInputStrideTooSmall) {
  Create();
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, 5, 3, 5, 1, nullptr));
  });
  EXPECT_LOGGED(log, "twopass: reshape_softmax_nc_f32: input_stride (3) < channels (5)");
}

TEST_F(SoftmaxBadInput, ReshapeOutputStrideTooSmall) {
  Create();
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, 5, 5, 4, 1, nullptr));
  });
  EXPECT_LOGGED(log, "reshape_softmax_nc_f32: output_stride (4) < channels (5)");
}

TEST_F(SoftmaxBadInput, ReshapeChannelsOverflow) {
  Create();
  const size_t huge = SIZE_MAX / 2;  // * 4 bytes overflows
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, huge, huge, huge, 1, nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, SIZE_MAX, SIZE_MAX, SIZE_MAX, 1, nullptr));
  });
  EXPECT_LOGGED(log, "input size overflows: batch_size (1) x input_stride (" +
                         std::to_string(huge) + ")");
}

TEST_F(SoftmaxBadInput, ReshapeStrideTimesBatchOverflow) {
  Create();
  const size_t stride = (size_t{1} << 40);
  const size_t batch = (size_t{1} << 30);  // 2^70 elements
  std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, 5, stride, 5, batch, nullptr));
  });
  EXPECT_LOGGED(log, "input size overflows: batch_size (1073741824) x input_stride "
                     "(1099511627776)");
  log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, 5, 5, stride, batch, nullptr));
  });
  EXPECT_LOGGED(log, "output size overflows: batch_size (1073741824) x output_stride");
}

TEST_F(SoftmaxBadInput, ReshapeByteSizeOverflow) {
  // The element count fits size_t, the byte count does not fit PTRDIFF_MAX.
  Create();
  const size_t batch = (size_t{1} << 61) + 1;
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, 1, 1, 1, batch, nullptr));
  });
  EXPECT_LOGGED(log, "exceeds PTRDIFF_MAX");
}

TEST_F(SoftmaxBadInput, FailedReshapeKeepsPreviousShape) {
  CreateReshaped(5, 4);
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, input_.data(), output_.data()));
  CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(op_, 5, 3, 5, 4, nullptr));
  });
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op_, nullptr));
  for (size_t i = 0; i < 20; i++) EXPECT_NE(kSentinel, output_[i]);
  for (size_t i = 20; i < output_.size(); i++) EXPECT_EQ(kSentinel, output_[i]);
}

// A reshape that runs out of memory keeps the previous shape but not the setup
// (twopass.h, docs/api.md): run says invalid_state and writes nothing until setup is
// called again. The operator used to stay set up and run its old binding. Found by
// test/fuzz/api-fuzzer.cc (its model of this rule, with the seed reshape-out-of-memory).
// The sanitizers' allocators abort on a 16 TiB request instead of returning NULL (the
// API fuzzer runs with allocator_may_return_null=1 and checks this path there).
TEST_F(SoftmaxBadInput, ReshapeOutOfMemoryUnsetsSetup) {
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  GTEST_SKIP() << "a 16 TiB malloc aborts under the sanitizers' allocators";
#endif
#endif
  CreateReshaped(5, 4);
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, input_.data(), output_.data()));
  // 2^40 rows of two chunks: 16 TiB of partials, which malloc refuses.
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_out_of_memory,
              twopass_reshape_softmax_nc_f32(op_, 8192, 8192, 8192, size_t{1} << 40, nullptr));
  });
  EXPECT_LOGGED(log, "failed to allocate");
  CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(op_, nullptr));
  });
  ExpectOutputUntouched();
  // The previous shape (5 x 4) again after a new setup.
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, input_.data(), output_.data()));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op_, nullptr));
  for (size_t i = 0; i < 20; i++) EXPECT_NE(kSentinel, output_[i]);
  for (size_t i = 20; i < output_.size(); i++) EXPECT_EQ(kSentinel, output_[i]);
}

TEST_F(SoftmaxBadInput, SetupBeforeReshape) {
  Create();
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_state,
              twopass_setup_softmax_nc_f32(op_, input_.data(), output_.data()));
    EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(op_, nullptr));
  });
  EXPECT_LOGGED(log, "setup_softmax_nc_f32: operator");
  EXPECT_LOGGED(log, "is not reshaped yet");
  ExpectOutputUntouched();
}

TEST_F(SoftmaxBadInput, SetupNullPointers) {
  CreateReshaped();
  std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_softmax_nc_f32(op_, nullptr, output_.data()));
  });
  EXPECT_LOGGED(log, "setup_softmax_nc_f32: input is NULL");
  log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_softmax_nc_f32(op_, input_.data(), nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_softmax_nc_f32(nullptr, input_.data(), output_.data()));
  });
  EXPECT_LOGGED(log, "setup_softmax_nc_f32: output is NULL");
  EXPECT_LOGGED(log, "setup_softmax_nc_f32: softmax_op is NULL");
  // Setup failed, so run has nothing to run.
  CaptureLog([&] { EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(op_, nullptr)); });
  ExpectOutputUntouched();
}

TEST_F(SoftmaxBadInput, SetupPartialOverlap) {
  CreateReshaped(5, 4);
  float* buffer = output_.data();
  std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_softmax_nc_f32(op_, buffer + 1, buffer));
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_softmax_nc_f32(op_, buffer, buffer + 19));
  });
  EXPECT_LOGGED(log, "setup_softmax_nc_f32: input [");
  EXPECT_LOGGED(log, "overlap but are not in place");
  // Touching ranges (output right after input) are fine.
  EXPECT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, buffer, buffer + 20));
  ExpectOutputUntouched();
}

TEST_F(SoftmaxBadInput, SetupSamePointerDifferentStrides) {
  Create();
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op_, 5, 5, 6, 3, nullptr));
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_softmax_nc_f32(op_, output_.data(), output_.data()));
  });
  EXPECT_LOGGED(log, "input_stride 5, output_stride 6");
  ExpectOutputUntouched();
}

TEST_F(SoftmaxBadInput, SetupRangeWrapsAddressSpace) {
  CreateReshaped(5, 4);
  // Never dereferenced: setup rejects it from the address arithmetic alone.
  const float* top = reinterpret_cast<const float*>(UINTPTR_MAX - 15);
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_softmax_nc_f32(op_, top, output_.data()));
  });
  EXPECT_LOGGED(log, "wraps around the address space");
}

TEST_F(SoftmaxBadInput, RunBeforeSetup) {
  CreateReshaped();
  std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(op_, nullptr));
  });
  EXPECT_LOGGED(log, "run_operator: operator");
  EXPECT_LOGGED(log, "is not set up (call setup after reshape)");
  // A reshape after setup requires a new setup.
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, input_.data(), output_.data()));
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f32(op_, 6, 6, 6, 2, nullptr));
  log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_state, twopass_run_operator(op_, nullptr));
  });
  ExpectOutputUntouched();
}

TEST_F(SoftmaxBadInput, RunNullOperator) {
  const std::string log = CaptureLog([] {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_run_operator(nullptr, nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_delete_operator(nullptr));
  });
  EXPECT_LOGGED(log, "run_operator: op is NULL");
  EXPECT_LOGGED(log, "delete_operator: op is NULL");
}

TEST_F(SoftmaxBadInput, DeletedOperator) {
  CreateReshaped();
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, input_.data(), output_.data()));
  twopass_operator_t dead = op_;
  ASSERT_EQ(twopass_status_success, twopass_delete_operator(op_));
  op_ = nullptr;
  // A new operator could reuse the address; keep one alive at another address first.
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_run_operator(dead, nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_reshape_softmax_nc_f32(dead, 5, 5, 5, 1, nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_softmax_nc_f32(dead, input_.data(), output_.data()));
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_delete_operator(dead));
  });
  EXPECT_LOGGED(log, "run_operator: op (");
  EXPECT_LOGGED(log, ") is not a live operator (deleted or never created)");
  EXPECT_LOGGED(log, "delete_operator: op (");
  ExpectOutputUntouched();
}

TEST_F(SoftmaxBadInput, ForeignHandle) {
  // A pointer that never came from create is rejected without being read.
  twopass_operator_t fake = reinterpret_cast<twopass_operator_t>(output_.data());
  const std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_run_operator(fake, nullptr));
  });
  EXPECT_LOGGED(log, "is not a live operator");
  ExpectOutputUntouched();
}

// ---- One-shot call: the same checks ---------------------------------------------

TEST_F(SoftmaxBadInput, OneShotRejectsEachBadArgument) {
  float* out = output_.data();
  const float* in = input_.data();
  struct Case {
    size_t channels, input_stride, output_stride, batch;
    const float* input;
    float* output;
    uint32_t flags;
    enum twopass_status status;
    const char* log;
  } cases[] = {
      {0, 5, 5, 1, in, out, 0, twopass_status_invalid_parameter, "channels (0)"},
      {5, 3, 5, 1, in, out, 0, twopass_status_invalid_parameter,
       "run_softmax_nc_f32: input_stride (3) < channels (5)"},
      {5, 5, 2, 1, in, out, 0, twopass_status_invalid_parameter, "output_stride (2) < channels (5)"},
      {5, 5, 5, 1, nullptr, out, 0, twopass_status_invalid_parameter, "input is NULL"},
      {5, 5, 5, 1, in, nullptr, 0, twopass_status_invalid_parameter, "output is NULL"},
      {5, 5, 5, 4, out + 3, out, 0, twopass_status_invalid_parameter, "overlap but are not in place"},
      {5, 5, 5, 1, in, out, 0x80000000u, twopass_status_unsupported_parameter, "unknown bits"},
      {5, 5, 5, 1, in, out, TWOPASS_FLAG_ALGORITHM_TWO_PASS | TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
       twopass_status_invalid_parameter, "more than one algorithm"},
      {5, SIZE_MAX / 8, 5, 3, in, out, 0, twopass_status_invalid_parameter, "input size overflows"},
  };
  for (const Case& c : cases) {
    const std::string log = CaptureLog([&] {
      EXPECT_EQ(c.status, twopass_run_softmax_nc_f32(c.channels, c.input_stride, c.output_stride,
                                                     c.batch, c.input, c.output, c.flags, nullptr))
          << c.log;
    });
    EXPECT_LOGGED(log, std::string("twopass: run_softmax_nc_f32: "));
    EXPECT_LOGGED(log, c.log);
    ExpectOutputUntouched();
  }
}

// Float pointers off their 4-byte alignment (C forbids them; every call rejects them
// before touching memory): f32 tensors and masks, lse outputs (also beside f16 tensors,
// which may start at any byte: the API fuzzer's finding) and partial pairs.
TEST_F(SoftmaxBadInput, MisalignedFloatPointers) {
  char* bytes = reinterpret_cast<char*>(output_.data());
  float* odd_out = reinterpret_cast<float*>(bytes + 2);
  const float* odd_in = reinterpret_cast<const float*>(reinterpret_cast<char*>(input_.data()) + 1);
  const float* in = input_.data();
  float* lse = output_.data() + 128;  // aligned; odd_lse is 1 byte further
  float* odd_lse = reinterpret_cast<float*>(reinterpret_cast<char*>(lse) + 1);
  CreateReshaped(5, 4);
  std::string log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_softmax_nc_f32(op_, odd_in, output_.data()));
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_softmax_nc_f32(op_, in, odd_out));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_run_softmax_nc_f32(5, 5, 5, 4, in, odd_out, 0, nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_run_log_softmax_nc_f32(5, 5, 5, 4, odd_in, output_.data(), 0, nullptr));
  });
  EXPECT_LOGGED(log, "setup_softmax_nc_f32: input (");
  EXPECT_LOGGED(log, "run_softmax_nc_f32: output (");
  EXPECT_LOGGED(log, "is not 4-byte aligned");
  ExpectOutputUntouched();
  // A set-up operator keeps its binding; a misaligned lse or f32 mask is refused.
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, in, output_.data()));
  log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_output(op_, odd_lse));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_setup_scale_mask(op_, 1.0f, odd_in, TWOPASS_MASK_STRIDE_BROADCAST));
  });
  EXPECT_LOGGED(log, "setup_logsumexp_output: lse (");
  EXPECT_LOGGED(log, "setup_scale_mask: mask (");
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op_, nullptr));
  for (size_t i = 20; i < output_.size(); i++) ASSERT_EQ(kSentinel, output_[i]) << i;
  std::fill(output_.begin(), output_.end(), kSentinel);

  // f16: the tensors may start at any byte; the lse output may not.
  const uint16_t halves[8] = {0x3c00, 0x4000, 0x4200, 0x4400, 0x3c00, 0x4000, 0x4200, 0x4400};
  twopass_operator_t f16 = nullptr;
  ASSERT_EQ(twopass_status_success, twopass_create_softmax_nc_f16(0, &f16));
  ASSERT_EQ(twopass_status_success, twopass_reshape_softmax_nc_f16(f16, 4, 4, 4, 2, nullptr));
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f16(f16, halves, bytes + 1));
  log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_setup_logsumexp_output(f16, odd_lse));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_run_logsumexp_nc_f16(4, 4, 2, halves, odd_lse, 0, nullptr));
  });
  EXPECT_LOGGED(log, "setup_logsumexp_output: lse (");
  EXPECT_LOGGED(log, "run_logsumexp_nc_f16: lse (");
  EXPECT_EQ(twopass_status_success, twopass_delete_operator(f16));
  ExpectOutputUntouched();

  // Sharded rows: misaligned pairs, input or output.
  twopass_softmax_partial* odd_pairs = reinterpret_cast<twopass_softmax_partial*>(bytes + 3);
  twopass_softmax_partial pairs[4];
  const twopass_softmax_partial* list[1] = {odd_pairs};
  log = CaptureLog([&] {
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_run_softmax_partial_nc_f32(5, 5, 4, in, odd_pairs, 0, nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_run_softmax_partial_nc_f32(5, 5, 4, odd_in, pairs, 0, nullptr));
    EXPECT_EQ(twopass_status_invalid_parameter, twopass_merge_softmax_partials(1, list, 4, pairs));
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_run_softmax_finish_nc_f32(5, 5, 5, 4, in, pairs, odd_out, 0, nullptr));
  });
  EXPECT_LOGGED(log, "run_softmax_partial_nc_f32: partial is not 4-byte aligned");
  EXPECT_LOGGED(log, "run_softmax_partial_nc_f32: input is not 4-byte aligned");
  EXPECT_LOGGED(log, "merge_softmax_partials: partials[0] (");
  EXPECT_LOGGED(log, "run_softmax_finish_nc_f32: output is not 4-byte aligned");
  ExpectOutputUntouched();
}

TEST_F(SoftmaxBadInput, BatchZeroWritesNothing) {
  CreateReshaped(5, 0);
  ASSERT_EQ(twopass_status_success, twopass_setup_softmax_nc_f32(op_, input_.data(), output_.data()));
  ASSERT_EQ(twopass_status_success, twopass_run_operator(op_, nullptr));
  ASSERT_EQ(twopass_status_success,
            twopass_run_softmax_nc_f32(5, 5, 5, 0, input_.data(), output_.data(), 0, nullptr));
  ExpectOutputUntouched();
}

}  // namespace
}  // namespace testing
}  // namespace twopass
