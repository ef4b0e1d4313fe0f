// MPIEnvironment: MPI initialisation, finalisation and process-level queries.
import Foundation

/// Process-wide MPI state. All members are Local (no communication) unless noted.
public enum MPIEnvironment {
  private static let lock = NSLock()

  /// Initialises MPI (MPI_Init_thread, MPI_THREAD_SERIALIZED requested) and installs
  /// MPI_ERRORS_RETURN on COMM_WORLD and COMM_SELF. Idempotent and thread-safe: does
  /// nothing more than install the error handler if MPI is already initialised (by this
  /// process, or by other code calling MPI_Init). Collective over COMM_WORLD the first time.
  /// - Throws: `MPIError` if MPI was already finalised (MPI cannot be re-initialised) or
  ///   if setting the error handler fails.
  public static func initialize() throws(MPIError) {
    lock.lock()
    defer { lock.unlock() }
    if RawMPI.finalized() {
      throw MPIError(code: RawMPI.errOther, message: "MPI was already finalized and cannot be re-initialized",
                     function: "MPIEnvironment.initialize")
    }
    if !RawMPI.initialized() {
      let (rc, _) = RawMPI.initThread(required: RawMPI.threadSerialized)
      try check(rc, "MPI_Init_thread")
    }
    try check(RawMPI.setErrorsReturn(RawMPI.commWorld), "MPI_Comm_set_errhandler")
    try check(RawMPI.setErrorsReturn(RawMPI.commSelf), "MPI_Comm_set_errhandler")
  }

  /// True between MPI_Init and MPI_Finalize.
  public static var isInitialized: Bool { RawMPI.initialized() && !RawMPI.finalized() }

  /// True once MPI_Finalize has been called.
  public static var isFinalized: Bool { RawMPI.finalized() }

  /// Finalises MPI. A no-op if MPI was never initialised or is already finalised, so it
  /// is never called twice. Collective over COMM_WORLD. Never call it in tests (the
  /// singleton MPI of a test process cannot be re-initialised).
  public static func finalize() throws(MPIError) {
    lock.lock()
    defer { lock.unlock() }
    guard RawMPI.initialized(), !RawMPI.finalized() else { return }
    try check(RawMPI.finalize(), "MPI_Finalize")
  }

  /// Wall-clock seconds since an arbitrary origin (MPI_Wtime). Local.
  public static func wtime() -> Double { RawMPI.wtime() }

  /// The MPI library's version string (MPI_Get_library_version; callable before init),
  /// trimmed of trailing whitespace.
  public static var libraryVersion: String {
    get throws(MPIError) {
      let (rc, text) = RawMPI.libraryVersion()
      try check(rc, "MPI_Get_library_version")
      return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
  }

  /// This processor's name (MPI_Get_processor_name; usually the host name).
  public static var processorName: String {
    get throws(MPIError) {
      let (rc, text) = RawMPI.processorName()
      try check(rc, "MPI_Get_processor_name")
      return text
    }
  }

  /// The rank this process will have in COMM_WORLD, read from the launcher's environment
  /// before MPI_Init (OMPI_COMM_WORLD_RANK, PMIX_RANK, SLURM_PROCID, first found);
  /// nil when not started by a launcher (a singleton run is rank 0).
  public static var launcherRank: Int? {
    let environment = ProcessInfo.processInfo.environment
    for name in ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID"] {
      if let text = environment[name], let rank = Int(text), rank >= 0 { return rank }
    }
    return nil
  }
}
