// Softmax and log-softmax NC operators: the public API (create / reshape / setup / run /
// delete and the one-shot calls), their validation and state machine, shared by both
// operations (they differ in their phase lists only). Planning is in src/softmax-plan.cc,
// the phase lists and kernel calls in src/softmax-phases.cc, the runner in
// src/runner.cc; docs/architecture.md says how a new operation is added.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <functional>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <unordered_set>

#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/config.h"
#include "twopass/log.h"
#include "twopass/memory.h"
#include "twopass/operator.h"
#include "twopass/runner.h"
#include "twopass/softmax-phases.h"
#include "twopass/softmax-plan.h"

namespace twopass {
namespace {

constexpr uint32_t kAlgorithmFlags =
    TWOPASS_FLAG_ALGORITHM_TWO_PASS | TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD |
    TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE | TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD;
constexpr uint32_t kKnownFlags = kAlgorithmFlags | TWOPASS_FLAG_MASKED_ROW_ZERO;

// ---------------------------------------------------------------------------------
// Registry of live operators: handles are checked here before they are touched, so a
// deleted (or never created) operator is rejected instead of read after free.

class Registry {
 public:
  // False when the set could not grow (out of memory).
  bool Add(const twopass_operator* op) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    try {
      live_.insert(op);
    } catch (const std::bad_alloc&) {
      return false;
    }
    return true;
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
  std::unordered_set<const twopass_operator*, std::hash<const twopass_operator*>,
                     std::equal_to<const twopass_operator*>,
                     LibraryAllocator<const twopass_operator*>>
      live_;
};

Registry& LiveOperators() {
  // Never destroyed: operators may be deleted from static destructors of the caller.
  // Constructed in static storage: an empty set allocates nothing.
  alignas(Registry) static unsigned char storage[sizeof(Registry)];
  static Registry* registry = new (storage) Registry();
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

const char* OperatorName(OperatorType type, ElementType element_type) {
  const bool f16 = element_type == ElementType::kF16;
  if (type == OperatorType::kLogSoftmaxNc) return f16 ? "log_softmax_nc_f16" : "log_softmax_nc_f32";
  if (type == OperatorType::kLogSumExpNc) return f16 ? "logsumexp_nc_f16" : "logsumexp_nc_f32";
  return f16 ? "softmax_nc_f16" : "softmax_nc_f32";
}

// The operator must be of `type` and element type `element_type`.
enum twopass_status CheckOperator(const twopass_operator* op, OperatorType type,
                                  ElementType element_type, const char* function) {
  if (op->magic != kOperatorMagic || op->type != type || op->element_type != element_type) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not a %s operator", function,
                      static_cast<const void*>(op), OperatorName(type, element_type));
    return twopass_status_invalid_state;
  }
  return twopass_status_success;
}

// Any operator this file creates (run_operator runs whatever reshape resolved).
enum twopass_status CheckAnyOperator(const twopass_operator* op, const char* function) {
  if (op->magic != kOperatorMagic ||
      (op->type != OperatorType::kSoftmaxNc && op->type != OperatorType::kLogSoftmaxNc &&
       op->type != OperatorType::kLogSumExpNc) ||
      (op->element_type != ElementType::kF32 && op->element_type != ElementType::kF16)) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not a softmax, log-softmax or logsumexp operator",
                      function,
                      static_cast<const void*>(op));
    return twopass_status_invalid_state;
  }
  return twopass_status_success;
}

size_t ElementSize(ElementType type) { return type == ElementType::kF16 ? 2 : sizeof(float); }

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
// Entry points, shared by the operator API and the one-shot call. `function` names
// the public function in log lines.

enum twopass_status ValidateFlags(OperatorType type, uint32_t flags, const char* function) {
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
  if ((type == OperatorType::kLogSoftmaxNc || type == OperatorType::kLogSumExpNc) &&
      algorithm != 0 && algorithm != TWOPASS_FLAG_ALGORITHM_TWO_PASS) {
    TWOPASS_LOG_ERROR("%s: flags (0x%08x): %s has only the two-pass algorithm", function, flags,
                      type == OperatorType::kLogSumExpNc ? "logsumexp" : "log-softmax");
    return twopass_status_unsupported_parameter;
  }
  if (type == OperatorType::kLogSumExpNc && (flags & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0) {
    TWOPASS_LOG_ERROR("%s: flags (0x%08x): TWOPASS_FLAG_MASKED_ROW_ZERO does not apply to "
                      "logsumexp (a row of only -inf gives -inf)", function, flags);
    return twopass_status_unsupported_parameter;
  }
  return twopass_status_success;
}

void InitOperator(twopass_operator* op, OperatorType type, ElementType element_type,
                  uint32_t flags, const KernelConfig* config) {
  memset(op, 0, sizeof(*op));
  op->magic = kOperatorMagic;
  op->type = type;
  op->element_type = element_type;
  op->flags = flags;
  op->state = OperatorState::kCreated;
  op->config = config;
}

void FreeScratch(twopass_operator* op) {
  Deallocate(op->context.partials);
  Deallocate(op->context.row_plans);
  op->context.partials = nullptr;
  op->context.row_plans = nullptr;
  op->partials_capacity = 0;
  op->row_plans_capacity = 0;
}

// The phase lists for the operator's type, element type, algorithm and scale/mask binding.
void ResolvePhases(twopass_operator* op) {
  if (op->type == OperatorType::kLogSoftmaxNc) {
    ResolveLogSoftmax(op->element_type, &op->context);
  } else if (op->type == OperatorType::kLogSumExpNc) {
    ResolveLogSumExp(op->element_type, &op->context);
  } else {
    ResolveSoftmax(op->element_type, op->algorithm, &op->context);
  }
}

// Drops a twopass_setup_scale_mask binding (setup and reshape do): the plain lists again.
void UnbindScaleMask(twopass_operator* op) {
  RunContext& context = op->context;
  const bool was_scaled = context.scaled;
  context.scaled = false;
  context.scale = 1.0f;
  context.mask = nullptr;
  context.mask_stride = 0;
  if (was_scaled) ResolvePhases(op);
}

// [begin, end) of the bound mask's elements; false when there is none.
bool MaskRange(const RunContext& context, uintptr_t* begin, uintptr_t* end) {
  if (context.mask == nullptr || context.batch_size == 0) return false;
  size_t span = context.channels;
  if (context.mask_stride != 0) {
    SpanElements(context.channels, context.mask_stride, context.batch_size, context.element_size,
                 &span);
  }
  *begin = reinterpret_cast<uintptr_t>(context.mask);
  *end = *begin + span * context.element_size;
  return true;
}

// A reshape that runs out of memory keeps the operator's previous shape, but not its
// setup (twopass.h, docs/api.md): run then says invalid_state until setup is called again.
enum twopass_status ReshapeOutOfMemory(twopass_operator* op) {
  if (op->state == OperatorState::kReady) {
    op->state = OperatorState::kReshaped;
    op->context.input = nullptr;
    op->context.output = nullptr;
    op->context.lse = nullptr;
    UnbindScaleMask(op);
  }
  return twopass_status_out_of_memory;
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
      return ReshapeOutOfMemory(op);
    }
    if (partials > op->partials_capacity) {
      void* memory = Allocate(partial_bytes);
      if (memory == nullptr) {
        TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes of partials", function,
                          partial_bytes);
        return ReshapeOutOfMemory(op);
      }
      Deallocate(op->context.partials);
      op->context.partials = static_cast<ChunkPartial*>(memory);
      op->partials_capacity = partials;
    }
    if (batch_size > op->row_plans_capacity) {
      void* memory = Allocate(plan_bytes);
      if (memory == nullptr) {
        TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes of row plans", function,
                          plan_bytes);
        return ReshapeOutOfMemory(op);
      }
      Deallocate(op->context.row_plans);
      op->context.row_plans = static_cast<RowPlan*>(memory);
      op->row_plans_capacity = batch_size;
    }
  }

  RunContext& context = op->context;
  context.config = op->config;
  context.flags = op->flags;
  context.element_size = element_size;
  context.channels = channels;
  context.input_stride = input_stride;
  context.output_stride = output_stride;
  context.batch_size = batch_size;
  context.chunk_size = chunk_size;
  context.num_chunks = num_chunks;
  const uint32_t algorithm = op->flags & kAlgorithmFlags;
  if (op->type != OperatorType::kSoftmaxNc) {
    op->algorithm = Algorithm::kTwoPass;  // the only algorithm of log-softmax and logsumexp
  } else {
    if (algorithm == TWOPASS_FLAG_ALGORITHM_TWO_PASS) {
      op->algorithm = Algorithm::kTwoPass;
    } else if (algorithm == TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD) {
      op->algorithm = Algorithm::kThreePassReload;
    } else if (algorithm == TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE) {
      op->algorithm = Algorithm::kThreePassRecompute;
    } else if (algorithm == TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD) {
      op->algorithm = Algorithm::kSampledMaxReload;
    } else {
      op->algorithm = ChooseAlgorithm(op->element_type, channels, *op->config);
    }
  }
  context.scaled = false;
  context.scale = 1.0f;
  context.mask = nullptr;
  context.mask_stride = 0;
  context.in_place = false;
  ResolvePhases(op);
  context.input = nullptr;
  context.output = nullptr;
  context.lse = nullptr;
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
  if (op->element_type == ElementType::kF32 &&
      (MisalignedFloats(input) || MisalignedFloats(output))) {
    TWOPASS_LOG_ERROR("%s: %s (%p) is not 4-byte aligned (a float* must be)", function,
                      MisalignedFloats(input) ? "input" : "output",
                      MisalignedFloats(input) ? input : static_cast<const void*>(output));
    return twopass_status_invalid_parameter;
  }
  size_t input_span = 0, output_span = 0;
  const size_t element_size = ElementSize(op->element_type);
  const RunContext& context = op->context;
  SpanElements(context.channels, context.input_stride, context.batch_size, element_size,
               &input_span);
  SpanElements(context.channels, context.output_stride, context.batch_size, element_size,
               &output_span);
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
  const bool in_place =
      input_begin == output_begin && context.input_stride == context.output_stride;
  if (overlap && !in_place) {
    TWOPASS_LOG_ERROR("%s: input [%p, +%zu bytes) and output [%p, +%zu bytes) overlap but "
                      "are not in place (in place needs output == input and equal strides: "
                      "input_stride %zu, output_stride %zu)",
                      function, static_cast<const void*>(input), input_span * element_size,
                      static_cast<const void*>(output), output_span * element_size,
                      context.input_stride, context.output_stride);
    return twopass_status_invalid_parameter;
  }
  op->context.input = input;
  op->context.output = output;
  op->context.lse = nullptr;  // bound again after setup (twopass_setup_logsumexp_output)
  const bool was_in_place = op->context.in_place;
  op->context.in_place = in_place;
  UnbindScaleMask(op);  // and twopass_setup_scale_mask
  if (was_in_place != in_place) ResolvePhases(op);
  op->state = OperatorState::kReady;
  return twopass_status_success;
}

// Logsumexp's setup: the input and the lse output (batch_size floats), which must not
// overlap.
enum twopass_status SetupLogSumExpImpl(twopass_operator* op, const void* input, float* lse,
                                       const char* function) {
  if (op->state == OperatorState::kCreated) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not reshaped yet (call reshape before setup)",
                      function, static_cast<const void*>(op));
    return twopass_status_invalid_state;
  }
  if (input == nullptr || lse == nullptr) {
    TWOPASS_LOG_ERROR("%s: %s is NULL", function, input == nullptr ? "input" : "lse");
    return twopass_status_invalid_parameter;
  }
  const bool input_misaligned = op->element_type == ElementType::kF32 && MisalignedFloats(input);
  if (input_misaligned || MisalignedFloats(lse)) {
    TWOPASS_LOG_ERROR("%s: %s (%p) is not 4-byte aligned (a float* must be)", function,
                      input_misaligned ? "input" : "lse",
                      input_misaligned ? input : static_cast<const void*>(lse));
    return twopass_status_invalid_parameter;
  }
  const RunContext& context = op->context;
  size_t input_span = 0;
  SpanElements(context.channels, context.input_stride, context.batch_size, context.element_size,
               &input_span);
  const uintptr_t input_begin = reinterpret_cast<uintptr_t>(input);
  const uintptr_t lse_begin = reinterpret_cast<uintptr_t>(lse);
  uintptr_t input_end, lse_end;
  if (__builtin_add_overflow(input_begin, input_span * context.element_size, &input_end) ||
      __builtin_add_overflow(lse_begin, context.batch_size * sizeof(float), &lse_end)) {
    TWOPASS_LOG_ERROR("%s: input or lse wraps around the address space", function);
    return twopass_status_invalid_parameter;
  }
  if (input_begin < lse_end && lse_begin < input_end) {
    TWOPASS_LOG_ERROR("%s: lse [%p, +%zu floats) overlaps the input [%p, +%zu bytes)", function,
                      static_cast<const void*>(lse), context.batch_size,
                      static_cast<const void*>(input), input_span * context.element_size);
    return twopass_status_invalid_parameter;
  }
  op->context.input = input;
  op->context.output = nullptr;
  op->context.lse = lse;
  UnbindScaleMask(op);
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
  RunOperation(op->context, threadpool);
  return twopass_status_success;
}

}  // namespace
}  // namespace twopass

using twopass::CheckHandle;
using twopass::CheckOperator;
using twopass::ElementType;
using twopass::Initialized;
using twopass::OperatorType;

namespace {

// The bodies of the public functions, shared by both operations and element types.

enum twopass_status CreateOperator(OperatorType type, ElementType element_type, uint32_t flags,
                                   twopass_operator_t* op_out, const char* argument,
                                   const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  if (op_out == nullptr) {
    TWOPASS_LOG_ERROR("%s: %s is NULL", function, argument);
    return twopass_status_invalid_parameter;
  }
  const enum twopass_status status = twopass::ValidateFlags(type, flags, function);
  if (status != twopass_status_success) return status;
  twopass_operator* op =
      static_cast<twopass_operator*>(twopass::Allocate(sizeof(twopass_operator)));
  if (op == nullptr) {
    TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes", function, sizeof(twopass_operator));
    return twopass_status_out_of_memory;
  }
  twopass::InitOperator(op, type, element_type, flags, twopass::ActiveKernelConfig());
  if (!twopass::LiveOperators().Add(op)) {
    TWOPASS_LOG_ERROR("%s: failed to allocate the handle's registry entry", function);
    twopass::Deallocate(op);
    return twopass_status_out_of_memory;
  }
  *op_out = op;
  return twopass_status_success;
}

enum twopass_status ReshapeOperator(OperatorType type, ElementType element_type,
                                    twopass_operator_t op, size_t channels, size_t input_stride,
                                    size_t output_stride, size_t batch_size,
                                    pthreadpool_t threadpool, const char* argument,
                                    const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(op, function, argument);
  if (status != twopass_status_success) return status;
  status = CheckOperator(op, type, element_type, function);
  if (status != twopass_status_success) return status;
  return twopass::ReshapeImpl(op, channels, input_stride, output_stride, batch_size, threadpool,
                              function);
}

enum twopass_status SetupOperator(OperatorType type, ElementType element_type,
                                  twopass_operator_t op, const void* input, void* output,
                                  const char* argument, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(op, function, argument);
  if (status != twopass_status_success) return status;
  status = CheckOperator(op, type, element_type, function);
  if (status != twopass_status_success) return status;
  return twopass::SetupImpl(op, input, output, function);
}

enum twopass_status RunOneShot(OperatorType type, ElementType element_type, size_t channels,
                               size_t input_stride, size_t output_stride, size_t batch_size,
                               const void* input, void* output, uint32_t flags,
                               pthreadpool_t threadpool, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status = twopass::ValidateFlags(type, flags, function);
  if (status != twopass_status_success) return status;
  // A private operator on the stack: never registered, never visible to the caller.
  twopass_operator op;
  twopass::InitOperator(&op, type, element_type, flags, twopass::ActiveKernelConfig());
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
  return CreateOperator(OperatorType::kSoftmaxNc, ElementType::kF32, flags, softmax_op_out,
                        "softmax_op_out", "create_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_reshape_softmax_nc_f32(
    twopass_operator_t softmax_op, size_t channels, size_t input_stride, size_t output_stride,
    size_t batch_size, pthreadpool_t threadpool) {
  return ReshapeOperator(OperatorType::kSoftmaxNc, ElementType::kF32, softmax_op, channels,
                         input_stride, output_stride, batch_size, threadpool, "softmax_op",
                         "reshape_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_setup_softmax_nc_f32(twopass_operator_t softmax_op,
                                                   const float* input, float* output) {
  return SetupOperator(OperatorType::kSoftmaxNc, ElementType::kF32, softmax_op, input, output,
                       "softmax_op", "setup_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_create_softmax_nc_f16(uint32_t flags,
                                                    twopass_operator_t* softmax_op_out) {
  return CreateOperator(OperatorType::kSoftmaxNc, ElementType::kF16, flags, softmax_op_out,
                        "softmax_op_out", "create_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_reshape_softmax_nc_f16(
    twopass_operator_t softmax_op, size_t channels, size_t input_stride, size_t output_stride,
    size_t batch_size, pthreadpool_t threadpool) {
  return ReshapeOperator(OperatorType::kSoftmaxNc, ElementType::kF16, softmax_op, channels,
                         input_stride, output_stride, batch_size, threadpool, "softmax_op",
                         "reshape_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_setup_softmax_nc_f16(twopass_operator_t softmax_op,
                                                   const void* input, void* output) {
  return SetupOperator(OperatorType::kSoftmaxNc, ElementType::kF16, softmax_op, input, output,
                       "softmax_op", "setup_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_create_log_softmax_nc_f32(uint32_t flags,
                                                    twopass_operator_t* log_softmax_op_out) {
  return CreateOperator(OperatorType::kLogSoftmaxNc, ElementType::kF32, flags, log_softmax_op_out,
                        "log_softmax_op_out", "create_log_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_reshape_log_softmax_nc_f32(
    twopass_operator_t log_softmax_op, size_t channels, size_t input_stride, size_t output_stride,
    size_t batch_size, pthreadpool_t threadpool) {
  return ReshapeOperator(OperatorType::kLogSoftmaxNc, ElementType::kF32, log_softmax_op, channels,
                         input_stride, output_stride, batch_size, threadpool, "log_softmax_op",
                         "reshape_log_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_setup_log_softmax_nc_f32(twopass_operator_t log_softmax_op,
                                                   const float* input, float* output) {
  return SetupOperator(OperatorType::kLogSoftmaxNc, ElementType::kF32, log_softmax_op, input, output,
                       "log_softmax_op", "setup_log_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_create_log_softmax_nc_f16(uint32_t flags,
                                                    twopass_operator_t* log_softmax_op_out) {
  return CreateOperator(OperatorType::kLogSoftmaxNc, ElementType::kF16, flags, log_softmax_op_out,
                        "log_softmax_op_out", "create_log_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_reshape_log_softmax_nc_f16(
    twopass_operator_t log_softmax_op, size_t channels, size_t input_stride, size_t output_stride,
    size_t batch_size, pthreadpool_t threadpool) {
  return ReshapeOperator(OperatorType::kLogSoftmaxNc, ElementType::kF16, log_softmax_op, channels,
                         input_stride, output_stride, batch_size, threadpool, "log_softmax_op",
                         "reshape_log_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_setup_log_softmax_nc_f16(twopass_operator_t log_softmax_op,
                                                   const void* input, void* output) {
  return SetupOperator(OperatorType::kLogSoftmaxNc, ElementType::kF16, log_softmax_op, input, output,
                       "log_softmax_op", "setup_log_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_run_operator(twopass_operator_t op,
                                                    pthreadpool_t threadpool) {
  static const char kFunction[] = "run_operator";
  if (!Initialized(kFunction)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(op, kFunction, "op");
  if (status != twopass_status_success) return status;
  // f32 and f16 share the drivers, which dispatch on op->element_type.
  status = twopass::CheckAnyOperator(op, kFunction);
  if (status != twopass_status_success) return status;
  return twopass::RunImpl(op, threadpool, kFunction);
}

extern "C" enum twopass_status twopass_setup_logsumexp_output(twopass_operator_t op,
                                                              float* lse) {
  static const char kFunction[] = "setup_logsumexp_output";
  if (!Initialized(kFunction)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(op, kFunction, "op");
  if (status != twopass_status_success) return status;
  status = twopass::CheckAnyOperator(op, kFunction);
  if (status != twopass_status_success) return status;
  if (op->type == OperatorType::kLogSumExpNc) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is a logsumexp operator: its setup binds lse",
                      kFunction, static_cast<const void*>(op));
    return twopass_status_invalid_state;
  }
  if (op->state != twopass::OperatorState::kReady) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not set up (call setup first)", kFunction,
                      static_cast<const void*>(op));
    return twopass_status_invalid_state;
  }
  twopass::RunContext& context = op->context;
  if (lse != nullptr && twopass::MisalignedFloats(lse)) {
    TWOPASS_LOG_ERROR("%s: lse (%p) is not 4-byte aligned (a float* must be)", kFunction,
                      static_cast<const void*>(lse));
    return twopass_status_invalid_parameter;
  }
  if (lse != nullptr && context.batch_size != 0) {
    // [lse, lse + batch) must not wrap nor overlap either tensor's whole range.
    const uintptr_t begin = reinterpret_cast<uintptr_t>(lse);
    uintptr_t end;
    const size_t element_size = context.element_size;
    const auto range_end = [&](const void* base, size_t stride) {
      size_t span = 0;
      twopass::SpanElements(context.channels, stride, context.batch_size, element_size, &span);
      return reinterpret_cast<uintptr_t>(base) + span * element_size;
    };
    const uintptr_t input_begin = reinterpret_cast<uintptr_t>(context.input);
    const uintptr_t output_begin = reinterpret_cast<uintptr_t>(context.output);
    const uintptr_t input_end = range_end(context.input, context.input_stride);
    const uintptr_t output_end = range_end(context.output, context.output_stride);
    if (__builtin_add_overflow(begin, context.batch_size * sizeof(float), &end)) {
      TWOPASS_LOG_ERROR("%s: lse (%p) + %zu floats wraps around the address space", kFunction,
                        static_cast<const void*>(lse), context.batch_size);
      return twopass_status_invalid_parameter;
    }
    if ((begin < input_end && input_begin < end) || (begin < output_end && output_begin < end)) {
      TWOPASS_LOG_ERROR("%s: lse [%p, +%zu floats) overlaps the input or the output", kFunction,
                        static_cast<const void*>(lse), context.batch_size);
      return twopass_status_invalid_parameter;
    }
    uintptr_t mask_begin, mask_end;
    if (twopass::MaskRange(context, &mask_begin, &mask_end) && begin < mask_end &&
        mask_begin < end) {
      TWOPASS_LOG_ERROR("%s: lse [%p, +%zu floats) overlaps the mask", kFunction,
                        static_cast<const void*>(lse), context.batch_size);
      return twopass_status_invalid_parameter;
    }
  }
  context.lse = lse;
  return twopass_status_success;
}

extern "C" enum twopass_status twopass_setup_scale_mask(twopass_operator_t op, float scale,
                                                        const void* mask, size_t mask_stride) {
  static const char kFunction[] = "setup_scale_mask";
  if (!Initialized(kFunction)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(op, kFunction, "op");
  if (status != twopass_status_success) return status;
  status = twopass::CheckAnyOperator(op, kFunction);
  if (status != twopass_status_success) return status;
  if (op->state != twopass::OperatorState::kReady) {
    TWOPASS_LOG_ERROR("%s: operator (%p) is not set up (call setup first)", kFunction,
                      static_cast<const void*>(op));
    return twopass_status_invalid_state;
  }
  if (!isfinite(scale)) {
    TWOPASS_LOG_ERROR("%s: scale (%g) must be finite", kFunction, static_cast<double>(scale));
    return twopass_status_invalid_parameter;
  }
  twopass::RunContext& context = op->context;
  const bool broadcast = mask_stride == TWOPASS_MASK_STRIDE_BROADCAST;
  if (mask == nullptr && mask_stride != 0) {
    TWOPASS_LOG_ERROR("%s: mask_stride (%zu) given without a mask (mask is NULL)", kFunction,
                      mask_stride);
    return twopass_status_invalid_parameter;
  }
  if (mask != nullptr) {
    if (context.element_size == sizeof(float) && twopass::MisalignedFloats(mask)) {
      TWOPASS_LOG_ERROR("%s: mask (%p) of an f32 operator is not 4-byte aligned", kFunction, mask);
      return twopass_status_invalid_parameter;
    }
    if (mask_stride == 0) {
      TWOPASS_LOG_ERROR(
          "%s: mask (%p) without its stride (mask_stride 0; "
          "TWOPASS_MASK_STRIDE_BROADCAST shares one mask row among all rows)",
          kFunction, mask);
      return twopass_status_invalid_parameter;
    }
    if (!broadcast && mask_stride < context.channels) {
      TWOPASS_LOG_ERROR("%s: mask_stride (%zu) < channels (%zu)", kFunction, mask_stride,
                        context.channels);
      return twopass_status_invalid_parameter;
    }
    size_t span = context.channels;
    if (!broadcast && !twopass::SpanElements(context.channels, mask_stride, context.batch_size,
                                             context.element_size, &span)) {
      TWOPASS_LOG_ERROR(
          "%s: mask size overflows: batch_size (%zu) x mask_stride (%zu) exceeds "
          "PTRDIFF_MAX bytes",
          kFunction, context.batch_size, mask_stride);
      return twopass_status_invalid_parameter;
    }
    const uintptr_t begin = reinterpret_cast<uintptr_t>(mask);
    uintptr_t end;
    if (__builtin_add_overflow(begin, span * context.element_size, &end)) {
      TWOPASS_LOG_ERROR("%s: mask (%p) + %zu bytes wraps around the address space", kFunction, mask,
                        span * context.element_size);
      return twopass_status_invalid_parameter;
    }
    // The mask is read while the output (and lse) are written: no overlap at all.
    if (context.output != nullptr && context.batch_size != 0) {
      size_t output_span = 0;
      twopass::SpanElements(context.channels, context.output_stride, context.batch_size,
                            context.element_size, &output_span);
      const uintptr_t output_begin = reinterpret_cast<uintptr_t>(context.output);
      const uintptr_t output_end = output_begin + output_span * context.element_size;
      if (begin < output_end && output_begin < end) {
        TWOPASS_LOG_ERROR("%s: mask [%p, +%zu bytes) overlaps the output [%p, +%zu bytes)",
                          kFunction, mask, span * context.element_size, context.output,
                          output_span * context.element_size);
        return twopass_status_invalid_parameter;
      }
    }
    if (context.lse != nullptr && context.batch_size != 0) {
      const uintptr_t lse_begin = reinterpret_cast<uintptr_t>(context.lse);
      const uintptr_t lse_end = lse_begin + context.batch_size * sizeof(float);
      if (begin < lse_end && lse_begin < end) {
        TWOPASS_LOG_ERROR("%s: mask [%p, +%zu bytes) overlaps the lse output", kFunction, mask,
                          span * context.element_size);
        return twopass_status_invalid_parameter;
      }
    }
  }
  if (mask == nullptr && scale == 1.0f) {
    // x * 1 is x, bit for bit (NaN payloads too): the plain lists, at full speed.
    twopass::UnbindScaleMask(op);
    return twopass_status_success;
  }
  context.scaled = true;
  context.scale = scale;
  context.mask = mask;
  context.mask_stride = broadcast ? 0 : mask_stride;
  twopass::ResolvePhases(op);
  return twopass_status_success;
}

extern "C" const char* twopass_internal_operator_algorithm(twopass_operator_t op) {
  static const char kFunction[] = "internal_operator_algorithm";
  if (!Initialized(kFunction) || CheckHandle(op, kFunction, "op") != twopass_status_success ||
      twopass::CheckAnyOperator(op, kFunction) != twopass_status_success ||
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
  twopass::Deallocate(op);
  return twopass_status_success;
}

extern "C" enum twopass_status twopass_run_softmax_nc_f32(size_t channels, size_t input_stride,
                                                          size_t output_stride,
                                                          size_t batch_size, const float* input,
                                                          float* output, uint32_t flags,
                                                          pthreadpool_t threadpool) {
  return RunOneShot(OperatorType::kSoftmaxNc, ElementType::kF32, channels, input_stride,
                    output_stride, batch_size, input, output, flags, threadpool,
                    "run_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_run_softmax_nc_f16(size_t channels, size_t input_stride,
                                                          size_t output_stride,
                                                          size_t batch_size, const void* input,
                                                          void* output, uint32_t flags,
                                                          pthreadpool_t threadpool) {
  return RunOneShot(OperatorType::kSoftmaxNc, ElementType::kF16, channels, input_stride,
                    output_stride, batch_size, input, output, flags, threadpool,
                    "run_softmax_nc_f16");
}

extern "C" enum twopass_status twopass_run_log_softmax_nc_f32(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const float* input, float* output, uint32_t flags, pthreadpool_t threadpool) {
  return RunOneShot(OperatorType::kLogSoftmaxNc, ElementType::kF32, channels, input_stride,
                    output_stride, batch_size, input, output, flags, threadpool,
                    "run_log_softmax_nc_f32");
}

extern "C" enum twopass_status twopass_run_log_softmax_nc_f16(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const void* input, void* output, uint32_t flags, pthreadpool_t threadpool) {
  return RunOneShot(OperatorType::kLogSoftmaxNc, ElementType::kF16, channels, input_stride,
                    output_stride, batch_size, input, output, flags, threadpool,
                    "run_log_softmax_nc_f16");
}

namespace {

enum twopass_status SetupLogSumExp(ElementType element_type, twopass_operator_t op,
                                   const void* input, float* lse, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status = CheckHandle(op, function, "logsumexp_op");
  if (status != twopass_status_success) return status;
  status = CheckOperator(op, OperatorType::kLogSumExpNc, element_type, function);
  if (status != twopass_status_success) return status;
  return twopass::SetupLogSumExpImpl(op, input, lse, function);
}

enum twopass_status RunLogSumExp(ElementType element_type, size_t channels, size_t input_stride,
                                 size_t batch_size, const void* input, float* lse, uint32_t flags,
                                 pthreadpool_t threadpool, const char* function) {
  if (!Initialized(function)) return twopass_status_uninitialized;
  enum twopass_status status =
      twopass::ValidateFlags(OperatorType::kLogSumExpNc, flags, function);
  if (status != twopass_status_success) return status;
  twopass_operator op;
  twopass::InitOperator(&op, OperatorType::kLogSumExpNc, element_type, flags,
                        twopass::ActiveKernelConfig());
  // No output tensor: its stride is the input's (checked, never used).
  status = twopass::ReshapeImpl(&op, channels, input_stride, input_stride, batch_size,
                                threadpool, function);
  if (status == twopass_status_success) {
    status = twopass::SetupLogSumExpImpl(&op, input, lse, function);
  }
  if (status == twopass_status_success) status = twopass::RunImpl(&op, threadpool, function);
  twopass::FreeScratch(&op);
  return status;
}

}  // namespace

extern "C" enum twopass_status twopass_create_logsumexp_nc_f32(
    uint32_t flags, twopass_operator_t* logsumexp_op_out) {
  return CreateOperator(OperatorType::kLogSumExpNc, ElementType::kF32, flags, logsumexp_op_out,
                        "logsumexp_op_out", "create_logsumexp_nc_f32");
}

extern "C" enum twopass_status twopass_reshape_logsumexp_nc_f32(twopass_operator_t logsumexp_op,
                                                                size_t channels,
                                                                size_t input_stride,
                                                                size_t batch_size,
                                                                pthreadpool_t threadpool) {
  // No output tensor: its stride is the input's (checked, never used).
  return ReshapeOperator(OperatorType::kLogSumExpNc, ElementType::kF32, logsumexp_op, channels,
                         input_stride, input_stride, batch_size, threadpool, "logsumexp_op",
                         "reshape_logsumexp_nc_f32");
}

extern "C" enum twopass_status twopass_setup_logsumexp_nc_f32(twopass_operator_t logsumexp_op,
                                                              const float* input, float* lse) {
  return SetupLogSumExp(ElementType::kF32, logsumexp_op, input, lse, "setup_logsumexp_nc_f32");
}

extern "C" enum twopass_status twopass_run_logsumexp_nc_f32(size_t channels, size_t input_stride,
                                                            size_t batch_size, const float* input,
                                                            float* lse, uint32_t flags,
                                                            pthreadpool_t threadpool) {
  return RunLogSumExp(ElementType::kF32, channels, input_stride, batch_size, input, lse, flags,
                      threadpool, "run_logsumexp_nc_f32");
}

extern "C" enum twopass_status twopass_create_logsumexp_nc_f16(
    uint32_t flags, twopass_operator_t* logsumexp_op_out) {
  return CreateOperator(OperatorType::kLogSumExpNc, ElementType::kF16, flags, logsumexp_op_out,
                        "logsumexp_op_out", "create_logsumexp_nc_f16");
}

extern "C" enum twopass_status twopass_reshape_logsumexp_nc_f16(twopass_operator_t logsumexp_op,
                                                                size_t channels,
                                                                size_t input_stride,
                                                                size_t batch_size,
                                                                pthreadpool_t threadpool) {
  return ReshapeOperator(OperatorType::kLogSumExpNc, ElementType::kF16, logsumexp_op, channels,
                         input_stride, input_stride, batch_size, threadpool, "logsumexp_op",
                         "reshape_logsumexp_nc_f16");
}

extern "C" enum twopass_status twopass_setup_logsumexp_nc_f16(twopass_operator_t logsumexp_op,
                                                              const void* input, float* lse) {
  return SetupLogSumExp(ElementType::kF16, logsumexp_op, input, lse, "setup_logsumexp_nc_f16");
}

extern "C" enum twopass_status twopass_run_logsumexp_nc_f16(size_t channels, size_t input_stride,
                                                            size_t batch_size, const void* input,
                                                            float* lse, uint32_t flags,
                                                            pthreadpool_t threadpool) {
  return RunLogSumExp(ElementType::kF16, channels, input_stride, batch_size, input, lse, flags,
                      threadpool, "run_logsumexp_nc_f16");
}
