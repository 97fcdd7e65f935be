// Tests of every f32-raddstoreexpminusmax kernel listed in
// src/f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc: the shared exp(x - max) suites of
// expminusmax-tests.h, instantiated for this table.

#include <gtest/gtest.h>

#include "expminusmax-tests.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace twopass {
namespace testing {
namespace {

const UkernelInfo<twopass_f32_raddstoreexpminusmax_ukernel_fn> kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

INSTANTIATE_TEST_SUITE_P(F32RAddStoreExpMinusMax, ExpMinusMaxTest,
                         ExpMinusMaxKernels(kKernels), ExpMinusMaxTestName);
INSTANTIATE_TEST_SUITE_P(F32RAddStoreExpMinusMax, ExpMinusMaxInPlaceTest,
                         ExpMinusMaxKernels(kKernels), ExpMinusMaxTestName);
INSTANTIATE_TEST_SUITE_P(F32RAddStoreExpMinusMax, ExpMinusMaxAboveMaxTest,
                         ExpMinusMaxKernels(kKernels), ExpMinusMaxTestName);

}  // namespace
}  // namespace testing
}  // namespace twopass
