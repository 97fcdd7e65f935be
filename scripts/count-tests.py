#!/usr/bin/env python3
"""Counts test cases of a `bazel test` run and prints `N passed, N failed, N skipped`.

Reads the per-target summary lines that bazel printed (a log file) to learn the
status of every test target, then the JUnit XML each target wrote under
bazel-testlogs/. A target without a usable XML report, or one that failed to
build, timed out or has no status, counts as one failed test case.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

STATUS_LINE = re.compile(
    r"^(//\S+)\s+(?:\(cached\)\s+)?(PASSED|FAILED TO BUILD|FAILED|TIMEOUT|NO STATUS|FLAKY|INCOMPLETE|SKIPPED)\b")


def count_xml(path):
    passed = failed = skipped = 0
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("result") in ("skipped", "suppressed") or case.get("status") == "notrun" \
                or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main():
    log_path, testlogs = sys.argv[1], sys.argv[2]
    targets = {}
    with open(log_path, errors="replace") as log:
        for line in log:
            match = STATUS_LINE.match(line.strip())
            if match:
                targets[match.group(1)] = match.group(2)
    passed = failed = skipped = 0
    for target, status in sorted(targets.items()):
        package, name = target[2:].split(":")
        xml_path = os.path.join(testlogs, package, name, "test.xml")
        if status in ("PASSED", "FAILED", "FLAKY") and os.path.isfile(xml_path):
            try:
                p, f, s = count_xml(xml_path)
            except ET.ParseError:
                p, f, s = 0, 1, 0
            if status != "PASSED" and f == 0:
                f = 1  # the binary failed outside any test case (crash, exit code)
            if p + f + s == 0:
                f = 1
        else:
            p, f, s = 0, 1, 0
        if f:
            print(f"count-tests: {target}: {status}, {f} failed case(s)", file=sys.stderr)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if not targets:
        failed += 1
        print("count-tests: no test target reported a status", file=sys.stderr)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
