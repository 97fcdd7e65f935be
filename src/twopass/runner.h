// The operator runner: executes any algorithm given as a phase list (twopass/operator.h)
// over the rows of a run context.
#pragma once

#include <stddef.h>

#include <algorithm>

#include <pthreadpool.h>

#include "twopass/operator.h"

namespace twopass {

// One chunk of a row. The pointers address elements of the context's element type.
struct RowChunk {
  const void* input;
  void* output;
  size_t elements;
  const float* f32_input() const { return static_cast<const float*>(input); }
  float* f32_output() const { return static_cast<float*>(output); }
};

inline RowChunk GetChunk(const RunContext& context, size_t row, size_t chunk) {
  const size_t start = chunk * context.chunk_size;
  // Reduce-only operations (logsumexp) have no output: no offset is applied to null.
  char* output = static_cast<char*>(context.output);
  if (output != nullptr) {
    output += (row * context.output_stride + start) * context.element_size;
  }
  return RowChunk{
      static_cast<const char*>(context.input) +
          (row * context.input_stride + start) * context.element_size,
      output,
      std::min(context.chunk_size, context.channels - start),
  };
}

// Runs `phases` over one whole row on the calling thread, chunk by chunk; `partials`
// holds num_chunks entries. Returns false, having run no further, when a merge marks
// the row special (the caller decides what to do with it).
bool RunRowPhases(const RunContext& context, const PhaseList& phases, size_t row,
                  ChunkPartial* partials);

// Runs the context's algorithm over all its rows. Rows go whole to one thread (short
// single-chunk rows in tiles of several rows, phase by phase), or, when there are fewer
// rows than threads and rows have several chunks, every phase runs over (row, chunk)
// pairs in parallel with the merges between phases on the calling thread (split mode).
// Every mode calls the same kernels on the same chunks and merges identically, so the
// output is bitwise the same for any thread count.
void RunOperation(const RunContext& context, pthreadpool_t threadpool);

}  // namespace twopass
