// Tests of every f32-vscaleexpminusmax kernel listed in
// src/f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc: the shared exp(x - max) suites of
// expminusmax-tests.h, instantiated for this table.

#include <gtest/gtest.h>

#include "expminusmax-tests.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace twopass {
namespace testing {
namespace {

const UkernelInfo<twopass_f32_vscaleexpminusmax_ukernel_fn> kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

INSTANTIATE_TEST_SUITE_P(F32VScaleExpMinusMax, ExpMinusMaxTest,
                         ExpMinusMaxKernels(kKernels), ExpMinusMaxTestName);
INSTANTIATE_TEST_SUITE_P(F32VScaleExpMinusMax, ExpMinusMaxInPlaceTest,
                         ExpMinusMaxKernels(kKernels), ExpMinusMaxTestName);
INSTANTIATE_TEST_SUITE_P(F32VScaleExpMinusMax, ExpMinusMaxScaleTest,
                         ExpMinusMaxKernels(kKernels), ExpMinusMaxTestName);

}  // namespace
}  // namespace testing
}  // namespace twopass
