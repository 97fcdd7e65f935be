#!/usr/bin/env python3
"""Regenerates every TwoPass microkernel from the kernel tables.

Each family folder src/<family>/ holds a hand-written table src/<family>/<family>.inc
with lines `TWOPASS_UKERNEL(isa, symbol, element_tile)` (any other line is ignored)
and one template per ISA, src/<family>/<isa>.cc.in. The markers of the library's
picks, TWOPASS_UKERNEL_DEFAULT, _DEFAULT_NT and _DEFAULT_BOTH (see
src/twopass/ukernel-table-begin.h), take the same arguments and are generated like
any other line; a misspelt TWOPASS_UKERNEL* name is an error. A symbol looks like
`twopass_<dtype>_<op>_ukernel__<isa>[_<token>]*` where `<dtype>_<op>` is the family
name with `-` replaced by `_`; each token `<letters><digits>` becomes the template
parameter LETTERS=int(digits) (or True without digits): p5 -> P=5, u144 -> U=144,
acc3 -> ACC=3, nt -> NT=True. ISA, UKERNEL, FAMILY and TILE are passed as well.
The kernel is written to src/<family>/gen/<family>-<isa>[-<token>]*.cc.

    python3 tools/generate_kernels.py [--root DIR]          regenerate; write changed
                                                            files, delete stale ones
    python3 tools/generate_kernels.py --check [--root DIR]  compare only; exit 1 if
                                                            anything is out of date
Table or template errors exit with status 2. Only *.cc files in the gen/ folders of
families that have a table are ever written or deleted.
"""

import argparse
import difflib
import os
import re
import sys

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
if TOOLS_DIR not in sys.path:
    sys.path.insert(0, TOOLS_DIR)

import template  # noqa: E402  (located via the sys.path entry above)
from template import TemplateError  # noqa: E402

ISAS = ("scalar", "sse2", "avx2", "avx512f")
RESERVED_PARAMS = ("ISA", "UKERNEL", "FAMILY", "TILE")
REGENERATE_HINT = "run scripts/generate-kernels.sh to regenerate"

ENTRY_MACROS = ("TWOPASS_UKERNEL", "TWOPASS_UKERNEL_DEFAULT", "TWOPASS_UKERNEL_DEFAULT_NT",
                "TWOPASS_UKERNEL_DEFAULT_BOTH")
# Any TWOPASS_UKERNEL* call starts an entry, so that a misspelt marker is an error
# rather than a kernel silently left out.
_ENTRY_START = re.compile(r"\s*(TWOPASS_UKERNEL\w*)\s*\(")
_ENTRY = re.compile(r"\s*\w+\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*(\d+)\s*\)\s*(//.*)?\Z")
_TOKEN = re.compile(r"([a-z]+)(\d*)\Z")

HEADER = """\
// Auto-generated file. Do not edit!
//   Template: {template}
//   Generator: tools/generate_kernels.py ({hint})
//   Kernel: {symbol}

"""


class TableError(Exception):
    """An invalid kernel table entry; the message starts with '<table>:<line>: '."""


class Kernel:
    """One TWOPASS_UKERNEL entry of a family table."""

    def __init__(self, family, isa, symbol, tile, tokens, where):
        self.family, self.isa, self.symbol, self.tile = family, isa, symbol, tile
        self.tokens = tokens  # [(token, name, value)]
        self.where = where  # "<table>:<line>"
        self.template = f"src/{family}/{isa}.cc.in"
        self.output = f"src/{family}/gen/{'-'.join([family, isa] + [t for t, _, _ in tokens])}.cc"

    def params(self):
        params = {name: value for _, name, value in self.tokens}
        params.update(ISA=self.isa, UKERNEL=self.symbol, FAMILY=self.family, TILE=self.tile)
        return params


def default_root():
    """The repository root: the Bazel workspace under `bazel run`, else the parent of tools/."""
    return os.environ.get("BUILD_WORKSPACE_DIRECTORY") or os.path.dirname(TOOLS_DIR)


def find_families(root):
    """Sorted names of the folders src/<family>/ that contain src/<family>/<family>.inc."""
    src = os.path.join(root, "src")
    if not os.path.isdir(src):
        return []
    return sorted(name for name in os.listdir(src)
                  if os.path.isfile(os.path.join(src, name, name + ".inc")))


def parse_table(root, family):
    """Parses and validates src/<family>/<family>.inc; returns its Kernels in order."""
    table = f"src/{family}/{family}.inc"
    kernels, seen = [], {}
    with open(os.path.join(root, table), encoding="utf-8") as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        if not _ENTRY_START.match(line):
            continue
        where = f"{table}:{number}"
        try:
            kernel = _parse_entry(family, line, where)
        except ValueError as e:
            raise TableError(f"{where}: {e}") from None
        if kernel.symbol in seen:
            raise TableError(f"{where}: duplicate kernel {kernel.symbol} "
                             f"(first listed at {seen[kernel.symbol]})")
        seen[kernel.symbol] = where
        kernels.append(kernel)
    return kernels


def _parse_entry(family, line, where):
    """Parses one TWOPASS_UKERNEL line into a Kernel; raises ValueError if invalid."""
    macro = _ENTRY_START.match(line).group(1)
    if macro not in ENTRY_MACROS:
        raise ValueError(f"unknown kernel table macro {macro} (expected one of "
                         f"{', '.join(ENTRY_MACROS)})")
    match = _ENTRY.match(line)
    if not match:
        raise ValueError(f"cannot parse kernel entry {line.strip()!r}; "
                         "expected TWOPASS_UKERNEL(isa, symbol, element_tile)")
    isa, symbol, tile = match.group(1), match.group(2), int(match.group(3))
    if isa not in ISAS:
        raise ValueError(f"unknown ISA {isa!r} (expected one of {', '.join(ISAS)})")
    if tile <= 0:
        raise ValueError(f"element tile of {symbol} must be positive")
    prefix = f"twopass_{family.replace('-', '_')}_ukernel__"
    if not symbol.startswith(prefix):
        raise ValueError(f"symbol {symbol} does not belong to family {family}: "
                         f"expected the prefix {prefix}")
    symbol_isa, *names = symbol[len(prefix):].split("_")
    if symbol_isa != isa:
        raise ValueError(f"ISA argument {isa!r} does not match the ISA {symbol_isa!r} "
                         f"of {symbol}")
    tokens, params = [], {}
    for token in names:
        token_match = _TOKEN.match(token)
        if not token_match:
            raise ValueError(f"bad token {token!r} in {symbol}: expected lowercase "
                             "letters followed by optional digits")
        name, digits = token_match.group(1).upper(), token_match.group(2)
        if name in RESERVED_PARAMS or name in params:
            raise ValueError(f"token {token!r} in {symbol} redefines parameter {name}")
        params[name] = int(digits) if digits else True
        tokens.append((token, name, params[name]))
    if "U" in params and params["U"] != tile:
        raise ValueError(f"element tile {tile} of {symbol} disagrees with its token "
                         f"u{params['U']}")
    return Kernel(family, isa, symbol, tile, tokens, where)


def generate_all(root):
    """Returns {output path relative to root: content} for every kernel of every table."""
    files, templates = {}, {}
    for family in find_families(root):
        for kernel in parse_table(root, family):
            if kernel.template not in templates:
                path = os.path.join(root, kernel.template)
                if not os.path.isfile(path):
                    raise TableError(f"{kernel.where}: template {kernel.template} "
                                     f"for {kernel.symbol} not found")
                with open(path, encoding="utf-8") as f:
                    templates[kernel.template] = template.Template(f.read(), kernel.template)
            header = HEADER.format(template=kernel.template, hint=REGENERATE_HINT,
                                   symbol=kernel.symbol)
            files[kernel.output] = header + templates[kernel.template].render(kernel.params())
    return files


def existing_outputs(root):
    """Relative paths of the *.cc files in the gen/ folders of all families."""
    found = []
    for family in find_families(root):
        gen = os.path.join(root, "src", family, "gen")
        if os.path.isdir(gen):
            found += [f"src/{family}/gen/{name}" for name in os.listdir(gen)
                      if name.endswith(".cc") and os.path.isfile(os.path.join(gen, name))]
    return sorted(found)


def _read(root, path):
    """File content with line endings preserved, or None if it does not exist."""
    try:
        with open(os.path.join(root, path), encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None


def regenerate(root, out=None):
    """Writes changed kernels, deletes stale ones, prints what it did. Returns 0."""
    out = out or sys.stdout
    files = generate_all(root)
    written = deleted = 0
    for path, content in files.items():
        if _read(root, path) != content:
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w", encoding="utf-8", newline="\n") as f:
                f.write(content)
            print(f"wrote {path}", file=out)
            written += 1
    for path in existing_outputs(root):
        if path not in files:
            os.remove(os.path.join(root, path))
            print(f"deleted {path}", file=out)
            deleted += 1
    print(f"{len(files)} generated kernels: {written} written, {deleted} deleted, "
          f"{len(files) - written} unchanged", file=out)
    return 0


def check(root, out=None):
    """Compares generated kernels with the files on disk. Returns 0 if equal, else 1."""
    out = out or sys.stdout
    files = generate_all(root)
    problems = 0
    for path, content in files.items():
        current = _read(root, path)
        if current == content:
            continue
        problems += 1
        if current is None:
            print(f"missing: {path}", file=out)
            continue
        diff = list(difflib.unified_diff(current.splitlines(), content.splitlines(),
                                         f"a/{path}", f"b/{path}", lineterm=""))
        for line in diff or [f"differs: {path} (line endings or final newline only)"]:
            print(line, file=out)
    for path in existing_outputs(root):
        if path not in files:
            problems += 1
            print(f"extra (no table entry produces it): {path}", file=out)
    if problems:
        print(f"{problems} generated file(s) out of date; {REGENERATE_HINT}", file=out)
        return 1
    print(f"generated kernels are up to date ({len(files)} files)", file=out)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Regenerates the TwoPass microkernels.")
    parser.add_argument("--root", default=None,
                        help="repository root (default: the parent of tools/)")
    parser.add_argument("--check", action="store_true",
                        help="only compare with the files on disk; exit 1 if out of date")
    args = parser.parse_args(argv)
    root = args.root or default_root()
    if not os.path.isdir(os.path.join(root, "src")):
        print(f"{root}: no src/ folder here; --root must be the repository root",
              file=sys.stderr)
        return 2
    try:
        return check(root) if args.check else regenerate(root)
    except (TemplateError, TableError, OSError) as e:
        print(e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
