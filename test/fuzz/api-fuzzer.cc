// API fuzzer: the input is a sequence of calls of the public API (plus the internal
// ISA switch), with arbitrary arguments: create softmax, log-softmax (f32/f16) and
// logsumexp (f32) operators with any flags (unknown bits, several algorithms, the
// three-pass algorithms and masked-row-zero where unsupported, NULL out pointer),
// reshape with any sizes (0, huge, overflowing), setup with NULL, overlapping,
// in-place, wrapping or bogus pointers, twopass_setup_logsumexp_output with lse NULL,
// overlapping a tensor, wrapping or anywhere (refused on logsumexp operators and before
// setup; unbound by setup and reshape), twopass_setup_scale_mask with any scale (0,
// negative, huge, NaN, inf) and a mask that is NULL, misaligned, next to or overlapping
// the tensors or lse, wrapping, with any stride or broadcast (runs then check t = x *
// scale + mask, f16 results within a half's rounding of t's reference), run with and
// without a pool, delete (twice), calls out of order, on an operator of another kind or
// element type, on NULL, deleted and never-created handles, one-shot calls of every
// kind, log levels and ISAs out of range. A model of every operator predicts the statuses the header documents; every
// call must return one of them. Buffers live in one arena between two guard pages;
// after every call the whole arena is compared with its copy from before the call:
// only the output rows and the bound lse floats of a successful run may change (gaps,
// input and everything else untouched; nothing at all on a failing call), and what is
// written is checked against the contract's reference (test/softmax-reference.h,
// log-reference.h).
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
#include "log-reference.h"
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

// The operator kinds, each with its own create / reshape / setup / one-shot functions.
enum class Kind { kSoftmaxF32, kSoftmaxF16, kLogSoftmaxF32, kLogSoftmaxF16, kLogSumExpF32 };

bool IsF16(Kind kind) { return kind == Kind::kSoftmaxF16 || kind == Kind::kLogSoftmaxF16; }
bool IsLogSoftmax(Kind kind) {
  return kind == Kind::kLogSoftmaxF32 || kind == Kind::kLogSoftmaxF16;
}
bool IsLogSumExp(Kind kind) { return kind == Kind::kLogSumExpF32; }
size_t ElementBytes(Kind kind) { return IsF16(kind) ? 2 : 4; }

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kSoftmaxF32:
      return "softmax_nc_f32";
    case Kind::kSoftmaxF16:
      return "softmax_nc_f16";
    case Kind::kLogSoftmaxF32:
      return "log_softmax_nc_f32";
    case Kind::kLogSoftmaxF16:
      return "log_softmax_nc_f16";
    default:
      return "logsumexp_nc_f32";
  }
}

struct Operator {
  twopass_operator_t handle = nullptr;  // nullptr: the slot is empty
  Kind kind = Kind::kSoftmaxF32;
  uint32_t flags = 0;
  State state = State::kCreated;
  // Reshaped (logsumexp: output_stride is input_stride, as its reshape checks it).
  size_t channels = 0, input_stride = 0, output_stride = 0, batch = 0;
  const uint8_t* input = nullptr;  // ready
  uint8_t* output = nullptr;       // ready (logsumexp: none)
  // batch floats the run writes: logsumexp's setup binds it, twopass_setup_logsumexp_output
  // binds it to a set-up softmax or log-softmax operator; setup and reshape unbind it.
  uint8_t* lse = nullptr;
  // twopass_setup_scale_mask (ready operators; setup and reshape unbind it).
  bool scaled = false;
  float scale = 1.0f;
  const uint8_t* mask = nullptr;
  size_t mask_stride = 0;
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
      Call(in_.U8() % 19);
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
    static const uint32_t kValid[10] = {
        0,
        TWOPASS_FLAG_ALGORITHM_TWO_PASS,
        TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
        TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
        TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD,
        TWOPASS_FLAG_MASKED_ROW_ZERO,
        TWOPASS_FLAG_MASKED_ROW_ZERO | TWOPASS_FLAG_ALGORITHM_TWO_PASS,
        TWOPASS_FLAG_MASKED_ROW_ZERO | TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
        TWOPASS_FLAG_MASKED_ROW_ZERO | TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
        TWOPASS_FLAG_MASKED_ROW_ZERO | TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD,
    };
    const uint8_t c = in_.U8();
    switch (c % 4) {
      case 0:
      case 1:
        return kValid[(c >> 2) % 10];
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
    uint8_t* p = memory_.arena + (in_.U32() % (kArenaBytes / unit + 1)) * unit;
    // One arena pick in 32 (c >= 248) puts a float pointer off its alignment.
    if (element_size == 4 && c >= 248 && p != memory_.arena + kArenaBytes) p += 1 + c % 3;
    return p;
  }

  static bool Misaligned(const uint8_t* p) { return reinterpret_cast<uintptr_t>(p) % 4 != 0; }

  // Whether the byte range [begin, end) meets the `bytes` bytes at `base` (never when
  // base is NULL: an unbound tensor).
  static bool Overlaps(unsigned __int128 begin, unsigned __int128 end, const uint8_t* base,
                       unsigned __int128 bytes) {
    const unsigned __int128 b = reinterpret_cast<uintptr_t>(base);
    return base != nullptr && begin < b + bytes && b < end;
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
    if (element_size == 4 && (Misaligned(input) || Misaligned(output))) {
      return Bit(twopass_status_invalid_parameter);
    }
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
                           TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD | TWOPASS_FLAG_MASKED_ROW_ZERO;
    uint32_t errors = 0;
    if (flags & ~known) errors |= Bit(twopass_status_unsupported_parameter);
    const uint32_t algorithms = flags & (known & ~TWOPASS_FLAG_MASKED_ROW_ZERO);
    if (algorithms & (algorithms - 1)) errors |= Bit(twopass_status_invalid_parameter);
    return errors;
  }

  // Log-softmax and logsumexp have only the two-pass algorithm; logsumexp takes no
  // TWOPASS_FLAG_MASKED_ROW_ZERO (a row of only -inf gives -inf): unsupported_parameter.
  static uint32_t FlagErrors(Kind kind, uint32_t flags) {
    uint32_t errors = FlagErrors(flags);
    const uint32_t three_pass = TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD |
                                TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE |
                                TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD;
    if ((IsLogSoftmax(kind) || IsLogSumExp(kind)) && (flags & three_pass) != 0) {
      errors |= Bit(twopass_status_unsupported_parameter);
    }
    if (IsLogSumExp(kind) && (flags & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0) {
      errors |= Bit(twopass_status_unsupported_parameter);
    }
    return errors;
  }

  // Statuses for an lse output of `batch` floats at `lse` next to tensors of the given
  // ranges (bytes): NULL (when `null_allowed` is false), a range that wraps the address
  // space or overlaps either tensor's whole range are invalid_parameter.
  static uint32_t LseErrors(const uint8_t* lse, size_t batch, bool null_allowed,
                            const uint8_t* input, unsigned __int128 input_bytes,
                            const uint8_t* output, unsigned __int128 output_bytes) {
    if (lse == nullptr) return null_allowed ? 0 : Bit(twopass_status_invalid_parameter);
    if (Misaligned(lse)) return Bit(twopass_status_invalid_parameter);
    if (batch == 0 && null_allowed) return 0;
    const unsigned __int128 begin = reinterpret_cast<uintptr_t>(lse);
    const unsigned __int128 end = begin + static_cast<unsigned __int128>(batch) * 4;
    if (end > UINTPTR_MAX) return Bit(twopass_status_invalid_parameter);
    if (Overlaps(begin, end, input, input_bytes) || Overlaps(begin, end, output, output_bytes)) {
      return Bit(twopass_status_invalid_parameter);
    }
    return 0;
  }

  // ---- Checks ----------------------------------------------------------------------

  // `errors`: the statuses the header documents for what is wrong with the call (any
  // of them may be returned); none: success, or out_of_memory when the call needs
  // more scratch than malloc gives (`out_of_memory`, then nothing else).
  void CheckStatus(const char* call, enum twopass_status status, uint32_t errors,
                   bool out_of_memory = false) {
    // TWOPASS_FUZZ_TRACE=1: every call with its status and the expected ones (to check
    // what a seed does).
    static const bool trace = getenv("TWOPASS_FUZZ_TRACE") != nullptr;
    if (trace) {
      fprintf(stderr, "fuzz trace: %s -> %d (expected %s%s)\n", call, status,
              StatusSet(errors).c_str(), out_of_memory ? ", out of memory" : "");
    }
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

  // After a successful run of this shape: only the output rows and the lse floats
  // changed, and they are the softmax, log-softmax and log-sum-exp of the input rows as
  // they were before the call.
  void CheckRun(const char* call, Kind kind, uint32_t flags, size_t channels, size_t input_stride,
                size_t output_stride, size_t batch, const uint8_t* input, const uint8_t* output,
                const uint8_t* lse, const Operator* op = nullptr) {
    const bool scaled = op != nullptr && op->scaled;
    const size_t es = ElementBytes(kind);
    const uint8_t* copy = memory_.copy.data();
    const size_t in_offset = static_cast<size_t>(input - memory_.arena);
    // The byte ranges the run may write, in order; everything else: unchanged.
    std::vector<std::pair<size_t, size_t>> written;
    const size_t out_offset = output != nullptr ? static_cast<size_t>(output - memory_.arena) : 0;
    for (size_t b = 0; output != nullptr && b < batch; b++) {
      written.emplace_back(out_offset + b * output_stride * es, channels * es);
    }
    const size_t lse_offset = lse != nullptr ? static_cast<size_t>(lse - memory_.arena) : 0;
    if (lse != nullptr) written.emplace_back(lse_offset, batch * 4);
    std::sort(written.begin(), written.end());
    size_t position = 0;
    for (size_t w = 0; w <= written.size(); w++) {
      const size_t end = w < written.size() ? written[w].first : kArenaBytes;
      if (end > position) {
        FUZZ_CHECK(memcmp(copy + position, memory_.arena + position, end - position) == 0,
                   "%s wrote outside the output rows and lse, between byte %zu and %zu of the "
                   "arena (%s, %zu x %zu)",
                   call, position, end, KindName(kind), batch, channels);
      }
      if (w < written.size()) position = std::max(position, end + written[w].second);
    }
    // The rows: the contract's values.
    const bool masked = (flags & TWOPASS_FLAG_MASKED_ROW_ZERO) != 0;
    std::vector<double> r;
    for (size_t b = 0; b < batch; b++) {
      const uint8_t* x = copy + in_offset + b * input_stride * es;
      std::vector<float> xf(channels);
      if (IsF16(kind)) {
        std::vector<uint16_t> xs(channels);
        memcpy(xs.data(), x, channels * es);
        xf = testing::HalvesToFloats(xs.data(), channels);
      } else {
        memcpy(xf.data(), x, channels * es);
      }
      if (scaled) ScaledRow(*op, b, &xf);
      std::string error;
      if (output != nullptr) {
        const uint8_t* y = memory_.arena + out_offset + b * output_stride * es;
        if (IsLogSoftmax(kind)) {
          std::vector<double> yd(channels);
          for (size_t i = 0; i < channels; i++) {
            if (IsF16(kind)) {
              uint16_t h;
              memcpy(&h, y + i * 2, 2);
              yd[i] = testing::HalfToFloat(h);
            } else {
              float f;
              memcpy(&f, y + i * 4, 4);
              yd[i] = f;
            }
          }
          ReferenceLogSoftmax(xf.data(), channels, masked, &r);
          error = CheckLogSoftmaxRow(xf.data(), yd.data(), channels, IsF16(kind), r);
        } else if (IsF16(kind)) {
          // xf: the widened row, or t; the halves' tolerance either way.
          std::vector<uint16_t> ys(channels);
          memcpy(ys.data(), y, channels * es);
          double max_error = 0.0;
          testing::ReferenceSoftmax(xf.data(), channels, masked, &r);
          error =
              testing::CheckSoftmaxRowF16(xf.data(), ys.data(), channels, masked, r, &max_error);
        } else {
          std::vector<float> ys(channels);
          memcpy(ys.data(), y, channels * es);
          error = testing::CheckSoftmaxRowF32(xf.data(), ys.data(), channels, masked, &r);
        }
      }
      if (error.empty() && lse != nullptr) {
        float value;
        memcpy(&value, lse + b * 4, 4);
        error = CheckLse(value, ReferenceLogSumExp(xf.data(), channels));
      }
      FUZZ_CHECK(error.empty(),
                 "%s: %s row %zu of %zu x %zu (strides %zu, %zu, flags 0x%x, lse %s): %s", call,
                 KindName(kind), b, batch, channels, input_stride, output_stride, flags,
                 lse != nullptr ? "bound" : "unbound", error.c_str());
    }
  }

  // Row b of t = x * scale + mask as the library forms it: the product rounded to float,
  // then the sum (f16 masks widened exactly); xf holds x and receives t.
  void ScaledRow(const Operator& op, size_t b, std::vector<float>* xf) const {
    const size_t es = ElementBytes(op.kind);
    const uint8_t* m = nullptr;
    if (op.mask != nullptr) {
      const size_t row = op.mask_stride == TWOPASS_MASK_STRIDE_BROADCAST ? 0 : b * op.mask_stride;
      m = memory_.copy.data() + (op.mask - memory_.arena) + row * es;
    }
    for (size_t i = 0; i < xf->size(); i++) {
      volatile float product = (*xf)[i] * op.scale;  // never fused with the sum
      float addend = 0.0f;
      if (m != nullptr) {
        if (es == 2) {
          uint16_t h;
          memcpy(&h, m + i * 2, 2);
          addend = testing::HalfToFloat(h);
        } else {
          memcpy(&addend, m + i * 4, 4);
        }
      }
      (*xf)[i] = m != nullptr ? product + addend : product;
    }
  }

  // ---- Calls -----------------------------------------------------------------------

  // The call bytes 0-11 are those of the softmax-only fuzzer (the seeds keep their
  // meaning); 12-15 are the same calls for another kind, 16-17 the lse output, 18 scale
  // and mask.
  void Call(uint8_t which) {
    switch (which) {
      case 0:
      case 1:
        return Create(which == 1 ? Kind::kSoftmaxF16 : Kind::kSoftmaxF32);
      case 2:
      case 3:
        return Reshape(which == 3 ? Kind::kSoftmaxF16 : Kind::kSoftmaxF32);
      case 4:
      case 5:
        return Setup(which == 5 ? Kind::kSoftmaxF16 : Kind::kSoftmaxF32);
      case 6:
        return RunOperator();
      case 7:
        return Delete();
      case 8:
      case 9:
        return OneShot(which == 9 ? Kind::kSoftmaxF16 : Kind::kSoftmaxF32);
      case 10:
        return SetIsa();
      case 11:
        return SetLogLevel();
      case 12:
        return Create(OtherKind());
      case 13:
        return Reshape(OtherKind());
      case 14:
        return Setup(OtherKind());
      case 15:
        return OneShot(OtherKind());
      case 16:
      case 17:
        return SetupLogSumExpOutput();
      default:
        return SetupScaleMask();
    }
  }

  Kind OtherKind() {
    static const Kind kOther[3] = {Kind::kLogSoftmaxF32, Kind::kLogSoftmaxF16,
                                   Kind::kLogSumExpF32};
    return kOther[in_.U8() % 3];
  }

  void Create(Kind kind) {
    Operator& slot = slots_[in_.U8() % kSlots];
    if (slot.handle != nullptr) {
      FUZZ_CHECK(twopass_delete_operator(slot.handle) == twopass_status_success, "delete");
      Forget(&slot);
    }
    const uint32_t flags = Flags();
    const bool null_out = in_.U8() == 0xFF;
    twopass_operator_t const kUntouched = static_cast<twopass_operator_t>(memory_.foreign);
    twopass_operator_t op = kUntouched;
    twopass_operator_t* out = null_out ? nullptr : &op;
    enum twopass_status status;
    switch (kind) {
      case Kind::kSoftmaxF32:
        status = twopass_create_softmax_nc_f32(flags, out);
        break;
      case Kind::kSoftmaxF16:
        status = twopass_create_softmax_nc_f16(flags, out);
        break;
      case Kind::kLogSoftmaxF32:
        status = twopass_create_log_softmax_nc_f32(flags, out);
        break;
      case Kind::kLogSoftmaxF16:
        status = twopass_create_log_softmax_nc_f16(flags, out);
        break;
      default:
        status = twopass_create_logsumexp_nc_f32(flags, out);
        break;
    }
    const uint32_t errors =
        FlagErrors(kind, flags) | (null_out ? Bit(twopass_status_invalid_parameter) : 0);
    const std::string call = std::string("create_") + KindName(kind);
    CheckStatus(call.c_str(), status, errors);
    CheckArenaUntouched(call.c_str());
    if (status != twopass_status_success) {
      FUZZ_CHECK(op == kUntouched, "failed %s wrote its out pointer", call.c_str());
      return;
    }
    FUZZ_CHECK(op != nullptr && op != kUntouched, "%s returned success and no handle",
               call.c_str());
    // A new operator may reuse a deleted one's address: that handle is live again.
    stale_.erase(std::remove(stale_.begin(), stale_.end(), op), stale_.end());
    slot = Operator();
    slot.handle = op;
    slot.kind = kind;
    slot.flags = flags;
  }

  static void Unscale(Operator* op) {
    op->scaled = false;
    op->scale = 1.0f;
    op->mask = nullptr;
    op->mask_stride = 0;
  }

  // Bytes of the bound mask: one row when broadcast, else batch rows of mask_stride.
  static unsigned __int128 MaskBytes(const Operator& op) {
    const size_t es = ElementBytes(op.kind);
    if (op.mask_stride == TWOPASS_MASK_STRIDE_BROADCAST) {
      return static_cast<unsigned __int128>(op.channels) * es;
    }
    unsigned __int128 bytes;
    SpanBytes(op.channels, op.mask_stride, op.batch, es, &bytes);
    return bytes;
  }

  void Forget(Operator* slot) {
    stale_.push_back(slot->handle);
    if (stale_.size() > 8) stale_.erase(stale_.begin());
    *slot = Operator();
  }

  void Reshape(Kind kind) {
    const Handle h = PickHandle();
    const size_t channels = Size();
    const size_t input_stride = Stride(channels);
    // Logsumexp's reshape takes no output stride (it checks the input's twice).
    const size_t output_stride =
        IsLogSumExp(kind) ? input_stride : in_.Bool() ? input_stride : Stride(channels);
    const size_t batch = Size();
    const pthreadpool_t pool = in_.Bool() ? pool_ : nullptr;
    const size_t es = ElementBytes(kind);
    uint32_t errors = ShapeErrors(channels, input_stride, output_stride, batch, es);
    if (h.op == nullptr) {
      errors |= Bit(twopass_status_invalid_parameter);
    } else if (h.op->kind != kind) {
      errors |= Bit(twopass_status_invalid_state);
    }
    enum twopass_status status;
    switch (kind) {
      case Kind::kSoftmaxF32:
        status = twopass_reshape_softmax_nc_f32(h.handle, channels, input_stride, output_stride,
                                                batch, pool);
        break;
      case Kind::kSoftmaxF16:
        status = twopass_reshape_softmax_nc_f16(h.handle, channels, input_stride, output_stride,
                                                batch, pool);
        break;
      case Kind::kLogSoftmaxF32:
        status = twopass_reshape_log_softmax_nc_f32(h.handle, channels, input_stride,
                                                    output_stride, batch, pool);
        break;
      case Kind::kLogSoftmaxF16:
        status = twopass_reshape_log_softmax_nc_f16(h.handle, channels, input_stride,
                                                    output_stride, batch, pool);
        break;
      default:
        status = twopass_reshape_logsumexp_nc_f32(h.handle, channels, input_stride, batch, pool);
        break;
    }
    const bool may_oom = MayRunOutOfMemory(channels, batch);
    const std::string call = std::string("reshape_") + KindName(kind);
    CheckStatus(call.c_str(), status, errors, may_oom);
    CheckArenaUntouched(call.c_str());
    if (h.op == nullptr) return;
    if (status == twopass_status_success) {
      h.op->state = State::kReshaped;
      h.op->channels = channels;
      h.op->input_stride = input_stride;
      h.op->output_stride = output_stride;
      h.op->batch = batch;
      h.op->input = nullptr;
      h.op->output = nullptr;
      h.op->lse = nullptr;
      Unscale(h.op);
    } else if (status == twopass_status_out_of_memory) {
      // docs/api.md: the previous shape is kept, but the operator is no longer set up
      // (nor its lse bound).
      if (h.op->state == State::kReady) {
        h.op->state = State::kReshaped;
        h.op->lse = nullptr;
      }
    }
    // Any other failure leaves the operator as it was (shape, setup and lse).
  }

  void Setup(Kind kind) {
    const Handle h = PickHandle();
    const size_t es = ElementBytes(kind);
    uint8_t* input = Pointer(es, nullptr);
    // Logsumexp: the second pointer is lse (batch floats, never in place).
    uint8_t* output = Pointer(es, input);
    uint32_t errors = 0;
    if (h.op == nullptr) {
      errors |= Bit(twopass_status_invalid_parameter);
    } else if (h.op->kind != kind || h.op->state == State::kCreated) {
      errors |= Bit(twopass_status_invalid_state);
      if (input == nullptr || output == nullptr) errors |= Bit(twopass_status_invalid_parameter);
    } else if (IsLogSumExp(kind)) {
      if (input == nullptr) {
        errors |= Bit(twopass_status_invalid_parameter);
      } else {
        unsigned __int128 in_bytes;
        SpanBytes(h.op->channels, h.op->input_stride, h.op->batch, es, &in_bytes);
        if (static_cast<unsigned __int128>(reinterpret_cast<uintptr_t>(input)) + in_bytes >
                UINTPTR_MAX ||
            (es == 4 && Misaligned(input))) {
          errors |= Bit(twopass_status_invalid_parameter);
        }
        errors |= LseErrors(output, h.op->batch, false, input, in_bytes, nullptr, 0);
      }
    } else {
      errors |= PointerErrors(input, output, h.op->channels, h.op->input_stride,
                              h.op->output_stride, h.op->batch, es);
    }
    if (h.op == nullptr && (input == nullptr || output == nullptr)) {
      errors |= Bit(twopass_status_invalid_parameter);
    }
    const float* input_f32 = reinterpret_cast<const float*>(input);
    float* output_f32 = reinterpret_cast<float*>(output);
    enum twopass_status status;
    switch (kind) {
      case Kind::kSoftmaxF32:
        status = twopass_setup_softmax_nc_f32(h.handle, input_f32, output_f32);
        break;
      case Kind::kSoftmaxF16:
        status = twopass_setup_softmax_nc_f16(h.handle, input, output);
        break;
      case Kind::kLogSoftmaxF32:
        status = twopass_setup_log_softmax_nc_f32(h.handle, input_f32, output_f32);
        break;
      case Kind::kLogSoftmaxF16:
        status = twopass_setup_log_softmax_nc_f16(h.handle, input, output);
        break;
      default:
        status = twopass_setup_logsumexp_nc_f32(h.handle, input_f32, output_f32);
        break;
    }
    const std::string call = std::string("setup_") + KindName(kind);
    CheckStatus(call.c_str(), status, errors);
    CheckArenaUntouched(call.c_str());
    if (h.op != nullptr && status == twopass_status_success) {
      h.op->state = State::kReady;
      Unscale(h.op);  // setup unbinds scale and mask
      h.op->input = input;
      if (IsLogSumExp(kind)) {
        h.op->output = nullptr;
        h.op->lse = output;
      } else {
        h.op->output = output;
        h.op->lse = nullptr;  // setup unbinds the lse output
      }
    }
  }

  // twopass_setup_logsumexp_output on any handle: refused (invalid_state) for logsumexp
  // operators and operators not set up; lse NULL (unbinds), next to or overlapping the
  // tensors, wrapping, or anywhere in the arena.
  void SetupLogSumExpOutput() {
    const Handle h = PickHandle();
    uint8_t* near = nullptr;
    if (h.op != nullptr) near = in_.Bool() ? const_cast<uint8_t*>(h.op->input) : h.op->output;
    uint8_t* lse = Pointer(4, near);
    uint32_t errors = 0;
    if (h.op == nullptr) {
      errors = Bit(twopass_status_invalid_parameter);
    } else if (IsLogSumExp(h.op->kind) || h.op->state != State::kReady) {
      errors = Bit(twopass_status_invalid_state);
    } else {
      const size_t es = ElementBytes(h.op->kind);
      unsigned __int128 in_bytes, out_bytes;
      SpanBytes(h.op->channels, h.op->input_stride, h.op->batch, es, &in_bytes);
      SpanBytes(h.op->channels, h.op->output_stride, h.op->batch, es, &out_bytes);
      errors = LseErrors(lse, h.op->batch, true, h.op->input, in_bytes, h.op->output, out_bytes);
      if (errors == 0 && lse != nullptr && h.op->mask != nullptr && h.op->batch != 0) {
        const unsigned __int128 begin = reinterpret_cast<uintptr_t>(lse);
        const unsigned __int128 mask = reinterpret_cast<uintptr_t>(h.op->mask);
        if (begin < mask + MaskBytes(*h.op) && mask < begin + h.op->batch * 4) {
          errors = Bit(twopass_status_invalid_parameter);
        }
      }
    }
    const enum twopass_status status =
        twopass_setup_logsumexp_output(h.handle, reinterpret_cast<float*>(lse));
    CheckStatus("setup_logsumexp_output", status, errors);
    CheckArenaUntouched("setup_logsumexp_output");
    // On failure the binding is unchanged.
    if (h.op != nullptr && status == twopass_status_success) h.op->lse = lse;
  }

  // twopass_setup_scale_mask on any handle: refused (invalid_state) before setup; scale
  // not finite, a mask without its stride or a stride without a mask, a stride below
  // channels, a misaligned f32 mask, a mask range that overflows, wraps or overlaps the
  // output or the lse output: invalid_parameter; anything else binds (any address).
  void SetupScaleMask() {
    static const float kScales[8] = {1.0f, 0.125f, -1.0f, 0.0f, 3.0f, 1e30f, NAN, INFINITY};
    const Handle h = PickHandle();
    const float scale = kScales[in_.U8() % 8];
    const size_t es = h.op != nullptr ? ElementBytes(h.op->kind) : 4;
    uint8_t* near = nullptr;
    if (h.op != nullptr) near = in_.Bool() ? const_cast<uint8_t*>(h.op->input) : h.op->output;
    const uint8_t* mask = in_.Bool() ? Pointer(es, near) : nullptr;
    const size_t channels = h.op != nullptr ? h.op->channels : 1;
    size_t mask_stride = 0;
    switch (in_.U8() % 4) {
      case 0:
        break;
      case 1:
        mask_stride = TWOPASS_MASK_STRIDE_BROADCAST;
        break;
      case 2:
        mask_stride = Stride(channels);
        break;
      default:
        mask_stride = Size();
        break;
    }
    uint32_t errors = 0;
    if (h.op == nullptr) {
      errors = Bit(twopass_status_invalid_parameter);
    } else if (h.op->state != State::kReady) {
      errors = Bit(twopass_status_invalid_state);
    } else {
      Operator bound = *h.op;
      bound.mask = mask;
      bound.mask_stride = mask_stride;
      const bool broadcast = mask_stride == TWOPASS_MASK_STRIDE_BROADCAST;
      unsigned __int128 mask_bytes = 0;
      bool overflow = false;
      if (mask != nullptr && !broadcast) {
        overflow = !SpanBytes(channels, mask_stride, h.op->batch, es, &mask_bytes);
      } else if (mask != nullptr) {
        mask_bytes = MaskBytes(bound);
      }
      const unsigned __int128 begin = reinterpret_cast<uintptr_t>(mask);
      const auto overlaps = [&](const uint8_t* base, unsigned __int128 bytes) {
        return h.op->batch != 0 && Overlaps(begin, begin + mask_bytes, base, bytes);
      };
      unsigned __int128 out_bytes = 0;
      SpanBytes(channels, h.op->output_stride, h.op->batch, es, &out_bytes);
      if (!(scale == scale && scale - scale == 0.0f) || (mask == nullptr && mask_stride != 0) ||
          (mask != nullptr &&
           (mask_stride == 0 || (es == 4 && Misaligned(mask)) ||
            (!broadcast && mask_stride < channels) || overflow ||
            begin + mask_bytes > UINTPTR_MAX || overlaps(h.op->output, out_bytes) ||
            overlaps(h.op->lse, h.op->batch * 4)))) {
        errors = Bit(twopass_status_invalid_parameter);
      }
    }
    const enum twopass_status status = twopass_setup_scale_mask(h.handle, scale, mask, mask_stride);
    CheckStatus("setup_scale_mask", status, errors);
    CheckArenaUntouched("setup_scale_mask");
    if (h.op != nullptr && status == twopass_status_success) {
      h.op->scaled = true;
      h.op->scale = scale;
      h.op->mask = mask;
      h.op->mask_stride = mask != nullptr ? mask_stride : 0;
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
      // Only runs whose tensors and lse lie in the arena (setup accepts any address).
      const size_t es = ElementBytes(h.op->kind);
      unsigned __int128 in_bytes, out_bytes;
      SpanBytes(h.op->channels, h.op->input_stride, h.op->batch, es, &in_bytes);
      SpanBytes(h.op->channels, h.op->output_stride, h.op->batch, es, &out_bytes);
      if (!InArena(h.op->input, in_bytes)) return;
      if (h.op->output != nullptr && !InArena(h.op->output, out_bytes)) return;
      if (h.op->lse != nullptr && !InArena(h.op->lse, h.op->batch * 4)) return;
      if (h.op->mask != nullptr && !InArena(h.op->mask, MaskBytes(*h.op))) return;
    }
    const enum twopass_status status = twopass_run_operator(h.handle, pool);
    CheckStatus("run_operator", status, errors);
    if (status == twopass_status_success && h.op->batch != 0) {
      CheckRun("run_operator", h.op->kind, h.op->flags, h.op->channels, h.op->input_stride,
               h.op->output_stride, h.op->batch, h.op->input, h.op->output, h.op->lse, h.op);
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

  void OneShot(Kind kind) {
    const size_t es = ElementBytes(kind);
    const bool lse_only = IsLogSumExp(kind);
    const size_t channels = Size();
    const size_t input_stride = Stride(channels);
    const size_t output_stride =
        lse_only ? input_stride : in_.Bool() ? input_stride : Stride(channels);
    const size_t batch = Size();
    uint8_t* input = Pointer(es, nullptr);
    uint8_t* output = Pointer(es, input);  // logsumexp: lse
    const uint32_t flags = Flags();
    const pthreadpool_t pool = in_.Bool() ? pool_ : nullptr;
    uint32_t errors = FlagErrors(kind, flags);
    const uint32_t shape_errors = ShapeErrors(channels, input_stride, output_stride, batch, es);
    errors |= shape_errors;
    unsigned __int128 in_bytes = 0, out_bytes = 0;
    if (shape_errors == 0) {
      SpanBytes(channels, input_stride, batch, es, &in_bytes);
      SpanBytes(channels, output_stride, batch, es, &out_bytes);
      if (!lse_only) {
        errors |= PointerErrors(input, output, channels, input_stride, output_stride, batch, es);
      } else if (input == nullptr) {
        errors |= Bit(twopass_status_invalid_parameter);
      } else {
        if (static_cast<unsigned __int128>(reinterpret_cast<uintptr_t>(input)) + in_bytes >
                UINTPTR_MAX ||
            (es == 4 && Misaligned(input))) {
          errors |= Bit(twopass_status_invalid_parameter);
        }
        errors |= LseErrors(output, batch, false, input, in_bytes, nullptr, 0);
      }
    } else if (input == nullptr || output == nullptr) {
      errors |= Bit(twopass_status_invalid_parameter);
    }
    // Flags and shape are checked first; then the scratch is allocated (which fails
    // for too much), then the pointers: with bad pointers, out_of_memory may come first.
    const bool out_of_memory = FlagErrors(kind, flags) == 0 && shape_errors == 0 &&
                               MayRunOutOfMemory(channels, batch);
    if (out_of_memory && errors != 0) errors |= Bit(twopass_status_out_of_memory);
    if (errors == 0 && batch != 0) {
      const bool in_arena = InArena(input, in_bytes) &&
                            InArena(output, lse_only ? static_cast<unsigned __int128>(batch) * 4 : out_bytes);
      // A call that would run on memory outside the arena is not made; one whose
      // scratch exceeds the allocation limit fails before it runs.
      if (!in_arena && !MayRunOutOfMemory(channels, batch)) return;
    }
    const float* input_f32 = reinterpret_cast<const float*>(input);
    float* output_f32 = reinterpret_cast<float*>(output);
    enum twopass_status status;
    switch (kind) {
      case Kind::kSoftmaxF32:
        status = twopass_run_softmax_nc_f32(channels, input_stride, output_stride, batch,
                                            input_f32, output_f32, flags, pool);
        break;
      case Kind::kSoftmaxF16:
        status = twopass_run_softmax_nc_f16(channels, input_stride, output_stride, batch, input,
                                            output, flags, pool);
        break;
      case Kind::kLogSoftmaxF32:
        status = twopass_run_log_softmax_nc_f32(channels, input_stride, output_stride, batch,
                                                input_f32, output_f32, flags, pool);
        break;
      case Kind::kLogSoftmaxF16:
        status = twopass_run_log_softmax_nc_f16(channels, input_stride, output_stride, batch,
                                                input, output, flags, pool);
        break;
      default:
        status = twopass_run_logsumexp_nc_f32(channels, input_stride, batch, input_f32,
                                              output_f32, flags, pool);
        break;
    }
    const std::string call = std::string("run_") + KindName(kind);
    CheckStatus(call.c_str(), status, errors, out_of_memory);
    if (status == twopass_status_success && batch != 0) {
      CheckRun(call.c_str(), kind, flags, channels, input_stride, output_stride, batch, input,
               lse_only ? nullptr : output, lse_only ? output : nullptr);
    } else {
      CheckArenaUntouched(call.c_str());
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
