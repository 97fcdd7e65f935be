// Sharded rows (include/twopass.h, "Sharded rows: partial, merge, finish"): one-shot
// calls over a shard of rows, [batch_size x channels] with strides. partial runs pass 1
// and writes each row's pair (m, e); merge combines the pairs of several shards (a pure
// function); finish runs the last pass with the merged pairs. partial and finish are
// phase lists (src/softmax-phases.cc) run by the one runner (src/runner.cc) on a run
// context built here, so threading, chunking and bitwise reproducibility are the
// operator's.
#include <stdint.h>
#include <string.h>

#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/config.h"
#include "twopass/log.h"
#include "twopass/memory.h"
#include "twopass/operator.h"
#include "twopass/runner.h"
#include "twopass/softmax-phases.h"
#include "twopass/softmax-plan.h"

// The wire format of the pair (include/twopass.h): two floats, 8 bytes, no padding.
static_assert(sizeof(twopass_softmax_partial) == 2 * sizeof(float), "pair is 8 bytes");

namespace twopass {
namespace {

enum class ShardedOperation {
  kPartial,
  kFinish,
  kLogFinish,
};

// A byte range [begin, end) of the address space.
struct Range {
  uintptr_t begin;
  uintptr_t end;
};

bool Overlap(const Range& a, const Range& b) { return a.begin < b.end && b.begin < a.end; }

// Elements touched by a tensor, (batch - 1) * stride + channels, as bytes; false on
// overflow of PTRDIFF_MAX.
bool TensorBytes(size_t channels, size_t stride, size_t batch_size, size_t element_size,
                 size_t* bytes) {
  size_t span = 0;
  if (batch_size != 0 && (__builtin_mul_overflow(batch_size - 1, stride, &span) ||
                          __builtin_add_overflow(span, channels, &span))) {
    return false;
  }
  return !__builtin_mul_overflow(span, element_size, bytes) &&
         *bytes <= static_cast<size_t>(PTRDIFF_MAX);
}

// [pointer, pointer + bytes), false when it wraps around the address space.
bool MakeRange(const void* pointer, size_t bytes, Range* range) {
  range->begin = reinterpret_cast<uintptr_t>(pointer);
  return !__builtin_add_overflow(range->begin, bytes, &range->end);
}

bool Initialized(const char* function) {
  if (ActiveKernelConfig() != nullptr) return true;
  TWOPASS_LOG_ERROR("%s: library not initialized (call twopass_initialize first)", function);
  return false;
}

// Everything partial and finish check before they touch memory; logs the first problem.
// pairs: partial's output or finish's merged pairs (batch_size of them); output: finish's
// output tensor (nullptr for partial).
enum twopass_status Validate(ShardedOperation operation, size_t element_size, size_t channels,
                             size_t input_stride, size_t output_stride, size_t batch_size,
                             const void* input, const void* pairs, const void* output,
                             uint32_t flags, const char* function) {
  const bool partial = operation == ShardedOperation::kPartial;
  const uint32_t known = partial ? 0 : TWOPASS_FLAG_MASKED_ROW_ZERO;
  if ((flags & ~known) != 0) {
    TWOPASS_LOG_ERROR("%s: flags (0x%08x) has unsupported bits 0x%08x (%s)", function, flags,
                      flags & ~known,
                      partial ? "partial takes no flags" : "finish takes only MASKED_ROW_ZERO");
    return twopass_status_unsupported_parameter;
  }
  if (channels == 0) {
    TWOPASS_LOG_ERROR("%s: channels (0) must be at least 1", function);
    return twopass_status_invalid_parameter;
  }
  if (input_stride < channels) {
    TWOPASS_LOG_ERROR("%s: input_stride (%zu) < channels (%zu)", function, input_stride, channels);
    return twopass_status_invalid_parameter;
  }
  if (!partial && output_stride < channels) {
    TWOPASS_LOG_ERROR("%s: output_stride (%zu) < channels (%zu)", function, output_stride,
                      channels);
    return twopass_status_invalid_parameter;
  }
  size_t input_bytes, output_bytes = 0, pair_bytes;
  if (!TensorBytes(channels, input_stride, batch_size, element_size, &input_bytes) ||
      (!partial &&
       !TensorBytes(channels, output_stride, batch_size, element_size, &output_bytes)) ||
      __builtin_mul_overflow(batch_size, sizeof(twopass_softmax_partial), &pair_bytes)) {
    TWOPASS_LOG_ERROR(
        "%s: sizes overflow: batch_size (%zu) x stride (%zu / %zu) x channels "
        "(%zu) exceeds PTRDIFF_MAX bytes",
        function, batch_size, input_stride, output_stride, channels);
    return twopass_status_invalid_parameter;
  }
  const char* pairs_name = partial ? "partial" : "merged";
  if (input == nullptr || pairs == nullptr || (!partial && output == nullptr)) {
    TWOPASS_LOG_ERROR("%s: %s is NULL", function,
                      input == nullptr   ? "input"
                      : pairs == nullptr ? pairs_name
                                         : "output");
    return twopass_status_invalid_parameter;
  }
  const bool f32 = element_size == sizeof(float);
  const char* misaligned = f32 && MisalignedFloats(input)                ? "input"
                           : MisalignedFloats(pairs)                     ? pairs_name
                           : f32 && !partial && MisalignedFloats(output) ? "output"
                                                                         : nullptr;
  if (misaligned != nullptr) {
    TWOPASS_LOG_ERROR("%s: %s is not 4-byte aligned (floats must be)", function, misaligned);
    return twopass_status_invalid_parameter;
  }
  Range input_range, output_range{0, 0}, pair_range;
  if (!MakeRange(input, input_bytes, &input_range) || !MakeRange(pairs, pair_bytes, &pair_range) ||
      (!partial && !MakeRange(output, output_bytes, &output_range))) {
    TWOPASS_LOG_ERROR("%s: input, output or %s wraps around the address space", function,
                      pairs_name);
    return twopass_status_invalid_parameter;
  }
  // partial writes the pairs: not over its input; finish reads them while it writes the
  // output: not under it (reading them beside the input is harmless).
  const Range& written = partial ? input_range : output_range;
  if (batch_size != 0 && Overlap(pair_range, written)) {
    TWOPASS_LOG_ERROR("%s: %s [%p, +%zu bytes) overlaps the %s [%p, +%zu bytes)", function,
                      pairs_name, pairs, pair_bytes, partial ? "input" : "output",
                      reinterpret_cast<const void*>(written.begin),
                      static_cast<size_t>(written.end - written.begin));
    return twopass_status_invalid_parameter;
  }
  if (!partial && batch_size != 0 && Overlap(input_range, output_range) &&
      !(input == output && input_stride == output_stride)) {
    TWOPASS_LOG_ERROR(
        "%s: input [%p, +%zu bytes) and output [%p, +%zu bytes) overlap but "
        "are not in place (in place needs output == input and equal strides: "
        "input_stride %zu, output_stride %zu)",
        function, input, input_bytes, output, output_bytes, input_stride, output_stride);
    return twopass_status_invalid_parameter;
  }
  return twopass_status_success;
}

enum twopass_status RunSharded(ShardedOperation operation, ElementType element_type,
                               size_t channels, size_t input_stride, size_t output_stride,
                               size_t batch_size, const void* input,
                               const twopass_softmax_partial* merged, void* output,
                               twopass_softmax_partial* partial, uint32_t flags,
                               pthreadpool_t threadpool, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  const size_t element_size = element_type == ElementType::kF16 ? 2 : sizeof(float);
  const void* pairs = operation == ShardedOperation::kPartial ? static_cast<const void*>(partial)
                                                              : static_cast<const void*>(merged);
  enum twopass_status status =
      Validate(operation, element_size, channels, input_stride, output_stride, batch_size, input,
               pairs, output, flags, function);
  if (status != twopass_status_success || batch_size == 0) return status;

  RunContext context;
  memset(&context, 0, sizeof(context));
  context.config = ActiveKernelConfig();
  context.flags = flags;
  context.element_size = element_size;
  context.channels = channels;
  context.input_stride = input_stride;
  context.output_stride = output_stride;
  context.batch_size = batch_size;
  PlanChunks(channels, &context.chunk_size, &context.num_chunks);
  if (context.num_chunks > 1) {
    // Scratch of multi-chunk rows, as the operator's reshape allocates it.
    size_t partial_count, partial_bytes, plan_bytes;
    if (__builtin_mul_overflow(batch_size, context.num_chunks, &partial_count) ||
        __builtin_mul_overflow(partial_count, sizeof(ChunkPartial), &partial_bytes) ||
        __builtin_mul_overflow(batch_size, sizeof(RowPlan), &plan_bytes)) {
      TWOPASS_LOG_ERROR("%s: scratch size overflows for batch_size (%zu)", function, batch_size);
      return twopass_status_out_of_memory;
    }
    context.partials = static_cast<ChunkPartial*>(Allocate(partial_bytes));
    context.row_plans = static_cast<RowPlan*>(Allocate(plan_bytes));
    if (context.partials == nullptr || context.row_plans == nullptr) {
      TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes of scratch", function,
                        partial_bytes + plan_bytes);
      Deallocate(context.partials);
      Deallocate(context.row_plans);
      return twopass_status_out_of_memory;
    }
  }
  context.input = input;
  if (operation == ShardedOperation::kPartial) {
    context.partial_out = partial;
    ResolveSoftmaxPartial(element_type, &context);
  } else {
    context.output = output;
    context.merged_in = merged;
    ResolveSoftmaxFinish(element_type, operation == ShardedOperation::kLogFinish, &context);
  }
  TWOPASS_LOG_DEBUG(
      "%s: %zu x %zu on %s, %zu chunk(s) of %zu, %zu thread(s)", function, batch_size, channels,
      twopass_isa_to_string(context.config->isa), context.num_chunks, context.chunk_size,
      threadpool != nullptr ? pthreadpool_get_threads_count(threadpool) : static_cast<size_t>(1));
  RunOperation(context, threadpool);
  Deallocate(context.partials);
  Deallocate(context.row_plans);
  return twopass_status_success;
}

}  // namespace
}  // namespace twopass

using twopass::ElementType;
using twopass::ShardedOperation;

extern "C" enum twopass_status twopass_run_softmax_partial_nc_f32(
    size_t channels, size_t input_stride, size_t batch_size, const float* input,
    twopass_softmax_partial* partial, uint32_t flags, pthreadpool_t threadpool) {
  return twopass::RunSharded(ShardedOperation::kPartial, ElementType::kF32, channels, input_stride,
                             input_stride, batch_size, input, nullptr, nullptr, partial, flags,
                             threadpool, "run_softmax_partial_nc_f32");
}

extern "C" enum twopass_status twopass_run_softmax_partial_nc_f16(
    size_t channels, size_t input_stride, size_t batch_size, const void* input,
    twopass_softmax_partial* partial, uint32_t flags, pthreadpool_t threadpool) {
  return twopass::RunSharded(ShardedOperation::kPartial, ElementType::kF16, channels, input_stride,
                             input_stride, batch_size, input, nullptr, nullptr, partial, flags,
                             threadpool, "run_softmax_partial_nc_f16");
}

extern "C" enum twopass_status twopass_run_softmax_finish_nc_f32(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const float* input, const twopass_softmax_partial* merged, float* output, uint32_t flags,
    pthreadpool_t threadpool) {
  return twopass::RunSharded(ShardedOperation::kFinish, ElementType::kF32, channels, input_stride,
                             output_stride, batch_size, input, merged, output, nullptr, flags,
                             threadpool, "run_softmax_finish_nc_f32");
}

extern "C" enum twopass_status twopass_run_softmax_finish_nc_f16(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const void* input, const twopass_softmax_partial* merged, void* output, uint32_t flags,
    pthreadpool_t threadpool) {
  return twopass::RunSharded(ShardedOperation::kFinish, ElementType::kF16, channels, input_stride,
                             output_stride, batch_size, input, merged, output, nullptr, flags,
                             threadpool, "run_softmax_finish_nc_f16");
}

extern "C" enum twopass_status twopass_run_log_softmax_finish_nc_f32(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const float* input, const twopass_softmax_partial* merged, float* output, uint32_t flags,
    pthreadpool_t threadpool) {
  return twopass::RunSharded(ShardedOperation::kLogFinish, ElementType::kF32, channels,
                             input_stride, output_stride, batch_size, input, merged, output,
                             nullptr, flags, threadpool, "run_log_softmax_finish_nc_f32");
}

extern "C" enum twopass_status twopass_run_log_softmax_finish_nc_f16(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const void* input, const twopass_softmax_partial* merged, void* output, uint32_t flags,
    pthreadpool_t threadpool) {
  return twopass::RunSharded(ShardedOperation::kLogFinish, ElementType::kF16, channels,
                             input_stride, output_stride, batch_size, input, merged, output,
                             nullptr, flags, threadpool, "run_log_softmax_finish_nc_f16");
}

extern "C" enum twopass_status twopass_merge_softmax_partials(
    size_t count, const twopass_softmax_partial* const* partials, size_t batch_size,
    twopass_softmax_partial* merged) {
  static const char kFunction[] = "merge_softmax_partials";
  if (partials == nullptr || merged == nullptr) {
    TWOPASS_LOG_ERROR("%s: %s is NULL", kFunction, partials == nullptr ? "partials" : "merged");
    return twopass_status_invalid_parameter;
  }
  if (count == 0) {
    TWOPASS_LOG_ERROR("%s: count (0) must be at least 1", kFunction);
    return twopass_status_invalid_parameter;
  }
  if (twopass::MisalignedFloats(merged)) {
    TWOPASS_LOG_ERROR("%s: merged (%p) is not 4-byte aligned", kFunction,
                      static_cast<const void*>(merged));
    return twopass_status_invalid_parameter;
  }
  size_t bytes;
  twopass::Range merged_range;
  if (__builtin_mul_overflow(batch_size, sizeof(twopass_softmax_partial), &bytes) ||
      bytes > static_cast<size_t>(PTRDIFF_MAX) ||
      !twopass::MakeRange(merged, bytes, &merged_range)) {
    TWOPASS_LOG_ERROR("%s: batch_size (%zu) pairs overflow the address space", kFunction,
                      batch_size);
    return twopass_status_invalid_parameter;
  }
  for (size_t i = 0; i < count; i++) {
    twopass::Range range;
    if (partials[i] == nullptr) {
      TWOPASS_LOG_ERROR("%s: partials[%zu] is NULL", kFunction, i);
      return twopass_status_invalid_parameter;
    }
    if (twopass::MisalignedFloats(partials[i])) {
      TWOPASS_LOG_ERROR("%s: partials[%zu] (%p) is not 4-byte aligned", kFunction, i,
                        static_cast<const void*>(partials[i]));
      return twopass_status_invalid_parameter;
    }
    if (!twopass::MakeRange(partials[i], bytes, &range)) {
      TWOPASS_LOG_ERROR("%s: partials[%zu] (%p) + %zu bytes wraps around the address space",
                        kFunction, i, static_cast<const void*>(partials[i]), bytes);
      return twopass_status_invalid_parameter;
    }
    // The same array is fine (row b is read before it is written), a shifted one is not.
    if (partials[i] != merged && batch_size != 0 && twopass::Overlap(range, merged_range)) {
      TWOPASS_LOG_ERROR(
          "%s: partials[%zu] [%p, +%zu bytes) overlaps merged [%p, +%zu bytes) "
          "without being merged itself",
          kFunction, i, static_cast<const void*>(partials[i]), bytes,
          static_cast<const void*>(merged), bytes);
      return twopass_status_invalid_parameter;
    }
  }
  for (size_t b = 0; b < batch_size; b++) {
    merged[b] = twopass::MergePairs(partials, count, b);
  }
  return twopass_status_success;
}
