/// The permutation that orders agents along a space-filling curve: `order[newID] = oldIndex`.
/// Local.
///
/// `positions` is agent-major (`N × dimension`, in [-1, 1]^d). Keys: d = 1 sorts by the
/// coordinate itself; d = 2 uses the Hilbert curve and d = 3 the Morton curve, both on the
/// 2^16-per-axis grid of `quantizeCoordinate`. Ties (equal keys) keep the original index
/// order, so the result is a deterministic function of the positions. The engine relabels
/// agents by it so that contiguous id ranges (one per rank) are spatially compact.
/// Preconditions: `dimension` in 1...3 and `positions.count` a multiple of it.
public func spatialOrder(positions: [Double], dimension d: Int) -> [Int] {
  precondition((1...3).contains(d), "dimension must be 1, 2 or 3")
  precondition(positions.count % d == 0, "positions must hold N × dimension numbers")
  let n = positions.count / d
  switch d {
  case 1:
    // NaN sorts first (as −∞) so the comparison is a strict weak order.
    func key(_ i: Int) -> Double { positions[i].isNaN ? -.infinity : positions[i] }
    return (0..<n).sorted { a, b in
      let ka = key(a), kb = key(b)
      return ka < kb || (ka == kb && a < b)
    }
  case 2:
    var keys = [UInt64](repeating: 0, count: n)
    for i in 0..<n {
      keys[i] = hilbertKey(x: quantizeCoordinate(positions[2 * i]),
                           y: quantizeCoordinate(positions[2 * i + 1]))
    }
    return sortedByKey(keys)
  default:
    var keys = [UInt64](repeating: 0, count: n)
    for i in 0..<n {
      keys[i] = mortonKey(x: quantizeCoordinate(positions[3 * i]),
                          y: quantizeCoordinate(positions[3 * i + 1]),
                          z: quantizeCoordinate(positions[3 * i + 2]))
    }
    return sortedByKey(keys)
  }
}

/// Indices sorted by (key, index).
private func sortedByKey(_ keys: [UInt64]) -> [Int] {
  (0..<keys.count).sorted { a, b in keys[a] < keys[b] || (keys[a] == keys[b] && a < b) }
}
