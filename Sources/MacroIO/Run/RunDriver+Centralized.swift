// RunDriver+Centralized: the centralized oracle run (exact θ*, exact hypergradient, same α),
// through the same outputs as the distributed run.
import Foundation
import HashKit
import MacroCore
import MacroEngine
import MPIKit

extension RunDriver {
  /// Every rank runs the oracle redundantly (it is one process's work); rank 0 writes. The
  /// ranks agree on output failures and signals at every diagnostic round (a signal stops
  /// with exit 85 and nothing to save: centralized runs write no checkpoints).
  func runCentralized(scenario sc: Scenario, start t0: Double, targetFile: TargetRunFile) throws(RunError) -> (MacroExit, JSONValue) {
    // Every rank runs the oracle redundantly on all N positions (the oracle is one process's
    // work by definition; the distributed run never gathers them).
    let allPositions: [Double]
    do { allPositions = try sc.allPositions() } catch { throw .config("\(error)") }
    var oracle = CentralizedOracle(problem: sc.problem, positions: allPositions, alpha: sc.config.run.alpha)
    let outputs = RunOutputs(outputDir: outputDir, comm: comm)
    defer { outputs.close() }
    outputs.openDiagnostics(keepThrough: nil)
    func record(_ e: CentralizedOracle.Evaluation, round: Int) -> DiagnosticRecord {
      Self.centralizedRecord(e, oracle: oracle, dimension: sc.config.agents.dimension, round: round)
    }
    func evaluate() throws(RunError) -> CentralizedOracle.Evaluation {
      do { return try oracle.evaluate() } catch {
        throw .diverged(round: oracle.round, reason: divergence("the lower level has no solution (\(error))", round: oracle.round))
      }
    }
    let loopStart = MonotonicClock.seconds()
    let rounds = config.run.rounds, every = max(1, config.run.diagEvery)
    var e = try evaluate()
    let first = record(e, round: 0)
    var last: DiagnosticRecord? = nil
    fInitial = first.cost
    outputs.emit(first)
    outputs.writeTarget(targetFile, round: 0, theta: e.solution.point.theta, complete: false)
    try outputs.agree(round: 0)
    var status = MacroExit.done
    while oracle.round < rounds {
      do { try oracle.step() } catch { throw .diverged(round: oracle.round, reason: divergence("\(error)", round: oracle.round)) }
      roundReached = oracle.round
      guard oracle.round % every == 0 || oracle.round == rounds else { continue }
      e = try evaluate()
      last = record(e, round: oracle.round)
      outputs.emit(last!)
      try outputs.agree(round: oracle.round)
      let signal: Int
      do { signal = try comm.allreduce(Int(signalFlag()), .max) } catch { throw .mpi("\(error)") }
      if signal != 0, oracle.round < rounds {
        status = .checkpointed
        if isRoot { log("macroopt: signal \(signal) at round \(oracle.round): centralized runs write no checkpoints (nothing to save); stopping with exit code \(MacroExit.checkpointed.rawValue)") }
        break
      }
    }
    let final = try evaluate()
    let digest = Self.centralizedDigest(oracle, final: final, scenario: sc)
    let n = oracle.count
    let loopSeconds = MonotonicClock.seconds() - loopStart
    let thetaFinal = final.solution.point.theta
    outputs.writeTarget(targetFile, round: oracle.round, theta: thetaFinal, complete: status == .done)
    let summary = RunSummary(config: config, ranks: comm.size, status: status, fInitial: first.cost, last: last ?? first, rounds: oracle.round,
                             digest: digest, wall: MonotonicClock.seconds() - t0, loop: loopSeconds,
                             agentRounds: Double(n) * Double(oracle.round), gflop: 0, table: [], warnings: warnings,
                             extra: [("kl_initial", Self.json(targetFile.klInitial)), ("kl_final", .number(targetFile.kl(theta: thetaFinal)))]).json
    outputs.writeSummary(summary)
    try outputs.agree(round: oracle.round)
    return (status, summary)
  }

  /// The diagnostic record of the oracle's evaluation `e` at `round` (no consensus errors:
  /// every agent holds the exact θ*).
  static func centralizedRecord(_ e: CentralizedOracle.Evaluation, oracle: CentralizedOracle, dimension d: Int,
                                round: Int) -> DiagnosticRecord {
    DiagnosticRecord(round: round, cost: e.cost, stationarity: e.stationarity, consensusSigma: 0, consensusTheta: 0,
                     invariant: 0, maxTheta: Dense.norm(e.solution.point.theta),
                     boundaryFraction: Double(stride(from: 0, to: oracle.x.count, by: d).filter { i in
                       (0..<d).contains { abs(oracle.x[i + $0]) >= 1 } }.count) / Double(oracle.count),
                     nonfinite: oracle.x.contains { !$0.isFinite } ? 1 : 0, directionError: 0, thetaStarError: 0,
                     newtonIterations: e.solution.iterations)
  }

  /// State digest: x, σ_i = s(x), θ_i = θ*, v_i = v* for every agent.
  static func centralizedDigest(_ oracle: CentralizedOracle, final: CentralizedOracle.Evaluation,
                                scenario sc: Scenario) -> String {
    var h = SHA256()
    let n = oracle.count, m = sc.family.m
    h.update(doubles: oracle.x)
    var s = oracle.x.withUnsafeBufferPointer { sc.problem.sumOfFeatures(x: $0.baseAddress!, count: n) }
    for k in 0..<m { s[k] /= Double(n) }
    for row in [s, final.solution.point.theta, final.adjoint] { for _ in 0..<n { h.update(doubles: row) } }
    return h.hexDigest
  }
}
