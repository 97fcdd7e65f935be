// Parallelism and determinism: thread counts 1..8 (rows across threads and long rows
// split into chunks), outputs bitwise identical to the single-threaded run for every
// pool size, and separate operators used concurrently from several std::threads.
#include <string.h>

#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "softmax-operator-tester.h"

namespace twopass {
namespace testing {
namespace {

class SoftmaxThreading : public ::testing::TestWithParam<IsaAlgorithm> {
 protected:
  void SetUp() override { TWOPASS_SELECT_ISA(GetParam().first); }
  uint32_t flags() const { return GetParam().second; }
};

// Accuracy with pools of every size, in both parallel modes (batch >= threads: rows
// across threads; batch < threads: rows split into chunks).
TEST_P(SoftmaxThreading, ThreadCounts) {
  for (size_t threads = 1; threads <= 8; threads++) {
    for (size_t batch : {1, 3, 9}) {
      if (batch == 9 && threads % 3 != 0) continue;  // rows across threads: sampled
      SoftmaxOperatorTester()
          .channels(threads % 2 ? 12289 : 8191)
          .input_stride(12300)
          .output_stride(12301)
          .batch_size(batch)
          .threads(threads)
          .flags(flags())
          .Test();
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(SoftmaxThreading, SplitRowsInPlace) {
  SoftmaxOperatorTester().channels(50001).batch_size(2).threads(5).inplace(true).flags(flags()).Test();
}

TEST_P(SoftmaxThreading, ManyShortRows) {
  SoftmaxOperatorTester().channels(128).batch_size(1000).threads(3).flags(flags()).Test();
}

// The same input gives the same bits with no pool, pools of 1..8 threads, and the
// one-shot call: chunking depends on channels only.
TEST_P(SoftmaxThreading, BitwiseDeterministic) {
  for (size_t channels : {4097, 30011, 100000}) {
    for (size_t batch : {1, 3}) {
      if (channels * batch > 100000) continue;  // keep the suite fast
      std::vector<float> reference;
      SoftmaxOperatorTester base;
      base.channels(channels).batch_size(batch).flags(flags()).input_range(-20.0f, 20.0f);
      base.threads(0).Test(&reference);
      if (HasFatalFailure()) return;
      for (size_t threads : {1, 2, 3, 8}) {
        std::vector<float> output;
        SoftmaxOperatorTester(base).threads(threads).Test(&output);
        if (HasFatalFailure()) return;
        ASSERT_EQ(reference.size(), output.size());
        ASSERT_EQ(0, memcmp(reference.data(), output.data(), output.size() * sizeof(float)))
            << "threads " << threads << ", channels " << channels << ", batch " << batch;
      }
      std::vector<float> output;
      SoftmaxOperatorTester(base).threads(4).one_shot(true).Test(&output);
      ASSERT_EQ(0, memcmp(reference.data(), output.data(), output.size() * sizeof(float)));
    }
  }
}

// Special rows inside a split run keep the bits of the serial run too.
TEST_P(SoftmaxThreading, BitwiseDeterministicWithSpecialRows) {
  SoftmaxOperatorTester base;
  base.channels(40000).batch_size(3).flags(flags()).row_filler(
      [](size_t row, float* x, size_t n, std::mt19937& rng) {
        std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
        for (size_t i = 0; i < n; i++) x[i] = dist(rng) + (row == 1 ? 1e5f : 0.0f);
        if (row == 2) x[n / 2] = INFINITY;
      });
  std::vector<float> reference, output;
  base.Test(&reference);
  SoftmaxOperatorTester(base).threads(8).Test(&output);
  ASSERT_EQ(0, memcmp(reference.data(), output.data(), output.size() * sizeof(float)));
}

INSTANTIATE_TEST_SUITE_P(IsaAlgorithm, SoftmaxThreading, ::testing::ValuesIn(AllIsaAlgorithms()),
                         IsaAlgorithmName);

// Several threads, each with its own operators (different shapes and algorithms),
// running at the same time; one pool shared by all of them too.
TEST(SoftmaxConcurrency, SeparateOperatorsFromSeveralThreads) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  ASSERT_EQ(twopass_status_success, twopass_internal_set_isa(twopass_isa_best_supported()));
  constexpr size_t kThreads = 4;
  pthreadpool_t shared_pool = pthreadpool_create(2);
  ASSERT_NE(nullptr, shared_pool);
  // Serial results first.
  struct Job {
    size_t channels, batch;
    uint32_t flags;
    std::vector<float> input, expected;
  };
  std::vector<Job> jobs;
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
  for (size_t t = 0; t < kThreads; t++) {
    Job job{1000 + 4000 * t, 2 + t, AllAlgorithmFlags()[t % 4], {}, {}};
    job.input.resize(job.channels * job.batch);
    for (float& v : job.input) v = dist(rng);
    job.expected.resize(job.input.size());
    ASSERT_EQ(twopass_status_success,
              twopass_run_softmax_nc_f32(job.channels, job.channels, job.channels, job.batch,
                                         job.input.data(), job.expected.data(), job.flags,
                                         nullptr));
    jobs.push_back(std::move(job));
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      const Job& job = jobs[t];
      std::vector<float> output(job.input.size());
      for (int iteration = 0; iteration < 20; iteration++) {
        twopass_operator_t op = nullptr;
        pthreadpool_t pool = iteration % 2 ? shared_pool : nullptr;
        if (twopass_create_softmax_nc_f32(job.flags, &op) != twopass_status_success ||
            twopass_reshape_softmax_nc_f32(op, job.channels, job.channels, job.channels,
                                           job.batch, pool) != twopass_status_success ||
            twopass_setup_softmax_nc_f32(op, job.input.data(), output.data()) !=
                twopass_status_success ||
            twopass_run_operator(op, pool) != twopass_status_success ||
            twopass_delete_operator(op) != twopass_status_success) {
          mismatches[t]++;
          continue;
        }
        mismatches[t] +=
            memcmp(output.data(), job.expected.data(), output.size() * sizeof(float)) != 0;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  pthreadpool_destroy(shared_pool);
  for (size_t t = 0; t < kThreads; t++) EXPECT_EQ(0, mismatches[t]) << "thread " << t;
}

}  // namespace
}  // namespace testing
}  // namespace twopass
