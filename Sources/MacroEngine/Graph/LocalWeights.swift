import MPIKit

/// The consensus weights of one rank's rows (``LocalGraph``), parallel to its CSR: the same
/// numbers as the rows of ``ConsensusWeights`` of the whole graph, from the owned rows and
/// one exchange of the ghosts' degrees.
public struct LocalWeights: Sendable, Equatable {
  public let kind: ConsensusWeights.Kind
  /// `w_ij` per entry of `rows.neighbors`.
  public let weightsOffDiagonal: [Double]
  /// `w_ii` per owned slot.
  public let selfWeight: [Double]

  /// Weights from the rows and the degree of every neighbour (`neighborDegree[k]` belongs to
  /// `rows.neighbors[k]`), with `ConsensusWeights`' arithmetic (same bits). Local.
  public init(rows: LocalGraph, neighborDegree: [Int], kind: ConsensusWeights.Kind) {
    precondition(neighborDegree.count == rows.neighbors.count, "one degree per neighbour entry")
    self.kind = kind
    var off = [Double](repeating: 0, count: rows.neighbors.count)
    var diagonal = [Double](repeating: 1, count: rows.ownedCount)
    for s in 0..<rows.ownedCount {
      let di = rows.degree(slot: s)
      var sum = 0.0
      for k in rows.offsets[s] ..< rows.offsets[s + 1] {
        let w = 1 / Double(1 + max(di, neighborDegree[k]))
        off[k] = w
        sum += w
      }
      diagonal[s] = 1 - sum
    }
    if kind == .lazyMetropolis {
      for k in off.indices { off[k] *= 0.5 }
      for s in diagonal.indices { diagonal[s] = (1 + diagonal[s]) * 0.5 }
    }
    weightsOffDiagonal = off
    selfWeight = diagonal
  }

  /// The weights of this rank's rows: the ghosts' degrees come from their owners.
  /// Collective over `comm`.
  public init(rows: LocalGraph, partition: Partition, kind: ConsensusWeights.Kind,
              comm: Communicator) throws(MPIError) {
    let ghosts = rows.ghostIDs
    let lo = rows.ownedRange.lowerBound
    let ghostDegree = try partition.fetchFromOwners(ghosts, comm: comm) { rows.degree(slot: $0 - lo) }
    var degrees = [Int](repeating: 0, count: rows.neighbors.count)
    for (k, j32) in rows.neighbors.enumerated() {
      let j = Int(j32)
      if rows.ownedRange.contains(j) {
        degrees[k] = rows.degree(slot: j - lo)
      } else {
        var a = 0, b = ghosts.count
        while a < b { let mid = (a + b) / 2; if ghosts[mid] < j { a = mid + 1 } else { b = mid } }
        degrees[k] = ghostDegree[a]
      }
    }
    self.init(rows: rows, neighborDegree: degrees, kind: kind)
  }
}
