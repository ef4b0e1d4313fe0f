// RunSummary: summary.json of a run (completed, stopped or failed) and the JSON of a
// diagnostics record; the timer table.
import Foundation
import MacroCore
import MacroEngine

/// The fields of summary.json. A completed (or signal-stopped) run fills all of them; a run
/// that stopped on an error after setup writes `status`, `status_name`, `reason`, the rounds
/// done and the last checkpoint (``failure(...)``).
public struct RunSummary {
  public typealias TimerRow = (phase: Phase, min: Double, avg: Double, max: Double, count: Int)
  var config: RunConfig
  var ranks: Int
  var status: MacroExit
  var fInitial: Double
  var last: DiagnosticRecord
  var rounds: Int
  var digest: String
  var wall: Double
  var loop: Double
  var agentRounds: Double
  var gflop: Double
  var table: [TimerRow]
  var warnings: [String]
  var extra: [(String, JSONValue)]

  var json: JSONValue {
    var timers: [(String, JSONValue)] = []
    for t in table where t.count > 0 || t.max > 0 {
      timers.append((t.phase.rawValue, .object([("min", .number(t.min)), ("avg", .number(t.avg)), ("max", .number(t.max))])))
    }
    var fields: [(String, JSONValue)] = [
      ("agents", .int(config.agents.count)), ("ranks", .int(ranks)), ("rounds", .int(rounds)),
      ("algorithm", .string(config.run.algorithm.rawValue)), ("status", .int(Int(status.rawValue))),
      ("status_name", .string(Self.statusName(status, warnings: warnings))),
      ("F_initial", .number(fInitial)), ("F_final", .number(last.cost)),
      ("stationarity_final", .number(last.stationarity)),
      ("consensus_error_sigma", .number(last.consensusSigma)), ("consensus_error_theta", .number(last.consensusTheta)),
      ("invariant_final", .number(last.invariant)), ("direction_error_final", .number(last.directionError)),
      ("agent_rounds_per_second", .number(agentRounds / max(loop, 1e-12))),
      ("wall_seconds", .number(wall)), ("loop_seconds", .number(loop)),
      ("gflops_per_second", .number(gflop / max(loop, 1e-12))),
      ("state_digest", .string(digest)), ("config_hash", .string(configHash(config))),
      ("timers", .object(timers)), ("warnings", .array(warnings.map { .string($0) })),
    ]
    fields.append(contentsOf: extra)
    return .object(fields)
  }

  /// "done", "done with warnings", "diverged", "checkpointed", … (summary.json `status_name`).
  static func statusName(_ s: MacroExit, warnings: [String]) -> String {
    switch s {
    case .done: return warnings.isEmpty ? "done" : "done with warnings"
    case .internalFailure: return "failed"
    case .badInput: return "bad input"
    case .diverged: return "diverged"
    case .outputFailure: return "output failure"
    case .checkpointed: return "checkpointed"
    }
  }

  /// summary.json of a run stopped by `error` after setup (rank 0 writes it, best effort).
  static func failure(config: RunConfig, ranks: Int, error: RunError, round: Int, fInitial: Double?,
                      checkpoint: CheckpointRecord?, warnings: [String]) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("agents", .int(config.agents.count)), ("ranks", .int(ranks)), ("rounds", .int(round)),
      ("algorithm", .string(config.run.algorithm.rawValue)), ("status", .int(Int(error.exit.rawValue))),
      ("status_name", .string(statusName(error.exit, warnings: []))), ("reason", .string(error.description)),
      ("F_initial", fInitial.map { .number($0) } ?? .null), ("config_hash", .string(configHash(config))),
      ("warnings", .array(warnings.map { .string($0) })),
    ]
    fields += checkpoint?.summaryFields(fInitial: fInitial) ?? []
    return .object(fields)
  }

  public static func json(_ r: DiagnosticRecord) -> JSONValue {
    .object([
      ("round", .int(r.round)), ("F", .number(r.cost)), ("stationarity", .number(r.stationarity)),
      ("consensus_sigma", .number(r.consensusSigma)), ("consensus_theta", .number(r.consensusTheta)),
      ("invariant", .number(r.invariant)), ("max_theta", .number(r.maxTheta)),
      ("boundary_fraction", .number(r.boundaryFraction)), ("nonfinite", .int(r.nonfinite)),
      ("direction_error", .number(r.directionError)), ("theta_star_error", .number(r.thetaStarError)),
      ("newton_iterations", .int(r.newtonIterations)),
    ])
  }
}
