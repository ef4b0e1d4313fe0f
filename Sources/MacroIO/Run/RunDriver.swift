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
  /// The state stopped making sense (non-finite, or no θ*(s) for the agents' aggregate).
  case diverged(String)
  case output(String)
  public var description: String {
    switch self {
    case .setup(let s): return s
    case .engine(let s): return s
    case .diverged(let s): return s
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
  /// Where the state comes from (`run --resume auto`, `resume FILE`).
  public var resume: ResumeMode = .none
  /// Polled at every round boundary (the CLI passes the CShims signal flag); nonzero =
  /// a caught signal number: checkpoint and stop with ``RunStatus/checkpointedOnSignal``.
  public var signalFlag: () -> Int32 = { 0 }
  /// The checkpoint the run continued from (after ``run()``).
  public private(set) var resumedFrom: String? = nil
  /// True when ``run()`` found the run already complete (checkpoint round ≥ run.rounds)
  /// and did nothing.
  public private(set) var alreadyComplete = false
  /// The last checkpoint written (after ``run()``).
  public private(set) var lastCheckpoint: String? = nil

  /// The source of a run's initial state.
  public enum ResumeMode: Sendable, Equatable {
    /// Start at round 0.
    case none
    /// The newest valid checkpoint in `OUT/checkpoints` whose resume hash matches the
    /// config; older ones when newer ones are refused; round 0 when there is none.
    case auto
    /// This checkpoint (the config is expected to come from it); refusal is an error.
    case file(String)
  }

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

  /// The partition of the engine for this config and communicator (what a checkpoint is read for).
  func makePartition() throws(RunError) -> Partition {
    do { return try Partition(agentCount: config.agents.count, rankCount: comm.size, blockSize: Scenario.blockSize) } catch {
      throw .setup("partition: \(error)")
    }
  }

  /// Loads the checkpoint `resume` asks for (nil: start fresh). `.file` refusals throw;
  /// `.auto` falls back to older checkpoints and says so. Collective over `comm`.
  func loadCheckpoint() throws(RunError) -> (header: CheckpointHeader, rows: CheckpointRows, path: String)? {
    switch resume {
    case .none:
      return nil
    case .file(let path):
      do {
        let l = try CheckpointReader.load(path: path, expect: .init(config: config, matchConfig: false), partition: try makePartition(), comm: comm)
        resumedFrom = path
        if isRoot { log("macroopt: resuming from \(path) at round \(l.header.round) (written by \(l.header.ranksWritten) rank(s), read by \(comm.size))") }
        return (l.header, l.rows, path)
      } catch { throw .setup("\(error)") }
    case .auto:
      let dir = CheckpointFormat.directory(outputDir: outputDir)
      var listing = isRoot ? CheckpointDirectory.list(dir).map(\.path).joined(separator: "\n") : ""
      do { listing = try comm.broadcast(string: listing, root: 0) } catch { throw .engine("\(error)") }
      let candidates = listing.split(separator: "\n").map(String.init)
      for (i, path) in candidates.enumerated() {
        do {
          let l = try CheckpointReader.load(path: path, expect: .init(config: config, matchConfig: true), partition: try makePartition(), comm: comm)
          resumedFrom = path
          if isRoot { log("macroopt: resuming from \(path) at round \(l.header.round) (written by \(l.header.ranksWritten) rank(s), read by \(comm.size))") }
          return (l.header, l.rows, path)
        } catch {
          if isRoot { log("macroopt: warning: \(error); " + (i + 1 < candidates.count ? "falling back to the previous checkpoint" : "no older checkpoint")) }
        }
      }
      if isRoot { log("macroopt: " + (candidates.isEmpty ? "no checkpoint in \(dir)" : "no valid checkpoint in \(dir)") + ": starting from round 0") }
      return nil
    }
  }

  /// Reads the files a config refers to and builds the scenario: distributed, each rank
  /// keeps only its own agents' positions and its share of the edges. Collective over `comm`.
  public static func makeScenario(_ c: RunConfig, comm: Communicator = .world) throws(RunError) -> Scenario {
    var positions: [Double]? = nil, edges: [(Int, Int)]? = nil
    var image: TargetDensity? = nil
    do {
      let part = try Partition(agentCount: c.agents.count, rankCount: comm.size, blockSize: Scenario.blockSize)
      if c.agents.initialization == .file {
        positions = try readOwnedPositions(path: c.agents.file, dimension: c.agents.dimension, partition: part, comm: comm)
      }
      if c.graph.kind == .file { edges = try readEdgeShare(path: c.graph.file, agentCount: c.agents.count, comm: comm) }
      if c.target.kind == .image { image = try loadImageTarget(path: c.target.file) }
    } catch let e as RunError {
      throw e
    } catch {
      throw .setup("\(error)")
    }
    let sc: Scenario
    do { sc = try Scenario(config: c, comm: comm, ownedFilePositions: positions, fileEdges: edges, imageTarget: image) } catch {
      throw .setup("\(error)")
    }
    // Setup phase times, max over ranks (what scripts/bench-setup-scaling reads).
    if let slowest = try? comm.allreduce(sc.setupSeconds.map(\.seconds), .max), comm.rank == 0 {
      let phases = zip(sc.setupSeconds, slowest).map { $0.0.phase + " " + String(format: "%.3f", $0.1) + " s" }
      print("macroopt: setup of \(c.agents.count) agents on \(comm.size) rank(s) (max over ranks): " + phases.joined(separator: ", "))
    }
    return sc
  }

  /// Runs `config.run.rounds` rounds from round 0. Returns the status and summary.
  public func run() throws(RunError) -> (RunStatus, JSONValue) {
    try prepareOutput()
    let t0 = MonotonicClock.seconds()
    // Resume: read and validate the checkpoint before the (expensive) scenario setup, for
    // the partition the engine will use, so a complete run stops at once.
    let readStart = MonotonicClock.seconds()
    let loaded = try loadCheckpoint()
    let readSeconds = MonotonicClock.seconds() - readStart
    if let l = loaded, l.header.round >= config.run.rounds {
      alreadyComplete = true
      if isRoot { log("macroopt: run already complete: checkpoint \(l.path) is at round \(l.header.round) and run.rounds = \(config.run.rounds); nothing to do") }
      let existing = isRoot ? ((try? String(contentsOfFile: outputDir + "/summary.json", encoding: .utf8)) ?? "") : ""
      return (.done, .object([("status", .int(0)), ("rounds", .int(l.header.round)), ("already_complete", .bool(true)),
                              ("F_initial", .number(l.header.fInitial)), ("summary_json", .string(existing))]))
    }
    let partition = try makePartition()
    let scenario = try Self.makeScenario(config, comm: comm)
    var warnings: [String] = []
    var sc = scenario
    if config.lower.method == .gradient {
      let bound = scenario.gradientGammaBound
      if config.lower.gamma >= bound {
        let clamped = 0.99 * bound
        warnings.append("warning: lower.gamma = \(config.lower.gamma) exceeds the safe bound (1 + λ_min(mixing))/h_max = \(bound) for this graph, basis and run.consensus_steps; clamped to \(clamped)")
        var c = config
        c.lower.gamma = clamped
        sc = try Self.makeScenario(c, comm: comm)
      }
    }
    if isRoot { for w in warnings { log(w) } }
    // target.json (rank 0; the grid for d = 2 only) and the KL numbers of the summary.
    let targetDensity: TargetDensity? = isRoot && config.agents.dimension == 2 ? (try? TargetTable.targetDensity(config: config)) : nil
    let targetFile = TargetRunFile(scenario: sc, target: targetDensity, outputDir: outputDir, writer: isRoot)
    if config.run.algorithm == .centralized {
      if resume != .none { throw .setup("checkpoints and resume need run.algorithm = \"distributed\"") }
      return try runCentralized(scenario: sc, start: t0, warnings: warnings, targetFile: targetFile)
    }
    let engine: DistributedEngine
    do { engine = try DistributedEngine(scenario: sc, comm: comm) } catch { throw .engine("\(error)") }
    if let l = loaded {
      precondition(engine.partition == partition, "RunDriver: the engine's partition differs from the one the checkpoint was read for")
      engine.restore(round: l.header.round, x: l.rows.x, x0: l.rows.x0, sigma: l.rows.sigma, theta: l.rows.theta, v: l.rows.v)
      engine.timers.add(.checkpoint, readSeconds)
    }
    let writer = try openDiagnostics(keepThrough: loaded?.header.round)
    defer { try? writer?.close() }
    var first: DiagnosticRecord
    first = try diagnose(engine)
    if loaded == nil { try emit(first, writer) }
    let fInitial = loaded?.header.fInitial ?? first.cost
    let startRound = engine.round
    var last = first
    let rounds = config.run.rounds, every = max(1, config.run.diagEvery)
    // Snapshots: a fresh run starts a new series at round 0; a resumed one continues it
    // (files kept; the XDMF lists those up to the current round).
    let snapshotEvery = config.output.snapshotEvery
    if snapshotEvery > 0 {
      let dir = SnapshotFormat.directory(outputDir: outputDir)
      if loaded == nil {
        if isRoot { SnapshotWriter.clear(directory: dir) }
        try writeSnapshot(engine)
      } else if isRoot {
        _ = try? SnapshotSeries.write(directory: dir, upTo: engine.round, agents: config.agents.count, dimension: config.agents.dimension)
      }
    }
    if isRoot, first.nonfinite == 0, let th = engine.thetaStarWarm,
       let w = targetFile.write(latest: .init(round: first.round, theta: th), complete: false) {
      warnings.append(w)
      log(w)
    }
    var schedule = CheckpointSchedule(every: config.output.checkpointEvery, seconds: config.output.checkpointSeconds)
    let loopStart = MonotonicClock.seconds()
    var status = RunStatus.done
    while engine.round < rounds {
      do { try engine.step() } catch { throw .engine("\(error)") }
      var haveLast = false
      if engine.round % every == 0 || engine.round == rounds {
        last = try diagnose(engine)
        haveLast = true
        try emit(last, writer)
        for w in engine.warnings where !warnings.contains(w) { warnings.append(w); if isRoot { log(w) } }
        if last.nonfinite > 0 {
          status = .diverged
          if isRoot { log("error: non-finite state at round \(engine.round) (\(last.nonfinite) agents): diverged; lower run.alpha or lower.gamma") }
          break
        }
      }
      if SnapshotFormat.isDue(round: engine.round, every: snapshotEvery, finalRound: rounds) { try writeSnapshot(engine) }
      let decision: CheckpointSchedule.Decision
      do { decision = try schedule.decide(round: engine.round, finalRound: rounds, signal: signalFlag(), comm: comm) } catch {
        throw .engine("\(error)")
      }
      if decision.write {
        let tw = MonotonicClock.seconds()
        do {
          lastCheckpoint = try CheckpointWriter.write(engine: engine, config: config, fInitial: fInitial, outputDir: outputDir,
                                                      keep: config.output.keepCheckpoints)
        } catch where error.kind == .nonFinite {
          status = .diverged
          if isRoot { log("error: non-finite state at round \(engine.round): diverged; no checkpoint written (the last good one is kept); lower run.alpha or lower.gamma") }
          break
        } catch {
          throw .output("\(error); the run stopped at round \(engine.round) (older checkpoints are intact)")
        }
        engine.timers.add(.checkpoint, MonotonicClock.seconds() - tw)
        schedule.wrote()
      }
      if decision.signal != 0 {
        if engine.round < rounds {
          status = .checkpointedOnSignal
          if isRoot { log("macroopt: signal \(decision.signal) at round \(engine.round): checkpoint \(lastCheckpoint ?? "?") written; stopping with exit code \(RunStatus.checkpointedOnSignal.rawValue) (requeue and resume with --resume auto)") }
        }
        if !haveLast { last = try diagnose(engine) }
        break
      }
      if engine.round % every == 0 || engine.round == rounds {
        if let p = progress, isRoot {
          let el = MonotonicClock.seconds() - loopStart
          let rate = Double(engine.round - startRound) / max(el, 1e-9)
          let eta = Double(rounds - engine.round) / max(rate, 1e-9)
          p(String(format: "round %d/%d  %.1f rounds/s  ETA %.0fs  F %.6g  stationarity %.3g", engine.round, rounds, rate, eta, last.cost, last.stationarity))
        }
      }
    }
    let loopSeconds = MonotonicClock.seconds() - loopStart
    if last.nonfinite == 0 && last.cost > fInitial {
      let w = "warning: F rose from \(fInitial) to \(last.cost): the agents' estimates blew up (finite but meaningless); lower run.alpha"
      warnings.append(w)
      if isRoot { log(w) }
    }
    var klFinal: Double? = nil
    if last.nonfinite == 0, let th = engine.thetaStarWarm {
      klFinal = targetFile.kl(theta: th)
      let tw = MonotonicClock.seconds()
      if isRoot, let w = targetFile.write(latest: .init(round: last.round, theta: th), complete: status == .done) {
        warnings.append(w)
        log(w)
      }
      engine.timers.add(.output, MonotonicClock.seconds() - tw)
    }
    let digest: String
    do { digest = try engine.stateDigest() } catch { throw .engine("\(error)") }
    let table: [(phase: Phase, min: Double, avg: Double, max: Double, count: Int)]
    do { table = try engine.timers.reduce(over: comm) } catch { throw .engine("\(error)") }
    let gflops = (try? comm.allreduce(engine.updater.flops, .sum)) ?? 0
    let agentRounds = Double(config.agents.count) * Double(engine.round - startRound)
    var extra: [(String, JSONValue)] = [("halo_neighbors_max", .int((try? comm.allreduce(engine.plan.neighborRanks.count, .max)) ?? 0)),
                                        ("bytes_per_agent", .number(engine.state.bytesPerAgent)),
                                        ("persistent_bytes_per_agent", .number(engine.state.persistentBytesPerAgent))]
    if let p = resumedFrom { extra += [("resumed_from", .string(p)), ("resumed_round", .int(startRound))] }
    if let p = lastCheckpoint { extra.append(("last_checkpoint", .string(p))) }
    extra += [("kl_initial", Self.json(targetFile.klInitial)), ("kl_final", Self.json(klFinal))]
    let summary = makeSummary(fInitial: fInitial, last: last, rounds: engine.round, digest: digest, wall: MonotonicClock.seconds() - t0,
                              loop: loopSeconds, agentRounds: agentRounds, gflop: gflops / 1e9, table: table, warnings: warnings,
                              status: status, extra: extra)
    if isRoot {
      try writeSummary(summary)
      log(Self.formatTimerTable(table, ranks: comm.size))
    }
    return (status, summary)
  }

  /// Writes the snapshot of the engine's current round (and the XDMF). Collective; a failure
  /// stops the run on every rank.
  func writeSnapshot(_ engine: DistributedEngine) throws(RunError) {
    let t = MonotonicClock.seconds()
    do { try SnapshotWriter.write(engine: engine, outputDir: outputDir) } catch {
      throw .output("\(error); the run stopped at round \(engine.round)")
    }
    engine.timers.add(.output, MonotonicClock.seconds() - t)
  }

  static func json(_ v: Double?) -> JSONValue { v.map { .number($0) } ?? .null }

  func runCentralized(scenario sc: Scenario, start t0: Double, warnings inWarnings: [String],
                      targetFile: TargetRunFile) throws(RunError) -> (RunStatus, JSONValue) {
    var warnings = inWarnings
    // Every rank runs the oracle redundantly (it is one process's work); rank 0 writes.
    let allPositions: [Double]
    do { allPositions = try sc.allPositions() } catch { throw .engine("\(error)") }
    var oracle = CentralizedOracle(problem: sc.problem, positions: allPositions, alpha: sc.config.run.alpha)
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
      if isRoot, let w = targetFile.write(latest: .init(round: 0, theta: e.solution.point.theta), complete: false) {
        warnings.append(w)
        log(w)
      }
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
    let thetaFinal = final.solution.point.theta
    if isRoot, let w = targetFile.write(latest: .init(round: oracle.round, theta: thetaFinal), complete: true) {
      warnings.append(w)
      log(w)
    }
    let summary = makeSummary(fInitial: first!.cost, last: last ?? first!, rounds: oracle.round, digest: h.hexDigest,
                              wall: MonotonicClock.seconds() - t0, loop: loopSeconds,
                              agentRounds: Double(n) * Double(oracle.round), gflop: 0, table: [], warnings: warnings,
                              status: .done, extra: [("kl_initial", Self.json(targetFile.klInitial)),
                                                     ("kl_final", .number(targetFile.kl(theta: thetaFinal)))])
    if isRoot { try writeSummary(summary) }
    return (.done, summary)
  }

  /// Opens diagnostics.jsonl on rank 0: truncated for a fresh run; for a resumed run the
  /// records after the checkpoint's round (written before an interruption) are dropped and
  /// new ones appended, so the file reads as if the run was never interrupted.
  /// The engine's diagnostics; a lower-level solve that fails on every rank (the aggregate
  /// s(x) of a blown-up state) is divergence (exit 3), not an internal error. Collective.
  func diagnose(_ engine: DistributedEngine) throws(RunError) -> DiagnosticRecord {
    do { return try engine.diagnostics() } catch {
      if case .lowerLevel(let why) = error {
        throw .diverged("diverged at round \(engine.round): \(why); lower run.alpha")
      }
      throw .engine("\(error)")
    }
  }

  func openDiagnostics(keepThrough round: Int? = nil) throws(RunError) -> JSONLinesWriter? {
    guard isRoot else { return nil }
    let path = outputDir + "/diagnostics.jsonl"
    do {
      if let round, let text = try? String(contentsOfFile: path, encoding: .utf8) {
        let kept = text.split(separator: "\n").filter { line in
          guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let r = obj["round"] as? Int else { return false }
          return r <= round
        }
        try writeAtomically(path: path, contents: kept.map { $0 + "\n" }.joined())
      }
      return try JSONLinesWriter(path: path, append: round != nil)
    } catch { throw .output("\(error)") }
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

  func makeSummary(fInitial: Double, last: DiagnosticRecord, rounds: Int, digest: String, wall: Double, loop: Double,
                   agentRounds: Double, gflop: Double, table: [(phase: Phase, min: Double, avg: Double, max: Double, count: Int)],
                   warnings: [String], status: RunStatus, extra: [(String, JSONValue)]) -> JSONValue {
    var timers: [(String, JSONValue)] = []
    for t in table where t.count > 0 || t.max > 0 {
      timers.append((t.phase.rawValue, .object([("min", .number(t.min)), ("avg", .number(t.avg)), ("max", .number(t.max))])))
    }
    var fields: [(String, JSONValue)] = [
      ("agents", .int(config.agents.count)), ("ranks", .int(comm.size)), ("rounds", .int(rounds)),
      ("algorithm", .string(config.run.algorithm.rawValue)), ("status", .int(Int(status.rawValue))),
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
