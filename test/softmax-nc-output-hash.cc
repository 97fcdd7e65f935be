// Bitwise guard for refactors of the operator (issue 16): runs a fixed table of shapes
// (tiles of short rows, strided and in-place rows, multi-chunk rows, split rows on a
// 2-thread pool, special rows, streamed output) for every ISA, element type and
// explicit algorithm, and compares a hash of every output byte (gaps included) with the
// hash recorded before the refactor. Inputs come from a fixed generator, not from
// TWOPASS_TEST_SEED. The automatic choice is left out: it depends on the cache sizes
// of the machine. A mismatch prints every shape's hash, so the first shape that
// changed is easy to find; TWOPASS_PRINT_HASHES=1 prints the table rows to paste
// after an intended change of results.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/config.h"
#include "f16-test-util.h"
#include "softmax-operator-tester.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

struct HashShape {
  size_t batch;
  size_t channels;
  size_t input_stride;
  size_t output_stride;
  bool inplace;
  size_t threads;
  bool streamed;  // NT threshold 0 (every f32 output streamed)
  bool special;   // rows with NaN, +inf, only -inf, huge magnitudes, -inf entries
  uint32_t extra_flags;
};

const HashShape kShapes[] = {
    {1, 1, 1, 1, false, 1, false, false, 0},
    {7, 33, 40, 35, false, 1, false, false, 0},
    {100, 128, 128, 128, false, 1, false, false, 0},
    {64, 130, 131, 133, false, 2, false, false, 0},
    {3, 1000, 1000, 1000, true, 1, false, false, 0},
    {2, 20000, 20003, 20001, false, 1, false, false, 0},
    {1, 50000, 50000, 50000, false, 2, false, false, 0},
    {3, 9000, 9000, 9000, true, 2, false, false, 0},
    {6, 3000, 3000, 3000, false, 1, false, true, 0},
    {6, 3000, 3000, 3000, false, 2, false, true, TWOPASS_FLAG_MASKED_ROW_ZERO},
    {6, 300, 300, 300, false, 1, false, true, TWOPASS_FLAG_MASKED_ROW_ZERO},
    {32, 1000, 1000, 1000, false, 1, true, false, 0},
    {1, 40000, 40000, 40000, false, 2, true, false, 0},
};

// A fixed sequence of floats in [-20, 20) (a 64-bit LCG, top 24 bits).
class Generator {
 public:
  float Next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>(state_ >> 40) * 0x1.0p-24f * 40.0f - 20.0f;
  }

 private:
  uint64_t state_ = 0x2B7E151628AED2A6ull;
};

// Input rows of `s` (span elements), special rows written over the first rows.
std::vector<float> MakeInput(const HashShape& s, Generator* g) {
  const size_t span = (s.batch - 1) * s.input_stride + s.channels;
  std::vector<float> x(span);
  for (float& v : x) v = g->Next();
  if (s.special) {
    float* row = x.data();
    row[s.channels / 3] = NAN;  // row 0: NaN
    row += s.input_stride;
    row[1] = INFINITY;  // row 1: two +inf
    row[s.channels - 1] = INFINITY;
    row += s.input_stride;
    for (size_t c = 0; c < s.channels; c++) row[c] = -INFINITY;  // row 2: only -inf
    row += s.input_stride;
    for (size_t c = 0; c < s.channels; c++) row[c] *= 4000.0f;  // row 3: beyond two-pass range
    row += s.input_stride;
    for (size_t c = 0; c < s.channels; c += 3) row[c] = -INFINITY;  // row 4: -inf entries
  }
  return x;
}

uint64_t Fnv1a(const void* data, size_t bytes, uint64_t hash = 0xCBF29CE484222325ull) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; i++) {
    hash ^= p[i];
    hash *= 0x100000001B3ull;
  }
  return hash;
}

// Hash of the whole output buffer of one run.
uint64_t RunShape(const HashShape& s, bool f16, uint32_t flags, pthreadpool_t pool,
                  Generator* g) {
  const std::vector<float> x = MakeInput(s, g);
  const size_t out_span = (s.batch - 1) * s.output_stride + s.channels;
  const size_t saved = twopass_internal_set_nt_threshold(s.streamed ? 0 : SIZE_MAX);
  pthreadpool_t threadpool = s.threads > 1 ? pool : nullptr;
  flags |= s.extra_flags;
  uint64_t hash;
  if (f16) {
    std::vector<uint16_t> hx(x.size());
    // [-5, 5): in [-20, 20) most outputs of long rows would underflow in f16, and the
    // hash would not tell algorithms or ISAs apart.
    for (size_t i = 0; i < x.size(); i++) hx[i] = FloatToHalf(0.25f * x[i]);
    std::vector<uint16_t> y(std::max(out_span, hx.size()), 0x7E5A);
    const void* input = hx.data();
    if (s.inplace) {
      std::copy(hx.begin(), hx.end(), y.begin());
      input = y.data();
    }
    EXPECT_EQ(twopass_status_success,
              twopass_run_softmax_nc_f16(s.channels, s.input_stride, s.output_stride, s.batch,
                                         input, y.data(), flags, threadpool));
    hash = Fnv1a(y.data(), out_span * sizeof(uint16_t));
  } else {
    std::vector<float> y(std::max(out_span, x.size()), BitsToFloat(kUntouchedBits));
    const float* input = x.data();
    if (s.inplace) {
      std::copy(x.begin(), x.end(), y.begin());
      input = y.data();
    }
    EXPECT_EQ(twopass_status_success,
              twopass_run_softmax_nc_f32(s.channels, s.input_stride, s.output_stride, s.batch,
                                         input, y.data(), flags, threadpool));
    hash = Fnv1a(y.data(), out_span * sizeof(float));
  }
  twopass_internal_set_nt_threshold(saved);
  return hash;
}

struct Recorded {
  const char* name;  // isa_type_algorithm
  uint64_t hash;
};

// Recorded on 2026-12-04 at dd8efd7 (before the operator refactor of issue 16), AMD
// Zen 5, gcc 12. Every ISA's kernels give the same bits on any x86-64 CPU that has the
// ISA; the compiler is part of the contract here (sanitizer builds use clang and skip
// this test, see SANITIZER_SKIP in test/BUILD.bazel).
const Recorded kRecorded[] = {
#include "softmax-nc-output-hashes.inc"
};

using HashParam = std::pair<enum twopass_isa, std::pair<bool, uint32_t>>;

std::string ParamName(const HashParam& p) {
  return std::string(twopass_isa_to_string(p.first)) + "_" + (p.second.first ? "f16" : "f32") +
         "_" + AlgorithmFlagName(p.second.second);
}

class OutputHash : public ::testing::TestWithParam<HashParam> {};

TEST_P(OutputHash, BitwiseDeterministic) {
  TWOPASS_SELECT_ISA(GetParam().first);
  const bool f16 = GetParam().second.first;
  const uint32_t flags = GetParam().second.second;
  pthreadpool_t pool = pthreadpool_create(2);
  ASSERT_NE(nullptr, pool);
  Generator g;
  uint64_t hash = 0xCBF29CE484222325ull;
  std::string shapes;
  for (const HashShape& s : kShapes) {
    const uint64_t h = RunShape(s, f16, flags, pool, &g);
    hash = Fnv1a(&h, sizeof(h), hash);
    char line[160];
    snprintf(line, sizeof(line), "  %zu x %zu (strides %zu, %zu)%s, %zu thread(s)%s%s: %016llx\n",
             s.batch, s.channels, s.input_stride, s.output_stride, s.inplace ? " in place" : "",
             s.threads, s.streamed ? ", streamed" : "", s.special ? ", special rows" : "",
             static_cast<unsigned long long>(h));
    shapes += line;
  }
  pthreadpool_destroy(pool);
  const std::string name = ParamName(GetParam());
  if (getenv("TWOPASS_PRINT_HASHES") != nullptr) {
    printf("    {\"%s\", 0x%016llxull},\n", name.c_str(), static_cast<unsigned long long>(hash));
    if (strcmp(getenv("TWOPASS_PRINT_HASHES"), "shapes") == 0) printf("%s", shapes.c_str());
  }
  const Recorded* recorded = nullptr;
  for (const Recorded& r : kRecorded) {
    if (name == r.name) recorded = &r;
  }
  ASSERT_NE(nullptr, recorded) << "no recorded hash for " << name;
  EXPECT_EQ(recorded->hash, hash) << name << ": outputs differ from the recorded ones; "
                                  << "per shape:\n"
                                  << shapes;
}

std::vector<HashParam> AllParams() {
  std::vector<HashParam> params;
  for (int isa = 0; isa < TWOPASS_ISA_COUNT; isa++) {
    for (bool f16 : {false, true}) {
      for (uint32_t flags : AllAlgorithmFlags()) {
        if (flags == 0) continue;  // automatic: machine-dependent
        params.push_back({static_cast<enum twopass_isa>(isa), {f16, flags}});
      }
    }
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(Table, OutputHash, ::testing::ValuesIn(AllParams()),
                         [](const ::testing::TestParamInfo<HashParam>& info) {
                           return ParamName(info.param);
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
