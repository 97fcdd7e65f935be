// Softmax NC operator: the public API (create / reshape / setup / run / delete and the
// one-shot call), its validation and state machine. Planning is in src/softmax-plan.cc,
// the phase lists and kernel calls in src/softmax-phases.cc, the runner in
// src/runner.cc; docs/architecture.md says how a new operation is added.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/config.h"
#include "twopass/log.h"
#include "twopass/operator.h"
#include "twopass/runner.h"
#include "twopass/softmax-phases.h"
#include "twopass/softmax-plan.h"

namespace twopass {
namespace {

constexpr uint32_t kAlgorithmFlags = TWOPASS_FLAG_ALGORITHM_TWO_PASS |
                                     TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD |
                                     TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE;
constexpr uint32_t kKnownFlags = kAlgorithmFlags | TWOPASS_FLAG_MASKED_ROW_ZERO;

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
  free(op->context.partials);
  free(op->context.row_plans);
  op->context.partials = nullptr;
  op->context.row_plans = nullptr;
  op->partials_capacity = 0;
  op->row_plans_capacity = 0;
}

// A reshape that runs out of memory keeps the operator's previous shape, but not its
// setup (twopass.h, docs/api.md): run then says invalid_state until setup is called again.
enum twopass_status ReshapeOutOfMemory(twopass_operator* op) {
  if (op->state == OperatorState::kReady) {
    op->state = OperatorState::kReshaped;
    op->context.input = nullptr;
    op->context.output = nullptr;
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
      void* memory = malloc(partial_bytes);
      if (memory == nullptr) {
        TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes of partials", function,
                          partial_bytes);
        return ReshapeOutOfMemory(op);
      }
      free(op->context.partials);
      op->context.partials = static_cast<ChunkPartial*>(memory);
      op->partials_capacity = partials;
    }
    if (batch_size > op->row_plans_capacity) {
      void* memory = malloc(plan_bytes);
      if (memory == nullptr) {
        TWOPASS_LOG_ERROR("%s: failed to allocate %zu bytes of row plans", function,
                          plan_bytes);
        return ReshapeOutOfMemory(op);
      }
      free(op->context.row_plans);
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
  if (algorithm == TWOPASS_FLAG_ALGORITHM_TWO_PASS) {
    op->algorithm = Algorithm::kTwoPass;
  } else if (algorithm == TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD) {
    op->algorithm = Algorithm::kThreePassReload;
  } else if (algorithm == TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE) {
    op->algorithm = Algorithm::kThreePassRecompute;
  } else {
    op->algorithm = ChooseAlgorithm(op->element_type, channels, *op->config);
  }
  ResolveSoftmax(op->element_type, op->algorithm, &context);
  context.input = nullptr;
  context.output = nullptr;
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
