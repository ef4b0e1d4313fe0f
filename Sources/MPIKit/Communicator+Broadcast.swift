// Communicator.broadcast: copy the root's data to every rank (the count travels first).

extension Communicator {
  /// Replaces `bytes` on every rank by the root's `bytes`; non-root arrays are resized
  /// to the root's count (broadcast first), so their input length does not matter.
  /// Collective over comm.
  public func broadcast(_ bytes: inout [UInt8], root: Int) throws(MPIError) {
    try broadcastArray(&bytes, root: root, zero: 0)
  }

  /// Replaces `xs` on every rank by the root's `xs`; non-root arrays are resized to the
  /// root's count (broadcast first). Collective over comm.
  public func broadcast(_ xs: inout [Double], root: Int) throws(MPIError) {
    try broadcastArray(&xs, root: root, zero: 0)
  }

  /// The root's `string` on every rank (the argument is ignored on non-root ranks).
  /// Collective over comm.
  public func broadcast(string: String, root: Int) throws(MPIError) -> String {
    var bytes = rank == root ? Array(string.utf8) : []
    try broadcast(&bytes, root: root)
    return String(decoding: bytes, as: UTF8.self)
  }

  private func broadcastArray<T: MPIElement>(_ xs: inout [T], root: Int, zero: T) throws(MPIError) {
    let r = mpiRank(root, "broadcast root")
    var count = Int64(xs.count)
    let rc = withUnsafeMutablePointer(to: &count) {
      RawMPI.bcast(UnsafeMutableRawPointer($0), 1, Datatype.int64.raw, r, raw)
    }
    try check(rc, "MPI_Bcast")
    let n = mpiCount(Int(count), "broadcast count")
    if rank != root { xs = [T](repeating: zero, count: Int(n)) }
    guard n > 0 else { return }
    let rc2 = xs.withUnsafeMutableBufferPointer {
      RawMPI.bcast(UnsafeMutableRawPointer($0.baseAddress), n, T.mpiDatatype.raw, r, raw)
    }
    try check(rc2, "MPI_Bcast")
  }
}
