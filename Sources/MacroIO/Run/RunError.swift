// RunError: why a run stopped, by cause; each cause maps to its exit code once (``exit``).
import MPIKit

/// Errors that stop a run. Collective: every rank throws the same one (the driver agrees on
/// rank-local failures before throwing), so every rank exits with the same code.
public enum RunError: Error, CustomStringConvertible {
  /// The configuration or command line (including the output directory: in use by another
  /// run, holding another run's checkpoints, too little memory for the config).
  case config(String)
  /// An input file the configuration names (positions, edges, image) or the scenario built
  /// from it.
  case input(String)
  /// MPI failed (a rank died, a message was lost).
  case mpi(String)
  /// A checkpoint was refused on reading (bad input), could not be written (output failure),
  /// or its state was not finite (diverged).
  case checkpoint(CheckpointError)
  /// An output file could not be written during the run (disk full, quota, a directory in
  /// the way); the previous checkpoint is kept.
  case output(String)
  /// The state stopped making sense at `round` (non-finite, or no θ*(s) for the aggregate).
  case diverged(round: Int, reason: String)
  /// This rank's launcher (mpirun) died; every rank stopped at `round` without writing.
  case launcherLost(round: Int)
  /// A bug: an invariant of the program failed.
  case internalError(String)

  var isLauncherLost: Bool { if case .launcherLost = self { true } else { false } }

  /// What `RunDriver.makeScenario` throws for a config or input file it cannot use.
  public static func setup(_ reason: String) -> RunError { .input(reason) }

  /// The exit code of this cause (DESIGN §8).
  public var exit: MacroExit {
    switch self {
    case .config, .input: return .badInput
    case .mpi, .internalError, .launcherLost: return .internalFailure
    case .output: return .outputFailure
    case .diverged: return .diverged
    case .checkpoint(let e):
      switch e.kind {
      case .write: return .outputFailure
      case .nonFinite: return .diverged
      default: return .badInput  // refused on reading: unreadable, foreign, mismatch, shape, checksum
      }
    }
  }

  public var description: String {
    switch self {
    case .config(let s), .input(let s), .output(let s), .internalError(let s): return s
    case .mpi(let s): return "MPI failure: \(s)"
    case .checkpoint(let e): return e.description
    case .diverged(_, let reason): return reason
    case .launcherLost(let round):
      return "the launcher (mpirun) is gone: every rank stopped at round \(round) without writing a checkpoint or output"
    }
  }
}
