// CheckpointSchedule: the per-round decision to checkpoint, identical on every rank
// (GROMACS's CheckpointHandler idea: rank 0's clock and every rank's signal flag travel in
// one reduction, no rank acts alone).
import MacroEngine
import MPIKit

public struct CheckpointSchedule: Sendable {
  /// Checkpoint every this many rounds (0 = off).
  public let every: Int
  /// Checkpoint when this many wall seconds passed since the last one (0 = off), by rank 0's clock.
  public let seconds: Double
  private var lastWrite: Double

  public struct Decision: Sendable, Equatable {
    /// Write a checkpoint at this round boundary.
    public var write: Bool
    /// The signal number caught on some rank (0: none): checkpoint and stop.
    public var signal: Int
  }

  public init(every: Int, seconds: Double, now: Double = MonotonicClock.seconds()) {
    self.every = every
    self.seconds = seconds
    lastWrite = now
  }

  /// Whether periodic checkpoints are on (the final checkpoint is written only then).
  public var isEnabled: Bool { every > 0 || seconds > 0 }

  /// The decision after round `round` (rounds completed) of `finalRound`: one Allreduce(MAX)
  /// of [signal flag, rank 0's wall-time trigger]. Periodic, wall-time and final checkpoints
  /// when enabled; a caught signal always checkpoints. Collective over `comm`.
  public func decide(round: Int, finalRound: Int, signal: Int32, comm: Communicator) throws(MPIError) -> Decision {
    let timeDue: Int64 = comm.rank == 0 && seconds > 0 && MonotonicClock.seconds() - lastWrite >= seconds ? 1 : 0
    let flags = try comm.allreduce([Int64(signal), timeDue], .max)
    let periodic = (every > 0 && round % every == 0) || flags[1] > 0 || (isEnabled && round == finalRound)
    return Decision(write: periodic || flags[0] > 0, signal: Int(flags[0]))
  }

  /// Restarts the wall-time interval (after a checkpoint was written). Local.
  public mutating func wrote(now: Double = MonotonicClock.seconds()) { lastWrite = now }
}
