// Raw MPI calls: point-to-point messages and request completion.
import CMPI

extension RawMPI {
  static func send(
    _ buffer: UnsafeRawPointer?, _ count: Int32, _ type: MPI_Datatype, _ dest: Int32,
    _ tag: Int32, _ comm: MPI_Comm
  ) -> Int32 {
    MPI_Send(buffer, count, type, dest, tag, comm)
  }

  /// Blocking receive; returns (rc, number of elements actually received).
  static func recv(
    _ buffer: UnsafeMutableRawPointer?, _ count: Int32, _ type: MPI_Datatype, _ source: Int32,
    _ tag: Int32, _ comm: MPI_Comm
  ) -> (Int32, Int32) {
    var status = MPI_Status()
    let rc = MPI_Recv(buffer, count, type, source, tag, comm, &status)
    guard rc == success else { return (rc, 0) }
    var received: Int32 = 0
    let rc2 = MPI_Get_count(&status, type, &received)
    return (rc2, received)
  }

  static func isend(
    _ buffer: UnsafeRawPointer?, _ count: Int32, _ type: MPI_Datatype, _ dest: Int32,
    _ tag: Int32, _ comm: MPI_Comm, _ request: inout MPI_Request?
  ) -> Int32 {
    MPI_Isend(buffer, count, type, dest, tag, comm, &request)
  }

  static func irecv(
    _ buffer: UnsafeMutableRawPointer?, _ count: Int32, _ type: MPI_Datatype, _ source: Int32,
    _ tag: Int32, _ comm: MPI_Comm, _ request: inout MPI_Request?
  ) -> Int32 {
    MPI_Irecv(buffer, count, type, source, tag, comm, &request)
  }

  static func wait(_ request: inout MPI_Request?) -> Int32 {
    MPI_Wait(&request, cmpi_status_ignore())
  }

  static func test(_ request: inout MPI_Request?) -> (Int32, Bool) {
    var flag: Int32 = 0
    let rc = MPI_Test(&request, &flag, cmpi_status_ignore())
    return (rc, flag != 0)
  }

  static func waitall(_ count: Int32, _ requests: UnsafeMutablePointer<MPI_Request?>) -> Int32 {
    MPI_Waitall(count, requests, cmpi_statuses_ignore())
  }

  /// Marks an active request for deallocation; the operation completes in the background.
  static func requestFree(_ request: inout MPI_Request?) -> Int32 {
    MPI_Request_free(&request)
  }
}
