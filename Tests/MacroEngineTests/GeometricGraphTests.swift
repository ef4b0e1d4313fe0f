import Foundation
import MacroCore
import MacroEngine
import Testing
import _TestSupport


/// O(N²) truth: i–j when the squared distance (summed in coordinate order) is ≤ r².
func bruteForceGeometric(_ x: [Double], dimension d: Int, radius r: Double) throws -> Graph {
  let n = x.count / d
  var edges: [(Int, Int)] = []
  for i in 0..<n {
    for j in (i + 1)..<max(n, i + 1) {
      var s = 0.0
      for a in 0..<d { let t = x[i * d + a] - x[j * d + a]; s += t * t }
      if s <= r * r { edges.append((i, j)) }
    }
  }
  return try Graph(vertexCount: n, edges: edges)
}

@Suite("Geometric graph")
struct GeometricGraphTests {
  @Test(arguments: [1, 2, 3])
  func cellListMatchesBruteForce(dimension d: Int) throws {
    let x = uniformPositions(600, dimension: d, seed: UInt64(10 + d))
    for r in [0.0, 0.003, 0.05, 0.2, 0.7, 3.0] {
      let fast = Graph.geometricGraph(positions: x, dimension: d, radius: r)
      let slow = try bruteForceGeometric(x, dimension: d, radius: r)
      #expect(fast == slow, "d = \(d), r = \(r)")
    }
  }

  @Test func pointsOutsideTheBoxAreStillFound() throws {
    let x: [Double] = [1.5, 1.5, 1.45, 1.42, 0.9, 0.9, -3, -3, -2.95, -3.02]
    let fast = Graph.geometricGraph(positions: x, dimension: 2, radius: 0.1)
    #expect(fast == (try bruteForceGeometric(x, dimension: 2, radius: 0.1)))
    #expect(fast.edgeCount == 2)
  }

  @Test func initialRadiusFromVolumeFormula() {
    let r2 = Graph.initialGeometricRadius(agentCount: 1001, dimension: 2, meanDegree: 10)
    #expect(abs(r2 - (40.0 / (1000 * Double.pi)).squareRoot()) < 1e-15)
    let r1 = Graph.initialGeometricRadius(agentCount: 1001, dimension: 1, meanDegree: 10)
    #expect(abs(r1 - 0.01) < 1e-15)
    let r3 = Graph.initialGeometricRadius(agentCount: 1001, dimension: 3, meanDegree: 10)
    #expect(abs(1000 * 4 * Double.pi / 3 * r3 * r3 * r3 / 8 - 10) < 1e-12)
  }

  @Test(arguments: [1, 2, 3])
  func grownUntilConnected(dimension d: Int) throws {
    let n = 2000
    let x = uniformPositions(n, dimension: d, seed: 1)
    let result = try Graph.geometric(positions: x, dimension: d, meanDegree: 10)
    #expect(connectedComponents(result.graph) == 1)
    let expected = result.initialRadius * pow(1.1, Double(result.growths))
    #expect(abs(result.radius - expected) <= 1e-12 * expected)
    #expect(result.graph == Graph.geometricGraph(positions: x, dimension: d, radius: result.radius))
    if result.growths > 0 {  // one growth fewer was still disconnected
      let smaller = Graph.geometricGraph(positions: x, dimension: d, radius: result.radius / 1.1)
      #expect(connectedComponents(smaller) > 1)
    }
    // Boundary effects lower the degree; growth raises it.
    #expect(result.meanDegree > 5 && result.meanDegree < 10 * pow(1.1, Double(d * result.growths)) + 1)
  }

  @Test func refusesWhenStillDisconnectedAtTheCap() {
    // Two far clusters: no radius growth within the cap joins them.
    var x: [Double] = []
    for k in 0..<20 { x += [-0.9 + 0.001 * Double(k), -0.9] }
    for k in 0..<20 { x += [0.9 - 0.001 * Double(k), 0.9] }
    #expect(throws: GraphError.disconnected(components: 2, kind: "geometric")) {
      try Graph.geometric(positions: x, dimension: 2, meanDegree: 2, maxGrowths: 3)
    }
  }

  @Test func rejectsBadInput() {
    #expect(throws: GraphError.nonFinitePosition(agent: 1)) {
      try Graph.geometric(positions: [0, 0, .nan, 0], dimension: 2, meanDegree: 1)
    }
    #expect(throws: GraphError.self) { try Graph.geometric(positions: [0, 0, 0], dimension: 2, meanDegree: 1) }
    #expect(throws: GraphError.self) { try Graph.geometric(positions: [0, 0], dimension: 4, meanDegree: 1) }
    #expect(throws: GraphError.self) { try Graph.geometric(positions: [0, 0], dimension: 2, meanDegree: 0) }
  }

  /// Timing at N = 10⁶, mean degree 10 (set MACROOPT_PERF=1 to run).
  @Test(.enabled(if: ProcessInfo.processInfo.environment["MACROOPT_PERF"] != nil))
  func millionAgentTiming() throws {
    let n = 1_000_000
    let x = uniformPositions(n, dimension: 2, seed: 1)
    let clock = ContinuousClock()
    var result: GeometricGraph?
    let t = try clock.measure { result = try Graph.geometric(positions: x, dimension: 2, meanDegree: 10) }
    let fixed = clock.measure { _ = Graph.geometricGraph(positions: x, dimension: 2, radius: result?.radius ?? 0) }
    let order = clock.measure { _ = spatialOrder(positions: x, dimension: 2) }
    let g = try #require(result)
    let hilbert = spatialOrder(positions: x, dimension: 2).flatMap { [x[2 * $0], x[2 * $0 + 1]] }
    let relabeled = try clock.measure { _ = try Graph.geometric(positions: hilbert, dimension: 2, meanDegree: 10) }
    print("PERF geometric N=\(n) on Hilbert-ordered ids: total \(relabeled)")
    print("PERF geometric N=\(n): total \(t) (one build \(fixed)), growths \(g.growths), "
          + "radius \(g.radius), mean degree \(g.meanDegree); hilbert order \(order)")
    #expect(connectedComponents(g.graph) == 1)
  }
}
