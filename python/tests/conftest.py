"""Makes python/ importable when the package is built in place (not installed), and
prints the accuracy comparisons the tests record at the end of the run."""
import os
import sys

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _PACKAGE_ROOT not in sys.path:
    sys.path.insert(0, _PACKAGE_ROOT)

REPORT = []


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("twopass accuracy")
        for line in REPORT:
            terminalreporter.write_line(line)
