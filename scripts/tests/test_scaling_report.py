"""Tests of scripts/scaling-report on SYNTHETIC summary.json files made here (not solver
output): timings chosen so speed-ups and efficiencies are known by hand."""

import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import taprun  # noqa: E402

REPORT = os.path.join(os.path.dirname(__file__), "..", "scaling-report")

# (dir, agents, ranks, rounds, wall_seconds) -> t = wall / rounds
CASES = [
    ("case-0-p1-n4000", 4000, 1, 100, 40.0),   # t 0.4   strong base N=4000
    ("case-1-p2-n4000", 4000, 2, 100, 22.0),   # t 0.22  S 1.8182 E 0.9091
    ("case-2-p4-n4000", 4000, 4, 50, 6.25),    # t 0.125 S 3.2 E 0.8 ; weak (N/P=1000) E 0.8
    ("case-3-p1-n1000", 1000, 1, 100, 10.0),   # t 0.1   weak base N/P=1000
    ("case-4-p2-n2000", 2000, 2, 100, 11.0),   # t 0.11  weak E 0.9091, scaled S 1.8182
    ("case-5-p2-n3000", 3000, 2, 100, 15.0),   # no 1-rank run of 3000 nor 1500: empty cells
]
# A resumed run with loop_seconds: t = loop / (rounds - resumed_round) = 6 / 60 = 0.1,
# not wall / rounds = 9 / 100.
LOOP_CASE = ("case-6-p1-n500-resumed", 500, 1, 100, 9.0)


def synth_summary(agents, ranks, rounds, wall):
    return {
        "synthetic": True, "agents": agents, "ranks": ranks, "rounds": rounds,
        "wall_seconds": wall, "agent_rounds_per_second": agents * rounds / wall,
        "timers": {
            "local_update": {"min": 0.5 * wall, "avg": 0.6 * wall, "max": 0.7 * wall},
            "halo_wait": {"min": 0.05 * wall, "avg": 0.1 * wall, "max": 0.2 * wall * ranks},
            "total": {"min": wall, "avg": wall, "max": wall},
        },
    }


class ScalingReportTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="scaling-test-")
        d = cls.tmp.name
        for name, n, p, rounds, wall in CASES:
            os.makedirs(os.path.join(d, name))
            with open(os.path.join(d, name, "summary.json"), "w") as f:
                json.dump(synth_summary(n, p, rounds, wall), f)
        name, n, p, rounds, wall = LOOP_CASE
        os.makedirs(os.path.join(d, name))
        with open(os.path.join(d, name, "summary.json"), "w") as f:
            json.dump(dict(synth_summary(n, p, rounds, wall), loop_seconds=6.0, resumed_round=40), f)
        os.makedirs(os.path.join(d, "case-9-broken"))
        with open(os.path.join(d, "case-9-broken", "summary.json"), "w") as f:
            f.write("{not json")
        cls.proc = subprocess.run([REPORT, d], capture_output=True, text=True)
        cls.rows = {}
        if cls.proc.returncode == 0:
            with open(os.path.join(d, "scaling.csv")) as f:
                cls.rows = {r["run"]: r for r in csv.DictReader(f)}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exit_zero_and_broken_file_skipped(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIn("skipping", self.proc.stderr)

    def test_one_row_per_valid_run(self):
        self.assertEqual(sorted(self.rows), sorted([c[0] for c in CASES] + [LOOP_CASE[0]]))

    def test_loop_seconds_over_rounds_of_this_invocation(self):
        self.assertAlmostEqual(self.num(LOOP_CASE[0], "seconds_per_round"), 0.1)
        self.assertAlmostEqual(self.num(LOOP_CASE[0], "loop_seconds"), 6.0)

    def num(self, run, col):
        v = self.rows[run][col]
        return float(v) if v != "" else None

    def test_strong_speedup_and_efficiency(self):
        self.assertAlmostEqual(self.num("case-0-p1-n4000", "strong_speedup"), 1.0)
        self.assertAlmostEqual(self.num("case-1-p2-n4000", "strong_speedup"), 0.4 / 0.22)
        self.assertAlmostEqual(self.num("case-1-p2-n4000", "strong_efficiency"), 0.4 / 0.22 / 2)
        self.assertAlmostEqual(self.num("case-2-p4-n4000", "strong_speedup"), 3.2)
        self.assertAlmostEqual(self.num("case-2-p4-n4000", "strong_efficiency"), 0.8)

    def test_weak_efficiency(self):
        self.assertAlmostEqual(self.num("case-3-p1-n1000", "weak_efficiency"), 1.0)
        self.assertAlmostEqual(self.num("case-4-p2-n2000", "weak_efficiency"), 0.1 / 0.11)
        self.assertAlmostEqual(self.num("case-4-p2-n2000", "weak_scaled_speedup"), 2 * 0.1 / 0.11)
        self.assertAlmostEqual(self.num("case-2-p4-n4000", "weak_efficiency"), 0.8)

    def test_no_baseline_gives_empty_cells(self):
        r = self.rows["case-5-p2-n3000"]
        for col in ("strong_speedup", "strong_efficiency", "weak_efficiency", "weak_scaled_speedup"):
            self.assertEqual(r[col], "", col)

    def test_phase_columns(self):
        self.assertAlmostEqual(self.num("case-1-p2-n4000", "halo_wait_max"), 0.2 * 22.0 * 2)
        self.assertAlmostEqual(self.num("case-1-p2-n4000", "local_update_avg"), 0.6 * 22.0)
        self.assertAlmostEqual(self.num("case-3-p1-n1000", "seconds_per_round"), 0.1)

    def test_markdown_and_plots(self):
        d = self.tmp.name
        with open(os.path.join(d, "scaling.md")) as f:
            md = f.read()
        self.assertIn("## Strong scaling", md)
        self.assertIn("N = 4000", md)
        self.assertIn("N/P = 1000", md)
        self.assertIn("| 4 | 0.125 | 3.2 | 0.8 |", md)
        for png in ("scaling-speedup.png", "scaling-efficiency.png", "scaling-phases.png"):
            with open(os.path.join(d, png), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", png)

    def test_empty_dir_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([REPORT, d], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    taprun.main()
