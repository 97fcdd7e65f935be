#!/usr/bin/env python3
"""Unit tests for tools/generate_kernels.py, run against temporary source trees."""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS_DIR)

import generate_kernels as gk  # noqa: E402
import junit_runner  # noqa: E402

TABLE = """\
// Kernel table of the f32-vfoo family: TWOPASS_UKERNEL(isa, symbol, element_tile).
#ifndef TWOPASS_UKERNEL
#error "define TWOPASS_UKERNEL"
#endif

TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_u2_nt, 2)
  TWOPASS_UKERNEL(avx512f, twopass_f32_vfoo_ukernel__avx512f_p5_u144_acc3, 144)
TWOPASS_UKERNEL( avx512f , twopass_f32_vfoo_ukernel__avx512f_p5_u16_acc1 , 16 )  // comment
"""

SCALAR_TEMPLATE = """\
#include <stddef.h>

void ${UKERNEL}(size_t batch, const float* input, float* output) {
  // ${FAMILY} on ${ISA}, ${TILE} elements per iteration
$if NT:
  // non-temporal stores
$endif
$for I in range(U):
  output[${I}] = input[${I}];
$endfor
}
"""

AVX512F_TEMPLATE = """\
#include <immintrin.h>

$set VECTORS = U // 16
void ${UKERNEL}(size_t batch, const float* input, float* output) {
  // degree-${P} polynomial, ${ACC} accumulator${"s" if ACC > 1 else ""}, ${VECTORS} vectors
  const __m512 vlog2e = _mm512_set1_ps(${hexfloat(1.4426950408889634)});
}
"""

AVX512F_OUTPUT = "src/f32-vfoo/gen/f32-vfoo-avx512f-p5-u144-acc3.cc"
EXPECTED_AVX512F = """\
// Auto-generated file. Do not edit!
//   Template: src/f32-vfoo/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vfoo_ukernel__avx512f_p5_u144_acc3

#include <immintrin.h>

void twopass_f32_vfoo_ukernel__avx512f_p5_u144_acc3(size_t batch, const float* input, \
float* output) {
  // degree-5 polynomial, 3 accumulators, 9 vectors
  const __m512 vlog2e = _mm512_set1_ps(0x1.715476p+0f);
}
"""

OUTPUTS = [
    "src/f32-vfoo/gen/f32-vfoo-avx512f-p5-u144-acc3.cc",
    "src/f32-vfoo/gen/f32-vfoo-avx512f-p5-u16-acc1.cc",
    "src/f32-vfoo/gen/f32-vfoo-scalar-u2-nt.cc",
]


class TreeTestCase(unittest.TestCase):
    """Builds a temporary repository tree with the fake family f32-vfoo."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.root = self.tmp.name
        self.write("src/f32-vfoo/f32-vfoo.inc", TABLE)
        self.write("src/f32-vfoo/scalar.cc.in", SCALAR_TEMPLATE)
        self.write("src/f32-vfoo/avx512f.cc.in", AVX512F_TEMPLATE)
        self.write("src/other/notes.inc", "TWOPASS_UKERNEL(bogus)\n")  # not a family table

    def path(self, relative):
        return os.path.join(self.root, *relative.split("/"))

    def write(self, relative, text):
        os.makedirs(os.path.dirname(self.path(relative)), exist_ok=True)
        with open(self.path(relative), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    def read(self, relative):
        with open(self.path(relative), encoding="utf-8", newline="") as f:
            return f.read()

    def gen_files(self):
        gen = self.path("src/f32-vfoo/gen")
        return sorted(os.listdir(gen)) if os.path.isdir(gen) else []

    def run_tool(self, *args):
        """Runs generate_kernels.main; returns (status, stdout, stderr)."""
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = gk.main(["--root", self.root] + list(args))
        return status, stdout.getvalue(), stderr.getvalue()


class GenerateTest(TreeTestCase):

    def test_generates_all_kernels(self):
        status, stdout, stderr = self.run_tool()
        self.assertEqual((status, stderr), (0, ""))
        self.assertEqual(self.gen_files(), [os.path.basename(p) for p in OUTPUTS])
        self.assertEqual(stdout.splitlines(), [f"wrote {p}" for p in (
            OUTPUTS[2], OUTPUTS[0], OUTPUTS[1])] +
            ["3 generated kernels: 3 written, 0 deleted, 0 unchanged"])
        self.assertEqual(self.read(AVX512F_OUTPUT), EXPECTED_AVX512F)

    def test_scalar_and_flag_kernels(self):
        self.run_tool()
        scalar = self.read(OUTPUTS[2])
        self.assertTrue(scalar.startswith(
            "// Auto-generated file. Do not edit!\n"
            "//   Template: src/f32-vfoo/scalar.cc.in\n"
            "//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh "
            "to regenerate)\n"
            "//   Kernel: twopass_f32_vfoo_ukernel__scalar_u2_nt\n\n#include <stddef.h>\n"),
            scalar)
        self.assertIn("  // f32-vfoo on scalar, 2 elements per iteration\n"
                      "  // non-temporal stores\n"
                      "  output[0] = input[0];\n  output[1] = input[1];\n}\n", scalar)
        self.assertTrue(scalar.endswith("}\n") and not scalar.endswith("\n\n"))
        small = self.read(OUTPUTS[1])
        self.assertIn("  // degree-5 polynomial, 1 accumulator, 1 vectors\n", small)

    def test_kernel_parameters(self):
        kernels = gk.parse_table(self.root, "f32-vfoo")
        self.assertEqual([k.symbol for k in kernels], [
            "twopass_f32_vfoo_ukernel__scalar_u2_nt",
            "twopass_f32_vfoo_ukernel__avx512f_p5_u144_acc3",
            "twopass_f32_vfoo_ukernel__avx512f_p5_u16_acc1"])
        self.assertEqual([k.where for k in kernels], [
            "src/f32-vfoo/f32-vfoo.inc:6", "src/f32-vfoo/f32-vfoo.inc:7",
            "src/f32-vfoo/f32-vfoo.inc:8"])
        self.assertEqual(kernels[1].params(), dict(
            P=5, U=144, ACC=3, ISA="avx512f", FAMILY="f32-vfoo", TILE=144,
            UKERNEL="twopass_f32_vfoo_ukernel__avx512f_p5_u144_acc3"))
        self.assertEqual(kernels[0].params(), dict(
            U=2, NT=True, ISA="scalar", FAMILY="f32-vfoo", TILE=2,
            UKERNEL="twopass_f32_vfoo_ukernel__scalar_u2_nt"))
        self.assertEqual(kernels[1].output, AVX512F_OUTPUT)
        self.assertEqual(kernels[1].template, "src/f32-vfoo/avx512f.cc.in")

    def test_pick_markers_are_kernels(self):
        # The markers of the library's picks (src/twopass/ukernel-table-begin.h) take the
        # same arguments and are generated like plain lines.
        self.write("src/f32-vfoo/f32-vfoo.inc", TABLE + (
            "TWOPASS_UKERNEL_DEFAULT(scalar, twopass_f32_vfoo_ukernel__scalar_u4_nt, 4)\n"
            "TWOPASS_UKERNEL_DEFAULT_NT(avx512f, twopass_f32_vfoo_ukernel__avx512f_p5_u32_acc2, 32)\n"
            "  TWOPASS_UKERNEL_DEFAULT_BOTH (avx512f, "
            "twopass_f32_vfoo_ukernel__avx512f_p5_u48_acc3, 48)  // why\n"))
        kernels = gk.parse_table(self.root, "f32-vfoo")
        self.assertEqual([k.symbol for k in kernels[3:]], [
            "twopass_f32_vfoo_ukernel__scalar_u4_nt",
            "twopass_f32_vfoo_ukernel__avx512f_p5_u32_acc2",
            "twopass_f32_vfoo_ukernel__avx512f_p5_u48_acc3"])
        self.assertEqual(kernels[5].params()["ACC"], 3)
        status, _, stderr = self.run_tool()
        self.assertEqual((status, stderr), (0, ""))
        self.assertEqual(len(self.gen_files()), 6)

    def test_second_run_writes_nothing(self):
        self.run_tool()
        mtime = os.stat(self.path(AVX512F_OUTPUT)).st_mtime_ns
        status, stdout, _ = self.run_tool()
        self.assertEqual(status, 0)
        self.assertEqual(stdout, "3 generated kernels: 0 written, 0 deleted, 3 unchanged\n")
        self.assertEqual(os.stat(self.path(AVX512F_OUTPUT)).st_mtime_ns, mtime)

    def test_extra_gen_file_is_reported_by_check_and_deleted(self):
        self.run_tool()
        stale = "src/f32-vfoo/gen/f32-vfoo-avx2-u8.cc"
        self.write(stale, "// old kernel\n")
        self.write("src/f32-vfoo/gen/README.md", "not a kernel\n")
        status, stdout, _ = self.run_tool("--check")
        self.assertEqual(status, 1)
        self.assertIn(f"extra (no table entry produces it): {stale}\n", stdout)
        status, stdout, _ = self.run_tool()
        self.assertEqual(status, 0)
        self.assertEqual(stdout, f"deleted {stale}\n"
                         "3 generated kernels: 0 written, 1 deleted, 3 unchanged\n")
        self.assertFalse(os.path.exists(self.path(stale)))
        self.assertTrue(os.path.exists(self.path("src/f32-vfoo/gen/README.md")))

    def test_removed_table_entry_deletes_its_kernel(self):
        self.run_tool()
        self.write("src/f32-vfoo/f32-vfoo.inc", TABLE.replace("TWOPASS_UKERNEL(scalar", "// "))
        status, stdout, _ = self.run_tool()
        self.assertEqual(status, 0)
        self.assertEqual(stdout, f"deleted {OUTPUTS[2]}\n"
                         "2 generated kernels: 0 written, 1 deleted, 2 unchanged\n")
        self.assertEqual(self.gen_files(), [os.path.basename(p) for p in OUTPUTS[:2]])

    def test_template_error_exits_2(self):
        self.write("src/f32-vfoo/scalar.cc.in", "a\nb\n${NOPE}\n")
        status, stdout, stderr = self.run_tool()
        self.assertEqual((status, stdout), (2, ""))
        self.assertTrue(stderr.startswith("src/f32-vfoo/scalar.cc.in:3: "), stderr)
        self.assertIn("NameError", stderr)
        self.assertEqual(self.gen_files(), [])  # nothing is written on error

    def test_missing_template(self):
        os.remove(self.path("src/f32-vfoo/scalar.cc.in"))
        status, _, stderr = self.run_tool("--check")
        self.assertEqual(status, 2)
        self.assertRegex(stderr, r"^src/f32-vfoo/f32-vfoo\.inc:6: template "
                                 r"src/f32-vfoo/scalar\.cc\.in .*not found")

    def test_tree_without_tables(self):
        with tempfile.TemporaryDirectory() as empty:
            os.mkdir(os.path.join(empty, "src"))
            self.assertEqual(gk.generate_all(empty), {})
            out = io.StringIO()
            self.assertEqual(gk.check(empty, out), 0)
            self.assertEqual(out.getvalue(), "generated kernels are up to date (0 files)\n")

    def test_root_without_src_is_an_error(self):
        self.root = os.path.join(self.root, "src", "f32-vfoo")
        status, stdout, stderr = self.run_tool("--check")
        self.assertEqual((status, stdout), (2, ""))
        self.assertIn("no src/ folder", stderr)


class CheckTest(TreeTestCase):

    def test_check_passes_after_generation(self):
        self.run_tool()
        status, stdout, stderr = self.run_tool("--check")
        self.assertEqual((status, stdout, stderr),
                         (0, "generated kernels are up to date (3 files)\n", ""))

    def test_check_writes_nothing_and_reports_missing_files(self):
        status, stdout, _ = self.run_tool("--check")
        self.assertEqual(status, 1)
        self.assertEqual(self.gen_files(), [])
        for path in OUTPUTS:
            self.assertIn(f"missing: {path}\n", stdout)
        self.assertTrue(stdout.splitlines()[-1].endswith(
            "run scripts/generate-kernels.sh to regenerate"), stdout)

    def test_hand_edit_fails_check_with_diff(self):
        self.run_tool()
        edited = self.read(AVX512F_OUTPUT).replace("3 accumulators", "4 accumulators")
        self.write(AVX512F_OUTPUT, edited)
        status, stdout, _ = self.run_tool("--check")
        self.assertEqual(status, 1)
        lines = stdout.splitlines()
        self.assertIn(f"--- a/{AVX512F_OUTPUT}", lines)
        self.assertIn(f"+++ b/{AVX512F_OUTPUT}", lines)
        self.assertIn("-  // degree-5 polynomial, 4 accumulators, 9 vectors", lines)
        self.assertIn("+  // degree-5 polynomial, 3 accumulators, 9 vectors", lines)
        self.assertEqual(lines[-1], "1 generated file(s) out of date; "
                                    "run scripts/generate-kernels.sh to regenerate")
        self.assertNotIn("scalar-u2", stdout)
        self.assertNotIn("u16-acc1", stdout)
        # Regeneration repairs the file.
        status, stdout, _ = self.run_tool()
        self.assertEqual(stdout.splitlines()[0], f"wrote {AVX512F_OUTPUT}")
        self.assertEqual(self.read(AVX512F_OUTPUT), EXPECTED_AVX512F)

    def test_line_ending_only_difference_is_reported(self):
        self.run_tool()
        self.write(AVX512F_OUTPUT, EXPECTED_AVX512F.replace("\n", "\r\n"))
        status, stdout, _ = self.run_tool("--check")
        self.assertEqual(status, 1)
        self.assertIn(f"differs: {AVX512F_OUTPUT} (line endings or final newline only)",
                      stdout)

    def test_template_change_fails_check(self):
        self.run_tool()
        self.write("src/f32-vfoo/scalar.cc.in", SCALAR_TEMPLATE.replace("output[", "out["))
        status, stdout, _ = self.run_tool("--check")
        self.assertEqual(status, 1)
        self.assertIn("+  out[1] = input[1];", stdout.splitlines())

    def test_command_line_from_another_directory(self):
        self.run_tool()
        script = os.path.join(TOOLS_DIR, "generate_kernels.py")
        result = subprocess.run([sys.executable, script, "--check", "--root", self.root],
                                cwd=self.path("src"), capture_output=True, text=True,
                                check=False)
        self.assertEqual((result.returncode, result.stdout, result.stderr),
                         (0, "generated kernels are up to date (3 files)\n", ""))


class TableValidationTest(TreeTestCase):
    """Each invalid table entry is reported as '<table>:<line>: ...' with status 2."""

    def assertTableError(self, entry, pattern):
        self.write("src/f32-vfoo/f32-vfoo.inc", TABLE + "\n" + entry + "\n")
        with self.assertRaises(gk.TableError) as context:
            gk.generate_all(self.root)
        message = str(context.exception)
        self.assertTrue(message.startswith("src/f32-vfoo/f32-vfoo.inc:10: "), message)
        self.assertRegex(message, pattern)
        status, stdout, stderr = self.run_tool("--check")
        self.assertEqual((status, stdout, stderr), (2, "", message + "\n"))

    def test_isa_mismatch(self):
        self.assertTableError("TWOPASS_UKERNEL(avx2, twopass_f32_vfoo_ukernel__avx512f_u16, 16)",
                              "ISA argument 'avx2' does not match the ISA 'avx512f'")

    def test_unknown_isa(self):
        self.assertTableError("TWOPASS_UKERNEL(neon, twopass_f32_vfoo_ukernel__neon_u4, 4)",
                              "unknown ISA 'neon'")

    def test_family_prefix_mismatch(self):
        self.assertTableError(
            "TWOPASS_UKERNEL(sse2, twopass_f32_vbar_ukernel__sse2_u4, 4)",
            "does not belong to family f32-vfoo: expected the prefix "
            "twopass_f32_vfoo_ukernel__")

    def test_unroll_token_disagrees_with_tile(self):
        self.assertTableError(
            "TWOPASS_UKERNEL(avx2, twopass_f32_vfoo_ukernel__avx2_p5_u32, 16)",
            "element tile 16 of twopass_f32_vfoo_ukernel__avx2_p5_u32 disagrees with "
            "its token u32")

    def test_duplicate_symbol(self):
        self.assertTableError(
            "TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_u2_nt, 2)",
            r"duplicate kernel twopass_f32_vfoo_ukernel__scalar_u2_nt \(first listed at "
            r"src/f32-vfoo/f32-vfoo\.inc:6\)")

    def test_unparsable_entries(self):
        for entry in ("TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_u2)",
                      "TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_u2, two)",
                      "TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_u2, 2",
                      "TWOPASS_UKERNEL(scalar twopass_f32_vfoo_ukernel__scalar_u2 2)"):
            with self.subTest(entry=entry):
                self.assertTableError(entry, "cannot parse kernel entry")

    def test_bad_tokens(self):
        self.assertTableError("TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_5u, 5)",
                              "bad token '5u'")
        self.assertTableError("TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar__u2, 2)",
                              "bad token ''")
        self.assertTableError(
            "TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_u2_u4, 2)",
            "token 'u4' .* redefines parameter U")
        self.assertTableError(
            "TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar_tile4, 4)",
            "redefines parameter TILE")

    def test_misspelt_marker(self):
        # Not silently skipped (the kernel would be missing from gen/).
        self.assertTableError(
            "TWOPASS_UKERNEL_DEFALT(scalar, twopass_f32_vfoo_ukernel__scalar_u4, 4)",
            "unknown kernel table macro TWOPASS_UKERNEL_DEFALT")

    def test_zero_tile(self):
        self.assertTableError("TWOPASS_UKERNEL(scalar, twopass_f32_vfoo_ukernel__scalar, 0)",
                              "must be positive")


if __name__ == "__main__":
    junit_runner.main()
