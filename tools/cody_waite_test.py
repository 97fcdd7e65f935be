#!/usr/bin/env python3
"""Fails when src/twopass/exp-constants.h disagrees with what tools/cody_waite.py
derives (run under `bazel test`, over the runfiles)."""
import os
import sys

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS_DIR)

import cody_waite  # noqa: E402


def main():
    root = os.path.dirname(TOOLS_DIR)  # the workspace root inside the runfiles tree
    header = os.path.join(root, "src", "twopass", "exp-constants.h")
    return cody_waite.main(["--check-header", header])


if __name__ == "__main__":
    sys.exit(main())
