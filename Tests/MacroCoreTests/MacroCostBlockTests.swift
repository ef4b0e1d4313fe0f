import Testing
import _TestSupport
import MacroCore

/// ∇U in the round's block form (`MacroCost.gradientBlock`, on the fused kernel's μ, π, H and
/// the reverse KL's DGEMM feature mean) against the plain reference twin `MacroCost.gradient`
/// on `ExpFamilyReference`'s μ, π and H — so nothing of the block path checks itself. Both
/// costs, d = 1, 2 (m = 27), partial blocks with wild padding rows.
@Suite struct MacroCostBlockTests {
  @Test(arguments: [RunConfig.UpperCost.forwardKL, .reverseKL], [(1, 6, 20), (2, 6, 40), (2, 3, 10)])
  func blockGradientMatchesReference(_ kind: RunConfig.UpperCost, _ s: (d: Int, K: Int, nq: Int)) throws {
    var rng = TestRandom(seed: UInt64(11 * s.d + s.K))
    let mean = (0..<s.d).map { 0.2 - 0.15 * Double($0) }
    var cov = [[Double]](repeating: [Double](repeating: 0, count: s.d), count: s.d)
    for i in 0..<s.d { cov[i][i] = 0.12 }
    let target = try GaussianMixture(weights: [0.6, 0.4], means: [mean, mean.map { -$0 }], covariances: [cov, cov])
    let size = 8, count = 5
    let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.01, blockSize: size)
    let cost = MacroCost(kind: kind, target: TargetMoments(target: target, family: f, fineNodes: 60))
    let m = f.m, Q = f.q
    var theta = [Double]()
    for b in 0..<size { theta += rng.vector(m, norm: b < count ? 2 : 50) }
    var logA = [Double](repeating: 0, count: size), mu = [Double](repeating: 0, count: size * m)
    var pi = [Double](repeating: 0, count: size * Q), hess = [Double](repeating: 0, count: size * m * m)
    var scratch = mu, out = mu
    let ws = f.makeWorkspace()
    f.computeExpFamilyWithHessian(theta: theta, count: count, logPartition: &logA, mean: &mu, pi: &pi,
                                  hessian: &hess, workspace: ws)
    cost.gradientBlock(family: f, count: count, theta: theta, mean: mu, pi: pi, hessian: hess,
                       featureMean: &scratch, workspace: ws, out: &out)
    var worst = 0.0
    for b in 0..<count {
      let th = Array(theta[(b * m)..<((b + 1) * m)])
      let e = ExpFamilyReference.evaluate(f, theta: th)
      let h = ExpFamilyReference.hessian(f, pi: e.pi, mean: e.mean)
      let ref = cost.gradient(family: f, theta: th, mean: e.mean, pi: e.pi, hessianTimesTheta: Dense.matVec(h, th, n: m))
      let scale = max(1, Dense.norm(ref))
      for k in 0..<m { worst = max(worst, abs(out[b * m + k] - ref[k]) / scale) }
    }
    print("∇U block vs reference, \(kind.rawValue) d=\(s.d) K=\(s.K): max rel err \(worst)")
    #expect(worst <= 1e-11)
  }
}
