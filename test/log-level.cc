// twopass_set_log_level(): the public switch for diagnostics. Checked through the
// public header only, by what actually reaches stderr.
#include <stdlib.h>

#include <string>

#include <gtest/gtest.h>

#include "twopass.h"

namespace {

// A call that is rejected and logs one error line naming the NULL argument.
std::string LogOfRejectedCall() {
  ::testing::internal::CaptureStderr();
  const enum twopass_status status = twopass_create_softmax_nc_f32(0, nullptr);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(twopass_status_invalid_parameter, status);
  return log;
}

class LogLevel : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(twopass_status_success, twopass_initialize()); }
  // Back to the documented default for the tests that follow.
  void TearDown() override {
    EXPECT_EQ(twopass_status_success, twopass_set_log_level(twopass_log_level_warning));
  }
};

TEST_F(LogLevel, NoneSilencesErrors) {
  ASSERT_EQ(twopass_status_success, twopass_set_log_level(twopass_log_level_none));
  EXPECT_EQ("", LogOfRejectedCall());
}

TEST_F(LogLevel, EveryLevelFromErrorUpShowsErrors) {
  for (auto level : {twopass_log_level_error, twopass_log_level_warning, twopass_log_level_info,
                     twopass_log_level_debug}) {
    ASSERT_EQ(twopass_status_success, twopass_set_log_level(level));
    EXPECT_EQ("twopass: create_softmax_nc_f32: softmax_op_out is NULL\n", LogOfRejectedCall())
        << "level " << level;
  }
}

TEST_F(LogLevel, OutOfRangeIsRejectedAndKeepsTheLevel) {
  ASSERT_EQ(twopass_status_success, twopass_set_log_level(twopass_log_level_none));
  for (int bad : {-1, 5, 1000}) {
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(twopass_status_invalid_parameter,
              twopass_set_log_level(static_cast<enum twopass_log_level>(bad)));
    EXPECT_EQ("", ::testing::internal::GetCapturedStderr()) << "level none must stay";
    EXPECT_EQ("", LogOfRejectedCall()) << "after rejecting " << bad;
  }
  // At error level, the rejection itself is reported.
  ASSERT_EQ(twopass_status_success, twopass_set_log_level(twopass_log_level_error));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(twopass_status_invalid_parameter,
            twopass_set_log_level(static_cast<enum twopass_log_level>(7)));
  EXPECT_EQ("twopass: set_log_level: level (7) is not a twopass_log_level\n",
            ::testing::internal::GetCapturedStderr());
}

// TWOPASS_LOG_LEVEL is read once, lazily; the setter wins over it. Each case runs in
// a fresh process so that the variable is read anew.
TEST(LogLevelDeathTest, SetterOverridesEnvironment) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  // Control: the variable alone silences the library...
  ASSERT_EQ(0, setenv("TWOPASS_LOG_LEVEL", "none", 1));
  EXPECT_EXIT(
      {
        twopass_initialize();
        twopass_create_softmax_nc_f32(0, nullptr);
        exit(0);
      },
      ::testing::ExitedWithCode(0), "^$");
  // ...unless the setter asks for errors.
  EXPECT_EXIT(
      {
        twopass_set_log_level(twopass_log_level_error);
        twopass_initialize();
        twopass_create_softmax_nc_f32(0, nullptr);
        exit(0);
      },
      ::testing::ExitedWithCode(0), "create_softmax_nc_f32: softmax_op_out is NULL");
  // And the other way: debug from the environment, silenced by the setter (initialize
  // would log the chosen kernels at info level).
  ASSERT_EQ(0, setenv("TWOPASS_LOG_LEVEL", "debug", 1));
  EXPECT_EXIT(
      {
        twopass_set_log_level(twopass_log_level_none);
        twopass_initialize();
        twopass_create_softmax_nc_f32(0, nullptr);
        exit(0);
      },
      ::testing::ExitedWithCode(0), "^$");
  ASSERT_EQ(0, unsetenv("TWOPASS_LOG_LEVEL"));
}

}  // namespace
