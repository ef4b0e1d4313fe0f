// StreamedDigest: the checksum of a row-distributed checkpoint dataset, never funnelled
// through one rank.
import MacroCore
import MacroEngine
import MPIKit

enum StreamedDigest {
  /// The ``BlockTreeHash`` (hex) of every rank's `local` rows (`width` doubles a row) over
  /// blocks of ``CheckpointFormat/hashBlockRows`` global ids: each rank hashes its own rows,
  /// rank 0 combines O(P log N) node hashes. Independent of the rank count. Collective; the
  /// digest is returned on rank 0 ("" elsewhere).
  static func sha256(_ local: UnsafeBufferPointer<Double>, width: Int, partition: Partition,
                     comm: Communicator) throws(MPIError) -> String {
    precondition(partition.blockSize % CheckpointFormat.hashBlockRows == 0, "partition ranges must align with the checksum blocks")
    return try BlockTreeHash(blockSize: CheckpointFormat.hashBlockRows, agentCount: partition.agentCount)
      .digest(fields: [(local, width)], ownedRange: partition.range(of: comm.rank), comm: comm)
  }
}
