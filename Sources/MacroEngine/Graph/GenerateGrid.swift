/// The most nearly square factorization `rows × cols = n` with `rows <= cols`: `rows` is the
/// largest divisor of `n` not above √n. A prime `n` gives `1 × n` (a path). `n = 0` gives
/// `0 × 0`. Local.
public func gridShape(_ n: Int) -> (rows: Int, cols: Int) {
  guard n > 0 else { return (0, 0) }
  var r = Int(Double(n).squareRoot())
  while r * r > n { r -= 1 }
  while (r + 1) * (r + 1) <= n { r += 1 }
  while r > 1 && n % r != 0 { r -= 1 }
  return (r, n / r)
}

extension Graph {
  /// A 2-D grid graph on exactly `n` vertices, shaped by `gridShape(n)` (rows × cols as close
  /// to square as the factorization allows, rows ≤ cols; a prime n gives a path). Vertex id
  /// `r * cols + c` is at row r, column c, and is joined to its 4-neighbours (no wrap-around).
  /// Local.
  /// - Throws: `GraphError.invalidParameter` if `n` is negative or ≥ 2³¹.
  public static func grid(_ n: Int) throws(GraphError) -> Graph {
    try lattice(n, wrap: false)
  }

  /// The torus: the grid of `grid(n)` with wrap-around in both directions, so every vertex
  /// has degree 4. Local.
  /// - Throws: `GraphError.invalidParameter` unless `gridShape(n)` has rows, cols ≥ 3
  ///   (otherwise wrap-around edges would duplicate grid edges).
  public static func torus(_ n: Int) throws(GraphError) -> Graph {
    _ = try torusShape(n)
    return try lattice(n, wrap: true)
  }

  /// `gridShape(n)` when it fits a torus (rows, cols ≥ 3). Local.
  /// - Throws: `GraphError.invalidParameter` naming agents.count otherwise.
  public static func torusShape(_ n: Int) throws(GraphError) -> (rows: Int, cols: Int) {
    let (rows, cols) = gridShape(n)
    guard rows >= 3, cols >= 3 else {
      throw .invalidParameter(
        name: "agents.count", value: "\(n)",
        allowed: "a torus needs agents.count = rows × cols with rows, cols ≥ 3 (\(n) factors "
          + "at best as \(rows) × \(cols)); choose e.g. a multiple of 9 or a perfect square ≥ 9")
    }
    return (rows, cols)
  }

  private static func lattice(_ n: Int, wrap: Bool) throws(GraphError) -> Graph {
    guard n >= 0 else {
      throw .invalidParameter(name: "vertex count", value: "\(n)", allowed: "non-negative")
    }
    let (rows, cols) = gridShape(n)
    var edges: [(Int, Int)] = []
    edges.reserveCapacity(2 * n)
    for r in 0..<rows {
      for c in 0..<cols {
        let id = r * cols + c
        if c + 1 < cols { edges.append((id, id + 1)) } else if wrap { edges.append((id, r * cols)) }
        if r + 1 < rows { edges.append((id, id + cols)) } else if wrap { edges.append((id, c)) }
      }
    }
    return try Graph(vertexCount: n, edges: edges)
  }
}
