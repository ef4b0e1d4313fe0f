import Foundation
import Testing
import _TestSupport
import MacroCore

/// Derivative identities of the discretized log-partition A(θ) = log Σ_q w_q exp(θᵀφ(y_q)):
/// ∇A = μ and ∇μ = C (the Hessian without λ), checked by central finite differences.
@Suite struct ExpFamilyTests {
  static let cases: [(d: Int, K: Int, nq: Int)] = [(1, 8, 40), (2, 6, 24), (3, 4, 12)]

  func family(_ c: (d: Int, K: Int, nq: Int), lambda: Double = 0.25) -> ExpFamily {
    ExpFamily(dimension: c.d, degree: c.K, quadratureNodes: c.nq, lambda: lambda, blockSize: 1)
  }

  @Test(arguments: cases)
  func gradientOfLogPartitionIsTheMean(_ c: (d: Int, K: Int, nq: Int)) {
    let f = family(c)
    var rng = TestRandom(seed: UInt64(100 + c.d))
    let h = 1e-5
    for _ in 0..<2 {
      let theta = rng.vector(f.m, norm: 2)
      let mu = ExpFamilyReference.evaluate(f, theta: theta).mean
      var fd = [Double](repeating: 0, count: f.m)
      for k in 0..<f.m {
        var tp = theta, tm = theta
        tp[k] += h; tm[k] -= h
        fd[k] = (ExpFamilyReference.evaluate(f, theta: tp).logPartition
                 - ExpFamilyReference.evaluate(f, theta: tm).logPartition) / (2 * h)
      }
      let err = relativeDifference(fd, mu)
      print("∇A vs μ, d=\(c.d) K=\(c.K) n_q=\(c.nq): \(err)")
      #expect(err <= 1e-8, "‖∇A_fd − μ‖∞/‖μ‖∞ = \(err)")
    }
  }

  @Test(arguments: cases)
  func jacobianOfTheMeanIsTheCovariance(_ c: (d: Int, K: Int, nq: Int)) {
    let lambda = 0.25
    let f = family(c, lambda: lambda)
    var rng = TestRandom(seed: UInt64(200 + c.d))
    let h = 1e-5, m = f.m
    let theta = rng.vector(m, norm: 2)
    let e = ExpFamilyReference.evaluate(f, theta: theta)
    var cov = ExpFamilyReference.hessian(f, pi: e.pi, mean: e.mean)
    for k in 0..<m { cov[k * m + k] -= lambda }
    var fd = [Double](repeating: 0, count: m * m)
    for l in 0..<m {
      var tp = theta, tm = theta
      tp[l] += h; tm[l] -= h
      let mp = ExpFamilyReference.evaluate(f, theta: tp).mean
      let mm = ExpFamilyReference.evaluate(f, theta: tm).mean
      for k in 0..<m { fd[k * m + l] = (mp[k] - mm[k]) / (2 * h) }
    }
    let err = relativeDifference(fd, cov)
    print("∇μ vs C, d=\(c.d) K=\(c.K) n_q=\(c.nq): \(err)")
    #expect(err <= 1e-8, "‖∇μ_fd − C‖max/‖C‖max = \(err)")
    // C is symmetric positive semidefinite: vᵀCv ≥ 0 (and vᵀ(C+λI)v ≥ λ|v|²).
    let v = rng.vector(m, norm: 1)
    let hv = ExpFamilyReference.hessianVector(f, pi: e.pi, mean: e.mean, v: v)
    let q = zip(v, hv).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(q >= lambda * (1 - 1e-12))
  }

  @Test func piIsAProbabilityVectorAndMeanItsExpectation() {
    let f = family((2, 3, 10))
    var rng = TestRandom(seed: 3)
    let e = ExpFamilyReference.evaluate(f, theta: rng.vector(f.m, norm: 4))
    #expect(abs(e.pi.reduce(0, +) - 1) <= 1e-14)
    #expect(e.pi.allSatisfy { $0 > 0 })
    // θ = 0: A = log Σ w = log 4, and μ = E_uniform[φ] = 0 (orthogonal to the constant).
    let z = ExpFamilyReference.evaluate(f, theta: [Double](repeating: 0, count: f.m))
    #expect(abs(z.logPartition - log(4.0)) <= 1e-14)
    #expect(z.mean.allSatisfy { abs($0) <= 1e-14 })
  }
}
