import Testing
import _TestSupport
import MacroCore

/// `computeMoments` (d = 2: the sum factorization L2ᵀ Π L2, its first stage on the zero-padded
/// table) against the plain sum Σ_q π_q ψ_r(y_q) over the Q nodes, row scale included. The two
/// orders of summation differ, so the check is relative to Σ_q |π_q ψ_r(y_q)|: both are sums of
/// Q ≤ 1600 products, each within ≈ (n_q + J)·ε of exact; 1e-13 (≈ 450 ε) leaves room for
/// neither a wrong stride nor a stray padding column, which change moments at O(1).
@Suite struct ComputeMomentsTests {
  static let shapes: [(K: Int, nq: Int)] = [(6, 40), (4, 9), (3, 7), (1, 5)]

  @Test(arguments: shapes)
  func sumFactorizedMomentsMatchThePlainSum(_ s: (K: Int, nq: Int)) {
    var rng = TestRandom(seed: UInt64(7 * s.K + s.nq))
    for (size, scaled) in [(32, false), (5, true), (1, false)] {
      let f = ExpFamily(dimension: 2, degree: s.K, quadratureNodes: s.nq, lambda: 0.01, blockSize: size)
      #expect(f.usesSumFactorization)
      let Q = f.q, M2 = f.momentCount
      let pi = (0..<(size * Q)).map { _ in rng.unit() }
      let scale = (0..<size).map { _ in 0.5 + rng.unit() }
      var out = [Double](repeating: .nan, count: size * M2)
      let ws = f.makeWorkspace()
      pi.withUnsafeBufferPointer { pp in
        scale.withUnsafeBufferPointer { sp in
          out.withUnsafeMutableBufferPointer { op in
            f.computeMoments(pi: pp.baseAddress!, rowScale: scaled ? sp.baseAddress! : nil, out: op.baseAddress!,
                             workspace: ws)
          }
        }
      }
      var worst = 0.0
      for b in 0..<size {
        for r in 0..<M2 {
          var sum = 0.0, mag = 0.0
          for q in 0..<Q {
            sum += pi[b * Q + q] * f.psi[q * M2 + r]
            mag += abs(pi[b * Q + q] * f.psi[q * M2 + r])
          }
          if scaled { sum *= scale[b]; mag *= scale[b] }
          worst = max(worst, abs(out[b * M2 + r] - sum) / mag)
        }
      }
      #expect(worst < 1e-13, "K = \(s.K), n_q = \(s.nq), B = \(size): worst relative error \(worst)")
    }
  }

  @Test(arguments: shapes)
  func paddedTableIsTheTableWithZeroColumns(_ s: (K: Int, nq: Int)) {
    let f = ExpFamily(dimension: 2, degree: s.K, quadratureNodes: s.nq, lambda: 0.01, blockSize: 1)
    let J = 2 * s.K + 1, Jp = f.paddedTableColumns
    #expect(Jp % 8 == 0 && Jp >= J && Jp < J + 8)
    #expect(f.tensorTablePadded.count == s.nq * Jp)
    for q in 0..<s.nq {
      for c in 0..<Jp {
        let expected = c < J ? f.tensorTable[q * J + c] : 0
        #expect(f.tensorTablePadded[q * Jp + c] == expected)
      }
    }
  }
}
