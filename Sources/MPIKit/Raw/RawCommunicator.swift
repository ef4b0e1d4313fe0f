// Raw MPI calls on communicators: queries and collectives.
import CMPI

extension RawMPI {
  static func commRank(_ comm: MPI_Comm) -> (Int32, Int32) {
    var r: Int32 = -1
    let rc = MPI_Comm_rank(comm, &r)
    return (rc, r)
  }

  static func commSize(_ comm: MPI_Comm) -> (Int32, Int32) {
    var s: Int32 = 0
    let rc = MPI_Comm_size(comm, &s)
    return (rc, s)
  }

  static func barrier(_ comm: MPI_Comm) -> Int32 { MPI_Barrier(comm) }

  /// `send == nil` means MPI_IN_PLACE (the input is read from `recv`).
  static func allreduce(
    _ send: UnsafeRawPointer?, _ recv: UnsafeMutableRawPointer?, _ count: Int32,
    _ type: MPI_Datatype, _ op: MPI_Op, _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Allreduce(send ?? UnsafeRawPointer(inPlace), recv, count, type, op, comm)
  }

  static func bcast(
    _ buffer: UnsafeMutableRawPointer?, _ count: Int32, _ type: MPI_Datatype, _ root: Int32,
    _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Bcast(buffer, count, type, root, comm)
  }

  static func gather(
    _ send: UnsafeRawPointer?, _ sendCount: Int32, _ sendType: MPI_Datatype,
    _ recv: UnsafeMutableRawPointer?, _ recvCount: Int32, _ recvType: MPI_Datatype,
    _ root: Int32, _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Gather(send, sendCount, sendType, recv, recvCount, recvType, root, comm)
  }

  static func gatherv(
    _ send: UnsafeRawPointer?, _ sendCount: Int32, _ sendType: MPI_Datatype,
    _ recv: UnsafeMutableRawPointer?, _ recvCounts: UnsafePointer<Int32>?,
    _ displacements: UnsafePointer<Int32>?, _ recvType: MPI_Datatype,
    _ root: Int32, _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Gatherv(send, sendCount, sendType, recv, recvCounts, displacements, recvType, root, comm)
  }

  static func allgather(
    _ send: UnsafeRawPointer?, _ sendCount: Int32, _ sendType: MPI_Datatype,
    _ recv: UnsafeMutableRawPointer?, _ recvCount: Int32, _ recvType: MPI_Datatype,
    _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Allgather(send, sendCount, sendType, recv, recvCount, recvType, comm)
  }
}
