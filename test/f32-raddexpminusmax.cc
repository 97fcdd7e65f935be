// Tests of every f32-raddexpminusmax kernel listed in
// src/f32-raddexpminusmax/f32-raddexpminusmax.inc: the shared exp(x - max) suites of
// expminusmax-tests.h, instantiated for this table.

#include <gtest/gtest.h>

#include "expminusmax-tests.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace twopass {
namespace testing {
namespace {

const UkernelInfo<twopass_f32_raddexpminusmax_ukernel_fn> kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddexpminusmax/f32-raddexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

// No output, hence no in-place tests.
INSTANTIATE_TEST_SUITE_P(F32RAddExpMinusMax, ExpMinusMaxTest,
                         ExpMinusMaxKernels(kKernels), ExpMinusMaxTestName);

}  // namespace
}  // namespace testing
}  // namespace twopass
