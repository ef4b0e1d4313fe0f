import Foundation
import MacroCore
import MacroEngine
import MPIKit

/// Drives a distributed (or centralized) run: the output directory (lock, ownership, memory),
/// the resume source, the scenario, then the loop (RunDriver+Distributed.swift) or the
/// centralized oracle (RunDriver+Centralized.swift), whose outputs go through ``RunOutputs``.
/// Every error is a ``RunError`` thrown on every rank alike. Collective over `comm`.
public final class RunDriver {
  public let config: RunConfig
  public let comm: Communicator
  public let outputDir: String
  /// Printed by rank 0 (header, warnings, the timer table). Default: stdout.
  public var log: (String) -> Void = { print($0) }
  /// Where rank 0's progress reports go (nil: none), and how they look: a live line in a
  /// terminal, one line per diagnostic round in a job log (``ProgressReport``).
  public var progress: ((String) -> Void)? = nil
  public var progressStyle: ProgressReport.Style = .log
  /// Where the state comes from (`run --resume auto`, `resume FILE`).
  public var resume: ResumeMode = .none
  /// `--overwrite`: delete another run's checkpoints in the output directory instead of
  /// refusing to start.
  public var overwrite = false
  /// Polled at every round boundary (the CLI passes the CShims signal flag); nonzero =
  /// a caught signal number: checkpoint and stop with ``MacroExit/checkpointed``.
  public var signalFlag: () -> Int32 = { 0 }
  /// Polled with the signal flag: true when this rank's launcher (mpirun) is gone; every
  /// rank then stops without writing anything.
  public var launcherLost: () -> Bool = { false }
  /// The checkpoint the run continued from (after ``run()``).
  public internal(set) var resumedFrom: String? = nil
  /// True when ``run()`` found the run already complete (checkpoint round ≥ run.rounds)
  /// and did nothing.
  public internal(set) var alreadyComplete = false
  /// The last checkpoint written (after ``run()``).
  public var lastCheckpoint: String? { checkpoint?.path }
  var checkpoint: CheckpointRecord? = nil
  /// This run's checkpoints in the output directory (same resume hash, found at the start or
  /// written since): the only ones retention deletes.
  var ownCheckpoints: Set<String> = []
  var lock: OutputLock? = nil
  /// Warnings so far (logged by rank 0 when raised; summary.json `warnings`).
  var warnings: [String] = []
  /// F_initial and the round reached, for the summary of a run stopped by an error.
  var fInitial: Double? = nil
  var roundReached = 0
  /// Whether rank 0 has printed a progress report yet.
  var progressStarted = false

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

  /// Logs a warning once (rank 0 prints) and keeps it for the summary. Local.
  func warn(_ w: String) {
    guard !warnings.contains(w) else { return }
    warnings.append(w)
    if isRoot { log(w) }
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

  /// Runs the config's rounds (from a checkpoint when ``resume`` finds one). Returns the
  /// exit status (done, diverged or checkpointed) and summary.json's value; throws the
  /// collective error of a run that cannot start or stopped. Collective.
  public func run() throws(RunError) -> (MacroExit, JSONValue) {
    defer { lock?.release() }
    try prepareOutput()
    try checkMemory()
    try checkOwnership()
    let t0 = MonotonicClock.seconds()
    // Resume: read and validate the checkpoint before the (expensive) scenario setup, for
    // the partition the engine will use, so a complete run stops at once.
    let loaded = try loadCheckpoint()
    if let l = loaded, l.header.round >= config.run.rounds {
      alreadyComplete = true
      if isRoot { log("macroopt: run already complete: checkpoint \(l.path) is at round \(l.header.round) and run.rounds = \(config.run.rounds); nothing to do") }
      let existing = isRoot ? ((try? String(contentsOfFile: outputDir + "/summary.json", encoding: .utf8)) ?? "") : ""
      return (.done, .object([("status", .int(0)), ("rounds", .int(l.header.round)), ("already_complete", .bool(true)),
                              ("F_initial", .number(l.header.fInitial)), ("summary_json", .string(existing))]))
    }
    let sc = try makeRunScenario()
    if isRoot { for line in header(sc, resumedRound: loaded?.header.round) { log(line) } }
    checkImageFloor(sc)
    if config.run.algorithm == .centralized, resume != .none {
      throw .config("checkpoints and resume need run.algorithm = \"distributed\"")
    }
    do {
      // target.json (rank 0; the grid for d = 2 only) and the KL numbers of the summary.
      let density: TargetDensity? = isRoot && config.agents.dimension == 2 ? sc.target : nil
      let targetFile = TargetRunFile(scenario: sc, target: density, outputDir: outputDir, writer: isRoot)
      if config.run.algorithm == .centralized { return try runCentralized(scenario: sc, start: t0, targetFile: targetFile) }
      return try runDistributed(scenario: consume sc, loaded: loaded, start: t0, targetFile: targetFile)
    } catch {
      // Every exit path after setup leaves a summary.json with the status and the reason
      // (rank 0, best effort: the disk may be the problem).
      if isRoot, !error.isLauncherLost {
        let s = RunSummary.failure(config: config, ranks: comm.size, error: error, round: roundReached, fInitial: fInitial,
                                   checkpoint: existingCheckpoint(), warnings: warnings)
        try? writeAtomically(path: outputDir + "/summary.json", contents: s.prettySerialized() + "\n")
      }
      throw error
    }
  }

  /// The scenario of the config; the gradient method's γ clamped to its safe bound (with a
  /// warning; ``Scenario/withSafeGamma()`` changes only the config, nothing is rebuilt).
  /// Same on every rank.
  func makeRunScenario() throws(RunError) -> Scenario {
    let (scenario, clamp) = try Self.makeScenario(config, comm: comm).withSafeGamma()
    if let clamp {
      warn("warning: lower.gamma = \(clamp.requested) exceeds the safe bound (1 + λ_min(mixing))/h_max = \(clamp.bound) for this graph, basis and run.consensus_steps; clamped to \(clamp.clamped)")
    }
    return scenario
  }
}
