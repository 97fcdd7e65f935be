"""Per-ISA compilation of generated microkernels.

Only the files of one ISA get that ISA's flags; everything else in TwoPass is
compiled for baseline x86-64 and decides at run time what to call.
"""

# Flags per ISA level. Higher ISAs are switched off explicitly where the
# compiler would otherwise be free to use them. -ffp-contract=off: the kernels'
# arithmetic as written, FMAs only where a template writes one, so that their bits
# do not depend on a compiler's fusion choices (gcc fuses a product into a later sum
# by default, across statements: it once made two kernels' sums of the same terms
# differ, docs/benchmarks.md 2026-12-07).
ISA_COPTS = {
    "scalar": ["-ffp-contract=off"],
    "sse2": ["-msse2", "-mno-sse3", "-mno-avx", "-ffp-contract=off"],
    "avx2": ["-mavx2", "-mfma", "-mf16c", "-mno-avx512f", "-ffp-contract=off"],
    "avx512f": ["-mavx512f", "-mavx2", "-mfma", "-mf16c", "-ffp-contract=off"],
}

ISAS = ["scalar", "sse2", "avx2", "avx512f"]

# Emulated AVX512F (tests only; see third_party/simde-shim/immintrin.h): the same
# generated avx512f files, compiled with the AVX2 flags (AVX512F explicitly off, so
# the compiler can never emit an AVX512 instruction) and the SIMDe shim in front of
# <immintrin.h>. -O2 because SIMDe is slow unoptimized; -Wno-psabi silences GCC's
# note about passing 64-byte vectors without AVX512F (never across an ABI boundary).
EMULATED_AVX512F_COPTS = ISA_COPTS["avx2"] + [
    "-O2",
    "-Wno-psabi",
    "-Ithird_party/simde-shim",
]

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
            # @FP16: the f16 kernels of scalar and sse2 convert with the FP16 library.
            deps = [":internal_headers", "@FP16"],
            alwayslink = True,
            visibility = ["//visibility:private"],
        )
        isa_libs.append(":" + lib)
    native.cc_library(
        name = name,
        deps = isa_libs,
        visibility = ["//visibility:public"],
    )

    # :<name>_emulated: the family with its avx512f kernels emulated, for the
    # *_avx512f_emulated_test targets (CI machines without AVX512F). testonly, so
    # it can never end up in the library. Same symbols as :<name>_avx512f, hence
    # it replaces that library instead of adding to it.
    emulated = name + "_avx512f_emulated"
    native.cc_library(
        name = emulated,
        testonly = True,
        srcs = native.glob(["src/%s/gen/%s-avx512f-*.cc" % (family, family)]),
        copts = EMULATED_AVX512F_COPTS,
        deps = [":internal_headers", "@FP16", "//third_party/simde-shim:immintrin"],
        alwayslink = True,
        visibility = ["//visibility:private"],
    )
    native.cc_library(
        name = name + "_emulated",
        testonly = True,
        deps = [lib for lib in isa_libs if not lib.endswith("_avx512f")] + [":" + emulated],
        visibility = ["//visibility:public"],
    )
    return ":" + name

def twopass_avx512f_emulated_test(test, args = []):
    """Defines <test minus _test>_avx512f_emulated_test from the existing cc_test `test`.

    Same sources, options and size; every //:<family> dependency is replaced by
    //:<family>_emulated (avx512f kernels through SIMDe), and the test files are
    compiled with TWOPASS_TEST_EMULATED_AVX512F=1 so that only the avx512f kernels
    run (test/ukernel-test-util.h). Must follow the definition of `test` in the same
    BUILD file.

    Args:
      test: name of a kernel or operator cc_test in this package, e.g. "f32_rmax_test".
      args: extra test arguments (e.g. a --gtest_filter), appended to the base's.
    """
    base = native.existing_rule(test)
    if base == None:
        fail("twopass_avx512f_emulated_test: no rule %s defined above" % test)
    deps = []
    for dep in base["deps"]:
        # Kernel family aggregates are //:<datatype>_<operation>, e.g. //:f32_rmax.
        is_family = dep.startswith("//:") and dep[3:].split("_")[0] in ("f16", "f32")
        deps.append(dep + "_emulated" if is_family else dep)
    if "//:twopass" in deps:
        # Operator tests: the library and its ISA detection in their emulated build
        # (twopass_avx512f_emulated_library), so that it can select avx512f.
        deps = _emulated_deps(deps, {
            "//:twopass": "//:twopass_avx512f_emulated",
            "//:isa": "//:isa_avx512f_emulated",
        })
    if deps == list(base["deps"]):
        fail("twopass_avx512f_emulated_test: %s depends on no kernel family or library" % test)
    native.cc_test(
        name = test[:-len("_test")] + "_avx512f_emulated_test",
        size = base["size"],
        srcs = list(base["srcs"]),
        copts = list(base["copts"]) + ["-DTWOPASS_TEST_EMULATED_AVX512F=1"],
        args = list(base.get("args", [])) + args,
        deps = deps,
    )

def _emulated_deps(deps, replacements):
    """`deps` with each label found in `replacements` swapped for its value."""
    return [replacements.get(dep, dep) for dep in deps]

def _root_deps(deps):
    """Absolute labels for the deps of a rule of the root package.

    Bazel 4's native.existing_rule() writes labels of the root package as ":name",
    and those of an external repository's root package (@FP16 = @FP16//:FP16) the
    same way, dropping the repository. A ":name" that is no rule of this package is
    therefore @name//:name (a wrong guess fails the build loudly).
    """
    result = []
    for dep in deps:
        if dep.startswith(":"):
            name = dep[1:]
            dep = "//" + dep if native.existing_rule(name) != None else "@%s//:%s" % (name, name)
        result.append(dep)
    return result

def twopass_avx512f_emulated_library(library = "twopass", isa = "isa", ukernels = "ukernels"):
    """Defines the emulated-AVX512F test build of the library (tests only).

    From the rules `library`, `isa` and `ukernels` defined above in the same BUILD
    file: :<isa>_avx512f_emulated (the same detection code, except that avx512f is
    reported available wherever AVX2 is, third_party/simde-shim), and
    :<ukernels>_avx512f_emulated and :<library>_avx512f_emulated, which use every
    family's :<family>_emulated kernels. With them the operator tests select the
    avx512f kernels on CPUs without AVX512F.

    Args:
      library: the library's cc_library.
      isa: the ISA detection cc_library (its srcs define twopass_isa_supported and
        twopass_isa_best_supported).
      ukernels: the cc_library that depends on every kernel family.
    """
    for rule in [library, isa, ukernels]:
        if native.existing_rule(rule) == None:
            fail("twopass_avx512f_emulated_library: no rule %s defined above" % rule)
    base_isa = native.existing_rule(isa)
    native.cc_library(
        name = isa + "_avx512f_emulated",
        testonly = True,
        srcs = list(base_isa["srcs"]),
        copts = list(base_isa["copts"]) + [
            "-Dtwopass_isa_supported=twopass_cpu_isa_supported",
            "-Dtwopass_isa_best_supported=twopass_cpu_isa_best_supported",
        ],
        deps = _root_deps(base_isa["deps"]) + ["//third_party/simde-shim:isa_avx512f_emulated"],
        visibility = ["//visibility:public"],
    )

    base_ukernels = native.existing_rule(ukernels)
    native.cc_library(
        name = ukernels + "_avx512f_emulated",
        testonly = True,
        deps = [dep + "_emulated" for dep in _root_deps(base_ukernels["deps"])],
        visibility = ["//visibility:private"],
    )

    base = native.existing_rule(library)
    replacements = {
        "//:" + isa: "//:" + isa + "_avx512f_emulated",
        "//:" + ukernels: "//:" + ukernels + "_avx512f_emulated",
    }
    native.cc_library(
        name = library + "_avx512f_emulated",
        testonly = True,
        srcs = list(base["srcs"]),
        hdrs = list(base["hdrs"]),
        strip_include_prefix = base["strip_include_prefix"],
        copts = list(base["copts"]),
        linkopts = list(base["linkopts"]),
        deps = _emulated_deps(_root_deps(base["deps"]), replacements),
        visibility = ["//visibility:public"],
    )
