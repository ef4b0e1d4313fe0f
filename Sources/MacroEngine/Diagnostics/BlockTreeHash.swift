import HashKit
import MacroCore
import MPIKit

/// SHA-256 of row-distributed arrays that no rank funnels through one process (DESIGN §4):
/// the agents are cut into global blocks of `blockSize` ids (the partition's alignment, so a
/// block never straddles two ranks); a block's leaf is SHA-256 of its rows of every field in
/// order (little-endian doubles); leaves are combined by the fixed binary tree over block
/// indices, a node being SHA-256(0x01 ‖ left ‖ right), or SHA-256(0x01 ‖ left) when the
/// right subtree lies beyond N. Each rank hashes only its own rows and sends the maximal
/// tree nodes inside its block range (O(log N) of them) to rank 0, which completes the tree:
/// the result is the same for any rank count (the structure of ``ReproducibleSum``).
public struct BlockTreeHash {
  public let blockSize: Int
  public let agentCount: Int

  public init(blockSize: Int, agentCount: Int) {
    self.blockSize = blockSize
    self.agentCount = agentCount
  }

  var blockCount: Int { (agentCount + blockSize - 1) / blockSize }

  /// The root hash (hex) of `fields` (each the owned rows, `ownedRange.count × width`).
  /// Collective over `comm`; the digest is returned on rank 0 ("" elsewhere).
  public func digest(fields: [(values: UnsafeBufferPointer<Double>, width: Int)], ownedRange: Range<Int>,
                     comm: Communicator) throws(MPIError) -> String {
    precondition(ownedRange.isEmpty || ownedRange.lowerBound % blockSize == 0, "owned range not block aligned")
    let firstBlock = ownedRange.isEmpty ? 0 : ownedRange.lowerBound / blockSize
    let endBlock = ownedRange.isEmpty ? 0 : (ownedRange.upperBound + blockSize - 1) / blockSize
    var leaves: [[UInt8]] = []
    leaves.reserveCapacity(endBlock - firstBlock)
    for b in firstBlock..<endBlock {
      var h = SHA256()
      let lo = b * blockSize - ownedRange.lowerBound, hi = min((b + 1) * blockSize, ownedRange.upperBound) - ownedRange.lowerBound
      for f in fields { h.update(doubles: UnsafeBufferPointer(rebasing: f.values[(lo * f.width)..<(hi * f.width)])) }
      leaves.append(h.finalize())
    }
    return try Self.combine(leaves: leaves, firstBlock: firstBlock, blockCount: blockCount, comm: comm)
  }

  /// The root hash (hex) of the fixed tree over `blockCount` leaves, this rank holding
  /// `leaves` = leaves `firstBlock ..< firstBlock + leaves.count` (the ranks' ranges disjoint,
  /// covering all leaves). Collective over `comm`; returned on rank 0 ("" elsewhere).
  public static func combine(leaves: [[UInt8]], firstBlock: Int, blockCount: Int,
                             comm: Communicator) throws(MPIError) -> String {
    var levels = 0
    while (1 << levels) < blockCount { levels += 1 }
    let endBlock = firstBlock + leaves.count
    // Maximal dyadic nodes inside [firstBlock, endBlock): (level, index, 32-byte hash).
    var payload: [UInt8] = []
    var lo = firstBlock
    while lo < endBlock {
      var k = 0
      while lo % (1 << (k + 1)) == 0 && lo + (1 << (k + 1)) <= endBlock && k + 1 <= levels { k += 1 }
      payload.append(UInt8(k))
      withUnsafeBytes(of: UInt64(lo >> k).littleEndian) { payload.append(contentsOf: $0) }
      payload.append(contentsOf: node(leaves, from: lo - firstBlock, level: k))
      lo += 1 << k
    }
    guard let all = try comm.gather(bytes: payload, root: 0) else { return "" }
    var nodes: [Int: [Int: [UInt8]]] = [:]
    for p in all {
      var j = 0
      while j < p.count {
        var index: UInt64 = 0
        withUnsafeMutableBytes(of: &index) { $0.copyBytes(from: p[(j + 1)..<(j + 9)]) }
        nodes[Int(p[j]), default: [:]][Int(UInt64(littleEndian: index))] = Array(p[(j + 9)..<(j + 41)])
        j += 41
      }
    }
    return SHA256.hex(complete(nodes, levels: levels))
  }

  /// SHA-256(0x01 ‖ left ‖ right) (right optional).
  static func combine(_ l: [UInt8], _ r: [UInt8]?) -> [UInt8] {
    var h = SHA256()
    h.update(bytes: [1] + l + (r ?? []))
    return h.finalize()
  }

  /// The node at `level` whose first leaf is `leaves[from]` (every leaf present).
  static func node(_ leaves: [[UInt8]], from: Int, level: Int) -> [UInt8] {
    if level == 0 { return leaves[from] }
    return combine(node(leaves, from: from, level: level - 1), node(leaves, from: from + (1 << (level - 1)), level: level - 1))
  }

  /// The root from the given nodes (missing subtrees lie beyond N). The hash of no agents is
  /// SHA-256 of nothing.
  static func complete(_ nodes: [Int: [Int: [UInt8]]], levels: Int) -> [UInt8] {
    func value(_ k: Int, _ i: Int) -> [UInt8]? {
      if let v = nodes[k]?[i] { return v }
      if k == 0 { return nil }
      guard let l = value(k - 1, 2 * i) else { return nil }
      return combine(l, value(k - 1, 2 * i + 1))
    }
    return value(levels, 0) ?? SHA256.digest(bytes: [UInt8]())
  }
}
