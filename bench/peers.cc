// peers_bench: TwoPass's softmax operator side by side with XNNPACK's softmax
// operator (Debian's 2022 snapshot) and oneDNN's softmax primitive (2.6), on the
// shapes of issue 6, in one process run.
//
// How it measures (the method of ../shared/notes/performance.md and
// tools/twopass-bench.cc):
// - Contenders are interleaved sample by sample and the order rotates every
//   sample, so the drifts of a shared VM hit all of them alike: compare the
//   ratios of one run, not absolute times across runs.
// - A shape whose input + output exceed --cold-above is measured out of cache:
//   one call per sample, each call on the next of several buffer sets that add
//   up to --total-memory, so no call finds its data in the cache. Other shapes
//   reuse one buffer set and repeat calls for >= --min-time per sample.
// - Binding the buffers (setup) is outside the timed region for every
//   contender; only the run call (oneDNN: execute + stream wait) is timed.
// - Each contender's output is checked once per shape against a
//   double-precision softmax of the same input: the largest |sum of a row - 1|
//   and the largest relative error of an element.
//
// Built only by scripts/bench-peers.sh (the target is manual: it needs
// libxnnpack-dev and libdnnl-dev, which the default build does not install).
#include <dlfcn.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <pthreadpool.h>
#include <xnnpack.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "tools/bench-util.h"
#include "twopass.h"

namespace {

using twopass_bench::Arena;
using twopass_bench::FillUniform;
using twopass_bench::kGiB;
using twopass_bench::kKiB;
using twopass_bench::kMiB;
using twopass_bench::Median;
using twopass_bench::MemAvailableBytes;
using twopass_bench::ParseSize;
using twopass_bench::SplitList;

// ----------------------------------------------------------------------------
// Options.

struct Shape {
  size_t batch;
  size_t channels;
  std::string label;
};

struct Options {
  std::vector<Shape> shapes;
  std::vector<std::string> contenders;  // empty: all
  size_t threads = 1;
  size_t repetitions = 15;
  double min_time_s = 0.002;
  double gap_s = -1.0;  // < 0: the default for the thread count
  size_t total_memory = kGiB;
  size_t cold_above = 32 * kMiB;
  uint64_t seed = 20260124;
  bool csv = false;
};

const char kDefaultShapes[] =
    "1x1000,1x4096,1x32000,1x131072,1x256000,1x2^20,1x2^24,1x2^26,128x1000,8x32000,1000x128";

const char* const kContenderNames[] = {"twopass-auto", "twopass-2pass", "twopass-3pass-reload",
                                       "xnnpack", "onednn"};

void PrintHelp(FILE* f) {
  fprintf(f,
          "Usage: peers_bench [options]   (normally run through scripts/bench-peers.sh)\n"
          "\n"
          "Softmax along the last axis of [batch x channels] f32 tensors: TwoPass (automatic\n"
          "algorithm, two-pass, three-pass-reload) against XNNPACK's softmax operator and\n"
          "oneDNN's softmax primitive, interleaved sample by sample in one run.\n"
          "\n"
          "Options (SIZE = N, NK, NM, NG (binary) or 2^N):\n"
          "  -s, --shapes LIST      comma-separated BxN or N (= 1xN) (default:\n"
          "                         %s)\n"
          "  -c, --contenders LIST  any of twopass-auto, twopass-2pass, twopass-3pass-reload,\n"
          "                         xnnpack, onednn (default: all). Ratios need twopass-auto.\n"
          "  -t, --threads N        1 runs every contender on the calling thread (NULL pool;\n"
          "                         pin with taskset -c 1); N > 1 passes one pthreadpool of N\n"
          "                         threads to TwoPass and XNNPACK and sets oneDNN's OpenMP\n"
          "                         to N threads (default 1).\n"
          "  -r, --repetitions N    samples per contender and shape (default 15).\n"
          "      --min-time MS      least time of an in-cache sample (default 2).\n"
          "      --gap MS           idle time after every sample, so that the spinning idle\n"
          "                         workers of one runtime (OpenMP, pthreadpool) do not steal\n"
          "                         cores from the next contender (default: 0 with 1 thread,\n"
          "                         10 with more).\n"
          "      --total-memory SIZE  buffer sets rotated over out of cache (default 1G;\n"
          "                         capped at half of MemAvailable).\n"
          "      --cold-above SIZE  input + output bytes above which a shape is measured\n"
          "                         out of cache (default 32M).\n"
          "      --seed N           input seed (inputs uniform in [-10, 10]).\n"
          "      --csv              CSV on stdout instead of the table.\n"
          "  -h, --help             this text.\n"
          "\n"
          "Columns: ns/elt min and median over the samples; Gelt/s at the median; x-auto =\n"
          "median / twopass-auto median (above 1: slower than TwoPass's automatic choice);\n"
          "max|sum-1| = largest |sum of a row - 1| (in double) of one call's output, with\n"
          "a star when above 1e-4 (also reported on stderr);\n"
          "max-rel-err = largest |y - r| / r over the elements, r the double softmax.\n"
          "Each shape warns on stderr when other processes used > 0.1 CPU during its samples\n"
          "(CSV: foreign_cpus).\n",
          kDefaultShapes);
}

[[noreturn]] void Die(const std::string& message) {
  fprintf(stderr, "peers_bench: %s (see --help)\n", message.c_str());
  exit(2);
}

Shape ParseShape(const std::string& text) {
  Shape shape{1, 0, text};
  const size_t x = text.find('x');
  if (x == std::string::npos) {
    if (!ParseSize(text, &shape.channels)) Die("bad shape '" + text + "'");
    shape.label = "1x" + text;
  } else if (!ParseSize(text.substr(0, x), &shape.batch) ||
             !ParseSize(text.substr(x + 1), &shape.channels)) {
    Die("bad shape '" + text + "'");
  }
  if (shape.batch * shape.channels > (size_t{1} << 30)) Die("shape '" + text + "' is too large");
  return shape;
}

size_t ParseCount(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const unsigned long long value = strtoull(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value == 0 || value > 1000000) {
    Die(option + ": bad value '" + text + "'");
  }
  return static_cast<size_t>(value);
}

double ParseMilliseconds(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const double value = strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(value >= 0.0) || value > 60000.0) {
    Die(option + ": bad value '" + text + "'");
  }
  return value * 1e-3;
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  std::string shapes = kDefaultShapes;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    std::string value;
    const size_t equals = arg.find('=');
    bool has_value = false;
    if (arg.compare(0, 2, "--") == 0 && equals != std::string::npos) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
      has_value = true;
    }
    auto next = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      PrintHelp(stdout);
      exit(0);
    } else if (arg == "-s" || arg == "--shapes") {
      shapes = next();
    } else if (arg == "-c" || arg == "--contenders") {
      options.contenders = SplitList(next());
      for (const std::string& name : options.contenders) {
        if (std::find_if(std::begin(kContenderNames), std::end(kContenderNames),
                         [&](const char* known) { return name == known; }) ==
            std::end(kContenderNames)) {
          Die("unknown contender '" + name + "'");
        }
      }
    } else if (arg == "-t" || arg == "--threads") {
      options.threads = ParseCount(arg, next());
    } else if (arg == "-r" || arg == "--repetitions") {
      options.repetitions = ParseCount(arg, next());
    } else if (arg == "--min-time") {
      options.min_time_s = ParseMilliseconds(arg, next());
    } else if (arg == "--gap") {
      options.gap_s = ParseMilliseconds(arg, next());
    } else if (arg == "--total-memory") {
      if (!ParseSize(next(), &options.total_memory)) Die("--total-memory: bad size");
    } else if (arg == "--cold-above") {
      if (!ParseSize(next(), &options.cold_above)) Die("--cold-above: bad size");
    } else if (arg == "--seed") {
      options.seed = strtoull(next().c_str(), nullptr, 10);
    } else if (arg == "--csv") {
      if (has_value) Die("--csv takes no value (it writes to stdout)");
      options.csv = true;
    } else {
      Die("unknown option '" + arg + "'");
    }
  }
  for (const std::string& item : SplitList(shapes)) options.shapes.push_back(ParseShape(item));
  if (options.shapes.empty()) Die("no shapes");
  if (options.gap_s < 0.0) options.gap_s = options.threads > 1 ? 0.010 : 0.0;
  return options;
}

// ----------------------------------------------------------------------------
// Memory and inputs.

// One input and one output tensor of a shape.
struct BufferSet {
  float* input;
  float* output;
};

// ----------------------------------------------------------------------------
// Contenders. Prepare builds the operator for a shape; Bind attaches one buffer
// set (not timed); Run computes on the bound set (timed). All return false
// after printing why, and the contender then sits the shape out.

class Contender {
 public:
  virtual ~Contender() = default;
  virtual const char* name() const = 0;
  // What runs (ISA, implementation), printed once per shape where known.
  virtual std::string detail() const { return std::string(); }
  virtual bool Prepare(const Shape& shape, const std::vector<BufferSet>& sets) = 0;
  virtual bool Bind(size_t set) = 0;
  virtual bool Run() = 0;
  virtual void Release() = 0;
};

class TwoPassContender final : public Contender {
 public:
  TwoPassContender(const char* name, uint32_t flags, pthreadpool_t pool)
      : name_(name), flags_(flags), pool_(pool) {}
  ~TwoPassContender() override { Release(); }
  const char* name() const override { return name_; }
  std::string detail() const override { return twopass_isa_name(); }

  bool Prepare(const Shape& shape, const std::vector<BufferSet>& sets) override {
    Release();
    sets_ = sets;
    enum twopass_status status = twopass_create_softmax_nc_f32(flags_, &op_);
    if (status == twopass_status_success) {
      status = twopass_reshape_softmax_nc_f32(op_, shape.channels, shape.channels, shape.channels,
                                              shape.batch, pool_);
    }
    return Check(status, "create/reshape");
  }
  bool Bind(size_t set) override {
    return Check(twopass_setup_softmax_nc_f32(op_, sets_[set].input, sets_[set].output), "setup");
  }
  bool Run() override { return Check(twopass_run_operator(op_, pool_), "run"); }
  void Release() override {
    if (op_ != nullptr) twopass_delete_operator(op_);
    op_ = nullptr;
  }

 private:
  bool Check(enum twopass_status status, const char* what) const {
    if (status == twopass_status_success) return true;
    fprintf(stderr, "peers_bench: %s: %s failed (status %d)\n", name_, what, static_cast<int>(status));
    return false;
  }

  const char* name_;
  uint32_t flags_;
  pthreadpool_t pool_;
  twopass_operator_t op_ = nullptr;
  std::vector<BufferSet> sets_;
};

class XnnpackContender final : public Contender {
 public:
  explicit XnnpackContender(pthreadpool_t pool) : pool_(pool) {}
  ~XnnpackContender() override { Release(); }
  const char* name() const override { return "xnnpack"; }

  bool Prepare(const Shape& shape, const std::vector<BufferSet>& sets) override {
    Release();
    sets_ = sets;
    batch_ = shape.batch;
    return Check(xnn_create_softmax_nc_f32(shape.channels, shape.channels, shape.channels, 0, &op_),
                 "create");
  }
  bool Bind(size_t set) override {
    return Check(xnn_setup_softmax_nc_f32(op_, batch_, sets_[set].input, sets_[set].output, pool_),
                 "setup");
  }
  bool Run() override { return Check(xnn_run_operator(op_, pool_), "run"); }
  void Release() override {
    if (op_ != nullptr) xnn_delete_operator(op_);
    op_ = nullptr;
  }

 private:
  static bool Check(enum xnn_status status, const char* what) {
    if (status == xnn_status_success) return true;
    fprintf(stderr, "peers_bench: xnnpack: %s failed (status %d)\n", what, static_cast<int>(status));
    return false;
  }

  pthreadpool_t pool_;
  xnn_operator_t op_ = nullptr;
  size_t batch_ = 0;
  std::vector<BufferSet> sets_;
};

class OnednnContender final : public Contender {
 public:
  OnednnContender() : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {}
  ~OnednnContender() override { Release(); }
  const char* name() const override { return "onednn"; }
  std::string detail() const override { return impl_; }

  bool Prepare(const Shape& shape, const std::vector<BufferSet>& sets) override {
    Release();
    try {
      const dnnl::memory::desc md({static_cast<dnnl::memory::dim>(shape.batch),
                                   static_cast<dnnl::memory::dim>(shape.channels)},
                                  dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
      // Axis 1 of [batch, channels]: the last axis, as the other contenders.
      const dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, md, 1);
      const dnnl::softmax_forward::primitive_desc pd(desc, engine_);
      impl_ = pd.impl_info_str();
      primitive_ = dnnl::softmax_forward(pd);
      for (const BufferSet& set : sets) {
        inputs_.emplace_back(md, engine_, set.input);
        outputs_.emplace_back(md, engine_, set.output);
      }
    } catch (const dnnl::error& e) {
      fprintf(stderr, "peers_bench: onednn: prepare failed: %s\n", e.what());
      return false;
    }
    return true;
  }
  bool Bind(size_t set) override {
    set_ = set;
    return true;
  }
  bool Run() override {
    try {
      primitive_.execute(stream_, {{DNNL_ARG_SRC, inputs_[set_]}, {DNNL_ARG_DST, outputs_[set_]}});
      stream_.wait();
    } catch (const dnnl::error& e) {
      fprintf(stderr, "peers_bench: onednn: execute failed: %s\n", e.what());
      return false;
    }
    return true;
  }
  void Release() override {
    inputs_.clear();
    outputs_.clear();
    primitive_ = dnnl::softmax_forward();
  }

 private:
  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::softmax_forward primitive_;
  std::vector<dnnl::memory> inputs_;
  std::vector<dnnl::memory> outputs_;
  size_t set_ = 0;
  std::string impl_;
};

// oneDNN of Debian runs on OpenMP (libgomp), which takes no pthreadpool: set its
// thread count instead. Looked up at run time so that this file needs no OpenMP
// flags; libgomp is loaded with libdnnl.
bool SetOpenmpThreads(size_t threads) {
  using SetNumThreads = void (*)(int);
  auto set = reinterpret_cast<SetNumThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (set == nullptr) return false;
  set(static_cast<int>(threads));
  return true;
}

// ----------------------------------------------------------------------------
// Accuracy against a double-precision softmax.

struct RowReference {
  double max;
  double sum;  // sum of exp(x - max)
};

std::vector<RowReference> ReferenceRows(const Shape& shape, const float* input) {
  std::vector<RowReference> rows(shape.batch);
  for (size_t b = 0; b < shape.batch; b++) {
    const float* x = input + b * shape.channels;
    double max = -INFINITY;
    for (size_t i = 0; i < shape.channels; i++) max = std::max(max, static_cast<double>(x[i]));
    double sum = 0.0;
    for (size_t i = 0; i < shape.channels; i++) sum += exp(static_cast<double>(x[i]) - max);
    rows[b] = {max, sum};
  }
  return rows;
}

// The check of every output: rows of a softmax sum to 1 within this.
constexpr double kSumTolerance = 1e-4;

struct Accuracy {
  double max_sum_error = 0.0;
  double max_relative_error = 0.0;
};

Accuracy MeasureAccuracy(const Shape& shape, const float* input, const float* output,
                         const std::vector<RowReference>& rows) {
  Accuracy accuracy;
  for (size_t b = 0; b < shape.batch; b++) {
    const float* x = input + b * shape.channels;
    const float* y = output + b * shape.channels;
    double sum = 0.0;
    for (size_t i = 0; i < shape.channels; i++) {
      const double reference = exp(static_cast<double>(x[i]) - rows[b].max) / rows[b].sum;
      sum += y[i];
      // NaN compares false: make it count as the worst error.
      const double error = fabs(y[i] - reference) / reference;
      accuracy.max_relative_error =
          error == error ? std::max(accuracy.max_relative_error, error) : INFINITY;
    }
    const double sum_error = fabs(sum - 1.0);
    accuracy.max_sum_error = sum_error == sum_error ? std::max(accuracy.max_sum_error, sum_error)
                                                    : INFINITY;
  }
  return accuracy;
}

// ----------------------------------------------------------------------------
// Measurement.

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void Idle(double seconds) {
  if (seconds <= 0.0) return;
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
  nanosleep(&ts, nullptr);
}

// CPU time (seconds) that all processes have used, from /proc/stat; < 0 when
// unknown. With this process's own CPU time it tells whether something else ran
// during a measurement, which would make its numbers meaningless on 2 cores.
double SystemBusySeconds() {
  FILE* f = fopen("/proc/stat", "r");
  if (f == nullptr) return -1.0;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  const int fields = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
                            &system, &idle, &iowait, &irq, &softirq, &steal);
  fclose(f);
  if (fields < 7) return -1.0;
  return static_cast<double>(user + nice + system + irq + softirq) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

double OwnCpuSeconds() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0.0;
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

struct Result {
  std::string shape;
  size_t batch;
  size_t channels;
  size_t threads;
  bool cold;
  std::string contender;
  std::string detail;
  size_t samples;
  double min_ns;
  double median_ns;
  double vs_auto;  // median / twopass-auto median; 0 when unknown
  Accuracy accuracy;
  double foreign_cpus;  // CPUs used by other processes while sampling; < 0 unknown
};

std::vector<Result> MeasureShape(const Options& options, const Shape& shape,
                                 const std::vector<Contender*>& all, size_t memory_cap) {
  const size_t elements = shape.batch * shape.channels;
  const size_t tensor_bytes = (elements * sizeof(float) + 4095) & ~size_t{4095};
  const size_t set_bytes = 2 * tensor_bytes;
  const bool cold = set_bytes > options.cold_above;
  size_t set_count = 1;
  if (cold) {
    set_count = std::max<size_t>(2, std::min(options.total_memory, memory_cap) / set_bytes);
    if (set_count * set_bytes > memory_cap) {
      fprintf(stderr, "peers_bench: %s: two buffer sets (%zu MiB) exceed the memory cap; skipped\n",
              shape.label.c_str(), 2 * set_bytes / kMiB);
      return {};
    }
  }

  Arena arena;
  char* base = arena.Reserve(set_count * set_bytes);
  if (base == nullptr) {
    fprintf(stderr, "peers_bench: cannot map %zu MiB\n", set_count * set_bytes / kMiB);
    exit(1);
  }
  std::vector<BufferSet> sets;
  for (size_t k = 0; k < set_count; k++) {
    float* input = reinterpret_cast<float*>(base + k * set_bytes);
    float* output = reinterpret_cast<float*>(base + k * set_bytes + tensor_bytes);
    FillUniform(input, elements, options.seed + k);
    memset(output, 0, elements * sizeof(float));
    sets.push_back({input, output});
  }

  // Prepare, and check every output once (this also warms up each contender).
  std::vector<Contender*> contenders;
  std::vector<Accuracy> accuracies;
  const std::vector<RowReference> reference = ReferenceRows(shape, sets[0].input);
  for (Contender* contender : all) {
    if (!contender->Prepare(shape, sets) || !contender->Bind(0) || !contender->Run()) {
      fprintf(stderr, "peers_bench: %s: %s left out\n", shape.label.c_str(), contender->name());
      contender->Release();
      continue;
    }
    accuracies.push_back(MeasureAccuracy(shape, sets[0].input, sets[0].output, reference));
    contenders.push_back(contender);
  }
  if (contenders.empty()) return {};

  // In cache: the number of calls that makes one sample last >= min_time.
  std::vector<size_t> calls(contenders.size(), 1);
  if (!cold) {
    for (size_t c = 0; c < contenders.size(); c++) {
      for (;;) {
        const double start = Now();
        for (size_t n = 0; n < calls[c]; n++) contenders[c]->Run();
        const double elapsed = Now() - start;
        if (elapsed >= options.min_time_s) break;
        const double scale = elapsed > 0.0 ? 1.2 * options.min_time_s / elapsed : 2.0;
        calls[c] = std::max(calls[c] + 1, static_cast<size_t>(calls[c] * std::min(scale, 100.0)));
      }
    }
  }

  std::vector<std::vector<double>> ns(contenders.size());
  const double busy_start = SystemBusySeconds();
  const double own_start = OwnCpuSeconds();
  const double wall_start = Now();
  size_t next_set = 1;  // set 0 was touched last by the checks
  bool failed = false;
  for (size_t sample = 0; sample < options.repetitions && !failed; sample++) {
    for (size_t j = 0; j < contenders.size() && !failed; j++) {
      const size_t c = (sample + j) % contenders.size();
      Contender* contender = contenders[c];
      double elapsed;
      if (cold) {
        // A set that none of the last calls touched, so the call starts from DRAM.
        const size_t set = next_set++ % set_count;
        if (!contender->Bind(set)) failed = true;
        const double start = Now();
        if (!contender->Run()) failed = true;
        elapsed = Now() - start;
      } else {
        const double start = Now();
        for (size_t n = 0; n < calls[c]; n++) {
          if (!contender->Run()) failed = true;
        }
        elapsed = (Now() - start) / static_cast<double>(calls[c]);
      }
      ns[c].push_back(elapsed * 1e9 / static_cast<double>(elements));
      Idle(options.gap_s);
    }
  }
  double foreign_cpus = -1.0;
  const double busy_end = SystemBusySeconds();
  if (busy_start >= 0.0 && busy_end >= 0.0) {
    // /proc/stat ticks are coarse (10 ms): clamp the small negative noise.
    foreign_cpus = std::max(0.0, ((busy_end - busy_start) - (OwnCpuSeconds() - own_start)) /
                                     (Now() - wall_start));
  }
  for (Contender* contender : contenders) contender->Release();
  if (failed) return {};

  std::vector<Result> results;
  double auto_median = 0.0;
  for (size_t c = 0; c < contenders.size(); c++) {
    Result r;
    r.shape = shape.label;
    r.batch = shape.batch;
    r.channels = shape.channels;
    r.threads = options.threads;
    r.cold = cold;
    r.contender = contenders[c]->name();
    r.detail = contenders[c]->detail();
    r.samples = ns[c].size();
    r.min_ns = *std::min_element(ns[c].begin(), ns[c].end());
    r.median_ns = Median(ns[c]);
    r.vs_auto = 0.0;
    r.accuracy = accuracies[c];
    r.foreign_cpus = foreign_cpus;
    if (r.contender == "twopass-auto") auto_median = r.median_ns;
    results.push_back(r);
  }
  for (Result& r : results) r.vs_auto = auto_median > 0.0 ? r.median_ns / auto_median : 0.0;
  return results;
}

// ----------------------------------------------------------------------------
// Output.

std::string CpuName() {
  FILE* f = fopen("/proc/cpuinfo", "r");
  if (f == nullptr) return "unknown CPU";
  char line[512];
  std::string name = "unknown CPU";
  while (fgets(line, sizeof(line), f) != nullptr) {
    if (strncmp(line, "model name", 10) == 0) {
      const char* colon = strchr(line, ':');
      if (colon != nullptr) {
        name = colon + 1;
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t\n") + 1);
      }
      break;
    }
  }
  fclose(f);
  return name;
}

std::string LoadAverage() {
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) != 3) return "unknown";
  char text[64];
  snprintf(text, sizeof(text), "%.2f %.2f %.2f", load[0], load[1], load[2]);
  return text;
}

void PrintTableHeader() {
  printf("%-12s %3s %-4s %-21s %-10s %9s %9s %7s %7s %11s %11s\n", "shape", "thr", "mem",
         "contender", "runs", "min", "median", "Gelt/s", "x-auto", "max|sum-1|", "max-rel-err");
  printf("%-12s %3s %-4s %-21s %-10s %9s %9s %7s %7s %11s %11s\n", "", "", "", "", "",
         "ns/elt", "ns/elt", "", "", "", "");
}

void PrintTableRow(const Result& r) {
  char ratio[16] = "-";
  if (r.vs_auto > 0.0) snprintf(ratio, sizeof(ratio), "%.2f", r.vs_auto);
  // A star marks a row sum off by more than kSumTolerance.
  char sum_error[24];
  snprintf(sum_error, sizeof(sum_error), "%.2e%s", r.accuracy.max_sum_error,
           r.accuracy.max_sum_error > kSumTolerance ? "*" : "");
  printf("%-12s %3zu %-4s %-21s %-10s %9.3f %9.3f %7.2f %7s %11s %11.2e\n", r.shape.c_str(),
         r.threads, r.cold ? "cold" : "hot", r.contender.c_str(),
         r.detail.empty() ? "-" : r.detail.c_str(), r.min_ns, r.median_ns, 1.0 / r.median_ns,
         ratio, sum_error, r.accuracy.max_relative_error);
}

void PrintCsvHeader() {
  printf("shape,batch,channels,threads,cache,contender,implementation,samples,ns_per_elt_min,"
         "ns_per_elt_median,gelt_per_s_median,median_vs_twopass_auto,max_abs_sum_error,"
         "max_relative_error,foreign_cpus\n");
}

void PrintCsvRow(const Result& r) {
  printf("%s,%zu,%zu,%zu,%s,%s,%s,%zu,%.4f,%.4f,%.4f,%.4f,%.3e,%.3e,%.2f\n", r.shape.c_str(),
         r.batch, r.channels, r.threads, r.cold ? "cold" : "hot", r.contender.c_str(),
         r.detail.c_str(), r.samples, r.min_ns, r.median_ns, 1.0 / r.median_ns, r.vs_auto,
         r.accuracy.max_sum_error, r.accuracy.max_relative_error, r.foreign_cpus);
}

bool Wanted(const Options& options, const char* name) {
  return options.contenders.empty() ||
         std::find(options.contenders.begin(), options.contenders.end(), name) !=
             options.contenders.end();
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);

  if (twopass_initialize() != twopass_status_success) {
    fprintf(stderr, "peers_bench: twopass_initialize failed\n");
    return 1;
  }
  if (xnn_initialize(nullptr) != xnn_status_success) {
    fprintf(stderr, "peers_bench: xnn_initialize failed\n");
    return 1;
  }
  if (Wanted(options, "onednn") && !SetOpenmpThreads(options.threads)) {
    fprintf(stderr, "peers_bench: warning: omp_set_num_threads not found; oneDNN uses its "
                    "default thread count\n");
  }
  pthreadpool_t pool = options.threads > 1 ? pthreadpool_create(options.threads) : nullptr;
  if (options.threads > 1 && pool == nullptr) {
    fprintf(stderr, "peers_bench: pthreadpool_create(%zu) failed\n", options.threads);
    return 1;
  }

  std::vector<std::unique_ptr<Contender>> owned;
  if (Wanted(options, "twopass-auto")) {
    owned.emplace_back(new TwoPassContender("twopass-auto", 0, pool));
  }
  if (Wanted(options, "twopass-2pass")) {
    owned.emplace_back(
        new TwoPassContender("twopass-2pass", TWOPASS_FLAG_ALGORITHM_TWO_PASS, pool));
  }
  if (Wanted(options, "twopass-3pass-reload")) {
    owned.emplace_back(new TwoPassContender("twopass-3pass-reload",
                                            TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD, pool));
  }
  if (Wanted(options, "xnnpack")) owned.emplace_back(new XnnpackContender(pool));
  if (Wanted(options, "onednn")) {
    try {
      owned.emplace_back(new OnednnContender());
    } catch (const dnnl::error& e) {
      fprintf(stderr, "peers_bench: onednn left out: %s\n", e.what());
    }
  }
  std::vector<Contender*> contenders;
  for (const auto& c : owned) contenders.push_back(c.get());

  size_t memory_cap = MemAvailableBytes() / 2;
  if (memory_cap == 0) memory_cap = options.total_memory;

  const dnnl_version_t* dnnl = dnnl_version();
  const time_t now = time(nullptr);
  char date[64];
  strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
  FILE* info = options.csv ? stderr : stdout;
  fprintf(info,
          "peers_bench %s: %s, %ld CPUs online, load average %s\n"
          "TwoPass %u.%u.%u (%s kernels), XNNPACK (Debian libxnnpack-dev), oneDNN %d.%d.%d (%s "
          "runtime); %zu thread(s), %zu samples, in-cache samples >= %.1f ms, cold above %zu MiB\n",
          date, CpuName().c_str(), sysconf(_SC_NPROCESSORS_ONLN), LoadAverage().c_str(),
          twopass_version() / 10000, twopass_version() / 100 % 100, twopass_version() % 100,
          twopass_isa_name(), dnnl->major, dnnl->minor, dnnl->patch,
          (dnnl->cpu_runtime & DNNL_RUNTIME_OMP) ? "OpenMP" : "other", options.threads,
          options.repetitions, options.min_time_s * 1e3, options.cold_above / kMiB);

  if (options.csv) {
    PrintCsvHeader();
  } else {
    printf("\n");
    PrintTableHeader();
  }
  for (const Shape& shape : options.shapes) {
    fprintf(stderr, "peers_bench: %s...\n", shape.label.c_str());
    const std::vector<Result> results = MeasureShape(options, shape, contenders, memory_cap);
    if (!results.empty() && results[0].foreign_cpus > 0.1) {
      fprintf(stderr,
              "peers_bench: warning: %s: other processes used %.2f CPUs while it was measured; "
              "its numbers are disturbed (re-run on an idle machine)\n",
              shape.label.c_str(), results[0].foreign_cpus);
    }
    for (const Result& r : results) {
      if (r.accuracy.max_sum_error > kSumTolerance) {
        fprintf(stderr, "peers_bench: %s: %s: a row sums to 1 +- %.2e (more than %.0e off)\n",
                r.shape.c_str(), r.contender.c_str(), r.accuracy.max_sum_error, kSumTolerance);
      }
      if (options.csv) {
        PrintCsvRow(r);
      } else {
        PrintTableRow(r);
      }
    }
    if (!options.csv && !results.empty()) printf("\n");
    fflush(stdout);
  }
  if (!options.csv) {
    printf("Load average at the end: %s\n", LoadAverage().c_str());
    printf("* = a row of that output sums to 1 +- more than %.0e (f32 accumulation over the "
           "whole row)\n", kSumTolerance);
  }
  if (pool != nullptr) pthreadpool_destroy(pool);
  return 0;
}
