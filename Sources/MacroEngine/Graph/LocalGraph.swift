/// The rows of one rank's owned agents of an undirected graph: what a rank holds instead of
/// the whole graph (DESIGN §3: nothing of size N on every rank).
///
/// Row `s` (local slot) belongs to global id `ownedRange.lowerBound + s` and lists its
/// neighbours' global ids, strictly ascending, never the agent itself — row for row the same
/// as `Graph.neighbors(of:)` of the whole graph. Local.
public struct LocalGraph: Sendable, Equatable {
  /// Global ids owned here.
  public let ownedRange: Range<Int>
  /// `ownedRange.count + 1` row starts into `neighbors`.
  public let offsets: [Int]
  /// Concatenated rows (global ids), ascending within each row.
  public let neighbors: [Int32]

  public var ownedCount: Int { ownedRange.count }

  /// The neighbours of local slot `s`, ascending global ids. Local.
  @inlinable
  public func neighbors(ofSlot s: Int) -> ArraySlice<Int32> { neighbors[offsets[s] ..< offsets[s + 1]] }

  /// The degree of local slot `s`. Local.
  @inlinable
  public func degree(slot s: Int) -> Int { offsets[s + 1] - offsets[s] }

  /// Rows `range` of a whole graph (the replicated reference; tests and `HaloPlan(graph:)`).
  /// Local. Precondition: `range` inside `0..<graph.vertexCount`.
  public init(graph: Graph, range: Range<Int>) {
    ownedRange = range
    let base = range.isEmpty ? 0 : graph.offsets[range.lowerBound]
    offsets = range.isEmpty ? [0] : graph.offsets[range.lowerBound...range.upperBound].map { $0 - base }
    neighbors = range.isEmpty ? [] : Array(graph.neighbors[base ..< graph.offsets[range.upperBound]])
  }

  /// From adjacency entries `(owned id, neighbour id)` in any order, possibly repeated
  /// (sorted and deduplicated here; entries with both ids equal are dropped). O(E log deg).
  /// Local. Precondition: every `owners[k]` lies in `range`.
  public init(ownedRange range: Range<Int>, owners: [Int], neighbors nb: [Int32]) {
    precondition(owners.count == nb.count, "one neighbour per owner entry")
    var counts = [Int](repeating: 0, count: range.count + 1)
    for (k, i) in owners.enumerated() where i != Int(nb[k]) { counts[i - range.lowerBound + 1] += 1 }
    for s in 0..<range.count { counts[s + 1] += counts[s] }
    var fill = counts
    var raw = [Int32](repeating: 0, count: counts[range.count])
    for (k, i) in owners.enumerated() where i != Int(nb[k]) {
      let s = i - range.lowerBound
      raw[fill[s]] = nb[k]
      fill[s] += 1
    }
    let g = Graph.compactingRows(vertexCount: range.count, offsets: counts, raw: raw)
    ownedRange = range
    offsets = g.offsets
    neighbors = g.neighbors
  }

  /// From rows already sorted, deduplicated and free of self loops. Local.
  init(ownedRange range: Range<Int>, sortedOffsets: [Int], sortedNeighbors: [Int32]) {
    ownedRange = range
    offsets = sortedOffsets
    neighbors = sortedNeighbors
  }

  /// The sorted, unique global ids adjacent to owned agents but owned elsewhere. Local.
  public var ghostIDs: [Int] {
    var g: [Int] = []
    for j32 in neighbors where !ownedRange.contains(Int(j32)) { g.append(Int(j32)) }
    g.sort()
    var unique: [Int] = []
    unique.reserveCapacity(g.count)
    for x in g where unique.last != x { unique.append(x) }
    return unique
  }
}
