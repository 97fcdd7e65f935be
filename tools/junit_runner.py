"""Runs the unittest tests of the calling __main__ module, optionally writing JUnit XML.

Usage at the end of a test module:
    if __name__ == "__main__":
        junit_runner.main()

Test names given on the command line (or in $TESTBRIDGE_TEST_ONLY, set by
`bazel test --test_filter`) select tests, e.g. `TemplateTest.test_for_loop`.
If $XML_OUTPUT_FILE is set (Bazel sets it), a report with one <testcase> per
test method is written there. Exits with status 1 if any test fails or errors.
"""

import os
import sys
import time
import unittest
import xml.etree.ElementTree as ET


class _RecordingResult(unittest.TextTestResult):
    """A TextTestResult that also keeps one record per test method, in run order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = {}  # test id -> dict(test, status, message, details, time)

    def _record(self, test):
        key = test.id()
        if key not in self.records:
            self.records[key] = dict(test=test, status="passed", message="", details="",
                                     start=time.monotonic(), time=0.0)
        return self.records[key]

    def _mark(self, test, status, err=None, message=""):
        record = self._record(test)
        if record["status"] in ("failure", "error") and status != "error":
            status = record["status"]  # keep the first, worst outcome
        record["status"] = status
        if err is not None:
            text = self._exc_info_to_string(err, test)
            record["details"] += text
            record["message"] = record["message"] or (str(err[1]).splitlines() or [""])[0]
        elif message:
            record["message"] = message

    def startTest(self, test):
        self._record(test)
        super().startTest(test)

    def stopTest(self, test):
        record = self._record(test)
        record["time"] = time.monotonic() - record["start"]
        super().stopTest(test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._mark(test, "failure", err)

    def addError(self, test, err):  # also called for setUpClass errors (_ErrorHolder)
        super().addError(test, err)
        self._mark(test, "error", err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._mark(test, "failure" if failed else "error", err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._mark(test, "skipped", message=reason)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._mark(test, "failure", message="unexpected success")


def _write_xml(path, suite_name, records, elapsed):
    counts = {status: sum(r["status"] == status for r in records)
              for status in ("failure", "error", "skipped")}
    attributes = dict(tests=str(len(records)), failures=str(counts["failure"]),
                      errors=str(counts["error"]), skipped=str(counts["skipped"]),
                      time=f"{elapsed:.3f}")
    suites = ET.Element("testsuites", attributes)
    suite = ET.SubElement(suites, "testsuite", dict(name=suite_name, **attributes))
    for record in records:
        test_id = record["test"].id()
        class_path, _, name = test_id.rpartition(".")
        class_name = class_path.rpartition(".")[2] if class_path else suite_name
        case = ET.SubElement(suite, "testcase", name=name or test_id,
                             classname=f"{suite_name}.{class_name}",
                             time=f"{record['time']:.3f}")
        if record["status"] != "passed":
            child = ET.SubElement(case, record["status"], message=record["message"])
            child.text = record["details"] or None
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def main(argv=None):
    module = sys.modules["__main__"]
    suite_name = os.path.splitext(os.path.basename(module.__file__))[0]
    names = list(sys.argv[1:] if argv is None else argv)
    if not names and os.environ.get("TESTBRIDGE_TEST_ONLY"):
        names = os.environ["TESTBRIDGE_TEST_ONLY"].split(",")
    loader = unittest.defaultTestLoader
    tests = loader.loadTestsFromNames(names, module) if names else \
        loader.loadTestsFromModule(module)
    runner = unittest.TextTestRunner(verbosity=2, resultclass=_RecordingResult)
    start = time.monotonic()
    result = runner.run(tests)
    xml_path = os.environ.get("XML_OUTPUT_FILE")
    if xml_path:
        _write_xml(xml_path, suite_name, list(result.records.values()),
                   time.monotonic() - start)
    sys.exit(0 if result.wasSuccessful() else 1)
