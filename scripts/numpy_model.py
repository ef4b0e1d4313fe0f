#!/usr/bin/env python3
"""Independent NumPy model of MacroOpt's bilevel scheme (DESIGN.md sections 1-2).

An oracle for tests and for cross-checking the Swift engine. It implements, with NumPy only:

* the orthonormal tensor Legendre basis on [-1,1]^2 of total degree 1..K (ordering: total
  degree, then lexicographically descending in (a1, a2)), its Jacobian;
* the exponential family p_theta ∝ exp(theta^T phi) on one tensor Gauss-Legendre rule
  (n_q nodes per axis), log-sum-exp, H(theta) = C(theta) + lambda I;
* the forward-KL cost KL(p_target || p_theta) and the reverse-KL cost KL(p_theta || p_target)
  to a Gaussian mixture (target moments and its normalizing constant on a finer n_q = 120 rule);
* the distributed round (Metropolis weights): move x (after warm-up), dynamic average
  consensus on sigma, damped Newton from the mixed theta, T_cg warm-started CG on v;
* the centralized oracle (exact theta*(s) by damped Newton, v* by Cholesky, same step).

Diagnostics are printed as JSON lines with the keys of macroopt's diagnostics.jsonl
(round, F, stationarity, consensus_sigma, consensus_theta, invariant, max_theta,
boundary_fraction, nonfinite, direction_error, theta_star_error, newton_iterations),
with the same definitions (DiagnosticRecord.swift, DistributedEngine.diagnostics()).

Usage:
  numpy_model.py --x0 x0.csv --edges edges.csv --rounds 400 --warmup 100 --alpha 1e-3
  numpy_model.py --random 100 --seed 1 --graph geometric --rounds 3000 --algorithm centralized
  numpy_model.py --random 30 --graph ring --write-x0 x0.csv --write-edges edges.csv --rounds 0

Round r's record is the state after r rounds (round 0 = initial state), as macroopt. --random
uses NumPy's PCG64, not macroopt's counter RNG: share positions through --write-x0 / agents.file.
Cross-check (N = 30, geometric graph, warm-up 100, 400 rounds): agrees with macroopt to <= 1e-12
relative at alpha = 1e-4 and for the centralized oracle; at alpha = 1e-3 the dynamics amplify
round-off ~10x per 10 rounds (the model does the same to a 1e-15 perturbation of its own x0),
so compare over the first ~20 moving rounds only.
"""
import argparse
import json
import math
import sys

import numpy as np

DEFAULT_MIXTURE = dict(
    weights=[0.3, 0.3, 0.4],
    means=[[-0.45, -0.4], [0.5, -0.35], [0.05, 0.5]],
    covariances=[[[0.04, 0.015], [0.015, 0.03]],
                 [[0.03, -0.01], [-0.01, 0.05]],
                 [[0.06, 0.0], [0.0, 0.025]]],
)


# ----------------------------------------------------------------------------- basis
def exponents(K, include_constant=False):
    """Multi-indices (a1, a2): by total degree, then lexicographically descending."""
    out = []
    for t in range(0 if include_constant else 1, K + 1):
        for a1 in range(t, -1, -1):
            out.append((a1, t - a1))
    return np.array(out, dtype=int)


def legendre_1d(t, K):
    """Orthonormal Legendre values and derivatives p^_0..p^_K at points t: (len(t), K+1) each."""
    t = np.asarray(t, dtype=float)
    P = np.zeros(t.shape + (K + 1,))
    D = np.zeros_like(P)
    P[..., 0] = 1.0
    if K >= 1:
        P[..., 1] = t
        D[..., 1] = 1.0
    for n in range(1, K):
        P[..., n + 1] = ((2 * n + 1) * t * P[..., n] - n * P[..., n - 1]) / (n + 1)
        D[..., n + 1] = D[..., n - 1] + (2 * n + 1) * P[..., n]
    norm = np.sqrt((2 * np.arange(K + 1) + 1) / 2.0)
    return P * norm, D * norm


class Basis:
    def __init__(self, K=6, include_constant=False):
        self.K = K
        self.ex = exponents(K, include_constant)
        self.m = len(self.ex)

    def values(self, Y):
        Y = np.atleast_2d(Y)
        P1, _ = legendre_1d(Y[:, 0], self.K)
        P2, _ = legendre_1d(Y[:, 1], self.K)
        return P1[:, self.ex[:, 0]] * P2[:, self.ex[:, 1]]

    def jacobian(self, Y):
        """(N, m, 2): row a holds d phi_a / d y1, d phi_a / d y2."""
        Y = np.atleast_2d(Y)
        P1, D1 = legendre_1d(Y[:, 0], self.K)
        P2, D2 = legendre_1d(Y[:, 1], self.K)
        a, b = self.ex[:, 0], self.ex[:, 1]
        return np.stack([D1[:, a] * P2[:, b], P1[:, a] * D2[:, b]], axis=-1)


def tensor_rule(nq):
    """Tensor Gauss-Legendre rule on [-1,1]^2: nodes (Q,2) with the 2nd coordinate fastest."""
    t, w = np.polynomial.legendre.leggauss(nq)
    Y = np.stack(np.meshgrid(t, t, indexing="ij"), axis=-1).reshape(-1, 2)
    W = np.outer(w, w).reshape(-1)
    return Y, W


def logsumexp_rows(Z):
    mx = Z.max(axis=1, keepdims=True)
    return (mx + np.log(np.exp(Z - mx).sum(axis=1, keepdims=True)))[:, 0]


# ----------------------------------------------------------------------------- family
class Family:
    """Exp family on the tensor rule. H via exact moment tables: phi_a phi_b is a polynomial of
    total degree <= 2K, so E_pi[phi_a phi_b] = sum_c T_abc E_pi[psi_c] with psi the orthonormal
    basis of total degree 0..2K (an identity at the nodes, hence exact on the discrete rule)."""

    def __init__(self, K=6, nq=40, lam=1e-2):
        self.basis = Basis(K)
        self.m = self.basis.m
        self.lam = lam
        self.Y, self.W = tensor_rule(nq)
        self.logW = np.log(self.W)
        self.Phi = self.basis.values(self.Y)                      # Q x m
        psi = Basis(2 * K, include_constant=True)
        self.Psi = psi.values(self.Y)                             # Q x M2
        # T[c, a*m+b] = integral psi_c phi_a phi_b (exact on this rule: per-axis degree <= 4K < 2nq)
        pp = (self.Phi[:, :, None] * self.Phi[:, None, :]).reshape(len(self.W), -1)
        self.T = (self.Psi * self.W[:, None]).T @ pp             # M2 x m^2
        # Sanity: reconstruct phi_a phi_b at the nodes.
        err = np.abs(self.Psi @ self.T - pp).max()
        assert err < 1e-10, f"moment table not exact ({err})"

    def evaluate(self, Theta, hessian=True):
        """Theta (N,m) -> A (N,), mu (N,m), pi (N,Q), H (N,m,m) = C + lam I."""
        Z = Theta @ self.Phi.T + self.logW
        A = logsumexp_rows(Z)
        pi = np.exp(Z - A[:, None])
        pi /= pi.sum(axis=1, keepdims=True)
        mu = pi @ self.Phi
        if not hessian:
            return A, mu, pi, None
        N, m = Theta.shape
        S = ((pi @ self.Psi) @ self.T).reshape(N, m, m)
        H = S - mu[:, :, None] * mu[:, None, :] + self.lam * np.eye(m)
        H = 0.5 * (H + H.transpose(0, 2, 1))
        return A, mu, pi, H


class Mixture:
    def __init__(self, weights, means, covariances):
        self.w = np.array(weights, float)
        self.mu = np.array(means, float)
        self.S = np.array(covariances, float)

    def log_density(self, Y):
        terms = []
        for w, mu, S in zip(self.w, self.mu, self.S):
            Si = np.linalg.inv(S)
            dlt = Y - mu
            q = np.einsum("ni,ij,nj->n", dlt, Si, dlt)
            terms.append(math.log(w) - 0.5 * (2 * math.log(2 * math.pi) + math.log(np.linalg.det(S))) - 0.5 * q)
        T = np.stack(terms, axis=1)
        return logsumexp_rows(T)


class Problem:
    def __init__(self, K=6, nq=40, lam=1e-2, target=None, fine=120, cost="forward_kl"):
        self.fam = Family(K, nq, lam)
        self.m = self.fam.m
        self.cost = cost
        tgt = Mixture(**(target or DEFAULT_MIXTURE))
        Yf, Wf = tensor_rule(fine)
        lp = tgt.log_density(Yf)
        logZ = logsumexp_rows((lp + np.log(Wf))[None, :])[0]
        lp = lp - logZ
        pw = Wf * np.exp(lp)
        self.mu_t = pw @ self.fam.basis.values(Yf)
        self.elog_t = float(pw @ lp)
        # log p_target at the family's own nodes, normalized on X by the fine rule's constant
        self.lp_nodes = tgt.log_density(self.fam.Y) - logZ

    # upper level
    def U(self, theta, A, mu=None, pi=None):
        """forward: KL(p_t || p_theta) = E_t[log p_t] - theta^T mu_t + A(theta);
        reverse: KL(p_theta || p_t) = E_theta[theta^T phi - A - log p_t] = theta^T mu - A - E_pi[log p_t]."""
        if self.cost == "reverse_kl":
            if mu is None or pi is None:
                _, m1, p1, _ = self.fam.evaluate(np.asarray(theta)[None, :], hessian=False)
                mu, pi = m1[0], p1[0]
            return float(theta @ mu - A - pi @ self.lp_nodes)
        return self.elog_t - theta @ self.mu_t + A

    def grad_U(self, Theta, mu, pi, H):
        """Rows of grad U: forward mu - mu_t; reverse C(theta) theta - Cov_theta(phi, log p_t) with
        C = H - lam I and Cov(phi, l) = E_pi[phi l] - mu E_pi[l]."""
        if self.cost != "reverse_kl":
            return mu - self.mu_t
        lam = self.fam.lam
        Ctheta = np.einsum("nab,nb->na", H, Theta) - lam * Theta
        el = pi @ self.lp_nodes
        cov = pi @ (self.lp_nodes[:, None] * self.fam.Phi) - mu * el[:, None]
        return Ctheta - cov

    def solve_lower(self, s, start=None, tol=1e-12, maxit=100):
        """theta*(s): damped Newton on A(theta) - theta^T s + lam/2 |theta|^2."""
        lam = self.fam.lam
        th = np.zeros(self.m) if start is None else np.array(start, float)

        def obj(t):
            A, mu, _, H = self.fam.evaluate(t[None, :])
            return A[0] - t @ s + 0.5 * lam * t @ t, mu[0] + lam * t - s, H[0], A[0]

        f, g, H, A = obj(th)
        it = 0
        for it in range(1, maxit + 1):
            if np.linalg.norm(g) <= tol:
                it -= 1
                break
            d = np.linalg.solve(H, g)
            t = 1.0
            while True:
                tr = th - t * d
                f2, g2, H2, A2 = obj(tr)
                if f2 <= f - 1e-4 * t * (g @ d) or np.linalg.norm(g2) < np.linalg.norm(g) or t < 1e-10:
                    break
                t *= 0.5
            th, f, g, H, A = tr, f2, g2, H2, A2
            if np.linalg.norm(g) <= 1e3 * tol and t < 1e-10:
                break
        return th, H, A, it

    def adjoint(self, theta, H):
        """v* = H(theta*)^-1 grad U(theta*) by Cholesky."""
        A, mu, pi, _ = self.fam.evaluate(theta[None, :], hessian=False)
        b = self.grad_U(theta[None, :], mu, pi, H[None, :, :])[0]
        L = np.linalg.cholesky(H)
        return np.linalg.solve(L.T, np.linalg.solve(L, b))

    def value_at(self, theta, A):
        _, mu, pi, _ = self.fam.evaluate(theta[None, :], hessian=False)
        return self.U(theta, A, mu[0], pi[0])

    def directions(self, X, V):
        """J_phi(x_i)^T v_i (rho = 0); V is (N,m) or (m,)."""
        J = self.fam.basis.jacobian(X)
        if V.ndim == 1:
            return np.einsum("nak,a->nk", J, V)
        return np.einsum("nak,na->nk", J, V)


# ----------------------------------------------------------------------------- graphs
def metropolis(n, edges):
    deg = np.zeros(n, int)
    E = set()
    for i, j in edges:
        if i == j:
            continue
        E.add((min(i, j), max(i, j)))
    for i, j in E:
        deg[i] += 1
        deg[j] += 1
    W = np.zeros((n, n))
    for i, j in E:
        w = 1.0 / (1 + max(deg[i], deg[j]))
        W[i, j] = W[j, i] = w
    W[np.diag_indices(n)] = 1.0 - W.sum(axis=1)
    return W


def chebyshev_matrix(W, k):
    """p_k(W) = T_k(W/r) / T_k(1/r), r = 1/cosh(2/k), from W's eigendecomposition (not by the
    three-term recurrence macroopt uses): T_k(x) = cos(k acos x) on [-1, 1], cosh(k acosh|x|)
    (sign^k) outside."""
    lam, V = np.linalg.eigh(W)
    r = 1.0 / np.cosh(2.0 / k)
    x = lam / r
    inside = np.abs(x) <= 1
    t = np.where(inside, np.cos(k * np.arccos(np.clip(x, -1, 1))),
                 np.cosh(k * np.arccosh(np.maximum(np.abs(x), 1))) * np.where((x < 0) & (k % 2 == 1), -1.0, 1.0))
    return (V * (t / np.cosh(k * np.arccosh(1 / r)))) @ V.T


def connected(n, edges):
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in edges:
        parent[find(i)] = find(j)
    return len({find(i) for i in range(n)}) == 1


def geometric_edges(X, mean_degree=10.0):
    """Radius from mean_degree = (N-1) pi r^2 / 4, grown x1.1 until connected (as macroopt)."""
    n = len(X)
    r = math.sqrt(4 * mean_degree / ((n - 1) * math.pi))
    D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    for _ in range(41):
        I, J = np.nonzero(np.triu(D2 <= r * r, 1))
        edges = list(zip(I.tolist(), J.tolist()))
        if connected(n, edges):
            return edges, r
        r *= 1.1
    raise RuntimeError("geometric graph disconnected")


def ring_edges(n):
    return [(i, (i + 1) % n) for i in range(n)]


def complete_edges(n):
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


# ----------------------------------------------------------------------------- runs
def clip(X):
    return np.minimum(1.0, np.maximum(-1.0, X))


class Distributed:
    def __init__(self, prob, X, W, alpha, warmup, cg=2, steps=1, chebyshev=False, method="newton", gamma=1.0):
        self.p, self.W, self.alpha, self.warmup, self.cg = prob, W, alpha, warmup, cg
        self.method, self.gamma, self.mu_theta = method, gamma, None
        self.steps, self.chebyshev = steps, chebyshev
        if steps > 1:
            self.mixer = chebyshev_matrix(W, steps) if chebyshev else np.linalg.matrix_power(W, steps)
            self.mixer_rest = np.linalg.matrix_power(W, steps - 1)
        self.X = np.array(X, float)
        N, m = len(X), prob.m
        self.phiX = prob.fam.basis.values(self.X)
        self.sigma = self.phiX.copy()
        self.theta = np.zeros((N, m))
        self.v = np.zeros((N, m))
        self.round = 0
        self.theta_star = None

    def step(self):
        p, fam, lam = self.p, self.p.fam, self.p.fam.lam
        # 1. microscopic step (after warm-up) with the previous round's v_i
        if self.round >= self.warmup and self.alpha != 0:
            g = p.directions(self.X, self.v)
            self.X = clip(self.X - self.alpha * g)
        phi_new = fam.basis.values(self.X)
        # 2. dynamic average consensus (k steps: W^(k-1) (W sigma + dphi), W^k theta; Chebyshev:
        #    p_k(W) (sigma + dphi), p_k(W) theta)
        if self.steps == 1:
            sigma = self.W @ self.sigma + phi_new - self.phiX
            M = self.W @ self.theta
        elif self.chebyshev:
            sigma = self.mixer @ (self.sigma + phi_new - self.phiX)
            M = self.mixer @ self.theta
        else:
            sigma = self.mixer_rest @ (self.W @ self.sigma + phi_new - self.phiX)
            M = self.mixer @ self.theta
        self.phiX = phi_new
        # 3. Newton from the mixed estimate, with the new sigma (or one gradient step with the
        #    cached mu(theta_i), as macroopt's lower.method = "gradient")
        if self.method == "gradient":
            if self.mu_theta is None:
                self.mu_theta = fam.evaluate(self.theta, hessian=False)[1]
            theta = M - self.gamma * (self.mu_theta + lam * self.theta - sigma)
        else:
            theta = self.newton(M, sigma)
        # 4. T_cg warm-started CG iterations on H(theta_i) v = grad U(theta_i)
        _, mu, pi, H = fam.evaluate(theta)
        self.mu_theta = mu
        self.sigma, self.theta, self.v = sigma, theta, self.cg_step(theta, mu, pi, H)
        self.round += 1

    def newton(self, M, sigma):
        """Damped Newton step from the mixed estimate M (rows) with the new sigma."""
        fam, lam = self.p.fam, self.p.fam.lam
        _, mu, _, H = fam.evaluate(M)
        g = mu + lam * M - sigma
        ok = np.ones(len(M), bool)
        try:
            np.linalg.cholesky(H)
        except np.linalg.LinAlgError:          # as macroopt: a failed Cholesky makes theta_i NaN
            for i in range(len(M)):
                try:
                    np.linalg.cholesky(H[i])
                except np.linalg.LinAlgError:
                    ok[i] = False
                    H[i] = np.eye(len(g[i]))
        d = np.linalg.solve(H, g[:, :, None])[:, :, 0]
        dec = np.einsum("na,na->n", g, d)
        ok &= dec >= 0
        d[~ok] = np.nan
        delta = np.sqrt(np.maximum(dec, 0))
        eta = np.where(delta > 0.25, 1.0 / (1.0 + delta), 1.0)
        return M - eta[:, None] * d

    def cg_step(self, theta, mu, pi, H):
        """T_cg warm-started CG iterations from v on H v = grad U(theta); returns the new v."""
        b = self.p.grad_U(theta, mu, pi, H)
        v = self.v.copy()
        r = b - np.einsum("nab,nb->na", H, v)
        pdir = r.copy()
        rr = (r * r).sum(1)
        active = np.ones(len(v), bool)
        for _ in range(self.cg):
            active &= rr != 0
            Ap = np.einsum("nab,nb->na", H, pdir)
            pap = (pdir * Ap).sum(1)
            active &= pap > 0
            step = np.where(active, rr / np.where(active, pap, 1.0), 0.0)
            v += step[:, None] * pdir
            r -= step[:, None] * Ap
            rrn = (r * r).sum(1)
            beta = np.where(active, rrn / np.where(rr != 0, rr, 1.0), 0.0)
            pdir = np.where(active[:, None], r + beta[:, None] * pdir, pdir)
            rr = np.where(active, rrn, rr)
        return v

    def diagnostics(self):
        p = self.p
        N = len(self.X)
        X, sig, th, v = self.X, self.sigma, self.theta, self.v
        nonfinite = int((~(np.isfinite(X).all(1) & np.isfinite(sig).all(1) & np.isfinite(th).all(1)
                           & np.isfinite(v).all(1))).sum())
        bnd = float((np.abs(X) >= 1).any(1).mean())
        maxT = float(np.sqrt((th * th).sum(1)).max())
        if nonfinite:
            return dict(round=self.round, F=None, nonfinite=nonfinite, max_theta=maxT, boundary_fraction=bnd)
        s = self.phiX.mean(0)
        sbar, tbar = sig.mean(0), th.mean(0)
        tstar, H, A, its = p.solve_lower(s, None)  # cold start, as macroopt (resume-independent bits)
        self.theta_star = tstar
        vstar = p.adjoint(tstar, H)
        exact = p.directions(X, vstar)
        mine = p.directions(X, v)
        a = self.alpha
        gmap = (X - clip(X - a * exact)) / (a if a != 0 else 1.0)
        den = (exact ** 2).sum()
        return dict(
            round=self.round, F=float(p.value_at(tstar, A)),
            stationarity=float(math.sqrt((gmap ** 2).sum() / N)),
            consensus_sigma=float(math.sqrt(((sig - sbar) ** 2).sum() / N)),
            consensus_theta=float(math.sqrt(((th - tbar) ** 2).sum() / N)),
            invariant=float(np.abs(sbar - s).max()), max_theta=maxT, boundary_fraction=bnd,
            nonfinite=0,
            direction_error=float(math.sqrt(((mine - exact) ** 2).sum() / den)) if den > 0 else 0.0,
            theta_star_error=float(np.linalg.norm(tstar - tbar)), newton_iterations=its)


class Centralized:
    def __init__(self, prob, X, alpha):
        self.p, self.alpha = prob, alpha
        self.X = np.array(X, float)
        self.theta_star = None
        self.round = 0

    def evaluate(self):
        p = self.p
        s = p.fam.basis.values(self.X).mean(0)
        tstar, H, A, its = p.solve_lower(s, self.theta_star)
        vstar = p.adjoint(tstar, H)
        dirs = p.directions(self.X, vstar)
        return tstar, vstar, A, its, dirs

    def step(self):
        tstar, _, _, _, dirs = self.evaluate()
        self.theta_star = tstar
        self.X = clip(self.X - self.alpha * dirs)
        self.round += 1

    def diagnostics(self):
        tstar, vstar, A, its, dirs = self.evaluate()
        X, a, N = self.X, self.alpha, len(self.X)
        gmap = (X - clip(X - a * dirs)) / a
        return dict(round=self.round, F=float(self.p.value_at(tstar, A)),
                    stationarity=float(math.sqrt((gmap ** 2).sum() / N)),
                    consensus_sigma=0.0, consensus_theta=0.0, invariant=0.0,
                    max_theta=float(np.linalg.norm(tstar)),
                    boundary_fraction=float((np.abs(X) >= 1).any(1).mean()),
                    nonfinite=0, direction_error=0.0, theta_star_error=0.0, newton_iterations=its)


# ----------------------------------------------------------------------------- I/O
def read_x0(path):
    X = np.loadtxt(path, delimiter=",", ndmin=2)
    return X


def read_edges(path, n):
    E = np.loadtxt(path, delimiter=",", ndmin=2, dtype=int)
    return [(int(i), int(j)) for i, j in E]


def write_x0(path, X):
    with open(path, "w") as f:
        for x in X:
            f.write(f"{float(x[0])!r},{float(x[1])!r}\n")


def write_edges(path, edges):
    with open(path, "w") as f:
        for i, j in edges:
            f.write(f"{i},{j}\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--x0", help="positions CSV (x,y a line)")
    ap.add_argument("--edges", help="edges CSV (i,j a line, 0-based)")
    ap.add_argument("--random", type=int, help="N uniform random positions instead of --x0")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--graph", choices=["geometric", "complete", "ring"], help="build the graph instead of --edges")
    ap.add_argument("--mean-degree", type=float, default=10.0)
    ap.add_argument("--write-x0")
    ap.add_argument("--write-edges")
    ap.add_argument("--rounds", type=int, default=400)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--alpha", type=float, default=1e-3)
    ap.add_argument("--cg", type=int, default=2)
    ap.add_argument("--consensus-steps", type=int, default=1)
    ap.add_argument("--chebyshev", action="store_true", help="Chebyshev-accelerated consensus steps")
    ap.add_argument("--lam", type=float, default=1e-2)
    ap.add_argument("--method", choices=["newton", "gradient"], default="newton", help="lower level (as lower.method)")
    ap.add_argument("--gamma", type=float, default=1e-4, help="gradient step (as lower.gamma; not clamped)")
    ap.add_argument("--time", action="store_true",
                    help="timing only (scripts/bench-vs-numpy): W as a sparse matrix, no diagnostics; print one JSON "
                         "line with wall and CPU seconds per round of rounds 2..rounds")
    ap.add_argument("--cost", choices=["forward_kl", "reverse_kl"], default="forward_kl",
                    help="upper-level cost (macroopt's upper.cost)")
    ap.add_argument("--degree", type=int, default=6)
    ap.add_argument("--nq", type=int, default=40)
    ap.add_argument("--diag-every", type=int, default=10)
    ap.add_argument("--algorithm", choices=["distributed", "centralized"], default="distributed")
    ap.add_argument("--compare-with", metavar="DIAGNOSTICS_JSONL",
                    help="compare the records with macroopt's diagnostics.jsonl; print one summary line; "
                         "exit 1 if any quantity differs by more than --tolerance")
    ap.add_argument("--tolerance", type=float, default=1e-10,
                    help="relative tolerance for --compare-with")
    ap.add_argument("--floor", type=float, default=1e-13,
                    help="absolute differences below this are ignored by --compare-with (round-off of "
                         "quantities that converge to zero, e.g. consensus errors)")
    a = ap.parse_args(argv)
    if a.consensus_steps < 1:
        ap.error("--consensus-steps must be >= 1")
    if a.chebyshev and a.consensus_steps < 2:
        ap.error("--chebyshev needs --consensus-steps >= 2 (as macroopt)")

    if a.x0:
        X = read_x0(a.x0)
    elif a.random:
        X = np.random.default_rng(a.seed).uniform(-1, 1, size=(a.random, 2))
    else:
        ap.error("need --x0 or --random")
    n = len(X)
    if a.edges:
        edges = read_edges(a.edges, n)
    elif a.graph == "geometric":
        edges, _ = geometric_edges(X, a.mean_degree)
    elif a.graph == "complete":
        edges = complete_edges(n)
    elif a.graph == "ring":
        edges = ring_edges(n)
    else:
        edges = None
    if a.write_x0:
        write_x0(a.write_x0, X)
    if a.write_edges and edges is not None:
        write_edges(a.write_edges, edges)
    if a.rounds <= 0:
        return 0

    prob = Problem(K=a.degree, nq=a.nq, lam=a.lam, cost=a.cost)
    if a.algorithm == "centralized":
        run = Centralized(prob, X, a.alpha)
    else:
        if edges is None:
            ap.error("distributed needs --edges or --graph")
        if not connected(n, edges):
            ap.error("graph is disconnected")
        W = metropolis(n, edges)
        if a.time:
            import scipy.sparse
            W = scipy.sparse.csr_matrix(W)
        run = Distributed(prob, X, W, a.alpha, a.warmup, a.cg, a.consensus_steps, a.chebyshev, a.method, a.gamma)
    if a.time:
        import time
        run.step()
        w0, c0 = time.perf_counter(), time.process_time()
        while run.round < a.rounds:
            run.step()
        rounds = a.rounds - 1
        print(json.dumps(dict(agents=n, rounds=rounds, wall_seconds_per_round=(time.perf_counter() - w0) / rounds,
                              cpu_seconds_per_round=(time.process_time() - c0) / rounds,
                              finite=bool(np.isfinite(run.theta).all() and np.isfinite(run.v).all()))))
        return 0
    every = max(1, a.diag_every)
    records = [run.diagnostics()]
    emit = (lambda r: None) if a.compare_with else (lambda r: print(json.dumps(r), flush=True))
    emit(records[0])
    status = 0
    while run.round < a.rounds:
        run.step()
        if run.round % every == 0 or run.round == a.rounds:
            records.append(run.diagnostics())
            emit(records[-1])
            if records[-1].get("nonfinite"):
                status = 3
                break
    if a.compare_with:
        other = [json.loads(l) for l in open(a.compare_with) if l.strip()]
        worst, first, matched = compare_records(records, other, a.tolerance, a.floor)
        print(json.dumps(dict(records=matched, max_relative_difference=worst,
                              first_round_over_tolerance=first)))
        return 1 if first or matched < len(records) else 0
    return status


COMPARED = ["F", "stationarity", "consensus_sigma", "consensus_theta", "max_theta", "direction_error",
            "theta_star_error"]


def compare_records(mine, theirs, tol, floor=1e-13):
    """Max relative difference over COMPARED keys of records with the same round, for each key
    the first round where it exceeds tol (differences below the absolute floor ignored), and
    the number of records compared (rounds present in both)."""
    by_round = {r["round"]: r for r in theirs}
    worst, first, matched = 0.0, {}, 0
    for r in mine:
        o = by_round.get(r["round"])
        if o is None:
            continue
        matched += 1
        for k in COMPARED:
            x, y = r.get(k), o.get(k)
            if x is None or y is None:
                continue
            diff = abs(x - y)
            rel = 0.0 if diff <= floor else diff / max(abs(x), abs(y))
            worst = max(worst, rel)
            if rel > tol and k not in first:
                first[k] = r["round"]
    return worst, first, matched


if __name__ == "__main__":
    sys.exit(main())
