#!/usr/bin/env python3
"""Fails, printing a diff, when a committed generated kernel differs from what
its template and table produce (run under `bazel test`, over the runfiles)."""
import os
import sys

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS_DIR)

import generate_kernels  # noqa: E402


def main():
    root = os.path.dirname(TOOLS_DIR)  # the workspace root inside the runfiles tree
    if not os.path.isdir(os.path.join(root, "src")):
        print(f"check_generated_test: no src/ under {root}", file=sys.stderr)
        return 2
    return generate_kernels.main(["--check", "--root", root])


if __name__ == "__main__":
    sys.exit(main())
