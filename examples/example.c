/*
 * TwoPass from C: softmax over a batch of rows with a thread pool, once through the
 * operator API (create / reshape / setup / run / delete) and once through the one-shot
 * call, checked against a double-precision reference. Exits with status 1 on any
 * error or mismatch.
 *
 * Build against an installed TwoPass:
 *   cc -O2 example.c $(pkg-config --cflags --libs twopass) -o example
 * or with CMake (find_package(twopass), see CMakeLists.txt here).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>
#include <twopass.h>

/* An odd shape on purpose: rows longer than any kernel tile, not a multiple of one,
   and row strides with gaps between the rows. */
enum { kBatch = 37, kChannels = 1001, kInputStride = 1004, kOutputStride = 1003 };

/* Deterministic inputs in [-40, 40) (xorshift32), so every run checks the same data. */
static float next_input(uint32_t* state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return (float) ((double) x / 4294967296.0 * 80.0 - 40.0);
}

/* Checks one output row against the softmax of its input computed in double
   precision: the documented bounds (include/twopass.h, "Accuracy"), max |y - r| <=
   1e-6 * max r and |sum y - 1| <= 1e-6, and the gap after the row left untouched. */
static int check_row(const char* what, size_t row, const float* x, const float* y,
                     float gap_value) {
  double max_x = -INFINITY;
  for (size_t i = 0; i < kChannels; i++) max_x = x[i] > max_x ? x[i] : max_x;
  double sum = 0.0;
  for (size_t i = 0; i < kChannels; i++) sum += exp((double) x[i] - max_x);
  double max_r = 0.0, max_error = 0.0, sum_y = 0.0;
  for (size_t i = 0; i < kChannels; i++) {
    const double r = exp((double) x[i] - max_x) / sum;
    max_r = r > max_r ? r : max_r;
    const double error = fabs((double) y[i] - r);
    if (!(error <= max_error)) max_error = error; /* also catches NaN */
    sum_y += y[i];
  }
  int failed = 0;
  if (!(max_error <= 1e-6 * max_r)) {
    fprintf(stderr, "%s: row %zu: max error %g > 1e-6 * %g\n", what, row, max_error, max_r);
    failed = 1;
  }
  if (!(fabs(sum_y - 1.0) <= 1e-6)) {
    fprintf(stderr, "%s: row %zu: sum %.9f, expected 1\n", what, row, sum_y);
    failed = 1;
  }
  for (size_t i = kChannels; i < kOutputStride; i++) {
    if (memcmp(&y[i], &gap_value, sizeof(float)) != 0) {
      fprintf(stderr, "%s: row %zu: gap element %zu was written\n", what, row, i);
      failed = 1;
    }
  }
  return failed;
}

static int check_all(const char* what, const float* input, const float* output) {
  int failed = 0;
  for (size_t b = 0; b < kBatch; b++) {
    failed |= check_row(what, b, input + b * kInputStride, output + b * kOutputStride,
                        -1.0f);
  }
  return failed;
}

#define CHECK_STATUS(call)                                                  \
  do {                                                                      \
    const enum twopass_status status_ = (call);                            \
    if (status_ != twopass_status_success) {                               \
      fprintf(stderr, "%s failed with status %d\n", #call, (int) status_); \
      goto cleanup;                                                         \
    }                                                                       \
  } while (0)

int main(void) {
  int result = 1;
  pthreadpool_t pool = NULL;
  twopass_operator_t op = NULL;
  float* input = malloc(sizeof(float) * kBatch * kInputStride);
  float* output = malloc(sizeof(float) * kBatch * kOutputStride);
  float* oneshot = malloc(sizeof(float) * kBatch * kOutputStride);
  if (input == NULL || output == NULL || oneshot == NULL) {
    fprintf(stderr, "out of memory\n");
    goto cleanup;
  }
  uint32_t state = 2463534242u;
  for (size_t i = 0; i < (size_t) kBatch * kInputStride; i++) input[i] = next_input(&state);
  for (size_t i = 0; i < (size_t) kBatch * kOutputStride; i++) output[i] = oneshot[i] = -1.0f;

  CHECK_STATUS(twopass_initialize());
  /* 0 threads: one per logical processor. The same pool can serve other work of the
     application; calls that share it are serialized by pthreadpool. */
  pool = pthreadpool_create(0);
  if (pool == NULL) {
    fprintf(stderr, "pthreadpool_create failed\n");
    goto cleanup;
  }

  /* Operator API: the shape is fixed once, the tensors bound once, and run can be
     called as often as the data changes. */
  CHECK_STATUS(twopass_create_softmax_nc_f32(0, &op));
  CHECK_STATUS(twopass_reshape_softmax_nc_f32(op, kChannels, kInputStride, kOutputStride,
                                              kBatch, pool));
  CHECK_STATUS(twopass_setup_softmax_nc_f32(op, input, output));
  CHECK_STATUS(twopass_run_operator(op, pool));
  if (check_all("operator", input, output) != 0) goto cleanup;

  /* One-shot call, here without a pool: the results are bitwise the same for any
     thread count. */
  CHECK_STATUS(twopass_run_softmax_nc_f32(kChannels, kInputStride, kOutputStride, kBatch,
                                          input, oneshot, 0, NULL));
  if (check_all("one-shot", input, oneshot) != 0) goto cleanup;
  if (memcmp(output, oneshot, sizeof(float) * kBatch * kOutputStride) != 0) {
    fprintf(stderr, "operator with %zu threads and one-shot without a pool differ\n",
            pthreadpool_get_threads_count(pool));
    goto cleanup;
  }

  printf("example.c: twopass %u (%s), %d rows x %d channels on %zu threads: OK\n",
         (unsigned) twopass_version(), twopass_isa_name(), kBatch, kChannels,
         pthreadpool_get_threads_count(pool));
  result = 0;

cleanup:
  if (op != NULL && twopass_delete_operator(op) != twopass_status_success) result = 1;
  if (pool != NULL) pthreadpool_destroy(pool);
  free(input);
  free(output);
  free(oneshot);
  return result;
}
