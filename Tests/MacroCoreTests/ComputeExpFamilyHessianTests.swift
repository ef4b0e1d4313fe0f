import Testing
import _TestSupport
import MacroCore

/// The fused kernel the Newton round calls, `computeExpFamilyWithHessian` (A, μ read off the
/// moment columns, π, and H = C + λI from the moment identity), against the plain-loop
/// references: A, μ, π from `ExpFamilyReference.evaluate` (one row at a time, no BLAS) and H from
/// `ExpFamilyReference.hessian` on the REFERENCE π and μ — so nothing of the fused path checks
/// itself. Rows |θ| ≈ 2 in padded blocks whose padding rows are wild (|θ| ≈ 50).
@Suite struct ComputeExpFamilyHessianTests {
  static let shapes: [(d: Int, K: Int, nq: Int)] = [(1, 5, 12), (2, 4, 9), (2, 6, 40), (3, 2, 6)]

  @Test(arguments: shapes)
  func fusedKernelMatchesReference(_ s: (d: Int, K: Int, nq: Int)) {
    var rng = TestRandom(seed: UInt64(31 * s.d + s.K))
    for (size, count) in [(1, 1), (32, 32), (32, 19)] {
      let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.01, blockSize: size)
      let m = f.m, Q = f.q
      var theta = [Double]()
      for b in 0..<size { theta += rng.vector(m, norm: b < count ? 2 : 50) }
      var logA = [Double](repeating: 0, count: size), mean = [Double](repeating: 0, count: size * m)
      var pi = [Double](repeating: 0, count: size * Q), hess = [Double](repeating: 0, count: size * m * m)
      let ws = f.makeWorkspace()
      theta.withUnsafeBufferPointer { th in
        logA.withUnsafeMutableBufferPointer { ap in
          mean.withUnsafeMutableBufferPointer { mp in
            pi.withUnsafeMutableBufferPointer { pp in
              hess.withUnsafeMutableBufferPointer { hp in
                f.computeExpFamilyWithHessian(theta: th.baseAddress!, count: count, logPartition: ap.baseAddress!,
                                              mean: mp.baseAddress!, pi: pp.baseAddress!, hessian: hp.baseAddress!,
                                              workspace: ws)
              }
            }
          }
        }
      }
      var worst = (a: 0.0, mu: 0.0, pi: 0.0, h: 0.0)
      for b in 0..<count {
        let ref = ExpFamilyReference.evaluate(f, theta: Array(theta[(b * m)..<((b + 1) * m)]))
        let hRef = ExpFamilyReference.hessian(f, pi: ref.pi, mean: ref.mean)
        worst.a = max(worst.a, abs(logA[b] - ref.logPartition) / max(1, abs(ref.logPartition)))
        worst.mu = max(worst.mu, relativeDifference(Array(mean[(b * m)..<((b + 1) * m)]), ref.mean))
        worst.pi = max(worst.pi, relativeDifference(Array(pi[(b * Q)..<((b + 1) * Q)]), ref.pi))
        worst.h = max(worst.h, relativeDifference(Array(hess[(b * m * m)..<((b + 1) * m * m)]), hRef))
      }
      let tag = "d=\(s.d) K=\(s.K) n_q=\(s.nq) block \(size) count \(count): \(worst)"
      print("fused exp-family + Hessian vs reference, \(tag)")
      // Both sides sum Q ≤ 1600 terms of size ≤ 1 in different orders: ≤ 1e-12 relative.
      #expect(worst.a <= 1e-12, "A \(tag)")
      #expect(worst.mu <= 1e-12, "μ \(tag)")
      #expect(worst.pi <= 1e-12, "π \(tag)")
      #expect(worst.h <= 1e-12, "H \(tag)")
    }
  }
}
