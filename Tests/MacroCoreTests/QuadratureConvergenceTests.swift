import Foundation
import Testing
import _TestSupport
import MacroCore

/// How fast the tensor Gauss–Legendre discretization of A(θ) converges in n_q (issue 4):
/// K = 6, d = 2, |A_nq(θ) − A_160(θ)| over random directions at |θ| = 3, 5, 10 (worst and
/// median direction).
@Suite struct QuadratureConvergenceTests {
  static let nodeCounts = [10, 20, 30, 40, 60, 80]
  static let referenceNodes = 160
  static let norms = [3.0, 5.0, 10.0]
  static let directions = 10

  @Test func logPartitionConvergesInNodeCount() {
    let d = 2, K = 6
    let m = LegendreBasis.size(dimension: d, degree: K)
    var rng = TestRandom(seed: 2024)
    let thetas = Self.norms.map { r in (0..<Self.directions).map { _ in rng.vector(m, norm: r) } }
    func logPartitions(_ nq: Int) -> [[Double]] {
      let f = ExpFamily(dimension: d, degree: K, quadratureNodes: nq, lambda: 0, blockSize: 1)
      return thetas.map { row in row.map { ExpFamilyReference.evaluate(f, theta: $0).logPartition } }
    }
    let ref = logPartitions(Self.referenceNodes)
    // worst[n][i], median[n][i]: over the directions at |θ| = norms[i].
    var worst: [[Double]] = [], median: [[Double]] = []
    for nq in Self.nodeCounts {
      let a = logPartitions(nq)
      let errs = (0..<Self.norms.count).map { i in (0..<Self.directions).map { abs(a[i][$0] - ref[i][$0]) }.sorted() }
      worst.append(errs.map { $0.last ?? 0 })
      median.append(errs.map { ($0[($0.count - 1) / 2] + $0[$0.count / 2]) / 2 })
    }
    var table = "|A_nq − A_\(Self.referenceNodes)| at d = \(d), K = \(K): worst / median of \(Self.directions) random directions\n"
    table += "  n_q" + Self.norms.map { String(format: "   |θ| = %-14.0f", $0) }.joined() + "\n"
    for (k, n) in Self.nodeCounts.enumerated() {
      table += String(format: "%5d", n)
      for i in 0..<Self.norms.count { table += String(format: "   %.1e / %.1e", worst[k][i], median[k][i]) }
      table += "\n"
    }
    print(table)
    // |θ| = 3 at the default n_q = 40: a typical direction is converged far below 1e-10 (the
    // worst of these 10 is ~1e-9), and the worst error decays monotonically until round-off.
    let i40 = Self.nodeCounts.firstIndex(of: 40) ?? 0
    #expect(median[i40][0] < 1e-10, "\(table)")
    #expect(worst[i40][0] < 1e-8, "\(table)")
    let w3 = worst.map { $0[0] }
    for k in 1..<w3.count { #expect(w3[k] < max(w3[k - 1], 1e-13), "\(table)") }
    // Larger |θ| converges more slowly; by n_q = 80 every case is below 1e-10.
    #expect(worst[i40][2] > worst[i40][0])
    #expect(worst.last?.allSatisfy { $0 < 1e-10 } == true, "\(table)")
  }

  /// At the default scenario's target fit θ* = θ*(μ_target) (λ = 1e-2, smooth, |θ*| ≈ 5),
  /// A changes by < 1e-10 between n_q = 40 and n_q = 80 (issue 4), with the table printed.
  @Test func logPartitionAtTheDefaultThetaStarIsConvergedAt40Nodes() throws {
    let family = ExpFamily(dimension: 2, degree: 6, quadratureNodes: 40, lambda: 1e-2)
    let target = try defaultMixture()
    let moments = TargetMoments(target: target, family: family)
    let problem = MacroProblem(family: family, cost: MacroCost(kind: .forwardKL, target: moments), motion: MotionCost(rho: 0))
    let theta = try problem.solveLowerLevel(s: moments.mean).point.theta
    let norm = Dense.norm(theta)
    func a(_ nq: Int) -> Double {
      ExpFamilyReference.evaluate(ExpFamily(dimension: 2, degree: 6, quadratureNodes: nq, lambda: 0, blockSize: 1), theta: theta).logPartition
    }
    let ref = a(160)
    var table = "|A_nq − A_160| at the default θ* (|θ*| = \(norm)):\n"
    for nq in Self.nodeCounts { table += String(format: "%5d   %.2e\n", nq, abs(a(nq) - ref)) }
    print(table)
    #expect(norm > 3 && norm < 8, "\(table)")
    #expect(abs(a(40) - a(80)) < 1e-10, "\(table)")
  }
}
