"""scripts/plot on a REAL run: .build/release/macroopt on 2 ranks (N = 200, 200 rounds, K = 4,
24 quadrature nodes, snapshots every 50 rounds), then the figures: each PNG exists, has the
pixel size scripts/plot documents and is not blank. Needs the release build (scripts/test
builds it first); without it the test reports "not ok" and says so."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import taprun  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PLOT = os.path.join(ROOT, "scripts", "plot")
MPIRUN = os.path.join(ROOT, "scripts", "mpirun")
BINARY = os.environ.get("MACROOPT_BINARY", os.path.join(ROOT, ".build", "release", "macroopt"))
PNG = b"\x89PNG\r\n\x1a\n"
DPI = 110


def png_pixels(path):
    """The image as a float array in [0, 1] (rows, cols, channels)."""
    import matplotlib.image as mpimg
    return mpimg.imread(path)


class RealRunPlotTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.skip = None
        if not os.access(BINARY, os.X_OK):
            cls.skip = f"{BINARY} missing: build it with `swift build -c release` (scripts/test does)"
            return
        cls.tmp = tempfile.TemporaryDirectory(prefix="plot-real-")
        cls.run_dir = os.path.join(cls.tmp.name, "run-real")
        args = ["run", "--output", cls.run_dir, "--set", "agents.count=200", "--set", "run.rounds=200",
                "--set", "run.warmup=20", "--set", "basis.degree=4", "--set", "basis.quadrature_nodes=24",
                "--set", "output.snapshot_every=50", "--set", "output.checkpoint_every=0"]
        cls.solver = subprocess.run([MPIRUN, "-np", "2", BINARY] + args, capture_output=True, text=True, timeout=120)
        cls.proc = None
        if cls.solver.returncode == 0:
            cls.proc = subprocess.run([PLOT, cls.run_dir], capture_output=True, text=True, timeout=120)
            keep = os.environ.get("PLOT_TEST_KEEP")  # copy the PNGs somewhere to look at them
            if keep and cls.proc.returncode == 0:
                subprocess.run(["cp", "-r", os.path.join(cls.run_dir, "plots"), keep], check=False)

    @classmethod
    def tearDownClass(cls):
        if cls.skip is None:
            cls.tmp.cleanup()

    def setUp(self):
        if self.skip:
            self.fail("skipped: " + self.skip)

    def test_run_and_plot_exit_zero(self):
        self.assertEqual(self.solver.returncode, 0, self.solver.stdout + self.solver.stderr)
        self.assertIsNotNone(self.proc)
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        # 5 snapshots (0..200 by 50) -> 4 panels: indices 0, 1, 3, 4
        self.assertIn("plot: snapshot rounds 0 50 150 200", self.proc.stdout)

    def test_run_outputs_the_plot_reads(self):
        with open(os.path.join(self.run_dir, "target.json")) as f:
            t = json.load(f)
        self.assertEqual(len(t["x"]), 121)
        self.assertEqual(t["fit"]["round"], 200)
        self.assertEqual(t["fit_initial"]["round"], 0)
        self.assertLess(t["kl_target_fit_final"], t["kl_target_fit_initial"])
        names = sorted(os.listdir(os.path.join(self.run_dir, "snapshots")))
        self.assertEqual(names, [f"snapshot-{r:08d}.h5" for r in (0, 50, 100, 150, 200)] + ["snapshots.xdmf"])

    def check_png(self, name, width, height):
        self.assertIsNotNone(self.proc)
        path = os.path.join(self.run_dir, "plots", name)
        self.assertTrue(os.path.isfile(path), f"{path} missing")
        with open(path, "rb") as f:
            self.assertEqual(f.read(8), PNG, name)
        img = png_pixels(path)
        h, w = img.shape[:2]
        self.assertLessEqual(abs(w - width), 1, f"{name}: width {w}, expected {width}")
        self.assertLessEqual(abs(h - height), 1, f"{name}: height {h}, expected {height}")
        gray = img[..., :3].mean(axis=2)
        self.assertGreater(float(gray.var()), 0.005, f"{name}: blank (pixel variance {gray.var():.2g})")
        return img

    def test_convergence_png(self):
        self.check_png("convergence.png", 15 * DPI, round(4.2 * DPI))

    def test_snapshots_png(self):
        img = self.check_png("snapshots.png", round((3.6 * 4 + 1.2) * DPI), round(3.4 * DPI))
        # The heat maps are there: a good share of strongly coloured (non-gray) pixels.
        rgb = img[..., :3]
        colourful = (rgb.max(axis=2) - rgb.min(axis=2)) > 0.2
        self.assertGreater(colourful.mean(), 0.2, "no heat map under the agents")

    def test_density_png(self):
        self.check_png("density.png", round((3.9 * 3 + 1.2) * DPI), round(3.9 * DPI))


if __name__ == "__main__":
    if not os.access(BINARY, os.X_OK):
        print(f"not ok - test_plot_real # SKIP {BINARY} missing: build it with `swift build -c release` "
              "(scripts/test does)")
        sys.exit(1)
    taprun.main()
