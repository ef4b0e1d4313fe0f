import MacroCore
import MPIKit

extension DistributedEngine {
  /// The state digest: the ``BlockTreeHash`` of x, σ, θ, v (each block's leaf hashes the
  /// block's rows of x, then σ, θ, v, as little-endian doubles) — every rank hashes its own
  /// rows, rank 0 combines O(P log N) node hashes; the same value for any rank count.
  /// Collective; the digest is returned on rank 0 (empty elsewhere).
  public func stateDigest() throws(EngineError) -> String {
    let m = state.m, d = state.dimension, n = state.ownedCount
    let tree = BlockTreeHash(blockSize: partition.blockSize, agentCount: partition.agentCount)
    do {
      return try state.x.withUnsafeBufferPointer { (x) throws(MPIError) -> String in
        try state.sigma.withUnsafeBufferPointer { (sg) throws(MPIError) -> String in
          try state.theta.withUnsafeBufferPointer { (th) throws(MPIError) -> String in
            try state.v.withUnsafeBufferPointer { (v) throws(MPIError) -> String in
              try tree.digest(fields: [(x, d), (UnsafeBufferPointer(rebasing: sg[0..<(n * m)]), m),
                                       (UnsafeBufferPointer(rebasing: th[0..<(n * m)]), m), (v, m)],
                              ownedRange: plan.ownedRange, comm: comm)
            }
          }
        }
      }
    } catch { throw .mpi(error) }
  }
}
