// The operator object behind twopass_operator_t (internal).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "twopass.h"
#include "twopass/config.h"

namespace twopass {

// Marks a constructed operator; cleared by delete. Liveness itself is decided by the
// registry in softmax-nc.cc (a freed operator must not be read).
constexpr uint32_t kOperatorMagic = 0x54575053u;  // "TWPS"

enum class OperatorType : uint32_t {
  kInvalid = 0,
  kSoftmaxNc = 1,
};

// Element type of input and output. f16 (IEEE binary16) is the same operator with f32
// computation inside.
enum class ElementType : uint32_t {
  kF32 = 0,
  kF16 = 1,
};

enum class Algorithm : uint32_t {
  kTwoPass = 0,
  kThreePassReload = 1,
  kThreePassRecompute = 2,
};

// create -> reshape -> setup -> run (any number of times). reshape invalidates setup.
enum class OperatorState : uint32_t {
  kCreated = 0,
  kReshaped = 1,
  kReady = 2,
};

// Result of the first pass over one chunk of a row.
//   two-pass:   (a, b) = (m, e), the chunk's sum of exp is m * 2^e;
//   three-pass: a = max of the chunk, b = sum of exp(x - row max) over the chunk.
struct ChunkPartial {
  float a;
  float b;
};

// What a row needs for its last pass, decided after merging its partials.
enum class RowKind : uint32_t {
  kNormal = 0,   // fast path with (a, b) below
  kSpecial = 1,  // NaN / inf / fully masked / huge magnitude: slow path of its own
};
struct RowPlan {
  // two-pass: (scale mantissa, scale exponent); three-pass: (row max, 1 / sum).
  float a;
  float b;
  RowKind kind;
};

}  // namespace twopass

struct twopass_operator {
  uint32_t magic;
  twopass::OperatorType type;
  twopass::ElementType element_type;
  uint32_t flags;
  twopass::OperatorState state;
  // Kernels of the ISA active at create; never changes afterwards.
  const twopass::KernelConfig* config;

  // Shape (reshape).
  size_t channels;
  size_t input_stride;   // elements
  size_t output_stride;  // elements
  size_t batch_size;
  twopass::Algorithm algorithm;
  // Rows are processed in num_chunks chunks of chunk_size elements (the last may be
  // shorter); both depend on channels only, which makes results independent of the
  // thread count.
  size_t chunk_size;
  size_t num_chunks;

  // Scratch, allocated by reshape when num_chunks > 1 (single-chunk rows need none):
  // partials[row * num_chunks + chunk] and row_plans[row].
  twopass::ChunkPartial* partials;
  size_t partials_capacity;  // entries
  twopass::RowPlan* row_plans;
  size_t row_plans_capacity;  // entries

  // Tensors (setup).
  const void* input;
  void* output;
};
