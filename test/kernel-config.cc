// Kernel picks (issue 16): each kernel table (src/<family>/<family>.inc) marks the
// variant every ISA uses (TWOPASS_UKERNEL_DEFAULT, and in families with an nt member
// TWOPASS_UKERNEL_DEFAULT_NT; TWOPASS_UKERNEL_DEFAULT_BOTH is both). Checked here, for
// every family of src/twopass/families.h: each ISA with rows has exactly one pick (and
// one nt pick where applicable); the config selected for each ISA this CPU has holds
// exactly the marked kernels (falling back to the best lower ISA's pick where a family
// has no rows for the ISA); the info log names them, both through the internal ISA
// hook and through TWOPASS_MAX_ISA + TWOPASS_LOG_LEVEL=info in a fresh process.
#include <stdlib.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "twopass.h"
#include "twopass/config.h"
#include "twopass/isa.h"
#include "twopass/log.h"

namespace twopass {
namespace testing {
namespace {

enum : unsigned { kPick = 1u, kPickNt = 2u };

struct Row {
  const char* symbol;
  enum twopass_isa isa;
  unsigned picks;  // kPick | kPickNt
};

struct Selected {
  const char* symbol;
  enum twopass_isa isa;
};

struct Family {
  const char* name;
  bool has_nt;
  Selected (*selected)(const KernelConfig&);
  Selected (*selected_nt)(const KernelConfig&);  // nullptr without an nt member
  std::vector<Row> rows;
};

// Every family of twopass/families.h with its table's rows and marks.
const std::vector<Family>& Families() {
  static const std::vector<Family> families = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) {#ukernel, twopass_isa_##isa, 0u},
#define TWOPASS_UKERNEL_DEFAULT(isa, ukernel, tile) {#ukernel, twopass_isa_##isa, kPick},
#define TWOPASS_UKERNEL_DEFAULT_NT(isa, ukernel, tile) {#ukernel, twopass_isa_##isa, kPickNt},
#define TWOPASS_UKERNEL_DEFAULT_BOTH(isa, ukernel, tile) \
  {#ukernel, twopass_isa_##isa, kPick | kPickNt},
#define TWOPASS_FAMILY(member, fn_type, family_name)                                     \
  {family_name,                                                                          \
   false,                                                                                \
   [](const KernelConfig& c) { return Selected{c.member.name, c.member.isa}; },          \
   nullptr,                                                                              \
   {
#define TWOPASS_FAMILY_NT(member, nt_member, fn_type, family_name)                       \
  {family_name,                                                                          \
   true,                                                                                 \
   [](const KernelConfig& c) { return Selected{c.member.name, c.member.isa}; },          \
   [](const KernelConfig& c) { return Selected{c.nt_member.name, c.nt_member.isa}; },    \
   {
#define TWOPASS_FAMILY_END }},
#include "twopass/families.h"
  };
  return families;
}

// The row of `family` marked `mark` for `isa`, falling back to lower ISAs while the
// family has no rows for it (what the library must select); nullptr when there is none.
const Row* MarkedRow(const Family& family, enum twopass_isa isa, unsigned mark) {
  for (int level = static_cast<int>(isa); level >= 0; level--) {
    for (const Row& row : family.rows) {
      if (static_cast<int>(row.isa) == level && (row.picks & mark) != 0) return &row;
    }
  }
  return nullptr;
}

// "<regular picks in list order>; above <N> bytes of output: <nt picks>", as logged.
std::string ExpectedLogTail(enum twopass_isa isa) {
  std::string regular;
  std::string streamed;
  for (const Family& family : Families()) {
    const Row* row = MarkedRow(family, isa, kPick);
    regular += (regular.empty() ? "" : ", ") + std::string(row ? row->symbol : "?");
    if (family.has_nt) {
      const Row* nt = MarkedRow(family, isa, kPickNt);
      streamed += (streamed.empty() ? "" : ", ") + std::string(nt ? nt->symbol : "?");
    }
  }
  return regular + "; above " + std::to_string(NtThresholdBytes()) +
         " bytes of output: " + streamed;
}

TEST(KernelPicks, EveryFamilyIsListedWithRows) {
  ASSERT_FALSE(Families().empty());
  for (const Family& family : Families()) {
    EXPECT_FALSE(family.rows.empty()) << family.name;
    EXPECT_EQ(family.has_nt, family.selected_nt != nullptr) << family.name;
  }
}

// Exactly one pick per ISA with rows, exactly one nt pick in the families with an nt
// member, and no nt marks in the others.
TEST(KernelPicks, OnePickPerIsaWithRows) {
  for (const Family& family : Families()) {
    for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
      int rows = 0;
      int picks = 0;
      int nt_picks = 0;
      for (const Row& row : family.rows) {
        if (static_cast<int>(row.isa) != i) continue;
        rows++;
        if ((row.picks & kPick) != 0) picks++;
        if ((row.picks & kPickNt) != 0) nt_picks++;
      }
      const char* isa = twopass_isa_to_string(static_cast<enum twopass_isa>(i));
      EXPECT_EQ(rows > 0 ? 1 : 0, picks)
          << family.name << " " << isa << ": rows marked TWOPASS_UKERNEL_DEFAULT(_BOTH)";
      EXPECT_EQ(family.has_nt && rows > 0 ? 1 : 0, nt_picks)
          << family.name << " " << isa << ": rows marked TWOPASS_UKERNEL_DEFAULT_NT/_BOTH";
    }
    // Every ISA needs a kernel at or below it, so scalar needs a pick.
    EXPECT_NE(nullptr, MarkedRow(family, twopass_isa_scalar, kPick)) << family.name;
  }
}

class KernelConfigTest : public ::testing::TestWithParam<enum twopass_isa> {
 protected:
  void SetUp() override {
    if (!twopass_isa_supported(GetParam())) {
      GTEST_SKIP() << "this CPU lacks " << twopass_isa_to_string(GetParam());
    }
    ASSERT_EQ(twopass_status_success, twopass_initialize());
  }
  void TearDown() override {
    twopass_set_log_level(twopass_log_level_warning);
    if (twopass_isa_supported(GetParam())) {
      EXPECT_EQ(twopass_status_success,
                twopass_internal_set_isa(twopass_isa_best_supported()));
    }
  }
};

TEST_P(KernelConfigTest, SelectsTheMarkedKernels) {
  const enum twopass_isa isa = GetParam();
  ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(isa));
  const KernelConfig* config = ActiveKernelConfig();
  ASSERT_NE(nullptr, config);
  EXPECT_EQ(config, GetKernelConfig(isa));
  EXPECT_EQ(isa, config->isa);
  for (const Family& family : Families()) {
    const Row* row = MarkedRow(family, isa, kPick);
    ASSERT_NE(nullptr, row) << family.name;
    const Selected selected = family.selected(*config);
    EXPECT_STREQ(row->symbol, selected.symbol) << family.name;
    EXPECT_EQ(row->isa, selected.isa) << family.name;
    if (!family.has_nt) continue;
    const Row* nt = MarkedRow(family, isa, kPickNt);
    ASSERT_NE(nullptr, nt) << family.name;
    const Selected selected_nt = family.selected_nt(*config);
    EXPECT_STREQ(nt->symbol, selected_nt.symbol) << family.name << " (nt)";
    EXPECT_EQ(nt->isa, selected_nt.isa) << family.name << " (nt)";
  }
}

TEST_P(KernelConfigTest, InfoLogNamesTheMarkedKernels) {
  const enum twopass_isa isa = GetParam();
  ASSERT_EQ(twopass_status_success, twopass_set_log_level(twopass_log_level_info));
  ::testing::internal::CaptureStderr();
  const enum twopass_status status = twopass_internal_set_isa(isa);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(twopass_status_success, status);
  const std::string line = std::string("twopass: ISA ") + twopass_isa_to_string(isa) +
                           "; kernels: " + ExpectedLogTail(isa) + "\n";
  EXPECT_NE(std::string::npos, log.find(line)) << "expected:\n" << line << "log:\n" << log;
}

// The way users see it: TWOPASS_MAX_ISA caps the detected ISA and
// TWOPASS_LOG_LEVEL=info makes twopass_initialize() name the kernels (both read once
// per process, hence a fresh one).
// No twopass_initialize() in SetUp: the child process of the death test runs SetUp
// again, and its initialization must see the variables.
class KernelConfigFreshProcessTest : public ::testing::TestWithParam<enum twopass_isa> {
 protected:
  void SetUp() override {
    if (!twopass_isa_supported(GetParam())) {
      GTEST_SKIP() << "this CPU lacks " << twopass_isa_to_string(GetParam());
    }
  }
};

TEST_P(KernelConfigFreshProcessTest, InitializeLogsTheMarkedKernelsUnderMaxIsa) {
  const enum twopass_isa isa = GetParam();
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  const std::string tail = ExpectedLogTail(isa);
  ASSERT_EQ(0, setenv("TWOPASS_LOG_LEVEL", "info", 1));
  ASSERT_EQ(0, setenv("TWOPASS_MAX_ISA", twopass_isa_to_string(isa), 1));
  EXPECT_EXIT(
      {
        const enum twopass_status status = twopass_initialize();
        exit(status == twopass_status_success ? 0 : 1);
      },
      ::testing::ExitedWithCode(0),
      std::string("twopass: ISA ") + twopass_isa_to_string(isa) + "; kernels: " + tail);
  ASSERT_EQ(0, unsetenv("TWOPASS_MAX_ISA"));
  ASSERT_EQ(0, unsetenv("TWOPASS_LOG_LEVEL"));
}

std::string IsaName(const ::testing::TestParamInfo<enum twopass_isa>& info) {
  return twopass_isa_to_string(info.param);
}

INSTANTIATE_TEST_SUITE_P(Isa, KernelConfigTest,
                         ::testing::Values(twopass_isa_scalar, twopass_isa_sse2,
                                           twopass_isa_avx2, twopass_isa_avx512f),
                         IsaName);
INSTANTIATE_TEST_SUITE_P(Isa, KernelConfigFreshProcessTest,
                         ::testing::Values(twopass_isa_scalar, twopass_isa_sse2,
                                           twopass_isa_avx2, twopass_isa_avx512f),
                         IsaName);

}  // namespace
}  // namespace testing
}  // namespace twopass
