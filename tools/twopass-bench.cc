// twopass-bench: measures the softmax algorithms of TwoPass against each other
// and against this machine's memory-traffic floor, in one process run.
//
// How it measures (see docs/benchmarks.md and the --help text):
// - Contenders (algorithm x ISA, plus the floor kernels) are interleaved sample
//   by sample, and the order rotates every sample, so the drifts of a noisy VM
//   hit all of them alike. Compare ratios from one run, not absolute times
//   across runs.
// - In-cache cases reuse one buffer and repeat calls for >= --min-time per
//   sample; out-of-cache cases make one call per sample and rotate over buffer
//   sets adding up to --total-memory, so every call starts from DRAM.
// - The floor kernels move exactly the bytes of a two-pass softmax (read x;
//   read x + write y) and of a three-pass-with-reload softmax (read x; read x +
//   write y; read y + write y) with no math, with regular stores and, above a
//   size, with non-temporal stores; the floor is the fastest of them.
// - --dtype f16 adds the f16 operators on the same inputs rounded to halves,
//   with their own floor: the same kernels on half the bytes.
// - --tune measures instead what a maintainer needs to update the kernel picks
//   (src/config.cc, recorded in src/<family>/<family>.inc) and the automatic
//   choice: every variant of every kernel table, called directly, in and out
//   of cache, with the library's pick and the fastest marked; then every
//   algorithm at every ISA over the sizes around the two-pass/three-pass
//   crossover (RunTune and what it calls, near the end of this file).
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xmmintrin.h>  // _mm_sfence (SSE, part of x86-64)

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <cpuinfo.h>
#include <fp16.h>
#include <pthreadpool.h>

#include "tools/bench-util.h"
#include "tools/memfloor.h"
#include "twopass.h"
#include "twopass/cache-info.h"
#include "twopass/config.h"
#include "twopass/isa.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace twopass_bench {
namespace {

// ----------------------------------------------------------------------------
// Algorithms and the bytes each one moves per element (4-byte floats; the
// write-allocate reads of y that regular stores cause are not counted).

struct Algorithm {
  const char* name;
  uint32_t flags;
  // Real bytes per element: two-pass reads x twice and writes y once (12);
  // three-pass-reload reads x twice, writes y, reads y, writes y (20);
  // three-pass-recompute reads x three times and writes y once (16). "auto"
  // is counted as the algorithm the operator chose for the shape (asked with
  // twopass_internal_operator_algorithm after reshape); 12 here is a placeholder.
  // sampled-max-reload reads x once, writes y, reads y and writes y (16; f16 runs the
  // recompute form, 8).
  double bytes_per_element;
  // The same for f16 (2-byte elements). Both three-pass flags run the
  // recompute form on f16 (include/twopass.h), so reload moves 8, not 10.
  double f16_bytes_per_element;
  // A log-softmax operator (its only algorithm is two-pass: 12 B/elt), not softmax;
  // measured beside the softmax algorithms, never one of "the fastest of the three".
  bool log_softmax = false;
  // Two-pass softmax of x * kMaskScale + mask (twopass_setup_scale_mask), the mask a
  // second tensor of the input's shape: x and the mask are read twice, y written once
  // (20 B/elt; f16 10). Measured against floor-2pass-mask, which moves the same bytes.
  bool masked = false;
};

// Scale of the "masked" algorithm (1/sqrt(64), an attention head of 64).
constexpr float kMaskScale = 0.125f;

const Algorithm kAlgorithms[] = {
    {"two-pass", TWOPASS_FLAG_ALGORITHM_TWO_PASS, 12.0, 6.0},
    {"three-pass-reload", TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD, 20.0, 8.0},
    {"three-pass-recompute", TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE, 16.0, 8.0},
    {"auto", 0, 12.0, 6.0},
    {"log-softmax", TWOPASS_FLAG_ALGORITHM_TWO_PASS, 12.0, 6.0, true},
    {"masked", TWOPASS_FLAG_ALGORITHM_TWO_PASS, 20.0, 10.0, false, true},
    {"sampled-max-reload", TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD, 16.0, 8.0},
};
constexpr size_t kAlgorithmCount = sizeof(kAlgorithms) / sizeof(kAlgorithms[0]);
constexpr size_t kReloadIndex = 1;
constexpr size_t kAutoIndex = 3;
constexpr size_t kSampledIndex = 6;

// Element types: f32, and f16 (IEEE binary16 in uint16_t, computed in f32).
enum class Dtype { kF32 = 0, kF16 = 1 };
constexpr size_t kDtypeCount = 2;

const char* DtypeName(Dtype dtype) { return dtype == Dtype::kF16 ? "f16" : "f32"; }
size_t DtypeSize(Dtype dtype) { return dtype == Dtype::kF16 ? 2 : 4; }

// ----------------------------------------------------------------------------
// Options.

struct Shape {
  size_t batch;
  size_t channels;
};

struct Options {
  std::vector<size_t> algorithms;  // indices into kAlgorithms
  std::vector<enum twopass_isa> isas;
  std::vector<Dtype> dtypes;
  std::vector<std::string> size_specs;
  size_t batch = 1;
  std::vector<size_t> threads = {1};
  size_t repetitions = 15;
  double min_time_s = 0.002;
  size_t total_memory = kGiB;
  size_t cold_above = 32 * kMiB;
  size_t nt_above = 16 * kMiB;
  size_t gap = 0;  // extra bytes after each buffer (the output's offset from the input)
  size_t mask_every = 0;  // 0: no masking; k: every k-th input is -inf
  bool floor = true;
  enum twopass_isa floor_isa = twopass_isa_avx512f;
  uint64_t seed = 20260124;
  bool csv = false;
  std::string csv_path;  // empty: stdout
  bool json = false;
  std::string json_path;  // empty: stdout
  int progress = -1;       // -1: when stderr is a terminal
  // --tune: every kernel variant (kernel_size_specs, families) and the algorithms
  // at size_specs, instead of the algorithm table.
  bool tune = false;
  bool tune_kernels = true;
  bool tune_algorithms = true;
  bool quick = false;
  std::vector<std::string> kernel_size_specs;
  std::vector<std::string> families;  // names from the kernel tables
  double ghz = 0.0;                   // 0: estimate the clock
};

const char kDefaultSizes[] = "1000,4096,32000,256000,2^20,2^24,2^26,1000x128";

// --tune defaults, and those of --tune --quick (a smoke run of a few seconds that
// still takes every path: in cache, and rotating buffers above a small --cold-above).
const char kTuneKernelSizes[] = "4096,65536,2^24";
const char kTuneSizes[] = "2^18..2^26";
constexpr size_t kTuneRepetitions = 7;
const char kQuickKernelSizes[] = "1024,2^14";
const char kQuickSizes[] = "2^12..2^14";
constexpr size_t kQuickRepetitions = 3;
constexpr double kQuickMinTimeS = 0.0002;
constexpr size_t kQuickTotalMemory = 8 * kMiB;
constexpr size_t kQuickColdAbove = 64 * kKiB;

// The kernel families --tune measures, in the order of README.md's table.
const char* const kFamilyNames[] = {
    "f32-raddextexp", "f32-vscaleextexp", "f32-rmax",         "f32-raddstoreexpminusmax",
    "f32-vscale",     "f32-raddexpminusmax", "f32-vscaleexpminusmax", "f16-raddextexp",
    "f16-vscaleextexp", "f32-vsublse", "f16-vsublse", "f32-vscaleadd", "f16-vscaleadd",
    "f32-f16-vcvt", "f32-softmaxrow",
};

// The family names, indented and wrapped for --help.
std::string FamilyList() {
  const std::string indent(25, ' ');
  std::string text, line;
  for (const char* name : kFamilyNames) {
    const std::string item = std::string(name) + ",";
    if (!line.empty() && line.size() + 1 + item.size() > 56) {
      text += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + item;
  }
  line.pop_back();  // the last comma
  return text + indent + line + ".\n";
}

void PrintHelp(FILE* f) {
  fprintf(f,
          "Usage: twopass-bench [options]\n"
          "\n"
          "Measures TwoPass softmax (rows of `size` floats) per algorithm and ISA against\n"
          "this machine's memory-traffic floor, interleaving all contenders sample by\n"
          "sample in one run. With no options: every algorithm at the best ISA over\n"
          "  %s\n"
          "on one thread (well under a minute), then a table and a summary.\n"
          "\n"
          "Options (LIST = comma-separated; SIZE = N, NK, NM, NG (binary: K = 1024) or 2^N):\n"
          "  -a, --algorithms LIST  two-pass, three-pass-reload, three-pass-recompute,\n"
          "                         sampled-max-reload, auto, log-softmax (the log-softmax\n"
          "                         operator), masked (two-pass softmax of x * 0.125 + mask, a\n"
          "                         mask tensor of the input's shape; with floor-2pass-mask),\n"
          "                         or all (the five softmax ones; default). Short forms: 2p,\n"
          "                         reload, recompute, sampled, log, mask.\n"
          "  -i, --isa LIST         scalar, sse2, avx2, avx512f, best, or all (default: best,\n"
          "                         the best this CPU has, capped by TWOPASS_MAX_ISA).\n"
          "                         ISAs this CPU lacks are skipped with a warning.\n"
          "  -d, --dtype LIST       element types: f32, f16 (IEEE half, computed in f32), or\n"
          "                         all (default: f32). Each type has its own buffers,\n"
          "                         floor kernels and ratios; all are interleaved.\n"
          "  -n, --sizes LIST       row sizes (elements per row). An entry may be BxN (B rows\n"
          "                         of N, e.g. 1000x128) or a range LO..HI (every power of\n"
          "                         two times LO up to HI) with /P for P sizes per octave\n"
          "                         (e.g. 2^10..2^28/2). Default: the list above.\n"
          "  -b, --batch N          rows for sizes given without BxN (default 1).\n"
          "  -t, --threads LIST     thread counts (default 1). 1 runs on the calling thread\n"
          "                         (NULL pool); N > 1 uses a pthreadpool of N threads.\n"
          "  -r, --repetitions N    samples per contender (default 15; min and median are\n"
          "                         reported, so use >= 15 for figures you publish).\n"
          "      --min-time MS      least time per in-cache sample in milliseconds; calls are\n"
          "                         repeated until it is reached (default 2).\n"
          "      --total-memory SIZE  bytes of buffer sets rotated over for out-of-cache\n"
          "                         cases (default 1G), capped at half of MemAvailable.\n"
          "      --cold-above SIZE  a case whose input + output bytes exceed SIZE is\n"
          "                         measured out of cache: one call per sample, rotating\n"
          "                         buffer sets (default 32M: the effective L3 of the VMs\n"
          "                         this was tuned on is 16-32 MiB, whatever cpuid says).\n"
          "                         Other cases reuse one buffer (in cache).\n"
          "      --nt-above SIZE    the floor kernels also run with non-temporal stores\n"
          "                         when the output has at least SIZE bytes (default 16M).\n"
          "      --gap SIZE         extra bytes after every input and output buffer, a\n"
          "                         multiple of 64 (default 0: buffers start on 4 KiB\n"
          "                         boundaries, so a 2^26-float input and its output are\n"
          "                         exactly 2^28 bytes apart, as in a packed tensor arena;\n"
          "                         such power-of-two spacings make regular stores slow\n"
          "                         on some machines; --gap 4160 breaks the pattern).\n"
          "      --mask-every K     set every K-th input to -inf (masked logits, K >= 2;\n"
          "                         default: none), to measure the special-value paths.\n"
          "      --no-floor         skip the memory-traffic floor kernels.\n"
          "      --floor-isa ISA    highest ISA for the floor kernels: sse2, avx2, avx512f\n"
          "                         (default avx512f; the best the CPU has is used).\n"
          "      --seed N           input seed (inputs uniform in [-10, 10]; default %" PRIu64
          ").\n"
          "      --csv[=FILE]       write CSV (one row per contender and case) to FILE, or\n"
          "                         to stdout instead of the table.\n"
          "      --json[=FILE]      write JSON (machine, options, results) likewise.\n"
          "      --progress         always show the progress line on stderr (default: only\n"
          "                         when stderr is a terminal).\n"
          "  -q, --quiet            never show the progress line.\n"
          "  -h, --help             this text.\n"
          "\n"
          "Tuning (the numbers behind the kernel picks and the automatic choice):\n"
          "      --tune[=WHAT]      instead of the table above, measure WHAT: all (the\n"
          "                         default), kernels or algorithms.\n"
          "                         kernels: every variant of every kernel table\n"
          "                         (src/<family>/<family>.inc) that this CPU runs, one\n"
          "                         thread, at each --kernel-sizes (in cache, or out of\n"
          "                         cache above --cold-above), the variants of a family\n"
          "                         interleaved; marks the library's pick per ISA and\n"
          "                         the fastest variant, then a table of picks.\n"
          "                         algorithms: every algorithm at every ISA (default\n"
          "                         --isa all) over --sizes (default %s),\n"
          "                         with reload/two-pass ratios and where two-pass wins.\n"
          "                         --algorithms, --isa, --dtype, --batch, --threads,\n"
          "                         --repetitions (default %zu), --min-time,\n"
          "                         --total-memory, --cold-above, --gap, --seed and\n"
          "                         --no-floor apply; --json[=FILE] writes every figure;\n"
          "                         --csv is not available. About 1 minute of CPU time\n"
          "                         (2.5 minutes on a busy 2-vCPU VM).\n"
          "      --quick            with --tune: a smoke run of a second or so (kernel\n"
          "                         sizes %s, sizes %s, %zu samples,\n"
          "                         0.2 ms, out of cache above 64K rotating 8M); options\n"
          "                         given explicitly still win.\n"
          "      --kernel-sizes LIST  with --tune: kernel sizes in elements (default\n"
          "                         %s; no BxN).\n"
          "      --families LIST    with --tune: the kernel families to measure (default\n"
          "                         all):\n"
          "%s"
          "      --ghz F            with --tune: the clock for cycles/element (default:\n"
          "                         estimated from a chain of dependent adds, printed).\n"
          "\n"
          "Columns: ns/elt min and median over the samples; GB/s = real bytes moved per\n"
          "second at the median (two-pass 12 B/elt: read x twice, write y; three-pass-\n"
          "reload 20 B/elt; three-pass-recompute 16 B/elt; auto: those of the algorithm\n"
          "it chose; floor-2pass 12; floor-3pass 20; write-allocate traffic not counted;\n"
          "f16 halves them: two-pass\n"
          "6, both three-pass 8 (f16 always runs the recompute form), floor-2pass-f16 6,\n"
          "floor-3pass-f16 10); of-floor = floor median / median, where the floor is the\n"
          "fastest two-pass-pattern floor kernel of the same dtype (1.00 = at the floor;\n"
          "the f16 floor runs the same kernels on half the bytes); vs-reload =\n"
          "three-pass-reload median (same ISA and dtype) / median.\n"
          "For single-thread figures pin the process (taskset -c 1) and keep the other\n"
          "cores idle; the load average is printed as a warning sign.\n",
          kDefaultSizes, Options().seed, kTuneSizes, kTuneRepetitions, kQuickKernelSizes,
          kQuickSizes, kQuickRepetitions, kTuneKernelSizes, FamilyList().c_str());
}

[[noreturn]] void Die(const char* format, const std::string& what) {
  fprintf(stderr, "twopass-bench: ");
  fprintf(stderr, format, what.c_str());
  fprintf(stderr, " (see --help)\n");
  exit(2);
}

size_t ParseCount(const std::string& option, const std::string& text) {
  size_t value = 0;
  if (!ParseSize(text, &value)) Die("bad value for %s", option + " '" + text + "'");
  return value;
}

// Expands one --sizes entry into shapes.
void ExpandSizeSpec(const std::string& spec, size_t default_batch, std::vector<Shape>* shapes) {
  std::string rest = spec;
  size_t batch = default_batch;
  const size_t x = rest.find('x');
  if (x != std::string::npos) {
    if (!ParseSize(rest.substr(0, x), &batch)) Die("bad batch in size '%s'", spec);
    rest = rest.substr(x + 1);
  }
  const size_t dots = rest.find("..");
  if (dots == std::string::npos) {
    size_t channels = 0;
    if (!ParseSize(rest, &channels)) Die("bad size '%s'", spec);
    shapes->push_back({batch, channels});
    return;
  }
  size_t lo = 0, hi = 0, per_octave = 1;
  std::string hi_text = rest.substr(dots + 2);
  const size_t slash = hi_text.find('/');
  if (slash != std::string::npos) {
    if (!ParseSize(hi_text.substr(slash + 1), &per_octave) || per_octave > 64) {
      Die("bad points per octave in '%s'", spec);
    }
    hi_text = hi_text.substr(0, slash);
  }
  if (!ParseSize(rest.substr(0, dots), &lo) || !ParseSize(hi_text, &hi) || lo > hi) {
    Die("bad range '%s'", spec);
  }
  size_t previous = 0;
  for (size_t k = 0;; k++) {
    const double size = static_cast<double>(lo) * exp2(static_cast<double>(k) / per_octave);
    if (size > static_cast<double>(hi) * (1.0 + 1e-9)) break;
    const size_t rounded = static_cast<size_t>(llround(size));
    if (rounded != previous) shapes->push_back({batch, rounded});
    previous = rounded;
  }
}

bool ParseIsa(const std::string& name, enum twopass_isa* isa) {
  return twopass_isa_from_string(name.c_str(), isa) != 0;
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  std::string algorithms = "all", isas = "best", sizes = kDefaultSizes, threads = "1";
  std::string dtypes = "f32";
  std::string kernel_sizes, families = "all";
  // Options given on the command line (long names), so --tune and --quick
  // change only the defaults.
  std::vector<std::string> given;
  auto was_given = [&](const char* name) {
    return std::find(given.begin(), given.end(), name) != given.end();
  };
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    const size_t eq = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= argc) Die("%s needs a value", arg);
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      PrintHelp(stdout);
      exit(0);
    } else if (arg == "--tune") {
      options.tune = true;
      const std::string what = has_value ? value : "all";
      if (what == "kernels") {
        options.tune_algorithms = false;
      } else if (what == "algorithms") {
        options.tune_kernels = false;
      } else if (what != "all") {
        Die("--tune takes all, kernels or algorithms, not '%s'", what);
      }
    } else if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--kernel-sizes") {
      kernel_sizes = next();
      given.push_back(arg);
    } else if (arg == "--families" || arg == "--family") {
      families = next();
      given.push_back("--families");
    } else if (arg == "--ghz") {
      const std::string text = next();
      char* end = nullptr;
      const double ghz = strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(ghz >= 0.1 && ghz <= 20.0)) {
        Die("bad value for --ghz '%s' (a clock in GHz, 0.1 to 20)", text);
      }
      options.ghz = ghz;
      given.push_back(arg);
    } else if (arg == "-a" || arg == "--algorithms" || arg == "--algorithm") {
      algorithms = next();
    } else if (arg == "-i" || arg == "--isa" || arg == "--isas") {
      isas = next();
      given.push_back("--isa");
    } else if (arg == "-d" || arg == "--dtype" || arg == "--dtypes") {
      dtypes = next();
    } else if (arg == "-n" || arg == "--sizes" || arg == "--size") {
      sizes = next();
      given.push_back("--sizes");
    } else if (arg == "-b" || arg == "--batch") {
      options.batch = ParseCount(arg, next());
    } else if (arg == "-t" || arg == "--threads") {
      threads = next();
    } else if (arg == "-r" || arg == "--repetitions") {
      options.repetitions = ParseCount(arg, next());
      given.push_back("--repetitions");
    } else if (arg == "--min-time") {
      const std::string text = next();
      char* end = nullptr;
      const double ms = strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(ms >= 0.0) || ms > 1e5) {
        Die("bad value for --min-time '%s'", text);
      }
      options.min_time_s = ms * 1e-3;
      given.push_back(arg);
    } else if (arg == "--total-memory") {
      options.total_memory = ParseCount(arg, next());
      given.push_back(arg);
    } else if (arg == "--cold-above") {
      options.cold_above = ParseCount(arg, next());
      given.push_back(arg);
    } else if (arg == "--mask-every") {
      options.mask_every = ParseCount(arg, next());
      if (options.mask_every < 2) {
        Die("--mask-every must be at least 2: '%s'", std::to_string(options.mask_every));
      }
    } else if (arg == "--gap") {
      options.gap = ParseCount(arg, next());
      if (options.gap % 64 != 0) Die("--gap must be a multiple of 64: '%s'", std::to_string(options.gap));
    } else if (arg == "--nt-above") {
      options.nt_above = ParseCount(arg, next());
    } else if (arg == "--no-floor") {
      options.floor = false;
    } else if (arg == "--floor-isa") {
      const std::string name = next();
      if (!ParseIsa(name, &options.floor_isa)) Die("unknown ISA '%s'", name);
    } else if (arg == "--seed") {
      const std::string text = next();
      char* end = nullptr;
      errno = 0;
      options.seed = strtoull(text.c_str(), &end, 0);
      if (errno != 0 || end == text.c_str() || *end != '\0') Die("bad seed '%s'", text);
    } else if (arg == "--csv") {
      options.csv = true;
      options.csv_path = has_value ? value : "";
    } else if (arg == "--json") {
      options.json = true;
      options.json_path = has_value ? value : "";
    } else if (arg == "--progress") {
      options.progress = 1;
    } else if (arg == "-q" || arg == "--quiet") {
      options.progress = 0;
    } else {
      Die("unknown option '%s'", arg);
    }
  }
  if (options.csv && options.json && options.csv_path.empty() && options.json_path.empty()) {
    Die("%s", std::string("--csv and --json cannot both go to stdout; give one a =FILE"));
  }
  if (!options.tune) {
    for (const char* name : {"--kernel-sizes", "--families", "--ghz"}) {
      if (was_given(name)) Die("%s needs --tune", name);
    }
    if (options.quick) Die("%s", std::string("--quick needs --tune"));
  } else {
    if (options.csv) {
      Die("%s", std::string("--csv is not available with --tune (use --json=FILE)"));
    }
    if (!was_given("--isa")) isas = "all";
    if (!was_given("--sizes")) sizes = options.quick ? kQuickSizes : kTuneSizes;
    if (!was_given("--kernel-sizes")) {
      kernel_sizes = options.quick ? kQuickKernelSizes : kTuneKernelSizes;
    }
    if (!was_given("--repetitions")) {
      options.repetitions = options.quick ? kQuickRepetitions : kTuneRepetitions;
    }
    if (options.quick) {
      if (!was_given("--min-time")) options.min_time_s = kQuickMinTimeS;
      if (!was_given("--total-memory")) options.total_memory = kQuickTotalMemory;
      if (!was_given("--cold-above")) options.cold_above = kQuickColdAbove;
    }
    options.kernel_size_specs = SplitList(kernel_sizes);
    if (options.tune_kernels && options.kernel_size_specs.empty()) {
      Die("%s", std::string("no kernel size given"));
    }
    for (const std::string& spec : options.kernel_size_specs) {
      std::vector<Shape> shapes;
      ExpandSizeSpec(spec, 1, &shapes);
      for (const Shape& shape : shapes) {
        if (shape.batch != 1) Die("--kernel-sizes are elements, not BxN: '%s'", spec);
      }
    }
    for (const std::string& name : SplitList(families)) {
      if (name == "all") {
        for (const char* known : kFamilyNames) options.families.push_back(known);
        continue;
      }
      bool known = false;
      for (const char* family : kFamilyNames) known = known || name == family;
      if (!known) Die("unknown kernel family '%s'", name);
      options.families.push_back(name);
    }
    if (options.tune_kernels && options.families.empty()) {
      Die("%s", std::string("no kernel family given"));
    }
  }

  for (const std::string& name : SplitList(algorithms)) {
    if (name == "all") {
      // The softmax algorithms; log-softmax and masked only when named.
      for (size_t a = 0; a < kAlgorithmCount; a++) {
        if (!kAlgorithms[a].log_softmax && !kAlgorithms[a].masked) options.algorithms.push_back(a);
      }
      continue;
    }
    const std::string full = name == "2p"          ? "two-pass"
                             : name == "reload"    ? "three-pass-reload"
                             : name == "recompute" ? "three-pass-recompute"
                             : name == "sampled"   ? "sampled-max-reload"
                             : name == "log"       ? "log-softmax"
                             : name == "mask"      ? "masked"
                                                   : name;
    size_t a = 0;
    while (a < kAlgorithmCount && full != kAlgorithms[a].name) a++;
    if (a == kAlgorithmCount) Die("unknown algorithm '%s'", name);
    options.algorithms.push_back(a);
  }
  if (options.algorithms.empty()) Die("%s", std::string("no algorithm given"));

  for (const std::string& name : SplitList(isas)) {
    std::vector<enum twopass_isa> wanted;
    if (name == "best") {
      // What twopass_initialize() chose: the best the CPU has, capped by
      // TWOPASS_MAX_ISA when that is set.
      enum twopass_isa active;
      wanted.push_back(ParseIsa(twopass_isa_name(), &active) ? active
                                                             : twopass_isa_best_supported());
    } else if (name == "all") {
      for (int k = TWOPASS_ISA_COUNT - 1; k >= 0; k--) {
        wanted.push_back(static_cast<enum twopass_isa>(k));
      }
    } else {
      enum twopass_isa isa;
      if (!ParseIsa(name, &isa)) Die("unknown ISA '%s'", name);
      wanted.push_back(isa);
    }
    for (enum twopass_isa isa : wanted) {
      if (!twopass_isa_supported(isa)) {
        if (name != "all") {
          fprintf(stderr, "twopass-bench: warning: this CPU lacks %s; skipped\n",
                  twopass_isa_to_string(isa));
        }
        continue;
      }
      options.isas.push_back(isa);
    }
  }
  if (options.isas.empty()) Die("%s", std::string("no ISA left to measure"));

  for (const std::string& name : SplitList(dtypes)) {
    if (name == "f32" || name == "all") options.dtypes.push_back(Dtype::kF32);
    if (name == "f16" || name == "all") options.dtypes.push_back(Dtype::kF16);
    if (name != "f32" && name != "f16" && name != "all") Die("unknown dtype '%s'", name);
  }
  if (options.dtypes.empty()) Die("%s", std::string("no dtype given"));

  options.size_specs = SplitList(sizes);
  if (options.size_specs.empty()) Die("%s", std::string("no size given"));
  options.threads.clear();
  for (const std::string& text : SplitList(threads)) {
    const size_t count = ParseCount("--threads", text);
    if (count > 1024) Die("too many threads '%s'", text);
    options.threads.push_back(count);
  }
  if (options.threads.empty()) Die("%s", std::string("no thread count given"));
  return options;
}

// Removes duplicates while keeping the first occurrence's position.
template <typename T>
void Dedup(std::vector<T>* items) {
  std::vector<T> unique;
  for (const T& item : *items) {
    if (std::find(unique.begin(), unique.end(), item) == unique.end()) unique.push_back(item);
  }
  *items = unique;
}

// ----------------------------------------------------------------------------
// Machine facts.

double LoadAverage() {
  double load = -1.0;
  FILE* f = fopen("/proc/loadavg", "r");
  if (f != nullptr) {
    if (fscanf(f, "%lf", &load) != 1) load = -1.0;
    fclose(f);
  }
  return load;
}

std::string BytesName(size_t bytes);  // below

struct Machine {
  std::string cpu = "unknown";
  size_t l1d = 0, l2 = 0, l3 = 0;
  std::string cache_sources;  // where l1d/l2/l3 came from
  unsigned cores = 0;
  std::string isas_supported;
  std::string date;
};

Machine DescribeMachine() {
  Machine machine;
  if (cpuinfo_initialize()) {
    if (cpuinfo_get_packages_count() != 0) machine.cpu = cpuinfo_get_package(0)->name;
    machine.cores = cpuinfo_get_processors_count();
  }
  // The sizes the automatic choice uses (cpuinfo, else CPUID, else defaults; L3 capped),
  // so the header says what the rule saw, not cpuinfo's zeros on VMs.
  const twopass::CacheSizes& caches = twopass::DetectedCacheSizes();
  machine.l1d = caches.l1d_bytes;
  machine.l2 = caches.l2_bytes;
  machine.l3 = caches.l3_bytes;
  machine.cache_sources = std::string(twopass::CacheSourceName(caches.l1d_source)) + "/" +
                          twopass::CacheSourceName(caches.l2_source) + "/" +
                          twopass::CacheSourceName(caches.l3_source);
  if (caches.l3_capped) {
    machine.cache_sources += ", L3 capped from " + BytesName(caches.l3_reported_bytes);
  }
  for (int k = 0; k < TWOPASS_ISA_COUNT; k++) {
    const auto isa = static_cast<enum twopass_isa>(k);
    if (!twopass_isa_supported(isa)) continue;
    if (!machine.isas_supported.empty()) machine.isas_supported += ",";
    machine.isas_supported += twopass_isa_to_string(isa);
  }
  char date[32];
  const time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
  machine.date = date;
  return machine;
}

// ----------------------------------------------------------------------------
// Inputs: FillUniform (tools/bench-util.h), and the same sequence rounded to halves
// (nearest even), so f16 and f32 cases see the same rows up to the input rounding.
void FillUniformF16(uint16_t* data, size_t count, uint64_t seed) {
  float chunk[1024];
  for (size_t start = 0; start < count; start += 1024) {
    const size_t n = std::min<size_t>(1024, count - start);
    FillUniform(chunk, n, seed, start);
    for (size_t i = 0; i < n; i++) data[start + i] = fp16_ieee_from_fp32_value(chunk[i]);
  }
}

// ----------------------------------------------------------------------------
// Contenders.

// Input and output of one call, elements of the contender's dtype.
struct BufferSet {
  const void* input;
  void* output;
};

// The buffer sets of one dtype for one shape. Cold cases rotate over them
// call by call, one rotation shared by all contenders of the dtype, so no call
// finds buffers that the call before it has just touched.
struct DtypeBuffers {
  bool cold = false;
  std::vector<BufferSet> sets;
  size_t next_set = 0;
};

struct Case {
  Shape shape;
  size_t threads;
  pthreadpool_t pool;
};

// kKernel: one microkernel variant called directly (--tune).
enum class Kind { kOperator, kFloor, kKernel };

struct Contender {
  Kind kind;
  std::string name;       // algorithm name or floor-{2,3}pass[-f16][-nt]
  std::string isa;        // ISA actually in use
  Dtype dtype = Dtype::kF32;
  double bytes_per_element;
  DtypeBuffers* buffers = nullptr;  // those of this contender's dtype
  size_t algorithm = 0;   // kOperator: index into kAlgorithms
  twopass_operator_t op = nullptr;
  const void* setup_input = nullptr;
  void* setup_output = nullptr;
  std::string chosen;     // kOperator "auto": the algorithm it runs for this shape
  // kFloor:
  const FloorKernels* floor = nullptr;
  bool three_pass = false;
  bool nt = false;
  // "masked" operators and floor-2pass-mask: the mask tensor (the input's shape).
  const void* mask = nullptr;
  // kKernel: calls the kernel once on a buffer set, on `bytes` bytes of input.
  std::function<void(const BufferSet& set, size_t bytes)> kernel;
  size_t kernel_index = 0;  // the variant's index in its TuneFamily
  // Results:
  size_t calls_per_sample = 1;
  std::vector<double> ns_per_element;
};

[[noreturn]] void DieStatus(const char* what, enum twopass_status status) {
  fprintf(stderr, "twopass-bench: %s failed with status %d\n", what, static_cast<int>(status));
  exit(1);
}

void SelectIsa(enum twopass_isa isa) {
  const enum twopass_status status = twopass_internal_set_isa(isa);
  if (status != twopass_status_success) DieStatus("selecting the ISA", status);
}

// Keeps the floor's read pass observable without a store per call: a shared
// store from several threads would bounce its cache line between cores (and
// cost more than a short row). Inputs lie in [-10, 10], so this never fires.
volatile float g_sink;
inline void Consume(float value) {
  if (value == 1234.5f) g_sink = value;
}

// The floor of one softmax call on `shape`, traffic pattern and parallel split
// as the operator's: rows over threads, or a single long row cut into one chunk
// per thread with a barrier between passes.
//
// The kernels move floats; for f16 they run on the same bytes seen as floats
// (count elements = count / 2 floats, so an odd count leaves out 2 bytes). The
// bit patterns of two halves in [-10, 10] are ordinary normal floats (the high
// half's exponent lands in the float exponent field), so x * 1 is exact and
// never hits a denormal slow path. Rows of odd length start 2-byte aligned:
// the kernels take any alignment.
void RunFloor(const Contender& c, const Case& k, const BufferSet& set) {
  const FloorKernels& f = *c.floor;
  const size_t channels = k.shape.channels;
  const size_t batch = k.shape.batch;
  const size_t element_size = DtypeSize(c.dtype);
  auto scale = c.nt ? f.scale_nt : f.scale;
  auto in = [&](size_t offset) {
    return reinterpret_cast<const float*>(static_cast<const char*>(set.input) +
                                          offset * element_size);
  };
  auto out = [&](size_t offset) {
    return reinterpret_cast<float*>(static_cast<char*>(set.output) + offset * element_size);
  };
  auto floats = [&](size_t count) { return count * element_size / sizeof(float); };
  auto mask_at = [&](size_t offset) {
    return reinterpret_cast<const float*>(static_cast<const char*>(c.mask) +
                                          offset * element_size);
  };
  if (k.pool == nullptr || batch >= k.threads) {
    auto row_task = [&](size_t row) {
      const float* x = in(row * channels);
      float* y = out(row * channels);
      const size_t n = floats(channels);
      if (n == 0) return;
      Consume(f.read(n, x));
      if (c.mask != nullptr) Consume(f.read(n, mask_at(row * channels)));
      scale(n, x, y, 1.0f);
      if (c.three_pass) scale(n, y, y, 1.0f);
      if (c.mask != nullptr) Consume(f.read(n, mask_at(row * channels)));
    };
    if (k.pool == nullptr) {
      for (size_t row = 0; row < batch; row++) row_task(row);
    } else {
      pthreadpool_parallelize_1d(k.pool, row_task, batch);
    }
    return;
  }
  const size_t chunks = k.threads;
  const size_t chunk = (channels / chunks + 63) / 64 * 64;
  auto bounds = [&](size_t j, size_t* begin, size_t* count) {
    *begin = std::min(channels, j * chunk);
    *count = j + 1 == chunks ? channels - *begin : std::min(channels, *begin + chunk) - *begin;
  };
  pthreadpool_parallelize_2d(
      k.pool,
      [&](size_t row, size_t j) {
        size_t begin, count;
        bounds(j, &begin, &count);
        if (floats(count) != 0) Consume(f.read(floats(count), in(row * channels + begin)));
        if (floats(count) != 0 && c.mask != nullptr) {
          Consume(f.read(floats(count), mask_at(row * channels + begin)));
        }
      },
      batch, chunks);
  pthreadpool_parallelize_2d(
      k.pool,
      [&](size_t row, size_t j) {
        size_t begin, count;
        bounds(j, &begin, &count);
        if (floats(count) != 0) {
          scale(floats(count), in(row * channels + begin), out(row * channels + begin), 1.0f);
        }
        if (floats(count) != 0 && c.mask != nullptr) {
          Consume(f.read(floats(count), mask_at(row * channels + begin)));
        }
      },
      batch, chunks);
  if (c.three_pass) {
    pthreadpool_parallelize_2d(
        k.pool,
        [&](size_t row, size_t j) {
          size_t begin, count;
          bounds(j, &begin, &count);
          float* y = out(row * channels + begin);
          if (floats(count) != 0) scale(floats(count), y, y, 1.0f);
        },
        batch, chunks);
  }
}

void RunOnce(Contender& c, const Case& k, const BufferSet& set) {
  if (c.kind == Kind::kFloor) {
    RunFloor(c, k, set);
    return;
  }
  if (c.kind == Kind::kKernel) {
    c.kernel(set, k.shape.batch * k.shape.channels * DtypeSize(c.dtype));
    // Non-temporal variants leave their stores to be ordered by the caller, as
    // the operator does once per task; a fence after every call, for every
    // variant, charges that to each call alike (it costs nothing without
    // pending streamed stores).
    _mm_sfence();
    return;
  }
  if (c.setup_input != set.input || c.setup_output != set.output) {
    if (kAlgorithms[c.algorithm].log_softmax) {
      const enum twopass_status status =
          c.dtype == Dtype::kF16
              ? twopass_setup_log_softmax_nc_f16(c.op, set.input, set.output)
              : twopass_setup_log_softmax_nc_f32(c.op, static_cast<const float*>(set.input),
                                                 static_cast<float*>(set.output));
      if (status != twopass_status_success) DieStatus("twopass_setup_log_softmax_nc", status);
    } else if (c.dtype == Dtype::kF16) {
      const enum twopass_status status = twopass_setup_softmax_nc_f16(c.op, set.input, set.output);
      if (status != twopass_status_success) DieStatus("twopass_setup_softmax_nc_f16", status);
    } else {
      const enum twopass_status status = twopass_setup_softmax_nc_f32(
          c.op, static_cast<const float*>(set.input), static_cast<float*>(set.output));
      if (status != twopass_status_success) DieStatus("twopass_setup_softmax_nc_f32", status);
    }
    if (c.mask != nullptr) {
      // setup unbinds the scale and mask: bound again after every setup.
      const enum twopass_status status =
          twopass_setup_scale_mask(c.op, kMaskScale, c.mask, k.shape.channels);
      if (status != twopass_status_success) DieStatus("twopass_setup_scale_mask", status);
    }
    c.setup_input = set.input;
    c.setup_output = set.output;
  }
  const enum twopass_status status = twopass_run_operator(c.op, k.pool);
  if (status != twopass_status_success) DieStatus("twopass_run_operator", status);
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A softmax row must be in [0, 1] and sum to 1: catches a broken build or a
// wrong kernel before its timings are believed. f16 rows get the bound of
// include/twopass.h (each output rounded once to a half:
// |sum - 1| <= 2^-11 + n * 2^-25 + 1e-6). A log-softmax row is checked as the softmax
// exp(y) it encodes (f16: a half-ULP of y moves exp(y) by up to 2^-11 * |y| of itself).
void CheckOutput(const Contender& c, const Case& k, const BufferSet& set) {
  if (c.kind != Kind::kOperator) return;
  const size_t channels = k.shape.channels;
  const bool f16 = c.dtype == Dtype::kF16;
  const bool log_softmax = kAlgorithms[c.algorithm].log_softmax;
  const double tolerance =
      f16 ? (log_softmax ? 1e-2 : 0x1.0p-11 + static_cast<double>(channels) * 0x1.0p-25 + 1e-6)
          : 1e-4;
  const size_t rows[2] = {0, k.shape.batch - 1};
  for (size_t row : rows) {
    double sum = 0.0;
    for (size_t i = 0; i < channels; i++) {
      const size_t index = row * channels + i;
      const float stored =
          f16 ? fp16_ieee_to_fp32_value(static_cast<const uint16_t*>(set.output)[index])
              : static_cast<const float*>(set.output)[index];
      const float y = log_softmax ? expf(stored) : stored;
      if (!(y >= 0.0f && y <= 1.0f)) {
        fprintf(stderr, "twopass-bench: %s/%s/%s output[%zu][%zu] = %g is not in [0, 1]\n",
                c.name.c_str(), c.isa.c_str(), DtypeName(c.dtype), row, i, y);
        exit(1);
      }
      sum += y;
    }
    if (fabs(sum - 1.0) > tolerance) {
      fprintf(stderr, "twopass-bench: %s/%s/%s row %zu sums to %.9f, not 1 (tolerance %.3g)\n",
              c.name.c_str(), c.isa.c_str(), DtypeName(c.dtype), row, sum, tolerance);
      exit(1);
    }
  }
}

// ----------------------------------------------------------------------------
// Statistics and formatting.

double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

std::string SizeName(size_t n) {
  if (n >= 1024 && (n & (n - 1)) == 0) return "2^" + std::to_string(__builtin_ctzll(n));
  return std::to_string(n);
}

std::string BytesName(size_t bytes) {
  char text[32];
  if (bytes >= kGiB) {
    snprintf(text, sizeof(text), "%.1f GiB", static_cast<double>(bytes) / kGiB);
  } else if (bytes >= kMiB) {
    snprintf(text, sizeof(text), "%.0f MiB", static_cast<double>(bytes) / kMiB);
  } else {
    snprintf(text, sizeof(text), "%.0f KiB", static_cast<double>(bytes) / kKiB);
  }
  return text;
}

struct Row {
  Shape shape;
  size_t threads;
  bool cold;
  size_t buffer_sets;
  std::string name;
  std::string isa;
  std::string dtype;
  bool floor;
  size_t samples;
  size_t calls_per_sample;
  double ns_min, ns_median;
  double bytes_per_element;
  double floor_ns;     // median of the fastest two-pass-pattern floor (same dtype); 0 if none
  double reload_ns;    // median of three-pass-reload at this ISA and dtype; 0 if none
  std::string chosen;  // "auto": the algorithm it ran; empty otherwise
};

double GBps(double bytes_per_element, double ns) { return bytes_per_element / ns; }

// ----------------------------------------------------------------------------
// The run.

class Progress {
 public:
  explicit Progress(int mode) : enabled_(mode == 1 || (mode == -1 && isatty(2))) {}
  void Update(const std::string& text) {
    if (!enabled_) return;
    const double now = Now();
    if (now - last_ < 0.1) return;
    last_ = now;
    fprintf(stderr, "\r\033[K%s", text.c_str());
    fflush(stderr);
    shown_ = true;
  }
  void Clear() {
    if (shown_) fprintf(stderr, "\r\033[K");
    shown_ = false;
    last_ = 0.0;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  double last_ = 0.0;
};

// label: what the progress line calls the case (default: its shape and threads).
void MeasureCase(const Options& options, Case& k, std::vector<Contender>& contenders,
                 size_t case_index, size_t case_count, Progress& progress,
                 const std::string& label = std::string()) {
  const size_t elements = k.shape.batch * k.shape.channels;
  auto set_for_call = [](Contender& c) -> const BufferSet& {
    DtypeBuffers& b = *c.buffers;
    const BufferSet& set = b.sets[b.next_set];
    b.next_set = (b.next_set + 1) % b.sets.size();
    return set;
  };

  // Warm-up: one call each (and the correctness check), then, in cache, the
  // calls per sample needed to last --min-time.
  for (Contender& c : contenders) {
    const BufferSet& set = set_for_call(c);
    RunOnce(c, k, set);
    CheckOutput(c, k, set);
    if (c.buffers->cold) continue;
    size_t calls = 1;
    for (;;) {
      const double start = Now();
      for (size_t i = 0; i < calls; i++) RunOnce(c, k, c.buffers->sets[0]);
      const double elapsed = Now() - start;
      if (elapsed >= options.min_time_s || calls >= (size_t{1} << 30)) {
        if (elapsed > 0.0 && elapsed > options.min_time_s * 2.0 && calls > 1) {
          calls = static_cast<size_t>(ceil(calls * options.min_time_s * 1.2 / elapsed));
        }
        break;
      }
      calls = elapsed <= 0.0 ? calls * 16
                             : std::max(calls * 2, static_cast<size_t>(ceil(
                                                       calls * options.min_time_s * 1.2 / elapsed)));
    }
    c.calls_per_sample = std::max<size_t>(calls, 1);
  }

  const size_t n = contenders.size();
  char text[200];
  for (size_t sample = 0; sample < options.repetitions; sample++) {
    if (label.empty()) {
      snprintf(text, sizeof(text),
               "twopass-bench: case %zu/%zu (%zu x %s, %zu thread%s) sample %zu/%zu",
               case_index + 1, case_count, k.shape.batch, SizeName(k.shape.channels).c_str(),
               k.threads, k.threads == 1 ? "" : "s", sample + 1, options.repetitions);
    } else {
      snprintf(text, sizeof(text), "twopass-bench: %zu/%zu %s sample %zu/%zu", case_index + 1,
               case_count, label.c_str(), sample + 1, options.repetitions);
    }
    progress.Update(text);
    for (size_t j = 0; j < n; j++) {
      Contender& c = contenders[(sample + j) % n];
      const BufferSet& set = c.buffers->cold ? set_for_call(c) : c.buffers->sets[0];
      const double start = Now();
      for (size_t i = 0; i < c.calls_per_sample; i++) RunOnce(c, k, set);
      const double elapsed = Now() - start;
      c.ns_per_element.push_back(elapsed * 1e9 /
                                 (static_cast<double>(c.calls_per_sample) * elements));
    }
  }
}

std::vector<Row> Summarize(const Case& k, const std::vector<Contender>& contenders) {
  // The best two-pass floor per dtype; masked operators against floor-2pass-mask.
  double floor_ns[kDtypeCount] = {0.0, 0.0};
  double mask_floor_ns[kDtypeCount] = {0.0, 0.0};
  for (const Contender& c : contenders) {
    if (c.kind == Kind::kFloor && !c.three_pass) {
      const double median = Median(c.ns_per_element);
      double& best = (c.mask != nullptr ? mask_floor_ns : floor_ns)[static_cast<size_t>(c.dtype)];
      if (best == 0.0 || median < best) best = median;
    }
  }
  std::vector<Row> rows;
  for (const Contender& c : contenders) {
    Row row;
    row.shape = k.shape;
    row.threads = k.threads;
    row.cold = c.buffers->cold;
    row.buffer_sets = c.buffers->sets.size();
    row.name = c.name;
    row.isa = c.isa;
    row.dtype = DtypeName(c.dtype);
    row.floor = c.kind == Kind::kFloor;
    row.samples = c.ns_per_element.size();
    row.calls_per_sample = c.calls_per_sample;
    row.ns_min = Min(c.ns_per_element);
    row.ns_median = Median(c.ns_per_element);
    row.bytes_per_element = c.bytes_per_element;
    row.chosen = c.chosen;
    row.floor_ns = (c.mask != nullptr ? mask_floor_ns : floor_ns)[static_cast<size_t>(c.dtype)];
    row.reload_ns = 0.0;
    for (const Contender& r : contenders) {
      if (r.kind == Kind::kOperator && r.algorithm == kReloadIndex && r.isa == c.isa &&
          r.dtype == c.dtype) {
        row.reload_ns = Median(r.ns_per_element);
      }
    }
    rows.push_back(row);
  }
  return rows;
}

// ----------------------------------------------------------------------------
// Output.

void PrintTable(FILE* f, const std::vector<Row>& rows) {
  fprintf(f, "%-14s %3s %-4s %-22s %-8s %-5s %9s %9s %7s %8s %9s\n", "shape", "thr", "mode",
          "contender", "isa", "dtype", "ns/elt", "median", "GB/s", "of-floor", "vs-reload");
  fprintf(f, "%-14s %3s %-4s %-22s %-8s %-5s %9s %9s %7s %8s %9s\n", "", "", "", "", "", "",
          "min", "", "median", "", "");
  std::string last_group;
  for (const Row& r : rows) {
    const std::string shape = std::to_string(r.shape.batch) + " x " + SizeName(r.shape.channels);
    const std::string group = shape + "/" + std::to_string(r.threads);
    if (!last_group.empty() && group != last_group) fprintf(f, "\n");
    last_group = group;
    char of_floor[16] = "-", vs_reload[16] = "-";
    if (r.floor_ns > 0.0) snprintf(of_floor, sizeof(of_floor), "%.2f", r.floor_ns / r.ns_median);
    if (r.reload_ns > 0.0) snprintf(vs_reload, sizeof(vs_reload), "%.2fx", r.reload_ns / r.ns_median);
    fprintf(f, "%-14s %3zu %-4s %-22s %-8s %-5s %9.3f %9.3f %7.1f %8s %9s\n", shape.c_str(),
            r.threads, r.cold ? "cold" : "hot", r.name.c_str(), r.isa.c_str(), r.dtype.c_str(),
            r.ns_min, r.ns_median, GBps(r.bytes_per_element, r.ns_median), of_floor, vs_reload);
  }
}

// One line per case, ISA and dtype: the best algorithm, two-pass against three-pass,
// and how close the best one gets to the floor.
void PrintSummary(FILE* f, const std::vector<Row>& rows) {
  fprintf(f, "\nSummary (medians; of-floor = floor time / time, 1.00 = at the memory floor):\n");
  for (size_t i = 0; i < rows.size(); i++) {
    const Row& r = rows[i];
    if (r.floor) continue;
    // First operator row of each (shape, threads, isa, dtype) group leads the line.
    auto same_group = [&](const Row& q) {
      return !q.floor && q.shape.batch == r.shape.batch && q.shape.channels == r.shape.channels &&
             q.threads == r.threads && q.isa == r.isa && q.dtype == r.dtype;
    };
    bool first = true;
    for (size_t j = 0; j < i; j++) {
      if (same_group(rows[j])) first = false;
    }
    if (!first) continue;
    const Row* best = nullptr;
    const Row* two_pass = nullptr;
    for (const Row& q : rows) {
      if (!same_group(q)) continue;
      if (best == nullptr || q.ns_median < best->ns_median) best = &q;
      if (q.name == "two-pass") two_pass = &q;
    }
    const std::string shape = std::to_string(r.shape.batch) + " x " + SizeName(r.shape.channels);
    fprintf(f, "  %-12s %zu thr %-4s %-8s %s best %s %.3f ns/elt (%.2f Gelt/s)", shape.c_str(),
            r.threads, r.cold ? "cold" : "hot", r.isa.c_str(), r.dtype.c_str(),
            best->name.c_str(), best->ns_median, 1.0 / best->ns_median);
    if (best->floor_ns > 0.0) fprintf(f, ", %.2f of floor", best->floor_ns / best->ns_median);
    if (two_pass != nullptr && two_pass->reload_ns > 0.0) {
      fprintf(f, "; two-pass %.2fx three-pass-reload", two_pass->reload_ns / two_pass->ns_median);
    }
    fprintf(f, "\n");
  }
}

FILE* OpenOutput(const std::string& path) {
  if (path.empty()) return stdout;
  FILE* f = fopen(path.c_str(), "w");
  if (f == nullptr) {
    fprintf(stderr, "twopass-bench: cannot write %s: %s\n", path.c_str(), strerror(errno));
    exit(1);
  }
  return f;
}

void CloseOutput(FILE* f) {
  if (f != stdout) fclose(f);
}

void WriteCsv(FILE* f, const std::vector<Row>& rows, const Machine& m) {
  fprintf(f,
          "batch,channels,elements,threads,mode,buffer_sets,contender,isa,dtype,samples,"
          "calls_per_sample,"
          "ns_per_element_min,ns_per_element_median,elements_per_second,bytes_per_element,"
          "gb_per_second_median,gb_per_second_best,floor_ns_per_element,fraction_of_floor,"
          "speedup_vs_reload,l1d_bytes,l2_bytes,l3_bytes\n");
  for (const Row& r : rows) {
    fprintf(f, "%zu,%zu,%zu,%zu,%s,%zu,%s,%s,%s,%zu,%zu,%.6f,%.6f,%.6g,%.0f,%.4f,%.4f,",
            r.shape.batch, r.shape.channels, r.shape.batch * r.shape.channels, r.threads,
            r.cold ? "cold" : "hot", r.buffer_sets, r.name.c_str(), r.isa.c_str(), r.dtype.c_str(),
            r.samples,
            r.calls_per_sample, r.ns_min, r.ns_median, 1e9 / r.ns_median, r.bytes_per_element,
            GBps(r.bytes_per_element, r.ns_median), GBps(r.bytes_per_element, r.ns_min));
    if (r.floor_ns > 0.0) {
      // %g: a ratio of a badly disturbed sample stays positive, never "0.0000".
      fprintf(f, "%.6f,%.6g,", r.floor_ns, r.floor_ns / r.ns_median);
    } else {
      fprintf(f, ",,");
    }
    if (r.reload_ns > 0.0) {
      fprintf(f, "%.6g,", r.reload_ns / r.ns_median);
    } else {
      fprintf(f, ",");
    }
    fprintf(f, "%zu,%zu,%zu\n", m.l1d, m.l2, m.l3);
  }
}

std::string VersionString() {
  const uint32_t v = twopass_version();
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char esc[8];
      snprintf(esc, sizeof(esc), "\\u%04x", ch);
      out += esc;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// The opening of the JSON object: tool, version, command, machine, options (each
// line ends with a comma; the caller adds the rest and the closing brace).
void WriteJsonHead(FILE* f, const Machine& m, const Options& o, const std::string& command) {
  fprintf(f, "{\n  \"tool\": \"twopass-bench\",\n  \"library_version\": %s,\n",
          JsonString(VersionString()).c_str());
  fprintf(f, "  \"command\": %s,\n", JsonString(command).c_str());
  fprintf(f,
          "  \"machine\": {\"cpu\": %s, \"processors\": %u, \"l1d_bytes\": %zu, \"l2_bytes\": %zu, "
          "\"l3_bytes\": %zu, \"isas\": %s, \"date\": %s},\n",
          JsonString(m.cpu).c_str(), m.cores, m.l1d, m.l2, m.l3,
          JsonString(m.isas_supported).c_str(), JsonString(m.date).c_str());
  fprintf(f,
          "  \"options\": {\"repetitions\": %zu, \"min_time_ms\": %g, \"total_memory_bytes\": %zu, "
          "\"cold_above_bytes\": %zu, \"nt_above_bytes\": %zu, \"gap_bytes\": %zu, "
          "\"mask_every\": %zu, \"seed\": %" PRIu64 "},\n",
          o.repetitions, o.min_time_s * 1e3, o.total_memory, o.cold_above, o.nt_above, o.gap,
          o.mask_every, o.seed);
}

// "results": one object per Row (the value only, from its opening bracket).
void WriteJsonRows(FILE* f, const std::vector<Row>& rows) {
  fprintf(f, "[");
  for (size_t i = 0; i < rows.size(); i++) {
    const Row& r = rows[i];
    fprintf(f,
            "%s\n    {\"batch\": %zu, \"channels\": %zu, \"threads\": %zu, \"mode\": \"%s\", "
            "\"buffer_sets\": %zu, \"contender\": %s, \"isa\": %s, \"dtype\": \"%s\", "
            "\"floor\": %s, "
            "\"samples\": %zu, \"calls_per_sample\": %zu, \"ns_per_element_min\": %.6f, "
            "\"ns_per_element_median\": %.6f, \"bytes_per_element\": %.0f, "
            "\"gb_per_second_median\": %.4f",
            i == 0 ? "" : ",", r.shape.batch, r.shape.channels, r.threads, r.cold ? "cold" : "hot",
            r.buffer_sets, JsonString(r.name).c_str(), JsonString(r.isa).c_str(),
            r.dtype.c_str(), r.floor ? "true" : "false", r.samples, r.calls_per_sample, r.ns_min, r.ns_median,
            r.bytes_per_element, GBps(r.bytes_per_element, r.ns_median));
    if (r.floor_ns > 0.0) {
      fprintf(f, ", \"floor_ns_per_element\": %.6f, \"fraction_of_floor\": %.4f", r.floor_ns,
              r.floor_ns / r.ns_median);
    }
    if (r.reload_ns > 0.0) fprintf(f, ", \"speedup_vs_reload\": %.4f", r.reload_ns / r.ns_median);
    if (!r.chosen.empty()) fprintf(f, ", \"chosen\": %s", JsonString(r.chosen).c_str());
    fprintf(f, "}");
  }
  fprintf(f, "\n  ]");
}

void WriteJson(FILE* f, const std::vector<Row>& rows, const Machine& m, const Options& o,
               const std::string& command) {
  WriteJsonHead(f, m, o, command);
  fprintf(f, "  \"results\": ");
  WriteJsonRows(f, rows);
  fprintf(f, "\n}\n");
}

// Fills the buffer sets of one dtype for `shape` in `arena`: one set in cache,
// or sets adding up to total_memory (at most dtype_memory_cap) when input +
// output exceed --cold-above. Returns false, with a warning, when even one set
// would exceed dtype_memory_cap.
bool MakeBuffers(const Options& options, Dtype dtype, const Shape& shape, size_t total_memory,
                 size_t dtype_memory_cap, Arena* arena, DtypeBuffers* buffers) {
  const size_t elements = shape.batch * shape.channels;
  const size_t element_size = DtypeSize(dtype);
  const size_t buffer_bytes = (elements * element_size + 4095) / 4096 * 4096 + options.gap;
  const size_t set_bytes = 2 * buffer_bytes;
  const bool cold = set_bytes > options.cold_above;
  size_t set_count = cold ? std::max<size_t>(1, (total_memory + set_bytes - 1) / set_bytes) : 1;
  if (set_bytes * set_count > dtype_memory_cap) set_count = dtype_memory_cap / set_bytes;
  if (set_count == 0) {
    fprintf(stderr, "twopass-bench: warning: %zu x %s %s needs %s, more than allowed; skipped\n",
            shape.batch, SizeName(shape.channels).c_str(), DtypeName(dtype),
            BytesName(set_bytes).c_str());
    return false;
  }
  char* base = arena->Reserve(set_bytes * set_count);
  if (base == nullptr) {
    fprintf(stderr, "twopass-bench: cannot map %zu MiB: %s\n", set_bytes * set_count / kMiB,
            strerror(errno));
    exit(1);
  }
  if (dtype == Dtype::kF16) {
    FillUniformF16(reinterpret_cast<uint16_t*>(base), elements, options.seed);
  } else {
    FillUniform(reinterpret_cast<float*>(base), elements, options.seed);
  }
  if (options.mask_every != 0) {
    for (size_t i = 0; i < elements; i += options.mask_every) {
      if (dtype == Dtype::kF16) {
        reinterpret_cast<uint16_t*>(base)[i] = 0xFC00;  // -inf
      } else {
        reinterpret_cast<float*>(base)[i] = -INFINITY;
      }
    }
  }
  buffers->cold = cold;
  buffers->sets.clear();
  buffers->next_set = 0;
  for (size_t s = 0; s < set_count; s++) {
    char* input = base + (2 * s) * buffer_bytes;
    char* output = base + (2 * s + 1) * buffer_bytes;
    if (s != 0) memcpy(input, base, elements * element_size);
    memset(output, 0, elements * element_size);
    buffers->sets.push_back({input, output});
  }
  return true;
}

// Measures every algorithm of options.algorithms at every ISA of options.isas
// and dtype of options.dtypes (with the floor kernels unless --no-floor) for
// each shape and thread count, interleaved per case; one Row per contender.
std::vector<Row> RunAlgorithms(const Options& options, const std::vector<Shape>& shapes,
                               size_t total_memory, size_t memory_cap, bool table_to_stdout) {
  const FloorKernels& floor_kernels = FloorKernelsFor(options.floor_isa);
  // One arena per dtype; each dtype rotates over up to --total-memory of its
  // own sets, and all of them together stay under the memory cap.
  Arena arenas[kDtypeCount];
  Arena mask_arenas[kDtypeCount];  // the "masked" algorithm's mask, per dtype
  const size_t dtype_memory_cap = memory_cap / options.dtypes.size();
  Progress progress(options.progress);
  std::vector<Row> rows;
  const size_t case_count = shapes.size() * options.threads.size();
  size_t case_index = 0;

  std::vector<pthreadpool_t> pools;
  for (size_t threads : options.threads) {
    pools.push_back(threads > 1 ? pthreadpool_create(threads) : nullptr);
    if (threads > 1 && pools.back() == nullptr) {
      fprintf(stderr, "twopass-bench: cannot create a pool of %zu threads\n", threads);
      exit(1);
    }
  }

  for (const Shape& shape : shapes) {
    if (shape.channels > SIZE_MAX / 8 / shape.batch) Die("size too large: '%s'", SizeName(shape.channels));
    const size_t elements = shape.batch * shape.channels;
    DtypeBuffers buffers[kDtypeCount];
    bool skipped = false;
    for (Dtype dtype : options.dtypes) {
      if (!MakeBuffers(options, dtype, shape, total_memory, dtype_memory_cap,
                       &arenas[static_cast<size_t>(dtype)],
                       &buffers[static_cast<size_t>(dtype)])) {
        skipped = true;
        break;
      }
    }
    if (skipped) {
      case_index += options.threads.size();
      continue;
    }
    // The mask of the "masked" algorithm: values in [-2, 2], every 8th -inf (a padding
    // pattern); one tensor per dtype, as large as one input (so out of cache when the
    // input is).
    bool any_masked = false;
    for (size_t a : options.algorithms) any_masked |= kAlgorithms[a].masked;
    // In arenas like the inputs' (huge pages where the kernel gives them).
    float* mask32 = nullptr;
    uint16_t* mask16 = nullptr;
    if (any_masked) {
      mask32 = reinterpret_cast<float*>(mask_arenas[0].Reserve(elements * sizeof(float)));
      mask16 = reinterpret_cast<uint16_t*>(mask_arenas[1].Reserve(elements * sizeof(uint16_t)));
      if (mask32 == nullptr || mask16 == nullptr) Die("cannot map the mask: '%s'", strerror(errno));
      std::mt19937 rng(static_cast<uint32_t>(options.seed) ^ 0x6d61736bu);
      std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
      for (size_t i = 0; i < elements; i++) {
        mask32[i] = i % 8 == 7 ? -INFINITY : uniform(rng);
        mask16[i] = fp16_ieee_from_fp32_value(mask32[i]);
      }
    }

    for (size_t t = 0; t < options.threads.size(); t++) {
      Case k{shape, options.threads[t], pools[t]};
      std::vector<Contender> contenders;
      for (Dtype dtype : options.dtypes) {
        const bool f16 = dtype == Dtype::kF16;
        for (enum twopass_isa isa : options.isas) {
          // An operator's kernels are fixed when it is created.
          SelectIsa(isa);
          for (size_t a : options.algorithms) {
            Contender c;
            c.kind = Kind::kOperator;
            c.name = kAlgorithms[a].name;
            c.algorithm = a;
            c.isa = twopass_isa_name();
            c.dtype = dtype;
            c.buffers = &buffers[static_cast<size_t>(dtype)];
            c.bytes_per_element =
                f16 ? kAlgorithms[a].f16_bytes_per_element : kAlgorithms[a].bytes_per_element;
            if (kAlgorithms[a].masked) {
              c.mask = f16 ? static_cast<const void*>(mask16) : static_cast<const void*>(mask32);
            }
            const uint32_t flags = kAlgorithms[a].flags;
            const size_t channels = shape.channels;
            enum twopass_status status;
            if (kAlgorithms[a].log_softmax) {
              status = f16 ? twopass_create_log_softmax_nc_f16(flags, &c.op)
                           : twopass_create_log_softmax_nc_f32(flags, &c.op);
              if (status != twopass_status_success) {
                DieStatus("twopass_create_log_softmax_nc", status);
              }
              status = f16 ? twopass_reshape_log_softmax_nc_f16(c.op, channels, channels, channels,
                                                                shape.batch, k.pool)
                           : twopass_reshape_log_softmax_nc_f32(c.op, channels, channels, channels,
                                                                shape.batch, k.pool);
              if (status != twopass_status_success) {
                DieStatus("twopass_reshape_log_softmax_nc", status);
              }
            } else {
              status = f16 ? twopass_create_softmax_nc_f16(flags, &c.op)
                           : twopass_create_softmax_nc_f32(flags, &c.op);
              if (status != twopass_status_success) DieStatus("twopass_create_softmax_nc", status);
              status = f16 ? twopass_reshape_softmax_nc_f16(c.op, channels, channels, channels,
                                                            shape.batch, k.pool)
                           : twopass_reshape_softmax_nc_f32(c.op, channels, channels, channels,
                                                            shape.batch, k.pool);
              if (status != twopass_status_success) DieStatus("twopass_reshape_softmax_nc", status);
            }
            // "auto" moves the bytes of the algorithm it chose for this shape.
            if (kAlgorithms[a].flags == 0) {
              const char* chosen = twopass_internal_operator_algorithm(c.op);
              if (chosen != nullptr) c.chosen = chosen;
              for (const Algorithm& known : kAlgorithms) {
                if (chosen != nullptr && strcmp(known.name, chosen) == 0) {
                  c.bytes_per_element = f16 ? known.f16_bytes_per_element : known.bytes_per_element;
                }
              }
            }
            contenders.push_back(c);
          }
        }
        if (options.floor) {
          // The same floor kernels on the dtype's bytes: f16 moves half.
          const size_t element_size = DtypeSize(dtype);
          const bool with_nt = elements * element_size >= options.nt_above;
          for (int three = 0; three <= 1; three++) {
            for (int nt = 0; nt <= (with_nt ? 1 : 0); nt++) {
              Contender c;
              c.kind = Kind::kFloor;
              c.name = std::string(three ? "floor-3pass" : "floor-2pass") + (f16 ? "-f16" : "") +
                       (nt ? "-nt" : "");
              c.isa = twopass_isa_to_string(floor_kernels.isa);
              c.dtype = dtype;
              c.buffers = &buffers[static_cast<size_t>(dtype)];
              c.bytes_per_element = (three ? 20.0 : 12.0) * element_size / sizeof(float);
              c.floor = &floor_kernels;
              c.three_pass = three != 0;
              c.nt = nt != 0;
              contenders.push_back(c);
              if (any_masked && !three) {
                // The masked operators' floor: the mask read in both passes too.
                c.name = std::string("floor-2pass-mask") + (f16 ? "-f16" : "") + (nt ? "-nt" : "");
                c.bytes_per_element = 20.0 * element_size / sizeof(float);
                c.mask = f16 ? static_cast<const void*>(mask16) : static_cast<const void*>(mask32);
                contenders.push_back(c);
              }
            }
          }
        }
      }
      MeasureCase(options, k, contenders, case_index, case_count, progress);
      case_index++;
      for (Contender& c : contenders) {
        if (c.op != nullptr) twopass_delete_operator(c.op);
        c.op = nullptr;
      }
      progress.Clear();
      std::vector<Row> case_rows = Summarize(k, contenders);
      rows.insert(rows.end(), case_rows.begin(), case_rows.end());
      if (options.progress != 0 && (!table_to_stdout || options.progress == 1)) {
        fprintf(stderr, "twopass-bench: done %zu x %s, %zu thread%s\n", shape.batch,
                SizeName(shape.channels).c_str(), k.threads, k.threads == 1 ? "" : "s");
      }
    }
  }
  for (pthreadpool_t pool : pools) {
    if (pool != nullptr) pthreadpool_destroy(pool);
  }
  return rows;
}

// ----------------------------------------------------------------------------
// --tune, part 1: every variant of every kernel family.
//
// The variants come from the same tables (src/<family>/<family>.inc) that
// declare, generate and select the kernels, so a new table line shows up here
// without touching this file; the library's picks come from its kernel
// configuration per ISA (twopass::GetKernelConfig), the one operators use.

// Estimates the core clock in GHz from a chain of dependent register adds (one
// cycle each on every x86-64 core): the best of several runs of ~5 ms. 0 when it
// cannot (not x86-64).
double EstimateGHz() {
#if defined(__x86_64__)
  constexpr uint64_t kIterations = uint64_t{1} << 20;
  constexpr double kAddsPerIteration = 16.0;
  double best_ns = 0.0;
  for (int run = 0; run < 7; run++) {
    uint64_t x = 0, one = 1, n = kIterations;
    const double start = Now();
    // 16 dependent adds per iteration; the loop counter is a separate chain.
    __asm__ volatile(
        "1:\n\t"
        "add %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\t"
        "add %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\t"
        "add %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\t"
        "add %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\tadd %[one], %[x]\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        : [x] "+r"(x), [n] "+r"(n)
        : [one] "r"(one)
        : "cc");
    const double ns = (Now() - start) * 1e9;
    if (run == 0) continue;  // warm-up: the clock may still be ramping
    if (best_ns == 0.0 || ns < best_ns) best_ns = ns;
  }
  return best_ns > 0.0 ? kIterations * kAddsPerIteration / best_ns : 0.0;
#else
  return 0.0;
#endif
}

struct TuneVariant {
  std::string symbol;   // twopass_f32_raddextexp_ukernel__avx2_p5_u64_acc2
  std::string variant;  // avx2_p5_u64_acc2
  enum twopass_isa isa;
  size_t tile;
  std::function<void(const BufferSet& set, size_t bytes)> call;
};

struct TuneFamily {
  std::string name;
  Dtype dtype;
  double bytes_per_element;  // what one call reads and writes
  std::vector<TuneVariant> variants;
  // The kernel the library runs for a config's ISA, and the one it runs above
  // the non-temporal threshold (nullptr where the family has no such field).
  std::function<const char*(const twopass::KernelConfig&)> pick;
  std::function<const char*(const twopass::KernelConfig&)> pick_nt;
};

// The tables, with a sentinel (as in src/config.cc) so that a family without
// variants still compiles.
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
const twopass::UkernelInfo<twopass_f32_raddextexp_ukernel_fn> kTuneRaddextexp[] = {
#include "f32-raddextexp/f32-raddextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_vscaleextexp_ukernel_fn> kTuneVscaleextexp[] = {
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_rmax_ukernel_fn> kTuneRmax[] = {
#include "f32-rmax/f32-rmax.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_raddstoreexpminusmax_ukernel_fn>
    kTuneRaddstoreexpminusmax[] = {
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
        {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_vscale_ukernel_fn> kTuneVscale[] = {
#include "f32-vscale/f32-vscale.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_raddexpminusmax_ukernel_fn> kTuneRaddexpminusmax[] = {
#include "f32-raddexpminusmax/f32-raddexpminusmax.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_vscaleexpminusmax_ukernel_fn> kTuneVscaleexpminusmax[] = {
#include "f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f16_raddextexp_ukernel_fn> kTuneF16Raddextexp[] = {
#include "f16-raddextexp/f16-raddextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f16_vscaleextexp_ukernel_fn> kTuneF16Vscaleextexp[] = {
#include "f16-vscaleextexp/f16-vscaleextexp.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_vsublse_ukernel_fn> kTuneVsublse[] = {
#include "f32-vsublse/f32-vsublse.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f16_vsublse_ukernel_fn> kTuneF16Vsublse[] = {
#include "f16-vsublse/f16-vsublse.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_vscaleadd_ukernel_fn> kTuneVscaleadd[] = {
#include "f32-vscaleadd/f32-vscaleadd.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f16_vscaleadd_ukernel_fn> kTuneF16Vscaleadd[] = {
#include "f16-vscaleadd/f16-vscaleadd.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_f16_vcvt_ukernel_fn> kTuneF32F16Vcvt[] = {
#include "f32-f16-vcvt/f32-f16-vcvt.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
const twopass::UkernelInfo<twopass_f32_softmaxrow_ukernel_fn> kTuneSoftmaxRow[] = {
#include "f32-softmaxrow/f32-softmaxrow.inc"
    {nullptr, twopass_isa_scalar, 0, nullptr}};
#undef TWOPASS_UKERNEL

// Adds the variants of `list`; call(fn, set, bytes) runs one of them.
template <typename Fn, size_t N, typename Call>
void AddVariants(TuneFamily* family, const twopass::UkernelInfo<Fn> (&list)[N], Call call) {
  for (const twopass::UkernelInfo<Fn>& info : list) {
    if (info.name == nullptr) continue;  // the sentinel
    const Fn fn = info.fn;
    family->variants.push_back({info.name, info.variant(), info.isa, info.tile,
                                [fn, call](const BufferSet& set, size_t bytes) {
                                  call(fn, set, bytes);
                                }});
  }
}

const float* InputF32(const BufferSet& set) { return static_cast<const float*>(set.input); }
float* OutputF32(const BufferSet& set) { return static_cast<float*>(set.output); }

// The arguments follow the operator's calls (src/softmax-phases.cc) on inputs uniform
// in [-10, 10): max = 10 for the three-pass kernels, softmax-like scales.
std::vector<TuneFamily> MakeTuneFamilies() {
  using twopass::KernelConfig;
  std::vector<TuneFamily> families(sizeof(kFamilyNames) / sizeof(kFamilyNames[0]));
  for (size_t i = 0; i < families.size(); i++) families[i].name = kFamilyNames[i];
  // Pass 1 of two-pass: reads x.
  families[0].dtype = Dtype::kF32;
  families[0].bytes_per_element = 4;
  AddVariants(&families[0], kTuneRaddextexp,
              [](twopass_f32_raddextexp_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                float sum[2];
                fn(bytes, InputF32(set), sum);
                Consume(sum[0]);
              });
  families[0].pick = [](const KernelConfig& c) { return c.raddextexp.name; };
  // Pass 2 of two-pass: reads x, writes y.
  families[1].dtype = Dtype::kF32;
  families[1].bytes_per_element = 8;
  AddVariants(&families[1], kTuneVscaleextexp,
              [](twopass_f32_vscaleextexp_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes, InputF32(set), OutputF32(set), 0.75f, -14.0f);
              });
  families[1].pick = [](const KernelConfig& c) { return c.vscaleextexp.name; };
  families[1].pick_nt = [](const KernelConfig& c) { return c.vscaleextexp_nt.name; };
  // Three-pass pass 1: reads x.
  families[2].dtype = Dtype::kF32;
  families[2].bytes_per_element = 4;
  AddVariants(&families[2], kTuneRmax,
              [](twopass_f32_rmax_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                float max;
                fn(bytes, InputF32(set), &max);
                Consume(max);
              });
  families[2].pick = [](const KernelConfig& c) { return c.rmax.name; };
  // Reload form, pass 2: reads x, writes exp(x - ref).
  families[3].dtype = Dtype::kF32;
  families[3].bytes_per_element = 8;
  AddVariants(
      &families[3], kTuneRaddstoreexpminusmax,
      [](twopass_f32_raddstoreexpminusmax_ukernel_fn fn, const BufferSet& set, size_t bytes) {
        // The max and no clamp: the classic reload's call (the sampled-max
        // reload's clamp costs every variant the same one vminps per vector).
        const float max[2] = {10.0f, INFINITY};
        float sum;
        fn(bytes, InputF32(set), max, OutputF32(set), &sum);
        Consume(sum);
      });
  families[3].pick = [](const KernelConfig& c) { return c.raddstoreexpminusmax.name; };
  // Reload form, pass 3: scales y in place, as the operator does. A scale of 1
  // keeps the values what they are over any number of calls (no drift into
  // denormals); the multiply costs the same for any value.
  families[4].dtype = Dtype::kF32;
  families[4].bytes_per_element = 8;
  AddVariants(&families[4], kTuneVscale,
              [](twopass_f32_vscale_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes, OutputF32(set), OutputF32(set), 1.0f);
              });
  families[4].pick = [](const KernelConfig& c) { return c.vscale.name; };
  families[4].pick_nt = [](const KernelConfig& c) { return c.vscale_nt.name; };
  // Recompute form, pass 2: reads x.
  families[5].dtype = Dtype::kF32;
  families[5].bytes_per_element = 4;
  AddVariants(&families[5], kTuneRaddexpminusmax,
              [](twopass_f32_raddexpminusmax_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                float sum;
                fn(bytes, InputF32(set), &sum, 10.0f);
                Consume(sum);
              });
  families[5].pick = [](const KernelConfig& c) { return c.raddexpminusmax.name; };
  // Recompute form, pass 3: reads x, writes y.
  families[6].dtype = Dtype::kF32;
  families[6].bytes_per_element = 8;
  AddVariants(&families[6], kTuneVscaleexpminusmax,
              [](twopass_f32_vscaleexpminusmax_ukernel_fn fn, const BufferSet& set,
                 size_t bytes) { fn(bytes, InputF32(set), OutputF32(set), 10.0f, 0.005f); });
  families[6].pick = [](const KernelConfig& c) { return c.vscaleexpminusmax.name; };
  // Two-pass on halves: bytes are 2 per element.
  families[7].dtype = Dtype::kF16;
  families[7].bytes_per_element = 2;
  AddVariants(&families[7], kTuneF16Raddextexp,
              [](twopass_f16_raddextexp_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                float sum[2];
                fn(bytes, set.input, sum);
                Consume(sum[0]);
              });
  families[7].pick = [](const KernelConfig& c) { return c.f16_raddextexp.name; };
  families[8].dtype = Dtype::kF16;
  families[8].bytes_per_element = 4;
  AddVariants(&families[8], kTuneF16Vscaleextexp,
              [](twopass_f16_vscaleextexp_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes, set.input, set.output, 0.75f, -15.0f);
              });
  families[8].pick = [](const KernelConfig& c) { return c.f16_vscaleextexp.name; };
  // Log-softmax pass 2: reads x, writes y (f32 8 bytes, f16 4 bytes per element).
  families[9].dtype = Dtype::kF32;
  families[9].bytes_per_element = 8;
  AddVariants(&families[9], kTuneVsublse,
              [](twopass_f32_vsublse_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes, InputF32(set), OutputF32(set), 10.5f, 1.0e-7f);
              });
  families[9].pick = [](const KernelConfig& c) { return c.vsublse.name; };
  families[9].pick_nt = [](const KernelConfig& c) { return c.vsublse_nt.name; };
  families[10].dtype = Dtype::kF16;
  families[10].bytes_per_element = 4;
  AddVariants(&families[10], kTuneF16Vsublse,
              [](twopass_f16_vsublse_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes, set.input, set.output, 10.5f, 1.0e-7f);
              });
  families[10].pick = [](const KernelConfig& c) { return c.f16_vsublse.name; };
  // Scale and mask: the input doubles as the mask (reads x and a second stream of the
  // same bytes), output f32.
  families[11].dtype = Dtype::kF32;
  families[11].bytes_per_element = 12;
  AddVariants(&families[11], kTuneVscaleadd,
              [](twopass_f32_vscaleadd_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes, InputF32(set), InputF32(set), OutputF32(set), 0.125f);
              });
  families[11].pick = [](const KernelConfig& c) { return c.vscaleadd.name; };
  // f16 in, f32 out: run on f32 buffers, over half of the input's bytes (as many halves
  // as the f32 output has floats).
  families[12].dtype = Dtype::kF32;
  families[12].bytes_per_element = 8;
  AddVariants(&families[12], kTuneF16Vscaleadd,
              [](twopass_f16_vscaleadd_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes / 2, set.input, set.input, OutputF32(set), 0.125f);
              });
  families[12].pick = [](const KernelConfig& c) { return c.f16_vscaleadd.name; };
  // f32 in, halves out: reads 4 bytes and writes 2 per element (into the output buffer).
  families[13].dtype = Dtype::kF32;
  families[13].bytes_per_element = 6;
  AddVariants(&families[13], kTuneF32F16Vcvt,
              [](twopass_f32_f16_vcvt_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                fn(bytes, InputF32(set), set.output);
              });
  families[13].pick = [](const KernelConfig& c) { return c.f32_f16_vcvt.name; };
  // Short rows: the buffer as consecutive rows of 128 floats (the last one shorter), 16
  // rows per call, as the library's row tiles call it. 128: the longest rows the variants
  // run differently (in pairs or one at a time; longer rows go one at a time in all).
  families[14].dtype = Dtype::kF32;
  families[14].bytes_per_element = 8;
  AddVariants(&families[14], kTuneSoftmaxRow,
              [](twopass_f32_softmaxrow_ukernel_fn fn, const BufferSet& set, size_t bytes) {
                constexpr size_t kRowsPerCall = 16;
                constexpr size_t kRowFloats = 128;
                const size_t row_bytes = kRowFloats * sizeof(float);
                const size_t whole = bytes / row_bytes;
                float max_scale[2 * kRowsPerCall];
                for (size_t row = 0; row < whole; row += kRowsPerCall) {
                  const size_t offset = row * kRowFloats;
                  fn(std::min(kRowsPerCall, whole - row), row_bytes, InputF32(set) + offset,
                     row_bytes, OutputF32(set) + offset, row_bytes, max_scale);
                }
                if (bytes % row_bytes != 0) {
                  const size_t offset = whole * kRowFloats;
                  fn(1, bytes % row_bytes, InputF32(set) + offset, 0, OutputF32(set) + offset, 0,
                     max_scale);
                }
              });
  families[14].pick = [](const KernelConfig& c) { return c.softmaxrow.name; };
  return families;
}

// One variant at one size.
struct KernelRow {
  std::string family;
  std::string variant;
  std::string symbol;
  std::string isa;
  size_t tile;
  size_t elements;
  bool cold;
  size_t buffer_sets;
  size_t samples;
  size_t calls_per_sample;
  double ns_min, ns_median;
  double bytes_per_element;
  bool pick = false;     // the library's kernel for its ISA
  bool pick_nt = false;  // the library's kernel above the NT threshold, when that differs
  bool fastest = false;  // the fastest of its family and ISA at this size
};

// The library's pick for `isa` in `family`: the symbol, or "" when the config has
// none. *fallback is set when the config falls back to a lower ISA's variant.
std::string PickFor(const TuneFamily& family, enum twopass_isa isa, bool nt) {
  const twopass::KernelConfig* config = twopass::GetKernelConfig(isa);
  if (config == nullptr) return "";
  if (nt) return family.pick_nt ? family.pick_nt(*config) : "";
  return family.pick(*config);
}

bool Selected(const std::vector<enum twopass_isa>& isas, enum twopass_isa isa) {
  return std::find(isas.begin(), isas.end(), isa) != isas.end();
}

std::vector<KernelRow> RunKernels(const Options& options, const std::vector<TuneFamily>& families,
                                  size_t total_memory, size_t memory_cap) {
  std::vector<Shape> shapes;
  for (const std::string& spec : options.kernel_size_specs) {
    ExpandSizeSpec(spec, 1, &shapes);
  }
  std::vector<const TuneFamily*> chosen;
  bool dtype_used[kDtypeCount] = {false, false};
  for (const TuneFamily& family : families) {
    if (std::find(options.families.begin(), options.families.end(), family.name) ==
        options.families.end()) {
      continue;
    }
    chosen.push_back(&family);
    dtype_used[static_cast<size_t>(family.dtype)] = true;
  }
  const size_t dtypes = (dtype_used[0] ? 1 : 0) + (dtype_used[1] ? 1 : 0);
  const size_t dtype_memory_cap = memory_cap / std::max<size_t>(dtypes, 1);

  Arena arenas[kDtypeCount];
  Progress progress(options.progress);
  std::vector<KernelRow> rows;
  const size_t case_count = shapes.size() * chosen.size();
  size_t case_index = 0;
  for (const Shape& shape : shapes) {
    if (shape.channels > SIZE_MAX / 8) Die("kernel size too large: '%s'", SizeName(shape.channels));
    DtypeBuffers buffers[kDtypeCount];
    bool ready[kDtypeCount] = {false, false};
    for (size_t d = 0; d < kDtypeCount; d++) {
      if (!dtype_used[d]) continue;
      ready[d] = MakeBuffers(options, static_cast<Dtype>(d), shape, total_memory,
                             dtype_memory_cap, &arenas[d], &buffers[d]);
    }
    for (const TuneFamily* family : chosen) {
      const size_t d = static_cast<size_t>(family->dtype);
      if (!ready[d]) {
        case_index++;
        continue;
      }
      Case k{shape, 1, nullptr};
      std::vector<Contender> contenders;
      for (size_t v = 0; v < family->variants.size(); v++) {
        const TuneVariant& variant = family->variants[v];
        if (!twopass_isa_supported(variant.isa) || !Selected(options.isas, variant.isa)) continue;
        Contender c;
        c.kind = Kind::kKernel;
        c.name = variant.variant;
        c.isa = twopass_isa_to_string(variant.isa);
        c.dtype = family->dtype;
        c.bytes_per_element = family->bytes_per_element;
        c.buffers = &buffers[d];
        c.kernel = variant.call;
        c.kernel_index = v;
        contenders.push_back(c);
      }
      if (contenders.empty()) {
        case_index++;
        continue;
      }
      const std::string label = family->name + " at " + SizeName(shape.channels) +
                                (buffers[d].cold ? " (out of cache)" : " (in cache)");
      MeasureCase(options, k, contenders, case_index, case_count, progress, label);
      case_index++;
      progress.Clear();
      for (const Contender& c : contenders) {
        const TuneVariant& variant = family->variants[c.kernel_index];
        KernelRow row;
        row.family = family->name;
        row.variant = variant.variant;
        row.symbol = variant.symbol;
        row.isa = c.isa;
        row.tile = variant.tile;
        row.elements = shape.channels;
        row.cold = buffers[d].cold;
        row.buffer_sets = buffers[d].sets.size();
        row.samples = c.ns_per_element.size();
        row.calls_per_sample = c.calls_per_sample;
        row.ns_min = Min(c.ns_per_element);
        row.ns_median = Median(c.ns_per_element);
        row.bytes_per_element = family->bytes_per_element;
        const std::string pick = PickFor(*family, variant.isa, false);
        const std::string pick_nt = PickFor(*family, variant.isa, true);
        row.pick = pick == variant.symbol;
        row.pick_nt = !row.pick && pick_nt == variant.symbol;
        rows.push_back(row);
      }
    }
  }
  // The fastest variant of each family and ISA at each size.
  for (KernelRow& r : rows) {
    bool fastest = true;
    for (const KernelRow& q : rows) {
      if (q.family == r.family && q.isa == r.isa && q.elements == r.elements &&
          q.ns_median < r.ns_median) {
        fastest = false;
      }
    }
    r.fastest = fastest;
  }
  return rows;
}

// The kernel sizes measured, in order.
std::vector<size_t> KernelSizes(const std::vector<KernelRow>& rows) {
  std::vector<size_t> sizes;
  for (const KernelRow& r : rows) {
    if (std::find(sizes.begin(), sizes.end(), r.elements) == sizes.end()) sizes.push_back(r.elements);
  }
  return sizes;
}

const KernelRow* FindKernelRow(const std::vector<KernelRow>& rows, const std::string& symbol,
                               size_t elements) {
  for (const KernelRow& r : rows) {
    if (r.symbol == symbol && r.elements == elements) return &r;
  }
  return nullptr;
}

std::string SizeModeName(const std::vector<KernelRow>& rows, size_t elements) {
  for (const KernelRow& r : rows) {
    if (r.elements == elements) return SizeName(elements) + (r.cold ? " cold" : " hot");
  }
  return SizeName(elements);
}

void PrintKernelTable(FILE* f, const std::vector<KernelRow>& rows,
                      const std::vector<TuneFamily>& families, double ghz, size_t repetitions) {
  const std::vector<size_t> sizes = KernelSizes(rows);
  char clock[32] = "an unknown clock";
  if (ghz > 0.0) snprintf(clock, sizeof(clock), "%.2f GHz", ghz);
  fprintf(f,
          "Kernels: one thread, medians of %zu samples, the variants of a family interleaved;\n"
          "ns = ns/element, cyc = cycles/element at %s; * the library's pick for that ISA, n its\n"
          "pick above the non-temporal threshold (%s of output), + the fastest of that ISA at\n"
          "that size.\n",
          repetitions, clock,
          BytesName(twopass::NtThresholdBytes()).c_str());
  fprintf(f, "%-25s %-24s", "family", "variant");
  for (size_t n : sizes) fprintf(f, " | %-17s", SizeModeName(rows, n).c_str());
  fprintf(f, "\n%-25s %-24s", "", "");
  for (size_t i = 0; i < sizes.size(); i++) fprintf(f, " | %7s %6s   ", "ns", "cyc");
  fprintf(f, "\n");
  for (const TuneFamily& family : families) {
    bool first = true;
    for (const TuneVariant& variant : family.variants) {
      bool any = false;
      for (size_t n : sizes) any = any || FindKernelRow(rows, variant.symbol, n) != nullptr;
      if (!any) continue;
      if (first) fprintf(f, "\n");
      fprintf(f, "%-25s %-24s", first ? family.name.c_str() : "", variant.variant.c_str());
      first = false;
      for (size_t n : sizes) {
        const KernelRow* r = FindKernelRow(rows, variant.symbol, n);
        if (r == nullptr) {
          fprintf(f, " | %-17s", "-");
          continue;
        }
        char cycles[16] = "-";
        if (ghz > 0.0) snprintf(cycles, sizeof(cycles), "%.3f", r->ns_median * ghz);
        const char marks[3] = {r->pick ? '*' : r->pick_nt ? 'n' : ' ', r->fastest ? '+' : ' ', 0};
        fprintf(f, " | %7.3f %6s %s", r->ns_median, cycles, marks);
      }
      fprintf(f, "\n");
    }
  }
}

// The variant name without its ISA prefix ("avx2_p5_u64_acc2" -> "p5_u64_acc2").
std::string ShortVariant(const std::string& variant, const std::string& isa) {
  if (variant.compare(0, isa.size() + 1, isa + "_") == 0) return variant.substr(isa.size() + 1);
  return variant;
}

std::string VariantOf(const std::string& symbol) {
  const size_t pos = symbol.find("__");
  return pos == std::string::npos ? symbol : symbol.substr(pos + 2);
}

// Per family and ISA: the library's pick, and at each size the fastest variant with
// pick time / fastest time (1.00x: the pick is the fastest).
struct PickRow {
  std::string family;
  std::string isa;
  bool nt;             // the pick above the NT threshold
  std::string pick;    // symbol; may belong to a lower ISA when the family falls back
  std::vector<size_t> elements;
  std::vector<std::string> fastest;  // symbol per size; "" when nothing was measured
  std::vector<double> pick_over_fastest;  // 0 when the pick was not measured there
};

std::vector<PickRow> MakePickRows(const std::vector<KernelRow>& rows,
                                  const std::vector<TuneFamily>& families) {
  std::vector<PickRow> picks;
  const std::vector<size_t> sizes = KernelSizes(rows);
  for (const TuneFamily& family : families) {
    for (int level = TWOPASS_ISA_COUNT - 1; level >= 0; level--) {
      const enum twopass_isa isa = static_cast<enum twopass_isa>(level);
      const std::string isa_name = twopass_isa_to_string(isa);
      bool measured = false;
      for (const KernelRow& r : rows) measured = measured || (r.family == family.name && r.isa == isa_name);
      if (!measured) continue;
      for (int nt = 0; nt <= 1; nt++) {
        const std::string pick = PickFor(family, isa, nt != 0);
        if (nt && (pick.empty() || pick == PickFor(family, isa, false))) continue;
        PickRow p;
        p.family = family.name;
        p.isa = isa_name;
        p.nt = nt != 0;
        p.pick = pick;
        for (size_t n : sizes) {
          const KernelRow* best = nullptr;
          for (const KernelRow& r : rows) {
            if (r.family == family.name && r.isa == isa_name && r.elements == n && r.fastest) best = &r;
          }
          const KernelRow* mine = FindKernelRow(rows, pick, n);
          p.elements.push_back(n);
          p.fastest.push_back(best != nullptr ? best->symbol : "");
          p.pick_over_fastest.push_back(best != nullptr && mine != nullptr
                                            ? mine->ns_median / best->ns_median
                                            : 0.0);
        }
        picks.push_back(p);
      }
    }
  }
  return picks;
}

void PrintPickTable(FILE* f, const std::vector<PickRow>& picks, const std::vector<KernelRow>& rows) {
  const std::vector<size_t> sizes = KernelSizes(rows);
  fprintf(f,
          "\nPicks: per family and ISA, the library's pick (src/config.cc) and, at each size,\n"
          "the fastest variant with pick time / fastest time (\"= pick\": the pick is the\n"
          "fastest). \"(nt)\": the pick above the non-temporal threshold.\n");
  fprintf(f, "%-30s %-8s %-16s", "family", "isa", "pick");
  for (size_t n : sizes) fprintf(f, " | %-22s", SizeModeName(rows, n).c_str());
  fprintf(f, "\n");
  std::string last_family;
  for (const PickRow& p : picks) {
    if (p.family != last_family && !last_family.empty()) fprintf(f, "\n");
    const std::string family = p.family + (p.nt ? " (nt)" : "");
    fprintf(f, "%-30s %-8s %-16s", p.family == last_family && !p.nt ? "" : family.c_str(),
            p.isa.c_str(),
            p.pick.empty() ? "-" : ShortVariant(VariantOf(p.pick), p.isa).c_str());
    last_family = p.family;
    for (size_t i = 0; i < p.elements.size(); i++) {
      char cell[64];
      if (p.fastest[i].empty()) {
        snprintf(cell, sizeof(cell), "-");
      } else if (p.fastest[i] == p.pick) {
        snprintf(cell, sizeof(cell), "= pick");
      } else if (p.pick_over_fastest[i] > 0.0) {
        snprintf(cell, sizeof(cell), "%s %.2fx",
                 ShortVariant(VariantOf(p.fastest[i]), p.isa).c_str(), p.pick_over_fastest[i]);
      } else {
        snprintf(cell, sizeof(cell), "%s",
                 ShortVariant(VariantOf(p.fastest[i]), p.isa).c_str());
      }
      fprintf(f, " | %-22s", cell);
    }
    fprintf(f, "\n");
  }
}

// ----------------------------------------------------------------------------
// --tune, part 2: the algorithms around the two-pass/three-pass crossover.

struct CrossoverPoint {
  Shape shape;
  bool cold = false;
  double ns[kAlgorithmCount] = {};  // medians; 0: not measured
  std::string chosen;  // what auto ran
  double floor_ns = 0.0;
};

struct CrossoverGroup {
  std::string isa;
  std::string dtype;
  size_t threads;
  std::vector<CrossoverPoint> points;
};

std::vector<CrossoverGroup> MakeCrossover(const std::vector<Row>& rows) {
  std::vector<CrossoverGroup> groups;
  for (const Row& r : rows) {
    if (r.floor) continue;
    CrossoverGroup* group = nullptr;
    for (CrossoverGroup& g : groups) {
      if (g.isa == r.isa && g.dtype == r.dtype && g.threads == r.threads) group = &g;
    }
    if (group == nullptr) {
      groups.push_back({r.isa, r.dtype, r.threads, {}});
      group = &groups.back();
    }
    CrossoverPoint* point = nullptr;
    for (CrossoverPoint& p : group->points) {
      if (p.shape.batch == r.shape.batch && p.shape.channels == r.shape.channels) point = &p;
    }
    if (point == nullptr) {
      group->points.push_back(CrossoverPoint());
      point = &group->points.back();
      point->shape = r.shape;
      point->cold = r.cold;
    }
    for (size_t a = 0; a < kAlgorithmCount; a++) {
      if (r.name == kAlgorithms[a].name) point->ns[a] = r.ns_median;
    }
    if (!r.chosen.empty()) point->chosen = r.chosen;
    point->floor_ns = r.floor_ns;
  }
  return groups;
}

// Index of the fastest of the three fixed algorithms measured; -1 if none.
int BestFixed(const CrossoverPoint& p) {
  int best = -1;
  for (size_t a = 0; a < kAlgorithmCount; a++) {
    if (kAlgorithms[a].flags == 0 || kAlgorithms[a].log_softmax || p.ns[a] <= 0.0) continue;
    if (best < 0 || p.ns[a] < p.ns[best]) best = static_cast<int>(a);
  }
  return best;
}

std::string ShapeName(const Shape& shape) {
  return shape.batch == 1 ? SizeName(shape.channels)
                          : std::to_string(shape.batch) + "x" + SizeName(shape.channels);
}

// "from 2^23 on", "at every size", "at no size", or the list of sizes where
// `wins` holds.
std::string WhereTrue(const std::vector<CrossoverPoint>& points, const std::vector<bool>& wins) {
  size_t count = 0;
  for (bool w : wins) count += w ? 1 : 0;
  if (count == 0) return "at no size";
  if (count == wins.size()) return "at every size";
  size_t first = wins.size();
  while (first > 0 && wins[first - 1]) first--;
  if (first < wins.size() && count == wins.size() - first) {
    return "from " + ShapeName(points[first].shape) + " on";
  }
  std::string list;
  for (size_t i = 0; i < wins.size(); i++) {
    if (wins[i]) list += (list.empty() ? "at " : ", ") + ShapeName(points[i].shape);
  }
  return list;
}

const char* ShortAlgorithm(const std::string& name) {
  if (name == "two-pass") return "2p";
  if (name == "three-pass-reload") return "reload";
  if (name == "three-pass-recompute") return "recompute";
  if (name == "sampled-max-reload") return "sampled";
  return name.empty() ? "-" : name.c_str();
}

void PrintCrossover(FILE* f, const std::vector<CrossoverGroup>& groups, size_t repetitions) {
  fprintf(f,
          "\nAlgorithms: ns/element medians of %zu samples, every ISA and algorithm of a size\n"
          "interleaved; reload/2p = three-pass-reload time / two-pass time (above 1: two-pass\n"
          "is faster); auto/best = auto time / the fastest of the three; floor = the two-pass\n"
          "memory-traffic floor.\n",
          repetitions);
  for (const CrossoverGroup& g : groups) {
    fprintf(f, "\n%s %s, %zu thread%s\n", g.isa.c_str(), g.dtype.c_str(), g.threads,
            g.threads == 1 ? "" : "s");
    fprintf(f, "%-10s %-4s %9s %9s %9s %9s %9s %-10s %-10s %9s %9s %7s\n", "size", "mode",
            "two-pass", "reload", "recompute", "sampled", "auto", "auto ran", "best", "sampled/2p",
            "auto/best", "floor");
    std::vector<bool> two_pass_wins, auto_two_pass, auto_close;
    size_t compared = 0;
    for (const CrossoverPoint& p : g.points) {
      auto cell = [](double ns) {
        char text[16] = "-";
        if (ns > 0.0) snprintf(text, sizeof(text), "%.3f", ns);
        return std::string(text);
      };
      const int best = BestFixed(p);
      // The crossover that matters: two-pass against the automatic choice's reload (sampled).
      const double two_pass = p.ns[0], reload = p.ns[kSampledIndex], automatic = p.ns[kAutoIndex];
      char ratio[16] = "-", auto_ratio[16] = "-", floor[16] = "-";
      if (two_pass > 0.0 && reload > 0.0) snprintf(ratio, sizeof(ratio), "%.2f", reload / two_pass);
      if (best >= 0 && automatic > 0.0) {
        snprintf(auto_ratio, sizeof(auto_ratio), "%.2f", automatic / p.ns[best]);
        auto_close.push_back(automatic <= 1.03 * p.ns[best]);
        compared++;
      }
      if (p.floor_ns > 0.0) snprintf(floor, sizeof(floor), "%.3f", p.floor_ns);
      two_pass_wins.push_back(two_pass > 0.0 && reload > 0.0 && two_pass < reload);
      auto_two_pass.push_back(p.chosen == "two-pass");
      fprintf(f, "%-10s %-4s %9s %9s %9s %9s %9s %-10s %-10s %9s %9s %7s\n",
              ShapeName(p.shape).c_str(), p.cold ? "cold" : "hot", cell(two_pass).c_str(),
              cell(p.ns[kReloadIndex]).c_str(), cell(p.ns[2]).c_str(), cell(reload).c_str(),
              cell(automatic).c_str(), ShortAlgorithm(p.chosen),
              best >= 0 ? ShortAlgorithm(kAlgorithms[best].name) : "-", ratio, auto_ratio, floor);
    }
    bool have_ratio = false, have_auto = false;
    for (const CrossoverPoint& p : g.points) {
      have_ratio = have_ratio || (p.ns[0] > 0.0 && p.ns[kSampledIndex] > 0.0);
      have_auto = have_auto || !p.chosen.empty();
    }
    if (have_ratio) {
      fprintf(f, "  two-pass faster than sampled-max-reload %s",
              WhereTrue(g.points, two_pass_wins).c_str());
      if (have_auto) fprintf(f, "; auto runs two-pass %s", WhereTrue(g.points, auto_two_pass).c_str());
      fprintf(f, "\n");
    }
    if (compared > 0) {
      size_t close = 0;
      for (bool c : auto_close) close += c ? 1 : 0;
      fprintf(f, "  auto within 3%% of the best at %zu of %zu sizes\n", close, compared);
    }
  }
}

// A JSON number, or null when it is not finite.
std::string JsonNumber(double value, const char* format = "%.6g") {
  if (!std::isfinite(value)) return "null";
  char text[32];
  snprintf(text, sizeof(text), format, value);
  return text;
}

void WriteTuneJson(FILE* f, const Machine& m, const Options& o, const std::string& command,
                   double ghz, bool ghz_estimated, const std::vector<KernelRow>& kernels,
                   const std::vector<PickRow>& picks, const std::vector<Row>& rows,
                   const std::vector<CrossoverGroup>& groups) {
  WriteJsonHead(f, m, o, command);
  fprintf(f, "  \"mode\": \"tune\",\n  \"clock_ghz\": %s,\n  \"clock_source\": \"%s\",\n",
          ghz > 0.0 ? JsonNumber(ghz, "%.4f").c_str() : "null",
          ghz > 0.0 ? (ghz_estimated ? "estimated" : "--ghz") : "none");
  fprintf(f, "  \"nt_threshold_bytes\": %zu,\n", twopass::NtThresholdBytes());
  fprintf(f, "  \"kernels\": [");
  for (size_t i = 0; i < kernels.size(); i++) {
    const KernelRow& r = kernels[i];
    fprintf(f,
            "%s\n    {\"family\": %s, \"variant\": %s, \"symbol\": %s, \"isa\": %s, \"tile\": %zu, "
            "\"elements\": %zu, \"mode\": \"%s\", \"buffer_sets\": %zu, \"samples\": %zu, "
            "\"calls_per_sample\": %zu, \"ns_per_element_min\": %s, "
            "\"ns_per_element_median\": %s, \"cycles_per_element_median\": %s, "
            "\"elements_per_second\": %s, \"bytes_per_element\": %.0f, "
            "\"gb_per_second_median\": %s, \"pick\": %s, \"pick_nt\": %s, \"fastest\": %s}",
            i == 0 ? "" : ",", JsonString(r.family).c_str(), JsonString(r.variant).c_str(),
            JsonString(r.symbol).c_str(), JsonString(r.isa).c_str(), r.tile, r.elements,
            r.cold ? "cold" : "hot", r.buffer_sets, r.samples, r.calls_per_sample,
            JsonNumber(r.ns_min).c_str(), JsonNumber(r.ns_median).c_str(),
            ghz > 0.0 ? JsonNumber(r.ns_median * ghz).c_str() : "null",
            JsonNumber(1e9 / r.ns_median).c_str(), r.bytes_per_element,
            JsonNumber(r.bytes_per_element / r.ns_median).c_str(), r.pick ? "true" : "false",
            r.pick_nt ? "true" : "false", r.fastest ? "true" : "false");
  }
  fprintf(f, "%s],\n  \"picks\": [", kernels.empty() ? "" : "\n  ");
  for (size_t i = 0; i < picks.size(); i++) {
    const PickRow& p = picks[i];
    fprintf(f, "%s\n    {\"family\": %s, \"isa\": %s, \"above_nt_threshold\": %s, \"pick\": %s, "
               "\"sizes\": [",
            i == 0 ? "" : ",", JsonString(p.family).c_str(), JsonString(p.isa).c_str(),
            p.nt ? "true" : "false", JsonString(p.pick).c_str());
    for (size_t j = 0; j < p.elements.size(); j++) {
      fprintf(f, "%s{\"elements\": %zu, \"fastest\": %s, \"pick_over_fastest\": %s}",
              j == 0 ? "" : ", ", p.elements[j],
              p.fastest[j].empty() ? "null" : JsonString(p.fastest[j]).c_str(),
              p.pick_over_fastest[j] > 0.0 ? JsonNumber(p.pick_over_fastest[j], "%.4f").c_str()
                                           : "null");
    }
    fprintf(f, "]}");
  }
  fprintf(f, "%s],\n  \"results\": ", picks.empty() ? "" : "\n  ");
  WriteJsonRows(f, rows);
  fprintf(f, ",\n  \"crossover\": [");
  for (size_t i = 0; i < groups.size(); i++) {
    const CrossoverGroup& g = groups[i];
    fprintf(f, "%s\n    {\"isa\": %s, \"dtype\": %s, \"threads\": %zu, \"points\": [",
            i == 0 ? "" : ",", JsonString(g.isa).c_str(), JsonString(g.dtype).c_str(), g.threads);
    for (size_t j = 0; j < g.points.size(); j++) {
      const CrossoverPoint& p = g.points[j];
      fprintf(f, "%s\n      {\"batch\": %zu, \"channels\": %zu, \"mode\": \"%s\"",
              j == 0 ? "" : ",", p.shape.batch, p.shape.channels, p.cold ? "cold" : "hot");
      fprintf(f, ", \"ns_per_element_median\": {");
      bool first = true;
      for (size_t a = 0; a < kAlgorithmCount; a++) {
        if (p.ns[a] > 0.0) {
          fprintf(f, "%s%s: %s", first ? "" : ", ", JsonString(kAlgorithms[a].name).c_str(),
                  JsonNumber(p.ns[a]).c_str());
          first = false;
        }
      }
      fprintf(f, "}");
      if (!p.chosen.empty()) fprintf(f, ", \"auto_ran\": %s", JsonString(p.chosen).c_str());
      const int best = BestFixed(p);
      if (best >= 0) fprintf(f, ", \"best\": %s", JsonString(kAlgorithms[best].name).c_str());
      if (p.ns[0] > 0.0 && p.ns[kReloadIndex] > 0.0) {
        fprintf(f, ", \"reload_over_two_pass\": %s",
                JsonNumber(p.ns[kReloadIndex] / p.ns[0], "%.4f").c_str());
      }
      if (p.ns[0] > 0.0 && p.ns[kSampledIndex] > 0.0) {
        fprintf(f, ", \"sampled_over_two_pass\": %s",
                JsonNumber(p.ns[kSampledIndex] / p.ns[0], "%.4f").c_str());
      }
      if (best >= 0 && p.ns[kAutoIndex] > 0.0) {
        fprintf(f, ", \"auto_over_best\": %s",
                JsonNumber(p.ns[kAutoIndex] / p.ns[best], "%.4f").c_str());
      }
      if (p.floor_ns > 0.0) fprintf(f, ", \"floor_ns\": %s", JsonNumber(p.floor_ns).c_str());
      fprintf(f, "}");
    }
    fprintf(f, "%s]}", g.points.empty() ? "" : "\n    ");
  }
  fprintf(f, "%s]\n}\n", groups.empty() ? "" : "\n  ");
}

// --tune: kernels, then algorithms; the tables go to stdout (stderr when the
// JSON goes to stdout).
int RunTune(const Options& options, const Machine& machine, const std::string& command,
            size_t total_memory, size_t memory_cap, bool table_to_stdout) {
  FILE* out = table_to_stdout ? stdout : stderr;
  const bool ghz_estimated = options.ghz <= 0.0;
  const double ghz = ghz_estimated ? EstimateGHz() : options.ghz;
  if (ghz > 0.0) {
    fprintf(out, "clock: %.2f GHz (%s)\n", ghz,
            ghz_estimated ? "estimated from dependent adds; --ghz to set it" : "--ghz");
  } else {
    fprintf(out, "clock: unknown (no cycles/element; --ghz to set it)\n");
  }
  const std::vector<TuneFamily> families = MakeTuneFamilies();
  std::vector<KernelRow> kernels;
  std::vector<PickRow> picks;
  if (options.tune_kernels) {
    kernels = RunKernels(options, families, total_memory, memory_cap);
    picks = MakePickRows(kernels, families);
    if (!kernels.empty()) {
      fprintf(out, "\n");
      PrintKernelTable(out, kernels, families, ghz, options.repetitions);
      PrintPickTable(out, picks, kernels);
    } else {
      fprintf(stderr, "twopass-bench: warning: no kernel variant was measured\n");
    }
    fflush(out);
  }
  std::vector<Row> rows;
  std::vector<CrossoverGroup> groups;
  if (options.tune_algorithms) {
    std::vector<Shape> shapes;
    for (const std::string& spec : options.size_specs) ExpandSizeSpec(spec, options.batch, &shapes);
    rows = RunAlgorithms(options, shapes, total_memory, memory_cap, table_to_stdout);
    groups = MakeCrossover(rows);
    PrintCrossover(out, groups, options.repetitions);
  }
  if (kernels.empty() && rows.empty()) {
    fprintf(stderr, "twopass-bench: nothing was measured\n");
    return 1;
  }
  if (options.json) {
    FILE* f = OpenOutput(options.json_path);
    WriteTuneJson(f, machine, options, command, ghz, ghz_estimated, kernels, picks, rows, groups);
    CloseOutput(f);
  }
  return 0;
}

int Main(int argc, char** argv) {
  const enum twopass_status init = twopass_initialize();
  if (init != twopass_status_success) DieStatus("twopass_initialize", init);

  Options options = ParseOptions(argc, argv);
  Dedup(&options.algorithms);
  Dedup(&options.isas);
  Dedup(&options.dtypes);
  Dedup(&options.threads);
  std::vector<Shape> shapes;
  for (const std::string& spec : options.size_specs) ExpandSizeSpec(spec, options.batch, &shapes);

  const Machine machine = DescribeMachine();
  std::string command = "twopass-bench";
  for (int i = 1; i < argc; i++) command += std::string(" ") + argv[i];

  // Memory: never more than half of what the system has free.
  const size_t available = MemAvailableBytes();
  size_t memory_cap = available != 0 ? available / 2 : 4 * kGiB;
  const size_t total_memory = std::min(options.total_memory, memory_cap);
  if (total_memory < options.total_memory) {
    fprintf(stderr, "twopass-bench: warning: --total-memory capped at %s (half of MemAvailable)\n",
            BytesName(total_memory).c_str());
  }

  const bool table_to_stdout =
      !((options.csv && options.csv_path.empty()) || (options.json && options.json_path.empty()));
  FILE* info = table_to_stdout ? stdout : stderr;
  const double load = LoadAverage();
  fprintf(info, "twopass-bench %s on %s (%u processors; L1d %s, L2 %s, L3 %s from %s; ISAs %s)\n",
          VersionString().c_str(), machine.cpu.c_str(), machine.cores, BytesName(machine.l1d).c_str(),
          BytesName(machine.l2).c_str(), BytesName(machine.l3).c_str(),
          machine.cache_sources.c_str(), machine.isas_supported.c_str());
  fprintf(info, "%zu samples per contender, contenders interleaved; out of cache above %s "
                "(rotating %s); buffer gap %zu B; %s; load average %.2f%s\n",
          options.repetitions, BytesName(options.cold_above).c_str(),
          BytesName(total_memory).c_str(), options.gap,
          options.mask_every != 0
              ? ("every " + std::to_string(options.mask_every) + "th input -inf").c_str()
              : "no masked inputs",
          load,
          load > 0.5 ? " (busy machine: expect noisy numbers)" : "");
  if (table_to_stdout) fprintf(info, "\n");
  fflush(info);

  if (options.tune) {
    return RunTune(options, machine, command, total_memory, memory_cap, table_to_stdout);
  }
  std::vector<Row> rows =
      RunAlgorithms(options, shapes, total_memory, memory_cap, table_to_stdout);
  if (rows.empty()) {
    fprintf(stderr, "twopass-bench: nothing was measured\n");
    return 1;
  }

  if (table_to_stdout) {
    PrintTable(stdout, rows);
    PrintSummary(stdout, rows);
  }
  if (options.csv) {
    FILE* f = OpenOutput(options.csv_path);
    WriteCsv(f, rows, machine);
    CloseOutput(f);
  }
  if (options.json) {
    FILE* f = OpenOutput(options.json_path);
    WriteJson(f, rows, machine, options, command);
    CloseOutput(f);
  }
  return 0;
}

}  // namespace
}  // namespace twopass_bench

int main(int argc, char** argv) { return twopass_bench::Main(argc, argv); }
