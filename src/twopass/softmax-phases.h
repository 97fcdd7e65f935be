// Softmax as phase lists for the operator runner (src/softmax-phases.cc).
#pragma once

#include "twopass/operator.h"

namespace twopass {

// Fills the run context's algorithm part: the phase list of `algorithm` for
// `element_type` (f16 runs both three-pass flags in the recompute form), the
// special-row path, and the last pass's store policy and kernels. Needs config,
// batch_size, channels and `scaled` set (scaled: the lists over x * scale + mask);
// call again when the shape or `scaled` changes.
void ResolveSoftmax(ElementType element_type, Algorithm algorithm, RunContext* context);

// The same for log-softmax (two-pass only: pass 1 as softmax's, pass 2 y = x - lse).
void ResolveLogSoftmax(ElementType element_type, RunContext* context);

// Logsumexp of f32 or f16 rows (pass 1 of log-softmax only; the result goes to
// context->lse).
void ResolveLogSumExp(ElementType element_type, RunContext* context);

// Sharded rows (src/operators/softmax-partial.cc): the partial of f32 or f16 rows (pass 1,
// each row's pair to context->partial_out), and the finish (the last pass of softmax, or
// of log-softmax, with the merged pairs of context->merged_in). Need config, batch_size
// and channels set.
void ResolveSoftmaxPartial(ElementType element_type, RunContext* context);
void ResolveSoftmaxFinish(ElementType element_type, bool log_softmax, RunContext* context);

}  // namespace twopass
