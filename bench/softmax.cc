// Google Benchmark suite of the softmax operator (include/twopass.h) on the
// shapes inference engines use (issue 6): one benchmark per shape, thread
// count and algorithm flag, plus a thread sweep for single long rows; and the
// log-softmax operator and the masked softmax (issue 13) on the same shapes.
//
// Counters: items_per_second = elements per second; bytes_per_second = the
// real bytes each algorithm moves (two-pass 12 B/elt, three-pass-reload 20,
// three-pass-recompute 16, automatic counted as 12, log-softmax 12, masked 20:
// the mask is read in both passes; write-allocate traffic not counted). Wall time is reported (UseRealTime), since pool threads work
// off the benchmark thread.
//
// Out-of-cache shapes (input + output above 32 MiB) rotate over buffer sets
// adding up to 1 GiB, so every call starts from DRAM; smaller ones reuse one
// buffer. The ISA is the best the CPU has, or TWOPASS_MAX_ISA. For ratios you
// can trust on a noisy machine, prefer tools/twopass-bench, which interleaves
// its contenders sample by sample.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include "twopass.h"

namespace {

constexpr size_t kMiB = 1024 * 1024;
constexpr size_t kRotationBytes = 1024 * kMiB;  // input + output, all sets
constexpr size_t kColdAboveBytes = 32 * kMiB;   // this VM's effective L3 is 16-32 MiB

enum class Operation { kSoftmax, kLogSoftmax, kMaskedSoftmax };

struct Algorithm {
  const char* name;
  uint32_t flags;
  double bytes_per_element;
  Operation operation = Operation::kSoftmax;
};

const Algorithm kAlgorithms[] = {
    {"auto", 0, 12.0},
    {"two_pass", TWOPASS_FLAG_ALGORITHM_TWO_PASS, 12.0},
    {"three_pass_reload", TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD, 20.0},
    {"three_pass_recompute", TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE, 16.0},
    {"log_softmax", 0, 12.0, Operation::kLogSoftmax},
    // softmax(x * 0.125 + mask), the mask a tensor of the input's shape.
    {"masked_two_pass", TWOPASS_FLAG_ALGORITHM_TWO_PASS, 20.0, Operation::kMaskedSoftmax},
};

// The masked benchmarks' mask: values in [-2, 2], every 8th -inf, one per shape size
// (as large as one input: out of cache when the input is).
const float* GetMask(size_t elements) {
  static std::vector<float> mask;
  if (mask.size() < elements) {
    mask.resize(elements);
    uint64_t state = 20261205;
    for (size_t i = 0; i < elements; i++) {
      state = state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
      const float v = static_cast<float>(static_cast<double>(state >> 40) * 0x1.0p-24 * 4.0 - 2.0);
      mask[i] = i % 8 == 7 ? -INFINITY : v;
    }
  }
  return mask.data();
}

// setup (and the mask after it: setup unbinds it) for the benchmark's operation.
enum twopass_status Setup(const Algorithm& algorithm, twopass_operator_t op, const float* x,
                          float* y, size_t channels, const float* mask) {
  if (algorithm.operation == Operation::kLogSoftmax) {
    return twopass_setup_log_softmax_nc_f32(op, x, y);
  }
  enum twopass_status status = twopass_setup_softmax_nc_f32(op, x, y);
  if (status == twopass_status_success && algorithm.operation == Operation::kMaskedSoftmax) {
    status = twopass_setup_scale_mask(op, 0.125f, mask, channels);
  }
  return status;
}

// Inputs (uniform in [-10, 10] from a fixed seed) and outputs, carved per
// shape. Grows on demand, up to kRotationBytes (half inputs, half outputs),
// so a filtered run of small shapes stays small.
struct Arena {
  float* inputs = nullptr;
  float* outputs = nullptr;
  size_t floats_per_half = 0;
};

const Arena& GetArena(size_t floats_per_half) {
  static Arena arena;
  if (floats_per_half <= arena.floats_per_half) return arena;
  if (arena.inputs != nullptr) munmap(arena.inputs, arena.floats_per_half * 2 * sizeof(float));
  const size_t bytes = floats_per_half * 2 * sizeof(float);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    fprintf(stderr, "softmax_bench: cannot map %zu MiB\n", bytes / kMiB);
    abort();
  }
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  arena.inputs = static_cast<float*>(p);
  arena.outputs = arena.inputs + floats_per_half;
  arena.floats_per_half = floats_per_half;
  uint64_t state = 20260124;
  for (size_t i = 0; i < floats_per_half; i++) {
    state = state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    arena.inputs[i] = static_cast<float>(static_cast<double>(state >> 40) * 0x1.0p-24 * 20.0 - 10.0);
  }
  memset(arena.outputs, 0, floats_per_half * sizeof(float));
  return arena;
}

pthreadpool_t GetPool(size_t threads) {
  // Pools live for the whole process: creating threads is not what is measured.
  static std::map<size_t, pthreadpool_t> pools;
  if (threads <= 1) return nullptr;
  pthreadpool_t& pool = pools[threads];
  if (pool == nullptr) pool = pthreadpool_create(threads);
  return pool;
}

void Softmax(benchmark::State& state, const Algorithm* algorithm) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const size_t channels = static_cast<size_t>(state.range(1));
  const size_t threads = static_cast<size_t>(state.range(2));
  const size_t elements = batch * channels;

  if (twopass_initialize() != twopass_status_success) {
    state.SkipWithError("twopass_initialize failed");
    return;
  }
  // Sets start on 4 KiB boundaries, as separately allocated tensors would.
  const size_t set_floats = (elements + 1023) / 1024 * 1024;
  const size_t rotation_floats = kRotationBytes / 2 / sizeof(float);
  if (set_floats > rotation_floats) {
    state.SkipWithError("shape larger than the rotation memory");
    return;
  }
  const bool cold = 2 * elements * sizeof(float) > kColdAboveBytes;
  const size_t sets = cold ? rotation_floats / set_floats : 1;
  const Arena& arena = GetArena(sets * set_floats);

  pthreadpool_t pool = GetPool(threads);
  const float* mask =
      algorithm->operation == Operation::kMaskedSoftmax ? GetMask(elements) : nullptr;
  const bool log = algorithm->operation == Operation::kLogSoftmax;
  twopass_operator_t op = nullptr;
  if ((log ? twopass_create_log_softmax_nc_f32(algorithm->flags, &op)
           : twopass_create_softmax_nc_f32(algorithm->flags, &op)) != twopass_status_success ||
      (log ? twopass_reshape_log_softmax_nc_f32(op, channels, channels, channels, batch, pool)
           : twopass_reshape_softmax_nc_f32(op, channels, channels, channels, batch, pool)) !=
          twopass_status_success ||
      Setup(*algorithm, op, arena.inputs, arena.outputs, channels, mask) !=
          twopass_status_success) {
    state.SkipWithError("operator creation failed");
    if (op != nullptr) twopass_delete_operator(op);
    return;
  }
  // Warm-up call outside the timing (page faults, pool wake-up).
  twopass_run_operator(op, pool);

  size_t set = 0;
  for (auto _ : state) {
    if (sets > 1) {
      set = set + 1 == sets ? 0 : set + 1;
      Setup(*algorithm, op, arena.inputs + set * set_floats, arena.outputs + set * set_floats,
            channels, mask);
    }
    if (twopass_run_operator(op, pool) != twopass_status_success) {
      state.SkipWithError("twopass_run_operator failed");
      break;
    }
  }
  twopass_delete_operator(op);

  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(elements));
  state.SetBytesProcessed(static_cast<int64_t>(static_cast<double>(state.iterations()) *
                                               static_cast<double>(elements) *
                                               algorithm->bytes_per_element));
  state.SetLabel(std::string(twopass_isa_name()) + (cold ? " cold" : " hot"));
}

// Shapes of issue 6: LLM vocabularies, image classifiers, attention rows and
// single huge rows.
const int64_t kShapes[][2] = {
    {1, 1000},      {1, 4096},      {1, 32000},     {1, 131072},
    {1, 256000},    {1, 1 << 20},   {1, 1 << 24},   {1, 1 << 26},
    {128, 1000},    {8, 32000},     {1000, 128},
};

// One long row split over threads: the case no peer library parallelizes.
const int64_t kSweepShapes[][2] = {{1, 256000}, {1, 1 << 24}};
const int64_t kSweepThreads[] = {1, 2, 3, 4, 8};

const bool kRegistered = [] {
  for (const Algorithm& algorithm : kAlgorithms) {
    const std::string name = std::string("softmax/") + algorithm.name;
    auto* b = benchmark::RegisterBenchmark(name.c_str(), Softmax, &algorithm);
    b->ArgNames({"batch", "channels", "threads"})->UseRealTime();
    for (const auto& shape : kShapes) {
      for (int64_t threads : {1, 2}) b->Args({shape[0], shape[1], threads});
    }
    const std::string sweep = std::string("softmax_thread_sweep/") + algorithm.name;
    auto* s = benchmark::RegisterBenchmark(sweep.c_str(), Softmax, &algorithm);
    s->ArgNames({"batch", "channels", "threads"})->UseRealTime();
    for (const auto& shape : kSweepShapes) {
      for (int64_t threads : kSweepThreads) s->Args({shape[0], shape[1], threads});
    }
  }
  return true;
}();

}  // namespace
