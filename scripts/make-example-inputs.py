#!/usr/bin/python3
"""Writes the input files of the examples: the heart image and the edge-list example's files.

* examples/heart.png (image target for a shape example): a bold heart, 128×128 grayscale, dark on white,
  drawn at 4× (two discs and a triangle), downsampled, then blurred (Gaussian, radius 3 px) so
  that a degree-6 exponential family can fit it (KL(target ‖ best fit) ≈ 0.13 against ≈ 1.1
  for the uniform density; the sharp-edged "MO" of examples/shape.png cannot go below ≈ 0.4).

* examples/edgelist-x0.csv: N = SIDE² agents on a jittered square lattice packed into the
  lower-left corner of X = [-1, 1]² (the square [-0.95, -0.35]²), one agent a line (line n =
  global id n, "x,y"), so the swarm must travel across the box to reach the target.
* examples/edgelist-edges.csv: the symmetrised k-nearest-neighbour graph of those initial
  positions ("i,j" a line, 0-based global ids, i < j, each undirected edge once). It is fixed
  for the whole run (the agents keep talking to their initial neighbours as they move).

Deterministic (NumPy's PCG64 with a fixed seed). Needs NumPy and PIL (Debian python3-numpy,
python3-pil):
    /usr/bin/python3 scripts/make-example-inputs.py [--side 20] [--k 8] [--seed 7] [--out DIR]
"""
import argparse
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--side", type=int, default=20, help="lattice side: N = side² agents")
ap.add_argument("--k", type=int, default=8, help="neighbours per agent before symmetrising")
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--lo", type=float, default=-0.95, help="corner square lower edge")
ap.add_argument("--hi", type=float, default=-0.35, help="corner square upper edge")
ap.add_argument("--out", default=os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
args = ap.parse_args()

side, k = args.side, args.k
n = side * side
if not (2 <= k < n):
    raise SystemExit(f"need 2 <= k < N = {n}")
rng = np.random.Generator(np.random.PCG64(args.seed))

# Jittered lattice: cell centres of a side×side grid over [lo, hi]², each moved uniformly by
# up to ±30 % of the spacing (so no two agents coincide and the graph is not a plain grid).
h = (args.hi - args.lo) / side
c = args.lo + h * (np.arange(side) + 0.5)
gx, gy = np.meshgrid(c, c, indexing="xy")
x = np.stack([gx.ravel(), gy.ravel()], axis=1) + rng.uniform(-0.3 * h, 0.3 * h, size=(n, 2))
x = np.clip(x, -1.0, 1.0)

# k nearest neighbours (brute force: N is small), symmetrised.
d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)
np.fill_diagonal(d2, np.inf)
nbr = np.argsort(d2, axis=1, kind="stable")[:, :k]
edges = {(min(i, int(j)), max(i, int(j))) for i in range(n) for j in nbr[i]}
edges = sorted(edges)

# Connectivity check (union-find): a disconnected graph cannot reach consensus.
parent = list(range(n))


def find(a):
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


for i, j in edges:
    parent[find(i)] = find(j)
if len({find(i) for i in range(n)}) != 1:
    raise SystemExit("the k-nearest-neighbour graph is disconnected; raise --k")

os.makedirs(args.out, exist_ok=True)

# The heart image.
S, SCALE = 128, 4
im = Image.new("L", (S * SCALE, S * SCALE), 255)
draw = ImageDraw.Draw(im)
draw.ellipse([80, 110, 270, 300], fill=0)
draw.ellipse([242, 110, 432, 300], fill=0)
draw.polygon([(95, 240), (417, 240), (256, 440)], fill=0)
im = im.resize((S, S), Image.LANCZOS).filter(ImageFilter.GaussianBlur(3))
hp = os.path.join(args.out, "heart.png")
im.save(hp, optimize=True)
print(f"wrote {os.path.normpath(hp)}: {S}x{S} grayscale")
xp = os.path.join(args.out, "edgelist-x0.csv")
ep = os.path.join(args.out, "edgelist-edges.csv")
with open(xp, "w") as f:
    f.write(f"# {n} agents on a jittered {side}x{side} lattice in [{args.lo}, {args.hi}]^2 "
            f"(scripts/make-example-inputs.py, seed {args.seed}); line n = global id n\n")
    for p in x:
        f.write(f"{p[0]:.6f},{p[1]:.6f}\n")
with open(ep, "w") as f:
    f.write(f"# symmetrised {k}-nearest-neighbour graph of edgelist-x0.csv: {len(edges)} edges, "
            f"0-based global ids\n")
    for i, j in edges:
        f.write(f"{i},{j}\n")
deg = np.bincount(np.array(edges).ravel(), minlength=n)
print(f"wrote {os.path.normpath(xp)} ({n} agents) and {os.path.normpath(ep)} "
      f"({len(edges)} edges, degree {deg.min()}..{deg.max()}, mean {deg.mean():.1f})")
