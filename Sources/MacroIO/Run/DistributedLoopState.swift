// DistributedLoopState: what the distributed run's loop carries from round to round.
import MacroEngine

/// The distributed loop's state between rounds: the latest diagnostics, the convergence
/// monitor, the checkpoint schedule and the exit status (with the divergence reason).
struct DistributedLoopState {
  /// The latest diagnostic record (the initial one until the first diagnostic round).
  var last: DiagnosticRecord
  var monitor: ConvergenceMonitor
  var schedule: CheckpointSchedule
  var status = MacroExit.done
  /// Why the run diverged, when it did.
  var reason: String? = nil
  /// F at round 0 (from the checkpoint when resumed).
  let fInitial: Double
  /// The round the loop started at (0, or the checkpoint's round).
  let startRound: Int
  /// Monotonic clock when the loop started.
  let loopStart: Double
}
