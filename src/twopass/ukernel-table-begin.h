// Included at the top of every kernel table (src/<family>/<family>.inc), with
// ukernel-table-end.h at its bottom. No include guard.
//
// A table lists its variants as TWOPASS_UKERNEL(isa, symbol, element_tile) and marks
// the variant the library selects per ISA (the pick) with another macro of the same
// arguments:
//   TWOPASS_UKERNEL_DEFAULT(...)     the pick of its ISA;
//   TWOPASS_UKERNEL_DEFAULT_NT(...)  the pick of its ISA above the non-temporal output
//                                    threshold (families with an *_nt member in
//                                    src/twopass/families.h only);
//   TWOPASS_UKERNEL_DEFAULT_BOTH(...) both of those (an ISA without a streaming variant).
// Every ISA with rows has exactly one pick (and in families with an nt member, one nt
// pick); src/config.cc checks this at compile time and //test:kernel_config_test again.
//
// An includer that does not care about picks defines TWOPASS_UKERNEL only: the
// markers below then default to it, and ukernel-table-end.h removes these defaults
// again. An includer that defines a marker itself must define all three.

#ifndef TWOPASS_UKERNEL
#error "define TWOPASS_UKERNEL(isa, symbol, element_tile) before including a kernel table"
#endif

#ifndef TWOPASS_UKERNEL_DEFAULT
#if defined(TWOPASS_UKERNEL_DEFAULT_NT) || defined(TWOPASS_UKERNEL_DEFAULT_BOTH)
#error "define all of TWOPASS_UKERNEL_DEFAULT, _DEFAULT_NT and _DEFAULT_BOTH, or none"
#endif
#define TWOPASS_UKERNEL_DEFAULT(isa, ukernel, tile) TWOPASS_UKERNEL(isa, ukernel, tile)
#define TWOPASS_UKERNEL_DEFAULT_NT(isa, ukernel, tile) TWOPASS_UKERNEL(isa, ukernel, tile)
#define TWOPASS_UKERNEL_DEFAULT_BOTH(isa, ukernel, tile) TWOPASS_UKERNEL(isa, ukernel, tile)
#define TWOPASS_UKERNEL_TABLE_DEFAULTED_MARKERS_
#elif !defined(TWOPASS_UKERNEL_DEFAULT_NT) || !defined(TWOPASS_UKERNEL_DEFAULT_BOTH)
#error "define all of TWOPASS_UKERNEL_DEFAULT, _DEFAULT_NT and _DEFAULT_BOTH, or none"
#endif
