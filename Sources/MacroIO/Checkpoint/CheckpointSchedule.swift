// CheckpointSchedule: the per-round decision to checkpoint or stop, identical on every rank
// (GROMACS's CheckpointHandler idea: rank 0's clock, every rank's signal flag, output
// failure and launcher check travel in one reduction, no rank acts alone).
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
    /// Some rank has a pending output failure: stop (exit 4) without writing.
    public var failure: Bool = false
    /// Some rank lost its launcher (mpirun died): stop at once, write nothing.
    public var launcherLost: Bool = false
  }

  public init(every: Int, seconds: Double, now: Double = MonotonicClock.seconds()) {
    self.every = every
    self.seconds = seconds
    lastWrite = now
  }

  /// Whether periodic checkpoints are on (the final checkpoint is written only then).
  public var isEnabled: Bool { every > 0 || seconds > 0 }

  /// The decision after round `round` (rounds completed) of `finalRound`: one Allreduce(MAX)
  /// of [signal flag, rank 0's wall-time trigger, output failure, launcher lost]. Periodic,
  /// wall-time and final checkpoints when enabled; a caught signal always checkpoints; an
  /// output failure or a lost launcher writes nothing. Collective over `comm`.
  public func decide(round: Int, finalRound: Int, signal: Int32, failure: Bool = false, launcherLost: Bool = false,
                     comm: Communicator) throws(MPIError) -> Decision {
    let timeDue: Int64 = comm.rank == 0 && seconds > 0 && MonotonicClock.seconds() - lastWrite >= seconds ? 1 : 0
    let flags = try comm.allreduce([Int64(signal), timeDue, failure ? 1 : 0, launcherLost ? 1 : 0], .max)
    if flags[2] > 0 || flags[3] > 0 {
      return Decision(write: false, signal: Int(flags[0]), failure: flags[2] > 0, launcherLost: flags[3] > 0)
    }
    let periodic = (every > 0 && round % every == 0) || flags[1] > 0 || (isEnabled && round == finalRound)
    return Decision(write: periodic || flags[0] > 0, signal: Int(flags[0]))
  }

  /// Restarts the wall-time interval (after a checkpoint was written). Local.
  public mutating func wrote(now: Double = MonotonicClock.seconds()) { lastWrite = now }
}
