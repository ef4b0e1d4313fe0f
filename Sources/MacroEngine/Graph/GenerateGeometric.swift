import Foundation

/// A random geometric graph and how it was obtained.
public struct GeometricGraph: Sendable {
  /// The graph: i–j is an edge when `|x_i − x_j| <= radius` (Euclidean).
  public let graph: Graph
  /// The radius used (after growth).
  public let radius: Double
  /// The radius from the volume formula, before growth.
  public let initialRadius: Double
  /// How many times the radius was multiplied by 1.1 to connect the graph.
  public let growths: Int
  /// The mean degree actually obtained, `2E/N`.
  public var meanDegree: Double { graph.meanDegree }
}

extension Graph {
  /// Default cap on the number of ×1.1 radius growths (1.1⁴⁰ ≈ 45× the initial radius).
  public static let defaultMaxRadiusGrowths = 40

  /// The random geometric graph of `positions` (agent-major, `n × dimension`, in [-1,1]^d)
  /// with a target mean degree. Local.
  ///
  /// The initial radius solves `meanDegree = (N − 1) · V_d(r) / 2^d` (V_d(r) the volume of the
  /// d-ball: 2r, πr², 4πr³/3; 2^d the volume of the box, boundary effects ignored, so the
  /// obtained mean degree is somewhat lower). While the graph is disconnected the radius is
  /// multiplied by 1.1, at most `maxGrowths` times. Each build uses a cell list (cells of side
  /// ≥ r, at most ~2N cells): O(N + E) time and memory, never O(N²).
  /// - Throws: `GraphError.invalidParameter` for a bad dimension, length, or mean degree,
  ///   `GraphError.nonFinitePosition`, and `GraphError.disconnected(kind: "geometric")` if the
  ///   graph is still disconnected after `maxGrowths` growths.
  public static func geometric(
    positions: [Double], dimension d: Int, meanDegree: Double,
    maxGrowths: Int = defaultMaxRadiusGrowths
  ) throws(GraphError) -> GeometricGraph {
    guard (1...3).contains(d) else {
      throw .invalidParameter(name: "agents.dimension", value: "\(d)", allowed: "1, 2 or 3")
    }
    guard positions.count % d == 0 else {
      throw .invalidParameter(name: "positions", value: "\(positions.count) numbers",
                              allowed: "a multiple of the dimension \(d)")
    }
    let n = positions.count / d
    guard n <= Int(Int32.max) else {
      throw .invalidParameter(name: "agents.count", value: "\(n)", allowed: "below 2³¹")
    }
    guard meanDegree.isFinite, meanDegree > 0 else {
      throw .invalidParameter(name: "graph.mean_degree", value: "\(meanDegree)", allowed: "a positive number")
    }
    guard maxGrowths >= 0 else {
      throw .invalidParameter(name: "maxGrowths", value: "\(maxGrowths)", allowed: "non-negative")
    }
    for (k, x) in positions.enumerated() where !x.isFinite { throw .nonFinitePosition(agent: k / d) }

    let r0 = initialGeometricRadius(agentCount: n, dimension: d, meanDegree: meanDegree)
    var r = r0
    var growths = 0
    while true {
      let g = geometricGraph(positions: positions, dimension: d, radius: r)
      let c = connectedComponents(g)
      if c <= 1 { return GeometricGraph(graph: g, radius: r, initialRadius: r0, growths: growths) }
      if growths == maxGrowths { throw .disconnected(components: c, kind: "geometric") }
      r *= 1.1
      growths += 1
    }
  }

  /// `r` with `meanDegree = (N − 1) · V_d(r) / 2^d`. Local.
  public static func initialGeometricRadius(agentCount n: Int, dimension d: Int, meanDegree k: Double) -> Double {
    guard n > 1 else { return 0 }
    let ballConstant: Double  // V_d(r) = c · r^d
    switch d {
    case 1: ballConstant = 2
    case 2: ballConstant = Double.pi
    default: ballConstant = 4 * Double.pi / 3
    }
    let volume = k * pow(2, Double(d)) / (Double(n - 1) * ballConstant)
    return pow(volume, 1 / Double(d))
  }

  /// The geometric graph for a fixed radius: i–j is an edge when the squared distance, summed
  /// over coordinates in order, is `<= r²`. Positions may lie outside the box (cells clamp).
  /// Local. Preconditions: `dimension` in 1...3, finite positions, count a multiple of d.
  public static func geometricGraph(positions: [Double], dimension d: Int, radius r: Double) -> Graph {
    let n = positions.count / d
    let rows = geometricRows(positions: positions, dimension: d, radius: r, lower: [-1, -1, -1], upper: [1, 1, 1], rows: 0..<n)
    return Graph(uncheckedVertexCount: n, offsets: rows.offsets, neighbors: rows.neighbors)
  }

  /// Rows `rows` of the geometric graph of `positions` (indices into `positions`, ascending
  /// within a row): the points within `r` of each. The cell list covers the box
  /// `[lower, upper]` (per axis; points outside clamp into the border cells, so any box is
  /// correct and a tight one is fast), with cells of side ≥ r and at most about 2N cells.
  /// Local. Preconditions as for `geometricGraph`; `lower[a] <= upper[a]`.
  public static func geometricRows(positions: [Double], dimension d: Int, radius r: Double,
                                   lower: [Double], upper: [Double], rows: Range<Int>) -> (offsets: [Int], neighbors: [Int32]) {
    let cells = CellList(positions: positions, dimension: d, radius: r, lower: lower, upper: upper)
    var offsets = [Int](repeating: 0, count: rows.count + 1)
    var neighbors: [Int32] = []
    var row: [Int32] = []
    row.reserveCapacity(64)
    for (out, i) in rows.enumerated() {
      row.removeAll(keepingCapacity: true)
      cells.neighbors(of: i, positions: positions, radius: r, into: &row)
      insertionSort(&row)
      neighbors.append(contentsOf: row)
      offsets[out + 1] = neighbors.count
    }
    return (offsets, neighbors)
  }
}

/// The cell list of `geometricRows`: the points bucketed into cells of side ≥ r over a box
/// (a counting sort, ascending ids within a cell), their coordinates copied in cell order.
/// Local value.
struct CellList {
  let d: Int
  let ncs: [Int], strides: [Int]
  /// Cell coordinates of each point (3 a point), cell offsets into `members`, the points in
  /// cell order and their coordinates in that order.
  let coord: [Int32], cellStart: [Int], members: [Int32], cellPositions: [Double]

  init(positions: [Double], dimension d: Int, radius r: Double, lower: [Double], upper: [Double]) {
    let n = positions.count / d
    self.d = d
    let ncs = Self.cellsPerAxis(pointCount: n, dimension: d, radius: r, lower: lower, upper: upper)
    var sides = [1.0, 1.0, 1.0], lasts = [0.0, 0.0, 0.0]
    for a in 0..<d {
      sides[a] = ncs[a] > 1 ? (upper[a] - lower[a]) / Double(ncs[a]) : 1
      lasts[a] = Double(ncs[a] - 1)
    }
    let strides = [1, ncs[0], ncs[0] * ncs[1]]
    let cellCount = ncs[0] * ncs[1] * ncs[2]
    // Cell coordinates of each point (clamped: a 1-Lipschitz map, so neighbours within r stay
    // in adjacent cells even for points outside the box).
    var coord = [Int32](repeating: 0, count: n * 3)
    var cellOf = [Int](repeating: 0, count: n)
    for i in 0..<n {
      var cell = 0
      for a in 0..<d {
        let u = min(max((positions[i * d + a] - lower[a]) / sides[a], 0), lasts[a])
        let c = Int(u)
        coord[i * 3 + a] = Int32(c)
        cell += c * strides[a]
      }
      cellOf[i] = cell
    }
    // Counting sort of points by cell (stable: ascending ids within a cell).
    var cellStart = [Int](repeating: 0, count: cellCount + 1)
    for i in 0..<n { cellStart[cellOf[i] + 1] += 1 }
    for c in 0..<cellCount { cellStart[c + 1] += cellStart[c] }
    var fill = cellStart
    var members = [Int32](repeating: 0, count: n)
    for i in 0..<n {
      members[fill[cellOf[i]]] = Int32(i)
      fill[cellOf[i]] += 1
    }
    // Coordinates in cell order, so the neighbour scan reads contiguous memory.
    var cellPositions = [Double](repeating: 0, count: n * d)
    for k in 0..<n {
      let j = Int(members[k])
      for a in 0..<d { cellPositions[k * d + a] = positions[j * d + a] }
    }
    self.ncs = ncs; self.strides = strides; self.coord = coord
    self.cellStart = cellStart; self.members = members; self.cellPositions = cellPositions
  }

  /// Cells per axis: side ≥ r (with a 1e-9 margin, so rounding in the cell index of two
  /// points at distance r cannot put them two cells apart), at most about 2N cells in total.
  static func cellsPerAxis(pointCount n: Int, dimension d: Int, radius r: Double, lower: [Double], upper: [Double]) -> [Int] {
    var ncs = [1, 1, 1]
    for a in 0..<d {
      let ext = upper[a] - lower[a]
      ncs[a] = r > 0 && ext > 0 ? max(1, Int(min(ext / (r * (1 + 1e-9)), 1_048_576.0))) : 1
    }
    let cellCap = max(1, 2 * max(n, 1))
    while ncs[0] * ncs[1] * ncs[2] > cellCap {
      let big = (0..<3).max { ncs[$0] < ncs[$1] } ?? 0
      ncs[big] = max(1, ncs[big] / 2)
    }
    return ncs
  }

  /// Appends to `row` the points j ≠ i within `r` of point i (in cell order, unsorted). Local.
  func neighbors(of i: Int, positions: [Double], radius r: Double, into row: inout [Int32]) {
    let r2 = r * r
    let lo1 = d >= 2 ? -1 : 0, hi1 = d >= 2 ? 1 : 0
    let lo2 = d >= 3 ? -1 : 0, hi2 = d >= 3 ? 1 : 0
    let c0 = Int(coord[i * 3]), c1 = Int(coord[i * 3 + 1]), c2 = Int(coord[i * 3 + 2])
    let xi = i * d
    for o2 in lo2...hi2 {
      let z = c2 + o2
      if z < 0 || z >= ncs[2] { continue }
      for o1 in lo1...hi1 {
        let y = c1 + o1
        if y < 0 || y >= ncs[1] { continue }
        let xLo = max(c0 - 1, 0), xHi = min(c0 + 1, ncs[0] - 1)
        // Cells xLo...xHi of this (y, z) line are contiguous in `members`.
        let base = y * strides[1] * (d >= 2 ? 1 : 0) + z * strides[2] * (d >= 3 ? 1 : 0)
        let from = cellStart[base + xLo], to = cellStart[base + xHi + 1]
        var k = from
        while k < to {
          let j = Int(members[k])
          k += 1
          if j == i { continue }
          let xj = (k - 1) * d
          var dist2 = 0.0
          for a in 0..<d {
            let delta = positions[xi + a] - cellPositions[xj + a]
            dist2 += delta * delta
          }
          if dist2 <= r2 { row.append(Int32(j)) }
        }
      }
    }
  }
}

/// Sort a short array in place (rows of a geometric graph are O(mean degree) long).
@inline(__always)
private func insertionSort(_ a: inout [Int32]) {
  if a.count < 2 { return }
  if a.count > 48 { a.sort(); return }
  for k in 1..<a.count {
    let v = a[k]
    var m = k - 1
    while m >= 0 && a[m] > v {
      a[m + 1] = a[m]
      m -= 1
    }
    a[m + 1] = v
  }
}
