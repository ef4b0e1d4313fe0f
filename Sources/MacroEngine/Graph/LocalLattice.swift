extension LocalGraph {
  /// Rows `range` of `Graph.ring(n)` in closed form (no other row is built). Local.
  public static func ring(_ n: Int, range: Range<Int>) -> LocalGraph {
    closedForm(range) { i in
      if n >= 3 { return [(i + n - 1) % n, (i + 1) % n] }
      if n == 2 { return [1 - i] }
      return []
    }
  }

  /// Rows `range` of `Graph.grid(n)` (`wrap: false`) or `Graph.torus(n)` (`wrap: true`) in
  /// closed form. Local.
  /// - Throws: `Graph.torus(n)`'s error when a torus does not fit `n`.
  public static func lattice(_ n: Int, wrap: Bool, range: Range<Int>) throws(GraphError) -> LocalGraph {
    let (rows, cols) = wrap ? try Graph.torusShape(n) : gridShape(n)
    return closedForm(range) { i in
      let r = i / cols, c = i % cols
      var out: [Int] = []
      if c + 1 < cols { out.append(i + 1) } else if wrap { out.append(r * cols) }
      if c > 0 { out.append(i - 1) } else if wrap { out.append(r * cols + cols - 1) }
      if r + 1 < rows { out.append(i + cols) } else if wrap { out.append(c) }
      if r > 0 { out.append(i - cols) } else if wrap { out.append((rows - 1) * cols + c) }
      return out
    }
  }

  /// Rows from a per-row neighbour function (any order, duplicates and self ids dropped).
  static func closedForm(_ range: Range<Int>, _ row: (Int) -> [Int]) -> LocalGraph {
    var offsets = [0], nb: [Int32] = []
    for i in range {
      var r = row(i).filter { $0 != i }
      r.sort()
      var last = -1
      for j in r where j != last { nb.append(Int32(j)); last = j }
      offsets.append(nb.count)
    }
    return LocalGraph(ownedRange: range, sortedOffsets: offsets, sortedNeighbors: nb)
  }
}
