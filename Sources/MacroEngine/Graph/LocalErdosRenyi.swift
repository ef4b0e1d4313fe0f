import Foundation
import MacroCore
import MPIKit

extension LocalGraph {
  /// This rank's rows of `Graph.erdosRenyi(n, probability: p, seed: seed)`: the owner of
  /// agent i draws i's upper neighbours j > i (the same counter-RNG draws, keyed by i) and
  /// sends the edge to j's owner. Collective over `comm`.
  /// - Throws: the same parameter errors as `Graph.erdosRenyi`, on every rank.
  public static func erdosRenyi(_ n: Int, probability p: Double, seed: UInt64, partition: Partition,
                                comm: Communicator) throws(SetupFailure) -> LocalGraph {
    guard p.isFinite, p >= 0, p <= 1 else {
      throw .graph(.invalidParameter(name: "graph.probability", value: "\(p)", allowed: "0 <= p <= 1"))
    }
    guard n >= 0, n <= Int(Int32.max) else {
      throw .graph(.invalidParameter(name: "agents.count", value: "\(n)", allowed: "0 ... \(Int32.max)"))
    }
    var owners: [Int] = [], neighbors: [Int] = []
    if p > 0 && n > 1 {
      let logQ = log1p(-p)
      for i in partition.range(of: comm.rank) {
        var j = i
        var k: UInt64 = 0
        while true {
          let u = CounterRNG.uniform(seed: seed, id: UInt64(i), stream: CounterRNG.Stream.erdosRenyi, index: k)
          k += 1
          let skip = p >= 1 ? 0 : (log1p(-u) / logQ).rounded(.down)
          if !(skip < Double(n - j)) { break }
          j += 1 + Int(skip)
          if j >= n { break }
          owners.append(i); neighbors.append(j)
          owners.append(j); neighbors.append(i)
        }
      }
    }
    do { return try routed(owners: owners, neighbors: neighbors, partition: partition, comm: comm) } catch {
      throw .mpi(error)
    }
  }
}
