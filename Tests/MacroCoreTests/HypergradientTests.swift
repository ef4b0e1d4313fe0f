import Testing
import _TestSupport
import MacroCore

/// ∇_{x_i}F = (1/N)[J_φ(x_i)ᵀ H(θ*)⁻¹∇U(θ*) + ∇r(x_i)] against central finite differences of
/// F(x) = U(θ*(x)) + (1/N)Σ r(x_i), θ* re-solved to 1e-12 for every perturbation.
@Suite struct HypergradientTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let d: Int, K: Int, nq: Int, cost: RunConfig.UpperCost, rho: Double
    var testDescription: String { "d=\(d) K=\(K) \(cost.rawValue) rho=\(rho)" }
  }
  static let cases: [Case] = [1, 2, 3].flatMap { d -> [Case] in
    let (K, nq) = d == 1 ? (8, 40) : d == 2 ? (5, 24) : (3, 10)
    return [RunConfig.UpperCost.forwardKL, .reverseKL].flatMap { c in [0.0, 0.7].map { Case(d: d, K: K, nq: nq, cost: c, rho: $0) } }
  }

  @Test(arguments: cases)
  func hypergradientMatchesFiniteDifferences(_ c: Case) throws {
    let d = c.d
    let mean = (0..<d).map { 0.2 - 0.15 * Double($0) }
    var cov = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for i in 0..<d { cov[i][i] = 0.12; if i > 0 { cov[i][i - 1] = 0.02; cov[i - 1][i] = 0.02 } }
    let target = try GaussianMixture(weights: [0.6, 0.4], means: [mean, mean.map { -$0 }], covariances: [cov, cov])
    let family = ExpFamily(dimension: d, degree: c.K, quadratureNodes: c.nq, lambda: 1e-2, blockSize: 1)
    let problem = MacroProblem(family: family, cost: MacroCost(kind: c.cost, target: TargetMoments(target: target, family: family, fineNodes: d == 3 ? 30 : 80)),
                               motion: MotionCost(rho: c.rho))
    let n = 6
    let x0 = uniformPositions(n, dimension: d, seed: 7).map { 0.8 * $0 }
    let x = uniformPositions(n, dimension: d, seed: 8).map { 0.8 * $0 }
    func F(_ y: [Double]) throws -> Double {
      try CentralizedOracle.evaluate(problem: problem, x: y, x0: x0, alpha: 1, start: nil).cost
    }
    let e = try CentralizedOracle.evaluate(problem: problem, x: x, x0: x0, alpha: 1, start: nil)
    let analytic = e.directions.map { $0 / Double(n) }
    let h = 1e-5
    var fd = [Double](repeating: 0, count: n * d)
    for j in 0..<(n * d) {
      var xp = x, xm = x
      xp[j] += h; xm[j] -= h
      fd[j] = (try F(xp) - F(xm)) / (2 * h)
    }
    let scale = fd.map(abs).max() ?? 1
    let err = zip(analytic, fd).map { abs($0 - $1) }.max() ?? 0
    print("hypergradient \(c.testDescription): max|grad| = \(scale), max abs err = \(err), rel = \(err / scale)")
    #expect(err / scale <= 1e-6)
  }
}
