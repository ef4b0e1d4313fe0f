// Communicator.gather / allgather: collect per-rank data (variable counts via Gatherv).

extension Communicator {
  /// Every rank's `xs` (counts may differ), in rank order, on the root; nil elsewhere.
  /// Collective over comm.
  public func gather(_ xs: [Double], root: Int) throws(MPIError) -> [[Double]]? {
    try gatherArrays(xs, root: root, zero: 0)
  }

  /// Every rank's `bytes` (counts may differ), in rank order, on the root; nil elsewhere.
  /// Collective over comm.
  public func gather(bytes: [UInt8], root: Int) throws(MPIError) -> [[UInt8]]? {
    try gatherArrays(bytes, root: root, zero: 0)
  }

  /// Every rank's `string`, in rank order, on the root; nil elsewhere. Collective over comm.
  public func gather(string: String, root: Int) throws(MPIError) -> [String]? {
    try gather(bytes: Array(string.utf8), root: root)?.map { String(decoding: $0, as: UTF8.self) }
  }

  /// Every rank's `x`, in rank order, on every rank. Collective over comm.
  public func allgather(_ x: Int64) throws(MPIError) -> [Int64] {
    var value = x
    var out = [Int64](repeating: 0, count: size)
    let rc = withUnsafeMutablePointer(to: &value) { v in
      out.withUnsafeMutableBufferPointer {
        RawMPI.allgather(UnsafeRawPointer(v), 1, Datatype.int64.raw,
                         UnsafeMutableRawPointer($0.baseAddress), 1, Datatype.int64.raw, raw)
      }
    }
    try check(rc, "MPI_Allgather")
    return out
  }

  /// Every rank's `x`, in rank order, on every rank. Collective over comm.
  public func allgather(_ x: Int) throws(MPIError) -> [Int] {
    try allgather(Int64(x)).map { Int($0) }
  }

  private func gatherArrays<T: MPIElement>(_ xs: [T], root: Int, zero: T) throws(MPIError) -> [[T]]? {
    let r = mpiRank(root, "gather root")
    let isRoot = rank == root
    let p = size
    // 1. Counts to the root.
    var myCount = mpiCount(xs.count, "gather count")
    var counts = [Int32](repeating: 0, count: isRoot ? p : 0)
    let rc = withUnsafeMutablePointer(to: &myCount) { c in
      counts.withUnsafeMutableBufferPointer {
        RawMPI.gather(UnsafeRawPointer(c), 1, Datatype.int32.raw,
                      UnsafeMutableRawPointer($0.baseAddress), 1, Datatype.int32.raw, r, raw)
      }
    }
    try check(rc, "MPI_Gather")
    // 2. Data with MPI_Gatherv into one flat array on the root.
    var displacements = [Int32](repeating: 0, count: counts.count)
    var total = 0
    for (i, c) in counts.enumerated() {
      displacements[i] = mpiCount(total, "gather displacement")
      total += Int(c)
    }
    _ = mpiCount(total, "gather total count")
    var flat = [T](repeating: zero, count: total)
    let sendCount = myCount
    let rc2 = xs.withUnsafeBufferPointer { send in
      flat.withUnsafeMutableBufferPointer { recv in
        counts.withUnsafeBufferPointer { cs in
          displacements.withUnsafeBufferPointer { ds in
            RawMPI.gatherv(UnsafeRawPointer(send.baseAddress), sendCount, T.mpiDatatype.raw,
                           UnsafeMutableRawPointer(recv.baseAddress), cs.baseAddress, ds.baseAddress,
                           T.mpiDatatype.raw, r, raw)
          }
        }
      }
    }
    try check(rc2, "MPI_Gatherv")
    guard isRoot else { return nil }
    return (0..<p).map { i in
      let start = Int(displacements[i])
      return Array(flat[start..<(start + Int(counts[i]))])
    }
  }
}
