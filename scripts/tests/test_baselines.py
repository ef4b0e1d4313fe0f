"""Tests of scripts/baselines against cases with known answers, then one end-to-end run on a
small REAL run directory (.build/release/macroopt, N = 200, 120 rounds, 2 ranks).

Known answers and tolerances:
* W2 (exact LP) of a sample to itself is 0 and to its copy shifted by s is |s| (the identity
  coupling is optimal for a translation: W2^2 >= |mean difference|^2 = |s|^2): 1e-9 (LP round-off).
  The Sinkhorn path (forced with exact_max = 0), reg = 2e-3 x mean cost: within 2% of |s| (the
  entropic blur sqrt(reg) ~ 0.05 against a 0.3 shift; measured 0.3007).
* Energy distance (V-statistics) of a sample to itself is 0 (1e-6: the square root of 1e-12
  round-off); it is NOT the shift for samples (it is sqrt(2|s|) for a point mass): checked
  against scipy.stats.energy_distance on collinear samples (an independent formula through
  the CDFs), 1e-9 relative, and the point-mass value sqrt(2|s|), 1e-12.
* OT on a permuted copy of x0: every agent goes to its own position (travel 0) and the
  assignment is the inverse permutation.
* Lloyd on a uniform target converges to a centroidal Voronoi configuration: every agent
  within 1e-6 of the centroid of its cell, cells computed independently here by clipping the
  box with the bisector half-planes (not scipy's Voronoi) and their centroids by the shoelace
  formula.
"""

import importlib.machinery
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import taprun  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "baselines")
MPIRUN = os.path.join(ROOT, "scripts", "mpirun")
BINARY = os.environ.get("MACROOPT_BINARY", os.path.join(ROOT, ".build", "release", "macroopt"))


def load_module():
    loader = importlib.machinery.SourceFileLoader("baselines_mod", SCRIPT)
    spec = importlib.util.spec_from_loader("baselines_mod", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


B = load_module()


def clip_halfplane(poly, a, c):
    """Sutherland-Hodgman: the part of polygon `poly` with a . y <= c."""
    out = []
    n = len(poly)
    for k in range(n):
        p, q = poly[k], poly[(k + 1) % n]
        fp, fq = a @ p - c, a @ q - c
        if fp <= 0:
            out.append(p)
        if fp * fq < 0:
            t = fp / (fp - fq)
            out.append(p + t * (q - p))
    return out


def cell_centroid(x, i):
    """Centroid and area of agent i's Voronoi cell in [-1,1]^2, by half-plane clipping."""
    poly = [np.array(v, float) for v in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    for j in range(len(x)):
        if j != i:
            a = x[j] - x[i]
            c = 0.5 * (x[j] @ x[j] - x[i] @ x[i])
            poly = clip_halfplane(poly, a, c)
    P = np.array(poly)
    xs, ys = P[:, 0], P[:, 1]
    xn, yn = np.roll(xs, -1), np.roll(ys, -1)
    cr = xs * yn - xn * ys
    area = 0.5 * cr.sum()
    return np.array([((xs + xn) * cr).sum(), ((ys + yn) * cr).sum()]) / (6 * area), area


class KnownAnswers(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(7)
        self.x = self.rng.uniform(-0.6, 0.6, size=(300, 2))

    def test_w2_self_is_zero(self):
        w, method = B.w2(self.x, self.x.copy())
        self.assertTrue(method.startswith("exact"))
        self.assertLess(w, 1e-9)

    def test_w2_shift_is_the_shift(self):
        s = np.array([0.18, -0.24])  # |s| = 0.3
        w, _ = B.w2(self.x, self.x + s)
        self.assertAlmostEqual(w, 0.3, delta=1e-9)

    def test_w2_sinkhorn_shift_within_2_percent(self):
        s = np.array([0.18, -0.24])
        w, method = B.w2(self.x, self.x + s, exact_max=0)
        self.assertTrue(method.startswith("Sinkhorn"), method)
        self.assertLess(abs(w - 0.3), 0.3 * 0.02)

    def test_energy_self_is_zero(self):
        self.assertLess(B.energy_distance(self.x, self.x.copy()), 1e-6)

    def test_energy_matches_scipy_on_collinear_samples(self):
        from scipy.stats import energy_distance
        u = self.rng.uniform(-1, 1, 200)
        v = self.rng.normal(0.2, 0.3, 150)
        e = np.array([0.6, 0.8])  # a unit direction: the samples on a line in the plane
        mine = B.energy_distance(u[:, None] * e, v[:, None] * e)
        self.assertAlmostEqual(mine, energy_distance(u, v), delta=1e-9 * energy_distance(u, v))
        shifted = B.energy_distance(u[:, None] * e, (u + 0.3)[:, None] * e)
        self.assertAlmostEqual(shifted, energy_distance(u, u + 0.3), delta=1e-9 * shifted)

    def test_energy_point_mass_shift(self):
        p = np.array([[0.1, 0.2]])
        self.assertAlmostEqual(B.energy_distance(p, p + [0.3, 0.4]), math.sqrt(2 * 0.5), delta=1e-12)

    def test_ot_on_permuted_copy_travels_zero(self):
        perm = self.rng.permutation(len(self.x))
        goal, idx = B.ot_assignment(self.x, self.x[perm])
        self.assertEqual(float(np.abs(goal - self.x).max()), 0.0)
        np.testing.assert_array_equal(idx, np.argsort(perm))

    def test_lloyd_uniform_is_centroidal(self):
        x0 = self.rng.uniform(-1, 1, size=(16, 2))
        x, path, it, move, _, _ = B.lloyd(x0, B.UniformTarget().density, iterations=20000, tol=1e-11)
        self.assertLess(move, 1e-11, f"not converged after {it} iterations")
        areas = 0.0
        worst = 0.0
        for i in range(len(x)):
            c, a = cell_centroid(x, i)
            areas += a
            worst = max(worst, float(np.linalg.norm(x[i] - c)))
        self.assertAlmostEqual(areas, 4.0, delta=1e-12)  # the cells tile the box
        self.assertLess(worst, 1e-6)
        # path length >= straight line
        self.assertTrue(np.all(path >= np.sqrt(((x - x0) ** 2).sum(1)) - 1e-12))

    def test_weighted_centroid_of_linear_density(self):
        # density 1 + y on the whole box (one agent): centroid y = E[y] = (int y (1+y)) / 4 = 1/3
        cells, _ = B.voronoi_cells(np.array([[0.0, 0.0], [0.0, 0.5]]))
        lin = lambda Y: 1.0 + np.atleast_2d(Y)[:, 1]  # noqa: E731
        cen, mass = B.weighted_centroids(np.array([[0.0, 0.0], [0.0, 0.5]]), cells, lin)
        self.assertAlmostEqual(mass.sum(), 4.0, delta=1e-12)
        self.assertAlmostEqual((cen[:, 1] * mass).sum() / mass.sum(), 1.0 / 3.0, delta=1e-12)

    def test_kl_kde_of_own_sample_small_and_positive(self):
        t = B.MixtureTarget([0.5, 0.5], [[-0.4, 0.0], [0.4, 0.1]], [[[0.03, 0], [0, 0.03]], [[0.02, 0], [0, 0.04]]])
        y = t.sample(4000, np.random.default_rng(3))
        u = np.random.default_rng(4).uniform(-1, 1, size=(4000, 2))
        kl_t, kl_u = B.kl_target_kde(y, t), B.kl_target_kde(u, t)
        self.assertGreater(kl_t, 0.0)
        self.assertLess(kl_t, 0.1)
        self.assertGreater(kl_u, 5 * kl_t)

    def test_image_target_pixel_values(self):
        from PIL import Image
        with tempfile.TemporaryDirectory() as d:
            a = np.array([[0, 255, 128], [64, 255, 255]], dtype=np.uint8)  # 3 wide, 2 high
            p = os.path.join(d, "t.png")
            Image.fromarray(a, "L").save(p)
            t = B.ImageTarget(p)
            # pixel (col, row) at x = -1 + col, y = 1 - 2 row
            pts = np.array([[-1, 1], [0, 1], [1, 1], [-1, -1]], float)
            np.testing.assert_allclose(t.density(pts), [1.0, 1e-3, 1 - 128 / 255, 1 - 64 / 255], rtol=1e-12)
            mid = t.density(np.array([[-0.5, 1.0]]))[0]  # halfway between 1 and 0 (floor only at the end)
            self.assertAlmostEqual(mid, 0.5, delta=1e-12)


class EndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.skip = None
        if not os.access(BINARY, os.X_OK):
            cls.skip = f"{BINARY} missing: build it with `swift build -c release` (scripts/test does)"
            return
        cls.tmp = tempfile.TemporaryDirectory(prefix="baselines-")
        cls.run_dir = os.path.join(cls.tmp.name, "run")
        args = ["run", "--output", cls.run_dir, "--set", "agents.count=200", "--set", "run.rounds=120",
                "--set", "run.warmup=20", "--set", "basis.degree=4", "--set", "basis.quadrature_nodes=24",
                "--set", "output.checkpoint_every=60", "--set", "output.snapshot_every=0"]
        cls.solver = subprocess.run([MPIRUN, "-np", "2", BINARY] + args, capture_output=True, text=True, timeout=300)
        cls.proc = None
        if cls.solver.returncode == 0:
            cls.proc = subprocess.run(["/usr/bin/python3", SCRIPT, cls.run_dir, "--lloyd-iterations", "50"],
                                      capture_output=True, text=True, timeout=600)

    @classmethod
    def tearDownClass(cls):
        if cls.skip is None:
            cls.tmp.cleanup()

    def setUp(self):
        if self.skip:
            self.fail("skipped: " + self.skip)
        self.assertEqual(self.solver.returncode, 0, self.solver.stdout + self.solver.stderr)
        self.assertEqual(self.proc.returncode, 0, self.proc.stdout + self.proc.stderr)
        with open(os.path.join(self.run_dir, "baselines.json")) as f:
            self.res = json.load(f)
        with open(os.path.join(self.run_dir, "summary.json")) as f:
            self.summary = json.load(f)

    def test_outputs_written(self):
        for name in ("baselines.json", "baselines.md", "baselines.png"):
            self.assertTrue(os.path.isfile(os.path.join(self.run_dir, name)), name)
        self.assertEqual(self.res["round"], 120)
        self.assertIn("checkpoint", self.res["source"])
        self.assertEqual(set(self.res["configurations"]), {"initial", "macroopt", "ot", "lloyd"})
        self.assertTrue(self.res["configurations"]["macroopt"]["w2_method"].startswith("exact"))

    def test_F_equals_the_solvers(self):
        # NumPy's family and Newton solve (numpy_model.py) against the Swift run's F
        c = self.res["configurations"]
        self.assertAlmostEqual(c["macroopt"]["F"], self.summary["F_final"], delta=1e-8 * self.summary["F_final"])
        self.assertAlmostEqual(c["initial"]["F"], self.summary["F_initial"], delta=1e-8 * self.summary["F_initial"])

    def test_baselines_beat_the_initial_positions(self):
        c = self.res["configurations"]
        for name in ("macroopt", "ot", "lloyd"):
            self.assertLess(c[name]["W2"], c["initial"]["W2"], name)
            self.assertLess(c[name]["F"], c["initial"]["F"], name)
        self.assertEqual(c["initial"]["travel_max"], 0.0)
        # OT moves the least total squared distance of any assignment to those samples
        self.assertGreater(c["lloyd"]["path_mean"], 0.0)

    def test_communication(self):
        mo = self.res["communication"]["macroopt"]
        self.assertGreater(mo["degree_mean"], 3)
        self.assertEqual(mo["consensus_steps"], 10)
        self.assertEqual(mo["m"], 14)  # C(4 + 2, 2) - 1
        self.assertAlmostEqual(mo["doubles_per_agent_round"], 2 * 14 * 10 * mo["degree_mean"], delta=1e-9)
        self.assertTrue(self.res["communication"]["ot"]["coordinator"])

    def test_png_not_blank(self):
        import matplotlib.image as mpimg
        img = mpimg.imread(os.path.join(self.run_dir, "baselines.png"))
        self.assertGreater(float(img[..., :3].mean(axis=2).var()), 0.005)


if __name__ == "__main__":
    taprun.main()
