#!/usr/bin/env python3
"""Template preprocessor for TwoPass microkernel templates (src/<family>/<isa>.cc.in).

Templates are line-oriented. A *directive line* is a line whose first non-blank
characters are `$` followed by a keyword; the whole line is consumed and
produces no output. Indentation of directive lines is free and not significant.

    $if EXPR            conditional; `$elif EXPR`, `$else` and `$endif` as usual
    $for NAME in EXPR   repeat the body for each item of the Python iterable EXPR,
    $endfor             e.g. `$for K in range(ACC)`; `$for I, X in enumerate(...)`
                        unpacks. Loops nest; the body runs in its own scope, so the
                        loop variable and any `$set` inside it vanish after `$endfor`
    $set NAME = EXPR    define or overwrite NAME in the current scope
    $# anything         template comment, dropped

A trailing `:` after an `$if`/`$elif`/`$else`/`$for` header is optional and ignored.

Every other line is a *text line* and is emitted with `${EXPR}` replaced by
`str()` of the value of the Python expression EXPR (which may contain nested
brackets, braces and string literals) and `$$` replaced by a literal `$`. Any
other `$` is an error, as is a line starting with `$` plus an unknown keyword.

Expressions are evaluated with `eval` without builtins. Visible names: the
template parameters, loop and `$set` variables, and the helpers
    range len min max abs int str bool enumerate zip sorted list tuple any all
    hexfloat(x)  C99 hex-float literal of x rounded to binary32, e.g. "0x1.62e430p-1f"
    upper(s), lower(s)
    defined("NAME")  True when NAME is a parameter or variable, e.g. optional
                     flag tokens: `$if defined("NT") and NT`
Using a name that is not defined is an error.

Output lines are joined with "\\n"; runs of more than two blank lines are collapsed
to two, trailing blank lines are dropped and the output ends with exactly one
newline. Every problem raises TemplateError with a message "<path>:<line>: ...".

Command line:
    python3 tools/template.py TEMPLATE [-D NAME=VALUE ...] [-o OUTPUT]
VALUE is parsed with ast.literal_eval when possible (3, True, 'x', (1, 2)) and
kept as a plain string otherwise; `-D NAME` alone means NAME=True.
"""

import argparse
import ast
import collections
import math
import re
import struct
import sys


class TemplateError(Exception):
    """A template problem; the message starts with '<path>:<line>: '."""


def hexfloat(x):
    """Returns the C99 hex-float literal (with `f` suffix) of x rounded to binary32."""
    value = struct.unpack("<f", struct.pack("<f", float(x)))[0]
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"hexfloat: {x!r} is not a finite float")
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0.0:
        return sign + "0x0.000000p+0f"
    mantissa, exponent = abs(value).hex()[2:].split("p")  # e.g. "1.62e4300000000", "-1"
    lead, fraction = mantissa.split(".")
    # A binary32 value has at most 24 significant bits: 1 + 6 hex digits suffice.
    return f"{sign}0x{lead}.{fraction[:6]}p{int(exponent):+d}f"


def upper(s):
    return str(s).upper()


def lower(s):
    return str(s).lower()


HELPERS = {
    "range": range, "len": len, "min": min, "max": max, "abs": abs, "int": int,
    "str": str, "bool": bool, "enumerate": enumerate, "zip": zip, "sorted": sorted,
    "list": list, "tuple": tuple, "any": any, "all": all,
    "hexfloat": hexfloat, "upper": upper, "lower": lower,
}

_DIRECTIVE = re.compile(r"\$(#|[A-Za-z_]\w*)(.*)\Z", re.S)
_FOR = re.compile(r"([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\s+(\S.*)\Z", re.S)
_SET = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)\s*(\S.*)\Z", re.S)


# Parsed template nodes; `body` is a list of nodes, `parts` mixes str and _Expr.
_Expr = collections.namedtuple("_Expr", "source code")
_Text = collections.namedtuple("_Text", "line parts")
_Set = collections.namedtuple("_Set", "line name expr")
_For = collections.namedtuple("_For", "line names expr body")
_If = collections.namedtuple("_If", "line branches")  # [(line, expr or None for $else, body)]


def _kind(node):
    return "if" if isinstance(node, _If) else "for"


def _closing_brace(text, start):
    """Index of the `}` closing a `${` whose expression starts at `start`, or -1."""
    depth, i, quote = 0, start, None
    while i < len(text):
        if quote:
            if text[i] == "\\":
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif text[i] in "'\"":
            quote = text[i] * 3 if text[i:i + 3] == text[i] * 3 else text[i]
            i += len(quote) - 1
        elif text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            if text[i] == "}" and depth == 0:
                return i
            depth = max(depth - 1, 0)
        i += 1
    return -1


class Template:
    """A parsed template; render(params) expands it."""

    def __init__(self, text, path="<template>"):
        self.path = path
        self._nodes = self._parse(text.splitlines())

    def _error(self, line, message):
        return TemplateError(f"{self.path}:{line}: {message}")

    def _compile(self, source, line):
        source = source.strip()
        try:
            return _Expr(source, compile(source, self.path, "eval"))
        except SyntaxError as e:
            raise self._error(line, f"invalid expression {source!r}: {e.msg}") from None

    # Parsing ----------------------------------------------------------------

    def _parse(self, lines):
        root = []
        stack = [(None, root)]  # (open _If/_For node, body that receives new nodes)
        for number, line in enumerate(lines, 1):
            stripped = line.lstrip()
            top, body = stack[-1]
            if not stripped.startswith("$") or stripped.startswith(("${", "$$")):
                body.append(self._parse_text(line, number))
                continue
            match = _DIRECTIVE.match(stripped)
            if not match:
                raise self._error(number, "stray '$' (write '$$' for a literal '$')")
            keyword, rest = match.group(1), match.group(2).strip()
            if keyword in ("if", "elif", "else", "for") and rest.endswith(":"):
                rest = rest[:-1].rstrip()
            if keyword in ("else", "endif", "endfor") and rest:
                raise self._error(number, f"unexpected text after ${keyword}: {rest!r}")

            if keyword == "#":
                continue
            elif keyword == "if":
                node = _If(number, [(number, self._compile(rest, number), [])])
                body.append(node)
                stack.append((node, node.branches[0][2]))
            elif keyword in ("elif", "else"):
                if not isinstance(top, _If):
                    raise self._error(number, f"${keyword} without matching $if")
                if top.branches[-1][1] is None:
                    raise self._error(number, f"${keyword} after $else "
                                      f"(line {top.branches[-1][0]})")
                condition = self._compile(rest, number) if keyword == "elif" else None
                top.branches.append((number, condition, []))
                stack[-1] = (top, top.branches[-1][2])
            elif keyword == "for":
                match = _FOR.match(rest)
                if not match:
                    raise self._error(number, "expected '$for NAME in EXPR'")
                names = [name.strip() for name in match.group(1).split(",")]
                node = _For(number, names, self._compile(match.group(2), number), [])
                body.append(node)
                stack.append((node, node.body))
            elif keyword in ("endif", "endfor"):
                if not isinstance(top, _If if keyword == "endif" else _For):
                    still_open = "" if top is None else \
                        f" (${_kind(top)} of line {top.line} is still open)"
                    raise self._error(
                        number, f"${keyword} without matching ${keyword[3:]}{still_open}")
                stack.pop()
            elif keyword == "set":
                match = _SET.match(rest)
                if not match:
                    raise self._error(number, "expected '$set NAME = EXPR'")
                body.append(_Set(number, match.group(1), self._compile(match.group(2), number)))
            else:
                raise self._error(number, f"unknown directive '${keyword}'")
        if len(stack) > 1:
            node = stack[-1][0]
            raise self._error(node.line, f"${_kind(node)} without matching $end{_kind(node)}")
        return root

    def _parse_text(self, line, number):
        parts, literal, i = [], "", 0
        while True:
            j = line.find("$", i)
            if j < 0:
                literal += line[i:]
                break
            literal += line[i:j]
            follower = line[j + 1:j + 2]
            if follower == "$":
                literal += "$"
                i = j + 2
            elif follower == "{":
                end = _closing_brace(line, j + 2)
                if end < 0:
                    raise self._error(number, f"unterminated '${{' at column {j + 1}")
                if literal:
                    parts.append(literal)
                    literal = ""
                parts.append(self._compile(line[j + 2:end], number))
                i = end + 1
            else:
                raise self._error(
                    number, f"stray '$' at column {j + 1} (write '$$' for a literal '$')")
        if literal or not parts:
            parts.append(literal)
        return _Text(number, parts)

    # Rendering --------------------------------------------------------------

    def render(self, params=None):
        """Expands the template with the given parameters; returns the text."""
        namespace = dict(HELPERS)
        namespace.update(params or {})
        namespace["__builtins__"] = {}
        namespace["defined"] = lambda name: name in namespace
        lines = []
        self._render(self._nodes, namespace, lines)
        return _tidy(lines)

    def _eval(self, expr, namespace, line):
        try:
            return eval(expr.code, namespace)
        except Exception as e:  # anything raised by template code
            raise self._error(
                line, f"error evaluating {expr.source!r}: {type(e).__name__}: {e}") from None

    def _render(self, nodes, namespace, out):
        for node in nodes:
            if isinstance(node, _Text):
                pieces = [p if isinstance(p, str) else str(self._eval(p, namespace, node.line))
                          for p in node.parts]
                out.extend("".join(pieces).split("\n"))
            elif isinstance(node, _Set):
                namespace[node.name] = self._eval(node.expr, namespace, node.line)
            elif isinstance(node, _If):
                for line, expr, body in node.branches:
                    if expr is None or self._eval(expr, namespace, line):
                        self._render(body, namespace, out)
                        break
            else:
                self._render_for(node, namespace, out)

    def _render_for(self, node, namespace, out):
        iterable = self._eval(node.expr, namespace, node.line)
        try:
            items = list(iterable)
        except Exception as e:
            raise self._error(node.line, f"cannot iterate over {node.expr.source!r}: "
                              f"{type(e).__name__}: {e}") from None
        for item in items:
            try:
                values = [item] if len(node.names) == 1 else list(item)
            except TypeError:
                values = [item]
            if len(values) != len(node.names):
                raise self._error(node.line,
                                  f"cannot unpack {item!r} into {', '.join(node.names)}")
            scope = dict(namespace)  # the loop body runs in its own scope
            scope.update(zip(node.names, values))
            self._render(node.body, scope, out)


def _tidy(lines):
    """Collapses runs of more than two blank lines, ends the text with one newline."""
    kept, blanks = [], 0
    for line in lines:
        blanks = blanks + 1 if not line.strip() else 0
        if blanks <= 2:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept) + "\n"


def expand(text, params=None, path="<template>"):
    """Parses and renders template text in one go."""
    return Template(text, path).render(params)


def expand_file(path, params=None, display_path=None):
    """Expands the template file at `path`; messages name it `display_path`."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return expand(text, params, display_path or path)


def parse_define(definition):
    """Parses a -D argument 'NAME=VALUE' (or 'NAME', meaning True) into (name, value)."""
    name, has_value, value = definition.partition("=")
    name = name.strip()
    if not name.isidentifier():
        raise ValueError(f"invalid parameter name {name!r} in -D {definition}")
    if not has_value:
        return name, True
    try:
        return name, ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return name, value


def main(argv=None):
    parser = argparse.ArgumentParser(description="Expands one TwoPass kernel template.")
    parser.add_argument("template", help="template file (.cc.in)")
    parser.add_argument("-D", dest="defines", action="append", default=[],
                        metavar="NAME=VALUE", help="template parameter (repeatable)")
    parser.add_argument("-o", dest="output", help="output file (default: stdout)")
    args = parser.parse_args(argv)
    params = {}
    for definition in args.defines:
        try:
            name, value = parse_define(definition)
        except ValueError as e:
            parser.error(str(e))
        params[name] = value
    try:
        text = expand_file(args.template, params)
    except (TemplateError, OSError) as e:
        print(e, file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
