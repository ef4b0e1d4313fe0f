import MacroEngine
import Testing
import _TestSupport

@Suite("Spatial order")
struct SpatialOrderTests {
  /// Centre of cell k of a `cells`-per-axis grid over [-1, 1].
  static func centre(_ k: Int, _ cells: Int) -> Double { -1 + (Double(k) + 0.5) * 2 / Double(cells) }

  @Test func quantization() {
    #expect(quantizeCoordinate(-1) == 0)
    #expect(quantizeCoordinate(1) == 65535)
    #expect(quantizeCoordinate(0) == 32768)
    #expect(quantizeCoordinate(5) == 65535 && quantizeCoordinate(-5) == 0 && quantizeCoordinate(.nan) == 0)
  }

  @Test func hilbertVisitsAdjacentCells() {
    let cells = 16
    // Input in a scrambled order; the Hilbert order must walk through edge-adjacent cells.
    var cellOfInput: [(Int, Int)] = []
    for k in 0..<(cells * cells) { let s = (k * 97) % (cells * cells); cellOfInput.append((s % cells, s / cells)) }
    let x = cellOfInput.flatMap { [Self.centre($0.0, cells), Self.centre($0.1, cells)] }
    let order = spatialOrder(positions: x, dimension: 2)
    #expect(order.sorted() == Array(0..<(cells * cells)))
    for t in 1..<order.count {
      let a = cellOfInput[order[t - 1]], b = cellOfInput[order[t]]
      #expect(abs(a.0 - b.0) + abs(a.1 - b.1) == 1, "step \(t)")
    }
    #expect(cellOfInput[order[0]] == (0, 0))
  }

  @Test func hilbertKeySmallCurve() {
    // Order-16 keys of the four quadrant corners follow the order-1 Hilbert curve:
    // (0,0) → (0,1) → (1,1) → (1,0) in (x, y).
    let h: UInt32 = 1 << 15
    #expect(hilbertKey(x: 0, y: 0) == 0)
    #expect(hilbertKey(x: 0, y: h) / (1 << 30) == 1)
    #expect(hilbertKey(x: h, y: h) / (1 << 30) == 2)
    #expect(hilbertKey(x: h, y: 0) / (1 << 30) == 3)
    #expect(hilbertKey(x: 65535, y: 0) == (1 << 32) - 1)
  }

  @Test func mortonOrderIn3D() {
    // 2×2×2: x fastest, then y, then z.
    var x: [Double] = []
    let input = [(1, 1, 1), (0, 0, 0), (1, 0, 1), (0, 1, 0), (1, 0, 0), (0, 0, 1), (1, 1, 0), (0, 1, 1)]
    for c in input { x += [Self.centre(c.0, 2), Self.centre(c.1, 2), Self.centre(c.2, 2)] }
    let order = spatialOrder(positions: x, dimension: 3)
    let cells = order.map { input[$0] }
    let expected = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0), (0, 0, 1), (1, 0, 1), (0, 1, 1), (1, 1, 1)]
    #expect(cells.map { [$0.0, $0.1, $0.2] } == expected.map { [$0.0, $0.1, $0.2] })
    #expect(mortonKey(x: 1, y: 0, z: 0) == 1 && mortonKey(x: 0, y: 1, z: 0) == 2 && mortonKey(x: 0, y: 0, z: 1) == 4)
    #expect(mortonKey(x: 65535, y: 65535, z: 65535) == (1 << 48) - 1)
  }

  @Test func mortonBlocksAreContiguous() {
    // 4×4×4 cells: every aligned 2×2×2 block occupies 8 consecutive places.
    var x: [Double] = []
    var cell: [(Int, Int, Int)] = []
    for k in 0..<64 { let s = (k * 37) % 64; cell.append((s % 4, (s / 4) % 4, s / 16)) }
    for c in cell { x += [Self.centre(c.0, 4), Self.centre(c.1, 4), Self.centre(c.2, 4)] }
    let order = spatialOrder(positions: x, dimension: 3)
    for start in stride(from: 0, to: 64, by: 8) {
      let blocks = Set(order[start..<(start + 8)].map { cell[$0].0 / 2 + 2 * (cell[$0].1 / 2) + 4 * (cell[$0].2 / 2) })
      #expect(blocks.count == 1)
    }
  }

  @Test func oneDimensionSortsAndTiesKeepIndexOrder() {
    #expect(spatialOrder(positions: [0.5, -0.2, 0.5, -1, 0.5], dimension: 1) == [3, 1, 0, 2, 4])
    // Identical positions: original index order.
    #expect(spatialOrder(positions: [0.1, 0.1, 0.1, 0.1, -0.3, -0.3], dimension: 2) == [2, 0, 1])
    #expect(spatialOrder(positions: Array(repeating: 0.25, count: 12), dimension: 3) == [0, 1, 2, 3])
  }

  @Test func hilbertRelabelingShrinksHalos() throws {
    let n = 4096
    let x = uniformPositions(n, dimension: 2, seed: 4)
    let order = spatialOrder(positions: x, dimension: 2)
    let relabeled = order.flatMap { [x[2 * $0], x[2 * $0 + 1]] }
    let r = 0.06
    let part = try Partition(agentCount: n, rankCount: 16, blockSize: 64)
    func ghosts(_ g: Graph) throws -> Int {
      try (0..<16).reduce(0) { $0 + (try HaloPlan(graph: g, partition: part, rank: $1)).receiveIDs.count }
    }
    let random = try ghosts(Graph.geometricGraph(positions: x, dimension: 2, radius: r))
    let compact = try ghosts(Graph.geometricGraph(positions: relabeled, dimension: 2, radius: r))
    #expect(compact * 4 < random)
  }
}
