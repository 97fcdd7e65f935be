// Softmax NC operator: create / reshape / setup / run / delete, the one-shot call,
// and the row and chunk drivers around the microkernels.
//
// Structure of one run:
// - Every row is cut into chunks whose size depends on `channels` only (PlanChunks).
// - Pass 1 runs per chunk and leaves a partial: (m, e) for two-pass, (max, sum) for
//   three-pass. The partials of a row are merged in a fixed order, in double precision
//   (Merge*), which decides the row's plan: the normal fast path, or a special row.
// - The last pass runs per chunk with the row's plan.
// - Special rows (NaN, +inf, only -inf, or a magnitude beyond the two-pass range) take
//   a serial slow path (ProcessSpecialRow) that never touches the normal path.
// Rows are processed whole by one thread (row mode; short single-chunk rows in tiles of
// several rows, phase by phase, see ComputeSingleChunkRows), or, when there are fewer rows
// than threads, every phase runs over (row, chunk) pairs in parallel (split mode).
// Both modes call the same kernels on the same chunks and merge identically, so
// the output is bitwise the same for any thread count.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include <immintrin.h>  // _mm_sfence (SSE, part of x86-64)

#include <fp16.h>
#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/cache-info.h"
#include "twopass/config.h"
#include "twopass/log.h"
#include "twopass/operator.h"

namespace twopass {
namespace {

constexpr uint32_t kAlgorithmFlags = TWOPASS_FLAG_ALGORITHM_TWO_PASS |
                                     TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD |
                                     TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE;
constexpr uint32_t kKnownFlags = kAlgorithmFlags | TWOPASS_FLAG_MASKED_ROW_ZERO;

// Largest chunk: the pass-1 kernels guarantee their 1e-6 sum accuracy for up to 4096
// elements (f32 accumulators drift beyond: 1.3e-6 was measured at 16383 elements on
// the non-FMA ISAs); longer rows are merged from such chunks in double. The
// granularity keeps chunk boundaries on whole cache lines.
constexpr size_t kMaxChunkElements = 4096;
constexpr size_t kChunkGranularity = 64;

// The two-pass reduction t = x - n*ln2 keeps exp within a few ULP up to |x| = 1e4,
// i.e. |n| <= 1e4 * log2(e) = 14426.95. A row whose dominant exponent is beyond that
// is recomputed with three-pass (x - max is small and exact there).
constexpr float kMaxTwoPassExponent = 14427.0f;

// ---------------------------------------------------------------------------------
// Registry of live operators: handles are checked here before they are touched, so a
// deleted (or never created) operator is rejected instead of read after free.

class Registry {
 public:
  void Add(const twopass_operator* op) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    live_.insert(op);
  }
  void Remove(const twopass_operator* op) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    live_.erase(op);
  }
  bool Contains(const twopass_operator* op) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return live_.count(op) != 0;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_set<const twopass_operator*> live_;
};

Registry& LiveOperators() {
  // Never destroyed: operators may be deleted from static destructors of the caller.
  static Registry* registry = new Registry();
  return *registry;
}

bool Initialized(const char* function) {
  if (ActiveKernelConfig() != nullptr) return true;
  TWOPASS_LOG_ERROR("%s: library not initialized (call twopass_initialize first)", function);
  return false;
}

// Checks a handle passed by the caller: non-NULL and live.
enum twopass_status CheckHandle(const twopass_operator* op, const char* function,
                                const char* argument) {
  if (op == nullptr) {
    TWOPASS_LOG_ERROR("%s: %s is NULL", function, argument);
    return twopass_status_invalid_parameter;
  }
  if (!LiveOperators().Contains(op)) {
    TWOPASS_LOG_ERROR("%s: %s (%p) is not a live operator (deleted or never created)",
                      function, argument, static_cast<const void*>(op));
    return twopass_status_invalid_parameter;
  }
  return twopass_status_success;
}

const char* OperatorName(ElementType type) {
  return type == ElementType::kF16 ? "softmax_nc_f16" : "softmax_nc_f32";
}

// The operator must be a softmax of element type `type`.
enum twopass_status CheckSoftmax(const twopass_operator* op, ElementType type,
                                 const char* function) {
  if (op->magic != kOperatorMagic || op->type != OperatorType::kSoftmaxNc ||
      op->element_type != type) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not a %s operator", function,
                      static_cast<const void*>(op), OperatorName(type));
    return twopass_status_invalid_state;
  }
  return twopass_status_success;
}

// Any softmax operator (run_operator dispatches on the element type).
enum twopass_status CheckAnySoftmax(const twopass_operator* op, const char* function) {
  if (op->magic != kOperatorMagic || op->type != OperatorType::kSoftmaxNc ||
      (op->element_type != ElementType::kF32 && op->element_type != ElementType::kF16)) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not a softmax operator", function,
                      static_cast<const void*>(op));
    return twopass_status_invalid_state;
  }
  return twopass_status_success;
}

size_t ElementSize(ElementType type) { return type == ElementType::kF16 ? 2 : sizeof(float); }

size_t DivideRoundUp(size_t n, size_t d) { return n / d + (n % d != 0); }

// Chunks of at most kMaxChunkElements, as equal as the granularity allows, so that the
// pieces of a split row balance across threads. Depends on channels only.
void PlanChunks(size_t channels, size_t* chunk_size, size_t* num_chunks) {
  const size_t count = DivideRoundUp(channels, kMaxChunkElements);
  const size_t size = DivideRoundUp(DivideRoundUp(channels, count), kChunkGranularity) *
                      kChunkGranularity;  // <= kMaxChunkElements, a multiple of 64
  *chunk_size = size;
  *num_chunks = DivideRoundUp(channels, size);
}

// The automatic choice between the algorithms (no TWOPASS_FLAG_ALGORITHM_* given).
// Every algorithm meets the same accuracy contract, so this is about speed only, and
// it depends only on the shape, the ISA and the CPU's cache sizes (never on the pool),
// so results stay bitwise identical for any thread count.
// f32: two-pass when one row's input + output exceed a per-ISA multiple of the last-level
// cache (RuleChoosesTwoPass in src/cache-info.cc, with the measured crossovers): in
// cache reload wins, out of cache two-pass moves 12 bytes per element against 20.
// f16 operators have only two-pass kernels of their own (three-pass converts through
// a stack buffer), so they always use two-pass.
Algorithm choose_algorithm(ElementType element_type, size_t channels,
                           const KernelConfig& config) {
  if (element_type == ElementType::kF16) return Algorithm::kTwoPass;
  const uint64_t row_bytes = uint64_t{channels} * 2 * sizeof(float);  // input + output
  return RuleChoosesTwoPass(config.isa, row_bytes, DetectedCacheSizes())
             ? Algorithm::kTwoPass
             : Algorithm::kThreePassReload;
}

const char* AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kTwoPass:
      return "two-pass";
    case Algorithm::kThreePassReload:
      return "three-pass-reload";
    case Algorithm::kThreePassRecompute:
      return "three-pass-recompute";
  }
  return "unknown";
}

// Elements touched by a tensor: (batch - 1) * stride + channels. False on overflow of
// PTRDIFF_MAX bytes (elements of element_size bytes).
bool SpanElements(size_t channels, size_t stride, size_t batch_size, size_t element_size,
                  size_t* elements) {
  size_t span = 0;
  if (batch_size != 0) {
    if (__builtin_mul_overflow(batch_size - 1, stride, &span) ||
        __builtin_add_overflow(span, channels, &span)) {
      return false;
    }
  }
  size_t bytes;
  if (__builtin_mul_overflow(span, element_size, &bytes) ||
      bytes > static_cast<size_t>(PTRDIFF_MAX)) {
    return false;
  }
  *elements = span;
  return true;
}

// ---------------------------------------------------------------------------------
// Row and chunk drivers.

// One chunk of a row. For f16 operators the pointers address halves (uint16_t).
struct RowChunk {
  const void* input;
  void* output;
  size_t elements;
  const float* f32_input() const { return static_cast<const float*>(input); }
  float* f32_output() const { return static_cast<float*>(output); }
};

inline bool IsF16(const twopass_operator* op) { return op->element_type == ElementType::kF16; }

inline RowChunk GetChunk(const twopass_operator* op, size_t row, size_t chunk) {
  const size_t start = chunk * op->chunk_size;
  const size_t element_size = ElementSize(op->element_type);
  return RowChunk{
      static_cast<const char*>(op->input) + (row * op->input_stride + start) * element_size,
      static_cast<char*>(op->output) + (row * op->output_stride + start) * element_size,
      std::min(op->chunk_size, op->channels - start),
  };
}

// ---------------------------------------------------------------------------------
// f16 three-pass: the f16 operator has two-pass kernels of its own but no three-pass
// ones. Its three-pass passes (the algorithm flags, and the slow path of special or
// huge-magnitude rows) widen the chunk piece by piece into a buffer on the stack and
// run the f32 kernels there; the last pass rounds the f32 results to halves (nearest
// even). Conversions use the FP16 library one element at a time: this path is correct
// but not tuned (two-pass, the automatic choice, converts in its kernels).
// Both three-pass flags run the recompute form on f16: the reload form would store
// exp(x - max) in the half-precision output and round it twice.
constexpr size_t kF16Piece = 512;  // 2 KiB of stack

inline void WidenHalves(const uint16_t* h, size_t n, float* f) {
  for (size_t i = 0; i < n; i++) f[i] = fp16_ieee_to_fp32_value(h[i]);
}

// max of the chunk (NaN if any element is NaN).
float F16ChunkMax(const twopass_operator* op, const RowChunk& c) {
  const uint16_t* x = static_cast<const uint16_t*>(c.input);
  float buffer[kF16Piece];
  float max = -INFINITY;
  for (size_t start = 0; start < c.elements; start += kF16Piece) {
    const size_t n = std::min(kF16Piece, c.elements - start);
    WidenHalves(x + start, n, buffer);
    float piece_max;
    op->config->rmax.fn(n * sizeof(float), buffer, &piece_max);
    if (isnan(piece_max) || piece_max > max) max = piece_max;  // NaN sticks
  }
  return max;
}

// sum of exp(x - ref) over the chunk (ref: twopass/expminusmax-ref.h, from max); pieces
// summed in double.
float F16ChunkSumExpMinusMax(const twopass_operator* op, const RowChunk& c, float max) {
  const uint16_t* x = static_cast<const uint16_t*>(c.input);
  float buffer[kF16Piece];
  double sum = 0.0;
  for (size_t start = 0; start < c.elements; start += kF16Piece) {
    const size_t n = std::min(kF16Piece, c.elements - start);
    WidenHalves(x + start, n, buffer);
    float piece_sum;
    op->config->raddexpminusmax.fn(n * sizeof(float), buffer, &piece_sum, max);
    sum += piece_sum;
  }
  return static_cast<float>(sum);
}

// output = half(exp(x - ref) * scale). Each piece is read completely before it is
// written, so in-place rows work.
void F16ChunkScaleExpMinusMax(const twopass_operator* op, const RowChunk& c, float max,
                              float scale) {
  const uint16_t* x = static_cast<const uint16_t*>(c.input);
  uint16_t* y = static_cast<uint16_t*>(c.output);
  float buffer[kF16Piece];
  for (size_t start = 0; start < c.elements; start += kF16Piece) {
    const size_t n = std::min(kF16Piece, c.elements - start);
    WidenHalves(x + start, n, buffer);
    op->config->vscaleexpminusmax.fn(n * sizeof(float), buffer, buffer, max, scale);
    for (size_t i = 0; i < n; i++) y[start + i] = fp16_ieee_from_fp32_value(buffer[i]);
  }
}

// sum = mantissa * 2^exponent with mantissa in [0.5, 1), like frexp but inline for
// the positive normal doubles the merge produces (frexp is a library call, and this
// runs once per row: it matters for short rows).
inline double SplitExponent(double sum, int* exponent) {
  uint64_t bits;
  memcpy(&bits, &sum, sizeof(bits));
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0 || biased == 0x7FF) return frexp(sum, exponent);
  *exponent = biased - 1022;
  bits = (bits & ~(uint64_t{0x7FF} << 52)) | (uint64_t{1022} << 52);
  memcpy(&sum, &bits, sizeof(sum));
  return sum;
}

// Two-pass merge: sum_c m_c * 2^(e_c - E) in double with E = max e_c, in chunk order.
// Returns the normal plan (1/m, -e with the double sum normalized to [0.5, 1)), or a
// special row when a partial says NaN, +inf, all-zero, or out-of-range exponent.
RowPlan MergeTwoPass(const ChunkPartial* partials, size_t count) {
  const RowPlan special{0.0f, 0.0f, RowKind::kSpecial};
  float emax = -INFINITY;
  for (size_t c = 0; c < count; c++) {
    const float m = partials[c].a;
    const float e = partials[c].b;
    // NaN m (NaN input), +inf e (+inf input), or anything outside the pass-1 contract.
    if (!(m >= 0.0f && m < INFINITY) || isnan(e) || e == INFINITY) return special;
    if (m > 0.0f && e > emax) emax = e;
  }
  // emax == -inf: every chunk summed to exactly 0 (only -inf, or kernel underflow).
  if (!(emax >= -kMaxTwoPassExponent && emax <= kMaxTwoPassExponent)) return special;
  double sum = 0.0;
  for (size_t c = 0; c < count; c++) {
    const float m = partials[c].a;
    if (m == 0.0f) continue;
    const float shift = partials[c].b - emax;  // integer-valued, <= 0
    if (shift < -1100.0f) continue;          // below double's range: contributes 0
    // (shift 0, always the case for single-chunk rows, needs no ldexp call)
    sum += shift == 0.0f ? static_cast<double>(m)
                         : ldexp(static_cast<double>(m), static_cast<int>(shift));
  }
  int exponent;
  const double mantissa = SplitExponent(sum, &exponent);  // sum = mantissa * 2^exponent
  return RowPlan{static_cast<float>(1.0 / mantissa),
                 -(emax + static_cast<float>(exponent)), RowKind::kNormal};
}

// Three-pass merge of the chunk maxima (a NaN anywhere wins). A row is normal when
// its maximum is finite.
RowPlan MergeMax(const ChunkPartial* partials, size_t count) {
  float max = -INFINITY;
  for (size_t c = 0; c < count; c++) {
    const float m = partials[c].a;
    if (isnan(m)) return RowPlan{0.0f, 0.0f, RowKind::kSpecial};
    max = m > max ? m : max;
  }
  if (!isfinite(max)) return RowPlan{0.0f, 0.0f, RowKind::kSpecial};
  return RowPlan{max, 0.0f, RowKind::kNormal};
}

// Three-pass merge of the chunk sums in double; sum >= 1 since exp(max - max) = 1.
float MergeSumScale(const ChunkPartial* partials, size_t count) {
  double sum = 0.0;
  for (size_t c = 0; c < count; c++) sum += static_cast<double>(partials[c].b);
  return static_cast<float>(1.0 / sum);
}

// Non-temporal stores for the last pass of f32 two-pass and three-pass-reload when the
// run writes more than NtThresholdBytes() of output (rows x channels x 4 bytes; the
// gaps of strided rows are not written): such an output would be evicted before it
// is read again anyway, and streaming it skips the read-for-ownership of each line.
// In cache, streaming is much slower (it evicts the output): see config.cc for the
// threshold's measurements. The nt kernels give bitwise the same results and have
// no fence of their own: streaming stores are weakly ordered, so every pool task
// that may have run them ends with an sfence (FenceStreamedOutput) before the pool
// sees it finish; a fence per kernel call instead cost 11% on rows of 1000 floats.
// Each chunk handles its own unaligned head and tail, so chunk boundaries need no
// alignment. Decided per call from the shape (cheap) so that every chunk of a run
// makes the same choice. f16 keeps regular stores: it has no nt kernels.
inline bool StreamOutput(const twopass_operator* op) {
  return !IsF16(op) && op->batch_size * op->channels * sizeof(float) > NtThresholdBytes();
}

// The end of a pool task that may have run nt kernels.
inline void FenceStreamedOutput(const twopass_operator* op) {
  if (StreamOutput(op)) _mm_sfence();
}

// Per-chunk kernel calls (shared by row mode, split mode and the slow path).
inline void TwoPassPass1(const twopass_operator* op, size_t row, size_t chunk,
                         ChunkPartial* partial) {
  const RowChunk c = GetChunk(op, row, chunk);
  float sum[2];
  if (IsF16(op)) {
    op->config->f16_raddextexp.fn(c.elements * sizeof(uint16_t), c.input, sum);
  } else {
    op->config->raddextexp.fn(c.elements * sizeof(float), c.f32_input(), sum);
  }
  partial->a = sum[0];
  partial->b = sum[1];
}

inline void TwoPassPass2(const twopass_operator* op, size_t row, size_t chunk,
                         const RowPlan& plan) {
  const RowChunk c = GetChunk(op, row, chunk);
  if (IsF16(op)) {
    op->config->f16_vscaleextexp.fn(c.elements * sizeof(uint16_t), c.input, c.output, plan.a,
                                    plan.b);
  } else {
    const twopass_f32_vscaleextexp_ukernel_fn kernel =
        StreamOutput(op) ? op->config->vscaleextexp_nt.fn : op->config->vscaleextexp.fn;
    kernel(c.elements * sizeof(float), c.f32_input(), c.f32_output(), plan.a, plan.b);
  }
}

inline void ThreePassMax(const twopass_operator* op, size_t row, size_t chunk,
                         ChunkPartial* partial) {
  const RowChunk c = GetChunk(op, row, chunk);
  if (IsF16(op)) {
    partial->a = F16ChunkMax(op, c);
  } else {
    op->config->rmax.fn(c.elements * sizeof(float), c.f32_input(), &partial->a);
  }
}

inline void ThreePassSum(const twopass_operator* op, Algorithm algorithm, size_t row,
                         size_t chunk, float max, ChunkPartial* partial) {
  const RowChunk c = GetChunk(op, row, chunk);
  if (IsF16(op)) {
    partial->b = F16ChunkSumExpMinusMax(op, c, max);  // recompute form for both
  } else if (algorithm == Algorithm::kThreePassReload) {
    op->config->raddstoreexpminusmax.fn(c.elements * sizeof(float), c.f32_input(), &max,
                                        c.f32_output(), &partial->b);
  } else {
    op->config->raddexpminusmax.fn(c.elements * sizeof(float), c.f32_input(), &partial->b, max);
  }
}

inline void ThreePassScale(const twopass_operator* op, Algorithm algorithm, size_t row,
                           size_t chunk, const RowPlan& plan) {
  const RowChunk c = GetChunk(op, row, chunk);
  if (IsF16(op)) {
    F16ChunkScaleExpMinusMax(op, c, plan.a, plan.b);  // recompute form for both
  } else if (algorithm == Algorithm::kThreePassReload) {
    // exp(x - ref) was stored by the sum pass: scale it in place.
    const twopass_f32_vscale_ukernel_fn kernel =
        StreamOutput(op) ? op->config->vscale_nt.fn : op->config->vscale.fn;
    kernel(c.elements * sizeof(float), c.f32_output(), c.f32_output(), plan.b);
  } else {
    op->config->vscaleexpminusmax.fn(c.elements * sizeof(float), c.f32_input(), c.f32_output(),
                                     plan.a, plan.b);
  }
}

// Partials of one row: the operator's scratch for multi-chunk rows, else `local`.
inline ChunkPartial* RowPartials(const twopass_operator* op, size_t row, ChunkPartial* local) {
  return op->num_chunks == 1 ? local : op->partials + row * op->num_chunks;
}

// Three-pass over a whole row whose maximum `plan.a` is finite, chunk by chunk.
void ThreePassRowTail(const twopass_operator* op, Algorithm algorithm, size_t row,
                      ChunkPartial* partials, RowPlan plan) {
  for (size_t c = 0; c < op->num_chunks; c++) {
    ThreePassSum(op, algorithm, row, c, plan.a, &partials[c]);
  }
  plan.b = MergeSumScale(partials, op->num_chunks);
  for (size_t c = 0; c < op->num_chunks; c++) ThreePassScale(op, algorithm, row, c, plan);
}

// The slow path for rows with NaN, +inf, only -inf, or a magnitude beyond the two-pass
// range. Reads the whole input row before writing (in-place safe).
// Element i of a row of the operator's element type, as a float (exact for f16).
inline float LoadElement(const twopass_operator* op, const void* row, size_t i) {
  return IsF16(op) ? fp16_ieee_to_fp32_value(static_cast<const uint16_t*>(row)[i])
                   : static_cast<const float*>(row)[i];
}

// Writes value (rounded to nearest even for f16) to element i of a row.
inline void StoreElement(const twopass_operator* op, void* row, size_t i, float value) {
  if (IsF16(op)) {
    static_cast<uint16_t*>(row)[i] = fp16_ieee_from_fp32_value(value);
  } else {
    static_cast<float*>(row)[i] = value;
  }
}

void ProcessSpecialRow(const twopass_operator* op, size_t row, ChunkPartial* partials) {
  const size_t element_size = ElementSize(op->element_type);
  const void* x = static_cast<const char*>(op->input) + row * op->input_stride * element_size;
  void* y = static_cast<char*>(op->output) + row * op->output_stride * element_size;
  const size_t n = op->channels;
  bool nan = false;
  size_t positive_infinities = 0;
  size_t negative_infinities = 0;
  for (size_t i = 0; i < n; i++) {
    const float v = LoadElement(op, x, i);
    nan |= isnan(v);
    positive_infinities += v == INFINITY;
    negative_infinities += v == -INFINITY;
  }
  if (nan) {
    for (size_t i = 0; i < n; i++) StoreElement(op, y, i, NAN);
  } else if (positive_infinities != 0) {
    // The limit of softmax as the +inf entries grow together: 1/k each.
    const float share = static_cast<float>(1.0 / static_cast<double>(positive_infinities));
    // Reads element i before writing it: in place is fine.
    for (size_t i = 0; i < n; i++) {
      StoreElement(op, y, i, LoadElement(op, x, i) == INFINITY ? share : 0.0f);
    }
  } else if (negative_infinities == n) {
    const float fill = (op->flags & TWOPASS_FLAG_MASKED_ROW_ZERO) ? 0.0f : NAN;
    for (size_t i = 0; i < n; i++) StoreElement(op, y, i, fill);
  } else {
    // Finite values present, maximum finite: three-pass recompute (exact reduction).
    for (size_t c = 0; c < op->num_chunks; c++) ThreePassMax(op, row, c, &partials[c]);
    const RowPlan plan = MergeMax(partials, op->num_chunks);
    ThreePassRowTail(op, Algorithm::kThreePassRecompute, row, partials, plan);
  }
}

// Row mode: one whole row, its chunks in order.
void ComputeRow(const twopass_operator* op, size_t row) {
  ChunkPartial local;
  ChunkPartial* partials = RowPartials(op, row, &local);
  const size_t chunks = op->num_chunks;
  if (op->algorithm == Algorithm::kTwoPass) {
    for (size_t c = 0; c < chunks; c++) TwoPassPass1(op, row, c, &partials[c]);
    const RowPlan plan = MergeTwoPass(partials, chunks);
    if (plan.kind == RowKind::kNormal) {
      for (size_t c = 0; c < chunks; c++) TwoPassPass2(op, row, c, plan);
    } else {
      ProcessSpecialRow(op, row, partials);
    }
  } else {
    for (size_t c = 0; c < chunks; c++) ThreePassMax(op, row, c, &partials[c]);
    const RowPlan plan = MergeMax(partials, chunks);
    if (plan.kind == RowKind::kNormal) {
      ThreePassRowTail(op, op->algorithm, row, partials, plan);
    } else {
      ProcessSpecialRow(op, row, partials);
    }
  }
}

// Row tiles: several single-chunk rows run phase by phase (every row's pass 1, then
// every row's merge and last pass). Each row is a serial chain of latencies (kernel
// reduction -> merge -> divide -> next kernel) that costs tens of ns on short rows when
// rows run one after another; with the phases of a tile's rows back to back, the
// out-of-order core overlaps one row's chain with the next row's work. Per row the
// same kernels run on the same chunk with the same merge, so results do not change.
// The tile's rows stay small enough for L1 (input and output), and at most
// kMaxTileRows rows keep the per-tile state on the stack.
constexpr size_t kMaxTileRows = 16;
constexpr size_t kTileElements = 2048;
// With streamed output, a pool task (several tiles) covers at least this many elements
// so that its closing sfence is rare: with one fence per tile of 2 rows of 1000 floats
// streaming was 5% slower than regular stores.
constexpr size_t kStreamTaskElements = 16384;

// Rows of one tile (ComputeSingleChunkRows) for single-chunk rows.
size_t RowsPerL1Tile(const twopass_operator* op) {
  return std::min(kMaxTileRows, std::max<size_t>(1, kTileElements / op->channels));
}

// Rows per pool task: one tile, or several when the output is streamed.
size_t RowsPerTile(const twopass_operator* op, size_t threads) {
  if (op->num_chunks != 1) return 1;
  size_t rows = RowsPerL1Tile(op);
  if (StreamOutput(op)) rows = std::max(rows, kStreamTaskElements / op->channels);
  // Keep several tiles per thread so that the pool can balance them.
  if (threads > 1) rows = std::min(rows, std::max<size_t>(1, op->batch_size / (4 * threads)));
  return rows;
}

// Rows [first, first + count) of single-chunk rows, count <= kMaxTileRows.
void ComputeSingleChunkRows(const twopass_operator* op, size_t first, size_t count) {
  ChunkPartial partials[kMaxTileRows];
  RowPlan plans[kMaxTileRows];
  if (op->algorithm == Algorithm::kTwoPass) {
    for (size_t i = 0; i < count; i++) TwoPassPass1(op, first + i, 0, &partials[i]);
    for (size_t i = 0; i < count; i++) {
      plans[i] = MergeTwoPass(&partials[i], 1);
      if (plans[i].kind == RowKind::kNormal) {
        TwoPassPass2(op, first + i, 0, plans[i]);
      } else {
        ProcessSpecialRow(op, first + i, &partials[i]);
      }
    }
  } else {
    const Algorithm algorithm = op->algorithm;
    for (size_t i = 0; i < count; i++) ThreePassMax(op, first + i, 0, &partials[i]);
    for (size_t i = 0; i < count; i++) {
      plans[i] = MergeMax(&partials[i], 1);
      if (plans[i].kind == RowKind::kNormal) {
        ThreePassSum(op, algorithm, first + i, 0, plans[i].a, &partials[i]);
      } else {
        ProcessSpecialRow(op, first + i, &partials[i]);
      }
    }
    for (size_t i = 0; i < count; i++) {
      if (plans[i].kind != RowKind::kNormal) continue;
      plans[i].b = MergeSumScale(&partials[i], 1);
      ThreePassScale(op, algorithm, first + i, 0, plans[i]);
    }
  }
}

void RowTileTask(void* context, size_t first, size_t count) {
  const twopass_operator* op = static_cast<const twopass_operator*>(context);
  if (op->num_chunks == 1) {
    const size_t tile = RowsPerL1Tile(op);
    for (size_t start = first; start < first + count; start += tile) {
      ComputeSingleChunkRows(op, start, std::min(tile, first + count - start));
    }
  } else {
    for (size_t row = first; row < first + count; row++) ComputeRow(op, row);
  }
  FenceStreamedOutput(op);
}

// Split mode tasks over (row, chunk).
void TwoPassPass1Task(void* context, size_t row, size_t chunk) {
  const twopass_operator* op = static_cast<const twopass_operator*>(context);
  TwoPassPass1(op, row, chunk, &op->partials[row * op->num_chunks + chunk]);
}

void TwoPassPass2Task(void* context, size_t row, size_t chunk) {
  const twopass_operator* op = static_cast<const twopass_operator*>(context);
  const RowPlan& plan = op->row_plans[row];
  if (plan.kind == RowKind::kNormal) TwoPassPass2(op, row, chunk, plan);
  FenceStreamedOutput(op);
}

void ThreePassMaxTask(void* context, size_t row, size_t chunk) {
  const twopass_operator* op = static_cast<const twopass_operator*>(context);
  ThreePassMax(op, row, chunk, &op->partials[row * op->num_chunks + chunk]);
}

void ThreePassSumTask(void* context, size_t row, size_t chunk) {
  const twopass_operator* op = static_cast<const twopass_operator*>(context);
  const RowPlan& plan = op->row_plans[row];
  if (plan.kind == RowKind::kNormal) {
    ThreePassSum(op, op->algorithm, row, chunk, plan.a,
                 &op->partials[row * op->num_chunks + chunk]);
  }
}

void ThreePassScaleTask(void* context, size_t row, size_t chunk) {
  const twopass_operator* op = static_cast<const twopass_operator*>(context);
  const RowPlan& plan = op->row_plans[row];
  if (plan.kind == RowKind::kNormal) ThreePassScale(op, op->algorithm, row, chunk, plan);
  FenceStreamedOutput(op);
}

// Split mode: each phase in parallel over (row, chunk); merges on the calling thread
// (there are fewer rows than threads, and a few thousand partials per row at most).
void RunSplit(twopass_operator* op, pthreadpool_t threadpool) {
  const size_t rows = op->batch_size;
  const size_t chunks = op->num_chunks;
  void* context = op;
  if (op->algorithm == Algorithm::kTwoPass) {
    pthreadpool_parallelize_2d(threadpool, TwoPassPass1Task, context, rows, chunks, 0);
    for (size_t r = 0; r < rows; r++) {
      op->row_plans[r] = MergeTwoPass(op->partials + r * chunks, chunks);
      if (op->row_plans[r].kind != RowKind::kNormal) {
        ProcessSpecialRow(op, r, op->partials + r * chunks);
      }
    }
    pthreadpool_parallelize_2d(threadpool, TwoPassPass2Task, context, rows, chunks, 0);
  } else {
    pthreadpool_parallelize_2d(threadpool, ThreePassMaxTask, context, rows, chunks, 0);
    for (size_t r = 0; r < rows; r++) {
      op->row_plans[r] = MergeMax(op->partials + r * chunks, chunks);
      if (op->row_plans[r].kind != RowKind::kNormal) {
        ProcessSpecialRow(op, r, op->partials + r * chunks);
      }
    }
    pthreadpool_parallelize_2d(threadpool, ThreePassSumTask, context, rows, chunks, 0);
    for (size_t r = 0; r < rows; r++) {
      if (op->row_plans[r].kind == RowKind::kNormal) {
        op->row_plans[r].b = MergeSumScale(op->partials + r * chunks, chunks);
      }
    }
    pthreadpool_parallelize_2d(threadpool, ThreePassScaleTask, context, rows, chunks, 0);
  }
}

void RunSoftmax(twopass_operator* op, pthreadpool_t threadpool) {
  if (op->batch_size == 0) return;
  const size_t threads = threadpool != nullptr ? pthreadpool_get_threads_count(threadpool) : 1;
  if (threads > 1 && op->batch_size < threads && op->num_chunks > 1) {
    RunSplit(op, threadpool);
  } else {
    pthreadpool_parallelize_1d_tile_1d(threadpool, RowTileTask, op, op->batch_size,
                                       RowsPerTile(op, threads), 0);
  }
}

// ---------------------------------------------------------------------------------
// Entry points, shared by the operator API and the one-shot call. `function` names
// the public function in log lines.

enum twopass_status ValidateFlags(uint32_t flags, const char* function) {
  if ((flags & ~kKnownFlags) != 0) {
    TWOPASS_LOG_ERROR("%s: flags (0x%08x) has unknown bits 0x%08x", function, flags,
                      flags & ~kKnownFlags);
    return twopass_status_unsupported_parameter;
  }
  const uint32_t algorithm = flags & kAlgorithmFlags;
  if ((algorithm & (algorithm - 1)) != 0) {
    TWOPASS_LOG_ERROR("%s: flags (0x%08x) name more than one algorithm", function, flags);
    return twopass_status_invalid_parameter;
  }
  return twopass_status_success;
}

void InitOperator(twopass_operator* op, ElementType element_type, uint32_t flags,
                  const KernelConfig* config) {
  memset(op, 0, sizeof(*op));
  op->magic = kOperatorMagic;
  op->type = OperatorType::kSoftmaxNc;
  op->element_type = element_type;
  op->flags = flags;
  op->state = OperatorState::kCreated;
  op->config = config;
}

void FreeScratch(twopass_operator* op) {
  free(op->partials);
  free(op->row_plans);
  op->partials = nullptr;
  op->row_plans = nullptr;
  op->partials_capacity = 0;
  op->row_plans_capacity = 0;
}

enum twopass_status ReshapeImpl(twopass_operator* op, size_t channels, size_t input_stride,
                                size_t output_stride, size_t batch_size,
                                pthreadpool_t threadpool, const char* function) {
  if (channels == 0) {
    TWOPASS_LOG_ERROR("%s: channels (0) must be at least 1", function);
    return twopass_status_invalid_parameter;
  }
  if (input_stride < channels) {
    TWOPASS_LOG_ERROR("%s: input_stride (%zu) < channels (%zu)", function, input_stride,
                      channels);
    return twopass_status_invalid_parameter;
  }
  if (output_stride < channels) {
    TWOPASS_LOG_ERROR("%s: output_stride (%zu) < channels (%zu)", function, output_stride,
                      channels);
    return twopass_status_invalid_parameter;
  }
  size_t span;
  const size_t element_size = ElementSize(op->element_type);
  if (!SpanElements(channels, input_stride, batch_size, element_size, &span)) {
    TWOPASS_LOG_ERROR("%s: input size overflows: batch_size (%zu) x input_stride (%zu) "
                      "x channels (%zu) x %zu bytes exceeds PTRDIFF_MAX",
                      function, batch_size, input_stride, channels, element_size);
    return twopass_status_invalid_parameter;
  }
  if (!SpanElements(channels, output_stride, batch_size, element_size, &span)) {
    TWOPASS_LOG_ERROR("%s: output size overflows: batch_size (%zu) x output_stride (%zu) "
                      "x channels (%zu) x %zu bytes exceeds PTRDIFF_MAX",
                      function, batch_size, output_stride, channels, element_size);
    return twopass_status_invalid_parameter;
  }

  size_t chunk_size, num_chunks;
  PlanChunks(channels, &chunk_size, &num_chunks);
  if (num_chunks > 1 && batch_size != 0) {
    // Scratch for multi-chunk rows; kept (not shrunk) across reshapes.
    size_t partials = 0;
    size_t partial_bytes = 0;
    size_t plan_bytes = 0;
    if (__builtin_mul_overflow(batch_size, num_chunks, &partials) ||
        __builtin_mul_overflow(partials, sizeof(ChunkPartial), &partial_bytes) ||
        __builtin_mul_overflow(batch_size, sizeof(RowPlan), &plan_bytes)) {
      TWOPASS_LOG_ERROR("%s: scratch size overflows for batch_size (%zu)", function,
                        batch_size);
      return twopass_status_out_of_memory;
    }
    if (partials > op->partials_capacity) {
      void* memory = malloc(partial_bytes);
      if (memory == nullptr) {
        TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes of partials", function,
                          partial_bytes);
        return twopass_status_out_of_memory;
      }
      free(op->partials);
      op->partials = static_cast<ChunkPartial*>(memory);
      op->partials_capacity = partials;
    }
    if (batch_size > op->row_plans_capacity) {
      void* memory = malloc(plan_bytes);
      if (memory == nullptr) {
        TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes of row plans", function,
                          plan_bytes);
        return twopass_status_out_of_memory;
      }
      free(op->row_plans);
      op->row_plans = static_cast<RowPlan*>(memory);
      op->row_plans_capacity = batch_size;
    }
  }

  op->channels = channels;
  op->input_stride = input_stride;
  op->output_stride = output_stride;
  op->batch_size = batch_size;
  op->chunk_size = chunk_size;
  op->num_chunks = num_chunks;
  const uint32_t algorithm = op->flags & kAlgorithmFlags;
  if (algorithm == TWOPASS_FLAG_ALGORITHM_TWO_PASS) {
    op->algorithm = Algorithm::kTwoPass;
  } else if (algorithm == TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD) {
    op->algorithm = Algorithm::kThreePassReload;
  } else if (algorithm == TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE) {
    op->algorithm = Algorithm::kThreePassRecompute;
  } else {
    op->algorithm = choose_algorithm(op->element_type, channels, *op->config);
  }
  op->input = nullptr;
  op->output = nullptr;
  op->state = OperatorState::kReshaped;
  TWOPASS_LOG_DEBUG("%s: %zu x %zu, %s on %s, %zu chunk(s) of %zu, %zu thread(s)", function,
                    batch_size, channels, AlgorithmName(op->algorithm),
                    twopass_isa_to_string(op->config->isa), num_chunks, chunk_size,
                    threadpool != nullptr ? pthreadpool_get_threads_count(threadpool)
                                          : static_cast<size_t>(1));
  return twopass_status_success;
}

enum twopass_status SetupImpl(twopass_operator* op, const void* input, void* output,
                              const char* function) {
  if (op->state == OperatorState::kCreated) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not reshaped yet (call reshape before setup)",
                      function, static_cast<const void*>(op));
    return twopass_status_invalid_state;
  }
  if (input == nullptr) {
    TWOPASS_LOG_ERROR("%s: input is NULL", function);
    return twopass_status_invalid_parameter;
  }
  if (output == nullptr) {
    TWOPASS_LOG_ERROR("%s: output is NULL", function);
    return twopass_status_invalid_parameter;
  }
  size_t input_span = 0, output_span = 0;
  const size_t element_size = ElementSize(op->element_type);
  SpanElements(op->channels, op->input_stride, op->batch_size, element_size, &input_span);
  SpanElements(op->channels, op->output_stride, op->batch_size, element_size, &output_span);
  const uintptr_t input_begin = reinterpret_cast<uintptr_t>(input);
  const uintptr_t output_begin = reinterpret_cast<uintptr_t>(output);
  uintptr_t input_end, output_end;
  if (__builtin_add_overflow(input_begin, input_span * element_size, &input_end)) {
    TWOPASS_LOG_ERROR("%s: input (%p) + %zu bytes wraps around the address space", function,
                      static_cast<const void*>(input), input_span * element_size);
    return twopass_status_invalid_parameter;
  }
  if (__builtin_add_overflow(output_begin, output_span * element_size, &output_end)) {
    TWOPASS_LOG_ERROR("%s: output (%p) + %zu bytes wraps around the address space", function,
                      static_cast<const void*>(output), output_span * element_size);
    return twopass_status_invalid_parameter;
  }
  const bool overlap = input_begin < output_end && output_begin < input_end;
  const bool in_place = input_begin == output_begin && op->input_stride == op->output_stride;
  if (overlap && !in_place) {
    TWOPASS_LOG_ERROR("%s: input [%p, +%zu bytes) and output [%p, +%zu bytes) overlap but "
                      "are not in place (in place needs output == input and equal strides: "
                      "input_stride %zu, output_stride %zu)",
                      function, static_cast<const void*>(input), input_span * element_size,
                      static_cast<const void*>(output), output_span * element_size,
                      op->input_stride, op->output_stride);
    return twopass_status_invalid_parameter;
  }
  op->input = input;
  op->output = output;
  op->state = OperatorState::kReady;
  return twopass_status_success;
}

enum twopass_status RunImpl(twopass_operator* op, pthreadpool_t threadpool,
                            const char* function) {
  if (op->state != OperatorState::kReady) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not set up (%s)", function,
                      static_cast<const void*>(op),
                      op->state == OperatorState::kCreated ? "call reshape and setup first"
                                                           : "call setup after reshape");
    return twopass_status_invalid_state;
  }
  RunSoftmax(op, threadpool);
  return twopass_status_success;
}

}  // namespace
}  // namespace twopass

using twopass::CheckHandle;
using twopass::CheckSoftmax;
using twopass::ElementType;
using twopass::Initialized;

namespace {

// The bodies of the public functions, shared by f32 and f16.

enum twopass_status CreateSoftmax(ElementType type, uint32_t flags,
                                  twopass_operator_t* softmax_op_out, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  if (softmax_op_out == nullptr) {
    TWOPASS_LOG_ERROR("%s: softmax_op_out is NULL", function);
    return twopass_status_invalid_parameter;
  }
  const enum twopass_status status = twopass::ValidateFlags(flags, function);
  if (status != twopass_status_success) return status;
  twopass_operator* op = static_cast<twopass_operator*>(malloc(sizeof(twopass_operator)));
  if (op == nullptr) {
    TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes", function, sizeof(twopass_operator));
    return twopass_status_out_of_memory;
  }
  twopass::InitOperator(op, type, flags, twopass::ActiveKernelConfig());
  twopass::LiveOperators().Add(op);
  *softmax_op_out = op;
  return twopass_status_success;
}

enum twopass_status ReshapeSoftmax(ElementType type, twopass_operator_t softmax_op,
                                   size_t channels, size_t input_stride, size_t output_stride,
                                   size_t batch_size, pthreadpool_t threadpool,
                                   const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(softmax_op, function, "softmax_op");
  if (status != twopass_status_success) return status;
  status = CheckSoftmax(softmax_op, type, function);
  if (status != twopass_status_success) return status;
  return twopass::ReshapeImpl(softmax_op, channels, input_stride, output_stride, batch_size,
                              threadpool, function);
}

enum twopass_status SetupSoftmax(ElementType type, twopass_operator_t softmax_op,
                                 const void* input, void* output, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(softmax_op, function, "softmax_op");
  if (status != twopass_status_success) return status;
  status = CheckSoftmax(softmax_op, type, function);
  if (status != twopass_status_success) return status;
  return twopass::SetupImpl(softmax_op, input, output, function);
}

enum twopass_status RunSoftmaxOneShot(ElementType type, size_t channels, size_t input_stride,
                                      size_t output_stride, size_t batch_size,
                                      const void* input, void* output, uint32_t flags,
                                      pthreadpool_t threadpool, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status = twopass::ValidateFlags(flags, function);
  if (status != twopass_status_success) return status;
  // A private operator on the stack: never registered, never visible to the caller.
  twopass_operator op;
  twopass::InitOperator(&op, type, flags, twopass::ActiveKernelConfig());
  status = twopass::ReshapeImpl(&op, channels, input_stride, output_stride, batch_size,
                                threadpool, function);
  if (status == twopass_status_success) {
    status = twopass::SetupImpl(&op, input, output, function);
  }
  if (status == twopass_status_success) {
    status = twopass::RunImpl(&op, threadpool, function);
  }
  twopass::FreeScratch(&op);
  return status;
}

}  // namespace

extern "C" enum twopass_status twopass_create_softmax_nc_f32(uint32_t flags,
                                                             twopass_operator_t* softmax_op_out) {
  return CreateSoftmax(ElementType::kF32, flags, softmax_op_out, "create_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_reshape_softmax_nc_f32(twopass_operator_t softmax_op,
                                                              size_t channels,
                                                              size_t input_stride,
                                                              size_t output_stride,
                                                              size_t batch_size,
                                                              pthreadpool_t threadpool) {
  return ReshapeSoftmax(ElementType::kF32, softmax_op, channels, input_stride, output_stride,
                        batch_size, threadpool, "reshape_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_setup_softmax_nc_f32(twopass_operator_t softmax_op,
                                                            const float* input, float* output) {
  return SetupSoftmax(ElementType::kF32, softmax_op, input, output, "setup_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_create_softmax_nc_f16(uint32_t flags,
                                                             twopass_operator_t* softmax_op_out) {
  return CreateSoftmax(ElementType::kF16, flags, softmax_op_out, "create_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_reshape_softmax_nc_f16(twopass_operator_t softmax_op,
                                                              size_t channels,
                                                              size_t input_stride,
                                                              size_t output_stride,
                                                              size_t batch_size,
                                                              pthreadpool_t threadpool) {
  return ReshapeSoftmax(ElementType::kF16, softmax_op, channels, input_stride, output_stride,
                        batch_size, threadpool, "reshape_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_setup_softmax_nc_f16(twopass_operator_t softmax_op,
                                                            const void* input, void* output) {
  return SetupSoftmax(ElementType::kF16, softmax_op, input, output, "setup_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_run_operator(twopass_operator_t op,
                                                    pthreadpool_t threadpool) {
  static const char kFunction[] = "run_operator";
  if (!Initialized(kFunction)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(op, kFunction, "op");
  if (status != twopass_status_success) return status;
  // f32 and f16 share the drivers, which dispatch on op->element_type.
  status = twopass::CheckAnySoftmax(op, kFunction);
  if (status != twopass_status_success) return status;
  return twopass::RunImpl(op, threadpool, kFunction);
}

extern "C" const char* twopass_internal_operator_algorithm(twopass_operator_t op) {
  static const char kFunction[] = "internal_operator_algorithm";
  if (!Initialized(kFunction) || CheckHandle(op, kFunction, "op") != twopass_status_success ||
      twopass::CheckAnySoftmax(op, kFunction) != twopass_status_success ||
      op->state == twopass::OperatorState::kCreated) {
    return nullptr;
  }
  return twopass::AlgorithmName(op->algorithm);
}

extern "C" enum twopass_status twopass_delete_operator(twopass_operator_t op) {
  static const char kFunction[] = "delete_operator";
  if (!Initialized(kFunction)) return twopass_status_uninitialized;
  const enum twopass_status status = CheckHandle(op, kFunction, "op");
  if (status != twopass_status_success) return status;
  twopass::LiveOperators().Remove(op);
  twopass::FreeScratch(op);
  op->magic = 0;
  free(op);
  return twopass_status_success;
}

extern "C" enum twopass_status twopass_run_softmax_nc_f32(size_t channels, size_t input_stride,
                                                          size_t output_stride,
                                                          size_t batch_size, const float* input,
                                                          float* output, uint32_t flags,
                                                          pthreadpool_t threadpool) {
  return RunSoftmaxOneShot(ElementType::kF32, channels, input_stride, output_stride, batch_size,
                           input, output, flags, threadpool, "run_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_run_softmax_nc_f16(size_t channels, size_t input_stride,
                                                          size_t output_stride,
                                                          size_t batch_size, const void* input,
                                                          void* output, uint32_t flags,
                                                          pthreadpool_t threadpool) {
  return RunSoftmaxOneShot(ElementType::kF16, channels, input_stride, output_stride, batch_size,
                           input, output, flags, threadpool, "run_softmax_nc_f16");
}
