/// What one rank exchanges with its neighbour ranks each round (HPCG's SetupHalo): built once
/// from the rank's own rows of the graph (``LocalGraph``) and the partition, then executed many times by the exchange.
///
/// Local slots: owned agents first (`slot = id − ownedRange.lowerBound`), then ghosts (the
/// neighbours' agents adjacent to ours) in order of (owner rank, id) — which, because ranges
/// are contiguous and ascending, is simply ascending global id. The receive lists,
/// concatenated in `neighborRanks` order, are exactly the ghosts, so the data from
/// `neighborRanks[k]` lands in slots `ownedCount + receiveOffsets[k] ..< ownedCount +
/// receiveOffsets[k + 1]`.
///
/// Symmetry: `sendIDs` of rank r to s equal `receiveIDs` of rank s from r (same ids, same
/// order), because the graph is symmetric; `HaloPlan` itself does not communicate.
public struct HaloPlan: Sendable, Equatable {
  public let rank: Int
  /// Global ids owned by this rank.
  public let ownedRange: Range<Int>
  /// Ranks owning at least one neighbour of our agents, ascending.
  public let neighborRanks: [Int]
  /// `neighborRanks.count + 1` offsets into `sendIDs`.
  public let sendOffsets: [Int]
  /// Per neighbour rank (in `neighborRanks` order), our agents adjacent to that rank, ascending.
  public let sendIDs: [Int]
  /// `neighborRanks.count + 1` offsets into `receiveIDs`.
  public let receiveOffsets: [Int]
  /// Per neighbour rank, that rank's agents adjacent to ours, ascending. Equals the ghosts.
  public let receiveIDs: [Int]
  /// Own agents with at least one neighbour owned elsewhere, ascending.
  public private(set) var boundaryIDs: [Int]
  /// Own agents whose neighbours are all owned here, ascending.
  public private(set) var interiorIDs: [Int]
  /// Row starts of the owned rows in local form (`ownedCount + 1` entries, from 0).
  public private(set) var localOffsets: [Int]
  /// Local slots of the neighbours of each owned agent, in the rows' (ascending id) order:
  /// `localNeighborSlots[localOffsets[s] + t]` is the slot of `rows.neighbors(ofSlot: s)[t]`,
  /// aligned with the rows' weights (`LocalWeights.weightsOffDiagonal[rows.offsets[s] + t]`).
  public private(set) var localNeighborSlots: [Int32]

  public var ownedCount: Int { ownedRange.count }
  /// Ghost global ids; ghost g sits in slot `ownedCount + g`.
  public var ghostIDs: [Int] { receiveIDs }
  /// Owned plus ghost slots.
  public var localCount: Int { ownedRange.count + receiveIDs.count }

  /// Our agents to send to `neighborRanks[k]`. Local.
  public func sendIDs(neighbor k: Int) -> ArraySlice<Int> { sendIDs[sendOffsets[k] ..< sendOffsets[k + 1]] }
  /// `neighborRanks[k]`'s agents we receive. Local.
  public func receiveIDs(neighbor k: Int) -> ArraySlice<Int> {
    receiveIDs[receiveOffsets[k] ..< receiveOffsets[k + 1]]
  }

  /// The local slot of global id `id`, or nil if it is neither owned nor a ghost. Local.
  public func localSlot(of id: Int) -> Int? {
    if ownedRange.contains(id) { return id - ownedRange.lowerBound }
    var lo = 0, hi = receiveIDs.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if receiveIDs[mid] < id { lo = mid + 1 } else { hi = mid }
    }
    return lo < receiveIDs.count && receiveIDs[lo] == id ? ownedCount + lo : nil
  }

  /// The global id in local slot `slot`. Local. Precondition: `0 <= slot < localCount`.
  public func globalID(ofSlot slot: Int) -> Int {
    slot < ownedCount ? ownedRange.lowerBound + slot : receiveIDs[slot - ownedCount]
  }

  /// The plan of `rank`: a pure function of its arguments, O(E_own log G) for the E_own
  /// edges of owned agents and G ghosts. Local (every rank computes its own; tests compute
  /// all of them in one process).
  /// - Throws: `PartitionError.sizeMismatch` or `.invalidRank`.
  public init(graph: Graph, partition: Partition, rank: Int) throws(PartitionError) {
    guard graph.vertexCount == partition.agentCount else {
      throw .sizeMismatch(graphVertices: graph.vertexCount, partitionAgents: partition.agentCount)
    }
    guard rank >= 0, rank < partition.rankCount else {
      throw .invalidRank(rank: rank, rankCount: partition.rankCount)
    }
    try self.init(rows: LocalGraph(graph: graph, range: partition.range(of: rank)), partition: partition, rank: rank)
  }

  /// The plan of `rank` from its own rows only (what a distributed setup holds): the same
  /// plan as `init(graph:partition:rank:)` of the whole graph. O(E_own log G). Local.
  /// - Throws: `PartitionError.invalidRank`, or `.sizeMismatch` when `rows` are not the
  ///   rows of `rank` in `partition`.
  public init(rows: LocalGraph, partition: Partition, rank: Int) throws(PartitionError) {
    guard rank >= 0, rank < partition.rankCount else {
      throw .invalidRank(rank: rank, rankCount: partition.rankCount)
    }
    let own = partition.range(of: rank)
    guard rows.ownedRange == own else {
      throw .sizeMismatch(graphVertices: rows.ownedCount, partitionAgents: own.count)
    }
    self.rank = rank
    self.ownedRange = own

    // Send lists per rank (built in ascending i, so only the last entry can repeat) and ghosts.
    var sendByRank: [Int: [Int]] = [:]
    var ghosts: [Int] = []
    var boundary: [Int] = [], interior: [Int] = []
    for i in own {
      var isBoundary = false
      for j32 in rows.neighbors(ofSlot: i - own.lowerBound) {
        let j = Int(j32)
        if own.contains(j) { continue }
        isBoundary = true
        ghosts.append(j)
        let s = partition.owner(of: j)
        if sendByRank[s]?.last != i { sendByRank[s, default: []].append(i) }
      }
      if isBoundary { boundary.append(i) } else { interior.append(i) }
    }
    ghosts.sort()
    var unique: [Int] = []
    unique.reserveCapacity(ghosts.count)
    for g in ghosts where unique.last != g { unique.append(g) }

    let (ranks, recvOffsets) = Self.receiveLists(ghosts: unique, partition: partition)
    let sendRanks = sendByRank.keys.sorted()
    precondition(sendRanks == ranks, "graph is not symmetric: send and receive ranks differ")

    var sendOffsets = [0]
    var sends: [Int] = []
    for s in ranks {
      sends.append(contentsOf: sendByRank[s] ?? [])
      sendOffsets.append(sends.count)
    }
    self.neighborRanks = ranks
    self.sendOffsets = sendOffsets
    self.sendIDs = sends
    self.receiveOffsets = recvOffsets
    self.receiveIDs = unique
    self.boundaryIDs = boundary
    self.interiorIDs = interior

    (localOffsets, localNeighborSlots) = Self.localAdjacency(rows: rows, owned: own, ghosts: unique)
  }

  /// The neighbour ranks of the sorted ghost ids `ghosts` and the offsets of each rank's
  /// ghosts (ascending ids have ascending owners). Local.
  static func receiveLists(ghosts unique: [Int], partition: Partition) -> (ranks: [Int], offsets: [Int]) {
    var ranks: [Int] = []
    var recvOffsets = [0]
    for (k, g) in unique.enumerated() {
      let s = partition.owner(of: g)
      if ranks.last != s {
        if !ranks.isEmpty { recvOffsets.append(k) }
        ranks.append(s)
      }
    }
    if !ranks.isEmpty { recvOffsets.append(unique.count) }
    return (ranks, recvOffsets)
  }

  /// The owned rows' neighbours as local slots (owned: id − first, ghosts: owned count + place
  /// in the sorted `ghosts`), with row offsets. Local.
  static func localAdjacency(rows: LocalGraph, owned own: Range<Int>, ghosts unique: [Int]) -> (offsets: [Int], slots: [Int32]) {
    var localOffsets = [Int](repeating: 0, count: own.count + 1)
    var slots: [Int32] = []
    slots.reserveCapacity(rows.neighbors.count)
    for s in 0..<own.count {
      for j32 in rows.neighbors(ofSlot: s) {
        let j = Int(j32)
        if own.contains(j) {
          slots.append(Int32(j - own.lowerBound))
        } else {
          var lo = 0, hi = unique.count
          while lo < hi {
            let mid = (lo + hi) / 2
            if unique[mid] < j { lo = mid + 1 } else { hi = mid }
          }
          slots.append(Int32(own.count + lo))
        }
      }
      localOffsets[s + 1] = slots.count
    }
    return (localOffsets, slots)
  }

  /// Drops what only the setup reads — the local adjacency and the interior/boundary id
  /// lists (≈ 16 + 4·degree bytes an owned agent) — once the mixing rows and the engine's
  /// slot lists are built from them; the halo's send/receive lists stay. Local.
  public mutating func releaseSetupLists() {
    localOffsets = []
    localNeighborSlots = []
    interiorIDs = []
    boundaryIDs = []
  }
}
