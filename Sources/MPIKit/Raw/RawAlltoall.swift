// Raw MPI calls for the personalized all-to-all exchanges.
import CMPI

extension RawMPI {
  static func alltoall(
    _ send: UnsafeRawPointer?, _ sendCount: Int32, _ sendType: MPI_Datatype,
    _ recv: UnsafeMutableRawPointer?, _ recvCount: Int32, _ recvType: MPI_Datatype,
    _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Alltoall(send, sendCount, sendType, recv, recvCount, recvType, comm)
  }

  static func alltoallv(
    _ send: UnsafeRawPointer?, _ sendCounts: UnsafePointer<Int32>?, _ sendDispls: UnsafePointer<Int32>?,
    _ sendType: MPI_Datatype,
    _ recv: UnsafeMutableRawPointer?, _ recvCounts: UnsafePointer<Int32>?, _ recvDispls: UnsafePointer<Int32>?,
    _ recvType: MPI_Datatype, _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Alltoallv(send, sendCounts, sendDispls, sendType, recv, recvCounts, recvDispls, recvType, comm)
  }
}
