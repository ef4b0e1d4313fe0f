import MPIKit

extension Partition {
  /// For each global id in `ids` (ascending, unique), the value its owner's `value(id)`
  /// returns: a request to every owner and one answer back (two MPI_Alltoallv), so a rank
  /// learns its ghosts' degrees or component labels without any array of size N.
  /// Collective over `comm` (every rank calls it, with its own `ids`).
  public func fetchFromOwners(_ ids: [Int], comm: Communicator,
                              value: (Int) -> Int) throws(MPIError) -> [Int] {
    var counts = [Int](repeating: 0, count: rankCount)
    for id in ids { counts[owner(of: id)] += 1 }
    let asked = try comm.alltoallv(ids, counts: counts)
    let answers = asked.data.map(value)
    let back = try comm.alltoallv(answers, counts: asked.counts)
    // Owners answer in request order, and requests went out grouped by ascending owner,
    // which (ids ascending) is the order of `ids`.
    return back.data
  }
}
