// StreamedDigest: SHA-256 of a row-distributed array in global-id order, on rank 0.
import MacroCore
import MacroEngine
import MPIKit

enum StreamedDigest {
  static let tag: Int32 = 7402
  /// Doubles per message (32 MiB), so big checkpoints never need one huge buffer.
  static let chunk = 1 << 22

  /// SHA-256 (hex) of every rank's `local` rows (partition order = global-id order) as
  /// little-endian doubles: rank 0 hashes its own rows, then receives and hashes every other
  /// rank's rows in rank order, in chunks. Independent of the rank count. Collective; the
  /// digest is returned on rank 0 ("" elsewhere).
  static func sha256(_ local: UnsafeBufferPointer<Double>, width: Int, partition: Partition,
                     comm: Communicator) throws(MPIError) -> String {
    if comm.rank == 0 {
      var h = SHA256()
      h.update(doubles: local)
      for r in 1..<max(1, comm.size) {
        var remaining = partition.range(of: r).count * width
        while remaining > 0 {
          let c = min(chunk, remaining)
          let part = try comm.receive(count: c, from: r, tag: tag)
          part.withUnsafeBufferPointer { h.update(doubles: $0) }
          remaining -= c
        }
      }
      return h.hexDigest
    }
    var offset = 0
    while offset < local.count {
      let c = min(chunk, local.count - offset)
      try comm.send(Array(local[offset ..< offset + c]), to: 0, tag: tag)
      offset += c
    }
    return ""
  }
}
