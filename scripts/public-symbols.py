#!/usr/bin/env python3
"""The public ABI of TwoPass, read from include/twopass.h.

Every function declared in the public header is part of the ABI; nothing else is.
The shared library is linked with a version script made from this list (Bazel) or
compiled with hidden visibility so that only TWOPASS_API functions stay visible
(CMake); `check` verifies either way by listing what a built library exports.

    public-symbols.py list HEADER                  one function name per line
    public-symbols.py version-script HEADER        GNU ld version script on stdout
    public-symbols.py anchors HEADER               C file that references every function
    public-symbols.py check HEADER LIBRARY.so      exit 1 unless the library exports
                                                   exactly the header's functions, has
                                                   the SONAME libtwopass.so.<MAJOR> and
                                                   runs no global constructor
Standard library only; `check` runs nm and readelf (binutils).
"""

import re
import subprocess
import sys

# A declaration at file scope: optional TWOPASS_API, return type, name, '('.
DECLARATION = re.compile(r"^\s*(TWOPASS_API\s+)?[A-Za-z_][\w\s\*]*?\b(twopass_\w+)\s*\(",
                         re.MULTILINE)


def strip_comments_and_directives(text):
    # Comments first (a directive line inside a comment is not a directive), then
    # preprocessor lines with their continuations.
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.DOTALL)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", "", text, flags=re.MULTILINE)
    return text


def declarations(header_path):
    """[(name, has_api_macro)] in header order."""
    with open(header_path, encoding="utf-8") as header:
        text = strip_comments_and_directives(header.read())
    found = []
    # Only statements at brace depth 0 or inside extern "C" { } are declarations;
    # enum/struct bodies hold no '(' in this header, so a plain scan is enough.
    for match in DECLARATION.finditer(text):
        found.append((match.group(2), match.group(1) is not None))
    names = [name for name, _ in found]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        sys.exit(f"public-symbols: declared more than once: {', '.join(duplicates)}")
    if not found:
        sys.exit(f"public-symbols: no twopass_* function found in {header_path}")
    return found


def version_script(names):
    lines = ["/* Generated from include/twopass.h by scripts/public-symbols.py. */", "{",
             "  global:"]
    lines += [f"    {name};" for name in names]
    lines += ["  local:", "    *;", "};"]
    return "\n".join(lines) + "\n"


def anchors(names):
    # A shared library linked from static archives only pulls in the archive members
    # that something references; this table is that reference. It is static, so the
    # version script's "local: *" keeps it out of the dynamic symbol table.
    lines = ["/* Generated from include/twopass.h by scripts/public-symbols.py: makes the",
             "   linker keep every public function in the shared library. */",
             "#include \"twopass.h\"", "",
             "typedef void (*twopass_public_function)(void);", "",
             "__attribute__((used)) static const twopass_public_function",
             "    twopass_public_functions[] = {"]
    lines += [f"        (twopass_public_function) &{name}," for name in names]
    lines += ["};"]
    return "\n".join(lines) + "\n"


def version_major(header_path):
    with open(header_path, encoding="utf-8") as header:
        match = re.search(r"^#define TWOPASS_VERSION_MAJOR (\d+)", header.read(), re.MULTILINE)
    if not match:
        sys.exit(f"public-symbols: no TWOPASS_VERSION_MAJOR in {header_path}")
    return int(match.group(1))


def soname(library):
    output = subprocess.run(["readelf", "-d", library], check=True, capture_output=True,
                            text=True).stdout
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", output)
    return match.group(1) if match else None


def global_constructors(library):
    # g++ names the dynamic initializer of a translation unit _GLOBAL__sub_I_<file>.
    # Only visible while the static symbol table is there (not after strip).
    result = subprocess.run(["nm", library], capture_output=True, text=True)
    return sorted({line.split()[-1] for line in result.stdout.splitlines()
                   if "_GLOBAL__sub_I_" in line or "_GLOBAL__I_" in line})


def exported_symbols(library):
    output = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                            capture_output=True, text=True).stdout
    symbols = set()
    for line in output.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        # "ADDRESS TYPE NAME[@VERSION]"; version definitions (type A) are not symbols.
        kind, name = fields[-2], fields[-1].split("@")[0]
        if kind != "A":
            symbols.add(name)
    return symbols


def check(header, library):
    found = declarations(header)
    declared = {name for name, _ in found}
    exported = exported_symbols(library)
    problems = []
    for name, has_macro in found:
        if not has_macro:
            problems.append(f"{name}: declared without TWOPASS_API (hidden in CMake builds)")
    for name in sorted(exported - declared):
        why = "internal kernel" if "ukernel" in name else "not in the public header"
        if not name.startswith("twopass_"):
            why = "no twopass_ prefix"
        problems.append(f"{name}: exported but {why}")
    for name in sorted(declared - exported):
        problems.append(f"{name}: declared in the header but not exported")
    expected_soname = f"libtwopass.so.{version_major(header)}"
    if soname(library) != expected_soname:
        problems.append(f"SONAME is {soname(library)}, expected {expected_soname}")
    for name in global_constructors(library):
        problems.append(f"{name}: global constructor (initialization must be lazy)")
    for problem in problems:
        print(f"public-symbols: {library}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"public-symbols: {library}: exports exactly the {len(declared)} functions "
          f"of {header}, SONAME {expected_soname}, no global constructor")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "list":
        print("\n".join(name for name, _ in declarations(argv[2])))
        return 0
    if len(argv) == 3 and argv[1] == "version-script":
        sys.stdout.write(version_script([name for name, _ in declarations(argv[2])]))
        return 0
    if len(argv) == 3 and argv[1] == "anchors":
        sys.stdout.write(anchors([name for name, _ in declarations(argv[2])]))
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
