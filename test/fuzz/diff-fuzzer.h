// The differential fuzzers (f32-diff-fuzzer.cc, f16-diff-fuzzer.cc): one input spells
// a shape and the rows' values; the operator runs them on every ISA this CPU has, with
// every algorithm, with and without the pool, and every output is checked against the
// double-precision reference of the contract (test/softmax-reference.h), the runs
// against each other (bitwise for the pool, within the tolerance across ISAs and
// algorithms), the gaps and the input for writes, the buffers' ends against guard pages.
//
// Input layout (every read past the end gives 0, so any byte string is an input):
//   byte 0: bits 0-1 batch - 1 (1..4); 2 in place; 3 TWOPASS_FLAG_MASKED_ROW_ZERO;
//           4 one-shot call instead of create/reshape/setup/run; 5 non-temporal stores
//           for every output; 6 guard page before the buffers instead of after;
//           7 misaligned buffers (1-3 bytes for f16, 1-3 elements for f32; byte 5)
//   byte 1: row length class (bits 0-1: up to 16, 300, 5000 or 70000 elements)
//   bytes 2-4: row length within the class (24 bits, modulo)
//   byte 5: bits 0-2 input gap, bits 3-5 output gap (elements), bits 6-7 misalignment
//   byte 6: bits 0-2 fill mode, bits 3-5 value range (Traits::kRanges)
//   bytes 7-10: seed of the filler
//   bytes 11-12: first position of the explicit values (modulo the batch's elements)
//   byte 13: step between explicit values (1 + value)
//   rest: explicit values (Traits::kValueBytes each: float or half bit patterns),
//         written over the filled rows from that position on, in row-major order.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include <pthreadpool.h>

#include "fuzz-util.h"
#include "test/guarded-buffer.h"
#include "test/softmax-reference.h"
#include "twopass.h"
#include "twopass/config.h"
#include "twopass/isa.h"

namespace twopass {
namespace fuzz {

// One operator configuration to run.
struct RunKey {
  enum twopass_isa isa;
  uint32_t algorithm;  // 0 or one TWOPASS_FLAG_ALGORITHM_*
};

inline const char* AlgorithmName(uint32_t algorithm) {
  switch (algorithm) {
    case TWOPASS_FLAG_ALGORITHM_TWO_PASS:
      return "two-pass";
    case TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD:
      return "reload";
    case TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE:
      return "recompute";
    default:
      return "auto";
  }
}

// A buffer of `count` elements of `element_size` bytes at a byte offset `misalign`
// from the element alignment the guard page gives, against a guard page on one side.
class Buffer {
 public:
  Buffer(size_t count, size_t element_size, size_t misalign, testing::Guard guard)
      : bytes_(count * element_size),
        memory_(bytes_ + misalign, guard),
        data_(memory_.data() + misalign) {}
  uint8_t* data() { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  size_t bytes_;
  testing::GuardedBuffer<uint8_t> memory_;
  uint8_t* data_;
};

template <typename Traits>
class DiffFuzzer {
 public:
  using T = typename Traits::Element;

  explicit DiffFuzzer(Reader* in) {
    const uint8_t mode = in->U8();
    batch_ = 1 + (mode & 3);
    in_place_ = (mode & 4) != 0;
    masked_ = (mode & 8) != 0;
    one_shot_ = (mode & 16) != 0;
    nt_ = (mode & 32) != 0;
    guard_ = (mode & 64) != 0 ? testing::Guard::kBefore : testing::Guard::kAfter;
    const bool misaligned = (mode & 128) != 0;
    static const size_t kLengthClasses[4] = {16, 300, 5000, 70000};
    const size_t length_class = kLengthClasses[in->U8() & 3];
    const uint32_t length = in->U16() | (static_cast<uint32_t>(in->U8()) << 16);
    channels_ = 1 + length % length_class;
    const uint8_t gaps = in->U8();
    input_stride_ = channels_ + (gaps & 7);
    output_stride_ = in_place_ ? input_stride_ : channels_ + ((gaps >> 3) & 7);
    // Bytes off the guard page's alignment, in units of Traits::kMisalignUnit.
    misalign_ = misaligned ? (1 + (gaps >> 6) % 3) * Traits::kMisalignUnit : 0;
    const uint8_t fill = in->U8();
    const uint32_t seed = in->U32();
    const size_t position = in->U16();
    const size_t step = 1 + in->U8();

    // Rows: the pattern everywhere (gaps included), then the filler, then the explicit
    // values.
    input_.assign(Span(input_stride_), Traits::Untouched());
    Random random(seed);
    for (size_t b = 0; b < batch_; b++) {
      Traits::Fill(fill & 7, (fill >> 3) & 7, &random, &input_[b * input_stride_], channels_,
                   in->rest(), in->remaining() / Traits::kValueBytes);
    }
    const size_t total = batch_ * channels_;
    for (size_t k = position % total; in->remaining() >= Traits::kValueBytes; k += step) {
      const T value = Traits::Decode(in->rest());
      in->Skip(Traits::kValueBytes);
      const size_t element = k % total;
      input_[(element / channels_) * input_stride_ + element % channels_] = value;
    }
  }

  void Run(pthreadpool_t pool) {
    const bool masked = masked_;
    // The reference of every row, once.
    references_.resize(batch_);
    for (size_t b = 0; b < batch_; b++) {
      Traits::Reference(&input_[b * input_stride_], channels_, masked, &references_[b]);
    }
    const size_t previous_nt = twopass_internal_set_nt_threshold(nt_ ? 0 : SIZE_MAX);
    std::vector<T> first;
    RunKey first_key{};
    for (enum twopass_isa isa : SupportedIsas()) {
      FUZZ_CHECK(twopass_internal_set_isa(isa) == twopass_status_success, "set_isa %s",
                 twopass_isa_to_string(isa));
      for (uint32_t algorithm : {0u, TWOPASS_FLAG_ALGORITHM_TWO_PASS,
                                 TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
                                 TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE}) {
        const RunKey key{isa, algorithm};
        const std::vector<T> alone = RunOnce(key, nullptr);
        CheckOutput(key, alone);
        const std::vector<T> pooled = RunOnce(key, pool);
        FUZZ_CHECK(memcmp(alone.data(), pooled.data(), alone.size() * sizeof(T)) == 0,
                   "%s: results with a pool of 2 threads differ from those without one",
                   Describe(key).c_str());
        if (first.empty()) {
          first = alone;
          first_key = key;
        } else {
          CrossCheck(first_key, first, key, alone);
        }
      }
    }
    twopass_internal_set_nt_threshold(previous_nt);
  }

 private:
  size_t Span(size_t stride) const { return (batch_ - 1) * stride + channels_; }

  std::string Describe(const RunKey& key) const {
    return testing::Format("%s %s %s, %zu x %zu, strides %zu/%zu, flags%s%s%s%s, misalign %zu",
                  Traits::kName, twopass_isa_to_string(key.isa), AlgorithmName(key.algorithm),
                  batch_, channels_, input_stride_, output_stride_,
                  masked_ ? " masked-row-zero" : "", in_place_ ? " in-place" : "",
                  one_shot_ ? " one-shot" : "", nt_ ? " nt" : "", misalign_);
  }

  // One run on fresh buffers; returns the output span (the input span when in place).
  std::vector<T> RunOnce(const RunKey& key, pthreadpool_t pool) {
    const uint32_t flags = key.algorithm | (masked_ ? TWOPASS_FLAG_MASKED_ROW_ZERO : 0);
    const size_t in_span = Span(input_stride_), out_span = Span(output_stride_);
    Buffer input(in_span, sizeof(T), misalign_, guard_);
    Buffer output_memory(in_place_ ? 0 : out_span, sizeof(T), misalign_, guard_);
    memcpy(input.data(), input_.data(), in_span * sizeof(T));
    uint8_t* output = in_place_ ? input.data() : output_memory.data();
    if (!in_place_) {
      const std::vector<T> untouched(out_span, Traits::Untouched());
      memcpy(output, untouched.data(), out_span * sizeof(T));
    }
    if (one_shot_) {
      const enum twopass_status status =
          Traits::OneShot(channels_, input_stride_, output_stride_, batch_, input.data(),
                          output, flags, pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: one-shot returned %d",
                 Describe(key).c_str(), status);
    } else {
      twopass_operator_t op = nullptr;
      enum twopass_status status = Traits::Create(flags, &op);
      FUZZ_CHECK(status == twopass_status_success, "%s: create returned %d",
                 Describe(key).c_str(), status);
      status = Traits::Reshape(op, channels_, input_stride_, output_stride_, batch_, pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: reshape returned %d",
                 Describe(key).c_str(), status);
      status = Traits::Setup(op, input.data(), output);
      FUZZ_CHECK(status == twopass_status_success, "%s: setup returned %d",
                 Describe(key).c_str(), status);
      status = twopass_run_operator(op, pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: run returned %d",
                 Describe(key).c_str(), status);
      FUZZ_CHECK(twopass_delete_operator(op) == twopass_status_success, "delete");
    }
    if (!in_place_) {
      FUZZ_CHECK(memcmp(input.data(), input_.data(), in_span * sizeof(T)) == 0,
                 "%s: the input was written", Describe(key).c_str());
    }
    std::vector<T> result(out_span);
    memcpy(result.data(), output, out_span * sizeof(T));
    return result;
  }

  void CheckOutput(const RunKey& key, const std::vector<T>& y) const {
    for (size_t b = 0; b < batch_; b++) {
      const std::string error = Traits::Check(&input_[b * input_stride_],
                                              &y[b * output_stride_], channels_, masked_,
                                              references_[b]);
      FUZZ_CHECK(error.empty(), "%s: row %zu: %s", Describe(key).c_str(), b, error.c_str());
      if (b + 1 < batch_) {
        for (size_t i = channels_; i < output_stride_; i++) {
          FUZZ_CHECK(Traits::Same(y[b * output_stride_ + i], Traits::Untouched()),
                     "%s: gap element %zu after row %zu was written", Describe(key).c_str(), i,
                     b);
        }
      }
    }
  }

  // Two configurations' outputs (each already checked against the reference) agree
  // within the tolerance: the same NaNs, the same exact values, close elsewhere.
  void CrossCheck(const RunKey& key_a, const std::vector<T>& a, const RunKey& key_b,
                  const std::vector<T>& b) const {
    for (size_t row = 0; row < batch_; row++) {
      const std::string error =
          Traits::Cross(&a[row * output_stride_], &b[row * output_stride_], channels_,
                        references_[row]);
      FUZZ_CHECK(error.empty(), "%s vs %s: row %zu: %s", Describe(key_a).c_str(),
                 Describe(key_b).c_str(), row, error.c_str());
    }
  }

  size_t batch_, channels_, input_stride_, output_stride_, misalign_;
  bool in_place_, masked_, one_shot_, nt_;
  testing::Guard guard_;
  std::vector<T> input_;
  std::vector<std::vector<double>> references_;
};

}  // namespace fuzz
}  // namespace twopass
