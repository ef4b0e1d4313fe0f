// Communicator.allreduce: element-wise reductions whose result every rank receives.

extension Communicator {
  /// The reduction of `x` over all ranks. Collective over comm.
  public func allreduce(_ x: Double, _ op: ReductionOp) throws(MPIError) -> Double {
    try reduceScalar(x, op)
  }

  /// The reduction of `x` over all ranks. Collective over comm.
  public func allreduce(_ x: Int64, _ op: ReductionOp) throws(MPIError) -> Int64 {
    try reduceScalar(x, op)
  }

  /// The reduction of `x` over all ranks (as 64-bit integers). Collective over comm.
  public func allreduce(_ x: Int, _ op: ReductionOp) throws(MPIError) -> Int {
    try reduceScalar(x, op)
  }

  /// The element-wise reduction of `xs` over all ranks. Collective over comm.
  /// Precondition: every rank passes the same count.
  public func allreduce(_ xs: [Double], _ op: ReductionOp) throws(MPIError) -> [Double] {
    var out = xs
    try reduceInPlace(&out, op)
    return out
  }

  /// The element-wise reduction of `xs` over all ranks. Collective over comm.
  /// Precondition: every rank passes the same count.
  public func allreduce(_ xs: [Int64], _ op: ReductionOp) throws(MPIError) -> [Int64] {
    var out = xs
    try reduceInPlace(&out, op)
    return out
  }

  /// Replaces `xs` by its element-wise reduction over all ranks (MPI_IN_PLACE, no copy).
  /// Collective over comm. Precondition: every rank passes the same count.
  public func allreduce(inPlace xs: inout [Double], _ op: ReductionOp) throws(MPIError) {
    try reduceInPlace(&xs, op)
  }

  /// Replaces `xs` by its element-wise reduction over all ranks (MPI_IN_PLACE, no copy).
  /// Collective over comm. Precondition: every rank passes the same count.
  public func allreduce(inPlace xs: inout [Int64], _ op: ReductionOp) throws(MPIError) {
    try reduceInPlace(&xs, op)
  }

  private func reduceScalar<T: MPIElement>(_ x: T, _ op: ReductionOp) throws(MPIError) -> T {
    var value = x
    let rc = withUnsafeMutablePointer(to: &value) {
      RawMPI.allreduce(nil, UnsafeMutableRawPointer($0), 1, T.mpiDatatype.raw, op.raw, raw)
    }
    try check(rc, "MPI_Allreduce")
    return value
  }

  private func reduceInPlace<T: MPIElement>(_ xs: inout [T], _ op: ReductionOp) throws(MPIError) {
    // Every rank has the same count, so skipping an empty reduction is consistent.
    guard !xs.isEmpty else { return }
    let count = mpiCount(xs.count)
    let rc = xs.withUnsafeMutableBufferPointer {
      RawMPI.allreduce(nil, UnsafeMutableRawPointer($0.baseAddress), count, T.mpiDatatype.raw,
                       op.raw, raw)
    }
    try check(rc, "MPI_Allreduce")
  }
}
