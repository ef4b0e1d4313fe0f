import MacroEngine
import Testing
import _TestSupport

@Suite("Graph")
struct GraphTests {
  @Test func buildFromEdgeListDropsDuplicatesAndLoops() throws {
    let g = try Graph(vertexCount: 5, edges: [(0, 1), (1, 0), (3, 1), (1, 3), (2, 2), (4, 0), (0, 1)])
    #expect(g.vertexCount == 5)
    #expect(g.edgeCount == 3)
    #expect(Array(g.neighbors(of: 0)) == [1, 4])
    #expect(Array(g.neighbors(of: 1)) == [0, 3])
    #expect(Array(g.neighbors(of: 2)) == [])
    #expect(Array(g.neighbors(of: 3)) == [1])
    #expect(Array(g.neighbors(of: 4)) == [0])
    #expect(g.degree(0) == 2 && g.degree(2) == 0)
    #expect(g.hasEdge(4, 0) && g.hasEdge(0, 4) && !g.hasEdge(2, 2) && !g.hasEdge(0, 3))
    #expect(g.edges.map { [$0.0, $0.1] } == [[0, 1], [0, 4], [1, 3]])
    // The validating initializer accepts what the builder produced.
    #expect(try Graph(offsets: g.offsets, neighbors: g.neighbors) == g)
  }

  @Test func edgeListRejectsOutOfRangeIds() {
    #expect(throws: GraphError.invalidEdge(index: 1, i: 2, j: 3, vertexCount: 3)) {
      try Graph(vertexCount: 3, edges: [(0, 1), (2, 3)])
    }
    #expect(throws: GraphError.self) { try Graph(vertexCount: 3, edges: [(-1, 1)]) }
  }

  @Test func validatingInitializerRejectsBadCSR() {
    // Asymmetric: 0→1 only.
    #expect(throws: GraphError.self) { try Graph(offsets: [0, 1, 1], neighbors: [1]) }
    // Self loop.
    #expect(throws: GraphError.self) { try Graph(offsets: [0, 1], neighbors: [0]) }
    // Unsorted row.
    #expect(throws: GraphError.self) {
      try Graph(offsets: [0, 2, 3, 4], neighbors: [2, 1, 0, 0])
    }
    // Wrong total.
    #expect(throws: GraphError.self) { try Graph(offsets: [0, 2], neighbors: [1]) }
  }

  @Test func ring() throws {
    let g = try Graph.ring(10)
    #expect(g.edgeCount == 10)
    #expect((0..<10).allSatisfy { g.degree($0) == 2 })
    #expect(Array(g.neighbors(of: 0)) == [1, 9])
    #expect(connectedComponents(g) == 1)
    #expect(try Graph.ring(1).edgeCount == 0)
    #expect(try Graph.ring(2).edgeCount == 1)
    #expect(try Graph.ring(3).edgeCount == 3)
  }

  @Test func gridShapeIsClosestToSquare() {
    #expect(gridShape(12) == (3, 4))
    #expect(gridShape(16) == (4, 4))
    #expect(gridShape(13) == (1, 13))
    #expect(gridShape(1) == (1, 1))
    #expect(gridShape(1000) == (25, 40))
    #expect(gridShape(0) == (0, 0))
  }

  @Test func gridAndTorus() throws {
    let g = try Graph.grid(12)  // 3 × 4
    #expect(g.edgeCount == 3 * 3 + 4 * 2)
    #expect(g.degree(0) == 2 && g.degree(5) == 4 && g.degree(1) == 3)
    #expect(Array(g.neighbors(of: 5)) == [1, 4, 6, 9])
    #expect(connectedComponents(g) == 1)
    let t = try Graph.torus(12)
    #expect(t.edgeCount == 24)
    #expect((0..<12).allSatisfy { t.degree($0) == 4 })
    #expect(Array(t.neighbors(of: 0)) == [1, 3, 4, 8])
    #expect(throws: GraphError.self) { try Graph.torus(14) }  // 2 × 7
    #expect(throws: GraphError.self) { try Graph.torus(8) }  // 2 × 4
    #expect(try Graph.grid(7).edgeCount == 6)  // prime: a path
  }

  @Test func connectedComponentsCounts() throws {
    let twoTriangles = try Graph(vertexCount: 6, edges: [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)])
    #expect(connectedComponents(twoTriangles) == 2)
    #expect(componentLabels(twoTriangles) == [0, 0, 0, 1, 1, 1])
    #expect(connectedComponents(try Graph(vertexCount: 5, edges: [])) == 5)
    #expect(connectedComponents(try Graph(vertexCount: 0, edges: [])) == 0)
    #expect(throws: GraphError.disconnected(components: 2, kind: "file")) {
      try twoTriangles.requireConnected(kind: "file")
    }
  }

  @Test func errorMessagesSayWhatToChange() {
    let geometric = GraphError.disconnected(components: 3, kind: "geometric").description
    #expect(geometric.contains("3 connected components") && geometric.contains("raise graph.mean_degree"))
    let er = GraphError.disconnected(components: 7, kind: "erdos_renyi").description
    #expect(er.contains("7") && er.contains("raise graph.probability"))
  }

  @Test func erdosRenyi() throws {
    let n = 2000, p = 0.01
    let g = try Graph.erdosRenyi(n, probability: p, seed: 7)
    #expect(try Graph.erdosRenyi(n, probability: p, seed: 7) == g)
    #expect(try Graph.erdosRenyi(n, probability: p, seed: 8) != g)
    #expect(try Graph(offsets: g.offsets, neighbors: g.neighbors) == g)
    // Binomial(N(N−1)/2, p) edges.
    let pairs = Double(n * (n - 1) / 2)
    let sigma = (pairs * p * (1 - p)).squareRoot()
    #expect(abs(Double(g.edgeCount) - pairs * p) < 5 * sigma)
    // Each pair is an edge with probability p, wherever it is: pairs far apart in id.
    var farEdges = 0
    for i in 0..<1000 { for j in (i + 1000)..<2000 where g.hasEdge(i, j) { farEdges += 1 } }
    let farPairs = 1000.0 * 1000 - 500 * 999  // j − i ≥ 1000
    #expect(abs(Double(farEdges) - farPairs * p) < 5 * (farPairs * p * (1 - p)).squareRoot())
    #expect(try Graph.erdosRenyi(50, probability: 0, seed: 1).edgeCount == 0)
    #expect(try Graph.erdosRenyi(50, probability: 1, seed: 1).edgeCount == 50 * 49 / 2)
    #expect(throws: GraphError.self) { try Graph.erdosRenyi(50, probability: 1.5, seed: 1) }
  }
}
