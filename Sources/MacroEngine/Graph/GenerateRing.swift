extension Graph {
  /// The cycle 0–1–…–(N−1)–0. Local.
  ///
  /// Degenerate sizes: N = 0 or 1 give no edges; N = 2 gives the single edge 0–1.
  /// - Throws: `GraphError.invalidParameter` if `n` is negative or ≥ 2³¹.
  public static func ring(_ n: Int) throws(GraphError) -> Graph {
    var edges: [(Int, Int)] = []
    if n >= 3 {
      edges.reserveCapacity(n)
      for i in 0..<n { edges.append((i, (i + 1) % n)) }
    } else if n == 2 {
      edges.append((0, 1))
    }
    return try Graph(vertexCount: n, edges: edges)
  }
}
