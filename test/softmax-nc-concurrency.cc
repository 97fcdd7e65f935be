// Concurrent use of the public API, meant to run under ThreadSanitizer (--config=tsan)
// as well as plainly: twopass_initialize raced from many threads, and many operators
// (f32 and f16, every algorithm flag, different shapes) created, reshaped, set up, run
// and deleted at the same time from several std::threads, sharing one pthreadpool or
// each with its own. Outputs must equal the serial run's bit for bit (chunking depends
// on channels only). One operator used by two threads at once is not allowed
// (twopass.h, "Threading"), so no test does that.
//
// InitializeRace must be the first test of this binary: it is the only one that calls
// twopass_initialize before the library is initialized. Every other test calls it too,
// so the file works with a filter, just without the race.
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "twopass.h"

namespace {

constexpr uint32_t kFlagChoices[] = {
    0,
    TWOPASS_FLAG_ALGORITHM_TWO_PASS,
    TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
    TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
    TWOPASS_FLAG_ALGORITHM_TWO_PASS | TWOPASS_FLAG_MASKED_ROW_ZERO,
};

// Makes every thread wait until all have arrived, so that their first calls overlap.
class StartLine {
 public:
  explicit StartLine(size_t threads) : waiting_(threads) {}
  void ArriveAndWait() {
    waiting_.fetch_sub(1);
    while (waiting_.load() != 0) std::this_thread::yield();
  }

 private:
  std::atomic<size_t> waiting_;
};

TEST(SoftmaxConcurrency, InitializeRace) {
  constexpr size_t kThreads = 16;
  StartLine start(kThreads);
  std::vector<enum twopass_status> statuses(kThreads, twopass_status_uninitialized);
  std::vector<std::string> isa_names(kThreads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      start.ArriveAndWait();
      statuses[t] = twopass_initialize();
      // Whoever returns success must see the initialized library right away.
      isa_names[t] = twopass_isa_name();
      twopass_operator_t op = nullptr;
      if (twopass_create_softmax_nc_f32(0, &op) == twopass_status_success) {
        twopass_delete_operator(op);
      } else {
        statuses[t] = twopass_status_invalid_state;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t t = 0; t < kThreads; t++) {
    EXPECT_EQ(twopass_status_success, statuses[t]) << "thread " << t;
    EXPECT_EQ(isa_names[0], isa_names[t]) << "thread " << t;
    EXPECT_NE("uninitialized", isa_names[t]) << "thread " << t;
  }
}

// One piece of work: a shape, element type and flags, its input and the serial output.
struct Job {
  bool f16;
  uint32_t flags;
  size_t channels, input_stride, output_stride, batch;
  std::vector<float> input_f32, expected_f32;
  std::vector<uint16_t> input_f16, expected_f16;
};

// f16 inputs as raw bit patterns of halves in [-8, 8]: sign, exponent 1..17, any mantissa.
uint16_t RandomHalf(std::mt19937& rng) {
  const uint32_t bits = rng();
  const uint16_t exponent = 1 + (bits >> 10) % 17;
  return static_cast<uint16_t>(((bits >> 20) & 1) << 15 | exponent << 10 | (bits & 0x3FF));
}

std::vector<Job> MakeJobs(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-20.0f, 20.0f);
  // Short rows (rows across threads) and rows longer than one 4096-element chunk
  // (split rows, scratch space).
  const size_t kChannels[] = {1, 7, 64, 1000, 4097, 9000, 20000};
  std::vector<Job> jobs;
  for (size_t j = 0; j < count; j++) {
    Job job;
    job.f16 = j % 3 == 2;
    job.flags = kFlagChoices[j % (sizeof(kFlagChoices) / sizeof(kFlagChoices[0]))];
    job.channels = kChannels[j % (sizeof(kChannels) / sizeof(kChannels[0]))];
    job.input_stride = job.channels + j % 5;
    job.output_stride = job.channels + j % 3;
    job.batch = job.channels > 4096 ? 1 + j % 3 : 1 + j % 17;
    const size_t input_size = (job.batch - 1) * job.input_stride + job.channels;
    const size_t output_size = (job.batch - 1) * job.output_stride + job.channels;
    enum twopass_status status;
    if (job.f16) {
      job.input_f16.resize(input_size);
      for (uint16_t& h : job.input_f16) h = RandomHalf(rng);
      job.expected_f16.assign(output_size, 0x7E00);
      status = twopass_run_softmax_nc_f16(job.channels, job.input_stride, job.output_stride,
                                          job.batch, job.input_f16.data(),
                                          job.expected_f16.data(), job.flags, nullptr);
    } else {
      job.input_f32.resize(input_size);
      for (float& x : job.input_f32) x = dist(rng);
      job.expected_f32.assign(output_size, -1.0f);
      status = twopass_run_softmax_nc_f32(job.channels, job.input_stride, job.output_stride,
                                          job.batch, job.input_f32.data(),
                                          job.expected_f32.data(), job.flags, nullptr);
    }
    EXPECT_EQ(twopass_status_success, status) << "job " << j;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

// create, reshape, setup, run (twice, the second time on a fresh output), delete.
// Returns an empty string on success, else what went wrong.
std::string RunJob(const Job& job, pthreadpool_t pool) {
  twopass_operator_t op = nullptr;
  const auto create = job.f16 ? twopass_create_softmax_nc_f16 : twopass_create_softmax_nc_f32;
  if (create(job.flags, &op) != twopass_status_success) return "create failed";
  std::string error;
  std::vector<float> output_f32(job.expected_f32.size(), -1.0f);
  std::vector<uint16_t> output_f16(job.expected_f16.size(), 0x7E00);
  const auto reshape = job.f16 ? twopass_reshape_softmax_nc_f16 : twopass_reshape_softmax_nc_f32;
  if (reshape(op, job.channels, job.input_stride, job.output_stride, job.batch, pool) !=
      twopass_status_success) {
    error = "reshape failed";
  } else {
    for (int run = 0; run < 2 && error.empty(); run++) {
      std::fill(output_f32.begin(), output_f32.end(), -1.0f);
      std::fill(output_f16.begin(), output_f16.end(), uint16_t{0x7E00});
      const enum twopass_status setup =
          job.f16 ? twopass_setup_softmax_nc_f16(op, job.input_f16.data(), output_f16.data())
                  : twopass_setup_softmax_nc_f32(op, job.input_f32.data(), output_f32.data());
      if (setup != twopass_status_success) {
        error = "setup failed";
      } else if (twopass_run_operator(op, pool) != twopass_status_success) {
        error = "run failed";
      } else if (job.f16 ? output_f16 != job.expected_f16
                         : memcmp(output_f32.data(), job.expected_f32.data(),
                                  output_f32.size() * sizeof(float)) != 0) {
        error = "output differs from the serial run";
      }
    }
  }
  if (twopass_delete_operator(op) != twopass_status_success && error.empty()) {
    error = "delete failed";
  }
  return error;
}

enum class Pools { kNone, kShared, kPerThread, kMixed };

// kThreads threads each run every job kRounds times, starting at different jobs, with
// the pools given; the first failure of each thread is reported.
void RunConcurrently(Pools pools) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  constexpr size_t kThreads = 6;
  constexpr size_t kRounds = 2;
  const std::vector<Job> jobs = MakeJobs(21, 20261204);
  pthreadpool_t shared_pool = pthreadpool_create(3);
  ASSERT_NE(nullptr, shared_pool);
  StartLine start(kThreads);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      pthreadpool_t own_pool = pthreadpool_create(1 + t % 3);
      start.ArriveAndWait();
      if (own_pool == nullptr) {
        failures[t] = "pthreadpool_create failed";
        return;
      }
      for (size_t i = 0; i < kRounds * jobs.size() && failures[t].empty(); i++) {
        const size_t j = (i + 5 * t) % jobs.size();
        pthreadpool_t pool = nullptr;
        switch (pools) {
          case Pools::kNone: break;
          case Pools::kShared: pool = shared_pool; break;
          case Pools::kPerThread: pool = own_pool; break;
          case Pools::kMixed: pool = i % 3 == 0 ? nullptr : i % 3 == 1 ? shared_pool : own_pool;
        }
        const std::string error = RunJob(jobs[j], pool);
        if (!error.empty()) failures[t] = "job " + std::to_string(j) + ": " + error;
      }
      pthreadpool_destroy(own_pool);
    });
  }
  for (auto& thread : threads) thread.join();
  pthreadpool_destroy(shared_pool);
  for (size_t t = 0; t < kThreads; t++) EXPECT_EQ("", failures[t]) << "thread " << t;
}

TEST(SoftmaxConcurrency, ManyOperatorsNoPool) { RunConcurrently(Pools::kNone); }
TEST(SoftmaxConcurrency, ManyOperatorsSharedPool) { RunConcurrently(Pools::kShared); }
TEST(SoftmaxConcurrency, ManyOperatorsPoolPerThread) { RunConcurrently(Pools::kPerThread); }
TEST(SoftmaxConcurrency, ManyOperatorsMixedPools) { RunConcurrently(Pools::kMixed); }

// Operators created on one thread, used on another and deleted on a third (handed over
// with a join in between each time), while other threads create and delete their own:
// the registry of live operators under concurrent insertion and removal.
TEST(SoftmaxConcurrency, OperatorsHandedBetweenThreads) {
  ASSERT_EQ(twopass_status_success, twopass_initialize());
  constexpr size_t kOperators = 64;
  std::vector<twopass_operator_t> ops(kOperators, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<size_t> churn_failures{0};
  std::thread churn([&] {
    while (!stop.load()) {
      twopass_operator_t op = nullptr;
      if (twopass_create_softmax_nc_f16(0, &op) != twopass_status_success ||
          twopass_delete_operator(op) != twopass_status_success) {
        churn_failures.fetch_add(1);
      }
    }
  });
  std::thread creator([&] {
    for (size_t i = 0; i < kOperators; i++) {
      twopass_create_softmax_nc_f32(kFlagChoices[i % 5], &ops[i]);
    }
  });
  creator.join();
  std::vector<float> input(300 * 4), output(300 * 4);
  for (size_t i = 0; i < input.size(); i++) input[i] = static_cast<float>(i % 37) * 0.25f;
  std::atomic<size_t> run_failures{0};
  std::thread user([&] {
    pthreadpool_t pool = pthreadpool_create(2);
    for (twopass_operator_t op : ops) {
      if (twopass_reshape_softmax_nc_f32(op, 300, 300, 300, 4, pool) != twopass_status_success ||
          twopass_setup_softmax_nc_f32(op, input.data(), output.data()) != twopass_status_success ||
          twopass_run_operator(op, pool) != twopass_status_success) {
        run_failures.fetch_add(1);
      }
    }
    pthreadpool_destroy(pool);
  });
  user.join();
  size_t delete_failures = 0;
  std::thread deleter([&] {
    for (twopass_operator_t op : ops) {
      delete_failures += twopass_delete_operator(op) != twopass_status_success;
    }
  });
  deleter.join();
  stop.store(true);
  churn.join();
  EXPECT_EQ(0u, run_failures.load());
  EXPECT_EQ(0u, delete_failures);
  EXPECT_EQ(0u, churn_failures.load());
}

}  // namespace
