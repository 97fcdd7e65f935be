// Included at the bottom of every kernel table: undoes ukernel-table-begin.h's
// defaults for the marker macros, so that the includer's next table (with another
// TWOPASS_UKERNEL) gets fresh ones. No include guard.

#ifdef TWOPASS_UKERNEL_TABLE_DEFAULTED_MARKERS_
#undef TWOPASS_UKERNEL_DEFAULT
#undef TWOPASS_UKERNEL_DEFAULT_NT
#undef TWOPASS_UKERNEL_DEFAULT_BOTH
#undef TWOPASS_UKERNEL_TABLE_DEFAULTED_MARKERS_
#endif
