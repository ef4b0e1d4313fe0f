// Communicator: a typed MPI_Comm handle with rank/size queries, barrier and abort.
//
// Error policy for every Communicator method: failures reported by MPI throw `MPIError`;
// programmer errors (MPI not initialised, a rank or root out of range, a count that does
// not fit MPI's Int32, a buffer too small for the requested count) trap with a message.
import CMPI
import Foundation

/// An MPI communicator. A value type over the (immutable) MPI handle; safe to share
/// across threads, but MPIKit requests MPI_THREAD_SERIALIZED: at most one thread may be
/// inside MPI at a time.
public struct Communicator: @unchecked Sendable {
  let raw: MPI_Comm
  init(_ raw: MPI_Comm) { self.raw = raw }

  /// MPI_COMM_WORLD.
  public static var world: Communicator { Communicator(RawMPI.commWorld) }

  /// This process's rank in the communicator. Local. Precondition: MPI initialised.
  public var rank: Int {
    let (rc, r) = RawMPI.commRank(raw)
    precondition(rc == RawMPI.success,
                 "MPI_Comm_rank failed (is MPI initialized?): \(MPIError(code: rc, function: "MPI_Comm_rank"))")
    return Int(r)
  }

  /// The number of processes in the communicator. Local. Precondition: MPI initialised.
  public var size: Int {
    let (rc, s) = RawMPI.commSize(raw)
    precondition(rc == RawMPI.success,
                 "MPI_Comm_size failed (is MPI initialized?): \(MPIError(code: rc, function: "MPI_Comm_size"))")
    return Int(s)
  }

  /// Blocks until every rank has called it. Collective over comm.
  public func barrier() throws(MPIError) {
    try check(RawMPI.barrier(raw), "MPI_Barrier")
  }

  /// Terminates every process of the communicator's job with `code` (MPI_Abort); exits
  /// the process directly when MPI is not (or no longer) initialised. Local (it needs no
  /// matching call on other ranks). For the CLI top level only: library code throws.
  public func abort(code: Int32) -> Never {
    if MPIEnvironment.isInitialized { _ = RawMPI.abort(raw, code) }
    exit(code)
  }

  /// The raw MPI_Comm handle, for MacroIO's H5Pset_fapl_mpio only. Valid while MPI is
  /// initialised; never free it.
  public var rawHandle: OpaquePointer { raw }

  // MARK: - Argument checks shared by the operations (programmer errors trap)

  /// `n` as an MPI count (Int32).
  func mpiCount(_ n: Int, _ what: @autoclosure () -> String = "count") -> Int32 {
    precondition(n >= 0 && n <= Int(Int32.max),
                 "MPIKit: \(what()) \(n) is not a valid MPI count (0...\(Int32.max))")
    return Int32(n)
  }

  /// `r` as an MPI rank of this communicator.
  func mpiRank(_ r: Int, _ what: @autoclosure () -> String = "rank") -> Int32 {
    let n = size
    precondition(r >= 0 && r < n, "MPIKit: \(what()) \(r) is out of range 0..<\(n)")
    return Int32(r)
  }
}
