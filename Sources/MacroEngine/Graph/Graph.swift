/// An undirected simple graph over global ids `0..<vertexCount` in compressed sparse row form.
///
/// Invariants (checked by the validating initializer, guaranteed by the generators):
/// * `offsets.count == vertexCount + 1`, `offsets[0] == 0`, non-decreasing,
///   `offsets[vertexCount] == neighbors.count`;
/// * row `i` is `neighbors[offsets[i] ..< offsets[i+1]]`, strictly ascending (no duplicates),
///   never containing `i` (no self loops);
/// * symmetric: `j` is in row `i` exactly when `i` is in row `j`.
///
/// Neighbour ids are stored as `Int32` to halve the memory of a graph that every rank holds in
/// full (ids < 2³¹). The whole graph is replicated: every function here is Local.
public struct Graph: Sendable, Equatable {
  /// Number of vertices (agents) N.
  public let vertexCount: Int
  /// Row starts, `vertexCount + 1` entries.
  public let offsets: [Int]
  /// Concatenated rows, ascending within each row.
  public let neighbors: [Int32]

  /// Number of undirected edges (each counted once). Local.
  public var edgeCount: Int { neighbors.count / 2 }

  /// Degree of vertex `i`. Local. Precondition: `0 <= i < vertexCount`.
  @inlinable
  public func degree(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }

  /// The neighbours of `i`, ascending. Local. Precondition: `0 <= i < vertexCount`.
  @inlinable
  public func neighbors(of i: Int) -> ArraySlice<Int32> { neighbors[offsets[i] ..< offsets[i + 1]] }

  /// Mean degree `2E/N` (0 for an empty graph). Local.
  public var meanDegree: Double {
    vertexCount == 0 ? 0 : Double(neighbors.count) / Double(vertexCount)
  }

  /// Maximum degree (0 for an empty graph). Local.
  public var maxDegree: Int {
    var m = 0
    for i in 0..<vertexCount { m = max(m, offsets[i + 1] - offsets[i]) }
    return m
  }

  /// Trusted initializer for generators that build valid CSR directly.
  init(uncheckedVertexCount n: Int, offsets: [Int], neighbors: [Int32]) {
    self.vertexCount = n
    self.offsets = offsets
    self.neighbors = neighbors
  }

  /// Build from CSR arrays, checking every invariant listed on the type. Local.
  /// - Throws: `GraphError.invalidCSR` naming the first violated invariant.
  public init(offsets: [Int], neighbors: [Int32]) throws(GraphError) {
    guard let last = offsets.last, offsets.first == 0 else {
      throw .invalidCSR("offsets must start with 0 and have vertexCount + 1 entries")
    }
    let n = offsets.count - 1
    guard last == neighbors.count else {
      throw .invalidCSR("offsets[N] = \(last) but there are \(neighbors.count) neighbour entries")
    }
    for i in 0..<n {
      let lo = offsets[i], hi = offsets[i + 1]
      guard lo <= hi else { throw .invalidCSR("offsets decrease at row \(i)") }
      var previous = -1
      for k in lo..<hi {
        let j = Int(neighbors[k])
        guard j >= 0, j < n else { throw .invalidCSR("row \(i) has neighbour \(j) outside 0..<\(n)") }
        guard j != i else { throw .invalidCSR("row \(i) has a self loop") }
        guard j > previous else { throw .invalidCSR("row \(i) is not strictly ascending") }
        previous = j
      }
    }
    let candidate = Graph(uncheckedVertexCount: n, offsets: offsets, neighbors: neighbors)
    for i in 0..<n {
      for j in candidate.neighbors(of: i) where !candidate.hasEdge(Int(j), i) {
        throw .invalidCSR("edge \(i)–\(j) is present only in row \(i) (graph must be symmetric)")
      }
    }
    self = candidate
  }

  /// Build from an undirected edge list over ids `0..<vertexCount`. Both orientations of an
  /// edge may appear; duplicates are dropped and self loops `(i, i)` are ignored (the consensus
  /// weights add the self term anyway). O(N + E) plus the per-row sort of unsorted rows. Local.
  /// - Throws: `GraphError.invalidParameter` if `vertexCount` is negative or too large,
  ///   `GraphError.invalidEdge` for an endpoint outside `0..<vertexCount`.
  public init(vertexCount n: Int, edges: [(Int, Int)]) throws(GraphError) {
    guard n >= 0, n <= Int(Int32.max) else {
      throw .invalidParameter(name: "vertex count", value: "\(n)", allowed: "0 ... \(Int32.max)")
    }
    var counts = [Int](repeating: 0, count: n + 1)
    for (index, (a, b)) in edges.enumerated() {
      guard a >= 0, a < n, b >= 0, b < n else {
        throw .invalidEdge(index: index, i: a, j: b, vertexCount: n)
      }
      if a != b {
        counts[a + 1] += 1
        counts[b + 1] += 1
      }
    }
    for i in 0..<n { counts[i + 1] += counts[i] }
    var fill = counts
    var raw = [Int32](repeating: 0, count: counts[n])
    for (a, b) in edges where a != b {
      raw[fill[a]] = Int32(b)
      fill[a] += 1
      raw[fill[b]] = Int32(a)
      fill[b] += 1
    }
    self = Graph.compactingRows(vertexCount: n, offsets: counts, raw: raw)
  }

  /// Sort every row of `raw` (rows given by `offsets`), drop duplicates, and pack.
  static func compactingRows(vertexCount n: Int, offsets: [Int], raw: [Int32]) -> Graph {
    var raw = raw
    var newOffsets = [Int](repeating: 0, count: n + 1)
    var write = 0
    for i in 0..<n {
      let lo = offsets[i], hi = offsets[i + 1]
      var sorted = true
      if hi - lo > 1 {
        for k in (lo + 1)..<hi where raw[k - 1] > raw[k] { sorted = false; break }
      }
      if !sorted { raw[lo..<hi].sort() }
      var k = lo
      while k < hi {
        let v = raw[k]
        if write == newOffsets[i] || raw[write - 1] != v {
          raw[write] = v
          write += 1
        }
        k += 1
      }
      newOffsets[i + 1] = write
    }
    raw.removeLast(raw.count - write)
    return Graph(uncheckedVertexCount: n, offsets: newOffsets, neighbors: raw)
  }

  /// Whether `i` and `j` are adjacent (binary search in row `i`). Local.
  public func hasEdge(_ i: Int, _ j: Int) -> Bool {
    guard i >= 0, i < vertexCount, j >= 0, j < vertexCount else { return false }
    var lo = offsets[i], hi = offsets[i + 1]
    let target = Int32(j)
    while lo < hi {
      let mid = (lo + hi) / 2
      if neighbors[mid] < target { lo = mid + 1 } else { hi = mid }
    }
    return lo < offsets[i + 1] && neighbors[lo] == target
  }

  /// The edge list `(i, j)` with `i < j`, in ascending order. Local.
  public var edges: [(Int, Int)] {
    var out: [(Int, Int)] = []
    out.reserveCapacity(edgeCount)
    for i in 0..<vertexCount {
      for j in neighbors(of: i) where Int(j) > i { out.append((i, Int(j))) }
    }
    return out
  }

  public static func == (a: Graph, b: Graph) -> Bool {
    a.vertexCount == b.vertexCount && a.offsets == b.offsets && a.neighbors == b.neighbors
  }
}
