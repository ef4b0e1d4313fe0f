// Request: a pending nonblocking operation that keeps its MessageBuffer alive.
import CMPI

/// A nonblocking send or receive started by `Communicator.isend` / `irecv`. It retains its
/// `MessageBuffer` until the operation is complete (`wait`, `waitAll` or a true `test`).
/// All members are Local. Not thread-safe: complete a request on one thread.
public final class Request {
  private var raw: MPI_Request?
  private var buffer: MessageBuffer?

  init(raw: MPI_Request?, buffer: MessageBuffer) {
    self.raw = raw
    self.buffer = buffer
  }

  /// True once the operation has completed (the buffer is then released and reusable).
  public var isComplete: Bool { raw == RawMPI.requestNull }

  /// Blocks until the operation completes (MPI_Wait). A no-op when already complete.
  public func wait() throws(MPIError) {
    guard !isComplete else { return }
    let rc = RawMPI.wait(&raw)
    try check(rc, "MPI_Wait")
    buffer = nil
  }

  /// True if the operation has completed (MPI_Test); does not block.
  public func test() throws(MPIError) -> Bool {
    guard !isComplete else { return true }
    let (rc, done) = RawMPI.test(&raw)
    try check(rc, "MPI_Test")
    if done { buffer = nil }
    return done
  }

  /// Blocks until every request completes (one MPI_Waitall; handles are staged on the
  /// stack, no heap allocation).
  public static func waitAll(_ requests: [Request]) throws(MPIError) {
    let n = requests.count
    guard n > 0 else { return }
    precondition(n <= Int(Int32.max), "Request.waitAll: too many requests (\(n))")
    let rc = withUnsafeTemporaryAllocation(of: MPI_Request?.self, capacity: n) { handles in
      for i in 0..<n { handles.initializeElement(at: i, to: requests[i].raw) }
      let rc = RawMPI.waitall(Int32(n), handles.baseAddress!)
      // Completed handles are now MPI_REQUEST_NULL; copy the state back either way.
      for i in 0..<n {
        requests[i].raw = handles[i]
        if requests[i].isComplete { requests[i].buffer = nil }
      }
      return rc
    }
    try check(rc, "MPI_Waitall")
  }

  deinit {
    // Dropping an active request is a programmer error (for example an exchange that
    // threw halfway). Waiting here could deadlock; freeing the buffer would let MPI write
    // into freed memory. So hand the request to MPI to finish in the background and leak
    // the buffer deliberately.
    guard !isComplete, let buffer, MPIEnvironment.isInitialized else { return }
    _ = RawMPI.requestFree(&raw)
    _ = Unmanaged.passRetained(buffer)
  }
}
