// RunDriver+Steps: the driver's per-round helpers — diagnostics, snapshots, progress, and
// the errors of the engine by cause.
import Foundation
import MacroCore
import MacroEngine
import MPIKit

extension RunDriver {
  /// The engine's diagnostics; a lower-level solve that fails on every rank (the aggregate
  /// s(x) of a blown-up state, or a degenerate initial configuration) is divergence (exit 3),
  /// not an internal error. Collective.
  func diagnose(_ engine: DistributedEngine) throws(RunError) -> DiagnosticRecord {
    do { return try engine.diagnostics() } catch {
      if case .lowerLevel(let why) = error {
        throw .diverged(round: engine.round, reason: divergence("the lower level has no solution (\(why))", round: engine.round))
      }
      throw Self.engineError(error)
    }
  }

  /// The divergence message for `what` at `round` (likely causes by evidence, the checkpoint kept).
  func divergence(_ what: String, round: Int) -> String {
    DivergenceAdvice.message(what, round: round, config: config, checkpoint: isRoot ? existingCheckpoint() : checkpoint, fInitial: fInitial)
  }

  /// An engine error by cause: MPI failures are `.mpi` (exit 1), a partition the config
  /// cannot have is `.config` (exit 2), a lower level without solution is divergence.
  static func engineError(_ e: DistributedEngine.EngineError) -> RunError {
    switch e {
    case .mpi(let m): return .mpi("\(m)")
    case .partition(let p): return .config("partition: \(p)")
    case .lowerLevel(let why): return .diverged(round: 0, reason: why)
    }
  }

  /// Writes the snapshot of the engine's current round (and the XDMF). Collective; a failure
  /// stops the run on every rank (output failure, exit 4).
  func writeSnapshot(_ engine: DistributedEngine) throws(RunError) {
    let t = MonotonicClock.seconds()
    do { try SnapshotWriter.write(engine: engine, outputDir: outputDir) } catch {
      throw RunOutputs.stopped("\(error)", round: engine.round)
    }
    engine.timers.add(.output, MonotonicClock.seconds() - t)
  }

  /// The progress report of diagnostic round `last` (rank 0, when a progress sink is set):
  /// ``ProgressReport`` in ``progressStyle``; a log-style report prints its column legend
  /// before the first line.
  func report(round: Int, of rounds: Int, from startRound: Int, since loopStart: Double, _ last: DiagnosticRecord) {
    guard let p = progress, isRoot else { return }
    let r = ProgressReport(style: progressStyle, totalRounds: rounds, startRound: startRound, startSeconds: loopStart)
    if !progressStarted, let legend = r.header { p(legend) }
    progressStarted = true
    p(r.line(last, now: MonotonicClock.seconds()))
  }

  /// The start-up header (``RunHeader``) for the scenario `sc`. Local (rank 0 prints).
  func header(_ sc: Scenario, resumedRound: Int?) -> [String] {
    // Setup refuses a disconnected graph, so a scenario's graph is connected.
    let g = RunHeader.Graph(meanDegree: sc.meanDegree, connected: true, radius: sc.geometricRadius)
    return RunHeader(config: config, ranks: comm.size, m: sc.family.m, graph: g, outputDir: outputDir,
                     resumedRound: resumedRound).lines
  }

  static func json(_ v: Double?) -> JSONValue { v.map { .number($0) } ?? .null }

  /// A warning when an image target's floor carries more than ``sparseImageShare`` of its
  /// mass (the run would mostly optimize towards a uniform density). Rank 0 checks.
  func checkImageFloor(_ sc: Scenario) {
    guard isRoot, let image = sc.target as? ImageTarget else { return }
    let total = image.values.reduce(0) { $0 + max($1, image.floor) }
    let floorMass = image.values.reduce(0) { $0 + max(image.floor - $1, 0) }
    guard total > 0, floorMass / total > Self.sparseImageShare else { return }
    warn(String(format: "warning: target.file = \"%@\": the image floor carries %.0f%% of the target's mass (> %.0f%%): the target is nearly uniform; use an image with more dark (or, with invert, bright) pixels",
                config.target.file, 100 * floorMass / total, 100 * Self.sparseImageShare))
  }

  static let sparseImageShare = 0.5
}
