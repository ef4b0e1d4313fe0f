// MacroExit: macroopt's exit statuses (DESIGN §8), the one type the run driver, the CLI,
// `macroopt --help`, jobs/macroopt.sbatch and the README table share.
import Foundation

/// The process exit codes of `macroopt`. Each follows from the cause of the error that ended
/// the run (``RunError/exit``), never from where it was caught. Throw one from a command to
/// end with that code without a further message (print the details first).
public enum MacroExit: Int32, Error, CaseIterable, Sendable, CustomStringConvertible {
  /// Finished normally (also: `--resume auto` found the run complete).
  case done = 0
  /// Internal or MPI failure (a bug, or the MPI job broke).
  case internalFailure = 1
  /// Bad input: command line, configuration, input file, checkpoint refused, output
  /// directory in use or held by another run, not enough memory. Resubmitting cannot help.
  case badInput = 2
  /// Diverged: the state became non-finite (or the lower level lost its solution); the last
  /// finite checkpoint is kept.
  case diverged = 3
  /// Output failure during the run (disk full, quota, an output path not writable): every
  /// rank stopped together, the previous checkpoint is kept; a retry may succeed.
  case outputFailure = 4
  /// Stopped on SIGUSR1/SIGTERM/SIGINT after writing a checkpoint (or before the first
  /// round, with nothing to save yet): requeue the job.
  case checkpointed = 85

  public var description: String {
    switch self {
    case .done: return "done"
    case .internalFailure: return "internal or MPI failure"
    case .badInput: return "bad input (config, input file, checkpoint, output directory in use, memory)"
    case .diverged: return "diverged (last finite checkpoint kept)"
    case .outputFailure: return "output failure (disk full, quota, unwritable; previous checkpoint kept)"
    case .checkpointed: return "checkpointed on a signal (requeue)"
    }
  }

  /// The table printed in `macroopt --help`.
  public static var helpTable: String {
    "Exit codes:\n" + allCases.map { "  " + "\($0.rawValue)".padding(toLength: 4, withPad: " ", startingAt: 0) + $0.description }
      .joined(separator: "\n")
  }
}
