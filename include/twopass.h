/*
 * TwoPass: softmax for CPUs, built on the Two-Pass softmax algorithm
 * (M. Dukhan and A. Ablavatski, arXiv 2001.04438).
 *
 * One public C header. Everything here is C-compatible; the library itself is C++.
 *
 * Usage in short:
 *
 *   twopass_initialize();                                  // once, any thread
 *   twopass_operator_t op = NULL;
 *   twopass_create_softmax_nc_f32(0, &op);
 *   twopass_reshape_softmax_nc_f32(op, channels, channels, channels, batch, pool);
 *   twopass_setup_softmax_nc_f32(op, input, output);
 *   twopass_run_operator(op, pool);                        // as often as needed
 *   twopass_delete_operator(op);
 *
 * or the one-shot twopass_run_softmax_nc_f32(...). Every function returns a status
 * and never aborts; a failure writes nothing to the output and logs one line to stderr
 * (see "Logging").
 *
 * ## What is computed
 * Softmax along the last axis of a row-major [batch_size x channels] tensor:
 *   output[b * output_stride + i] = exp(x_i) / sum_j exp(x_j),
 *   x_j = input[b * input_stride + j], 0 <= i, j < channels.
 * Strides are in elements (not bytes). The elements between `channels` and the stride
 * (the gaps) are neither read nor written.
 *
 * ## Accuracy and special values (every ISA, every algorithm)
 * Let r be the double-precision softmax of the row.
 * - Finite inputs of any magnitude: outputs are finite and in [0, 1];
 *   max_i |y_i - r_i| <= 1e-6 * max_i r_i, and |sum_i y_i - 1| <= 1e-6 for rows of up to
 *   2^28 elements (partial sums of bounded chunks are merged in double precision).
 * - Element-wise, where r_i >= 1e-30 and all inputs of the row lie in [-1e4, 1e4]:
 *   |y_i - r_i| <= 1e-6 * r_i with every algorithm. The three-pass algorithms take exp
 *   of the exact difference x_i - max (the rounding error of the float difference is
 *   recovered and folded into the reduced argument), so they meet the same bound.
 * - Rows of huge magnitude (largest element beyond about +-1e4, e.g. [1e6, 1e6 + 1])
 *   are still right: such rows are detected after the first pass and recomputed with
 *   the three-pass method, where x - max is small and exact.
 * - A NaN anywhere in a row: every output of that row is NaN.
 * - -inf inputs give exactly 0. A row of only -inf gives NaN everywhere by default, or
 *   zeros everywhere with TWOPASS_FLAG_MASKED_ROW_ZERO (fully masked attention rows).
 * - +inf inputs (and no NaN): the limit of softmax: each of the k +inf entries gets 1/k,
 *   every other entry 0.
 * - Denormal inputs behave as the tiny numbers they are (exp(denormal) = 1 to float
 *   precision); no flush-to-zero mode is needed or set.
 *
 * ## Threading
 * - `threadpool` is a pthreadpool (pthreadpool.h); NULL runs on the calling thread.
 *   With a pool, rows are spread over its threads; when there are fewer rows than
 *   threads, long rows are split into chunks that are processed in parallel.
 * - Chunk boundaries depend only on `channels`, never on the thread count: outputs are
 *   bitwise identical for any pool (or none) and from run to run, on one ISA.
 * - twopass_initialize() may be called from any thread, any number of times.
 * - Separate operators may be used concurrently from different threads. One operator
 *   must not be used by two threads at once (its functions are not reentrant on the
 *   same operator). Calls that share one pthreadpool are serialized by the pool.
 *
 * ## Aliasing and memory
 * - In-place operation is supported: input == output with input_stride ==
 *   output_stride. Any other overlap between the input and output address ranges is
 *   rejected by setup (the check is on whole ranges, not on individual elements).
 * - No alignment requirement on input or output beyond the element type's own (a float*
 *   is 4-byte aligned, as C requires; f16 tensors, passed as void*, may start at any
 *   byte); nothing outside the rows' elements is ever read or written (no padding rule).
 *   Every call checks it: an f32 tensor or mask, an lse output or an array of partial
 *   pairs that is not 4-byte aligned is invalid_parameter (logged, nothing written).
 * - No memory is allocated and no kernel is chosen by run: reshape allocates the
 *   scratch space, create fixes the kernels.
 *
 * ## Kernel selection
 * twopass_initialize() picks, once per process, the best kernels the CPU supports
 * (detected with cpuinfo). The environment variable TWOPASS_MAX_ISA=scalar|sse2|avx2|
 * avx512f caps that choice; an unknown name or an ISA the CPU lacks is an error (logged,
 * and returned by every call of twopass_initialize), never a silent fallback.
 *
 * ## Logging
 * Diagnostics go to stderr as lines prefixed "twopass: ", and only there. The level
 * comes from the environment variable TWOPASS_LOG_LEVEL=none|error|warning|info|debug
 * (read once; default: warning, i.e. errors and warnings only), or from
 * twopass_set_log_level(), which overrides the variable. Every rejected argument
 * is logged at error level with the function and the offending value, e.g.
 *   twopass: reshape_softmax_nc_f32: input_stride (3) < channels (5)
 * The chosen ISA and kernels are logged at info level by twopass_initialize().
 */
#ifndef TWOPASS_H_
#define TWOPASS_H_

#include <stddef.h>
#include <stdint.h>

#include <pthreadpool.h>

/* Marks the functions the shared library exports. The library is compiled with hidden
   visibility (and linked with a version script), so nothing else, in particular no
   internal kernel, is visible to programs that link it. */
#if defined(__GNUC__) || defined(__clang__)
#define TWOPASS_API __attribute__((visibility("default")))
#else
#define TWOPASS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Semantic version of this header and library. */
#define TWOPASS_VERSION_MAJOR 0
#define TWOPASS_VERSION_MINOR 1
#define TWOPASS_VERSION_PATCH 0

/* Result of every TwoPass function. */
enum twopass_status {
  /* The call did what it says. */
  twopass_status_success = 0,
  /* twopass_initialize() has not (successfully) run yet. */
  twopass_status_uninitialized = 1,
  /* An argument is wrong: NULL pointer, zero or too large size, stride < channels,
     overlapping buffers, conflicting flags, a handle that is not a live operator... */
  twopass_status_invalid_parameter = 2,
  /* The operator is not in a state that allows this call (setup before reshape, run
     before setup, an operator of another type). */
  twopass_status_invalid_state = 3,
  /* The argument is well-formed but not supported by this version (unknown flag bits). */
  twopass_status_unsupported_parameter = 4,
  /* The CPU lacks what was asked for (TWOPASS_MAX_ISA naming an ISA it does not have). */
  twopass_status_unsupported_hardware = 5,
  /* Memory allocation failed. */
  twopass_status_out_of_memory = 6,
};

/* Flags of twopass_create_softmax_nc_f32 / twopass_run_softmax_nc_f32 (and their f16
   twins).
   At most one TWOPASS_FLAG_ALGORITHM_* flag may be given; none means the library
   chooses by measured speed from the shape, the ISA and the CPU's cache sizes only
   (src/cache-info.cc), never the thread count: two-pass for rows whose input and output
   exceed a multiple of the last-level cache (the L3 capped at 32 MiB, one core complex:
   1x on AVX512F, 2x on AVX2; out of cache it moves 12 bytes per element against 16-20),
   reload otherwise and always on SSE2 and scalar (compute-bound two-pass): on AVX512F its
   sampled-max form below for rows of 2048 floats and more, elsewhere three-pass-reload;
   f16: always two-pass.
   Every algorithm meets the contract above; they differ in speed only. */

/* Two passes over memory: sum of exp in an extended (mantissa, exponent) format, then
   exp recomputed and scaled. Reads the input twice, writes the output once. */
#define TWOPASS_FLAG_ALGORITHM_TWO_PASS 0x00000001u
/* Classic three passes: max; exp(x - max) stored and summed; output scaled in place. */
#define TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD 0x00000002u
/* Three passes without the intermediate store: max; sum of exp(x - max); exp(x - max)
   recomputed and scaled. */
#define TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE 0x00000004u
/* A row whose inputs are all -inf produces zeros instead of NaN. */
#define TWOPASS_FLAG_MASKED_ROW_ZERO 0x00000008u
/* Reload with the max pass replaced by the maximum of a sample (about 64 inputs of every
   4096; chunks under 1024 take their exact max): exp(x - ref) stored and summed with ref
   from that sample; output scaled in place. Reads the input once. Rows with an input more
   than ~43 above the sample's maximum are recomputed by three-pass-reload (same
   contract, about 1.7x the time of such a row). In place (output == input) it runs
   three-pass-reload: such a row is found only after its terms were stored over the input.
   AVX512F rows of up to 512 floats run three-pass-reload's one-kernel form (max in the
   kernel). f16 runs the recompute form, as the three-pass flags. */
#define TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD 0x00000010u

/* Opaque operator handle. */
typedef struct twopass_operator* twopass_operator_t;

/* Initializes the library: detects the CPU (cpuinfo), reads TWOPASS_MAX_ISA and
   TWOPASS_LOG_LEVEL, and selects the kernels. Idempotent and thread-safe: the work is
   done once; later calls return the first call's status.
   Returns success, unsupported_hardware (TWOPASS_MAX_ISA names an ISA this CPU lacks,
   or cpuinfo failed), or invalid_parameter (TWOPASS_MAX_ISA names no known ISA). */
TWOPASS_API enum twopass_status twopass_initialize(void);

/* TWOPASS_VERSION_MAJOR * 10000 + TWOPASS_VERSION_MINOR * 100 + TWOPASS_VERSION_PATCH
   of the library that is linked (may differ from the header's macros). */
TWOPASS_API uint32_t twopass_version(void);

/* The ISA whose kernels new operators use: "scalar", "sse2", "avx2" or "avx512f";
   "uninitialized" before a successful twopass_initialize(). Never NULL. */
TWOPASS_API const char* twopass_isa_name(void);

/* Levels of twopass_set_log_level, from silent to most verbose. Each level includes
   the ones before it. */
enum twopass_log_level {
  twopass_log_level_none = 0,
  twopass_log_level_error = 1,
  twopass_log_level_warning = 2,
  twopass_log_level_info = 3,
  twopass_log_level_debug = 4,
};

/* Sets the logging level of the process, overriding TWOPASS_LOG_LEVEL (see "Logging").
   Thread-safe; needs no twopass_initialize() (call it first to silence or see what
   initialization logs). Returns success or invalid_parameter (a value that is not a
   twopass_log_level; the level is then unchanged). */
TWOPASS_API enum twopass_status twopass_set_log_level(enum twopass_log_level level);

/* Creates a softmax operator for f32 data in NC layout.
   flags: zero or more TWOPASS_FLAG_* (at most one algorithm flag).
   softmax_op_out: receives the new operator; untouched on failure.
   Returns success, uninitialized, invalid_parameter (NULL softmax_op_out, two or more
   algorithm flags), unsupported_parameter (unknown flag bits) or out_of_memory.
   The kernels (ISA) are fixed here for the life of the operator. */
TWOPASS_API enum twopass_status twopass_create_softmax_nc_f32(uint32_t flags,
                                                              twopass_operator_t* softmax_op_out);

/* Sets the shape and prepares everything run needs (scratch space, algorithm).
   channels: elements per row, >= 1.
   input_stride, output_stride: elements between the starts of consecutive rows,
     >= channels.
   batch_size: number of rows; 0 is allowed (run then does nothing).
   threadpool: the pool that will be used by run, or NULL (used for planning only;
     results do not depend on it).
   The byte span of either tensor, ((batch_size - 1) * stride + channels) * 4, must be
   representable (<= PTRDIFF_MAX). Invalidates a previous setup: call setup again.
   Returns success, uninitialized, invalid_parameter (NULL or dead op, zero channels,
   stride < channels, byte-size overflow), invalid_state (op is not a softmax_nc_f32
   operator) or out_of_memory (the operator keeps its previous shape then, unset). */
TWOPASS_API enum twopass_status twopass_reshape_softmax_nc_f32(twopass_operator_t softmax_op,
                                                               size_t channels, size_t input_stride,
                                                               size_t output_stride, size_t batch_size,
                                                               pthreadpool_t threadpool);

/* Binds the input and output tensors (used by every following run).
   input, output: non-NULL, any float-aligned address. They must either be the same
   pointer with equal strides (in place) or address ranges that do not overlap.
   Returns success, uninitialized, invalid_parameter (NULL or dead op, NULL pointers,
   partial overlap, ranges wrapping the address space) or invalid_state (not reshaped,
   or not a softmax_nc_f32 operator). */
TWOPASS_API enum twopass_status twopass_setup_softmax_nc_f32(twopass_operator_t softmax_op,
                                                             const float* input, float* output);

/* Runs the operator on the bound tensors. threadpool: NULL or any pool (the thread
   count does not change the results). No allocation, no kernel choice.
   Returns success, uninitialized, invalid_parameter (NULL or dead op) or invalid_state
   (run before setup). */
TWOPASS_API enum twopass_status twopass_run_operator(twopass_operator_t op, pthreadpool_t threadpool);

/* Destroys an operator and frees its memory. Returns success, uninitialized or
   invalid_parameter (NULL, or a handle that is not a live operator).
   Dead handles are detected: every function keeps a registry of live operators and
   rejects any other handle with invalid_parameter, without touching it. The one case
   that cannot be detected is a stale handle whose address was reused by a newer
   operator: it then refers to that operator. */
TWOPASS_API enum twopass_status twopass_delete_operator(twopass_operator_t op);

/* One-shot softmax: create, reshape, setup, run and delete in one call, with the same
   arguments, rules and statuses as those functions. Allocates scratch space only for
   rows longer than one chunk (4096 elements). */
TWOPASS_API enum twopass_status twopass_run_softmax_nc_f32(size_t channels, size_t input_stride,
                                                           size_t output_stride, size_t batch_size,
                                                           const float* input, float* output,
                                                           uint32_t flags, pthreadpool_t threadpool);

/* ## Half precision (f16)
 * The same softmax on IEEE 754 binary16 data ("half", passed as void* and read as
 * uint16_t bit patterns, like XNNPACK's f16 operators). Shapes, strides (in elements),
 * flags, threading, chunking, aliasing rules, statuses and special values are those of
 * the f32 functions above; byte sizes count 2 bytes per element. Only the element
 * type differs, and an f16 operator is rejected by the f32 functions (invalid_state)
 * and the other way round; twopass_run_operator and twopass_delete_operator take both.
 *
 * Computation: every input is widened exactly to f32, exp and sums are computed in f32
 * (sums of long rows merged in double, never in half precision) and each output is
 * rounded once to the nearest half, ties to even. Outputs below the smallest normal
 * half (2^-14) become correctly rounded subnormal halves or zero.
 *
 * Accuracy: with r_i the double-precision softmax of the (f16) input row, each output
 * is within 1 half-ULP of r_i (the f32 result is within ~1e-6 relative of r_i, then
 * rounded: in practice 0.5 half-ULP plus that), and for a row of n elements
 * |sum_i y_i - 1| <= 2^-11 + n * 2^-25 + 1e-6 (rounding moves each output by at most
 * 2^-11 of itself, or 2^-25 in the subnormal range). Special values as for f32: NaN
 * (any payload) anywhere gives NaN
 * halves (0x7E00) in the whole row; -inf gives +0; +inf entries share 1/k; a row of
 * only -inf gives NaN, or zeros with TWOPASS_FLAG_MASKED_ROW_ZERO; -65504 (the lowest
 * half) is an ordinary, tiny term.
 *
 * Algorithms: two-pass (the automatic choice) runs f16 kernels that convert in
 * registers (F16C vcvtph2ps/vcvtps2ph on avx2 and avx512f; the FP16 library, one
 * element at a time, on sse2 and scalar). Rows whose largest input is beyond about
 * +-1e4 (halves reach 65504) take the three-pass slow path like f32 rows of huge
 * magnitude. The three-pass algorithms (both flags, which run the recompute form on
 * f16) and that slow path widen the row piece by piece on the stack and reuse the f32
 * kernels, converting with the FP16 library: correct but not tuned for speed. */

/* Creates a softmax operator for f16 data in NC layout; as
   twopass_create_softmax_nc_f32. */
TWOPASS_API enum twopass_status twopass_create_softmax_nc_f16(uint32_t flags,
                                                              twopass_operator_t* softmax_op_out);

/* As twopass_reshape_softmax_nc_f32, for an f16 operator; the byte span of either
   tensor is ((batch_size - 1) * stride + channels) * 2. invalid_state when op is not a
   softmax_nc_f16 operator. */
TWOPASS_API enum twopass_status twopass_reshape_softmax_nc_f16(twopass_operator_t softmax_op,
                                                               size_t channels, size_t input_stride,
                                                               size_t output_stride, size_t batch_size,
                                                               pthreadpool_t threadpool);

/* As twopass_setup_softmax_nc_f32; input and output point to binary16 elements (any
   alignment; uint16_t bit patterns). invalid_state when op is not a softmax_nc_f16
   operator. */
TWOPASS_API enum twopass_status twopass_setup_softmax_nc_f16(twopass_operator_t softmax_op,
                                                             const void* input, void* output);

/* One-shot f16 softmax; as twopass_run_softmax_nc_f32. */
TWOPASS_API enum twopass_status twopass_run_softmax_nc_f16(size_t channels, size_t input_stride,
                                                           size_t output_stride, size_t batch_size,
                                                           const void* input, void* output,
                                                           uint32_t flags, pthreadpool_t threadpool);

/* ## Log-softmax
 * output[b * output_stride + i] = x_i - log(sum_j exp(x_j)), along the last axis as for
 * softmax, in two passes over memory: pass 1 is softmax's (the row's sum of exp as an
 * extended-exponent pair (m, e), merged in double), giving lse = log m + e * ln2 in
 * double; pass 2 computes (x_i - lse_hi) - lse_lo with lse_hi + lse_lo = lse as a float
 * pair (no exp at all). Shapes, strides, threading (bitwise identical for any pool),
 * aliasing, statuses, logging and the f32/f16 element types are as for softmax; a
 * log-softmax operator is rejected by the softmax functions (invalid_state) and the
 * other way round, and twopass_run_operator and twopass_delete_operator take both.
 *
 * Flags: 0 or TWOPASS_FLAG_ALGORITHM_TWO_PASS (the only algorithm; the three-pass flags
 * are unsupported_parameter), optionally with TWOPASS_FLAG_MASKED_ROW_ZERO.
 *
 * Accuracy (r_i the double-precision log-softmax of the row): f32 outputs satisfy
 * |y_i - r_i| <= 1e-6 * max(1, |r_i|) for finite rows of any magnitude (rows whose
 * largest element is beyond about +-1e4 are recomputed as max + log(sum of exp(x - max))
 * after pass 1, as softmax does); f16 outputs are within 1 half-ULP of r_i, plus
 * 1e-6 * max(1, |r_i|) (the f32 result rounded once to the nearest half). Results beyond
 * the format's range round to -inf: f32 below -FLT_MAX (only in rows that span more than
 * FLT_MAX, e.g. -3e38 next to 3e38), f16 below -65520 (e.g. -40000 next to 60000).
 *
 * Special values (every ISA): a NaN anywhere gives NaN in the whole row; -inf inputs
 * give -inf; k > 0 entries of +inf (and no NaN) give -log(k) at those entries (0 for
 * k = 1) and -inf elsewhere; a row of only -inf gives NaN everywhere, or -inf everywhere
 * with TWOPASS_FLAG_MASKED_ROW_ZERO (the log of the zeros softmax gives then). */

/* Creates a log-softmax operator for f32 data in NC layout; arguments and statuses as
   twopass_create_softmax_nc_f32, flags as above. */
TWOPASS_API enum twopass_status twopass_create_log_softmax_nc_f32(
    uint32_t flags, twopass_operator_t* log_softmax_op_out);

/* As twopass_reshape_softmax_nc_f32, for a log-softmax f32 operator. */
TWOPASS_API enum twopass_status twopass_reshape_log_softmax_nc_f32(
    twopass_operator_t log_softmax_op, size_t channels, size_t input_stride,
    size_t output_stride, size_t batch_size, pthreadpool_t threadpool);

/* As twopass_setup_softmax_nc_f32, for a log-softmax f32 operator. */
TWOPASS_API enum twopass_status twopass_setup_log_softmax_nc_f32(
    twopass_operator_t log_softmax_op, const float* input, float* output);

/* One-shot f32 log-softmax; as twopass_run_softmax_nc_f32. */
TWOPASS_API enum twopass_status twopass_run_log_softmax_nc_f32(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const float* input, float* output, uint32_t flags, pthreadpool_t threadpool);

/* The f16 log-softmax: as the f32 functions above, on binary16 data (as the f16
   softmax functions). */
TWOPASS_API enum twopass_status twopass_create_log_softmax_nc_f16(
    uint32_t flags, twopass_operator_t* log_softmax_op_out);

TWOPASS_API enum twopass_status twopass_reshape_log_softmax_nc_f16(
    twopass_operator_t log_softmax_op, size_t channels, size_t input_stride,
    size_t output_stride, size_t batch_size, pthreadpool_t threadpool);

TWOPASS_API enum twopass_status twopass_setup_log_softmax_nc_f16(
    twopass_operator_t log_softmax_op, const void* input, void* output);

TWOPASS_API enum twopass_status twopass_run_log_softmax_nc_f16(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const void* input, void* output, uint32_t flags, pthreadpool_t threadpool);

/* ## Log-sum-exp output
 * Binds a per-row log-sum-exp output to a set-up softmax or log-softmax operator (f32 or
 * f16, any algorithm): every following run also writes lse[b] = log(sum_j exp(x_bj)) for
 * each row b, as a float (f16 operators too), at no extra pass over the rows (it comes
 * from the row's merged sum). This is the normaliser losses and partial results need.
 *   lse: batch_size floats, contiguous, at any float-aligned address, not overlapping
 *   the input or the output tensor; NULL unbinds. setup and reshape unbind it: call this
 *   after setup.
 * Accuracy: |lse_b - r_b| <= 1e-6 * max(1, |r_b|) for rows of finite values (r_b in
 * double; for f16 operators, of the half inputs). Special rows: a NaN anywhere gives NaN;
 * +inf entries give +inf; a row of only -inf gives -inf (with or without
 * TWOPASS_FLAG_MASKED_ROW_ZERO).
 * Returns success, uninitialized, invalid_parameter (NULL or dead op, lse not 4-byte
 * aligned, overlapping a tensor or wrapping the address space) or invalid_state (not set up, or not
 * a softmax or log-softmax operator); on failure the binding is unchanged. */
TWOPASS_API enum twopass_status twopass_setup_logsumexp_output(twopass_operator_t op, float* lse);

/* ## Scale and additive mask
 * Binds a scale and an optional additive mask to a set-up softmax, log-softmax or
 * logsumexp operator (f32 or f16, any algorithm): every following run computes the
 * operation of the rows t_bj = x_bj * scale + mask_bj instead of x (attention scores
 * softmax(s * x + mask), temperature 1/T), reading x and the mask in the same passes
 * (no extra pass over memory). t is evaluated in f32 as two IEEE operations, the
 * product rounded, then the sum (never fused; the same bits on every ISA); f16 inputs
 * and masks are widened exactly first. All contracts above then hold for the rows t:
 * accuracy against a double-precision reference computed from t, special values of t
 * (a -inf mask entry gives an exact 0, or -inf for log-softmax, as a -inf input does;
 * +inf * scale > 0 gives +inf; x * 0 = NaN for infinite x, and inf + -inf = NaN, as
 * IEEE says), bitwise identical for any pool.
 *   scale: finite (NaN and infinities are invalid_parameter); 0 and negative allowed.
 *   mask: NULL (scale only), or elements of the operator's type (float for f32, IEEE
 *     binary16 for f16), row b at mask + b * mask_stride; it must not overlap the
 *     output or the lse output (it may overlap the input).
 *   mask_stride: elements between mask rows, >= channels; or TWOPASS_MASK_STRIDE_BROADCAST:
 *     one mask row shared by all rows (a causal or padding mask shared by all heads);
 *     0 when mask is NULL.
 * setup and reshape unbind it: call this after every setup. scale 1 without a mask is
 * the plain operation (x * 1 is x).
 * Returns success, uninitialized, invalid_parameter (NULL or dead op, scale not finite,
 * a mask without its stride or a stride without a mask, mask_stride < channels, a mask
 * overlapping the output or lse, or wrapping the address space) or invalid_state (not
 * set up); on failure the binding is unchanged. */
#define TWOPASS_MASK_STRIDE_BROADCAST ((size_t) -1)

TWOPASS_API enum twopass_status twopass_setup_scale_mask(twopass_operator_t op, float scale,
                                                         const void* mask, size_t mask_stride);

/* ## Logsumexp
 * lse[b] = log(sum_j exp(input[b * input_stride + j])) for each of batch_size rows of
 * channels f32 elements, reading the rows once (the first pass of log-softmax, nothing
 * else): PyTorch's logsumexp over the last axis, or the normaliser of a row computed
 * apart from its softmax. Operator functions as softmax's: create, reshape (no output
 * stride), setup (input and lse, batch_size floats, not overlapping the input), run with
 * twopass_run_operator, delete with twopass_delete_operator; and a one-shot call.
 * Flags: 0 or TWOPASS_FLAG_ALGORITHM_TWO_PASS (the three-pass flags and
 * TWOPASS_FLAG_MASKED_ROW_ZERO are unsupported_parameter). Accuracy and special rows as
 * for the log-sum-exp output above: |lse_b - r_b| <= 1e-6 * max(1, |r_b|); NaN in the row
 * gives NaN, +inf gives +inf, only -inf gives -inf. Bitwise identical for any pool. */
TWOPASS_API enum twopass_status twopass_create_logsumexp_nc_f32(
    uint32_t flags, twopass_operator_t* logsumexp_op_out);

TWOPASS_API enum twopass_status twopass_reshape_logsumexp_nc_f32(
    twopass_operator_t logsumexp_op, size_t channels, size_t input_stride, size_t batch_size,
    pthreadpool_t threadpool);

TWOPASS_API enum twopass_status twopass_setup_logsumexp_nc_f32(twopass_operator_t logsumexp_op,
                                                               const float* input, float* lse);

TWOPASS_API enum twopass_status twopass_run_logsumexp_nc_f32(
    size_t channels, size_t input_stride, size_t batch_size, const float* input, float* lse,
    uint32_t flags, pthreadpool_t threadpool);

/* The f16 logsumexp: as the f32 functions above, on binary16 rows (any byte address; f32
 * arithmetic, lse written as floats). Accuracy against double computed from the halves. */
TWOPASS_API enum twopass_status twopass_create_logsumexp_nc_f16(
    uint32_t flags, twopass_operator_t* logsumexp_op_out);

TWOPASS_API enum twopass_status twopass_reshape_logsumexp_nc_f16(
    twopass_operator_t logsumexp_op, size_t channels, size_t input_stride, size_t batch_size,
    pthreadpool_t threadpool);

TWOPASS_API enum twopass_status twopass_setup_logsumexp_nc_f16(twopass_operator_t logsumexp_op,
                                                               const void* input, float* lse);

TWOPASS_API enum twopass_status twopass_run_logsumexp_nc_f16(
    size_t channels, size_t input_stride, size_t batch_size, const void* input, float* lse,
    uint32_t flags, pthreadpool_t threadpool);

/* ## Sharded rows: partial, merge, finish
 * One row split over several workers (a vocabulary sharded over tensor-parallel ranks, or
 * a row too long for one machine). Each worker holds a shard: a [batch_size x channels]
 * slice of the rows (the same rows, a different range of their elements). Softmax of the
 * whole rows then takes three steps, and only one 8-byte pair per row crosses between
 * workers:
 *   1. partial: each worker reads its shard once and writes, per row, the pair (m, e) of
 *      its sum of exp: sum_j exp(x_j) = m * 2^e over the shard's elements;
 *   2. merge: the pairs of all shards (exchanged, e.g. with MPI_Allgather) are combined
 *      into the pair of the whole row, exactly as the operator merges its chunks (in
 *      double at the largest exponent, renormalised);
 *   3. finish: each worker runs the last pass on its shard with the merged pair:
 *      y = exp(x) / (m * 2^e) for softmax, y = x - log(m * 2^e) for log-softmax.
 * Serial equivalent for one row split into shards x_0 .. x_{k-1}:
 *   for s < k: partial(x_s) -> p_s;   merge(p_0 .. p_{k-1}) -> p;   for s: finish(x_s, p).
 *
 * The pair (twopass_softmax_partial, 8 bytes, two floats):
 * - rows of finite values (and -inf entries): m in [0.5, 1) and e an integer-valued float
 *   with sum = m * 2^e; exact within float rounding of m (relative 2^-24) while
 *   |e| < 2^24, i.e. the shard's log-sum-exp within about +-1.16e7 (every finite input
 *   within +-1e7). Shards of huge magnitude (beyond about +-1e4) are summed exactly as the
 *   operator does for such rows (three-pass: max, then exp(x - max)) before they become a
 *   pair; larger magnitudes than +-1e7 round e and are not supported.
 * - a shard row of only -inf (an empty sum): m = 0, e = -inf.
 * - a shard row with k > 0 entries +inf and no NaN: m = +inf, e = k (the count, exact up
 *   to 2^24), so that finish knows the row's total count of +inf entries.
 * - a shard row with a NaN anywhere: m = NaN, e = NaN.
 * merge follows the operator's special-value contract: any NaN pair gives a NaN pair;
 * else any +inf pair gives (+inf, sum of their counts); else all-empty pairs give
 * (0, -inf); else the sum of the finite pairs (empty pairs add nothing). Merging one
 * array returns it unchanged; merge(merge(a, b), c) equals merge(a, b, c) within float
 * rounding of m (2^-24), not bitwise: merge every shard in one call, in the same order on
 * every worker, for bitwise identical results across workers.
 * finish then gives the single-process special values on every shard: a NaN pair (or a
 * NaN in the shard) gives NaN in the shard; a (+inf, k) pair gives 1/k at the shard's
 * +inf entries and 0 elsewhere (log-softmax: -log k and -inf); a (0, -inf) pair gives
 * NaN, or 0 with TWOPASS_FLAG_MASKED_ROW_ZERO (log-softmax: NaN or -inf); -inf inputs
 * give 0 (log-softmax: -inf).
 *
 * Accuracy: with r the double-precision softmax of the whole row, the finished shards
 * meet the softmax contract above (|y_i - r_i| <= 1e-6 * max_i r_i, element-wise
 * 1e-6 * r_i for rows within [-1e4, 1e4] where r_i >= 1e-30, |sum - 1| <= 1e-6 over all
 * shards; log-softmax: |y_i - r_i| <= 1e-6 * max(1, |r_i|)). Against the single-process
 * operator the results differ by the float rounding of the pairs (a few ULP), except the
 * special rows, which are bitwise the same. Partial, merge and finish are each bitwise
 * identical for any pool.
 *
 * All three are one-shot calls with the rules of twopass_run_softmax_nc_f32 (statuses,
 * logging, nothing written on failure, scratch allocated only for rows longer than one
 * chunk, 4096 elements) and need twopass_initialize(), except merge, which is a pure
 * function (no allocation, no initialization, no pool). */

/* The sum of exp over a shard's row, sum = m * 2^e, or a special row (see above). */
typedef struct twopass_softmax_partial {
  float m;
  float e;
} twopass_softmax_partial;

/* Partial: for each of batch_size rows, partial[b] = the pair of the row's channels
   elements input[b * input_stride + j], 0 <= j < channels. Reads the rows once; no output
   tensor. flags: 0 (anything else is unsupported_parameter). partial: batch_size pairs,
   not overlapping the input. Returns success, uninitialized, invalid_parameter (NULL
   pointers, zero channels, stride < channels, byte-size overflow, overlap),
   unsupported_parameter or out_of_memory. */
TWOPASS_API enum twopass_status twopass_run_softmax_partial_nc_f32(
    size_t channels, size_t input_stride, size_t batch_size, const float* input,
    twopass_softmax_partial* partial, uint32_t flags, pthreadpool_t threadpool);

/* The same on binary16 input (any alignment; computed in f32 as the f16 operators). */
TWOPASS_API enum twopass_status twopass_run_softmax_partial_nc_f16(
    size_t channels, size_t input_stride, size_t batch_size, const void* input,
    twopass_softmax_partial* partial, uint32_t flags, pthreadpool_t threadpool);

/* Merge: merged[b] = the combination of partials[0][b] .. partials[count - 1][b] for each
   of batch_size rows, by the rules above, in the order of the arrays. merged may be one
   of the input arrays (the same pointer: row b is read before it is written); any other
   overlap with an input array is rejected. Returns success or invalid_parameter (NULL
   partials, merged or partials[i], count 0, byte-size overflow, overlap); writes nothing
   on failure. */
TWOPASS_API enum twopass_status twopass_merge_softmax_partials(
    size_t count, const twopass_softmax_partial* const* partials, size_t batch_size,
    twopass_softmax_partial* merged);

/* Finish (softmax): output[b * output_stride + i] = exp(x_i) / (m * 2^e) with (m, e) =
   merged[b], the merge of every shard's pair of row b, this shard included; x as for
   partial. Two-pass's last pass (exp recomputed and scaled) for merged pairs within the
   two-pass range; three-pass's exact form (exp(x - ref), see above) beyond it.
   flags: 0 or TWOPASS_FLAG_MASKED_ROW_ZERO. Aliasing as softmax (in place allowed);
   merged: batch_size pairs, not overlapping the output; each must be the merge of every
   shard's pair of its row, this shard's included (other pairs give unspecified values,
   never a write outside the output). Returns as twopass_run_softmax_nc_f32. */
TWOPASS_API enum twopass_status twopass_run_softmax_finish_nc_f32(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const float* input, const twopass_softmax_partial* merged, float* output, uint32_t flags,
    pthreadpool_t threadpool);

/* The same on binary16 input and output (rounded once, as the f16 softmax). */
TWOPASS_API enum twopass_status twopass_run_softmax_finish_nc_f16(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const void* input, const twopass_softmax_partial* merged, void* output, uint32_t flags,
    pthreadpool_t threadpool);

/* Finish (log-softmax): output[b * output_stride + i] = x_i - lse with lse = log m + e ln2
   (double, applied as a float pair as the log-softmax operator does); otherwise as
   twopass_run_softmax_finish_nc_f32. */
TWOPASS_API enum twopass_status twopass_run_log_softmax_finish_nc_f32(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const float* input, const twopass_softmax_partial* merged, float* output, uint32_t flags,
    pthreadpool_t threadpool);

TWOPASS_API enum twopass_status twopass_run_log_softmax_finish_nc_f16(
    size_t channels, size_t input_stride, size_t output_stride, size_t batch_size,
    const void* input, const twopass_softmax_partial* merged, void* output, uint32_t flags,
    pthreadpool_t threadpool);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* TWOPASS_H_ */
