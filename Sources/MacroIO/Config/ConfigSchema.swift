import Foundation
import MacroCore

/// The table of every key, in the canonical order of DESIGN.md section 8.
enum ConfigSchema {
  static let sections = ["agents", "graph", "basis", "lower", "upper", "target", "run", "output"]

  static var fields: [ConfigField] {
    typealias L = ConfigLimits
    return [
      .int("agents", "count", \.agents.count, L.agentCount),
      .int("agents", "dimension", \.agents.dimension, L.dimension),
      .choice("agents", "init", \.agents.initialization),
      .path("agents", "file", \.agents.file),
      .int("agents", "seed", \.agents.seed, L.seed),

      .choice("graph", "kind", \.graph.kind),
      .double("graph", "mean_degree", \.graph.meanDegree, L.meanDegree),
      .double("graph", "probability", \.graph.probability, L.probability),
      .path("graph", "file", \.graph.file),
      .choice("graph", "weights", \.graph.weights),

      .int("basis", "degree", \.basis.degree, L.degree),
      .int("basis", "quadrature_nodes", \.basis.quadratureNodes, L.quadratureNodes),

      .double("lower", "lambda", \.lower.lambda, L.lambda),
      .choice("lower", "method", \.lower.method),
      .double("lower", "gamma", \.lower.gamma, L.gamma),

      .choice("upper", "cost", \.upper.cost),
      .double("upper", "motion_cost", \.upper.motionCost, L.motionCost),

      .choice("target", "kind", \.target.kind),
      .vector("target", "weights", \.target.weights),
      .matrix("target", "means", \.target.means),
      .tensor3("target", "covariances", \.target.covariances),
      .path("target", "file", \.target.file),

      .choice("run", "algorithm", \.run.algorithm),
      .int("run", "rounds", \.run.rounds, L.rounds),
      .int("run", "warmup", \.run.warmup, L.warmup),
      .double("run", "alpha", \.run.alpha, L.alpha),
      .int("run", "cg_iterations", \.run.cgIterations, L.cgIterations),
      .int("run", "diag_every", \.run.diagEvery, L.diagEvery),
      .int("run", "consensus_steps", \.run.consensusSteps, L.consensusSteps),
      .choice("run", "consensus_acceleration", \.run.consensusAcceleration),

      .nonEmptyString("output", "dir", \.output.dir),
      .int("output", "checkpoint_every", \.output.checkpointEvery, L.checkpointEvery),
      .double("output", "checkpoint_seconds", \.output.checkpointSeconds, L.checkpointSeconds),
      .int("output", "keep_checkpoints", \.output.keepCheckpoints, L.keepCheckpoints),
      .int("output", "snapshot_every", \.output.snapshotEvery, L.snapshotEvery),
    ]
  }

  static func keys(in section: String) -> [String] {
    fields.filter { $0.section == section }.map(\.name)
  }
}
