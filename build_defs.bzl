"""Per-ISA compilation of generated microkernels.

Only the files of one ISA get that ISA's flags; everything else in TwoPass is
compiled for baseline x86-64 and decides at run time what to call.
"""

# Flags per ISA level. Higher ISAs are switched off explicitly where the
# compiler would otherwise be free to use them.
ISA_COPTS = {
    "scalar": [],
    "sse2": ["-msse2", "-mno-sse3", "-mno-avx"],
    "avx2": ["-mavx2", "-mfma", "-mf16c", "-mno-avx512f"],
    "avx512f": ["-mavx512f", "-mavx2", "-mfma", "-mf16c"],
}

ISAS = ["scalar", "sse2", "avx2", "avx512f"]

def twopass_ukernel_family(family):
    """Defines :<family> with one cc_library per ISA over src/<family>/gen/.

    Args:
      family: kernel family folder name, e.g. "f32-raddextexp".
    """
    name = family.replace("-", "_")
    isa_libs = []
    for isa in ISAS:
        lib = name + "_" + isa
        native.cc_library(
            name = lib,
            srcs = native.glob(["src/%s/gen/%s-%s-*.cc" % (family, family, isa)]),
            copts = ISA_COPTS[isa],
            deps = [":internal_headers"],
            alwayslink = True,
            visibility = ["//visibility:private"],
        )
        isa_libs.append(":" + lib)
    native.cc_library(
        name = name,
        deps = isa_libs,
        visibility = ["//visibility:public"],
    )
    return ":" + name
