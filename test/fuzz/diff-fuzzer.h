// The differential fuzzers (f32-diff-fuzzer.cc, f16-diff-fuzzer.cc): one input spells
// a shape and the rows' values; softmax (every algorithm), log-softmax and, for f32, the
// logsumexp operator run them on every ISA this CPU has, with and without the pool; the
// operators (not the one-shot calls) of softmax and log-softmax also write the per-row
// log-sum-exp output (twopass_setup_logsumexp_output). Every output is checked against
// the double-precision reference of the contract (test/softmax-reference.h,
// log-reference.h), the runs of one operation against each other (bitwise for the pool,
// within the tolerance across ISAs and algorithms), the gaps and the input for writes,
// the buffers' ends (lse's too) against guard pages.
//
// Input layout (every read past the end gives 0, so any byte string is an input):
//   byte 0: bits 0-1 batch - 1 (1..4); 2 in place; 3 TWOPASS_FLAG_MASKED_ROW_ZERO;
//           4 one-shot call instead of create/reshape/setup/run; 5 non-temporal stores
//           for every output; 6 guard page before the buffers instead of after;
//           7 misaligned buffers (1-3 bytes for f16, 1-3 elements for f32; byte 5)
//   byte 1: row length class (bits 0-1: up to 16, 300, 5000 or 70000 elements)
//   bytes 2-4: row length within the class (24 bits, modulo)
//   byte 5: bits 0-2 input gap, bits 3-5 output gap (elements), bits 6-7 misalignment
//   byte 6: bits 0-2 fill mode, bits 3-5 value range (Traits::kRanges), bit 6 scale and
//           mask (twopass_setup_scale_mask), bit 7 one broadcast mask row instead of a
//           row per row
//   bytes 7-10: seed of the filler
//   bytes 11-12: first position of the explicit values (modulo the batch's elements)
//   byte 13: step between explicit values (1 + value)
//   rest: explicit values (Traits::kValueBytes each: float or half bit patterns),
//         written over the filled rows from that position on, in row-major order.
// The filler's seed also cuts the rows into 1-4 shards (bits 28-29 + 1, at most one per
// element; the cuts at random) for the sharded-row calls, run on every ISA for softmax and
// log-softmax: partial on each shard, merge, finish on each shard (not with scale and
// mask, which those calls do not take, nor on rows with a finite value beyond +-1e7, where
// their pairs' exponents round: unsupported, twopass.h); their results are checked as the
// operators'.
// With scale and mask, the filler's seed also picks the scale (kScales), the mask's gap
// and the mask's fill (MakeMask; f16 masks are halves, widened exactly); every check
// then runs on the float rows t = x * scale + mask (the product rounded, then the sum),
// and runs use the operator (never the one-shot calls).
#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <pthreadpool.h>

#include "fuzz-util.h"
#include "log-reference.h"
#include "test/guarded-buffer.h"
#include "test/softmax-reference.h"
#include "twopass.h"
#include "twopass/config.h"
#include "twopass/isa.h"

namespace twopass {
namespace fuzz {

// The operation: softmax, log-softmax (both also with the log-sum-exp output bound) or
// the logsumexp operator (f32 only).
enum class Kind { kSoftmax, kLogSoftmax, kLogSumExp };

inline const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kSoftmax:
      return "softmax";
    case Kind::kLogSoftmax:
      return "log-softmax";
    default:
      return "logsumexp";
  }
}

// One operator configuration to run.
struct RunKey {
  enum twopass_isa isa;
  uint32_t algorithm;  // 0 or one TWOPASS_FLAG_ALGORITHM_*
  Kind kind;
  bool sharded = false;  // partial / merge / finish over the shards
};

inline const char* AlgorithmName(uint32_t algorithm) {
  switch (algorithm) {
    case TWOPASS_FLAG_ALGORITHM_TWO_PASS:
      return "two-pass";
    case TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD:
      return "reload";
    case TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE:
      return "recompute";
    case TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD:
      return "sampled";
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
    scaled_ = (fill & 64) != 0;
    broadcast_ = (fill & 128) != 0;
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
    rows_.resize(input_.size());
    for (size_t i = 0; i < input_.size(); i++) rows_[i] = Traits::ToFloat(input_[i]);
    if (scaled_) MakeMask(seed);
    // Shards: cuts_ = 0 < c_1 < ... < channels_.
    const size_t shards = std::min<size_t>(1 + ((seed >> 28) & 3), channels_);
    Random cut_random(seed ^ 0xC2B2AE35u);
    cuts_.assign(1, 0);
    for (size_t s = 1; s < shards; s++) {
      const size_t lo = cuts_.back() + 1, hi = channels_ - (shards - s);  // leave one each
      cuts_.push_back(lo + cut_random.Next() % (hi - lo + 1));
    }
    cuts_.push_back(channels_);
    shardable_ = !scaled_;
    for (size_t b = 0; b < batch_; b++) {
      for (size_t i = 0; i < channels_; i++) {
        const float v = rows_[b * input_stride_ + i];
        shardable_ = shardable_ && !(std::isfinite(v) && fabsf(v) > 1e7f);
      }
    }
  }

  void Run(pthreadpool_t pool) {
    // The references of every row, once.
    references_.resize(batch_);
    log_references_.resize(batch_);
    lse_references_.resize(batch_);
    for (size_t b = 0; b < batch_; b++) {
      const float* x = &rows_[b * input_stride_];
      testing::ReferenceSoftmax(x, channels_, masked_, &references_[b]);
      ReferenceLogSoftmax(x, channels_, masked_, &log_references_[b]);
      lse_references_[b] = ReferenceLogSumExp(x, channels_);
    }
    const size_t previous_nt = twopass_internal_set_nt_threshold(nt_ ? 0 : SIZE_MAX);
    // Softmax with every algorithm, log-softmax (two-pass only: automatic and named),
    // logsumexp (f32) likewise; operators (not one-shot calls) also with their
    // log-sum-exp output bound.
    static const uint32_t kSoftmaxAlgorithms[] = {
        0u, TWOPASS_FLAG_ALGORITHM_TWO_PASS, TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD,
        TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE, TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD};
    static const uint32_t kTwoPass[] = {0u, TWOPASS_FLAG_ALGORITHM_TWO_PASS};
    // The first lse of all (any operation), against which every other is checked.
    std::vector<float> first_lse;
    RunKey first_lse_key{};
    for (Kind kind : {Kind::kSoftmax, Kind::kLogSoftmax, Kind::kLogSumExp}) {
      if (kind == Kind::kLogSumExp && !Traits::kHasLogSumExp) continue;
      Result first;
      RunKey first_key{};
      bool have_first = false;
      for (enum twopass_isa isa : SupportedIsas()) {
        FUZZ_CHECK(twopass_internal_set_isa(isa) == twopass_status_success, "set_isa %s",
                   twopass_isa_to_string(isa));
        const uint32_t* algorithms = kind == Kind::kSoftmax ? kSoftmaxAlgorithms : kTwoPass;
        const size_t count = kind == Kind::kSoftmax ? 5 : 2;
        for (size_t a = 0; a < count; a++) {
          const RunKey key{isa, algorithms[a], kind};
          const Result alone = RunOnce(key, nullptr);
          CheckOutput(key, alone);
          const Result pooled = RunOnce(key, pool);
          FUZZ_CHECK(SameBits(alone.y, pooled.y) && SameBits(alone.lse, pooled.lse),
                     "%s: results with a pool of 2 threads differ from those without one",
                     Describe(key).c_str());
          if (first_lse.empty()) {
            first_lse = alone.lse;
            first_lse_key = key;
          } else if (!alone.lse.empty()) {
            for (size_t b = 0; b < batch_; b++) {
              const std::string error = CrossLse(first_lse[b], alone.lse[b], lse_references_[b]);
              FUZZ_CHECK(error.empty(), "%s vs %s: row %zu: %s", Describe(first_lse_key).c_str(),
                         Describe(key).c_str(), b, error.c_str());
            }
          }
          if (!have_first) {
            first = alone;
            first_key = key;
            have_first = true;
          } else {
            CrossCheck(first_key, first, key, alone);
          }
        }
        if (kind != Kind::kLogSumExp && shardable_) {
          RunKey key{isa, 0u, kind};
          key.sharded = true;
          const Result alone = RunSharded(key, nullptr);
          CheckOutput(key, alone);
          const Result pooled = RunSharded(key, pool);
          FUZZ_CHECK(SameBits(alone.y, pooled.y),
                     "%s: results with a pool of 2 threads differ from those without one",
                     Describe(key).c_str());
          CrossCheck(first_key, first, key, alone);
        }
      }
    }
    twopass_internal_set_nt_threshold(previous_nt);
  }

 private:
  struct Result {
    std::vector<T> y;        // the output span (the input span when in place; none for
                             // logsumexp)
    std::vector<float> lse;  // batch_ values, or none (one-shot softmax / log-softmax)
  };

  size_t Span(size_t stride) const { return (batch_ - 1) * stride + channels_; }

  // The scale, the mask (a row per row, or one broadcast row, with a gap of 0-3 elements
  // after each row; halves for f16, each value rounded to half) and t, in rows_. Mask
  // fills: 0 zeros; 1 uniform in [-8, 8]; 2 causal (-inf after the first
  // b * channels / 4 + 1 elements of row b); 3 uniform with every 5th -inf and rarely
  // +inf or NaN.
  void MakeMask(uint32_t seed) {
    static const float kScales[8] = {0.125f, -1.5f, 0.0f, 1.0f, 1.0e30f, 0.0883883f, 3.0f,
                                     -0.01f};
    scale_ = kScales[(seed >> 24) & 7];
    mask_stride_ = channels_ + ((seed >> 8) & 3);
    const size_t rows = broadcast_ ? 1 : batch_;
    mask_.assign((rows - 1) * mask_stride_ + channels_, Traits::Untouched());
    Random random(seed ^ 0x5BD1E995u);
    const int mode = static_cast<int>((seed >> 16) & 3);
    for (size_t b = 0; b < rows; b++) {
      for (size_t i = 0; i < channels_; i++) {
        float m = 0.0f;
        if (mode == 1) m = random.Uniform(-8.0f, 8.0f);
        if (mode == 2) m = i < b * channels_ / 4 + 1 ? 0.0f : -INFINITY;
        if (mode == 3) {
          const uint64_t r = random.Next();
          m = r % 5 == 0 ? -INFINITY : random.Uniform(-8.0f, 8.0f);
          if ((r >> 8) % 4096 == 0) m = (r >> 20) % 2 == 0 ? INFINITY : NAN;
        }
        mask_[b * mask_stride_ + i] = Traits::FromFloat(m);
      }
    }
    for (size_t b = 0; b < batch_; b++) {
      const size_t mb = broadcast_ ? 0 : b;
      for (size_t i = 0; i < channels_; i++) {
        volatile float product = rows_[b * input_stride_ + i] * scale_;  // rounded: no fma
        rows_[b * input_stride_ + i] = product + Traits::ToFloat(mask_[mb * mask_stride_ + i]);
      }
    }
  }

  template <typename U>
  static bool SameBits(const std::vector<U>& a, const std::vector<U>& b) {
    return a.size() == b.size() &&
           (a.empty() || memcmp(a.data(), b.data(), a.size() * sizeof(U)) == 0);
  }

  std::string Describe(const RunKey& key) const {
    return testing::Format(
        "%s %s %s %s, %zu x %zu, strides %zu/%zu, flags%s%s%s%s, misalign %zu", Traits::kName,
        KindName(key.kind), twopass_isa_to_string(key.isa), AlgorithmName(key.algorithm),
        batch_, channels_, input_stride_, output_stride_,
        masked_ && key.kind != Kind::kLogSumExp ? " masked-row-zero" : "",
        in_place_ && key.kind != Kind::kLogSumExp ? " in-place" : "",
        one_shot_ && !scaled_ && !key.sharded ? " one-shot" : "", nt_ ? " nt" : "",
        misalign_) +
           (key.sharded ? testing::Format(", %zu shards", cuts_.size() - 1) : std::string()) +
           (scaled_ ? testing::Format(", scale %g, mask %s stride %zu", scale_,
                                      broadcast_ ? "broadcast" : "rows", mask_stride_)
                    : std::string());
  }

  // One run on fresh buffers.
  Result RunOnce(const RunKey& key, pthreadpool_t pool) {
    const bool lse_only = key.kind == Kind::kLogSumExp;
    const bool in_place = in_place_ && !lse_only;
    // Logsumexp takes no TWOPASS_FLAG_MASKED_ROW_ZERO (unsupported_parameter).
    const uint32_t flags =
        key.algorithm | (masked_ && !lse_only ? TWOPASS_FLAG_MASKED_ROW_ZERO : 0);
    const size_t in_span = Span(input_stride_);
    const size_t out_span = lse_only ? 0 : Span(output_stride_);
    Buffer input(in_span, sizeof(T), misalign_, guard_);
    Buffer output_memory(in_place ? 0 : out_span, sizeof(T), misalign_, guard_);
    const bool one_shot = one_shot_ && !scaled_;  // scale and mask: operators only
    const bool bind_lse = lse_only || !one_shot;
    Buffer mask(mask_.size(), sizeof(T), misalign_, guard_);
    if (!mask_.empty()) memcpy(mask.data(), mask_.data(), mask_.size() * sizeof(T));
    Buffer lse(bind_lse ? batch_ : 0, sizeof(float), 0, guard_);
    memcpy(input.data(), input_.data(), in_span * sizeof(T));
    uint8_t* output = in_place ? input.data() : output_memory.data();
    if (!in_place && out_span != 0) {
      const std::vector<T> untouched(out_span, Traits::Untouched());
      memcpy(output, untouched.data(), out_span * sizeof(T));
    }
    float* lse_data = reinterpret_cast<float*>(lse.data());
    for (size_t b = 0; bind_lse && b < batch_; b++) {
      const uint32_t bits = 0x7FA5A5A5u;  // a NaN no arithmetic produces
      memcpy(&lse_data[b], &bits, sizeof(bits));
    }
    enum twopass_status status;
    if (one_shot) {
      status = lse_only
                   ? twopass_run_logsumexp_nc_f32(channels_, input_stride_, batch_,
                                                  reinterpret_cast<const float*>(input.data()),
                                                  lse_data, flags, pool)
                   : Traits::OneShot(key.kind, channels_, input_stride_, output_stride_, batch_,
                                     input.data(), output, flags, pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: one-shot returned %d",
                 Describe(key).c_str(), status);
    } else {
      twopass_operator_t op = nullptr;
      status = lse_only ? twopass_create_logsumexp_nc_f32(flags, &op)
                        : Traits::Create(key.kind, flags, &op);
      FUZZ_CHECK(status == twopass_status_success, "%s: create returned %d",
                 Describe(key).c_str(), status);
      status = lse_only ? twopass_reshape_logsumexp_nc_f32(op, channels_, input_stride_, batch_,
                                                           pool)
                        : Traits::Reshape(key.kind, op, channels_, input_stride_,
                                          output_stride_, batch_, pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: reshape returned %d",
                 Describe(key).c_str(), status);
      status = lse_only ? twopass_setup_logsumexp_nc_f32(
                              op, reinterpret_cast<const float*>(input.data()), lse_data)
                        : Traits::Setup(key.kind, op, input.data(), output);
      FUZZ_CHECK(status == twopass_status_success, "%s: setup returned %d",
                 Describe(key).c_str(), status);
      if (scaled_) {
        status = twopass_setup_scale_mask(
            op, scale_, mask.data(), broadcast_ ? TWOPASS_MASK_STRIDE_BROADCAST : mask_stride_);
        FUZZ_CHECK(status == twopass_status_success, "%s: setup_scale_mask returned %d",
                   Describe(key).c_str(), status);
      }
      if (!lse_only) {
        status = twopass_setup_logsumexp_output(op, lse_data);
        FUZZ_CHECK(status == twopass_status_success, "%s: setup_logsumexp_output returned %d",
                   Describe(key).c_str(), status);
      }
      status = twopass_run_operator(op, pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: run returned %d",
                 Describe(key).c_str(), status);
      FUZZ_CHECK(twopass_delete_operator(op) == twopass_status_success, "delete");
    }
    if (!in_place) {
      FUZZ_CHECK(memcmp(input.data(), input_.data(), in_span * sizeof(T)) == 0,
                 "%s: the input was written", Describe(key).c_str());
    }
    FUZZ_CHECK(mask_.empty() || memcmp(mask.data(), mask_.data(), mask_.size() * sizeof(T)) == 0,
               "%s: the mask was written", Describe(key).c_str());
    Result result;
    result.y.resize(out_span);
    if (out_span != 0) memcpy(result.y.data(), output, out_span * sizeof(T));
    if (bind_lse) result.lse.assign(lse_data, lse_data + batch_);
    return result;
  }

  // The sharded-row calls: partial on every shard, one merge, finish on every shard (the
  // output's shards written in turn; in place, every partial reads before any finish).
  Result RunSharded(const RunKey& key, pthreadpool_t pool) {
    const uint32_t flags = masked_ ? TWOPASS_FLAG_MASKED_ROW_ZERO : 0;
    const size_t in_span = Span(input_stride_);
    const size_t out_span = Span(output_stride_);
    Buffer input(in_span, sizeof(T), misalign_, guard_);
    Buffer output_memory(in_place_ ? 0 : out_span, sizeof(T), misalign_, guard_);
    memcpy(input.data(), input_.data(), in_span * sizeof(T));
    uint8_t* output = in_place_ ? input.data() : output_memory.data();
    if (!in_place_) {
      const std::vector<T> untouched(out_span, Traits::Untouched());
      memcpy(output, untouched.data(), out_span * sizeof(T));
    }
    const size_t shards = cuts_.size() - 1;
    std::vector<std::vector<twopass_softmax_partial>> pairs(
        shards, std::vector<twopass_softmax_partial>(batch_));
    std::vector<const twopass_softmax_partial*> pointers(shards);
    for (size_t s = 0; s < shards; s++) {
      const enum twopass_status status =
          Traits::Partial(cuts_[s + 1] - cuts_[s], input_stride_, batch_,
                          input.data() + cuts_[s] * sizeof(T), pairs[s].data(), pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: partial of shard %zu returned %d",
                 Describe(key).c_str(), s, status);
      pointers[s] = pairs[s].data();
    }
    std::vector<twopass_softmax_partial> merged(batch_);
    FUZZ_CHECK(twopass_merge_softmax_partials(shards, pointers.data(), batch_, merged.data()) ==
                   twopass_status_success,
               "%s: merge failed", Describe(key).c_str());
    for (size_t s = 0; s < shards; s++) {
      const enum twopass_status status = Traits::Finish(
          key.kind, cuts_[s + 1] - cuts_[s], input_stride_, output_stride_, batch_,
          input.data() + cuts_[s] * sizeof(T), merged.data(), output + cuts_[s] * sizeof(T), flags,
          pool);
      FUZZ_CHECK(status == twopass_status_success, "%s: finish of shard %zu returned %d",
                 Describe(key).c_str(), s, status);
    }
    if (!in_place_) {
      FUZZ_CHECK(memcmp(input.data(), input_.data(), in_span * sizeof(T)) == 0,
                 "%s: the input was written", Describe(key).c_str());
    }
    Result result;
    result.y.resize(out_span);
    memcpy(result.y.data(), output, out_span * sizeof(T));
    return result;
  }

  void CheckOutput(const RunKey& key, const Result& result) const {
    for (size_t b = 0; b < batch_; b++) {
      if (!result.lse.empty()) {
        const std::string error = CheckLse(result.lse[b], lse_references_[b]);
        FUZZ_CHECK(error.empty(), "%s: row %zu: %s", Describe(key).c_str(), b, error.c_str());
      }
      if (key.kind == Kind::kLogSumExp) continue;
      const float* x = &rows_[b * input_stride_];
      const T* y = &result.y[b * output_stride_];
      std::string error;
      if (key.kind == Kind::kSoftmax) {
        error = Traits::Check(x, y, channels_, masked_, references_[b]);
      } else {
        const std::vector<double> yd = Decoded(y);
        error = CheckLogSoftmaxRow(x, yd.data(), channels_, Traits::kF16, log_references_[b]);
      }
      FUZZ_CHECK(error.empty(), "%s: row %zu: %s", Describe(key).c_str(), b, error.c_str());
      if (b + 1 < batch_) {
        for (size_t i = channels_; i < output_stride_; i++) {
          FUZZ_CHECK(Traits::Same(y[i], Traits::Untouched()),
                     "%s: gap element %zu after row %zu was written", Describe(key).c_str(), i,
                     b);
        }
      }
    }
  }

  std::vector<double> Decoded(const T* y) const {
    std::vector<double> d(channels_);
    for (size_t i = 0; i < channels_; i++) d[i] = Traits::ToDouble(y[i]);
    return d;
  }

  // Two configurations' outputs (each already checked against the reference) agree
  // within the tolerance: the same NaNs, the same exact values, close elsewhere.
  void CrossCheck(const RunKey& key_a, const Result& a, const RunKey& key_b,
                  const Result& b) const {
    for (size_t row = 0; row < batch_; row++) {
      std::string error;
      if (!a.lse.empty() && !b.lse.empty()) {
        error = CrossLse(a.lse[row], b.lse[row], lse_references_[row]);
      }
      if (error.empty() && key_a.kind == Kind::kSoftmax) {
        error = Traits::Cross(&a.y[row * output_stride_], &b.y[row * output_stride_], channels_,
                              references_[row]);
      } else if (error.empty() && key_a.kind == Kind::kLogSoftmax) {
        const std::vector<double> ya = Decoded(&a.y[row * output_stride_]);
        const std::vector<double> yb = Decoded(&b.y[row * output_stride_]);
        error = CrossLogSoftmaxRow(ya.data(), yb.data(), channels_, Traits::kF16,
                                   log_references_[row]);
      }
      FUZZ_CHECK(error.empty(), "%s vs %s: row %zu: %s", Describe(key_a).c_str(),
                 Describe(key_b).c_str(), row, error.c_str());
    }
  }

  size_t batch_, channels_, input_stride_, output_stride_, misalign_;
  bool in_place_, masked_, one_shot_, nt_;
  bool scaled_ = false, broadcast_ = false;
  float scale_ = 1.0f;
  size_t mask_stride_ = 0;
  std::vector<T> mask_;       // with scale and mask: its rows (the gaps Untouched)
  std::vector<size_t> cuts_;  // shard boundaries in a row: 0, ..., channels_
  bool shardable_ = false;    // the sharded-row calls run (see the layout above)
  testing::Guard guard_;
  std::vector<T> input_;
  std::vector<float> rows_;  // what every check reads: input_ widened, or t (scale and mask)
  std::vector<std::vector<double>> references_;      // softmax
  std::vector<std::vector<double>> log_references_;  // log-softmax
  std::vector<double> lse_references_;
};

}  // namespace fuzz
}  // namespace twopass
