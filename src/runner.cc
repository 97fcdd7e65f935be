// The operator runner (twopass/runner.h): one driver for every phase list, in three
// modes (row tiles, whole rows, split rows).
#include "twopass/runner.h"

#include <algorithm>

#include <immintrin.h>  // _mm_sfence (SSE, part of x86-64)

namespace twopass {
namespace {

// Streaming stores are weakly ordered: every pool task that may have run nt kernels
// (tasks of the last phase) ends with an sfence before the pool sees it finish; a
// fence per kernel call instead cost 11% on rows of 1000 floats.
inline void FenceStreamedOutput(const RunContext& context) {
  if (context.stream_output) _mm_sfence();
}

inline bool IsNormal(const RowPlan& plan) { return plan.kind == RowKind::kNormal; }

constexpr RowPlan kInitialPlan = {{0.0f}, {0.0f}, RowKind::kNormal};

// Row tiles: several single-chunk rows run phase by phase (every row's first phase,
// then every row's merge, then the next phase...). Each row is a serial chain of
// latencies (kernel reduction -> merge -> divide -> next kernel) that costs tens of ns
// on short rows when rows run one after another; with the phases of a tile's rows back
// to back, the out-of-order core overlaps one row's chain with the next row's work. Per
// row the same kernels run on the same chunk with the same merge, so results do not
// change. The tile's rows stay small enough for L1 (input and output), and at most
// kMaxTileRows rows keep the per-tile state on the stack.
constexpr size_t kMaxTileRows = 16;
constexpr size_t kTileElements = 2048;
// With streamed output, a pool task (several tiles) covers at least this many elements
// so that its closing sfence is rare: with one fence per tile of 2 rows of 1000 floats
// streaming was 5% slower than regular stores.
constexpr size_t kStreamTaskElements = 16384;

size_t RowsPerL1Tile(const RunContext& context) {
  return std::min(kMaxTileRows, std::max<size_t>(1, kTileElements / context.channels));
}

// Rows per pool task: one tile, or several when the output is streamed; one row for
// multi-chunk rows.
size_t RowsPerTask(const RunContext& context, size_t threads) {
  if (context.num_chunks != 1) return 1;
  size_t rows = RowsPerL1Tile(context);
  if (context.stream_output) rows = std::max(rows, kStreamTaskElements / context.channels);
  // Keep several tasks per thread so that the pool can balance them.
  if (threads > 1) {
    rows = std::min(rows, std::max<size_t>(1, context.batch_size / (4 * threads)));
  }
  return rows;
}

// Rows [first, first + count) of single-chunk rows, count <= kMaxTileRows: the first
// phase's kernel for every row, then row by row the merge of a phase followed at once by
// the next phase's kernel (on 1000 x 128 rows 5-7% faster than all merges of the tile
// first, measured 2026-12-05 on the Zen 5 VM).
void RunTile(const RunContext& context, size_t first, size_t count) {
  ChunkPartial partials[kMaxTileRows];
  RowPlan plans[kMaxTileRows];
  for (size_t i = 0; i < count; i++) plans[i] = kInitialPlan;
  const Phase* phases = context.phases.phases;
  const size_t last = context.phases.count - 1;
  // A RowsFn also merges: phase 0's plans are then made before the loop below.
  const bool merged = phases[0].rows != nullptr;
  if (merged) {
    phases[0].rows(context, first, count, plans);
  } else {
    for (size_t i = 0; i < count; i++)
      phases[0].chunk(context, first + i, 0, plans[i], &partials[i]);
  }
  // (A reduction-only list, such as logsumexp's, ends with a merge.)
  for (size_t p = 0; p <= last && phases[p].merge != nullptr; p++) {
    const bool merge = p != 0 || !merged;
    for (size_t i = 0; i < count; i++) {
      if (merge) {
        if (!IsNormal(plans[i])) continue;  // marked special by an earlier phase
        phases[p].merge(&partials[i], 1, &plans[i]);
      }
      if (!IsNormal(plans[i])) {
        context.special_row(context, first + i, &partials[i]);
        continue;
      }
      if (p < last) phases[p + 1].chunk(context, first + i, 0, plans[i], &partials[i]);
    }
  }
  if (context.lse != nullptr) {
    for (size_t i = 0; i < count; i++) {
      if (IsNormal(plans[i])) context.lse[first + i] = static_cast<float>(context.phases.lse(plans[i]));
    }
  }
}

// Whole rows: single-chunk rows in tiles, multi-chunk rows one by one.
void RowTask(void* argument, size_t first, size_t count) {
  const RunContext& context = *static_cast<const RunContext*>(argument);
  if (context.num_chunks == 1) {
    const size_t tile = RowsPerL1Tile(context);
    for (size_t start = first; start < first + count; start += tile) {
      RunTile(context, start, std::min(tile, first + count - start));
    }
  } else {
    for (size_t row = first; row < first + count; row++) {
      ChunkPartial* partials = context.partials + row * context.num_chunks;
      if (!RunRowPhases(context, context.phases, row, partials)) {
        context.special_row(context, row, partials);
      }
    }
  }
  FenceStreamedOutput(context);
}

// Split mode: one phase over (row, chunk) pairs.
struct SplitPhase {
  const RunContext* context;
  const Phase* phase;
  bool last;
};

void SplitPhaseTask(void* argument, size_t row, size_t chunk) {
  const SplitPhase& split = *static_cast<const SplitPhase*>(argument);
  const RunContext& context = *split.context;
  const RowPlan& plan = context.row_plans[row];
  if (IsNormal(plan)) {
    split.phase->chunk(context, row, chunk, plan,
                       &context.partials[row * context.num_chunks + chunk]);
  }
  if (split.last) FenceStreamedOutput(context);
}

// Merges on the calling thread: there are fewer rows than threads, and a few thousand
// partials per row at most.
void RunSplit(const RunContext& context, pthreadpool_t threadpool) {
  const size_t rows = context.batch_size;
  const size_t chunks = context.num_chunks;
  for (size_t r = 0; r < rows; r++) context.row_plans[r] = kInitialPlan;
  for (size_t p = 0; p < context.phases.count; p++) {
    const Phase& phase = context.phases.phases[p];
    SplitPhase split{&context, &phase, p + 1 == context.phases.count};
    pthreadpool_parallelize_2d(threadpool, SplitPhaseTask, &split, rows, chunks, 0);
    if (phase.merge == nullptr) continue;
    for (size_t r = 0; r < rows; r++) {
      RowPlan* plan = &context.row_plans[r];
      if (!IsNormal(*plan)) continue;
      phase.merge(context.partials + r * chunks, chunks, plan);
      if (!IsNormal(*plan)) context.special_row(context, r, context.partials + r * chunks);
    }
  }
  if (context.lse != nullptr) {
    for (size_t r = 0; r < rows; r++) {
      const RowPlan& plan = context.row_plans[r];
      if (IsNormal(plan)) context.lse[r] = static_cast<float>(context.phases.lse(plan));
    }
  }
}

}  // namespace

bool RunRowPhases(const RunContext& context, const PhaseList& phases, size_t row,
                  ChunkPartial* partials) {
  RowPlan plan = kInitialPlan;
  for (size_t p = 0; p < phases.count; p++) {
    const Phase& phase = phases.phases[p];
    for (size_t c = 0; c < context.num_chunks; c++) {
      phase.chunk(context, row, c, plan, &partials[c]);
    }
    if (phase.merge == nullptr) continue;
    phase.merge(partials, context.num_chunks, &plan);
    if (!IsNormal(plan)) return false;
  }
  if (context.lse != nullptr) context.lse[row] = static_cast<float>(phases.lse(plan));
  return true;
}

void RunOperation(const RunContext& context, pthreadpool_t threadpool) {
  if (context.batch_size == 0) return;
  const size_t threads = threadpool != nullptr ? pthreadpool_get_threads_count(threadpool) : 1;
  if (threads > 1 && context.batch_size < threads && context.num_chunks > 1) {
    RunSplit(context, threadpool);
  } else {
    pthreadpool_parallelize_1d_tile_1d(threadpool, RowTask, const_cast<RunContext*>(&context),
                                       context.batch_size, RowsPerTask(context, threads), 0);
  }
}

}  // namespace twopass
