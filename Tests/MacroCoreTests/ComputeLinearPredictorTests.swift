import Testing
import _TestSupport
import MacroCore

/// Z = ΘΦᵀ by sum factorization (d = 2 and 3) against the plain DGEMM twin, and the fused kernel the
/// round uses (`computeExpFamilyWithHessian`: sum-factorized Z, vector log-sum-exp, moments,
/// Gram) against the plain-loop references and for position independence in its block.
@Suite struct ComputeLinearPredictorTests {
  /// Each z = Σ_k θ_k φ_k(y) (m terms) in both routes, so |Δz| ≤ 2m·ε·Σ_k|θ_k φ_k(y)| (both
  /// within m·ε of the exact sum), bounded here by 2m·ε·|θ|₁·max|φ|.
  @Test(arguments: [(2, 3, 5, 7), (2, 6, 40, 16), (2, 4, 9, 64), (3, 2, 6, 7), (3, 4, 12, 32), (3, 3, 2, 5),
                    (1, 5, 12, 4)])
  func sumFactorizationMatchesDGEMM(_ s: (d: Int, K: Int, nq: Int, block: Int)) {
    let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.05, blockSize: s.block)
    #expect(f.usesSumFactorization == (s.d == 2))
    #expect(f.predictorSumFactorized == (s.d == 2 || s.d == 3))
    let B = f.blockSize, m = f.m, Q = f.q
    var rng = TestRandom(seed: UInt64(s.K * 31 + s.nq))
    var theta = [Double]()
    for _ in 0..<B { theta += rng.vector(m, norm: 3) }
    var z1 = [Double](repeating: .nan, count: B * Q), z2 = z1
    let ws = f.makeWorkspace()
    theta.withUnsafeBufferPointer { f.computeLinearPredictor(theta: $0.baseAddress!, out: &z1, workspace: ws) }
    theta.withUnsafeBufferPointer { f.computeLinearPredictorReference(theta: $0.baseAddress!, out: &z2) }
    let phiMax = f.phi.map(abs).max() ?? 0
    for b in 0..<B {
      let l1 = theta[(b * m)..<((b + 1) * m)].map(abs).reduce(0, +)
      let bound = 2 * Double(m) * .ulpOfOne * l1 * phiMax
      var worst = 0.0
      for j in 0..<Q { worst = max(worst, abs(z1[b * Q + j] - z2[b * Q + j])) }
      #expect(worst <= bound, "d=\(s.d) K=\(s.K) row \(b): \(worst) > \(bound)")
    }
    // A second call on the same workspace (Θ̂ reused) gives the same bits.
    var z3 = z1
    theta.withUnsafeBufferPointer { f.computeLinearPredictor(theta: $0.baseAddress!, out: &z3, workspace: ws) }
    #expect(z3.map(\.bitPattern) == z1.map(\.bitPattern))
  }

  struct Fused { var a: [Double], mu: [Double], pi: [Double], h: [Double] }

  func fused(_ f: ExpFamily, theta: [Double], count: Int) -> Fused {
    let B = f.blockSize, m = f.m
    var r = Fused(a: [Double](repeating: 0, count: B), mu: [Double](repeating: 0, count: B * m),
                  pi: [Double](repeating: 0, count: B * f.q), h: [Double](repeating: 0, count: B * m * m))
    let ws = f.makeWorkspace()
    theta.withUnsafeBufferPointer { th in
      f.computeExpFamilyWithHessian(theta: th.baseAddress!, count: count, logPartition: &r.a, mean: &r.mu,
                                    pi: &r.pi, hessian: &r.h, workspace: ws)
    }
    return r
  }

  /// Same tolerances as ComputeExpFamilyTests (1e-12 relative to the largest entry).
  @Test(arguments: [(2, 4, 9), (2, 6, 40), (3, 2, 6)])
  func fusedKernelMatchesReferences(_ s: (d: Int, K: Int, nq: Int)) {
    let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.05, blockSize: 16)
    let m = f.m, Q = f.q, count = 13
    var rng = TestRandom(seed: 5)
    var theta = [Double]()
    for b in 0..<16 { theta += rng.vector(m, norm: b < count ? 2 : 50) }
    let r = fused(f, theta: theta, count: count)
    for b in 0..<count {
      let ref = ExpFamilyReference.evaluate(f, theta: Array(theta[(b * m)..<((b + 1) * m)]))
      let pi = Array(r.pi[(b * Q)..<((b + 1) * Q)]), mu = Array(r.mu[(b * m)..<((b + 1) * m)])
      #expect(abs(r.a[b] - ref.logPartition) / max(1, abs(ref.logPartition)) <= 1e-12)
      #expect(relativeDifference(pi, ref.pi) <= 1e-12)
      #expect(relativeDifference(mu, ref.mean) <= 1e-12)
      let h = ExpFamilyReference.hessian(f, pi: ref.pi, mean: ref.mean)
      #expect(relativeDifference(Array(r.h[(b * m * m)..<((b + 1) * m * m)]), h) <= 1e-12, "H row \(b)")
    }
    // Padding rows of π are zero.
    #expect(r.pi[(count * Q)...].allSatisfy { $0 == 0 })
  }

  /// One θ at the same row of blocks with different neighbours and counts: every output of
  /// that row is bitwise identical. The row's POSITION in the block may change its last bits
  /// (OpenBLAS's AVX-512 DGEMM kernels, SkylakeX/Cooperlake, round a row differently by its
  /// place in the register tile; the Haswell kernels do not), so the engine never relies on
  /// it: it solves agents in groups of B consecutive global ids, the same groups on any rank
  /// count (DistributedRunTests.oneStepRoundAtTheDefaultDegreeIsIdenticalForAnyRankCount is
  /// the end-to-end guard). What the groups do rely on is checked here.
  @Test(arguments: [16, 32, 64])
  func fusedRowsDoNotDependOnTheirNeighbours(_ blockSize: Int) {
    let f = ExpFamily(dimension: 2, degree: 6, quadratureNodes: 40, lambda: 0.01, blockSize: blockSize)
    let m = f.m, Q = f.q
    var rng = TestRandom(seed: 3)
    let theta0 = rng.vector(m, norm: 2)
    for p in [0, blockSize / 2, blockSize - 1] {
      var reference: Fused?
      for count in [p + 1, blockSize, p + 1] {
        var theta = [Double]()
        for b in 0..<blockSize { theta += b == p ? theta0 : rng.vector(m, norm: rng.uniform(0.5, 4)) }
        let r = fused(f, theta: theta, count: count)
        let got = Fused(a: [r.a[p]], mu: Array(r.mu[(p * m)..<((p + 1) * m)]), pi: Array(r.pi[(p * Q)..<((p + 1) * Q)]),
                        h: Array(r.h[(p * m * m)..<((p + 1) * m * m)]))
        if let ref = reference {
          #expect(got.a.map(\.bitPattern) == ref.a.map(\.bitPattern), "A row \(p) of \(count)")
          #expect(got.pi.map(\.bitPattern) == ref.pi.map(\.bitPattern), "π row \(p) of \(count)")
          #expect(got.mu.map(\.bitPattern) == ref.mu.map(\.bitPattern), "μ row \(p) of \(count)")
          #expect(got.h.map(\.bitPattern) == ref.h.map(\.bitPattern), "H row \(p) of \(count)")
        } else {
          reference = got
        }
      }
    }
  }
}
