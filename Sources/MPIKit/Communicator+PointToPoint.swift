// Communicator point-to-point: blocking send/receive of arrays, nonblocking isend/irecv
// on owned MessageBuffers.
import CMPI

extension Communicator {
  /// Sends `xs` to rank `to` with `tag` (MPI_Send; returns once `xs` may be reused). Local
  /// to the pair: needs a matching `receive` on `to`.
  public func send(_ xs: [Double], to: Int, tag: Int32) throws(MPIError) {
    let dest = mpiRank(to, "send destination")
    let n = mpiCount(xs.count, "send count")
    let rc = xs.withUnsafeBufferPointer {
      RawMPI.send(UnsafeRawPointer($0.baseAddress), n, Datatype.double.raw, dest, tag, raw)
    }
    try check(rc, "MPI_Send")
  }

  /// Receives at most `count` doubles from rank `from` with `tag` (MPI_Recv) and returns
  /// the elements actually received. A longer message throws (MPI_ERR_TRUNCATE). Local to
  /// the pair: needs a matching `send` on `from`.
  public func receive(count: Int, from: Int, tag: Int32) throws(MPIError) -> [Double] {
    let source = mpiRank(from, "receive source")
    let n = mpiCount(count, "receive count")
    var out = [Double](repeating: 0, count: count)
    let (rc, received) = out.withUnsafeMutableBufferPointer {
      RawMPI.recv(UnsafeMutableRawPointer($0.baseAddress), n, Datatype.double.raw, source, tag, raw)
    }
    try check(rc, "MPI_Recv")
    if Int(received) < count { out.removeLast(count - Int(received)) }
    return out
  }

  /// Starts sending `buffer[offset ..< offset+count]` to rank `to` (MPI_Isend). The
  /// request retains the buffer; do not modify that range until it completes.
  /// Precondition: the range lies within the buffer.
  public func isend(_ buffer: MessageBuffer, offset: Int = 0, count: Int, to: Int, tag: Int32)
    throws(MPIError) -> Request
  {
    let dest = mpiRank(to, "isend destination")
    let n = checkedRange(buffer, offset, count)
    var handle: MPI_Request? = RawMPI.requestNull
    let rc = RawMPI.isend(UnsafeRawPointer(buffer.address(offset)), n, Datatype.double.raw, dest,
                          tag, raw, &handle)
    try check(rc, "MPI_Isend")
    return Request(raw: handle, buffer: buffer)
  }

  /// Starts receiving up to `count` doubles from rank `from` into
  /// `buffer[offset ..< offset+count]` (MPI_Irecv). The request retains the buffer; do not
  /// touch that range until it completes. Precondition: the range lies within the buffer.
  public func irecv(into buffer: MessageBuffer, offset: Int = 0, count: Int, from: Int, tag: Int32)
    throws(MPIError) -> Request
  {
    let source = mpiRank(from, "irecv source")
    let n = checkedRange(buffer, offset, count)
    var handle: MPI_Request? = RawMPI.requestNull
    let rc = RawMPI.irecv(UnsafeMutableRawPointer(buffer.address(offset)), n, Datatype.double.raw,
                          source, tag, raw, &handle)
    try check(rc, "MPI_Irecv")
    return Request(raw: handle, buffer: buffer)
  }

  private func checkedRange(_ buffer: MessageBuffer, _ offset: Int, _ count: Int) -> Int32 {
    precondition(offset >= 0 && count >= 0 && offset + count <= buffer.count,
                 "MPIKit: range \(offset)..<\(offset + count) outside MessageBuffer of \(buffer.count)")
    return mpiCount(count)
  }
}
