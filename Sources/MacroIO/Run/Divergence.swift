// Divergence: what a diverged run says (the likely cause by evidence) and which of its
// checkpoints is worth resuming.
import MacroCore

/// The newest checkpoint a run wrote, with F at its round when that round was a diagnostic
/// round. Every checkpoint is finite (non-finite states are never written); it is *good*
/// when, in addition, F ≤ ``goodFactor`` × F_initial (a finite state whose F blew up is not
/// worth resuming).
struct CheckpointRecord {
  /// "good" means F ≤ goodFactor · F_initial.
  static let goodFactor = 2.0
  var round: Int
  var path: String
  var cost: Double?

  /// Whether F is known and at most ``goodFactor`` × `fInitial` (nil: F unknown).
  func isGood(fInitial: Double?) -> Bool? {
    guard let cost, let fInitial else { return nil }
    return cost.isFinite && cost <= Self.goodFactor * fInitial
  }

  /// "the last good checkpoint P (round R, F = …)", or "the last finite checkpoint …" when F is
  /// unknown or above the factor.
  func describe(fInitial: Double?) -> String {
    let f = cost.map { ", F = \($0)" } ?? ""
    switch isGood(fInitial: fInitial) {
    case .some(true): return "the last good checkpoint \(path) (round \(round)\(f)) is kept"
    case .some(false):
      return "the last finite checkpoint \(path) (round \(round)\(f), above \(Self.goodFactor) × F_initial = \(Self.goodFactor * (fInitial ?? 0)): not a good state) is kept"
    case .none: return "the last finite checkpoint \(path) (round \(round)) is kept"
    }
  }

  func summaryFields(fInitial: Double?) -> [(String, JSONValue)] {
    [("last_checkpoint", .string(path)), ("last_checkpoint_round", .int(round)),
     ("last_checkpoint_F", cost.map { .number($0) } ?? .null),
     ("last_checkpoint_good", isGood(fInitial: fInitial).map { .bool($0) } ?? .null)]
  }
}

public enum DivergenceAdvice {
  /// The message of a run that diverged at `round` (`what`: what failed), with the likely
  /// causes by evidence: at round 0 no agent has moved, so run.alpha cannot be the cause; in
  /// the warm-up (rounds ≤ run.warmup) agents do not move either.
  static func message(_ what: String, round: Int, config c: RunConfig, checkpoint: CheckpointRecord?, fInitial: Double?) -> String {
    let kept = checkpoint.map { "; " + $0.describe(fInitial: fInitial) } ?? "; no checkpoint was written"
    return "diverged at round \(round): \(what); likely cause \(cause(round: round, config: c))\(kept)"
  }

  /// The likely cause of a divergence at `round`, by evidence (see ``message``).
  public static func cause(round: Int, config c: RunConfig) -> String {
    let lowerLevel = "the lower level (lower.lambda = \(c.lower.lambda), basis.degree = \(c.basis.degree), "
      + "basis.quadrature_nodes = \(c.basis.quadratureNodes)): raise lower.lambda or basis.quadrature_nodes, or lower basis.degree"
    let cause: String
    if round == 0 {
      cause = "at round 0, before any agent moved (run.alpha is not the cause): the initial configuration "
        + "(agents.init = \"\(c.agents.initialization.rawValue)\"; agents piled on a corner or a face?) or \(lowerLevel)"
    } else if round <= c.run.warmup {
      cause = "in the warm-up (round \(round) ≤ run.warmup = \(c.run.warmup), agents not moving yet; run.alpha is not the cause): "
        + (c.lower.method == .gradient ? "lower lower.gamma = \(c.lower.gamma), or " : "") + lowerLevel
    } else {
      cause = "after the agents moved: lower run.alpha (= \(c.run.alpha))"
        + (c.lower.method == .gradient ? " or lower.gamma (= \(c.lower.gamma))" : "")
        + ", or raise run.consensus_steps (= \(c.run.consensusSteps))"
    }
    return cause
  }
}
