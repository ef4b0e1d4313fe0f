import Foundation
import Testing
import _TestSupport
import MacroCore

@Suite struct GaussLegendreTests {
  @Test(arguments: [1, 2, 3, 4, 5, 8, 13, 20, 40, 64])
  func integratesMonomialsUpToDegree2nMinus1(_ n: Int) {
    let g = GaussLegendre(nodes: n)
    #expect(abs(g.weights1D.reduce(0, +) - 2) <= 1e-14)
    #expect(zip(g.nodes1D, g.nodes1D.dropFirst()).allSatisfy { $0 < $1 })
    #expect(g.nodes1D.allSatisfy { abs($0) < 1 } && g.weights1D.allSatisfy { $0 > 0 })
    for k in 0...(2 * n - 1) {
      var s = 0.0
      for (x, w) in zip(g.nodes1D, g.weights1D) { s += w * pow(x, Double(k)) }
      let exact = k % 2 == 0 ? 2 / Double(k + 1) : 0
      #expect(abs(s - exact) <= 1e-14, "n=\(n) ∫x^\(k)")
    }
    // Degree 2n is not integrated exactly (visible for small n; for large n the defect
    // 2^(2n+1)(n!)^4/((2n+1)((2n)!)^3)·(2n)! falls below round-off).
    if n <= 5 {
      var s = 0.0
      for (x, w) in zip(g.nodes1D, g.weights1D) { s += w * pow(x, Double(2 * n)) }
      #expect(abs(s - 2 / Double(2 * n + 1)) > 1e-6)
    }
  }

  @Test func tensorRuleLayoutAndWeights() {
    let t = TensorQuadrature(dimension: 3, nodesPerAxis: 4)
    #expect(t.count == 64)
    #expect(abs(t.weights.reduce(0, +) - 8) <= 1e-14)
    let x = t.rule.nodes1D
    // Node q = (q1, q2, q3) with q3 fastest.
    #expect(Array(t.nodes[0..<3]) == [x[0], x[0], x[0]])
    #expect(Array(t.nodes[3..<6]) == [x[0], x[0], x[1]])
    #expect(Array(t.nodes[(3 * 4)..<(3 * 4 + 3)]) == [x[0], x[1], x[0]])
    // ∫ x² y⁴ z⁶ over the cube (per-axis degree ≤ 7 is exact with 4 nodes).
    var s = 0.0
    for q in 0..<t.count {
      let (x, y, z) = (t.nodes[3 * q], t.nodes[3 * q + 1], t.nodes[3 * q + 2])
      let f: Double = pow(x, 2) * pow(y, 4) * pow(z, 6)
      s += t.weights[q] * f
    }
    #expect(abs(s - (2.0 / 3) * (2.0 / 5) * (2.0 / 7)) <= 1e-15)
  }
}
