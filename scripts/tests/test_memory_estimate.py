"""Issue 16: the memory estimate that `check` prints and `run` refuses by is calibrated
against the resident memory a run actually peaks at (the independent truth: the kernel's
max RSS of the process, getrusage). One rank (singleton MPI), N = 10^5, one round after
setup, for two basis sizes (m = 27 and m = 14) and two graph kinds; the estimate must cover
the peak and not exceed it by more than half (an estimate that refuses runs that fit is as
bad as one that lets the kernel kill a rank)."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import faults_support as fs  # noqa: E402
import taprun  # noqa: E402

PEAK = ("import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)\n"
        "sys.stderr.write(r.stdout + r.stderr)\n")


def estimate_bytes(text):
    m = re.search(r"memory estimate ([0-9.]+) (MiB|GiB) per rank", text)
    assert m, text
    return float(m.group(1)) * 2 ** (20 if m.group(2) == "MiB" else 30)


class MemoryEstimateTests(unittest.TestCase):
    CASES = [("K6-geometric", ["--set", "basis.degree=6"]),
             ("K4-geometric", ["--set", "basis.degree=4"]),
             ("K6-ring", ["--set", "basis.degree=6", "--set", 'graph.kind="ring"'])]

    def test_estimate_covers_the_measured_peak(self):
        with tempfile.TemporaryDirectory(prefix="memest-") as tmp:
            config = os.path.join(tmp, "c.toml")
            with open(config, "w") as f:
                f.write("[agents]\ncount = 100000\n[basis]\nquadrature_nodes = 8\n"
                        "[run]\nrounds = 1\nwarmup = 0\n[output]\nsnapshot_every = 0\n")
            for name, args in self.CASES:
                with self.subTest(name):
                    rc, text = fs.run_alone(["check", config] + args)
                    self.assertEqual(rc, 0, text)
                    est = estimate_bytes(text)
                    r = subprocess.run([sys.executable, "-c", PEAK, fs.BINARY, "run", config, "--output",
                                        os.path.join(tmp, name), "--no-progress"] + args,
                                       capture_output=True, text=True, timeout=600)
                    rc, peak = (int(v) for v in r.stdout.split())
                    self.assertEqual(rc, 0, r.stderr)
                    print(f"# {name}: estimate {est / 2**20:.0f} MiB, measured peak {peak / 2**20:.0f} MiB "
                          f"({est / peak:.2f}x)", flush=True)
                    self.assertGreaterEqual(est, peak)
                    self.assertLessEqual(est, 1.5 * peak)


if __name__ == "__main__":
    if not os.access(fs.BINARY, os.X_OK):
        print(f"not ok - test_memory_estimate # SKIP {fs.BINARY} missing: build it with `swift build -c release`")
        sys.exit(1)
    taprun.main()
