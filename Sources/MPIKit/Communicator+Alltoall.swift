// Communicator.alltoallv: every rank sends a (possibly empty) slice to every rank.

extension Communicator {
  /// Personalized all-to-all: `send` holds the data for rank 0, then rank 1, …, with
  /// `counts[r]` elements for rank r (`counts.count == size`, summing to `send.count`).
  /// Returns what every rank sent to this one, concatenated in source-rank order, and the
  /// per-source counts. Collective over comm (one MPI_Alltoall of the counts, one
  /// MPI_Alltoallv of the data).
  public func alltoallv(_ send: [Double], counts: [Int]) throws(MPIError) -> (data: [Double], counts: [Int]) {
    try exchange(send, counts: counts, zero: 0)
  }

  /// Personalized all-to-all of 64-bit integers (see the Double version). Collective over comm.
  public func alltoallv(_ send: [Int64], counts: [Int]) throws(MPIError) -> (data: [Int64], counts: [Int]) {
    try exchange(send, counts: counts, zero: 0)
  }

  /// Personalized all-to-all of Ints (64-bit; see the Double version). Collective over comm.
  public func alltoallv(_ send: [Int], counts: [Int]) throws(MPIError) -> (data: [Int], counts: [Int]) {
    try exchange(send, counts: counts, zero: 0)
  }

  /// Personalized all-to-all of bytes (see the Double version). Collective over comm.
  public func alltoallv(_ send: [UInt8], counts: [Int]) throws(MPIError) -> (data: [UInt8], counts: [Int]) {
    try exchange(send, counts: counts, zero: 0)
  }

  /// Every rank's `xs` (counts may differ), in rank order, on every rank. Collective over
  /// comm (for O(P)-sized data: bounding boxes, samples, splitters).
  public func allgather(_ xs: [Double]) throws(MPIError) -> [[Double]] {
    let r = try exchange([Double](repeating: 0, count: 0) + (0..<size).flatMap { _ in xs },
                         counts: [Int](repeating: xs.count, count: size), zero: 0)
    return split(r.data, r.counts)
  }

  /// Every rank's `xs`, in rank order, on every rank. Collective over comm.
  public func allgather(_ xs: [Int]) throws(MPIError) -> [[Int]] {
    let r = try exchange((0..<size).flatMap { _ in xs }, counts: [Int](repeating: xs.count, count: size), zero: 0)
    return split(r.data, r.counts)
  }

  /// The sum of `x` over the ranks below this one (0 on rank 0). Collective over comm.
  public func exclusiveScanSum(_ x: Int) throws(MPIError) -> Int {
    let all = try allgather(x)
    return all[0..<rank].reduce(0, +)
  }

  private func split<T>(_ data: [T], _ counts: [Int]) -> [[T]] {
    var out: [[T]] = []
    var at = 0
    for c in counts {
      out.append(Array(data[at..<(at + c)]))
      at += c
    }
    return out
  }

  private func exchange<T: MPIElement>(_ send: [T], counts: [Int], zero: T) throws(MPIError) -> (data: [T], counts: [Int]) {
    let p = size
    precondition(counts.count == p, "MPIKit: alltoallv needs one count per rank (\(counts.count) for \(p) ranks)")
    precondition(counts.reduce(0, +) == send.count, "MPIKit: alltoallv counts do not sum to the send count")
    var sendCounts = counts.map { mpiCount($0, "alltoallv send count") }
    var recvCounts = [Int32](repeating: 0, count: p)
    let rc = sendCounts.withUnsafeMutableBufferPointer { s in
      recvCounts.withUnsafeMutableBufferPointer { r in
        RawMPI.alltoall(UnsafeRawPointer(s.baseAddress), 1, Datatype.int32.raw,
                        UnsafeMutableRawPointer(r.baseAddress), 1, Datatype.int32.raw, raw)
      }
    }
    try check(rc, "MPI_Alltoall")
    var sendDispls = [Int32](repeating: 0, count: p), recvDispls = sendDispls
    var st = 0, rt = 0
    for i in 0..<p {
      sendDispls[i] = mpiCount(st, "alltoallv send displacement")
      recvDispls[i] = mpiCount(rt, "alltoallv receive displacement")
      st += Int(sendCounts[i])
      rt += Int(recvCounts[i])
    }
    var recv = [T](repeating: zero, count: rt)
    // Never pass a nil buffer (an empty Swift array may have no base address).
    let sendBuffer = send.isEmpty ? [zero] : send
    if recv.isEmpty { recv = [zero] }
    let rc2 = sendBuffer.withUnsafeBufferPointer { sb in
      recv.withUnsafeMutableBufferPointer { rb in
        sendCounts.withUnsafeBufferPointer { sc in sendDispls.withUnsafeBufferPointer { sd in
          recvCounts.withUnsafeBufferPointer { rcs in recvDispls.withUnsafeBufferPointer { rd in
            RawMPI.alltoallv(UnsafeRawPointer(sb.baseAddress), sc.baseAddress, sd.baseAddress, T.mpiDatatype.raw,
                             UnsafeMutableRawPointer(rb.baseAddress), rcs.baseAddress, rd.baseAddress, T.mpiDatatype.raw, raw)
          } }
        } }
      }
    }
    try check(rc2, "MPI_Alltoallv")
    if rt == 0 { recv = [] }
    return (recv, recvCounts.map { Int($0) })
  }
}
