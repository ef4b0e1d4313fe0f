import BLASKit
import Foundation
import MacroEngine
import Testing
import _TestSupport

@Suite("Consensus weights")
struct ConsensusWeightsTests {
  static func graphs() throws -> [Graph] {
    [try Graph.ring(9), try Graph.grid(12), try Graph.torus(16),
     Graph.geometricGraph(positions: uniformPositions(80, dimension: 2, seed: 3), dimension: 2, radius: 0.4),
     try Graph.erdosRenyi(60, probability: 0.1, seed: 2)]
  }

  @Test func metropolisIsSymmetricStochastic() throws {
    for g in try Self.graphs() {
      for kind in ConsensusWeights.Kind.allCases {
        let w = ConsensusWeights(graph: g, kind: kind)
        let n = g.vertexCount
        let dense = w.denseMatrix(graph: g)
        for i in 0..<n {
          var rowSum = 0.0
          for j in 0..<n {
            rowSum += dense[i * n + j]
            #expect(dense[i * n + j] == dense[j * n + i])
            #expect(dense[i * n + j] >= 0)
          }
          #expect(abs(rowSum - 1) < 1e-14)
        }
        // Metropolis values from the degrees.
        for i in 0..<n {
          for (t, j) in g.neighbors(of: i).enumerated() {
            let expected = 1 / Double(1 + max(g.degree(i), g.degree(Int(j))))
            let got = w.weightsOffDiagonal[g.offsets[i] + t]
            #expect(got == (kind == .metropolis ? expected : expected / 2))
          }
        }
      }
    }
  }

  @Test func lazyIsHalfIdentityPlusW() throws {
    for g in try Self.graphs() {
      let w = ConsensusWeights(graph: g, kind: .metropolis).denseMatrix(graph: g)
      let lazy = ConsensusWeights(graph: g, kind: .lazyMetropolis).denseMatrix(graph: g)
      let n = g.vertexCount
      for i in 0..<n { for j in 0..<n {
        let expected = ((i == j ? 1 : 0) + w[i * n + j]) / 2
        #expect(abs(lazy[i * n + j] - expected) < 1e-16)
      } }
    }
  }

  @Test func mixReferenceSumsInAscendingIdOrder() throws {
    let g = try Graph.grid(12)  // vertex 5: neighbours 1, 4, 6, 9 → self between 4 and 6
    let w = ConsensusWeights(graph: g, kind: .metropolis)
    let m = 2
    // Values of wildly different magnitude so that the summation order shows in the bits.
    let values: [Double] = (0..<(12 * m)).map { (k: Int) -> Double in
      let scale: Double = pow(10.0, Double((k * 5) % 17) - 8.0)
      return Double(k % 7 + 1) * scale
    }
    let out = w.mixReference(graph: g, values: values, width: m)
    for c in 0..<m {
      let o = g.offsets[5]
      var acc = 0.0
      acc += w.weightsOffDiagonal[o] * values[1 * m + c]
      acc += w.weightsOffDiagonal[o + 1] * values[4 * m + c]
      acc += w.selfWeight[5] * values[5 * m + c]
      acc += w.weightsOffDiagonal[o + 2] * values[6 * m + c]
      acc += w.weightsOffDiagonal[o + 3] * values[9 * m + c]
      #expect(out[5 * m + c] == acc)
    }
    // And the whole thing equals the dense product to rounding.
    let dense = w.denseMatrix(graph: g)
    for i in 0..<12 { for c in 0..<m {
      var s = 0.0
      for j in 0..<12 { s += dense[i * 12 + j] * values[j * m + c] }
      #expect(abs(out[i * m + c] - s) <= 1e-15 * max(abs(s), 1e-300) * 8)
    } }
  }

  @Test func mixingRateOfRingIsKnown() throws {
    let n = 20
    let g = try Graph.ring(n)
    let w = ConsensusWeights(graph: g, kind: .metropolis)
    #expect(w.weightsOffDiagonal.allSatisfy { $0 == 1.0 / 3 })
    // Full spectrum: λ_k = 1/3 + 2/3 cos(2πk/N).
    let eigen = try LAPACK.symmetricEigenvalues(w.denseMatrix(graph: g), n: n)
    let analytic = (0..<n).map { 1.0 / 3 + 2.0 / 3 * cos(2 * Double.pi * Double($0) / Double(n)) }.sorted()
    for k in 0..<n { #expect(abs(eigen[k] - analytic[k]) < 1e-13) }
    let rate = try mixingRate(graph: g, weights: w)
    #expect(abs(rate - (1.0 / 3 + 2.0 / 3 * cos(2 * Double.pi / Double(n)))) < 1e-13)
    // Lazy: (1 + λ₁)/2.
    let lazy = try mixingRate(graph: g, weights: ConsensusWeights(graph: g, kind: .lazyMetropolis))
    #expect(abs(lazy - (1 + rate) / 2) < 1e-13)
    // Odd ring of 9: λ_min = 1/3 + 2/3 cos(8π/9) has |λ| < λ₁.
    let g9 = try Graph.ring(9)
    let r9 = try mixingRate(graph: g9, weights: ConsensusWeights(graph: g9, kind: .metropolis))
    #expect(abs(r9 - (1.0 / 3 + 2.0 / 3 * cos(2 * Double.pi / 9))) < 1e-13)
  }

  @Test func mixingRateEdgeCases() throws {
    let two = try Graph(vertexCount: 4, edges: [(0, 1), (2, 3)])
    #expect(abs(try mixingRate(graph: two, weights: ConsensusWeights(graph: two, kind: .metropolis)) - 1) < 1e-14)
    let big = try Graph.ring(50)
    #expect(throws: GraphError.tooLargeForDense(vertexCount: 50, limit: 10)) {
      try mixingRate(graph: big, weights: ConsensusWeights(graph: big, kind: .metropolis), limit: 10)
    }
    let one = try Graph.ring(1)
    #expect(try mixingRate(graph: one, weights: ConsensusWeights(graph: one, kind: .metropolis)) == 0)
  }
}

@Suite("Consensus summation order")
struct ConsensusSummationOrderTests {
  @Test func selfTermSitsAtItsSortedPosition() throws {
    let g = try Graph.grid(12)  // vertex 5: neighbours 1, 4, 6, 9 → self between 4 and 6
    let w = ConsensusWeights(graph: g, kind: .metropolis)
    var values = [Double](repeating: 0, count: 12)
    values[1] = 3.75; values[4] = 3.75; values[5] = 5e16; values[6] = 4.5; values[9] = 4.5
    let o = g.offsets[5]
    func sum(_ terms: [(Double, Double)]) -> Double {
      var acc = 0.0
      for (a, b) in terms { acc += a * b }
      return acc
    }
    let t1 = (w.weightsOffDiagonal[o], values[1]), t4 = (w.weightsOffDiagonal[o + 1], values[4])
    let t6 = (w.weightsOffDiagonal[o + 2], values[6]), t9 = (w.weightsOffDiagonal[o + 3], values[9])
    let ts = (w.selfWeight[5], values[5])
    let middle = sum([t1, t4, ts, t6, t9])
    // The values are chosen so that the order shows in the result.
    #expect(middle != sum([ts, t1, t4, t6, t9]))
    #expect(middle != sum([t1, t4, t6, t9, ts]))
    #expect(w.mixReference(graph: g, values: values, width: 1)[5] == middle)
  }
}
