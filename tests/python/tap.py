# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the tumar_test examples and prints TAP, one line per test case,
for make check:  python3 tests/python/tap.py [MODULE...]"""

import os
import sys
import traceback
import unittest


class TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, ok, test, note=""):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {test.id()}{note}", flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test)

    def _failed(self, test, err):
        self._line(False, test)
        for line in "".join(traceback.format_exception(*err)).splitlines():
            print("# " + line, flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._failed(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        if isinstance(test, unittest.TestCase):
            self._failed(test, err)
        else:  # setUpClass and the like: a test of its own
            self.n += 1
            print(f"not ok {self.n} - {test}", flush=True)
            for line in "".join(traceback.format_exception(*err)).splitlines():
                print("# " + line, flush=True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, f" # SKIP {reason}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    names = sys.argv[1:] or ["test_kaztoken", "test_api"]
    suite = unittest.defaultTestLoader.loadTestsFromNames(names)
    result = TapResult()
    suite.run(result)
    print(f"1..{result.n}")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
