import Foundation
import MacroCore
import MacroEngine
import MPIKit

/// How a run ended (DESIGN §8 exit codes).
public enum RunStatus: Int32, Sendable {
  case done = 0
  case badInput = 2
  case diverged = 3
  case checkpointedOnSignal = 85
}

/// Errors that stop a run; every rank throws the same one (collective failures).
public enum RunError: Error, CustomStringConvertible {
  case setup(String)
  case engine(String)
  case output(String)
  public var description: String {
    switch self {
    case .setup(let s): return s
    case .engine(let s): return s
    case .output(let s): return s
    }
  }
}

/// Drives a distributed (or centralized) run: rounds, diagnostics on schedule, outputs on
/// rank 0 (diagnostics.jsonl, summary.json), the timer table. Collective over `comm`.
public final class RunDriver {
  public let config: RunConfig
  public let comm: Communicator
  public let outputDir: String
  /// Printed by rank 0 (progress, warnings, the timer table). Default: stderr/stdout.
  public var log: (String) -> Void = { print($0) }
  public var progress: ((String) -> Void)? = nil

  public init(config: RunConfig, comm: Communicator, outputDir: String) {
    self.config = config
    self.comm = comm
    self.outputDir = outputDir
  }

  var isRoot: Bool { comm.rank == 0 }

  /// Creates the output directory on rank 0; all ranks learn whether it worked.
  func prepareOutput() throws(RunError) {
    var ok = 1.0
    var reason = ""
    if isRoot {
      do {
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        guard FileManager.default.isWritableFile(atPath: outputDir) else { throw RunError.output("not writable") }
      } catch {
        ok = 0
        reason = "\(error)"
      }
    }
    let all = (try? comm.allreduce(ok, .min)) ?? 0
    if all < 1 { throw .output("output.dir = \"\(outputDir)\": cannot create or write the directory \(reason)") }
  }

  /// Reads the files a config refers to (same on every rank), builds the scenario.
  public static func makeScenario(_ c: RunConfig) throws(RunError) -> Scenario {
    var positions: [Double]? = nil, edges: [(Int, Int)]? = nil
    var image: TargetDensity? = nil
    do {
      if c.agents.initialization == .file {
        positions = try readPositions(path: c.agents.file, dimension: c.agents.dimension)
        if let p = positions, p.count != c.agents.count * c.agents.dimension {
          throw RunError.setup("agents.file = \"\(c.agents.file)\": \(p.count / c.agents.dimension) agents, but agents.count = \(c.agents.count)")
        }
      }
      if c.graph.kind == .file { edges = try readEdges(path: c.graph.file, agentCount: c.agents.count) }
      if c.target.kind == .image { image = try loadImageTarget(path: c.target.file) }
    } catch let e as RunError {
      throw e
    } catch {
      throw .setup("\(error)")
    }
    do {
      return try Scenario(config: c, filePositions: positions, fileEdges: edges, imageTarget: image)
    } catch { throw .setup("\(error)") }
  }

  /// Runs `config.run.rounds` rounds from round 0. Returns the status and summary.
  public func run() throws(RunError) -> (RunStatus, JSONValue) {
    try prepareOutput()
    let t0 = MonotonicClock.seconds()
    let scenario = try Self.makeScenario(config)
    var warnings: [String] = []
    var sc = scenario
    if config.lower.method == .gradient {
      let bound = scenario.gradientGammaBound
      if config.lower.gamma >= bound {
        let clamped = 0.99 * bound
        warnings.append("warning: lower.gamma = \(config.lower.gamma) exceeds the safe bound (1 + λ_min(W))/h_max = \(bound) for this graph and basis; clamped to \(clamped)")
        var c = config
        c.lower.gamma = clamped
        sc = try Self.makeScenario(c)
      }
    }
    if isRoot { for w in warnings { log(w) } }
    if config.run.algorithm == .centralized {
      return try runCentralized(scenario: sc, start: t0, warnings: warnings)
    }
    let engine: DistributedEngine
    do { engine = try DistributedEngine(scenario: sc, comm: comm) } catch { throw .engine("\(error)") }
    let writer = try openDiagnostics()
    defer { try? writer?.close() }
    var first: DiagnosticRecord
    do { first = try engine.diagnostics() } catch { throw .engine("\(error)") }
    try emit(first, writer)
    var last = first
    let rounds = config.run.rounds, every = max(1, config.run.diagEvery)
    let loopStart = MonotonicClock.seconds()
    var status = RunStatus.done
    while engine.round < rounds {
      do { try engine.step() } catch { throw .engine("\(error)") }
      if engine.round % every == 0 || engine.round == rounds {
        do { last = try engine.diagnostics() } catch { throw .engine("\(error)") }
        try emit(last, writer)
        if let w = engine.quadratureWarning, !warnings.contains(w) { warnings.append(w); if isRoot { log(w) } }
        if last.nonfinite > 0 {
          status = .diverged
          if isRoot { log("error: non-finite state at round \(engine.round) (\(last.nonfinite) agents): diverged; lower run.alpha or lower.gamma") }
          break
        }
        if let p = progress, isRoot {
          let el = MonotonicClock.seconds() - loopStart
          let rate = Double(engine.round) / max(el, 1e-9)
          let eta = Double(rounds - engine.round) / max(rate, 1e-9)
          p(String(format: "round %d/%d  %.1f rounds/s  ETA %.0fs  F %.6g  stationarity %.3g", engine.round, rounds, rate, eta, last.cost, last.stationarity))
        }
      }
    }
    let loopSeconds = MonotonicClock.seconds() - loopStart
    let digest: String
    do { digest = try engine.stateDigest() } catch { throw .engine("\(error)") }
    let table: [(phase: Phase, min: Double, avg: Double, max: Double, count: Int)]
    do { table = try engine.timers.reduce(over: comm) } catch { throw .engine("\(error)") }
    let gflops = (try? comm.allreduce(engine.updater.flops, .sum)) ?? 0
    let agentRounds = Double(config.agents.count) * Double(engine.round)
    let summary = makeSummary(first: first, last: last, rounds: engine.round, digest: digest, wall: MonotonicClock.seconds() - t0,
                              loop: loopSeconds, agentRounds: agentRounds, gflop: gflops / 1e9, table: table, warnings: warnings,
                              status: status, extra: [("halo_neighbors_max", .int((try? comm.allreduce(engine.plan.neighborRanks.count, .max)) ?? 0)),
                                                      ("bytes_per_agent", .number(engine.state.bytesPerAgent))])
    if isRoot {
      try writeSummary(summary)
      log(Self.formatTimerTable(table, ranks: comm.size))
    }
    return (status, summary)
  }

  func runCentralized(scenario sc: Scenario, start t0: Double, warnings: [String]) throws(RunError) -> (RunStatus, JSONValue) {
    // Every rank runs the oracle redundantly (it is one process's work); rank 0 writes.
    var oracle = CentralizedOracle(problem: sc.problem, positions: sc.positions, alpha: sc.config.run.alpha)
    let writer = try openDiagnostics()
    defer { try? writer?.close() }
    func record(_ e: CentralizedOracle.Evaluation, round: Int) -> DiagnosticRecord {
      DiagnosticRecord(round: round, cost: e.cost, stationarity: e.stationarity, consensusSigma: 0, consensusTheta: 0,
                       invariant: 0, maxTheta: Dense.norm(e.solution.point.theta),
                       boundaryFraction: Double(stride(from: 0, to: oracle.x.count, by: sc.config.agents.dimension).filter { i in
                         (0..<sc.config.agents.dimension).contains { abs(oracle.x[i + $0]) >= 1 } }.count) / Double(oracle.count),
                       nonfinite: oracle.x.contains { !$0.isFinite } ? 1 : 0, directionError: 0, thetaStarError: 0,
                       newtonIterations: e.solution.iterations)
    }
    let loopStart = MonotonicClock.seconds()
    var first: DiagnosticRecord? = nil, last: DiagnosticRecord? = nil
    let rounds = config.run.rounds, every = max(1, config.run.diagEvery)
    var final: CentralizedOracle.Evaluation
    do {
      var e = try oracle.evaluate()
      first = record(e, round: 0)
      try emit(first!, writer)
      while oracle.round < rounds {
        try oracle.step()
        if oracle.round % every == 0 || oracle.round == rounds {
          e = try oracle.evaluate()
          last = record(e, round: oracle.round)
          try emit(last!, writer)
        }
      }
      final = try oracle.evaluate()
    } catch let e as RunError { throw e } catch { throw .engine("\(error)") }
    // State digest: x, σ_i = s(x), θ_i = θ*, v_i = v* for every agent.
    var h = SHA256()
    let n = oracle.count, m = sc.family.m
    h.update(doubles: oracle.x)
    var s = oracle.x.withUnsafeBufferPointer { sc.problem.sumOfFeatures(x: $0.baseAddress!, count: n) }
    for k in 0..<m { s[k] /= Double(n) }
    for row in [s, final.solution.point.theta, final.adjoint] { for _ in 0..<n { h.update(doubles: row) } }
    let loopSeconds = MonotonicClock.seconds() - loopStart
    let summary = makeSummary(first: first!, last: last ?? first!, rounds: oracle.round, digest: h.hexDigest,
                              wall: MonotonicClock.seconds() - t0, loop: loopSeconds,
                              agentRounds: Double(n) * Double(oracle.round), gflop: 0, table: [], warnings: warnings,
                              status: .done, extra: [])
    if isRoot { try writeSummary(summary) }
    return (.done, summary)
  }

  func openDiagnostics() throws(RunError) -> JSONLinesWriter? {
    guard isRoot else { return nil }
    do { return try JSONLinesWriter(path: outputDir + "/diagnostics.jsonl", append: false) } catch { throw .output("\(error)") }
  }

  func emit(_ r: DiagnosticRecord, _ w: JSONLinesWriter?) throws(RunError) {
    guard let w else { return }
    do { try w.write(Self.json(r)) } catch { throw .output("\(error)") }
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

  func makeSummary(first: DiagnosticRecord, last: DiagnosticRecord, rounds: Int, digest: String, wall: Double, loop: Double,
                   agentRounds: Double, gflop: Double, table: [(phase: Phase, min: Double, avg: Double, max: Double, count: Int)],
                   warnings: [String], status: RunStatus, extra: [(String, JSONValue)]) -> JSONValue {
    var timers: [(String, JSONValue)] = []
    for t in table where t.count > 0 || t.max > 0 {
      timers.append((t.phase.rawValue, .object([("min", .number(t.min)), ("avg", .number(t.avg)), ("max", .number(t.max))])))
    }
    var fields: [(String, JSONValue)] = [
      ("agents", .int(config.agents.count)), ("ranks", .int(comm.size)), ("rounds", .int(rounds)),
      ("algorithm", .string(config.run.algorithm.rawValue)), ("status", .int(Int(status.rawValue))),
      ("F_initial", .number(first.cost)), ("F_final", .number(last.cost)),
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

  func writeSummary(_ s: JSONValue) throws(RunError) {
    do { try writeAtomically(path: outputDir + "/summary.json", contents: s.prettySerialized() + "\n") } catch { throw .output("\(error)") }
  }

  /// A PETSc -log_view-like table of phase times over ranks.
  public static func formatTimerTable(_ table: [(phase: Phase, min: Double, avg: Double, max: Double, count: Int)], ranks: Int) -> String {
    var out = "Phase times over \(ranks) rank(s) (seconds)\n"
    out += "phase                 count        min        avg        max   max/avg\n"
    for t in table where t.count > 0 {
      let ratio = t.avg > 0 ? t.max / t.avg : 1
      out += String(format: "%-18@ %8d %10.4f %10.4f %10.4f %8.2f\n", t.phase.rawValue as NSString, t.count, t.min, t.avg, t.max, ratio)
    }
    return out
  }
}
