#!/usr/bin/env python3
"""Unit tests for tools/template.py."""

import contextlib
import io
import math
import os
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import junit_runner  # noqa: E402
import template  # noqa: E402
from template import TemplateError, expand, hexfloat  # noqa: E402


def render(text, **params):
    return expand(textwrap.dedent(text), params, "t.cc.in")


class SubstitutionTest(unittest.TestCase):

    def test_parameters_and_expressions(self):
        self.assertEqual(render("void ${UKERNEL}(size_t n) { // ${U * 4} bytes\n",
                                UKERNEL="k_avx2_u8", U=8),
                         "void k_avx2_u8(size_t n) { // 32 bytes\n")

    def test_text_without_substitution_is_kept_verbatim(self):
        self.assertEqual(expand("  a = {b}; // 100% {}\n"), "  a = {b}; // 100% {}\n")

    def test_nested_braces_brackets_and_strings(self):
        self.assertEqual(render('${ {"a": [1, 2]}["a"][1] } ${"}"} ${"{" + "x"}\n'),
                         "2 } {x\n")
        self.assertEqual(render("${'_'.join(f'v{i}' for i in range(N))}\n", N=3),
                         "v0_v1_v2\n")
        self.assertEqual(render("${(lambda d: d['k'])({'k': (1, 2)})[1]}\n"), "2\n")

    def test_several_substitutions_on_one_line(self):
        self.assertEqual(render("${A}${B}-${A+B}\n", A=1, B=2), "12-3\n")

    def test_str_of_values(self):
        self.assertEqual(render("${NT} ${None} ${[1, 2]} ${1.5}\n", NT=True),
                         "True None [1, 2] 1.5\n")

    def test_dollar_escape(self):
        self.assertEqual(render("$$x = ${X}$$$$\n$$ at start\n", X=1), "$x = 1$$\n$ at start\n")

    def test_helpers(self):
        self.assertEqual(
            render("${upper(ISA)} ${lower('AVX')} ${len(range(4))} ${min(3, 2)} "
                   "${max([1, 5])} ${abs(-2)} ${int('7')} ${str(8)} ${bool(0)} "
                   "${list(zip([1], [2]))} ${sorted([3, 1])} ${tuple([1])} "
                   "${any([0, 1])} ${all([])}\n", ISA="avx2"),
            "AVX2 avx 4 2 5 2 7 8 False [(1, 2)] [1, 3] (1,) True True\n")

    def test_defined(self):
        text = '$if defined("NT") and NT\nnt\n$else\nregular\n$endif\n${defined("X")}\n'
        self.assertEqual(expand(text, {"NT": True}), "nt\nFalse\n")
        self.assertEqual(expand(text, {}), "regular\nFalse\n")
        self.assertEqual(expand('$set X = 1\n${defined("X")}\n'), "True\n")

    def test_no_builtins(self):
        for expression in ("open", "__import__('os')", "print", "getattr"):
            with self.subTest(expression=expression):
                with self.assertRaisesRegex(TemplateError, "NameError"):
                    render("${%s}\n" % expression)

    def test_output_ends_with_exactly_one_newline(self):
        self.assertEqual(render("a"), "a\n")
        self.assertEqual(render("a\n\n\n"), "a\n")
        self.assertEqual(render(""), "\n")

    def test_substituted_newlines_split_lines(self):
        self.assertEqual(render("${'a\\nb'}\n"), "a\nb\n")


class ConditionalTest(unittest.TestCase):
    TEMPLATE = """\
        start
        $if X == 1:
        one
        $elif X == 2
          two
        $elif X == 3:
        three ${X}
        $else:
        other
        $endif
        end
        """

    def test_if_elif_else_chain(self):
        for x, middle in ((1, "one"), (2, "  two"), (3, "three 3"), (4, "other")):
            with self.subTest(X=x):
                self.assertEqual(render(self.TEMPLATE, X=x), f"start\n{middle}\nend\n")

    def test_if_without_else(self):
        text = "$if FLAG\nyes\n$endif\n"
        self.assertEqual(render(text, FLAG=True), "yes\n")
        self.assertEqual(render("a\n" + text, FLAG=False), "a\n")

    def test_nested_conditionals_with_free_indentation(self):
        text = """\
            $if A:
                $if B:
            ab
                $else
            a
                $endif
            $elif B
              $if not A
            b
              $endif
            $else
            none
            $endif
            """
        expected = {(1, 1): "ab\n", (1, 0): "a\n", (0, 1): "b\n", (0, 0): "none\n"}
        for (a, b), output in expected.items():
            with self.subTest(A=a, B=b):
                self.assertEqual(render(text, A=a, B=b), output)

    def test_untaken_branch_is_not_evaluated(self):
        self.assertEqual(render("$if False\n${undefined}\n$elif True\nok\n$elif undefined\n"
                                "$endif\n"), "ok\n")


class LoopTest(unittest.TestCase):

    def test_for_loop_with_variable_in_expressions(self):
        text = """\
            $for K in range(ACC):
              __m512 vacc${K} = _mm512_setzero_ps();  // ${K * 16}
            $endfor
            """
        self.assertEqual(render(text, ACC=3),
                         "  __m512 vacc0 = _mm512_setzero_ps();  // 0\n"
                         "  __m512 vacc1 = _mm512_setzero_ps();  // 16\n"
                         "  __m512 vacc2 = _mm512_setzero_ps();  // 32\n")

    def test_nested_loops(self):
        text = """\
            $for I in range(2)
              $for J in range(I, 3):
            ${I}${J} ${I * 3 + J}
              $endfor
            -
            $endfor
            """
        self.assertEqual(render(text), "00 0\n01 1\n02 2\n-\n11 4\n12 5\n-\n")

    def test_loop_with_if_and_unpacking(self):
        text = """\
            $for I, NAME in enumerate(["lo", "hi"]):
              $if I == 0
            first ${NAME}
              $else
            then ${upper(NAME)}
              $endif
            $endfor
            """
        self.assertEqual(render(text), "first lo\nthen HI\n")

    def test_empty_loop(self):
        self.assertEqual(render("a\n$for i in []:\n${i}\n$endfor\nb\n"), "a\nb\n")

    def test_loop_variable_scope(self):
        text = "$set K = 'outer'\n$for K in range(2)\n${K}\n$endfor\n${K}\n"
        self.assertEqual(render(text), "0\n1\nouter\n")
        with self.assertRaisesRegex(TemplateError, r"^t\.cc\.in:4: .*NameError.*'J'"):
            render("$for J in range(2)\n$endfor\n\n${J}\n")


class SetAndCommentTest(unittest.TestCase):

    def test_set(self):
        text = """\
            $set BYTES = U * 4
            $set NAME = "k_" + ISA
            ${NAME}: ${BYTES}
            $set BYTES = BYTES + 1
            ${BYTES}
            """
        self.assertEqual(render(text, U=16, ISA="sse2"), "k_sse2: 64\n65\n")

    def test_set_inside_if_is_visible_afterwards(self):
        self.assertEqual(render("$if True\n$set X = 5\n$endif\n${X}\n"), "5\n")

    def test_set_inside_loop_body(self):
        text = "$for I in range(3)\n  $set SQ = I * I\n${SQ}\n$endfor\n"
        self.assertEqual(render(text), "0\n1\n4\n")

    def test_comments_are_dropped(self):
        self.assertEqual(render("$# a comment ${not evaluated} $ stray\na\n  $#indented\nb\n"),
                         "a\nb\n")


class BlankLineTest(unittest.TestCase):

    def test_blank_lines_from_directives_are_kept_up_to_two(self):
        text = "a\n\n$if True\n\n$endif\nb\n"
        self.assertEqual(render(text), "a\n\n\nb\n")

    def test_runs_of_more_than_two_blank_lines_collapse_to_two(self):
        self.assertEqual(render("a\n\n\n\n\nb\n\n\n\nc\n"), "a\n\n\nb\n\n\nc\n")
        text = "a\n\n$for i in range(4)\n\n$endfor\nb\n"
        self.assertEqual(render(text), "a\n\n\nb\n")


class HexFloatTest(unittest.TestCase):

    def test_values(self):
        self.assertEqual(hexfloat(1.0), "0x1.000000p+0f")
        self.assertEqual(hexfloat(1), "0x1.000000p+0f")
        self.assertEqual(hexfloat(math.log(2)), "0x1.62e430p-1f")
        self.assertEqual(hexfloat(0.6931471805599453), "0x1.62e430p-1f")
        self.assertEqual(hexfloat(-0.5), "-0x1.000000p-1f")
        self.assertEqual(hexfloat(0.0), "0x0.000000p+0f")
        self.assertEqual(hexfloat(-0.0), "-0x0.000000p+0f")
        self.assertEqual(hexfloat(1.0 / math.log(2)), "0x1.715476p+0f")  # log2(e)
        self.assertEqual(hexfloat(float.fromhex("0x1.715476p+0")), "0x1.715476p+0f")
        self.assertEqual(hexfloat(127.0), "0x1.fc0000p+6f")
        self.assertEqual(hexfloat(2.0 ** -149), "0x1.000000p-149f")  # float32 subnormal

    def test_rounds_to_binary32(self):
        self.assertEqual(hexfloat(1.0 + 2.0 ** -30), "0x1.000000p+0f")
        self.assertEqual(hexfloat(1.0 / 3.0), "0x1.555556p-2f")

    def test_value_round_trips(self):
        for x in (math.log(2), -math.e, 1e-3, 12345.678):
            with self.subTest(x=x):
                literal = hexfloat(x)
                self.assertRegex(literal, r"^-?0x1\.[0-9a-f]{6}p[+-]\d+f$")
                value = float.fromhex(literal[:-1])
                self.assertLessEqual(abs(value - x), abs(x) * 2.0 ** -24)
                self.assertEqual(hexfloat(value), literal)

    def test_non_finite_is_an_error(self):
        with self.assertRaises(ValueError):
            hexfloat(float("inf"))
        with self.assertRaisesRegex(TemplateError, r"^t\.cc\.in:1: .*hexfloat"):
            render("${hexfloat(float_nan)}\n", float_nan=float("nan"))

    def test_in_template(self):
        self.assertEqual(render("const float vln2 = ${hexfloat(LN2)};\n", LN2=math.log(2)),
                         "const float vln2 = 0x1.62e430p-1f;\n")


class ErrorTest(unittest.TestCase):
    """Each error names the template and the 1-based line at fault."""

    PREAMBLE = "a\n$if True\nb\n$for i in range(2)\n${i}\n$endfor\n"  # lines 1-6

    def assertError(self, line7, expected_line, pattern, tail="$endif\n"):
        text = self.PREAMBLE + line7 + "\n" + tail
        with self.assertRaises(TemplateError) as context:
            expand(text, {}, "kernels/t.cc.in")
        message = str(context.exception)
        self.assertTrue(message.startswith(f"kernels/t.cc.in:{expected_line}: "), message)
        self.assertRegex(message, pattern)

    def test_bad_expression_syntax(self):
        self.assertError("x = ${1 +};", 7, r"invalid expression '1 \+'")
        self.assertError("${}", 7, "invalid expression")
        self.assertError("$if 1 +", 7, "invalid expression")
        self.assertError("$set X = )", 7, "invalid expression")

    def test_evaluation_errors(self):
        self.assertError("x = ${undefined_name};", 7, "NameError: name 'undefined_name'")
        self.assertError("${1 // 0}", 7, "ZeroDivisionError")
        self.assertError("$if nope", 7, "NameError", tail="$endif\n$endif\n")
        self.assertError("$set X = [][1]", 7, "IndexError")
        self.assertError("$for i in 5", 7, "not iterable", tail="$endfor\n$endif\n")
        self.assertError("$for a, b in [(1, 2, 3)]", 7, "cannot unpack",
                         tail="$endfor\n$endif\n")

    def test_elif_error_reports_its_own_line(self):
        with self.assertRaisesRegex(TemplateError, r"^t\.cc\.in:3: .*NameError"):
            render("$if False\nx\n$elif missing\ny\n$endif\n")

    def test_unknown_directive(self):
        self.assertError("$include foo", 7, r"unknown directive '\$include'")
        self.assertError("  $iff x", 7, r"unknown directive '\$iff'")

    def test_stray_dollar(self):
        self.assertError("x = $y;", 7, r"stray '\$' at column 5")
        self.assertError("cost: 5$", 7, r"stray '\$'")
        self.assertError("$ if x", 7, r"stray '\$'")

    def test_unterminated_substitution(self):
        self.assertError("x = ${foo(1, 2);", 7, r"unterminated '\$\{'")
        self.assertError("x = ${'}';", 7, r"unterminated '\$\{'")

    def test_closers_without_opener(self):
        for directive in ("$elif X", "$else", "$endif", "$endfor"):
            with self.subTest(directive=directive):
                with self.assertRaisesRegex(
                        TemplateError, r"^t\.cc\.in:2: \$\w+ without matching \$(if|for)"):
                    render("a\n" + directive + "\n")

    def test_mismatched_closer(self):
        self.assertError("$endfor", 7,
                         r"\$endfor without matching \$for \(\$if of line 2 is still open\)")
        with self.assertRaisesRegex(TemplateError, r"^t\.cc\.in:5: \$endif without matching "
                                    r"\$if \(\$for of line 3 is still open\)"):
            render("$if True\na\n$for i in range(2)\n${i}\n$endif\n")

    def test_elif_after_else(self):
        with self.assertRaisesRegex(TemplateError, r"^t\.cc\.in:4: \$elif after \$else"):
            render("$if A\n$else\nx\n$elif B\n$endif\n", A=1, B=1)

    def test_missing_end_reports_opener_line(self):
        with self.assertRaisesRegex(TemplateError,
                                    r"^t\.cc\.in:3: \$for without matching \$endfor"):
            render("$if True\na\n$for i in range(2)\n${i}\n")
        with self.assertRaisesRegex(TemplateError,
                                    r"^t\.cc\.in:2: \$if without matching \$endif"):
            render("x\n$if True\n  $for i in []\n  $endfor\ny\n")

    def test_malformed_headers(self):
        for line in ("$for i range(3)", "$set X", "$set 1X = 2", "$if", "$endif x"):
            with self.subTest(line=line):
                with self.assertRaisesRegex(TemplateError, r"^t\.cc\.in:2: "):
                    render("$if True\n" + line + "\n$endif\n$endif\n")


class CommandLineTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        return path

    def run_main(self, *args):
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = template.main(list(args))
        return status, stdout.getvalue(), stderr.getvalue()

    def test_defines_are_parsed(self):
        path = self.write("k.cc.in", """\
            ${ISA}:${upper(ISA)}
            $if NT and U + 1 == 17
            ${U * 2} ${NAME} ${EXP} ${TUPLE[1]} ${FLAG}
            $endif
            """)
        out = os.path.join(self.dir.name, "out.cc")
        status, stdout, stderr = self.run_main(
            path, "-D", "ISA=avx512f", "-D", "NT=True", "-D", "U=16", "-D", "NAME='q'",
            "-D", "EXP=1e-3", "-D", "TUPLE=(1, 2)", "-D", "FLAG", "-o", out)
        self.assertEqual((status, stdout, stderr), (0, "", ""))
        with open(out, encoding="utf-8") as f:
            self.assertEqual(f.read(), "avx512f:AVX512F\n32 q 0.001 2 True\n")

    def test_bool_false_and_string_fallback(self):
        path = self.write("k.cc.in", "$if NT\nnt\n$else\n${MODE}-${len(MODE)}\n$endif\n")
        status, stdout, _ = self.run_main(path, "-DNT=False", "-DMODE=p5 fast")
        self.assertEqual((status, stdout), (0, "p5 fast-7\n"))

    def test_parse_define(self):
        self.assertEqual(template.parse_define("U=144"), ("U", 144))
        self.assertEqual(template.parse_define("NT=True"), ("NT", True))
        self.assertEqual(template.parse_define("ISA=avx2"), ("ISA", "avx2"))
        self.assertEqual(template.parse_define("S='x y'"), ("S", "x y"))
        self.assertEqual(template.parse_define("E="), ("E", ""))
        with self.assertRaises(ValueError):
            template.parse_define("1X=2")

    def test_error_goes_to_stderr_with_status_1(self):
        path = self.write("bad.cc.in", "a\nb\n${oops}\n")
        status, stdout, stderr = self.run_main(path)
        self.assertEqual((status, stdout), (1, ""))
        self.assertTrue(stderr.startswith(f"{path}:3: "), stderr)
        self.assertIn("NameError", stderr)

    def test_missing_template_file(self):
        status, _, stderr = self.run_main(os.path.join(self.dir.name, "nope.cc.in"))
        self.assertEqual(status, 1)
        self.assertIn("nope.cc.in", stderr)


if __name__ == "__main__":
    junit_runner.main()
