import Testing
import _TestSupport
import MacroCore

/// The batched BLAS kernels against their plain-loop references (ExpFamilyReference), and the
/// determinism contract: a row's bits do not depend on where it sits in its block.
@Suite struct ComputeExpFamilyTests {
  /// (d, K, n_q) small enough for debug builds; blockSize 1, 7 (odd), 64, always padded
  /// (count < blockSize) except for blockSize 1.
  static let shapes: [(d: Int, K: Int, nq: Int)] = [(1, 5, 12), (2, 4, 9), (3, 2, 6)]
  static let blocks: [(size: Int, count: Int)] = [(1, 1), (7, 5), (64, 37)]

  struct BlockResult {
    var logPartition: [Double], mean: [Double], pi: [Double], hv: [Double], hessian: [Double]
  }

  /// Runs every batched kernel on `theta` (blockSize × m, padding rows included).
  func run(_ f: ExpFamily, theta: [Double], v: [Double], count: Int) -> BlockResult {
    let B = f.blockSize, m = f.m, Q = f.q
    var r = BlockResult(logPartition: [Double](repeating: 0, count: count),
                        mean: [Double](repeating: 0, count: B * m), pi: [Double](repeating: 0, count: B * Q),
                        hv: [Double](repeating: 0, count: B * m), hessian: [Double](repeating: 0, count: B * m * m))
    let ws = f.makeWorkspace()
    theta.withUnsafeBufferPointer { th in
      f.computeExpFamily(theta: th.baseAddress!, count: count, logPartition: &r.logPartition,
                         mean: &r.mean, pi: &r.pi)
    }
    f.computeHessianVector(pi: r.pi, mean: r.mean, v: v, count: count, out: &r.hv, workspace: ws)
    f.computeHessian(pi: r.pi, mean: r.mean, count: count, out: &r.hessian, workspace: ws)
    return r
  }

  @Test(arguments: shapes)
  func kernelsMatchReferences(_ s: (d: Int, K: Int, nq: Int)) {
    var rng = TestRandom(seed: UInt64(7 * s.d + s.K))
    for blk in Self.blocks {
      let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.05, blockSize: blk.size)
      let m = f.m, Q = f.q
      // Meaningful rows |θ| ≈ 2; padding rows finite but wild.
      var theta = [Double](), v = [Double]()
      for b in 0..<blk.size {
        theta += rng.vector(m, norm: b < blk.count ? 2 : 50)
        v += rng.vector(m, norm: 1)
      }
      let r = run(f, theta: theta, v: v, count: blk.count)
      var worst = (a: 0.0, mu: 0.0, pi: 0.0, hv: 0.0, h: 0.0, syrk: 0.0)
      var scratch = [Double](repeating: 0, count: Q * m), syrk = [Double](repeating: 0, count: m * m)
      for b in 0..<blk.count {
        let ref = ExpFamilyReference.evaluate(f, theta: Array(theta[(b * m)..<((b + 1) * m)]))
        let mu = Array(r.mean[(b * m)..<((b + 1) * m)]), pi = Array(r.pi[(b * Q)..<((b + 1) * Q)])
        worst.a = max(worst.a, abs(r.logPartition[b] - ref.logPartition) / max(1, abs(ref.logPartition)))
        worst.mu = max(worst.mu, relativeDifference(mu, ref.mean))
        worst.pi = max(worst.pi, relativeDifference(pi, ref.pi))
        // The Hessian kernels take the fast π, μ of this row, as in production.
        let vb = Array(v[(b * m)..<((b + 1) * m)])
        let hvRef = ExpFamilyReference.hessianVector(f, pi: pi, mean: mu, v: vb)
        worst.hv = max(worst.hv, relativeDifference(Array(r.hv[(b * m)..<((b + 1) * m)]), hvRef))
        let hRef = ExpFamilyReference.hessian(f, pi: pi, mean: mu)
        worst.h = max(worst.h, relativeDifference(Array(r.hessian[(b * m * m)..<((b + 1) * m * m)]), hRef))
        f.computeHessianSYRK(pi: pi, mean: mu, out: &syrk, scratch: &scratch)
        worst.syrk = max(worst.syrk, relativeDifference(syrk, hRef))
      }
      let tag = "d=\(s.d) K=\(s.K) block \(blk.size) count \(blk.count): \(worst)"
      print("kernel vs reference, \(tag)")
      #expect(worst.a <= 1e-12, "A \(tag)")
      #expect(worst.mu <= 1e-12, "μ \(tag)")
      #expect(worst.pi <= 1e-12, "π \(tag)")
      #expect(worst.hv <= 1e-12, "Hv \(tag)")
      #expect(worst.h <= 1e-12, "H (moments) \(tag)")
      #expect(worst.syrk <= 1e-12, "H (SYRK) \(tag)")
    }
  }

  /// One θ (and v) placed at different rows of blocks with different neighbours and counts:
  /// every output of that row is bitwise identical.
  ///
  /// Only for block sizes that are multiples of 16: OpenBLAS's DGEMM computes the rows of a
  /// partial M tile (the last blockSize mod UNROLL_M rows; UNROLL_M = 4 for the "Prescott"
  /// kernel this machine's OpenBLAS 0.3.21 picks, up to 16 on other cores) with other
  /// micro-kernels whose rounding differs, so with blockSize 7 row 6 (and 4, 5) can differ from
  /// row 0 in the last bit.
  @Test(arguments: [16, 32, 64])
  func rowResultsDoNotDependOnPositionInBlock(_ blockSize: Int) {
    let f = ExpFamily(dimension: 2, degree: 4, quadratureNodes: 9, lambda: 0.05, blockSize: blockSize)
    let m = f.m, Q = f.q
    var rng = TestRandom(seed: 99)
    let theta0 = rng.vector(m, norm: 2), v0 = rng.vector(m, norm: 1)
    var reference: (a: Double, mu: [Double], pi: [Double], hv: [Double], h: [Double])?
    for (position, count) in [(0, 1), (0, blockSize), (blockSize / 2, blockSize / 2 + 1),
                              (blockSize - 1, blockSize), (3 % blockSize, blockSize - 1)] {
      var theta = [Double](), v = [Double]()
      for b in 0..<blockSize {
        theta += b == position ? theta0 : rng.vector(m, norm: rng.uniform(0.5, 4))
        v += b == position ? v0 : rng.vector(m, norm: 1)
      }
      let r = run(f, theta: theta, v: v, count: count)
      let p = position
      let got = (a: r.logPartition[p], mu: Array(r.mean[(p * m)..<((p + 1) * m)]),
                 pi: Array(r.pi[(p * Q)..<((p + 1) * Q)]), hv: Array(r.hv[(p * m)..<((p + 1) * m)]),
                 h: Array(r.hessian[(p * m * m)..<((p + 1) * m * m)]))
      if let ref = reference {
        let where_ = "row \(p) of \(count) in a block of \(blockSize)"
        #expect(got.a.bitPattern == ref.a.bitPattern, "A, \(where_)")
        #expect(got.mu.map(\.bitPattern) == ref.mu.map(\.bitPattern), "μ, \(where_)")
        #expect(got.pi.map(\.bitPattern) == ref.pi.map(\.bitPattern), "π, \(where_)")
        #expect(got.hv.map(\.bitPattern) == ref.hv.map(\.bitPattern), "Hv, \(where_)")
        #expect(got.h.map(\.bitPattern) == ref.h.map(\.bitPattern), "H, \(where_)")
      } else {
        reference = got
      }
    }
  }
}
