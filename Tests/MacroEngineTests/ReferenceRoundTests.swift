import Foundation
import Testing
import _TestSupport
import MacroCore
import MacroEngine
import MPIKit

/// The engine's block round (BLAS kernels in blocks of 32, the fused exp-family + Hessian
/// kernel, ∇U by `MacroCost.gradientBlock`, `ConjugateGradient.solve`, the neighbour-sum kernel,
/// the in-place Chebyshev recurrence) against a one-agent-at-a-time
/// reference round written here with plain loops from DESIGN §2: `ExpFamilyReference` for A, μ,
/// π and H, a plain Cholesky, a plain CG, `MacroCost.gradient` for ∇U, and a dense W built here
/// from the ring's Metropolis weights. Forward and reverse KL, k = 1 and Chebyshev k = 4, on one
/// rank (singleton MPI), 8 rounds (3 warm-up, then moving).
@Suite(.serialized) struct ReferenceRoundTests {
  init() throws { try SingletonMPI.initialize() }

  /// The reference state: agent-major rows.
  struct State { var x: [Double], phi: [Double], sigma: [Double], theta: [Double], v: [Double] }

  static let n = 24, rounds = 8, warmup = 3

  func config(cost: RunConfig.UpperCost, steps: Int) -> RunConfig {
    var c = RunConfig.default
    c.agents.count = Self.n
    c.graph.kind = .ring
    c.basis.degree = 4
    c.basis.quadratureNodes = 12
    c.upper.cost = cost
    c.run.rounds = Self.rounds
    c.run.warmup = Self.warmup
    c.run.alpha = 1e-3
    c.run.consensusSteps = steps
    c.run.consensusAcceleration = steps > 1 ? .chebyshev : .none
    return c
  }

  @Test(arguments: [(RunConfig.UpperCost.forwardKL, 1), (.forwardKL, 4), (.reverseKL, 1), (.reverseKL, 4)])
  func blockRoundMatchesReferenceRound(_ cost: RunConfig.UpperCost, _ steps: Int) throws {
    let c = config(cost: cost, steps: steps)
    let scenario = try Scenario(config: c)
    let engine = try DistributedEngine(scenario: scenario, comm: Communicator.world)
    let f = scenario.family, m = f.m, n = Self.n
    // Independent inputs of the reference: the engine's initial positions, its family tables and
    // target moments (tested elsewhere), and W from the ring (every degree 2: w_ij = w_ii = 1/3).
    var w = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in [i, (i + 1) % n, (i + n - 1) % n] { w[i * n + j] = 1.0 / 3.0 } }
    let x0 = engine.state.x
    let phi0 = f.basis.evaluate(points: x0).values
    var s = State(x: x0, phi: phi0, sigma: phi0, theta: [Double](repeating: 0, count: n * m),
                  v: [Double](repeating: 0, count: n * m))
    for r in 0..<Self.rounds {
      try engine.step()
      referenceRound(&s, round: r, family: f, cost: scenario.cost, w: w, steps: steps, alpha: c.run.alpha,
                     cg: c.run.cgIterations)
    }
    let sigma = Array(engine.state.sigma[0..<(n * m)]), theta = Array(engine.state.theta[0..<(n * m)])
    let diff = (x: relativeDifference(engine.state.x, s.x), sigma: relativeDifference(sigma, s.sigma),
                theta: relativeDifference(theta, s.theta), v: relativeDifference(engine.state.v, s.v))
    let moved = relativeDifference(engine.state.x, x0)
    print("block round vs reference round, \(cost.rawValue), k = \(steps): \(diff), |x − x0| \(moved)")
    #expect(moved > 1e-6, "the agents must have moved")
    // Each side sums Q = 144 node terms and ≤ 3 neighbours in other orders; 8 rounds of Newton
    // and CG keep the difference at round-off: 1e-11 relative (max norm).
    #expect(diff.x <= 1e-11 && diff.sigma <= 1e-11 && diff.theta <= 1e-11 && diff.v <= 1e-11, "\(diff)")
  }

  /// One round of DESIGN §2 for every agent, plain loops.
  func referenceRound(_ s: inout State, round: Int, family f: ExpFamily, cost: MacroCost, w: [Double],
                      steps: Int, alpha: Double, cg: Int) {
    let n = Self.n, m = f.m, d = 2, lam = f.lambda
    // 1. Move (after warm-up) with the previous v_i.
    if round >= Self.warmup {
      let jac = f.basis.evaluate(points: s.x).jacobians
      for i in 0..<n {
        for k in 0..<d {
          var g = 0.0
          for a in 0..<m { g += jac[(i * m + a) * d + k] * s.v[i * m + a] }
          s.x[i * d + k] = min(1, max(-1, s.x[i * d + k] - alpha * g))
        }
      }
    }
    let phiNew = f.basis.evaluate(points: s.x).values
    // 2. Consensus: σ gets φ(x^new) − φ(x^old); k = 1: W σ + Δφ, W θ; Chebyshev: p_k(W)(σ + Δφ), p_k(W) θ.
    func mixW(_ y: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: n * m)
      for i in 0..<n { for j in 0..<n where w[i * n + j] != 0 { for k in 0..<m { out[i * m + k] += w[i * n + j] * y[j * m + k] } } }
      return out
    }
    var sigma: [Double], mixed: [Double]
    if steps == 1 {
      sigma = mixW(s.sigma)
      for t in 0..<(n * m) { sigma[t] += phiNew[t] - s.phi[t] }
      mixed = mixW(s.theta)
    } else {
      let cheb = ChebyshevMixing(steps: steps)
      func p(_ y0: [Double]) -> [Double] {
        var prev = y0, cur = mixW(y0)
        for j in 1..<steps {
          let (a, b) = cheb.coefficients[j]
          let wy = mixW(cur)
          let next = (0..<(n * m)).map { a * wy[$0] - b * prev[$0] }
          prev = cur
          cur = next
        }
        return cur
      }
      sigma = p((0..<(n * m)).map { s.sigma[$0] + phiNew[$0] - s.phi[$0] })
      mixed = p(s.theta)
    }
    // 3. Damped Newton from the mixed θ; 4. CG warm-started from v_i at the new θ_i.
    var theta = mixed, v = s.v
    for i in 0..<n {
      let mi = Array(mixed[(i * m)..<((i + 1) * m)]), si = Array(sigma[(i * m)..<((i + 1) * m)])
      let e = ExpFamilyReference.evaluate(f, theta: mi)
      let h = ExpFamilyReference.hessian(f, pi: e.pi, mean: e.mean)
      let g = (0..<m).map { e.mean[$0] + lam * mi[$0] - si[$0] }
      let dir = Self.choleskySolve(h, g, n: m)
      let dec = zip(g, dir).reduce(0) { $0 + $1.0 * $1.1 }
      let eta = dec.squareRoot() > 0.25 ? 1 / (1 + dec.squareRoot()) : 1
      let ti = (0..<m).map { mi[$0] - eta * dir[$0] }
      for k in 0..<m { theta[i * m + k] = ti[k] }
      let e2 = ExpFamilyReference.evaluate(f, theta: ti)
      let h2 = ExpFamilyReference.hessian(f, pi: e2.pi, mean: e2.mean)
      let hv = { (x: [Double]) in (0..<m).map { k in (0..<m).reduce(0) { $0 + h2[k * m + $1] * x[$1] } } }
      let b = cost.gradient(family: f, theta: ti, mean: e2.mean, pi: e2.pi, hessianTimesTheta: hv(ti))
      var vi = Array(s.v[(i * m)..<((i + 1) * m)])
      let hvi = hv(vi)
      var r = (0..<m).map { b[$0] - hvi[$0] }, pdir = r
      var rr = r.reduce(0) { $0 + $1 * $1 }
      for _ in 0..<cg {
        if rr == 0 { break }
        let ap = hv(pdir)
        let pap = zip(pdir, ap).reduce(0) { $0 + $1.0 * $1.1 }
        if !(pap > 0) { break }
        let step = rr / pap
        for k in 0..<m { vi[k] += step * pdir[k]; r[k] -= step * ap[k] }
        let rrNew = r.reduce(0) { $0 + $1 * $1 }
        for k in 0..<m { pdir[k] = r[k] + rrNew / rr * pdir[k] }
        rr = rrNew
      }
      for k in 0..<m { v[i * m + k] = vi[k] }
    }
    s = State(x: s.x, phi: phiNew, sigma: sigma, theta: theta, v: v)
  }

  /// Plain Cholesky solve of the SPD m×m system h x = b (no LAPACK).
  static func choleskySolve(_ h: [Double], _ b: [Double], n: Int) -> [Double] {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0...i {
        var sum = h[i * n + j]
        for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
        l[i * n + j] = i == j ? sum.squareRoot() : sum / l[j * n + j]
      }
    }
    var y = b
    for i in 0..<n { for k in 0..<i { y[i] -= l[i * n + k] * y[k] }; y[i] /= l[i * n + i] }
    for i in stride(from: n - 1, through: 0, by: -1) {
      for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
      y[i] /= l[i * n + i]
    }
    return y
  }
}
