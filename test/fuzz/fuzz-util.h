// Shared by the fuzzers: a reader that turns the fuzzer's bytes into values, a check
// that aborts with a message (libFuzzer then keeps the input as a crash file), and the
// process-wide setup (library initialized and silenced, one pool of 2 threads).
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include <pthreadpool.h>

#include "twopass.h"
#include "twopass/isa.h"

// A violation of the contract (or of the fuzzer's own model): print and abort, so that
// libFuzzer reports a crash and writes the input that caused it.
#define FUZZ_CHECK(condition, ...)                                              \
  do {                                                                          \
    if (!(condition)) {                                                         \
      fprintf(stderr, "FUZZ CHECK FAILED at %s:%d: %s\n  ", __FILE__, __LINE__, \
              #condition);                                                      \
      fprintf(stderr, __VA_ARGS__);                                             \
      fprintf(stderr, "\n");                                                    \
      fflush(stderr);                                                           \
      abort();                                                                  \
    }                                                                           \
  } while (0)

namespace twopass {
namespace fuzz {

// Reads little-endian values from the input; past its end every read returns 0, so
// that any prefix of an input is itself a valid input.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t U8() { return position_ < size_ ? data_[position_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() | (U8() << 8)); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) | (static_cast<uint32_t>(U16()) << 16); }
  uint64_t U64() { return static_cast<uint64_t>(U32()) | (static_cast<uint64_t>(U32()) << 32); }
  bool Bool() { return (U8() & 1) != 0; }
  bool empty() const { return position_ >= size_; }
  size_t remaining() const { return position_ < size_ ? size_ - position_ : 0; }
  const uint8_t* rest() const { return data_ + position_; }
  void Skip(size_t n) { position_ = n < remaining() ? position_ + n : size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

// xorshift64*: cheap deterministic filler for the parts of a row the input does not spell.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t Next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  // Uniform in [lo, hi].
  float Uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(Next() >> 40) * 0x1p-24f;
  }

 private:
  uint64_t state_;
};

// The ISAs this CPU runs, in increasing order.
inline std::vector<enum twopass_isa> SupportedIsas() {
  std::vector<enum twopass_isa> isas;
  for (int i = 0; i < TWOPASS_ISA_COUNT; i++) {
    if (twopass_isa_supported(static_cast<enum twopass_isa>(i))) {
      isas.push_back(static_cast<enum twopass_isa>(i));
    }
  }
  return isas;
}

// Once per process: library initialized (must succeed), log silenced (rejected
// arguments would print a line each), one pool of 2 threads shared by every input.
inline pthreadpool_t Setup() {
  static pthreadpool_t pool = [] {
    FUZZ_CHECK(twopass_set_log_level(twopass_log_level_none) == twopass_status_success, "log");
    const enum twopass_status status = twopass_initialize();
    FUZZ_CHECK(status == twopass_status_success, "twopass_initialize returned %d", status);
    pthreadpool_t p = pthreadpool_create(2);
    FUZZ_CHECK(p != nullptr, "pthreadpool_create(2) failed");
    return p;
  }();
  return pool;
}

inline uint32_t FloatBits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

inline float BitsToFloat(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

}  // namespace fuzz
}  // namespace twopass
