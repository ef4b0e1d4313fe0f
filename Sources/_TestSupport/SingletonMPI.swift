// SingletonMPI: initialise MPI inside a test process, safely beside subprocess tests.
import MPIKit

public enum SingletonMPI {
  /// Initialises MPI as a singleton (world size 1) once per test process; later calls do
  /// nothing. Never finalise in tests: MPI cannot be re-initialised. The first call forks
  /// OpenMPI's `orted`, so it holds the lock `runProcess` holds while spawning (a fork in
  /// the middle of a spawn would leak the child's exit-notification socket to orted).
  /// Use this instead of calling `MPIEnvironment.initialize()` directly in tests.
  public static func initialize() throws(MPIError) {
    SubprocessLock.forkLock.lock()
    defer { SubprocessLock.forkLock.unlock() }
    try MPIEnvironment.initialize()
  }
}
