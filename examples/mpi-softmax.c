/* Softmax of one row sharded over MPI ranks (include/twopass.h, "Sharded rows").
 *
 * Each of the P ranks holds 1/P of a row of N = 2^24 floats (argv[1] changes N). Each
 * computes the pair (m, e) of its shard (twopass_run_softmax_partial_nc_f32), the ranks
 * exchange that one 8-byte pair (MPI_Allgather), each merges the P pairs in rank order
 * (twopass_merge_softmax_partials: the same bits on every rank) and finishes its own shard
 * (twopass_run_softmax_finish_nc_f32). Only one pair per row and rank crosses the wire.
 *
 * To check the result, the shards are then gathered on rank 0 (verification only, not
 * part of the softmax), which compares them with the one-process softmax of the whole
 * row (twopass_run_softmax_nc_f32): relative error <= 1e-6 element-wise and
 * |sum - 1| <= 1e-6. Exit status 0 when both hold on rank 0.
 *
 * Run with 4 ranks (one command, from the repository root): scripts/run-mpi-example.sh
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "twopass.h"

/* Element i of the row, the same on every rank: a hash of i mapped to [-20, 20). */
static float RowElement(uint64_t i) {
  uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ull;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return (float)((double)(h >> 11) * 0x1p-53 * 40.0 - 20.0);
}

static int Fail(const char* what, enum twopass_status status) {
  fprintf(stderr, "mpi-softmax: %s failed (status %d)\n", what, (int)status);
  MPI_Abort(MPI_COMM_WORLD, 1);
  return 1;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 0) : (size_t)1 << 24;

  /* This rank's shard [begin, end): equal parts, the remainder on the last ranks. */
  const size_t begin = n * (size_t)rank / (size_t)ranks;
  const size_t end = n * (size_t)(rank + 1) / (size_t)ranks;
  const size_t count = end - begin;
  float* x = malloc(count * sizeof(float));
  float* y = malloc(count * sizeof(float));
  twopass_softmax_partial* pairs = malloc((size_t)ranks * sizeof(twopass_softmax_partial));
  const twopass_softmax_partial** shards = malloc((size_t)ranks * sizeof(*shards));
  if (x == NULL || y == NULL || pairs == NULL || shards == NULL) return Fail("malloc", 0);
  for (size_t i = 0; i < count; i++) x[i] = RowElement(begin + i);

  enum twopass_status status = twopass_initialize();
  if (status != twopass_status_success) return Fail("twopass_initialize", status);

  /* 1. This shard's pair: one row, read once. */
  twopass_softmax_partial mine;
  status = twopass_run_softmax_partial_nc_f32(count, count, 1, x, &mine, 0, NULL);
  if (status != twopass_status_success) return Fail("partial", status);

  /* 2. One pair per row and rank over the wire, merged in rank order on every rank. */
  MPI_Allgather(&mine, 2, MPI_FLOAT, pairs, 2, MPI_FLOAT, MPI_COMM_WORLD);
  for (int r = 0; r < ranks; r++) shards[r] = &pairs[r];
  twopass_softmax_partial merged;
  status = twopass_merge_softmax_partials((size_t)ranks, shards, 1, &merged);
  if (status != twopass_status_success) return Fail("merge", status);

  /* 3. This shard's softmax with the whole row's sum. */
  status = twopass_run_softmax_finish_nc_f32(count, count, count, 1, x, &merged, y, 0, NULL);
  if (status != twopass_status_success) return Fail("finish", status);

  /* Verification: gather the shards on rank 0, against the one-process softmax. */
  int* counts = NULL;
  int* displacements = NULL;
  float* all = NULL;
  if (rank == 0) {
    counts = malloc((size_t)ranks * sizeof(int));
    displacements = malloc((size_t)ranks * sizeof(int));
    all = malloc(n * sizeof(float));
    if (counts == NULL || displacements == NULL || all == NULL) return Fail("malloc", 0);
    for (int r = 0; r < ranks; r++) {
      const size_t b = n * (size_t)r / (size_t)ranks, e = n * (size_t)(r + 1) / (size_t)ranks;
      displacements[r] = (int)b;
      counts[r] = (int)(e - b);
    }
  }
  MPI_Gatherv(y, (int)count, MPI_FLOAT, all, counts, displacements, MPI_FLOAT, 0,
              MPI_COMM_WORLD);
  int failed = 0;
  if (rank == 0) {
    float* whole_x = malloc(n * sizeof(float));
    float* whole_y = malloc(n * sizeof(float));
    if (whole_x == NULL || whole_y == NULL) return Fail("malloc", 0);
    for (size_t i = 0; i < n; i++) whole_x[i] = RowElement(i);
    status = twopass_run_softmax_nc_f32(n, n, n, 1, whole_x, whole_y, 0, NULL);
    if (status != twopass_status_success) return Fail("one-process softmax", status);
    double max_relative = 0.0, sum = 0.0, max_x = -INFINITY, exact_sum = 0.0;
    for (size_t i = 0; i < n; i++) {
      const double relative = fabs((double)all[i] - whole_y[i]) / whole_y[i];
      if (!(relative <= max_relative)) max_relative = relative; /* NaN sticks */
      sum += all[i];
      if (whole_x[i] > max_x) max_x = whole_x[i];
    }
    /* For information: the error against softmax in double. */
    for (size_t i = 0; i < n; i++) exact_sum += exp((double)whole_x[i] - max_x);
    double max_relative_double = 0.0;
    for (size_t i = 0; i < n; i++) {
      const double r = exp((double)whole_x[i] - max_x) / exact_sum;
      const double relative = fabs((double)all[i] - r) / r;
      if (!(relative <= max_relative_double)) max_relative_double = relative;
    }
    failed = !(max_relative <= 1e-6) || !(fabs(sum - 1.0) <= 1e-6);
    printf("mpi-softmax: %d ranks, a row of %zu floats (%zu per rank), %s\n", ranks, n,
           n / (size_t)ranks, twopass_isa_name());
    printf("mpi-softmax: exchanged 1 pair per row: each rank sent %zu bytes and received "
           "the %d pairs, %zu bytes (MPI_Allgather)\n",
           sizeof(twopass_softmax_partial), ranks,
           (size_t)ranks * sizeof(twopass_softmax_partial));
    printf("mpi-softmax: merged pair m = %.9g, e = %.0f (sum of exp = %.9g)\n", merged.m,
           merged.e, ldexp(merged.m, (int)merged.e));
    printf("mpi-softmax: against the one-process softmax: max relative error %.3g (<= 1e-6), "
           "|sum - 1| = %.3g (<= 1e-6): %s\n",
           max_relative, fabs(sum - 1.0), failed ? "FAILED" : "ok");
    printf("mpi-softmax: against softmax in double: max relative error %.3g\n",
           max_relative_double);
    free(whole_x);
    free(whole_y);
    free(all);
    free(counts);
    free(displacements);
  }
  MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  free(x);
  free(y);
  free(pairs);
  free(shards);
  MPI_Finalize();
  return failed;
}
