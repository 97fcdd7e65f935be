// TWOPASS_EXTEXP_INLINE: how the helpers of twopass/extexp-<isa>.h are declared.
//
// Unoptimized builds (Bazel's default fastbuild, in which the kernel tests run) force
// the helpers inline: a call, with its vector spills, for every step of every element
// made those kernels 20% slower than with the helpers written out. Optimized builds
// keep plain inline: they inline the helpers anyway, and forcing it there changed
// which NaN payload propagates when several inputs are NaN (-O0 and -O2 builds already
// differ in that).
#pragma once

#ifndef TWOPASS_EXTEXP_INLINE
#ifdef __OPTIMIZE__
#define TWOPASS_EXTEXP_INLINE inline
#else
#define TWOPASS_EXTEXP_INLINE inline __attribute__((always_inline))
#endif
#endif
