"""Runs a module's unittest cases and prints "ok - NAME" / "not ok - NAME" per test, the
format scripts/test-scripts counts. Use: `if __name__ == "__main__": taprun.main()`."""

import sys
import unittest


class _TapResult(unittest.TextTestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        print(f"ok - {test.id()}", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print(f"not ok - {test.id()}", flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print(f"not ok - {test.id()} (error)", flush=True)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules["__main__"])
    runner = unittest.TextTestRunner(resultclass=_TapResult, verbosity=0, stream=sys.stderr)
    result = runner.run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
