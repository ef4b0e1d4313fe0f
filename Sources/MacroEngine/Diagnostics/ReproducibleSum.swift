import MPIKit

/// Sums of per-agent vectors over all agents with the same bits for any number of ranks.
///
/// The agents are cut into global blocks of `blockSize` ids (the partition's alignment, so a
/// block never straddles two ranks). A block's leaf is the sequential sum of its agents in id
/// order; leaves are combined by the fixed binary tree over block indices (a node covers the
/// dyadic interval [i·2^k, (i+1)·2^k)). Each rank computes the maximal tree nodes inside its own
/// block range, rank 0 gathers them and completes the tree (missing intervals lie beyond N and
/// are zero; x + 0 = x exactly), and broadcasts the root. A plain Allreduce would instead add
/// the ranks' partial sums in an order that depends on the rank count.
public struct ReproducibleSum {
  public let width: Int
  public let blockSize: Int
  public let agentCount: Int

  public init(width: Int, blockSize: Int, agentCount: Int) {
    self.width = width
    self.blockSize = blockSize
    self.agentCount = agentCount
  }

  var blockCount: Int { (agentCount + blockSize - 1) / blockSize }

  /// Levels of the tree: 2^levels ≥ blockCount.
  var levels: Int {
    var l = 0
    while (1 << l) < blockCount { l += 1 }
    return l
  }

  /// Sum over all agents of `contribution(i, out)` (which adds agent i's vector into `out`,
  /// for the owned agents `ownedRange`). Collective over `comm`.
  public func sum(ownedRange: Range<Int>, comm: Communicator,
                  _ contribution: (Int, inout [Double]) -> Void) throws(MPIError) -> [Double] {
    let w = width
    // Leaves of the owned blocks.
    let firstBlock = ownedRange.isEmpty ? 0 : ownedRange.lowerBound / blockSize
    let endBlock = ownedRange.isEmpty ? 0 : (ownedRange.upperBound + blockSize - 1) / blockSize
    precondition(ownedRange.isEmpty || ownedRange.lowerBound % blockSize == 0, "owned range not block aligned")
    var leaves: [[Double]] = []
    for b in firstBlock..<endBlock {
      var acc = [Double](repeating: 0, count: w)
      for i in (b * blockSize)..<min((b + 1) * blockSize, ownedRange.upperBound) { contribution(i, &acc) }
      leaves.append(acc)
    }
    // Maximal dyadic nodes inside [firstBlock, endBlock), with their values.
    var payload: [Double] = []
    var lo = firstBlock
    while lo < endBlock {
      var k = 0
      while lo % (1 << (k + 1)) == 0 && lo + (1 << (k + 1)) <= endBlock && k + 1 <= levels { k += 1 }
      let value = Self.node(leaves, from: lo - firstBlock, level: k, width: w)
      payload.append(Double(k))
      payload.append(Double(lo >> k))
      payload.append(contentsOf: value)
      lo += 1 << k
    }
    var root = [Double](repeating: 0, count: w)
    if let all = try comm.gather(payload, root: 0) {
      var nodes: [Int: [Int: [Double]]] = [:]  // level → index → value
      for p in all {
        var j = 0
        while j < p.count {
          let k = Int(p[j]), idx = Int(p[j + 1])
          nodes[k, default: [:]][idx] = Array(p[(j + 2)..<(j + 2 + w)])
          j += 2 + w
        }
      }
      root = Self.complete(nodes, levels: levels, width: w)
    }
    try comm.broadcast(&root, root: 0)
    return root
  }

  /// The value of the node at `level` whose first leaf is `leaves[from]` (recursive, left + right).
  static func node(_ leaves: [[Double]], from: Int, level: Int, width w: Int) -> [Double] {
    if level == 0 { return from < leaves.count ? leaves[from] : [Double](repeating: 0, count: w) }
    let l = node(leaves, from: from, level: level - 1, width: w)
    let r = node(leaves, from: from + (1 << (level - 1)), level: level - 1, width: w)
    return (0..<w).map { l[$0] + r[$0] }
  }

  /// The root from the given nodes: a node is given, or the sum of its two children, or zero.
  static func complete(_ nodes: [Int: [Int: [Double]]], levels: Int, width w: Int) -> [Double] {
    func value(_ k: Int, _ i: Int) -> [Double]? {
      if let v = nodes[k]?[i] { return v }
      if k == 0 { return nil }
      let l = value(k - 1, 2 * i), r = value(k - 1, 2 * i + 1)
      switch (l, r) {
      case (nil, nil): return nil
      case (let a?, nil): return a.map { $0 + 0 }
      case (nil, let b?): return b.map { 0 + $0 }
      case (let a?, let b?): return (0..<w).map { a[$0] + b[$0] }
      }
    }
    return value(levels, 0) ?? [Double](repeating: 0, count: w)
  }
}
