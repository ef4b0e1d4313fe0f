"""Tests of scripts/plot on a SYNTHETIC run directory made here (not solver output):
decaying diagnostics, a two-Gaussian target on a grid, agents drifting to its modes."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import taprun  # noqa: E402

PLOT = os.path.join(os.path.dirname(__file__), "..", "plot")
PNG = b"\x89PNG\r\n\x1a\n"


def mixture(X, Y, means, s):
    z = np.zeros_like(X)
    for m in means:
        z += np.exp(-((X - m[0]) ** 2 + (Y - m[1]) ** 2) / (2 * s * s)) / (2 * np.pi * s * s * len(means))
    return z


def make_run(d, snapshot_rounds=(0, 100, 200, 300, 400, 500), fit=True, diag_dup=True):
    rng = np.random.default_rng(1)
    with open(os.path.join(d, "diagnostics.jsonl"), "w") as f:
        for r in range(0, 501, 50):
            f.write(json.dumps({"round": r, "F": 2.0 * np.exp(-r / 150) + 0.05,
                                "stationarity": np.exp(-r / 80), "consensus_sigma": 1e-1 * np.exp(-r / 60),
                                "consensus_theta": 1e-2 * np.exp(-r / 90), "invariant": 1e-15,
                                "max_theta": 3.0, "boundary_fraction": 0.0, "nonfinite": 0}) + "\n")
        if diag_dup:  # a resumed run rewrites round 300 with other values: the last one wins
            f.write(json.dumps({"round": 300, "F": 0.1, "stationarity": 0.02,
                                "consensus_sigma": 1e-3, "consensus_theta": 1e-4}) + "\n")
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump({"synthetic": True, "agents": 300, "ranks": 2, "rounds": 500, "F_initial": 2.05,
                   "F_final": 0.0661}, f)
    xs = np.linspace(-3, 3, 61)
    ys = np.linspace(-2, 2, 41)
    X, Y = np.meshgrid(xs, ys)
    means = [(-1.2, 0.5), (1.3, -0.4)]
    t = {"x": xs.tolist(), "y": ys.tolist(), "density": mixture(X, Y, means, 0.5).tolist()}
    if fit:
        t["fit"] = {"x": xs.tolist(), "y": ys.tolist(), "density": mixture(X, Y, means, 0.6).tolist()}
    with open(os.path.join(d, "target.json"), "w") as f:
        json.dump(t, f)
    os.makedirs(os.path.join(d, "snapshots"))
    x0 = rng.uniform([-3, -2], [3, 2], size=(300, 2))
    goal = np.array([means[i % 2] for i in range(300)]) + 0.4 * rng.standard_normal((300, 2))
    for r in snapshot_rounds:
        a = min(1.0, r / 400)
        with h5py.File(os.path.join(d, "snapshots", f"snapshot-{r:08d}.h5"), "w") as f:
            f.create_dataset("x", data=(1 - a) * x0 + a * goal)
            f.attrs["round"] = r


class PlotTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="plot-test-")
        cls.run_dir = os.path.join(cls.tmp.name, "run-synthetic")
        os.makedirs(cls.run_dir)
        make_run(cls.run_dir)
        cls.proc = subprocess.run([PLOT, cls.run_dir], capture_output=True, text=True)
        keep = os.environ.get("PLOT_TEST_KEEP")  # copy the PNGs somewhere to look at them
        if keep and cls.proc.returncode == 0:
            subprocess.run(["cp", "-r", os.path.join(cls.run_dir, "plots"), keep], check=False)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exit_zero(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)

    def test_three_pngs(self):
        for name in ("convergence.png", "snapshots.png", "density.png"):
            p = os.path.join(self.run_dir, "plots", name)
            with open(p, "rb") as f:
                self.assertEqual(f.read(8), PNG, name)
            self.assertGreater(os.path.getsize(p), 20000, name)

    def test_four_snapshots_first_and_last(self):
        # 6 snapshots (0..500 by 100) -> evenly spaced indices 0, 2, 3, 5
        self.assertIn("plot: snapshot rounds 0 200 300 500", self.proc.stdout)

    def test_duplicate_round_last_wins(self):
        sys.path.insert(0, os.path.dirname(PLOT))
        import importlib.machinery
        import importlib.util
        loader = importlib.machinery.SourceFileLoader("plot_mod", PLOT)
        spec = importlib.util.spec_from_loader("plot_mod", loader)
        mod = importlib.util.module_from_spec(spec)
        loader.exec_module(mod)
        rows = mod.read_diagnostics(os.path.join(self.run_dir, "diagnostics.jsonl"))
        self.assertEqual([r["round"] for r in rows], list(range(0, 501, 50)))
        self.assertEqual(rows[6]["F"], 0.1)

    def test_without_snapshots_or_fit(self):
        with tempfile.TemporaryDirectory() as d:
            make_run(d, snapshot_rounds=(), fit=False)
            p = subprocess.run([PLOT, d, "--out", os.path.join(d, "o")], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(os.path.join(d, "o"))), ["convergence.png"])

    def test_checkpoints_stand_in_for_missing_snapshots(self):
        # No snapshots; two kept checkpoints (rounds 400, 500) with /x and /x0: panels at
        # round 0 (/x0 of the newest), 400 and 500, the positions those datasets hold.
        with tempfile.TemporaryDirectory() as d:
            make_run(d, snapshot_rounds=())
            os.makedirs(os.path.join(d, "checkpoints"))
            rng = np.random.default_rng(5)
            x0 = rng.uniform(-1, 1, size=(300, 2))
            for r in (400, 500):
                with h5py.File(os.path.join(d, "checkpoints", f"round-{r:08d}.h5"), "w") as f:
                    f.create_dataset("x", data=x0 * (1 - r / 1000))
                    f.create_dataset("x0", data=x0)
                    f.attrs["round"] = r
            p = subprocess.run([PLOT, d, "--out", os.path.join(d, "o")], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("plot: no snapshots; agents from the checkpoints, rounds 0 400 500", p.stdout)
            self.assertIn("snapshots.png", os.listdir(os.path.join(d, "o")))
            sys.path.insert(0, os.path.dirname(PLOT))
            import importlib.machinery
            import importlib.util
            loader = importlib.machinery.SourceFileLoader("plot_mod2", PLOT)
            spec = importlib.util.spec_from_loader("plot_mod2", loader)
            mod = importlib.util.module_from_spec(spec)
            loader.exec_module(mod)
            snaps = mod.read_checkpoint_positions(sorted(
                os.path.join(d, "checkpoints", n) for n in os.listdir(os.path.join(d, "checkpoints"))), 4)
            self.assertEqual([r for r, _ in snaps], [0, 400, 500])
            np.testing.assert_array_equal(snaps[0][1], x0)
            np.testing.assert_array_equal(snaps[2][1], x0 * 0.5)

    def test_missing_diagnostics_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([PLOT, d], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn("diagnostics.jsonl not found", p.stderr)


if __name__ == "__main__":
    taprun.main()
