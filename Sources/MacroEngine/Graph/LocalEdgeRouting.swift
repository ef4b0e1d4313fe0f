import MPIKit

extension LocalGraph {
  /// The rows of this rank from adjacency entries produced anywhere: entry k says that
  /// `neighbors[k]` is adjacent to `owners[k]`; each entry travels to the owner of
  /// `owners[k]` (one MPI_Alltoallv), where duplicates are merged. To build an undirected
  /// graph, emit every edge in both orientations. Collective over `comm`.
  /// Precondition: every id lies in `0..<partition.agentCount`.
  public static func routed(owners: [Int], neighbors: [Int], partition: Partition,
                            comm: Communicator) throws(MPIError) -> LocalGraph {
    precondition(owners.count == neighbors.count, "one neighbour per owner entry")
    let p = partition.rankCount
    var counts = [Int](repeating: 0, count: p)
    var dest = [Int](repeating: 0, count: owners.count)
    for (k, i) in owners.enumerated() {
      dest[k] = partition.owner(of: i)
      counts[dest[k]] += 1
    }
    var at = [Int](repeating: 0, count: p)
    for r in 1..<max(p, 1) { at[r] = at[r - 1] + counts[r - 1] }
    var packed = [Int](repeating: 0, count: 2 * owners.count)
    for k in owners.indices {
      let slot = at[dest[k]]
      packed[2 * slot] = owners[k]
      packed[2 * slot + 1] = neighbors[k]
      at[dest[k]] += 1
    }
    dest = []
    let got = try comm.alltoallv(packed, counts: counts.map { 2 * $0 })
    packed = []
    let e = got.data.count / 2
    var own = [Int](repeating: 0, count: e), nb = [Int32](repeating: 0, count: e)
    for k in 0..<e {
      own[k] = got.data[2 * k]
      nb[k] = Int32(got.data[2 * k + 1])
    }
    return LocalGraph(ownedRange: partition.range(of: comm.rank), owners: own, neighbors: nb)
  }
}
