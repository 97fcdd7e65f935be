// API fuzzer: the input is a sequence of calls of the public API (plus the internal
// ISA switch), with arbitrary arguments: create f32/f16 with any flags (unknown bits,
// several algorithms, NULL out pointer), reshape with any sizes (0, huge, overflowing),
// setup with NULL, overlapping, in-place, wrapping or bogus pointers, run with and
// without a pool, delete (twice), calls out of order, on the wrong element type, on
// NULL, deleted and never-created handles, one-shot calls, log levels and ISAs out of
// range. A model of every operator predicts the statuses the header documents; every
// call must return one of them. Buffers live in one arena between two guard pages;
// after every call the whole arena is compared with its copy from before the call:
// only the output rows of a successful run may change (gaps, input and everything
// else untouched; nothing at all on a failing call), and the rows written are checked
// against the contract's reference (test/softmax-reference.h).
//
// Allocation: the fuzzer runs with ASan's allocator_may_return_null=1 and
// max_allocation_size_mb=64 (__asan_default_options below), so reshapes that need more
// scratch than that get out_of_memory from the library, which is then checked too.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <pthreadpool.h>

#include "fuzz-util.h"
#include "test/f16-test-util.h"
#include "test/softmax-reference.h"
#include "twopass.h"
#include "twopass/config.h"
#include "twopass/isa.h"

extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1:max_allocation_size_mb=64";
}

extern "C" int fuzz_set_log_level_int(int level);  // c-calls.c
extern "C" int fuzz_set_isa_int(int isa);

namespace twopass {
namespace fuzz {
namespace {

constexpr size_t kArenaBytes = size_t{256} << 10;
constexpr size_t kMaxAllocation = size_t{64} << 20;  // max_allocation_size_mb
constexpr size_t kSlots = 6;
constexpr size_t kMaxCalls = 64;

// Bit masks of statuses.
constexpr uint32_t Bit(enum twopass_status status) { return 1u << status; }

std::string StatusSet(uint32_t mask) {
  std::string s;
  for (int i = 0; i < 8; i++) {
    if (mask & (1u << i)) s += (s.empty() ? "" : "|") + std::to_string(i);
  }
  return s.empty() ? "success" : s;
}

enum class State { kCreated, kReshaped, kReady };

struct Operator {
  twopass_operator_t handle = nullptr;  // nullptr: the slot is empty
  bool f16 = false;
  uint32_t flags = 0;
  State state = State::kCreated;
  size_t channels = 0, input_stride = 0, output_stride = 0, batch = 0;  // reshaped
  const uint8_t* input = nullptr;                                        // ready
  uint8_t* output = nullptr;
};

// One mapping: guard page, arena, guard page; and a page that is never accessible,
// whose address serves as a handle that was never created.
struct Memory {
  uint8_t* arena;
  void* foreign;
  std::vector<uint8_t> copy;  // the arena as it was before the current call

  Memory() {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* base = mmap(nullptr, kArenaBytes + 3 * page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FUZZ_CHECK(base != MAP_FAILED, "mmap");
    uint8_t* bytes = static_cast<uint8_t*>(base);
    FUZZ_CHECK(mprotect(bytes, page, PROT_NONE) == 0, "mprotect");
    FUZZ_CHECK(mprotect(bytes + page + kArenaBytes, 2 * page, PROT_NONE) == 0, "mprotect");
    arena = bytes + page;
    foreign = bytes + 2 * page + kArenaBytes;
    copy.resize(kArenaBytes);
  }
};

Memory& GetMemory() {
  static Memory* memory = new Memory();
  return *memory;
}

// Elements a tensor spans, or false when its bytes exceed PTRDIFF_MAX (the header's
// rule), computed without overflow.
bool SpanBytes(size_t channels, size_t stride, size_t batch, size_t element_size,
               unsigned __int128* bytes) {
  const unsigned __int128 elements =
      batch == 0 ? 0
                 : static_cast<unsigned __int128>(batch - 1) * stride + channels;
  *bytes = elements * element_size;
  return *bytes <= static_cast<unsigned __int128>(PTRDIFF_MAX);
}

// Whether a valid reshape of this shape must fail with out_of_memory: its scratch (8
// bytes per chunk and 12 per row, for rows of more than one 4096-element chunk;
// src/operators/softmax-nc.cc) exceeds what the fuzzer lets malloc give.
bool MayRunOutOfMemory(size_t channels, size_t batch) {
  if (channels <= 4096 || batch == 0) return false;
  const unsigned __int128 chunks = (channels + size_t{4095}) / 4096;
  const unsigned __int128 partials = chunks * batch * 8;
  const unsigned __int128 plans = static_cast<unsigned __int128>(batch) * 12;
  return partials > kMaxAllocation || plans > kMaxAllocation;
}

class ApiFuzzer {
 public:
  ApiFuzzer(const uint8_t* data, size_t size, pthreadpool_t pool)
      : in_(data, size), pool_(pool), memory_(GetMemory()) {}

  void Run() {
    FillArena();
    // Every input starts from the same library state.
    const enum twopass_isa best = twopass_isa_best_supported();
    FUZZ_CHECK(twopass_internal_set_isa(best) == twopass_status_success, "set_isa");
    for (size_t calls = 0; calls < kMaxCalls && !in_.empty(); calls++) {
      memcpy(memory_.copy.data(), memory_.arena, kArenaBytes);
      Call(in_.U8() % 12);
    }
    for (Operator& op : slots_) {
      if (op.handle != nullptr) {
        FUZZ_CHECK(twopass_delete_operator(op.handle) == twopass_status_success, "final delete");
      }
    }
    FUZZ_CHECK(twopass_internal_set_isa(best) == twopass_status_success, "set_isa");
  }

 private:
  void FillArena() {
    const uint8_t mode = in_.U8();
    Random random(in_.U32());
    uint8_t* a = memory_.arena;
    for (size_t i = 0; i < kArenaBytes; i += 4) {
      uint32_t bits;
      switch (mode % 3) {
        case 0: {  // f32 in [-20, 20]
          bits = FloatBits(random.Uniform(-20.0f, 20.0f));
          break;
        }
        case 1: {  // two halves in [-20, 20]
          const uint32_t lo = testing::FloatToHalf(random.Uniform(-20.0f, 20.0f));
          const uint32_t hi = testing::FloatToHalf(random.Uniform(-20.0f, 20.0f));
          bits = lo | (hi << 16);
          break;
        }
        default:
          bits = static_cast<uint32_t>(random.Next() >> 32);
          break;
      }
      memcpy(a + i, &bits, 4);
    }
  }

  // ---- Decoding arguments ----------------------------------------------------------

  // A handle and the model behind it (nullptr: not a live operator).
  struct Handle {
    twopass_operator_t handle;
    Operator* op;
  };

  Handle PickHandle() {
    const uint8_t b = in_.U8();
    const uint8_t kind = b % 16;
    if (kind < kSlots) {
      Operator& op = slots_[kind];
      return {op.handle, op.handle != nullptr ? &op : nullptr};
    }
    if (kind < 14) {
      if (stale_.empty()) return {nullptr, nullptr};
      return {stale_[b % stale_.size()], nullptr};
    }
    if (kind == 14) return {nullptr, nullptr};
    return {static_cast<twopass_operator_t>(memory_.foreign), nullptr};
  }

  size_t Size() {
    const uint8_t c = in_.U8();
    switch (c % 8) {
      case 0:
        return c >> 3;
      case 1:
        return in_.U8();
      case 2:
        return in_.U16() % 5000;
      case 3:
        return in_.U32() % 70000;
      case 4:
        return SIZE_MAX - in_.U8();
      case 5: {
        static const size_t kBig[8] = {
            static_cast<size_t>(PTRDIFF_MAX) / 4, static_cast<size_t>(PTRDIFF_MAX) / 2,
            static_cast<size_t>(PTRDIFF_MAX),     SIZE_MAX / 2,
            size_t{1} << 62,                      size_t{1} << 32,
            size_t{1} << 40,                      size_t{1} << 20};
        const size_t base = kBig[in_.U8() % 8];
        return base + static_cast<size_t>(static_cast<int8_t>(in_.U8()));
      }
      case 6:
        return (in_.U8() % 20) * size_t{4096} + static_cast<size_t>(static_cast<int8_t>(in_.U8()));
      default:
        return in_.U64();
    }
  }

  size_t Stride(size_t channels) {
    switch (in_.U8() % 4) {
      case 0:
        return channels;
      case 1:
        return channels + in_.U8() % 8;
      case 2:
        return channels - 1;
      default:
        return Size();
    }
  }

  uint32_t Flags() {
    static const uint32_t kValid[8] = {
        0,
        TWOPASS_FLAG_ALGORITHM_TWO_PASS,
        TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
        TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
        TWOPASS_FLAG_MASKED_ROW_ZERO,
        TWOPASS_FLAG_MASKED_ROW_ZERO | TWOPASS_FLAG_ALGORITHM_TWO_PASS,
        TWOPASS_FLAG_MASKED_ROW_ZERO | TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
        TWOPASS_FLAG_MASKED_ROW_ZERO | TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
    };
    const uint8_t c = in_.U8();
    switch (c % 4) {
      case 0:
      case 1:
        return kValid[(c >> 2) % 8];
      case 2:
        return uint32_t{1} << (in_.U8() % 32);
      default:
        return in_.U32();
    }
  }

  // A pointer for a tensor of `element_size`-byte elements: NULL, into the arena at any
  // element (f32: float* must be 4-byte aligned) or any byte (f16: void*), `previous`
  // (in place) or next to it (overlap), or never accessible.
  uint8_t* Pointer(size_t element_size, uint8_t* previous) {
    const uint8_t c = in_.U8();
    switch (c % 8) {
      case 0:
        return nullptr;
      case 5:
        if (previous != nullptr) return previous;
        break;
      case 6:
        if (previous != nullptr) {
          const intptr_t delta = static_cast<int8_t>(in_.U8()) * static_cast<intptr_t>(element_size);
          return reinterpret_cast<uint8_t*>(reinterpret_cast<uintptr_t>(previous) + delta);
        }
        break;
      case 7: {
        const uintptr_t offset = in_.U16() * element_size;
        // Near the top of the address space (the range wraps) or a low unmapped address.
        return reinterpret_cast<uint8_t*>(in_.Bool() ? (UINTPTR_MAX & ~uintptr_t{7}) - offset
                                                     : uintptr_t{0x10000} + offset);
      }
      default:
        break;
    }
    const size_t unit = element_size == 2 ? 1 : element_size;
    return memory_.arena + (in_.U32() % (kArenaBytes / unit + 1)) * unit;
  }

  bool InArena(const uint8_t* p, unsigned __int128 bytes) const {
    const uintptr_t begin = reinterpret_cast<uintptr_t>(memory_.arena);
    const uintptr_t q = reinterpret_cast<uintptr_t>(p);
    return q >= begin && q <= begin + kArenaBytes &&
           static_cast<unsigned __int128>(q - begin) + bytes <= kArenaBytes;
  }

  // Statuses setup may return for these pointers, given a reshaped shape.
  static uint32_t PointerErrors(const uint8_t* input, const uint8_t* output, size_t channels,
                                size_t input_stride, size_t output_stride, size_t batch,
                                size_t element_size) {
    if (input == nullptr || output == nullptr) return Bit(twopass_status_invalid_parameter);
    unsigned __int128 in_bytes, out_bytes;
    SpanBytes(channels, input_stride, batch, element_size, &in_bytes);
    SpanBytes(channels, output_stride, batch, element_size, &out_bytes);
    const unsigned __int128 in_begin = reinterpret_cast<uintptr_t>(input);
    const unsigned __int128 out_begin = reinterpret_cast<uintptr_t>(output);
    const unsigned __int128 in_end = in_begin + in_bytes, out_end = out_begin + out_bytes;
    if (in_end > UINTPTR_MAX || out_end > UINTPTR_MAX) {
      return Bit(twopass_status_invalid_parameter);
    }
    const bool overlap = in_begin < out_end && out_begin < in_end;
    const bool in_place = input == output && input_stride == output_stride;
    if (overlap && !in_place) return Bit(twopass_status_invalid_parameter);
    return 0;
  }

  static uint32_t ShapeErrors(size_t channels, size_t input_stride, size_t output_stride,
                              size_t batch, size_t element_size) {
    unsigned __int128 bytes;
    if (channels == 0 || input_stride < channels || output_stride < channels ||
        !SpanBytes(channels, input_stride, batch, element_size, &bytes) ||
        !SpanBytes(channels, output_stride, batch, element_size, &bytes)) {
      return Bit(twopass_status_invalid_parameter);
    }
    return 0;
  }

  static uint32_t FlagErrors(uint32_t flags) {
    const uint32_t known = TWOPASS_FLAG_ALGORITHM_TWO_PASS |
                           TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD |
                           TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE |
                           TWOPASS_FLAG_MASKED_ROW_ZERO;
    uint32_t errors = 0;
    if (flags & ~known) errors |= Bit(twopass_status_unsupported_parameter);
    const uint32_t algorithms = flags & (known & ~TWOPASS_FLAG_MASKED_ROW_ZERO);
    if (algorithms & (algorithms - 1)) errors |= Bit(twopass_status_invalid_parameter);
    return errors;
  }

  // ---- Checks ----------------------------------------------------------------------

  // `errors`: the statuses the header documents for what is wrong with the call (any
  // of them may be returned); none: success, or out_of_memory when the call needs
  // more scratch than malloc gives (`out_of_memory`, then nothing else).
  void CheckStatus(const char* call, enum twopass_status status, uint32_t errors,
                   bool out_of_memory = false) {
    if (errors == 0) {
      const enum twopass_status expected =
          out_of_memory ? twopass_status_out_of_memory : twopass_status_success;
      FUZZ_CHECK(status == expected, "%s returned %d, expected %d", call, status, expected);
    } else {
      FUZZ_CHECK(status != twopass_status_success && (Bit(status) & errors) != 0,
                 "%s returned %d, expected one of {%s}", call, status,
                 StatusSet(errors).c_str());
    }
  }

  // Nothing in the arena changed since the call began.
  void CheckArenaUntouched(const char* call) {
    if (memcmp(memory_.copy.data(), memory_.arena, kArenaBytes) == 0) return;
    size_t i = 0;
    while (memory_.copy[i] == memory_.arena[i]) i++;
    FUZZ_CHECK(false, "%s wrote arena byte %zu, outside the output rows of a run", call, i);
  }

  // After a successful run of this shape: only the output rows changed, and they are
  // the softmax of the input rows as they were before the call.
  void CheckRun(const char* call, bool f16, uint32_t flags, size_t channels,
                size_t input_stride, size_t output_stride, size_t batch, const uint8_t* input,
                uint8_t* output) {
    const size_t es = f16 ? 2 : 4;
    const uint8_t* copy = memory_.copy.data();
    const size_t in_offset = static_cast<size_t>(input - memory_.arena);
    const size_t out_offset = static_cast<size_t>(output - memory_.arena);
    // Outside the rows: unchanged.
    size_t position = 0;
    for (size_t b = 0; b <= batch; b++) {
      const size_t end = b < batch ? out_offset + b * output_stride * es : kArenaBytes;
      FUZZ_CHECK(memcmp(copy + position, memory_.arena + position, end - position) == 0,
                 "%s wrote outside the output rows, between byte %zu and %zu of the arena "
                 "(row %zu of %zu)",
                 call, position, end, b, batch);
      position = end + channels * es;
    }
    // The rows: the contract's values.
    const bool masked = (flags & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0;
    std::vector<double> r;
    for (size_t b = 0; b < batch; b++) {
      const uint8_t* x = copy + in_offset + b * input_stride * es;
      const uint8_t* y = memory_.arena + out_offset + b * output_stride * es;
      std::string error;
      if (f16) {
        std::vector<uint16_t> xs(channels), ys(channels);
        memcpy(xs.data(), x, channels * es);
        memcpy(ys.data(), y, channels * es);
        double max_error = 0.0;
        error = testing::CheckSoftmaxRowF16(xs.data(), ys.data(), channels, masked, &max_error);
      } else {
        std::vector<float> xs(channels), ys(channels);
        memcpy(xs.data(), x, channels * es);
        memcpy(ys.data(), y, channels * es);
        error = testing::CheckSoftmaxRowF32(xs.data(), ys.data(), channels, masked, &r);
      }
      FUZZ_CHECK(error.empty(), "%s: %s row %zu of %zu x %zu (strides %zu, %zu, flags 0x%x): %s",
                 call, f16 ? "f16" : "f32", b, batch, channels, input_stride, output_stride,
                 flags, error.c_str());
    }
  }

  // ---- Calls -----------------------------------------------------------------------

  void Call(uint8_t which) {
    switch (which) {
      case 0:
      case 1:
        return Create(which == 1);
      case 2:
      case 3:
        return Reshape(which == 3);
      case 4:
      case 5:
        return Setup(which == 5);
      case 6:
        return RunOperator();
      case 7:
        return Delete();
      case 8:
      case 9:
        return OneShot(which == 9);
      case 10:
        return SetIsa();
      default:
        return SetLogLevel();
    }
  }

  void Create(bool f16) {
    Operator& slot = slots_[in_.U8() % kSlots];
    if (slot.handle != nullptr) {
      FUZZ_CHECK(twopass_delete_operator(slot.handle) == twopass_status_success, "delete");
      Forget(&slot);
    }
    const uint32_t flags = Flags();
    const bool null_out = in_.U8() == 0xFF;
    twopass_operator_t const kUntouched = static_cast<twopass_operator_t>(memory_.foreign);
    twopass_operator_t op = kUntouched;
    const enum twopass_status status =
        f16 ? twopass_create_softmax_nc_f16(flags, null_out ? nullptr : &op)
            : twopass_create_softmax_nc_f32(flags, null_out ? nullptr : &op);
    const uint32_t errors =
        FlagErrors(flags) | (null_out ? Bit(twopass_status_invalid_parameter) : 0);
    CheckStatus(f16 ? "create_f16" : "create_f32", status, errors);
    CheckArenaUntouched("create");
    if (status != twopass_status_success) {
      FUZZ_CHECK(op == kUntouched, "failed create wrote its out pointer");
      return;
    }
    FUZZ_CHECK(op != nullptr && op != kUntouched, "create returned success and no handle");
    // A new operator may reuse a deleted one's address: that handle is live again.
    stale_.erase(std::remove(stale_.begin(), stale_.end(), op), stale_.end());
    slot = Operator();
    slot.handle = op;
    slot.f16 = f16;
    slot.flags = flags;
  }

  void Forget(Operator* slot) {
    stale_.push_back(slot->handle);
    if (stale_.size() > 8) stale_.erase(stale_.begin());
    *slot = Operator();
  }

  void Reshape(bool f16) {
    const Handle h = PickHandle();
    const size_t channels = Size();
    const size_t input_stride = Stride(channels);
    const size_t output_stride = in_.Bool() ? input_stride : Stride(channels);
    const size_t batch = Size();
    const pthreadpool_t pool = in_.Bool() ? pool_ : nullptr;
    const size_t es = f16 ? 2 : 4;
    uint32_t errors = ShapeErrors(channels, input_stride, output_stride, batch, es);
    if (h.op == nullptr) {
      errors |= Bit(twopass_status_invalid_parameter);
    } else if (h.op->f16 != f16) {
      errors |= Bit(twopass_status_invalid_state);
    }
    const enum twopass_status status =
        f16 ? twopass_reshape_softmax_nc_f16(h.handle, channels, input_stride, output_stride,
                                             batch, pool)
            : twopass_reshape_softmax_nc_f32(h.handle, channels, input_stride, output_stride,
                                             batch, pool);
    const bool may_oom = MayRunOutOfMemory(channels, batch);
    CheckStatus(f16 ? "reshape_f16" : "reshape_f32", status, errors, may_oom);
    CheckArenaUntouched("reshape");
    if (h.op == nullptr) return;
    if (status == twopass_status_success) {
      h.op->state = State::kReshaped;
      h.op->channels = channels;
      h.op->input_stride = input_stride;
      h.op->output_stride = output_stride;
      h.op->batch = batch;
      h.op->input = nullptr;
      h.op->output = nullptr;
    } else if (status == twopass_status_out_of_memory) {
      // docs/api.md: the previous shape is kept, but the operator is no longer set up.
      if (h.op->state == State::kReady) h.op->state = State::kReshaped;
    }
    // Any other failure leaves the operator as it was (shape and setup).
  }

  void Setup(bool f16) {
    const Handle h = PickHandle();
    const size_t es = f16 ? 2 : 4;
    uint8_t* input = Pointer(es, nullptr);
    uint8_t* output = Pointer(es, input);
    uint32_t errors = 0;
    if (h.op == nullptr) {
      errors |= Bit(twopass_status_invalid_parameter);
    } else if (h.op->f16 != f16 || h.op->state == State::kCreated) {
      errors |= Bit(twopass_status_invalid_state);
      if (input == nullptr || output == nullptr) errors |= Bit(twopass_status_invalid_parameter);
    } else {
      errors |= PointerErrors(input, output, h.op->channels, h.op->input_stride,
                              h.op->output_stride, h.op->batch, es);
    }
    if (h.op == nullptr && (input == nullptr || output == nullptr)) {
      errors |= Bit(twopass_status_invalid_parameter);
    }
    const enum twopass_status status =
        f16 ? twopass_setup_softmax_nc_f16(h.handle, input, output)
            : twopass_setup_softmax_nc_f32(h.handle, reinterpret_cast<const float*>(input),
                                           reinterpret_cast<float*>(output));
    CheckStatus(f16 ? "setup_f16" : "setup_f32", status, errors);
    CheckArenaUntouched("setup");
    if (h.op != nullptr && status == twopass_status_success) {
      h.op->state = State::kReady;
      h.op->input = input;
      h.op->output = output;
    }
  }

  void RunOperator() {
    const Handle h = PickHandle();
    const pthreadpool_t pool = in_.Bool() ? pool_ : nullptr;
    uint32_t errors = 0;
    if (h.op == nullptr) {
      errors = Bit(twopass_status_invalid_parameter);
    } else if (h.op->state != State::kReady) {
      errors = Bit(twopass_status_invalid_state);
    } else if (h.op->batch != 0) {
      // Only runs whose tensors lie in the arena (setup accepts any address).
      const size_t es = h.op->f16 ? 2 : 4;
      unsigned __int128 in_bytes, out_bytes;
      SpanBytes(h.op->channels, h.op->input_stride, h.op->batch, es, &in_bytes);
      SpanBytes(h.op->channels, h.op->output_stride, h.op->batch, es, &out_bytes);
      if (!InArena(h.op->input, in_bytes) || !InArena(h.op->output, out_bytes)) return;
    }
    const enum twopass_status status = twopass_run_operator(h.handle, pool);
    CheckStatus("run_operator", status, errors);
    if (status == twopass_status_success && h.op->batch != 0) {
      CheckRun("run_operator", h.op->f16, h.op->flags, h.op->channels, h.op->input_stride,
               h.op->output_stride, h.op->batch, h.op->input, h.op->output);
    } else {
      CheckArenaUntouched("run_operator");
    }
  }

  void Delete() {
    const Handle h = PickHandle();
    const enum twopass_status status = twopass_delete_operator(h.handle);
    CheckStatus("delete_operator", status,
                h.op == nullptr ? Bit(twopass_status_invalid_parameter) : 0);
    CheckArenaUntouched("delete_operator");
    if (h.op != nullptr) Forget(h.op);
  }

  void OneShot(bool f16) {
    const size_t es = f16 ? 2 : 4;
    const size_t channels = Size();
    const size_t input_stride = Stride(channels);
    const size_t output_stride = in_.Bool() ? input_stride : Stride(channels);
    const size_t batch = Size();
    uint8_t* input = Pointer(es, nullptr);
    uint8_t* output = Pointer(es, input);
    const uint32_t flags = Flags();
    const pthreadpool_t pool = in_.Bool() ? pool_ : nullptr;
    uint32_t errors = FlagErrors(flags);
    const uint32_t shape_errors = ShapeErrors(channels, input_stride, output_stride, batch, es);
    errors |= shape_errors;
    if (shape_errors == 0) {
      errors |= PointerErrors(input, output, channels, input_stride, output_stride, batch, es);
    } else if (input == nullptr || output == nullptr) {
      errors |= Bit(twopass_status_invalid_parameter);
    }
    // Flags and shape are checked first; then the scratch is allocated (which fails
    // for too much), then the pointers: with bad pointers, out_of_memory may come first.
    const bool out_of_memory = FlagErrors(flags) == 0 && shape_errors == 0 &&
                               MayRunOutOfMemory(channels, batch);
    if (out_of_memory && errors != 0) errors |= Bit(twopass_status_out_of_memory);
    bool in_arena = false;
    if (errors == 0 && batch != 0) {
      unsigned __int128 in_bytes, out_bytes;
      SpanBytes(channels, input_stride, batch, es, &in_bytes);
      SpanBytes(channels, output_stride, batch, es, &out_bytes);
      in_arena = InArena(input, in_bytes) && InArena(output, out_bytes);
      // A call that would run on memory outside the arena is not made; one whose
      // scratch exceeds the allocation limit fails before it runs.
      if (!in_arena && !MayRunOutOfMemory(channels, batch)) return;
    }
    const enum twopass_status status =
        f16 ? twopass_run_softmax_nc_f16(channels, input_stride, output_stride, batch, input,
                                         output, flags, pool)
            : twopass_run_softmax_nc_f32(channels, input_stride, output_stride, batch,
                                         reinterpret_cast<const float*>(input),
                                         reinterpret_cast<float*>(output), flags, pool);
    const char* call = f16 ? "run_softmax_nc_f16" : "run_softmax_nc_f32";
    CheckStatus(call, status, errors, out_of_memory);
    if (status == twopass_status_success && batch != 0) {
      CheckRun(call, f16, flags, channels, input_stride, output_stride, batch, input, output);
    } else {
      CheckArenaUntouched(call);
    }
  }

  void SetIsa() {
    const int isa = static_cast<int>(in_.U8() % 7) - 2;  // -2..4
    const int status = fuzz_set_isa_int(isa);
    if (isa < 0 || isa >= TWOPASS_ISA_COUNT) {
      FUZZ_CHECK(status == twopass_status_invalid_parameter, "set_isa(%d) returned %d", isa,
                 status);
    } else if (twopass_isa_supported(static_cast<enum twopass_isa>(isa))) {
      FUZZ_CHECK(status == twopass_status_success, "set_isa(%d) returned %d", isa, status);
    } else {
      FUZZ_CHECK(status == twopass_status_unsupported_hardware, "set_isa(%d) returned %d", isa,
                 status);
    }
  }

  void SetLogLevel() {
    const int level = static_cast<int>(static_cast<int8_t>(in_.U8()));
    const int status = fuzz_set_log_level_int(level);
    FUZZ_CHECK(status == (level >= 0 && level <= 4 ? twopass_status_success
                                                   : twopass_status_invalid_parameter),
               "set_log_level(%d) returned %d", level, status);
    FUZZ_CHECK(twopass_set_log_level(twopass_log_level_none) == twopass_status_success, "log");
  }

  Reader in_;
  pthreadpool_t pool_;
  Memory& memory_;
  Operator slots_[kSlots];
  std::vector<twopass_operator_t> stale_;  // deleted handles (at most 8)
};

}  // namespace
}  // namespace fuzz
}  // namespace twopass

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pthreadpool_t pool = twopass::fuzz::Setup();
  twopass::fuzz::ApiFuzzer fuzzer(data, size, pool);
  fuzzer.Run();
  return 0;
}
